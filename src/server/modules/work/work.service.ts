// "My work" (the Today page): one answer with what a person should do next — overdue and
// today's tasks, leads by next follow-up, new leads not yet contacted, leads stuck in a stage.
import type { Actor } from '../../platform/auth/actor.js';
import type { ServiceDeps } from '../../platform/deps.js';
import type { LeadsService } from '../leads/leads.service.js';
import type { TasksService } from '../tasks/tasks.service.js';

const MINUTE_MS = 60_000;

export function createWorkService(
  { clock }: Pick<ServiceDeps, 'clock'>,
  deps: { leads: LeadsService; tasks: TasksService },
) {
  return {
    async getMyWork(actor: Actor, limit: number) {
      const page = { assigneeId: 'me' as const, status: 'open' as const, limit };
      const [overdue, today, followUps, notContacted, pastStageLimit] = await Promise.all([
        deps.tasks.listTasks(actor, { ...page, due: 'overdue' }),
        deps.tasks.listTasks(actor, { ...page, due: 'today' }),
        deps.leads.listWorkLeads(actor, 'follow_ups', limit),
        deps.leads.listWorkLeads(actor, 'not_contacted', limit),
        deps.leads.listWorkLeads(actor, 'past_stage_limit', limit),
      ]);
      const tasks = [...overdue.items, ...today.items];
      const titles = await deps.leads.leadTitles(
        actor,
        tasks.flatMap((task) => (task.leadId ? [task.leadId] : [])),
      );
      const withLeadTitle = (task: (typeof tasks)[number]) => ({
        ...task,
        leadTitle: task.leadId ? (titles.get(task.leadId) ?? null) : null,
      });
      const now = clock.now().getTime();
      return {
        overdueTasks: overdue.items.map(withLeadTitle),
        // Today's list holds what is still ahead; what already passed is in overdue.
        todayTasks: today.items.filter((task) => !task.isOverdue).map(withLeadTitle),
        followUps,
        notContacted: notContacted.map((lead) => ({
          ...lead,
          minutesSinceCreated: Math.floor((now - Date.parse(lead.createdAt)) / MINUTE_MS),
        })),
        pastStageLimit,
      };
    },
  };
}

export type WorkService = ReturnType<typeof createWorkService>;
