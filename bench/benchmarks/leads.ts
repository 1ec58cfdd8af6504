// leads: the lead API on a big workspace. Generates N leads (default 1,000,000 on PostgreSQL,
// 100,000 on PGlite), each with a new contact (email and phone, also in contact_points), one or
// two stage_history rows and 3–7 activities, in bulk SQL while no server runs on the data; then
// loads list, filtered list, search, get by id, create and stage change. The EXPLAIN (ANALYZE,
// BUFFERS) of each list query, compiled by the server's own listLeads, is printed and kept.
import {
  CompiledQuery,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
} from 'kysely';
import { listLeads, type LeadFilter } from '../../src/server/modules/leads/leads.repository.js';
import { searchTerms } from '../../src/server/modules/leads/leads.service.js';
import { openDatabase } from '../../src/server/platform/db/database.js';
import type { DB } from '../../src/server/platform/db/schema.js';
import {
  createBenchData,
  formatColumns,
  log,
  startServer,
  type Backend,
  type BenchData,
  type Benchmark,
  type DataOptions,
  type Measurement,
  type RunningServer,
  type Scenario,
} from '../harness.js';

export const DEFAULT_LEADS: Record<Backend, number> = { postgres: 1_000_000, pglite: 100_000 };
/** Leads per INSERT statement (each also writes their contacts, points, history, activities). */
export const BATCH_SIZE: Record<Backend, number> = { postgres: 50_000, pglite: 20_000 };
/** People the leads are assigned to, round-robin (created through the API as agents). */
const ASSIGNEES = 20;
/** created_at spreads over this many days before now, in insertion order (like a real table). */
const SPAN_DAYS = 730;
/** Leads younger than this are mostly open; older ones mostly won or lost. */
const RECENT_DAYS = 60;
/** Random existing leads that "get by id" rotates through. */
const GET_IDS = 1000;
/** Random open leads that "stage change" moves along the pipeline. */
const MOVE_POOL = 20_000;
/** Stage and assignee pairs that "list stage+assignee" rotates through. */
const FILTER_PAIRS = 20;
const LIST_LIMIT = 50;

// Names combine by row number: first name n % 50, last name by a hash of n, so every first name is
// on 2% of the leads and every last name on ~1%, spread evenly over time.
// prettier-ignore
const FIRST_NAMES = [
  'Anna', 'Ben', 'Clara', 'David', 'Emma', 'Felix', 'Greta', 'Hannah', 'Jonas', 'Julia',
  'Karl', 'Laura', 'Leon', 'Lena', 'Lukas', 'Marie', 'Max', 'Mia', 'Noah', 'Paul',
  'Sophie', 'Tim', 'Lea', 'Finn', 'Emil', 'Ida', 'Moritz', 'Nina', 'Oskar', 'Paula',
  'Jakob', 'Luisa', 'Elias', 'Frieda', 'Theo', 'Mila', 'Anton', 'Ella', 'Henry', 'Lina',
  'Samuel', 'Amelie', 'Jan', 'Carla', 'Erik', 'Vera', 'Tobias', 'Rosa', 'Simon', 'Olivia',
];
// prettier-ignore
const LAST_NAMES = [
  'Mueller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker',
  'Schulz', 'Hoffmann', 'Koch', 'Richter', 'Klein', 'Wolf', 'Schroeder', 'Neumann',
  'Schwarz', 'Zimmermann', 'Braun', 'Krueger', 'Hofmann', 'Hartmann', 'Lange', 'Schmitt',
  'Werner', 'Schmitz', 'Krause', 'Meier', 'Lehmann', 'Schmid', 'Schulze', 'Maier',
  'Koehler', 'Herrmann', 'Koenig', 'Walter', 'Mayer', 'Huber', 'Kaiser', 'Fuchs',
  'Peters', 'Lang', 'Scholz', 'Moeller', 'Weiss', 'Jung', 'Hahn', 'Schubert',
  'Vogel', 'Friedrich', 'Keller', 'Guenther', 'Frank', 'Berger', 'Winkler', 'Roth',
  'Beck', 'Lorenz', 'Baumann', 'Franke', 'Albrecht', 'Schuster', 'Simon', 'Ludwig',
  'Boehm', 'Winter', 'Kraus', 'Martin', 'Schumacher', 'Kraemer', 'Vogt', 'Stein',
  'Jaeger', 'Otto', 'Sommer', 'Gross', 'Seidel', 'Heinrich', 'Brandt', 'Haas',
  'Schreiber', 'Graf', 'Schulte', 'Dietrich', 'Ziegler', 'Kuhn', 'Kuehn', 'Pohl',
  'Engel', 'Horn', 'Busch', 'Bergmann', 'Thomas', 'Voigt', 'Sauer', 'Arnold',
  'Wolff', 'Pfeiffer', 'Garcia', 'Novak',
];
/**
 * The n-th of a stream of new people with names as common as the generated leads' (first name
 * n % 50, last name in a stride of 7), so the duplicate check meets its real work.
 */
export function commonNameOf(n: number): { firstName: string; lastName: string } {
  return {
    firstName: FIRST_NAMES[n % FIRST_NAMES.length] ?? '',
    lastName: LAST_NAMES[(n * 7 + 3) % LAST_NAMES.length] ?? '',
  };
}

