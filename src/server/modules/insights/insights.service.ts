// Lead insights: the suggested next step for a lead and the best hour to call it, from its stage,
// its touches and the answered calls of its contact and of the workspace (docs/insights.md).
// Used by GET /api/leads/:id/insights and to order Today (work module).
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { notFound } from '../../platform/errors.js';
import { createExpiringCache } from '../../platform/expiring-cache.js';
import type { WorkspacesService } from '../workspaces/workspaces.service.js';
import * as repo from './insights.repository.js';
import { bestTimeToCall, nextAction } from './insights.rules.js';
import type { LeadInsightsDto } from './insights.schemas.js';

/** The workspace's call history changes slowly and costs a scan of its calls: kept a while. */
const WORKSPACE_HISTORY_TTL_MS = 15 * 60_000;

export function createInsightsService(
  deps: Pick<ServiceDeps, 'db' | 'clock'>,
  modules: { workspaces: WorkspacesService },
) {
  const { db, clock } = deps;
  const workspaceCalls = createExpiringCache<repo.CallHourRow[]>(clock, {
    ttlMs: WORKSPACE_HISTORY_TTL_MS,
    maxEntries: 1_000,
  });

  /** Insights of the leads the actor may read (others are left out), by lead id. */
  async function insightsFor(
    actor: Actor,
    leadIds: string[],
  ): Promise<Map<string, LeadInsightsDto>> {
    requirePermission(actor, 'lead:read');
    const workspace = await modules.workspaces.findWorkspace(actor.workspaceId);
    const timeZone = workspace?.timeZone ?? 'UTC';
    const leads = (await repo.findLeadSignals(db, actor.workspaceId, leadIds)).filter(
      (lead) => actor.leadScope === 'all' || lead.assignee_id === actor.userId,
    );
    if (leads.length === 0) return new Map();
    const contactIds = [...new Set(leads.flatMap((lead) => lead.contact_id ?? []))];
    const [contactRows, workspaceRows] = await Promise.all([
      repo.callsByHourForContacts(db, actor.workspaceId, timeZone, contactIds),
      workspaceCalls.get(`${actor.workspaceId}:${timeZone}`, () =>
        repo.callsByHourForWorkspace(db, actor.workspaceId, timeZone),
      ),
    ]);
    const now = clock.now();
    return new Map(
      leads.map((lead) => [
        lead.id,
        {
          nextAction: nextAction(lead, now),
          bestTimeToCall: bestTimeToCall({
            contactCalls: contactRows.filter((row) => row.contact_id === lead.contact_id),
            workspaceCalls: workspaceRows,
            businessHours: workspace?.businessHours ?? {},
            now,
            timeZone,
          }),
        },
      ]),
    );
  }

  return {
    insightsFor,

    async getLeadInsights(actor: Actor, leadId: string): Promise<LeadInsightsDto> {
      const insights = (await insightsFor(actor, [leadId])).get(leadId);
      if (!insights) throw notFound('Lead');
      return insights;
    },

    /** Forgets the cached call history of a workspace (tests; after an import of calls). */
    forgetWorkspaceHistory(workspaceId: string) {
      workspaceCalls.deleteWhere((key) => key.startsWith(`${workspaceId}:`));
    },
  };
}

export type InsightsService = ReturnType<typeof createInsightsService>;
