// "My work" (the Today page): one answer with what a person should do next — overdue and
// today's tasks, leads by next follow-up, new leads not yet contacted, leads stuck in a stage.
// Each lead carries its insights (next action, best hour to call); among leads that are equally
// due, those whose best hour to call is now come first.
import type { Actor } from '../../platform/auth/actor.js';
import type { ServiceDeps } from '../../platform/deps.js';
import type { InsightsService } from '../insights/insights.service.js';
import type { LeadInsightsDto } from '../insights/insights.schemas.js';
import type { LeadsService } from '../leads/leads.service.js';
import type { TasksService } from '../tasks/tasks.service.js';

const MINUTE_MS = 60_000;

interface WorkLead {
  id: string;
  nextFollowUpAt: string | null;
}

/**
 * Stable reorder: within each run of consecutive leads with the same due key, the ones whose
 * best hour to call is now first; runs keep their order.
 */
export function bestHourFirst<T extends { insights: LeadInsightsDto | null }>(
  leads: T[],
  dueKey: (lead: T) => string,
): T[] {
  const result: T[] = [];
  let run: T[] = [];
  const flush = () => {
    const isNow = (lead: T) => lead.insights?.bestTimeToCall.isNow === true;
    result.push(...run.filter(isNow), ...run.filter((lead) => !isNow(lead)));
    run = [];
  };
  for (const lead of leads) {
    if (run.length > 0 && dueKey(run[0]!) !== dueKey(lead)) flush();
    run.push(lead);
  }
  flush();
  return result;
}

export function createWorkService(
  { clock }: Pick<ServiceDeps, 'clock'>,
  deps: { leads: LeadsService; tasks: TasksService; insights: InsightsService },
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
      const leadIds = [
        ...new Set([...followUps, ...notContacted, ...pastStageLimit].map((l) => l.id)),
      ];
      const [titles, insights] = await Promise.all([
        deps.leads.leadTitles(
          actor,
          tasks.flatMap((task) => (task.leadId ? [task.leadId] : [])),
        ),
        deps.insights.insightsFor(actor, leadIds),
      ]);
      const withLeadTitle = (task: (typeof tasks)[number]) => ({
        ...task,
        leadTitle: task.leadId ? (titles.get(task.leadId) ?? null) : null,
      });
      const withInsights = <T extends WorkLead>(lead: T) => ({
        ...lead,
        insights: insights.get(lead.id) ?? null,
      });
      const now = clock.now().getTime();
      // Follow-ups due by now are equally due; later ones keep their time order.
      const followUpDue = (lead: WorkLead) =>
        lead.nextFollowUpAt && Date.parse(lead.nextFollowUpAt) <= now
          ? 'due'
          : `later:${lead.nextFollowUpAt ?? ''}`;
      return {
        overdueTasks: overdue.items.map(withLeadTitle),
        // Today's list holds what is still ahead; what already passed is in overdue.
        todayTasks: today.items.filter((task) => !task.isOverdue).map(withLeadTitle),
        followUps: bestHourFirst(followUps.map(withInsights), followUpDue),
        // Every lead not contacted yet is due now (speed to lead).
        notContacted: bestHourFirst(
          notContacted.map((lead) => ({
            ...withInsights(lead),
            minutesSinceCreated: Math.floor((now - Date.parse(lead.createdAt)) / MINUTE_MS),
          })),
          () => 'due',
        ),
        pastStageLimit: bestHourFirst(pastStageLimit.map(withInsights), () => 'due'),
      };
    },
  };
}

export type WorkService = ReturnType<typeof createWorkService>;
