// The only SQL for leads and their stage history; every function is scoped by workspace.
import { sql, type Insertable, type Updateable } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import type { Executor } from '../../platform/audit.js';
import type { LeadStatus, LeadsTable, Priority } from '../../platform/db/schema.js';
import { startOfLocalDay } from '../../platform/db/local-time.js';
import { precompiled } from '../../platform/db/precompiled.js';
import { PLAN_EACH_TIME } from '../../platform/db/prepared-statements.js';

export function insertLead(db: Executor, values: Insertable<LeadsTable>) {
  return db.insertInto('leads').values(values).returningAll().executeTakeFirstOrThrow();
}

export function findLead(db: Executor, workspaceId: string, leadId: string) {
  return db
    .selectFrom('leads')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', leadId)
    .executeTakeFirst();
}

/**
 * A lead with everything its page shows — stage, contact, company, assignee, stage history — in
 * one statement. Each round trip to the database costs more than the work it carries (the
 * benchmark in docs/performance.md), so this read model joins the other modules' tables
 * itself; the rows come back as JSON (timestamps as strings) for those modules' mappers.
 */
const leadDetail = precompiled(
  (db, { workspaceId, leadId }: { workspaceId: string; leadId: string }) =>
    db
      .selectFrom('leads as l')
      .selectAll('l')
      .select((eb) => [
        jsonObjectFrom(
          eb
            .selectFrom('stages as s')
            .selectAll('s')
            .whereRef('s.workspace_id', '=', 'l.workspace_id')
            .whereRef('s.id', '=', 'l.stage_id'),
        ).as('stage'),
        jsonObjectFrom(
          eb
            .selectFrom('contacts as c')
            .selectAll('c')
            .whereRef('c.workspace_id', '=', 'l.workspace_id')
            .whereRef('c.id', '=', 'l.contact_id'),
        ).as('contact'),
        jsonObjectFrom(
          eb
            .selectFrom('companies as co')
            .selectAll('co')
            .whereRef('co.workspace_id', '=', 'l.workspace_id')
            .whereRef('co.id', '=', 'l.company_id'),
        ).as('company'),
        jsonObjectFrom(
          eb
            .selectFrom('memberships as m')
            .innerJoin('users as u', 'u.id', 'm.user_id')
            .select(['u.id', 'u.name', 'u.email'])
            .whereRef('m.workspace_id', '=', 'l.workspace_id')
            .whereRef('m.user_id', '=', 'l.assignee_id'),
        ).as('assignee'),
        jsonArrayFrom(
          eb
            .selectFrom('stage_history as h')
            .select(['h.from_stage_id', 'h.to_stage_id', 'h.moved_at', 'h.moved_by', 'h.reason'])
            .whereRef('h.workspace_id', '=', 'l.workspace_id')
            .whereRef('h.lead_id', '=', 'l.id')
            .orderBy('h.moved_at')
            .orderBy('h.id'),
        ).as('history'),
      ])
      .where('l.workspace_id', '=', workspaceId)
      .where('l.id', '=', leadId),
);

export async function findLeadDetail(db: Executor, workspaceId: string, leadId: string) {
  const [row] = await leadDetail(db, { workspaceId, leadId });
  return row;
}

/** Titles (and assignees, for own-leads scoping) of the workspace's leads among the ids. */
export function findLeadTitles(db: Executor, workspaceId: string, leadIds: string[]) {
  return db
    .selectFrom('leads')
    .select(['id', 'title', 'assignee_id'])
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', sql<string>`any(${leadIds}::uuid[])`)
    .execute();
}

/** Locks the lead for the rest of the transaction, so concurrent moves are serialised. */
export function lockLead(db: Executor, workspaceId: string, leadId: string) {
  return db
    .selectFrom('leads')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', leadId)
    .forUpdate()
    .executeTakeFirst();
}