/** 40% of the leads name a company (company_name only; no companies rows). */
// prettier-ignore
const COMPANIES = [
  'Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Hooli', 'Vandelay',
  'Soylent', 'Tyrell', 'Cyberdyne', 'Wonka', 'Gringotts', 'Oscorp', 'Aperture', 'Monarch',
  'Nakatomi', 'Pied Piper', 'Prestige', 'Duff', 'Massive Dynamic', 'Virtucon', 'Dunder',
  'Bluth', 'Sterling', 'Rekall', 'Zorg', 'Weyland', 'Ollivander', 'Krusty', 'Planet',
  'Gekko', 'Vehement', 'Oceanic', 'Dharma', 'Kramerica', 'Yoyodyne', 'Spacely', 'Cogswell',
  'Lacuna',
];
const COMPANY_SUFFIXES = ['GmbH', 'AG', 'KG', 'Ltd', 'Inc'];
/** Mobile prefixes after +49 whose 8-digit numbers are valid E.164 (libphonenumber "max"). */
const PHONE_PREFIXES = ['151', '152', '157', '160', '162', '170', '171', '179'];
/** "create" uses +49 176…, which the generated contacts never do. */
const CREATE_PHONE_PREFIX = '176';
/**
 * What "q search" rotates through: last names (~1% of the leads each), a prefix of four of them
 * (~4%) and first names (~2%).
 */
export const SEARCH_TERMS = [
  'Becker',
  'Schmi',
  'Anna',
  'Wagner',
  'Koch',
  'Lukas',
  'Hoffmann',
  'Vogel',
];
/** For an EXPLAIN only: a prefix of a word of every email ("example"), like "gmail" is. */
const BROAD_TERM = 'exam';
/** For an EXPLAIN only: a word no lead has (the planner's estimate of it is far too high). */
const RARE_TERM = 'Qelipar';

/** Figures the issue sets for PostgreSQL at 1M leads. */
const TARGETS: { scenario: string; what: string; met: (m: Measurement) => boolean }[] = [
  { scenario: 'list', what: 'p99 < 50 ms', met: (m) => m.latencyP99Ms < 50 },
  { scenario: 'list stage+assignee', what: 'p99 < 50 ms', met: (m) => m.latencyP99Ms < 50 },
  { scenario: 'get by id', what: '>= 3,000 req/s', met: (m) => m.reqPerSecMean >= 3000 },
  { scenario: 'create', what: '>= 1,000 req/s', met: (m) => m.reqPerSecMean >= 1000 },
];

// ---------------------------------------------------------------------------------------------
// The API, for what the server should make itself (admin token, people, reading the pipeline)

export interface StageInfo {
  id: string;
  name: string;
  kind: 'open' | 'won' | 'lost';
  position: number;
  probability: number;
}

export interface PipelineInfo {
  id: string;
  name: string;
  policy: 'forward_only' | 'backward_with_reason';
  isDefault: boolean;
  stages: StageInfo[];
}

export interface WorkspaceSetup {
  token: string;
  workspaceId: string;
  adminId: string;
  currency: string;
  country: string;
  timeZone: string;
  pipeline: PipelineInfo;
  assigneeIds: string[];
  sourceIds: string[];
  lostReasonIds: string[];
}

export async function call<T>(
  server: RunningServer,
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  body: unknown,
  expected: number,
): Promise<{ body: T; response: Response }> {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== expected) {
    throw new Error(
      `${method} ${path} answered ${response.status} (expected ${expected}): ${text.slice(0, 300)}`,
    );
  }
  return { body: JSON.parse(text) as T, response };
}

/** Signs in as the admin, makes an API token and the assignees, and reads the workspace. */
export async function setUpWorkspace(server: RunningServer): Promise<WorkspaceSetup> {
  const login = await call<{ csrfToken: string }>(
    server,
    'POST',
    '/api/auth/login',
    {},
    server.admin,
    200,
  );
  const cookie = login.response.headers
    .getSetCookie()
    .map((header) => header.split(';')[0] ?? '')
    .find((pair) => pair.startsWith('lk_session='));
  if (!cookie) throw new Error('POST /api/auth/login set no lk_session cookie');
  const session = { cookie, 'x-csrf-token': login.body.csrfToken };
  const { body: created } = await call<{ token: string }>(
    server,
    'POST',
    '/api/api-tokens',
    session,
    { name: 'bench leads' },
    201,
  );
  const bearer = { authorization: `Bearer ${created.token}` };

  const { body: me } = await call<{
    user: { id: string };
    workspace: { id: string; currency: string; country: string; timeZone: string };
  }>(server, 'GET', '/api/me', bearer, undefined, 200);
  const assigneeIds: string[] = [];
  for (let i = 1; i <= ASSIGNEES; i += 1) {
    const { body: user } = await call<{ user: { id: string } }>(
      server,
      'POST',
      '/api/users',
      bearer,
      { email: `agent${i}@example.test`, name: `Agent ${i}`, role: 'agent' },
      201,
    );
    assigneeIds.push(user.user.id);
  }
  const { body: pipelines } = await call<{ items: PipelineInfo[] }>(
    server,
    'GET',
    '/api/pipelines',
    bearer,
    undefined,
    200,
  );
  const pipeline = pipelines.items.find((p) => p.isDefault);
  if (!pipeline) throw new Error('the workspace has no default pipeline');
  const { body: sources } = await call<{ items: { id: string }[] }>(
    server,
    'GET',
    '/api/lead-sources',
    bearer,
    undefined,
    200,
  );
  const { body: reasons } = await call<{ items: { id: string }[] }>(
    server,
    'GET',
    '/api/lost-reasons',
    bearer,
    undefined,
    200,
  );
  return {
    token: created.token,
    workspaceId: me.workspace.id,
    adminId: me.user.id,
    currency: me.workspace.currency,
    country: me.workspace.country,
    timeZone: me.workspace.timeZone,
    pipeline: { ...pipeline, stages: [...pipeline.stages].sort((a, b) => a.position - b.position) },
    assigneeIds,
    sourceIds: sources.items.map((s) => s.id),
    lostReasonIds: reasons.items.map((r) => r.id),
  };
}

