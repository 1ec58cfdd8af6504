// The only SQL of scoring: a workspace's rules and model, and a read model over leads, their
// timeline and stage history (what the rules and the model look at). Scores are written with
// their own update, which leaves a lead's version and updated_at alone: a refreshed score is
// not a user's edit and must not make anyone's If-Match stale.
import { sql } from 'kysely';
import type { Executor } from '../../platform/audit.js';
import type { ActivityType, ScoringModelsTable } from '../../platform/db/schema.js';
import type { Updateable } from 'kysely';

export function findRules(db: Executor, workspaceId: string) {
  return db
    .selectFrom('scoring_rules')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
}

/** Locks the workspace's rules row for the rest of the transaction (made if missing). */
export async function lockRules(db: Executor, workspaceId: string, now: Date) {
  await db
    .insertInto('scoring_rules')
    .values({
      workspace_id: workspaceId,
      field_rules: '[]',
      engagement_rules: '[]',
      // Version 0 = never set (GET shows the same for a workspace with no row).
      version: 0,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('workspace_id').doNothing())
    .execute();
  return db
    .selectFrom('scoring_rules')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

export function saveRules(
  db: Executor,
  workspaceId: string,
  rules: { fieldRules: unknown[]; engagementRules: unknown[] },
  now: Date,
) {
  return db
    .updateTable('scoring_rules')
    .set((eb) => ({
      field_rules: JSON.stringify(rules.fieldRules),
      engagement_rules: JSON.stringify(rules.engagementRules),
      version: eb('version', '+', 1),
      updated_at: now,
    }))
    .where('workspace_id', '=', workspaceId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findModel(db: Executor, workspaceId: string) {
  return db
    .selectFrom('scoring_models')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
}

export function saveModel(
  db: Executor,
  workspaceId: string,
  values: Omit<Updateable<ScoringModelsTable>, 'workspace_id'> & {
    status: ScoringModelsTable['status'];
    updated_at: Date;
  },
) {
  return db
    .insertInto('scoring_models')
    .values({ workspace_id: workspaceId, ...values })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet(values))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Won and lost leads that count for training (not merged away). */
export async function countClosedLeads(db: Executor, workspaceId: string) {
  const row = await db
    .selectFrom('leads')
    .select([
      sql<string>`count(*) filter (where status = 'won')`.as('won'),
      sql<string>`count(*) filter (where status = 'lost')`.as('lost'),
    ])
    .where('workspace_id', '=', workspaceId)
    .where('status', '<>', 'open')
    .where('merged_into_id', 'is', null)
    .executeTakeFirstOrThrow();
  return { won: Number(row.won), lost: Number(row.lost) };
}

/** Workspaces that scoring keeps current: with rules set or a model trained. */
export async function scoringWorkspaces(db: Executor) {
  const rows = await db
    .selectFrom('scoring_rules')
    .select('workspace_id')
    .union(
      db
        .selectFrom('scoring_models')
        .select('workspace_id')
        .where('status', 'in', ['ready', 'insufficient_data', 'failed']),
    )
    .execute();
  return rows.map((row) => row.workspace_id);
}

/** Workspaces with enough closed leads to train on (for the weekly retraining). */
export async function workspacesWithClosedLeads(db: Executor, minimum: number) {
  const rows = await db
    .selectFrom('leads')
    .select('workspace_id')
    .where('status', '<>', 'open')
    .where('merged_into_id', 'is', null)
    .groupBy('workspace_id')
    .having(sql<boolean>`count(*) >= ${minimum}`)
    .execute();
  return rows.map((row) => row.workspace_id);
}

/** Ids of open, active leads after `afterId`, in id order (a workspace's recompute pages). */
export async function openLeadIds(
  db: Executor,
  workspaceId: string,
  afterId: string | null,
  limit: number,
) {
  let query = db
    .selectFrom('leads')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', 'open')
    .where('archived_at', 'is', null)
    .where('merged_into_id', 'is', null);
  if (afterId) query = query.where('id', '>', afterId);
  const rows = await query.orderBy('id').limit(limit).execute();
  return rows.map((row) => row.id);
}

const TOUCH_TYPES: ActivityType[] = ['call', 'email', 'sms', 'meeting'];
const COUNTED_TYPES: ActivityType[] = ['call', 'email', 'sms', 'meeting', 'note', 'document_sent'];

/**
 * What rules and model read of each lead: its fields, its source's name and, up to the moment it
 * closed (now while open), activity counts by type, stage moves through open stages and the
 * first call, email, message or meeting. `ids` picks the leads; `closed` the most recently
 * closed won and lost leads, that many at most.
 */
export function leadScoringFacts(
  db: Executor,
  workspaceId: string,
  pick: { ids: string[] } | { closed: number },
  now: Date,
) {
  // The moment the lead closed, or now while it is open.
  const cutoff = sql<Date>`(case when l.status = 'open' then ${now}::timestamptz else l.stage_entered_at end)`;
  const query = db
    .selectFrom('leads as l')
    .leftJoin('lead_sources as s', (join) =>
      join.onRef('s.workspace_id', '=', 'l.workspace_id').onRef('s.id', '=', 'l.source_id'),
    )
    .select([
      'l.id',
      'l.status',
      'l.source_id',
      's.name as source_name',
      'l.priority',
      'l.pipeline_id',
      'l.stage_id',
      'l.tags',
      'l.assignee_id',
      'l.value',
      'l.custom_fields',
      'l.created_at',
      'l.score',
      'l.score_factors',
      cutoff.as('cutoff'),
    ])
    .select([
      sql<Record<string, number> | null>`(
        select json_object_agg(t.type, t.n) from (
          select a.type, count(*)::int as n from activities a
          where a.workspace_id = l.workspace_id and a.lead_id = l.id
            and a.type = any(${COUNTED_TYPES}::text[]) and a.occurred_at <= ${cutoff}
          group by a.type) t)`.as('activity_counts'),
      sql<number>`(
        select count(*)::int from stage_history h
        join stages st on st.workspace_id = h.workspace_id and st.id = h.to_stage_id
        where h.workspace_id = l.workspace_id and h.lead_id = l.id and st.kind = 'open'
          and h.moved_at <= ${cutoff})`.as('stage_moves'),
      sql<Date | null>`(
        select min(a.occurred_at) from activities a
        where a.workspace_id = l.workspace_id and a.lead_id = l.id
          and a.type = any(${TOUCH_TYPES}::text[]) and a.direction is distinct from 'inbound'
          and a.occurred_at <= ${cutoff})`.as('first_touch_at'),
    ])
    .where('l.workspace_id', '=', workspaceId);
  if ('ids' in pick) {
    return query
      .where('l.id', '=', sql<string>`any(${pick.ids}::uuid[])`)
      .orderBy('l.id')
      .execute();
  }
  return query
    .where('l.status', '<>', 'open')
    .where('l.merged_into_id', 'is', null)
    .orderBy('l.stage_entered_at', 'desc')
    .orderBy('l.id')
    .limit(pick.closed)
    .execute();
}

export type LeadScoringFacts = Awaited<ReturnType<typeof leadScoringFacts>>[number];

/** The activities engagement rules count, of these leads, up to `until`. */
export function engagementActivities(
  db: Executor,
  workspaceId: string,
  leadIds: string[],
  until: Date,
) {
  return db
    .selectFrom('activities')
    .select([
      'lead_id',
      'type',
      'direction',
      'outcome',
      'occurred_at',
      sql<boolean>`details ? 'formId'`.as('is_form_submission'),
    ])
    .where('workspace_id', '=', workspaceId)
    .where('lead_id', '=', sql<string>`any(${leadIds}::uuid[])`)
    .where('type', 'in', ['call', 'meeting', 'email', 'sms', 'note', 'document_sent'])
    .where('occurred_at', '<=', until)
    .execute();
}

/**
 * Writes a lead's score and factors when they differ; returns the score it had, or undefined
 * when nothing changed. Version and updated_at stay as they are.
 */
export async function writeScore(
  db: Executor,
  workspaceId: string,
  leadId: string,
  score: number | null,
  factors: { label: string; points: number }[] | null,
) {
  const factorsJson = factors === null ? null : JSON.stringify(factors);
  const row = await db
    .with('previous', (qb) =>
      qb
        .selectFrom('leads')
        .select(['id', 'score'])
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', leadId)
        .forUpdate(),
    )
    .updateTable('leads')
    .from('previous')
    .set({ score, score_factors: factorsJson })
    .whereRef('leads.id', '=', 'previous.id')
    .where('leads.workspace_id', '=', workspaceId)
    .where((eb) =>
      eb.or([
        sql<boolean>`leads.score is distinct from ${score}::smallint`,
        sql<boolean>`leads.score_factors is distinct from ${factorsJson}::jsonb`,
      ]),
    )
    .returning(sql<number | null>`previous.score`.as('previous_score'))
    .executeTakeFirst();
  return row ? { previous: row.previous_score } : undefined;
}