export function updateLeadRow(
  db: Executor,
  workspaceId: string,
  leadId: string,
  patch: Omit<Updateable<LeadsTable>, 'workspace_id' | 'id' | 'version'>,
  now: Date,
) {
  return db
    .updateTable('leads')
    .set((eb) => ({ ...patch, version: eb('version', '+', 1), updated_at: now }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', leadId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Changes the lead's next follow-up only when it differs (so its version moves only then). */
export function setNextFollowUp(
  db: Executor,
  workspaceId: string,
  leadId: string,
  next: { at: Date; type: string } | null,
  now: Date,
) {
  return db
    .updateTable('leads')
    .set((eb) => ({
      next_follow_up_at: next?.at ?? null,
      next_follow_up_type: next?.type ?? null,
      version: eb('version', '+', 1),
      updated_at: now,
    }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', leadId)
    .where((eb) =>
      eb.or([
        sql<boolean>`next_follow_up_at is distinct from ${next?.at ?? null}::timestamptz`,
        sql<boolean>`next_follow_up_type is distinct from ${next?.type ?? null}::text`,
      ]),
    )
    .execute();
}

/** The open, active leads of a contact (a new inquiry may be one of them). */
export function findOpenLeadsOfContact(db: Executor, workspaceId: string, contactId: string) {
  return db
    .selectFrom('leads')
    .select(['id', 'title'])
    .where('workspace_id', '=', workspaceId)
    .where('contact_id', '=', contactId)
    .where('status', '=', 'open')
    .where('archived_at', 'is', null)
    .orderBy('created_at', 'desc')
    .limit(5)
    .execute();
}

/** Links a merged contact's leads to the survivor. */
export function relinkContact(
  db: Executor,
  workspaceId: string,
  fromContactId: string,
  toContactId: string,
  now: Date,
) {
  return db
    .updateTable('leads')
    .set((eb) => ({ contact_id: toContactId, version: eb('version', '+', 1), updated_at: now }))
    .where('workspace_id', '=', workspaceId)
    .where('contact_id', '=', fromContactId)
    .execute();
}

/** Moves a merged lead's stage history to the survivor. */
export function moveStageHistory(
  db: Executor,
  workspaceId: string,
  fromLeadId: string,
  toLeadId: string,
) {
  return db
    .updateTable('stage_history')
    .set({ lead_id: toLeadId })
    .where('workspace_id', '=', workspaceId)
    .where('lead_id', '=', fromLeadId)
    .execute();
}

export function insertStageMove(
  db: Executor,
  values: {
    workspaceId: string;
    leadId: string;
    fromStageId: string | null;
    toStageId: string;
    movedBy: string | null;
    reason: string;
    now: Date;
  },
) {
  return db
    .insertInto('stage_history')
    .values({
      workspace_id: values.workspaceId,
      lead_id: values.leadId,
      from_stage_id: values.fromStageId,
      to_stage_id: values.toStageId,
      moved_by: values.movedBy,
      reason: values.reason,
      moved_at: values.now,
    })
    .execute();
}

export function listStageHistory(db: Executor, workspaceId: string, leadId: string) {
  return db
    .selectFrom('stage_history')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('lead_id', '=', leadId)
    .orderBy('moved_at')
    .orderBy('id')
    .execute();
}

export const LEAD_SORTS = {
  createdAt: { column: 'created_at', type: 'timestamptz', isNullable: false },
  updatedAt: { column: 'updated_at', type: 'timestamptz', isNullable: false },
  value: { column: 'value', type: 'bigint', isNullable: false },
  expectedCloseDate: { column: 'expected_close_date', type: 'date', isNullable: true },
  score: { column: 'score', type: 'int', isNullable: true },
  nextFollowUpAt: { column: 'next_follow_up_at', type: 'timestamptz', isNullable: true },
  // Most days in stage = entered longest ago.
  daysInStage: { column: 'stage_entered_at', type: 'timestamptz', isNullable: false },
} as const;
export type LeadSortKey = keyof typeof LEAD_SORTS;

export interface LeadSort {
  key: LeadSortKey;
  /** Direction of the column itself (daysInStage descending is stage_entered_at ascending). */
  isDescending: boolean;
}

export interface LeadFilter {
  /** Full-text words (prefix-matched) over title, company, contact names and emails. */
  words?: string[] | undefined;
  /**
   * How listLeads looks for the words: 'collect' reads every match from the GIN index and sorts
   * them; 'none' leaves them out (listLeads applies them to a window of the list). Unset: a
   * plain condition, planned for its words (counting).
   */
  searchShape?: 'collect' | 'none' | undefined;
  /** An E.164 phone number the query looked like. */
  phone?: string | undefined;
  pipelineId?: string | undefined;
  stageId?: string | undefined;
  contactId?: string | undefined;
  companyId?: string | undefined;
  ids?: string[] | undefined;
  status?: LeadStatus | undefined;
  assignee?: { id: string } | 'none' | undefined;
  sourceId?: string | undefined;
  priority?: Priority | undefined;
  tag?: string | undefined;
  minScore?: number | undefined;
  /** jsonb containment conditions on custom_fields (all must hold). */
  customFields?: Record<string, unknown>[] | undefined;
  createdFrom?: LocalBound | undefined;
  createdTo?: LocalBound | undefined;
  followUp?: 'overdue' | 'today' | 'none' | undefined;
  staleDays?: number | undefined;
  includeArchived: boolean;
  now: Date;
  timeZone: string;
}

/** An instant, or a calendar date in the workspace's time zone. */
export type LocalBound = { instant: Date } | { date: string };

const MIN_PREFIX_LENGTH = 3;

/** Leads of the list, in its order, in which a word search first looks for a page of matches. */
const WALK_WINDOW = 10_000;

/** The words as a prefix query; one- and two-letter words match whole words only. */
function prefixQuery(words: string[]): string {
  return words.map((word) => (word.length >= MIN_PREFIX_LENGTH ? `${word}:*` : word)).join(' & ');
}

/** The search document matches the words (migration 0010). */
function matchesWords(tsquery: string, alias = 'leads') {
  return sql<boolean>`${sql.ref(`${alias}.search`)} @@ to_tsquery('simple', ${tsquery})`;
}

function boundSql(bound: LocalBound, timeZone: string, isEnd: boolean) {
  if ('instant' in bound) return sql<Date>`${bound.instant}::timestamptz`;
  // A date as an end bound includes the whole day.
  return sql<Date>`((${bound.date}::date + ${isEnd ? 1 : 0}::int)::timestamp at time zone ${timeZone})`;
}

function filteredLeads(db: Executor, workspaceId: string, filter: LeadFilter) {
  let query = db.selectFrom('leads').where('leads.workspace_id', '=', workspaceId);
  if (!filter.includeArchived) query = query.where('leads.archived_at', 'is', null);
  if (filter.pipelineId) query = query.where('leads.pipeline_id', '=', filter.pipelineId);
  if (filter.stageId) query = query.where('leads.stage_id', '=', filter.stageId);
  if (filter.contactId) query = query.where('leads.contact_id', '=', filter.contactId);
  if (filter.companyId) query = query.where('leads.company_id', '=', filter.companyId);
  if (filter.ids) query = query.where('leads.id', '=', sql<string>`any(${filter.ids}::uuid[])`);
  if (filter.status) query = query.where('leads.status', '=', filter.status);
  if (filter.assignee === 'none') query = query.where('leads.assignee_id', 'is', null);
  else if (filter.assignee) query = query.where('leads.assignee_id', '=', filter.assignee.id);
  if (filter.sourceId) query = query.where('leads.source_id', '=', filter.sourceId);
  if (filter.priority) query = query.where('leads.priority', '=', filter.priority);
  if (filter.tag) query = query.where(sql<boolean>`${filter.tag} = any(leads.tags)`);
  if (filter.minScore !== undefined) query = query.where('leads.score', '>=', filter.minScore);
  for (const contains of filter.customFields ?? []) {
    query = query.where(sql<boolean>`leads.custom_fields @> ${JSON.stringify(contains)}::jsonb`);
  }
  if (filter.createdFrom) {
    query = query.where(
      'leads.created_at',
      '>=',
      boundSql(filter.createdFrom, filter.timeZone, false),
    );
  }
  if (filter.createdTo) {
    query = query.where('leads.created_at', '<', boundSql(filter.createdTo, filter.timeZone, true));
  }
  switch (filter.followUp) {
    case undefined:
      break;
    case 'overdue':
      query = query.where('leads.next_follow_up_at', '<', filter.now);
      break;
    case 'today':
      query = query
        .where('leads.next_follow_up_at', '>=', startOfLocalDay(filter.now, filter.timeZone))
        .where('leads.next_follow_up_at', '<', startOfLocalDay(filter.now, filter.timeZone, 1));
      break;
    case 'none':
      query = query.where('leads.next_follow_up_at', 'is', null);
      break;
  }
  if (filter.staleDays !== undefined) {
    // Stale: no touch (call, email, message, meeting) for that many days, or never since created.
    query = query.where(
      sql<boolean>`coalesce(leads.last_contact_at, leads.created_at) < ${filter.now}::timestamptz - make_interval(days => ${filter.staleDays}::int)`,
    );
  }
  const tsquery = prefixQuery(filter.words ?? []);
  if (tsquery && filter.searchShape === 'collect') {
    // Every match from the GIN index, then fetched by key, sorted and paged.
    query = query.where(
      'leads.id',
      '=',
      sql<string>`any(array(
        select l.id from leads l
        where l.workspace_id = ${workspaceId} and ${matchesWords(tsquery, 'l')}))`,
    );
  } else if (tsquery && filter.searchShape !== 'none') {
    // Planned for its words each time: the planner weighs the GIN index against the rest.
    query = query.where(sql<boolean>`${sql.raw(PLAN_EACH_TIME)} ${matchesWords(tsquery)}`);
  }
  if (filter.phone) {
    query = query.where(
      'leads.contact_id',
      'in',
      sql<string>`(select p.contact_id from contact_points p
        where p.workspace_id = ${workspaceId} and p.kind = 'phone' and p.value = ${filter.phone})`,
    );
  }
  return query;
}

/**
 * A page of the list, sorted (nulls last) and keyset-paged on (sort key, id). A word search
 * first keeps the matches among the next WALK_WINDOW leads of the list in its order: a common
 * word fills the page there and the scan stops early. When it doesn't, every match comes from the
 * GIN index and is sorted. Left to itself, the planner walked all million leads for a word it
 * had no statistics for (docs/performance.md).
 */
export async function listLeads(
  db: Executor,
  workspaceId: string,
  filter: LeadFilter,
  page: { sort: LeadSort; after?: [string | number, string] | undefined; limit: number },
) {
  const tsquery = prefixQuery(filter.words ?? []);
  if (!tsquery) return pageOf(db, workspaceId, filter, page).selectAll('leads').execute();
  const window = pageOf(
    db,
    workspaceId,
    { ...filter, searchShape: 'none' },
    page,
    WALK_WINDOW,
  ).selectAll('leads');
  const { key, direction } = sortOf(page.sort);
  const walked = await db
    .selectFrom(window.as('leads'))
    .selectAll('leads')
    .where(matchesWords(tsquery))
    .orderBy(key, direction)
    .orderBy('leads.id', direction)
    .limit(page.limit + 1)
    .execute();
  if (walked.length > page.limit) return walked;
  return pageOf(db, workspaceId, { ...filter, searchShape: 'collect' }, page)
    .selectAll('leads')
    .execute();
}

/** A timestamp as Date.toISOString() writes it, made by the database (cheaper than in JS). */
function isoText(column: string) {
  return sql<
    string | null
  >`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * A page of an export: only the columns a CSV row shows (not `leads.*` with its search
 * document), every match of a word search, and the sort key the next page starts after.
 */
export function exportLeadsPage(
  db: Executor,
  workspaceId: string,
  filter: LeadFilter,
  page: { sort: LeadSort; after?: [string | number, string] | undefined; limit: number },
) {
  return pageOf(db, workspaceId, { ...filter, searchShape: 'collect' }, page)
    .select([
      'leads.id',
      'leads.title',
      'leads.contact_id',
      'leads.company_name',
      'leads.pipeline_id',
      'leads.stage_id',
      'leads.status',
      'leads.is_converted',
      sql<boolean>`leads.archived_at is not null`.as('is_archived'),
      'leads.value',
      'leads.currency',
      'leads.probability',
      'leads.priority',
      'leads.assignee_id',
      'leads.source_id',
      'leads.source_campaign',
      'leads.tags',
      'leads.contact_status',
      isoText('leads.next_follow_up_at').as('next_follow_up_at'),
      isoText('leads.last_contact_at').as('last_contact_at'),
      'leads.expected_close_date',
      isoText('leads.created_at').as('created_at'),
      'leads.custom_fields',
    ])
    .execute();
}

export type LeadExportRow = Awaited<ReturnType<typeof exportLeadsPage>>[number];

function sortOf(sort: LeadSort) {
  const { column, type, isNullable } = LEAD_SORTS[sort.key];
  // Nulls sort last either way: stand in the far end of the order for them. Scores are 0–100,
  // so -1 and 32767 are beyond them (leads_score_idx is on coalesce(score, -1)).
  const farEnd =
    type === 'int'
      ? sql.lit(sort.isDescending ? -1 : 32767)
      : sql`${sql.lit(sort.isDescending ? '-infinity' : 'infinity')}::${sql.raw(type)}`;
  const key = isNullable
    ? sql`coalesce(leads.${sql.ref(column)}, ${farEnd})`
    : sql`leads.${sql.ref(column)}`;
  return { key, type, direction: sort.isDescending ? ('desc' as const) : ('asc' as const) };
}

/** The filtered list from the cursor on, in its order: `limit` rows, or a page and one more. */
function pageOf(
  db: Executor,
  workspaceId: string,
  filter: LeadFilter,
  page: { sort: LeadSort; after?: [string | number, string] | undefined; limit: number },
  limit = page.limit + 1,
) {
  const { key, type, direction } = sortOf(page.sort);
  let query = filteredLeads(db, workspaceId, filter);
  if (page.after) {
    const [value, id] = page.after;
    const cursor = sql`(${value}::${sql.raw(type)}, ${id}::uuid)`;
    query = query.where(
      page.sort.isDescending
        ? sql<boolean>`(${key}, leads.id) < ${cursor}`
        : sql<boolean>`(${key}, leads.id) > ${cursor}`,
    );
  }
  return (
    query
      // The sort key as PostgreSQL writes it, for the next page's cursor: a Date would lose the
      // microseconds of a timestamp and skip rows at a page's edge.
      .select(sql<string>`(${key})::text`.as('sort_key'))
      .orderBy(key, direction)
      .orderBy('leads.id', direction)
      .limit(limit)
  );
}

export async function countLeads(db: Executor, workspaceId: string, filter: LeadFilter) {
  const row = await filteredLeads(db, workspaceId, filter)
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

/**
 * Count, value and probability-weighted value of the filtered leads per stage and currency.
 * Naming the pipeline's stages lets the stage index find them instead of a scan of every lead.
 */
export function summarizeStages(
  db: Executor,
  workspaceId: string,
  filter: LeadFilter,
  stageIds: string[],
) {
  return filteredLeads(db, workspaceId, filter)
    .where('leads.stage_id', '=', sql<string>`any(${stageIds}::uuid[])`)
    .select(['leads.stage_id', 'leads.currency'])
    .select([
      sql<string>`count(*)`.as('count'),
      sql<string>`coalesce(sum(leads.value), 0)`.as('value'),
      sql<string>`coalesce(sum(round(leads.value * leads.probability / 100.0)), 0)`.as(
        'weighted_value',
      ),
    ])
    .groupBy(['leads.stage_id', 'leads.currency'])
    .orderBy('leads.currency')
    .execute();
}

export type WorkList = 'follow_ups' | 'not_contacted' | 'past_stage_limit';

/** A person's open leads for "my work": by next follow-up, not yet contacted, or stuck. */
export function listWorkLeads(
  db: Executor,
  workspaceId: string,
  assigneeId: string,
  list: WorkList,
  now: Date,
  limit: number,
) {
  let query = db
    .selectFrom('leads')
    .selectAll('leads')
    .where('leads.workspace_id', '=', workspaceId)
    .where('leads.assignee_id', '=', assigneeId)
    .where('leads.status', '=', 'open')
    .where('leads.archived_at', 'is', null);
  switch (list) {
    case 'follow_ups':
      return query
        .where('leads.next_follow_up_at', 'is not', null)
        .orderBy('leads.next_follow_up_at')
        .orderBy('leads.id')
        .limit(limit)
        .execute();
    case 'not_contacted':
      return query
        .where('leads.contact_status', '=', 'not_contacted')
        .orderBy('leads.created_at')
        .orderBy('leads.id')
        .limit(limit)
        .execute();
    case 'past_stage_limit':
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom('stages as s')
            .select('s.id')
            .whereRef('s.workspace_id', '=', 'leads.workspace_id')
            .whereRef('s.id', '=', 'leads.stage_id')
            .where('s.max_days_in_stage', 'is not', null)
            .where(
              sql<boolean>`leads.stage_entered_at + make_interval(days => s.max_days_in_stage) < ${now}::timestamptz`,
            ),
        ),
      );
      return query.orderBy('leads.stage_entered_at').orderBy('leads.id').limit(limit).execute();
  }
}