export interface PipelineShape {
  open: StageInfo[];
  won: StageInfo;
  lost: StageInfo;
}

export function shapeOf(pipeline: PipelineInfo): PipelineShape {
  const open = pipeline.stages.filter((s) => s.kind === 'open');
  const won = pipeline.stages.find((s) => s.kind === 'won');
  const lost = pipeline.stages.find((s) => s.kind === 'lost');
  if (open.length < 2 || !won || !lost) {
    throw new Error(`the pipeline "${pipeline.name}" needs two open stages, a won and a lost one`);
  }
  return { open, won, lost };
}

// ---------------------------------------------------------------------------------------------
// Bulk generation

/** A PostgreSQL array literal, for one text parameter cast to uuid[]/text[]. */
function pgArray(values: readonly (string | number)[]): string {
  return `{${values.map((v) => `"${String(v).replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/**
 * One statement per batch of leads n in [lo, hi]: their contacts, contact points, leads,
 * stage history and activities (when the table exists), each row as the app would write it.
 * The leads go into setup.pipeline; with isAllOpen every one is open, however old.
 */
function insertBatch(
  db: Kysely<DB>,
  setup: WorkspaceSetup,
  shape: PipelineShape,
  batch: {
    lo: number;
    hi: number;
    total: number;
    now: Date;
    withActivities: boolean;
    isAllOpen: boolean;
  },
) {
  const { lo, hi, total, now } = batch;
  const status = batch.isAllOpen
    ? sql`'open'::text`
    : sql`case
      when created_at > ${now.toISOString()}::timestamptz - ${RECENT_DAYS}::int * interval '1 day'
        then case when r_kind < 0.04 then 'won' when r_kind < 0.10 then 'lost' else 'open' end
      else case when r_kind < 0.30 then 'won' when r_kind < 0.85 then 'lost' else 'open' end
    end`;
  const start = new Date(now.getTime() - SPAN_DAYS * 86_400_000);
  const ws = setup.workspaceId;
  const openIds = pgArray(shape.open.map((s) => s.id));
  const openProbabilities = pgArray(shape.open.map((s) => s.probability));
  const firstOpen = shape.open[0]?.id ?? '';
  const sources = setup.sourceIds.length > 0 ? pgArray(setup.sourceIds) : null;
  const reasons = setup.lostReasonIds.length > 0 ? pgArray(setup.lostReasonIds) : null;
  const activities = batch.withActivities
    ? sql`,
ia as (
  insert into activities (workspace_id, lead_id, contact_id, type, direction, outcome, subject,
    body, occurred_at, duration_minutes, details, created_by, created_at)
  select ${ws}::uuid, m.lead_id, m.contact_id, t.type,
    case when t.type = 'note' then null when (m.n + j) % 4 = 0 then 'inbound' else 'outbound' end,
    case when t.type = 'call'
      then (array['spoke', 'left_voicemail', 'no_answer', 'spoke'])[1 + (m.n * 7 + j) % 4]
      else 'none' end,
    case when t.type = 'email' then 'Re: ' || m.title else '' end,
    case t.type when 'call' then 'Talked about needs, budget and timing.'
      when 'email' then 'Following up on our call, with the details we discussed.'
      else 'Prefers to be called in the morning. Decision with ' || m.first_name || '''s team.' end,
    m.touch_at + (j - 1) * m.touch_step,
    case when t.type = 'call' then 2 + (m.n + j) % 20 end,
    '{}'::jsonb, m.assignee_id, m.touch_at + (j - 1) * m.touch_step
  from m
  cross join lateral generate_series(1, m.activity_count) as j
  cross join lateral (select (array['call', 'email', 'note'])[1 + (m.n + j) % 3] as type) as t
)`
    : sql``;
  return sql<{ leads: number }>`
with g as (
  select n,
    gen_random_uuid() as contact_id,
    gen_random_uuid() as lead_id,
    ${start.toISOString()}::timestamptz
      + ((${SPAN_DAYS * 86_400}::float8 * n / ${total}::float8) - 60 * random())
        * interval '1 second' as created_at,
    random() as r_kind,
    random() as r_open,
    random() as r_entered,
    random() as r_value,
    3 + n % 5 as activity_count
  from generate_series(${lo}::int, ${hi}::int) as n
),
k as (
  select g.*,
    (${pgArray(FIRST_NAMES)}::text[])[1 + n % 50] as first_name,
    (${pgArray(LAST_NAMES)}::text[])[1 + (hashint4(n) & 2147483647) % 100] as last_name,
    ${status} as status,
    -- Open leads lean towards the early stages.
    1 + floor(power(r_open, 1.5) * ${shape.open.length}::int)::int as open_index,
    (${pgArray(setup.assigneeIds)}::uuid[])[1 + n % ${setup.assigneeIds.length}::int] as assignee_id,
    -- Activities: 3-7 (types call, email, note by turn) spread over the first 60 days.
    least(${now.toISOString()}::timestamptz, created_at + interval '60 days') - created_at as touch_span,
    (select count(*) from generate_series(1, activity_count) as j where (n + j) % 3 <> 2)::int
      as attempts,
    case when (n + activity_count) % 3 = 2 then activity_count - 1 else activity_count end
      as last_touch
  from g
),
m as (
  select k.*,
    first_name || ' ' || last_name as title,
    lower(first_name || '.' || last_name || '.' || n || '@example.test') as email,
    '+49' || (${pgArray(PHONE_PREFIXES)}::text[])[1 + n % 8] || lpad((n / 8)::text, 8, '0')
      as phone,
    '+49 ' || (${pgArray(PHONE_PREFIXES)}::text[])[1 + n % 8] || ' ' || lpad((n / 8)::text, 8, '0')
      as phone_raw,
    case status when 'won' then ${shape.won.id}::uuid when 'lost' then ${shape.lost.id}::uuid
      else (${openIds}::uuid[])[open_index] end as stage_id,
    case status when 'won' then ${shape.won.probability}::int
      when 'lost' then ${shape.lost.probability}::int
      else (${openProbabilities}::int[])[open_index] end as probability,
    case when status = 'open' and open_index = 1 then created_at
      else created_at + (${now.toISOString()}::timestamptz - created_at) * (r_entered * 0.5) end
      as stage_entered_at,
    touch_span / (activity_count + 1) as touch_step,
    created_at + touch_span / (activity_count + 1) as touch_at
  from k
),
ic as (
  insert into contacts (workspace_id, id, first_name, last_name, emails, phones, address,
    created_by, created_at, updated_at)
  select ${ws}::uuid, contact_id, first_name, last_name,
    jsonb_build_array(jsonb_build_object('value', email, 'label', '')),
    jsonb_build_array(jsonb_build_object('raw', phone_raw, 'e164', phone, 'label', '')),
    'null'::jsonb, ${setup.adminId}::uuid, created_at, created_at
  from m
),
ip as (
  insert into contact_points (workspace_id, contact_id, kind, value, position)
  select ${ws}::uuid, contact_id, 'email', email, 0 from m
  union all
  select ${ws}::uuid, contact_id, 'phone', phone, 0 from m
),
il as (
  insert into leads (workspace_id, id, title, contact_id, company_name, source_id, pipeline_id,
    stage_id, stage_entered_at, status, lost_reason_id, value, currency, probability, priority,
    assignee_id, contact_status, last_contact_at, last_contact_method, contact_attempts, tags,
    custom_fields, created_by, created_at, updated_at)
  select ${ws}::uuid, lead_id, title, contact_id,
    case when n % 5 < 2 then (${pgArray(COMPANIES)}::text[])[1 + (n / 7) % ${COMPANIES.length}::int]
      || ' ' || (${pgArray(COMPANY_SUFFIXES)}::text[])[1 + n % ${COMPANY_SUFFIXES.length}::int]
      else '' end,
    (${sources}::uuid[])[1 + n % ${Math.max(1, setup.sourceIds.length)}::int],
    ${setup.pipeline.id}::uuid, stage_id, stage_entered_at, status,
    case when status = 'lost'
      then (${reasons}::uuid[])[1 + n % ${Math.max(1, setup.lostReasonIds.length)}::int] end,
    floor(r_value * 20000)::bigint * 100, ${setup.currency}, probability,
    case when n % 20 = 0 then 'urgent' when n % 10 = 1 then 'high' when n % 7 = 2 then 'low'
      else 'normal' end,
    assignee_id,
    case when status = 'lost' and n % 2 = 0 then 'no_response'
      when status <> 'open' then 'in_discussion'
      when open_index = 1 then 'contacted'
      when open_index <= 3 then 'in_discussion'
      else 'proposal_sent' end,
    touch_at + (last_touch - 1) * touch_step,
    (array['call', 'email', 'note'])[1 + (n + last_touch) % 3],
    attempts,
    case when n % 10 = 0 then array['vip'] else '{}'::text[] end,
    '{}'::jsonb, ${setup.adminId}::uuid, created_at,
    greatest(stage_entered_at, touch_at + (activity_count - 1) * touch_step)
  from m
),
ih as (
  insert into stage_history (workspace_id, lead_id, from_stage_id, to_stage_id, moved_at,
    moved_by, reason)
  select ${ws}::uuid, lead_id, null, ${firstOpen}::uuid, created_at, ${setup.adminId}::uuid, ''
  from m
  union all
  select ${ws}::uuid, lead_id, ${firstOpen}::uuid, stage_id, stage_entered_at, assignee_id, ''
  from m where stage_id <> ${firstOpen}::uuid
)${activities}
select count(*)::int as leads from m`.execute(db);
}

const secondsSince = (start: number) => Number(((performance.now() - start) / 1000).toFixed(1));

const TABLES = ['contacts', 'contact_points', 'leads', 'stage_history', 'activities'] as const;

/**
 * Leads n = lo…hi of a generation of `total` (n orders created_at over the two years and makes
 * names, emails and phones unique), in setup.pipeline; isAllOpen makes every one of them open.
 */
export interface LeadRange {
  setup: WorkspaceSetup;
  lo: number;
  hi: number;
  isAllOpen: boolean;
}

/**
 * Bulk-inserts the ranges on data no server runs on, writes the search documents, vacuums and
 * analyses; returns the seconds each took and the rows per table.
 */
export async function generateLeads(
  db: Kysely<DB>,
  backend: Backend,
  generation: { total: number; batchSize: number; ranges: readonly LeadRange[] },
): Promise<{ insertSeconds: number; vacuumSeconds: number; rows: Record<string, number> }> {
  const { total, batchSize, ranges } = generation;
  const count = ranges.reduce((sum, range) => sum + range.hi - range.lo + 1, 0);
  const withActivities = await tableExists(db, 'activities');
  if (!withActivities) log(`${backend}: no activities table yet; generating without them`);
  const now = new Date();
  const insertStart = performance.now();
  // A batch inserts contacts and leads in one statement, where the leads' search trigger
  // can't see the new contacts yet; the documents are written once all rows are in.
  const withSearchDocument = await functionExists(db, 'lead_search_document(leads)');
  if (withSearchDocument) await sql`alter table leads disable trigger leads_search`.execute(db);
  let done = 0;
  for (const { setup, isAllOpen, ...range } of ranges) {
    const shape = shapeOf(setup.pipeline);
    for (let lo = range.lo; lo <= range.hi; lo += batchSize) {
      const hi = Math.min(range.hi, lo + batchSize - 1);
      await insertBatch(db, setup, shape, { lo, hi, total, now, withActivities, isAllOpen });
      const before = done;
      done += hi - lo + 1;
      const elapsed = (performance.now() - insertStart) / 1000;
      if (done === count || Math.floor((done / count) * 10) > Math.floor((before / count) * 10)) {
        log(
          `${backend}: ${done.toLocaleString('en')} of ${count.toLocaleString('en')} leads ` +
            `(${elapsed.toFixed(0)}s, ${Math.round(done / elapsed).toLocaleString('en')} leads/s)`,
        );
      }
    }
  }
  if (withSearchDocument) {
    await sql`update leads set search = lead_search_document(leads)`.execute(db);
    await sql`alter table leads enable trigger leads_search`.execute(db);
    log(`${backend}: search documents written (${secondsSince(insertStart)}s)`);
  }
  const insertSeconds = secondsSince(insertStart);
  const vacuumStart = performance.now();
  const tables = [];
  for (const table of TABLES) if (await tableExists(db, table)) tables.push(table);
  // What autovacuum would do soon anyway, so it does not do it during the measurement:
  // visibility map (index-only scans), hint bits, GIN pending lists, planner statistics
  // (of every table, the empty ones too).
  await sql`vacuum (analyze)`.execute(db);
  try {
    await sql`checkpoint`.execute(db);
  } catch {
    // Needs superuser or pg_checkpoint on PostgreSQL; only keeps a checkpoint off the load.
  }
  const vacuumSeconds = secondsSince(vacuumStart);
  const rows: Record<string, number> = {};
  for (const table of tables) {
    const { rows: counted } = await sql<{ count: number }>`
      select count(*)::int as count from ${sql.table(table)}`.execute(db);
    rows[table] = counted[0]?.count ?? 0;
  }
  log(
    `${backend}: generated in ${insertSeconds}s, vacuum+analyze ${vacuumSeconds}s: ` +
      Object.entries(rows)
        .map(([table, count]) => `${table} ${count.toLocaleString('en')}`)
        .join(', '),
  );
  return { insertSeconds, vacuumSeconds, rows };
}

async function functionExists(db: Kysely<DB>, signature: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    select to_regprocedure(${signature}) is not null as found`.execute(db);
  return rows[0]?.found === true;
}

async function tableExists(db: Kysely<DB>, table: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    select to_regclass(${table}) is not null as found`.execute(db);
  return rows[0]?.found === true;
}

// ---------------------------------------------------------------------------------------------
// EXPLAIN of the list queries, compiled by the server's own listLeads

/** The filter GET /api/leads builds (leads.service.ts listLeads), for what the scenarios send. */
function filterFor(
  setup: WorkspaceSetup,
  query: { q?: string; stageId?: string; assigneeId?: string },
): LeadFilter {
  const filter: LeadFilter = {
    includeArchived: false,
    now: new Date(),
    timeZone: setup.timeZone,
    stageId: query.stageId,
    assignee: query.assigneeId ? { id: query.assigneeId } : undefined,
  };
  // What the service makes of q: a phone number, or words.
  return { ...filter, ...searchTerms(query.q, setup.country) };
}

/**
 * A Kysely that compiles but never runs: listLeads' statements (default sort) with their
 * parameters. Its queries return no rows, so a word search also compiles its second statement.
 */
async function compileListQueries(
  workspaceId: string,
  filter: LeadFilter,
): Promise<CompiledQuery[]> {
  const compiled: CompiledQuery[] = [];
  const compiler = new Kysely<DB>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (event) => {
      compiled.push(event.query);
    },
  });
  await listLeads(compiler, workspaceId, filter, {
    sort: { key: 'createdAt', isDescending: true },
    limit: LIST_LIMIT,
  });
  await compiler.destroy();
  if (compiled.length === 0) throw new Error('listLeads ran no query');
  return compiled;
}

