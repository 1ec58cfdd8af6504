// First start: an empty instance gets its first workspace and admin, either from ADMIN_EMAIL /
// ADMIN_PASSWORD or through a one-time setup link printed on the console.
import {
  generateSecret,
  hashPassword,
  hashSecret,
  safeEqual,
} from '../../platform/auth/secrets.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors.js';
import type { UsersService } from '../users/users.service.js';
import type { WorkspacesService } from '../workspaces/workspaces.service.js';
import { DEFAULT_BUSINESS_HOURS } from '../workspaces/workspaces.schemas.js';
import * as repo from './setup.repository.js';
import type { CompleteSetupInput } from './setup.schemas.js';

const SETUP_TOKEN_KEY = 'setup_token_hash';

export type InstanceState =
  | { state: 'ready' }
  | { state: 'admin_created'; email: string }
  | { state: 'needs_setup'; setupUrl: string };

export function createSetupService(
  { db, clock, config }: ServiceDeps,
  users: UsersService,
  workspaces: WorkspacesService,
) {
  async function createFirstAdmin(
    input: { email: string; name: string; password: string },
    workspace: Pick<CompleteSetupInput, 'workspaceName'> &
      Partial<Pick<CompleteSetupInput, 'timeZone' | 'locale' | 'currency' | 'country' | 'preset'>>,
  ) {
    const passwordHash = await hashPassword(input.password);
    return db.transaction().execute(async (trx) => {
      await repo.lockSetup(trx);
      if ((await users.countUsers(trx)) > 0) {
        throw new AppError('conflict', { message: 'This Leadkeeper is already set up; sign in.' });
      }
      const user = await users.insertInstanceAdmin(trx, { ...input, passwordHash });
      const created = await workspaces.createWorkspaceFor(trx, user.id, {
        name: workspace.workspaceName,
        timeZone: workspace.timeZone ?? 'UTC',
        locale: workspace.locale ?? 'en-US',
        currency: workspace.currency ?? 'USD',
        country: workspace.country ?? 'US',
        businessHours: DEFAULT_BUSINESS_HOURS,
        preset: workspace.preset ?? config.workspacePreset,
      });
      await repo.deleteSetting(trx, SETUP_TOKEN_KEY);
      return { user, workspace: created };
    });
  }

  return {
    /** Run at every start after migrations. */
    async prepareInstance(): Promise<InstanceState> {
      if ((await users.countUsers(db)) > 0) return { state: 'ready' };
      if (config.admin) {
        await createFirstAdmin(config.admin, { workspaceName: 'My workspace' });
        return { state: 'admin_created', email: config.admin.email };
      }
      // A new link at every start while no one has set up; only its hash is stored.
      const token = generateSecret('lksetup');
      await repo.writeSetting(db, SETUP_TOKEN_KEY, hashSecret(token), clock.now());
      return {
        state: 'needs_setup',
        setupUrl: `${config.publicUrl}/setup?token=${encodeURIComponent(token)}`,
      };
    },

    async isSetUp() {
      return (await users.countUsers(db)) > 0;
    },

    async completeSetup(input: CompleteSetupInput) {
      if ((await users.countUsers(db)) > 0) {
        throw new AppError('conflict', { message: 'This Leadkeeper is already set up; sign in.' });
      }
      const expected = await repo.readSetting<string>(db, SETUP_TOKEN_KEY);
      if (!expected || !safeEqual(expected, hashSecret(input.token))) {
        throw new AppError('not_found', {
          message: 'This setup link is not valid; restart Leadkeeper to print a new one.',
        });
      }
      return createFirstAdmin(input, input);
    },
  };
}

export type SetupService = ReturnType<typeof createSetupService>;
