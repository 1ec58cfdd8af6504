// The demo workspace (`npm start -- --demo`): a clinic with one person in each role.
// It is loaded once; later starts only print its sign-in again.
import type { Role } from '../../platform/db/schema.js';
import type { ServiceDeps } from '../../platform/deps.js';
import type { UsersService } from '../users/users.service.js';
import { systemActorFor } from '../users/users.service.js';
import type { WorkspacesService } from '../workspaces/workspaces.service.js';

export const DEMO_PASSWORD = 'demo-leadkeeper';
const DEMO_DOMAIN = 'demo.leadkeeper.test';

const DEMO_PEOPLE: { name: string; role: Role; local: string }[] = [
  { name: 'Dr. Amelia Hart', role: 'admin', local: 'owner' },
  { name: 'Marcus Lee', role: 'manager', local: 'manager' },
  { name: 'Priya Shah', role: 'agent', local: 'coordinator' },
  { name: 'Jonas Weber', role: 'agent', local: 'coordinator2' },
  { name: 'Rosa Diaz', role: 'front_desk', local: 'frontdesk' },
  { name: 'Tom Becker', role: 'viewer', local: 'accountant' },
];

export function createDemoService(
  { db }: ServiceDeps,
  users: UsersService,
  workspaces: WorkspacesService,
) {
  return {
    /** Loads the demo workspace if it is not there yet; returns how to sign in. */
    async loadDemo(): Promise<{
      email: string;
      password: string;
      workspaceName: string;
      created: boolean;
    }> {
      const ownerEmail = `owner@${DEMO_DOMAIN}`;
      const workspaceName = 'Bright Smiles Orthodontics (demo)';
      if (await users.findUserByEmail(ownerEmail)) {
        return { email: ownerEmail, password: DEMO_PASSWORD, workspaceName, created: false };
      }
      const [owner, ...team] = DEMO_PEOPLE;
      if (!owner) throw new Error('The demo needs an owner');
      const ownerUser = await db.transaction().execute(async (trx) => {
        const user = await users.insertUserWithPassword(trx, {
          email: ownerEmail,
          name: owner.name,
          password: DEMO_PASSWORD,
        });
        const workspace = await workspaces.createWorkspaceFor(trx, user.id, {
          name: workspaceName,
          timeZone: 'Europe/Berlin',
          locale: 'de-DE',
          currency: 'EUR',
          country: 'DE',
          preset: 'orthodontics',
          businessHours: {
            '1': [{ start: '08:00', end: '18:00' }],
            '2': [{ start: '08:00', end: '18:00' }],
            '3': [{ start: '08:00', end: '18:00' }],
            '4': [{ start: '08:00', end: '19:00' }],
            '5': [{ start: '08:00', end: '14:00' }],
          },
        });
        return { userId: user.id, workspaceId: workspace.id };
      });
      const actor = systemActorFor(ownerUser.workspaceId, ownerUser.userId);
      for (const person of team) {
        await users.createUser(actor, {
          email: `${person.local}@${DEMO_DOMAIN}`,
          name: person.name,
          role: person.role,
          password: DEMO_PASSWORD,
        });
      }
      return { email: ownerEmail, password: DEMO_PASSWORD, workspaceName, created: true };
    },
  };
}

export type DemoService = ReturnType<typeof createDemoService>;