interface Plan {
  scenario: string;
  note: string;
  sql: string;
  parameters: unknown[];
  plan: string[];
  /** Indexes the plan reads, in order of appearance. */
  indexes: string[];
  executionMs: number | null;
}

async function explain(
  db: Kysely<DB>,
  scenario: string,
  note: string,
  query: CompiledQuery,
): Promise<Plan> {
  const statement = CompiledQuery.raw(`EXPLAIN (ANALYZE, BUFFERS) ${query.sql}`, [
    ...query.parameters,
  ]);
  await db.executeQuery(statement); // the first run reads the pages in; keep the second
  const { rows } = await db.executeQuery<{ 'QUERY PLAN': string }>(statement);
  const plan = rows.map((row) => row['QUERY PLAN']);
  const indexes = [
    ...new Set(
      plan.flatMap((line) =>
        [...line.matchAll(/(?: using | Bitmap Index Scan on )(\S+)/g)].map((m) => m[1]),
      ),
    ),
  ].filter((name): name is string => name !== undefined);
  const time = plan.map((line) => /Execution Time: ([\d.]+) ms/.exec(line)?.[1]).find(Boolean);
  return {
    scenario,
    note,
    sql: query.sql,
    parameters: [...query.parameters],
    plan,
    indexes,
    executionMs: time === undefined ? null : Number(time),
  };
}

