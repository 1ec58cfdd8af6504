// Analytics: where leads come from, where they stall, who converts them and what the pipeline
// is worth. Each report is computed in SQL over the read model (analytics.repository, kept by
// analytics.facts; decision 026) and shaped here: names from the other modules, rates and money
// from the counts. Before answering, a report brings the workspace's facts up to date when few
// leads changed since; a burst of changes is left to the refresh job.
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import type { ServiceDeps } from '../../platform/deps.js';
import type { LeadSourcesService } from '../lead-sources/lead-sources.service.js';
import type { LostReasonsService } from '../lost-reasons/lost-reasons.service.js';
import type { PipelinesService } from '../pipelines/pipelines.service.js';
import type { UsersService } from '../users/users.service.js';
import type { WorkspacesService } from '../workspaces/workspaces.service.js';
import * as facts from './analytics.facts.js';
import * as repo from './analytics.repository.js';
import { addDays } from './analytics.repository.js';
import type {
  AnalyticsQuery,
  CoordinatorsReportDto,
  ForecastReportDto,
  FunnelDto,
  LostReasonsReportDto,
  SourcesReportDto,
  TimeInStageReportDto,
  VelocityReportDto,
} from './analytics.schemas.js';

const DEFAULT_PERIOD_DAYS = 90;
/** Stale leads a report refreshes itself before answering; more are left to the job. */
const REFRESH_INLINE_MAX = 5_000;
/** Leads per refresh transaction. */
const REFRESH_BATCH = 5_000;
/** A refresh of at least this many leads vacuums the read model after it. */
const VACUUM_AFTER_LEADS = 10_000;
/**
 * In a cohort of fewer leads than this, percentiles are exact, from one row per lead or stay; in
 * a bigger one they are read from the duration histograms, within 1% (decision 033).
 */
export const EXACT_PERCENTILES_BELOW = 20_000;
export const ANALYTICS_REFRESH_QUEUE = 'analytics-refresh';
const REFRESH_PERIOD_MINUTES = 1;
const DAY_MS = 86_400_000;

/** numerator / denominator, or null when there is nothing to divide by. */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

const MINUTE_SECONDS = 60;
const DAY_SECONDS = 86_400;

/** Seconds in minutes or days (by the unit's seconds); null when there is no value. */
const inUnits = (seconds: number | null | undefined, unitSeconds: number) =>
  seconds == null ? null : seconds / unitSeconds;

/** A value rounded to two decimals, or null. */
const rounded = (value: number | null) => (value === null ? null : Math.round(value * 100) / 100);

/** The calendar date of an instant in a time zone, as YYYY-MM-DD. */
export function localDate(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(instant);
}

/** The period in months: each calendar month it touches counts by the share of its days. */
export function monthsIn(from: string, to: string): number {
  let months = 0;
  let cursor = from;
  while (cursor <= to) {
    const [year, month] = cursor.split('-').map(Number) as [number, number];
    const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
    const monthEnd = `${cursor.slice(0, 8)}${String(daysInMonth).padStart(2, '0')}`;
    const last = monthEnd < to ? monthEnd : to;
    const days = (Date.parse(last) - Date.parse(cursor)) / DAY_MS + 1;
    months += days / daysInMonth;
    cursor = addDays(monthEnd, 1);
  }
  return months;
}

/** Least-squares slope of y over x = 0, 1, 2, … */
export function slope(values: number[]): number | null {
  const n = values.length;
  if (n < 2) return null;
  const meanX = (n - 1) / 2;
  const meanY = values.reduce((sum, y) => sum + y, 0) / n;
  let numerator = 0;
  let denominator = 0;
  values.forEach((y, x) => {
    numerator += (x - meanX) * (y - meanY);
    denominator += (x - meanX) ** 2;
  });
  return numerator / denominator;
}

