// The demo workspace (`npm start -- --demo`): an orthodontic clinic with one person in each
// role and a dozen patient inquiries spread over the pipeline, with calls on the timeline and
// follow-ups due (one overdue, some today, some later), so Today has work on it. It is loaded
// once; later starts only print its sign-in again. The data is fixed, so every demo looks the
// same (dates are relative to when it was loaded).
import type { Actor } from '../../platform/auth/actor.js';
import type { ActivitiesService } from '../activities/activities.service.js';
import type { TasksService } from '../tasks/tasks.service.js';
import type { Role } from '../../platform/db/schema.js';
import type { LeadSourcesService } from '../lead-sources/lead-sources.service.js';
import type { LeadsService } from '../leads/leads.service.js';
import type { LostReasonsService } from '../lost-reasons/lost-reasons.service.js';
import type { PipelinesService } from '../pipelines/pipelines.service.js';
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

// name, phone, source, stage position (7 = lost), value in cents, coordinator (0/1/none)
const DEMO_INQUIRIES: [string, string, string, number, number, number | null][] = [
  ['Lea Schneider', '0171 5550101', 'Dentist referral', 0, 0, null],
  ['Ben Fischer', '0151 23456702', 'Instagram / Facebook', 0, 0, 0],
  ['Mila Wagner', '0160 5550103', 'Website / Google', 1, 0, 0],
  ['Noah Becker', '0176 5550104', 'Patient referral', 2, 450_000, 1],
  ['Emma Hoffmann', '0152 23456705', 'School screening', 2, 520_000, 0],
  ['Paul Schäfer', '0170 5550106', 'Google Ads', 3, 610_000, 1],
  ['Hanna Koch', '0157 23456707', 'Dentist referral', 4, 580_000, 0],
  ['Felix Richter', '0172 5550108', 'Walk-in', 4, 390_000, 1],
  ['Sophie Klein', '0162 5550109', 'Patient referral', 5, 640_000, 0],
  ['Elias Wolf', '0173 5550110', 'Community event', 6, 595_000, 1],
  ['Clara Neumann', '0159 23456711', 'Print ad', 7, 480_000, 0],
  ['Luis Schwarz', '0175 5550112', 'Google Ads', 7, 0, null],
];

const HOUR_MS = 3_600_000;
// When each coordinator's follow-up call is due, from the time the demo is loaded.
const FOLLOW_UP_OFFSETS_HOURS = [2, -20, 5, 26, -3, 50, 74];

export function createDemoService(
  { db, clock }: ServiceDeps,
  users: UsersService,
  workspaces: WorkspacesService,
  more: {
    pipelines: PipelinesService;
    leadSources: LeadSourcesService;
    lostReasons: LostReasonsService;
    leads: LeadsService;
    activities: ActivitiesService;
    tasks: TasksService;
  },
) {
  async function loadInquiries(actor: Actor, coordinatorIds: string[]) {
    const pipeline = await more.pipelines.pipelineForLead(actor, undefined);
    const sources = (await more.leadSources.listLeadSources(actor, true)).items;
    const reasons = (await more.lostReasons.listLostReasons(actor, true)).items;
    for (const [
      index,
      [name, phone, sourceName, position, value, who],
    ] of DEMO_INQUIRIES.entries()) {
      const [firstName = name, lastName = ''] = name.split(' ');
      const lead = await more.leads.createLead(actor, {
        description: '',
        contact: {
          firstName,
          lastName,
          emails: [{ value: `${firstName.toLowerCase()}.${index}@patients.example`, label: '' }],
          phones: [{ value: phone, label: 'mobile' }],
          address: null,
          preferredChannel: 'phone',
          preferredTime: '',
          lifecycleStage: 'prospect',
          tags: [],
          optInEmail: false,
          optInSms: false,
          doNotContact: false,
          notes: '',
          companyId: null,
        },
        allowDuplicate: false,
        companyName: '',
        sourceId: sources.find((s) => s.name === sourceName)?.id,
        sourceCampaign: '',
        sourceDetail: '',
        value,
        priority: position >= 4 && position < 7 ? 'high' : 'normal',
        assigneeId: who === null ? undefined : coordinatorIds[who],
        tags: [],
      });
      if (position >= 1 && position < 7) {
        await more.activities.logLeadActivity(actor, lead.id, {
          type: 'call',
          outcome: 'spoke',
          subject: '',
          body: `First call with ${firstName}: questions about treatment and costs.`,
          durationMinutes: 8,
          nextStep: 'Book the free consultation',
        });
      }
      if (who !== null && position < 7) {
        const hours = FOLLOW_UP_OFFSETS_HOURS[index % FOLLOW_UP_OFFSETS_HOURS.length]!;
        await more.tasks.createTask(actor, {
          leadId: lead.id,
          title: position === 0 ? `Call ${firstName} back` : `Follow up with ${firstName}`,
          type: 'call',
          dueAt: new Date(clock.now().getTime() + hours * HOUR_MS).toISOString(),
        });
      }
      const stage = pipeline.stages[position];
      if (!stage || position === 0) continue;
      if (stage.kind === 'lost') {
        await more.leads.markLeadLost(actor, lead.id, {
          reasonId: reasons[index % reasons.length]!.id,
          notes: '',
        });
      } else {
        await more.leads.moveLeadToStage(actor, lead.id, { stageId: stage.id });
      }
    }
  }

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
      const coordinatorIds: string[] = [];
      for (const person of team) {
        const { user } = await users.createUser(actor, {
          email: `${person.local}@${DEMO_DOMAIN}`,
          name: person.name,
          role: person.role,
          password: DEMO_PASSWORD,
        });
        if (person.role === 'agent') coordinatorIds.push(user.id);
      }
      await loadInquiries(actor, coordinatorIds);
      return { email: ownerEmail, password: DEMO_PASSWORD, workspaceName, created: true };
    },
  };
}

export type DemoService = ReturnType<typeof createDemoService>;