// ---------------------------------------------------------------------------------------------
// The data, per backend, from createData to prepare and details

interface Generation {
  backend: Backend;
  leads: number;
  batchSize: number;
  seconds: { setup: number; insert: number; vacuumAnalyze: number; total: number };
  rows: Record<string, number>;
  plans: Plan[];
}

interface Prepared {
  setup: WorkspaceSetup;
  shape: PipelineShape;
  getIds: string[];
  moves: { id: string; openIndex: number }[];
  filterPairs: { stageId: string; assigneeId: string }[];
  generation: Generation;
}

const prepared = new Map<Backend, Prepared>();

async function createData(backend: Backend, options: DataOptions): Promise<BenchData> {
  const total = options.leads ?? DEFAULT_LEADS[backend];
  const batchSize = BATCH_SIZE[backend];
  const startedAt = performance.now();
  const data = await createBenchData(backend);
  try {
    // The first start migrates and makes the workspace and its admin; the API makes the rest.
    const server = await startServer(backend, { data });
    let setup: WorkspaceSetup;
    try {
      setup = await setUpWorkspace(server);
    } finally {
      await server.stop();
    }
    const shape = shapeOf(setup.pipeline);
    const setupSeconds = secondsSince(startedAt);
    log(
      `${backend}: workspace ready (${setupSeconds}s): pipeline "${setup.pipeline.name}" ` +
        `(${setup.pipeline.policy}, ${shape.open.length} open stages), ${ASSIGNEES} assignees`,
    );

    // No server runs on the data now: PGlite's data dir is ours, as PostgreSQL's database is.
    const database = await openDatabase({
      databaseUrl: data.env.DATABASE_URL,
      dataDir: data.env.DATA_DIR ?? '',
    });
    try {
      const { db } = database;
      const { insertSeconds, vacuumSeconds, rows } = await generateLeads(db, backend, {
        total,
        batchSize,
        ranges: [{ setup, lo: 1, hi: total, isAllOpen: false }],
      });

      const ws = setup.workspaceId;
      const { rows: getRows } = await sql<{ id: string }>`
        select id from leads where workspace_id = ${ws}::uuid
        order by random() limit ${GET_IDS}`.execute(db);
      const openIds = shape.open.map((s) => s.id);
      const { rows: moveRows } = await sql<{ id: string; stage_id: string }>`
        select id, stage_id from leads
        where workspace_id = ${ws}::uuid and status = 'open' and archived_at is null
        order by random() limit ${MOVE_POOL}`.execute(db);
      const moves = moveRows.map((row) => ({
        id: row.id,
        openIndex: openIds.indexOf(row.stage_id),
      }));
      const filterPairs = Array.from({ length: FILTER_PAIRS }, (_, i) => ({
        stageId: openIds[i % openIds.length] ?? '',
        assigneeId: setup.assigneeIds[(i * 7) % setup.assigneeIds.length] ?? '',
      }));

      const explained: { scenario: string; note: string; filter: LeadFilter }[] = [
        { scenario: 'list', note: 'newest 50', filter: filterFor(setup, {}) },
        {
          scenario: 'list stage+assignee',
          note: 'the first stage/assignee pair of the rotation',
          filter: filterFor(setup, filterPairs[0] ?? {}),
        },
        {
          scenario: 'q search',
          note: `q=${SEARCH_TERMS[0]}, a last name on ~1% of the leads`,
          filter: filterFor(setup, { q: SEARCH_TERMS[0] }),
        },
        {
          scenario: 'q search (broad)',
          note: `not in the load: q=${BROAD_TERM}, a prefix of a word in every email ("example")`,
          filter: filterFor(setup, { q: BROAD_TERM }),
        },
        {
          scenario: 'q search (rare)',
          note: `not in the load: q=${RARE_TERM}, a word that matches nothing`,
          filter: filterFor(setup, { q: RARE_TERM }),
        },
        {
          scenario: 'q search (phone)',
          note: 'not in the load: the phone number of one contact, as typed',
          filter: filterFor(setup, {
            q: `+49 ${PHONE_PREFIXES[1]} ${'1'.padStart(8, '0')}`,
          }),
        },
      ];
      const plans: Plan[] = [];
      for (const { scenario, note, filter } of explained) {
        const [first, ...then] = await compileListQueries(ws, filter);
        if (first) plans.push(await explain(db, scenario, note, first));
        for (const query of then) {
          const when = 'run only when the walk above finds less than a page';
          plans.push(await explain(db, `${scenario}, then`, `${note}; ${when}`, query));
        }
      }
      for (const plan of plans) {
        log(
          `${backend}: EXPLAIN ${plan.scenario}: ${plan.executionMs} ms, ${plan.indexes.join(', ') || 'no index'}`,
        );
      }
      const generation: Generation = {
        backend,
        leads: total,
        batchSize,
        seconds: {
          setup: setupSeconds,
          insert: insertSeconds,
          vacuumAnalyze: vacuumSeconds,
          total: secondsSince(startedAt),
        },
        rows,
        plans,
      };
      prepared.set(backend, {
        setup,
        shape,
        getIds: getRows.map((row) => row.id),
        moves,
        filterPairs,
        generation,
      });
    } finally {
      await database.close();
    }
    return data;
  } catch (error) {
    await data.drop();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Scenarios

function rotation<T>(items: readonly T[]): () => T {
  if (items.length === 0) throw new Error('nothing to rotate through');
  let i = 0;
  return () => {
    const item = items[i % items.length] as T;
    i += 1;
    return item;
  };
}

/**
 * Stage moves on distinct leads: each request takes the next lead of the pool (so a lead is
 * moved again only after the whole pool, long after its last answer) and moves it one open stage
 * on; at the last open stage a backward_with_reason pipeline sends it back to the first with a
 * reason, a forward_only one retires it. The reason goes with every move on backward_with_reason:
 * should a request cut off at the end of a run not have moved its lead, the next move is still
 * allowed.
 */
function stageMoves(prepared: Prepared): () => { path: string; body: string } {
  const { shape, setup } = prepared;
  const pool = prepared.moves.filter((m) => m.openIndex >= 0);
  const canCycle = setup.pipeline.policy === 'backward_with_reason';
  let i = 0;
  let warned = false;
  return () => {
    for (let tries = 0; tries < pool.length; tries += 1) {
      const lead = pool[i % pool.length];
      i += 1;
      if (!lead) break;
      let next = lead.openIndex + 1;
      if (next >= shape.open.length) {
        if (!canCycle) continue;
        next = 0;
      }
      lead.openIndex = next;
      const stageId = shape.open[next]?.id ?? '';
      return {
        path: `/api/leads/${lead.id}/stage`,
        body: JSON.stringify(canCycle ? { stageId, reason: 'bench: next stage' } : { stageId }),
      };
    }
    if (!warned) log('stage change: every lead of the pool is at the last open stage');
    warned = true;
    // Fails (422) and so fails the run, rather than measuring no-ops.
    const lead = pool[0];
    return {
      path: `/api/leads/${lead?.id ?? ''}/stage`,
      body: JSON.stringify({ stageId: shape.open[0]?.id }),
    };
  };
}

const CONSONANTS = 'bdfgkpqvxz';
const VOWELS = 'aeiouy';

/** Three random syllables of rare letters, e.g. "Quvexo": unlike every generated name. */
function inventedName(): string {
  let name = '';
  for (let i = 0; i < 3; i += 1) {
    name += CONSONANTS[Math.floor(Math.random() * CONSONANTS.length)];
    name += VOWELS[Math.floor(Math.random() * VOWELS.length)];
  }
  return name[0]!.toUpperCase() + name.slice(1);
}

function prepare(server: RunningServer): Promise<Scenario[]> {
  const data = prepared.get(server.backend);
  if (!data) throw new Error(`${server.backend}: no generated data (createData did not run)`);
  const auth = { authorization: `Bearer ${data.setup.token}` };
  const json = { ...auth, 'content-type': 'application/json' };
  const pair = rotation(data.filterPairs);
  const term = rotation(SEARCH_TERMS);
  const id = rotation(data.getIds);
  const runTag = Date.now().toString(36);
  let created = 0;
  // POST /api/leads with a new contact: its name from `nameOf`, a new email and phone each time.
  const createScenario = (
    name: string,
    nameOf: () => { firstName: string; lastName: string },
  ): Scenario => ({
    name,
    method: 'POST',
    path: '/api/leads',
    headers: json,
    vary: () => {
      created += 1;
      const contact = {
        ...nameOf(),
        emails: [`bench.create.${runTag}.${created}@example.test`],
        phones: [`+49 ${CREATE_PHONE_PREFIX} ${String(created).padStart(8, '0')}`],
      };
      return { path: '/api/leads', body: JSON.stringify({ contact }) };
    },
  });
  return Promise.resolve([
    { name: 'GET /api/health', path: '/api/health', isCeiling: true },
    { name: 'list', path: `/api/leads?limit=${LIST_LIMIT}`, headers: auth },
    {
      name: 'list stage+assignee',
      path: `/api/leads?stageId=:stageId&assigneeId=:assigneeId&limit=${LIST_LIMIT}`,
      headers: auth,
      vary: () => {
        const { stageId, assigneeId } = pair();
        return {
          path: `/api/leads?stageId=${stageId}&assigneeId=${assigneeId}&limit=${LIST_LIMIT}`,
        };
      },
    },
    {
      name: 'get by id',
      path: '/api/leads/:id',
      headers: auth,
      vary: () => ({ path: `/api/leads/${id()}` }),
    },
    // Names as common as the generated ones: the similar-name check meets its real work.
    createScenario('create', () => commonNameOf(created)),
    // A name like no generated one: the similar-name check has to find that none is near.
    createScenario('create (new name)', () => ({
      firstName: inventedName(),
      lastName: inventedName(),
    })),
    {
      name: 'stage change',
      method: 'POST',
      path: '/api/leads/:id/stage',
      headers: json,
      vary: stageMoves(data),
    },
    {
      name: 'q search',
      path: `/api/leads?q=:term&limit=${LIST_LIMIT}`,
      headers: auth,
      vary: () => ({ path: `/api/leads?q=${encodeURIComponent(term())}&limit=${LIST_LIMIT}` }),
      // Last: a slow search still runs in the database after its run ends. One that reads
      // everything takes seconds at 1M leads; measure that rather than time out.
      timeoutSeconds: 120,
    },
  ]);
}

// ---------------------------------------------------------------------------------------------
// Report

function details(measurements: readonly Measurement[]): { json: unknown; text: string } {
  const generations = [...prepared.values()].map((p) => p.generation);
  const text: string[] = [];
  for (const g of generations) {
    text.push(
      `${g.backend}: ${g.leads.toLocaleString('en')} leads generated in ${g.seconds.insert}s ` +
        `(+ vacuum/analyze ${g.seconds.vacuumAnalyze}s; ${g.seconds.total}s with the first ` +
        `start and setup): ` +
        Object.entries(g.rows)
          .map(([table, count]) => `${table} ${count.toLocaleString('en')}`)
          .join(', '),
    );
    for (const plan of g.plans) {
      text.push(
        '',
        `${g.backend}: EXPLAIN (ANALYZE, BUFFERS) ${plan.scenario} (${plan.note}); ` +
          `indexes: ${plan.indexes.join(', ') || 'none'}`,
        ...plan.plan.map((line) => `  ${line}`),
      );
    }
    text.push('');
  }
  const measured = measurements.filter((m) => m.cpu !== null);
  if (measured.length > 0) {
    const ms = (value: number | null | undefined) => (value == null ? '-' : value.toFixed(2));
    text.push(
      'CPU per request (ms, user + system) in the measured runs: the server process (PGlite ' +
        'included), the PostgreSQL backends of its database, this runner (autocannon); and how ' +
        'many cores everything else on the machine kept busy meanwhile:',
      formatColumns(
        ['backend', 'endpoint', 'server', 'database', 'runner', 'other cores'],
        measured.map((m) => [
          m.backend,
          m.scenario,
          ms(m.cpu?.serverMsPerRequest),
          ms(m.cpu?.databaseMsPerRequest),
          ms(m.cpu?.runnerMsPerRequest),
          ms(m.cpu?.otherCores),
        ]),
        2,
      ),
      '',
    );
  }
  const targets = TARGETS.flatMap((target) => {
    const m = measurements.find((x) => x.backend === 'postgres' && x.scenario === target.scenario);
    if (!m) return [];
    return [
      {
        scenario: target.scenario,
        target: target.what,
        p99Ms: m.latencyP99Ms,
        reqPerSec: Math.round(m.reqPerSecMean),
        met: target.met(m),
      },
    ];
  });
  if (targets.length > 0) {
    const leads = prepared.get('postgres')?.generation.leads ?? 0;
    text.push(
      `targets (PostgreSQL, set for 1,000,000 leads; this run: ${leads.toLocaleString('en')}):`,
      formatColumns(
        ['scenario', 'target', 'p99 ms', 'req/s', 'met'],
        targets.map((t) => [
          t.scenario,
          t.target,
          String(t.p99Ms),
          String(t.reqPerSec),
          t.met ? 'yes' : 'NO',
        ]),
        2,
      ),
    );
  }
  return { json: { generations, targets }, text: text.join('\n') };
}

export const leadsBenchmark: Benchmark = {
  name: 'leads',
  description:
    'lead list, filter, search, get, create and stage change on 1M (PostgreSQL) / 100k (PGlite) ' +
    'generated leads',
  createData,
  prepare,
  details,
};