export function createAnalyticsService(
  deps: ServiceDeps,
  modules: {
    workspaces: WorkspacesService;
    pipelines: PipelinesService;
    leadSources: LeadSourcesService;
    lostReasons: LostReasonsService;
    users: UsersService;
  },
) {
  const { db, clock, jobs, schedules } = deps;

  /** Refreshes the workspace's stale facts, a batch per transaction, until none is left. */
  async function refreshWorkspace(workspaceId: string, timeZone: string) {
    let total = 0;
    for (;;) {
      const result = await db.transaction().execute((trx) =>
        facts.refreshFacts(trx, workspaceId, timeZone, {
          batch: REFRESH_BATCH,
          now: clock.now(),
        }),
      );
      total += result.leads;
      if (result.remaining === 0) break;
    }
    // Until autovacuum comes by, the dead rows and unvacuumed pages a big refresh leaves behind
    // slow every report down (facts.vacuumReadModel).
    if (total >= VACUUM_AFTER_LEADS) await facts.vacuumReadModel(db);
    return total;
  }

  async function refreshById(workspaceId: string) {
    const workspace = await modules.workspaces.findWorkspace(workspaceId);
    if (workspace) await refreshWorkspace(workspaceId, workspace.timeZone);
  }

  jobs.register<{ workspaceId: string }>(ANALYTICS_REFRESH_QUEUE, ({ workspaceId }) =>
    refreshById(workspaceId),
  );
  // Every minute, whether anyone looks or not: the facts are at most a minute (plus a refresh)
  // behind the records.
  schedules.every(ANALYTICS_REFRESH_QUEUE, REFRESH_PERIOD_MINUTES, async () => {
    for (const workspaceId of await facts.workspacesWithStaleLeads(db)) {
      await refreshById(workspaceId);
    }
  });

  /**
   * Up-to-date facts for a report: refreshed here unless more than REFRESH_INLINE_MAX leads
   * changed since (then the job is asked to, once, and the report reads the facts as they are).
   * Never built, or built in another time zone: rebuilt here.
   */
  async function ensureFresh(workspaceId: string, timeZone: string) {
    const status = await facts.freshness(db, workspaceId);
    if (status.builtIn === timeZone && status.stale === 0) return;
    if (status.builtIn === timeZone && status.stale > REFRESH_INLINE_MAX) {
      await db
        .transaction()
        .execute((trx) =>
          jobs.send(trx, ANALYTICS_REFRESH_QUEUE, { workspaceId }, { singletonKey: workspaceId }),
        );
      return;
    }
    await refreshWorkspace(workspaceId, timeZone);
  }

  /** The workspace's time zone and currency, and the period (default: the last 90 days). */
  async function scopeOf(actor: Actor, query: AnalyticsQuery): Promise<repo.ReportScope> {
    requirePermission(actor, 'lead:analytics');
    const workspace = await modules.workspaces.findWorkspace(actor.workspaceId);
    const timeZone = workspace?.timeZone ?? 'UTC';
    await ensureFresh(actor.workspaceId, timeZone);
    const to = query.to ?? localDate(clock.now(), timeZone);
    const from = query.from ?? addDays(to, -(DEFAULT_PERIOD_DAYS - 1));
    const scope: repo.ReportScope = {
      workspaceId: actor.workspaceId,
      from,
      to,
      timeZone,
      currency: workspace?.currency ?? 'USD',
      pipelineId: query.pipelineId,
      sourceId: query.sourceId,
      assigneeId: query.assigneeId,
      tag: query.tag,
    };
    return { ...scope, months: await repo.rollupMonths(db, scope) };
  }

  const periodOf = (scope: repo.ReportScope) => ({
    from: scope.from,
    to: scope.to,
    timeZone: scope.timeZone,
    currency: scope.currency,
  });

  /** The pipeline asked for, or the default one (funnel and time in stage are per pipeline). */
  async function pipelineOf(actor: Actor, scope: repo.ReportScope) {
    return scope.pipelineId
      ? modules.pipelines.getPipeline(actor, scope.pipelineId)
      : modules.pipelines.pipelineForLead(actor, undefined);
  }

  return {
    async funnel(actor: Actor, query: AnalyticsQuery): Promise<FunnelDto> {
      const base = await scopeOf(actor, query);
      const pipeline = await pipelineOf(actor, base);
      const scope = { ...base, pipelineId: pipeline.id };
      const [counts, outcomes] = await Promise.all([
        repo.funnelCounts(db, scope),
        repo.consultationOutcomes(db, scope),
      ]);
      const leads = counts.reduce((sum, row) => sum + row.leads, 0);
      const stages = pipeline.stages
        .filter((stage) => stage.kind !== 'lost')
        .sort((a, b) => a.position - b.position);
      let previous: number | undefined;
      return {
        period: periodOf(scope),
        pipelineId: pipeline.id,
        leads,
        lost: counts.reduce((sum, row) => sum + row.lost, 0),
        stages: stages.map((stage) => {
          const reached = counts
            .filter((row) => row.max_position !== null && row.max_position >= stage.position)
            .reduce((sum, row) => sum + row.leads, 0);
          const conversionFromPrevious = previous === undefined ? null : ratio(reached, previous);
          previous = reached;
          return {
            stageId: stage.id,
            name: stage.name,
            kind: stage.kind as 'open' | 'won',
            reached,
            conversionFromPrevious,
            conversionFromStart: ratio(reached, leads),
          };
        }),
        consultations: {
          meetings: outcomes.spoke + outcomes.no_show,
          showRate: ratio(outcomes.spoke, outcomes.spoke + outcomes.no_show),
          proposalsDecided: outcomes.accepted + outcomes.rejected,
          acceptanceRate: ratio(outcomes.accepted, outcomes.accepted + outcomes.rejected),
        },
      };
    },

    async sources(actor: Actor, query: AnalyticsQuery): Promise<SourcesReportDto> {
      const scope = await scopeOf(actor, query);
      const [rows, sources] = await Promise.all([
        repo.sourceCounts(db, scope),
        modules.leadSources.listLeadSources(actor, undefined),
      ]);
      const months = monthsIn(scope.from, scope.to);
      const byId = new Map(sources.items.map((source) => [source.id, source]));
      const bySource = new Map(rows.map((row) => [row.source_id, row]));
      // Every active source is listed, with its cost, even when it brought no lead; filtered
      // by source, only that one.
      const ids = new Set<string | null>([
        ...sources.items
          .filter((s) =>
            scope.sourceId ? s.id === scope.sourceId : s.active || bySource.has(s.id),
          )
          .map((s) => s.id),
        ...rows.map((row) => row.source_id),
      ]);
      const items = [...ids].map((sourceId) => {
        const row = bySource.get(sourceId);
        const source = sourceId ? byId.get(sourceId) : undefined;
        const leads = row?.leads ?? 0;
        const won = row?.won ?? 0;
        const wonValue = row?.won_value ?? 0;
        const cost = Math.round((source?.monthlyCost ?? 0) * months);
        return {
          sourceId,
          name: source?.name ?? 'No source',
          leads,
          won,
          lost: row?.lost ?? 0,
          conversionRate: ratio(won, leads),
          wonValue,
          cost,
          costPerLead: leads === 0 ? null : Math.round(cost / leads),
          costPerAcquisition: won === 0 ? null : Math.round(cost / won),
          roi: cost === 0 ? null : rounded((wonValue - cost) / cost),
          firstTouchWon: row?.first_touch_won ?? 0,
          firstTouchWonValue: row?.first_touch_won_value ?? 0,
        };
      });
      items.sort((a, b) => b.leads - a.leads || a.name.localeCompare(b.name));
      return { period: periodOf(scope), months: rounded(months) ?? 0, items };
    },

    async coordinators(actor: Actor, query: AnalyticsQuery): Promise<CoordinatorsReportDto> {
      const scope = await scopeOf(actor, query);
      const [rows, touches, names] = await Promise.all([
        repo.coordinatorCounts(db, scope),
        repo.touchesByMember(db, scope),
        modules.users.memberNames(actor),
      ]);
      const exact = rows.reduce((sum, row) => sum + row.leads, 0) < EXACT_PERCENTILES_BELOW;
      const [firstContact, convert] = await Promise.all([
        repo.percentiles(db, scope, 'first_contact', { grouped: true, exact }),
        repo.percentiles(db, scope, 'convert', { grouped: true, exact }),
      ]);
      const touchesBy = new Map(touches.map((row) => [row.created_by, row.activities]));
      const items = rows.map((row) => ({
        userId: row.assignee_id,
        name: row.assignee_id ? (names.get(row.assignee_id) ?? 'Former member') : 'Unassigned',
        leads: row.leads,
        contactedWithin5MinutesRate: ratio(row.within_5_minutes, row.leads),
        medianMinutesToFirstContact: rounded(
          inUnits(firstContact.get(row.assignee_id)?.median, MINUTE_SECONDS),
        ),
        won: row.won,
        conversionRate: ratio(row.won, row.leads),
        medianDaysToConvert: rounded(inUnits(convert.get(row.assignee_id)?.median, DAY_SECONDS)),
        activities: row.assignee_id ? (touchesBy.get(row.assignee_id) ?? 0) : 0,
      }));
      items.sort((a, b) => b.won - a.won || b.leads - a.leads || a.name.localeCompare(b.name));
      return { period: periodOf(scope), items };
    },

    async lostReasons(actor: Actor, query: AnalyticsQuery): Promise<LostReasonsReportDto> {
      const scope = await scopeOf(actor, query);
      const [rows, reasons] = await Promise.all([
        repo.lostReasonCounts(db, scope),
        modules.lostReasons.listLostReasons(actor, undefined),
      ]);
      const names = new Map(reasons.items.map((reason) => [reason.id, reason.name]));
      const lost = rows.reduce((sum, row) => sum + row.leads, 0);
      const items = rows
        .map((row) => ({
          lostReasonId: row.lost_reason_id,
          name: row.lost_reason_id ? (names.get(row.lost_reason_id) ?? 'Unknown') : 'No reason',
          leads: row.leads,
          share: ratio(row.leads, lost),
          value: row.value,
        }))
        .sort((a, b) => b.leads - a.leads || a.name.localeCompare(b.name));
      return { period: periodOf(scope), lost, items };
    },

    async timeInStage(actor: Actor, query: AnalyticsQuery): Promise<TimeInStageReportDto> {
      const base = await scopeOf(actor, query);
      const pipeline = await pipelineOf(actor, base);
      const scope = { ...base, pipelineId: pipeline.id };
      const [open, [staysBy, converted]] = await Promise.all([
        repo.openByStage(db, scope, clock.now()),
        repo.cohortSize(db, scope).then((size) => {
          const exact = size < EXACT_PERCENTILES_BELOW;
          return Promise.all([
            repo.percentiles(db, scope, 'stay', { grouped: true, exact }),
            repo.percentiles(db, scope, 'convert', { grouped: false, exact }),
          ]);
        }),
      ]);
      const convert = converted.get(null);
      const openBy = new Map(open.map((row) => [row.stage_id, row]));
      const stages = [...pipeline.stages].sort((a, b) => a.position - b.position);
      const bottleneck = stages
        .filter((stage) => stage.kind === 'open' && staysBy.get(stage.id)?.median != null)
        .reduce<{ id: string; median: number } | undefined>((worst, stage) => {
          const median = staysBy.get(stage.id)?.median ?? 0;
          return !worst || median > worst.median ? { id: stage.id, median } : worst;
        }, undefined);
      return {
        period: periodOf(scope),
        pipelineId: pipeline.id,
        timeToConvert: {
          won: convert?.n ?? 0,
          medianDays: rounded(inUnits(convert?.median, DAY_SECONDS)),
          p90Days: rounded(inUnits(convert?.p90, DAY_SECONDS)),
        },
        stages: stages.map((stage) => ({
          stageId: stage.id,
          name: stage.name,
          stays: staysBy.get(stage.id)?.n ?? 0,
          medianDays: rounded(inUnits(staysBy.get(stage.id)?.median, DAY_SECONDS)),
          p90Days: rounded(inUnits(staysBy.get(stage.id)?.p90, DAY_SECONDS)),
          openNow: openBy.get(stage.id)?.open_now ?? 0,
          maxDaysInStage: stage.maxDaysInStage,
          pastLimit: openBy.get(stage.id)?.past_limit ?? 0,
          isBottleneck: bottleneck?.id === stage.id,
        })),
      };
    },

    async velocity(actor: Actor, query: AnalyticsQuery): Promise<VelocityReportDto> {
      const scope = await scopeOf(actor, query);
      const weeks = (await repo.newLeadsByWeek(db, scope)).map((row) => ({
        weekStart: row.week_start,
        leads: row.leads,
      }));
      const counts = weeks.map((week) => week.leads);
      const lastFourWeeks = counts.slice(-4).reduce((sum, n) => sum + n, 0);
      const previousFourWeeks = counts.slice(-8, -4).reduce((sum, n) => sum + n, 0);
      const change = ratio(lastFourWeeks, previousFourWeeks);
      return {
        period: periodOf(scope),
        weeks,
        trend: {
          slopePerWeek: rounded(slope(counts)),
          lastFourWeeks,
          previousFourWeeks,
          change: change === null ? null : rounded(change - 1),
        },
      };
    },

    async forecast(actor: Actor, query: AnalyticsQuery): Promise<ForecastReportDto> {
      const scope = await scopeOf(actor, query);
      const [months, backtest] = await Promise.all([
        repo.openPipelineByMonth(db, scope),
        repo.forecastBacktest(db, scope),
      ]);
      return {
        period: periodOf(scope),
        months: months.map((row) => ({
          month: row.month,
          openLeads: row.open_leads,
          value: row.value,
          weightedValue: row.weighted_value,
        })),
        backtest: backtest.map((row) => ({
          month: row.month,
          forecastWeightedValue: row.forecast,
          wonValue: row.won_value,
          accuracy: ratio(row.won_value, row.forecast),
        })),
      };
    },
  };
}

export type AnalyticsService = ReturnType<typeof createAnalyticsService>;
