// The only SQL of workspace export and import. It works on any table by name (the list in
// workspace-export.tables.ts) through the catalog: rows leave as to_jsonb(row) and come back
// through jsonb_populate_recordset, so PostgreSQL itself converts every type both ways and a
// round trip is exact. Every query is scoped by workspace_id.
import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../platform/audit.js';

export type JsonRow = Record<string, unknown>;

export interface TableShape {
  /** Primary key columns after workspace_id, in key order (the export's page order). */
  key: string[];
  /** Columns an insert may name (not generated). */
  columns: Set<string>;
}

/** Tables of the public schema that have a workspace_id column. */
export async function listWorkspaceTables(db: Executor): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    select c.table_name from information_schema.columns c
    join information_schema.tables t
      on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = current_schema() and c.column_name = 'workspace_id'
      and t.table_type = 'BASE TABLE'
    order by c.table_name`.execute(db);
  return rows.map((row) => row.table_name);
}

export async function describeTable(db: Executor, table: string): Promise<TableShape> {
  const key = await sql<{ name: string }>`
    select a.attname as name
    from pg_index i
    join unnest(i.indkey::int2[]) with ordinality as k(attnum, position) on true
    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
    where i.indrelid = ${table}::regclass and i.indisprimary
    order by k.position`.execute(db);
  const columns = await sql<{ name: string }>`
    select column_name as name from information_schema.columns
    where table_schema = current_schema() and table_name = ${table} and is_generated = 'NEVER'
    order by ordinal_position`.execute(db);
  return {
    key: key.rows.map((row) => row.name).filter((name) => name !== 'workspace_id'),
    columns: new Set(columns.rows.map((row) => row.name)),
  };
}

/** Names of the migrations this database has run (the schema version of an export). */
export async function listAppliedMigrations(db: Executor): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select name from kysely_migration order by name`.execute(db);
  return rows.map((row) => row.name);
}

function columnList(columns: readonly string[]): RawBuilder<unknown> {
  return sql.join(columns.map((column) => sql.ref(column)));
}

/**
 * One page of a table's rows of a workspace as JSON objects (workspace_id and the columns in
 * `leaveOut` removed), in primary-key order after `after` (the last page's key values).
 */
export async function readPage(
  db: Executor,
  workspaceId: string,
  table: string,
  key: readonly string[],
  leaveOut: readonly string[],
  after: unknown[] | undefined,
  limit: number,
): Promise<JsonRow[]> {
  const t = sql.table(table);
  const removed = ['workspace_id', ...leaveOut].map((column) => sql` - ${column}::text`);
  const next = after
    ? sql`and (${columnList(key)}) > (${sql.join(after.map((value) => sql`${value}`))})`
    : sql``;
  const { rows } = await sql<{ row: JsonRow }>`
    select to_jsonb(r) ${sql.join(removed, sql` `)} as row from ${t} r
    where workspace_id = ${workspaceId} ${next}
    order by ${columnList(key)} limit ${limit}`.execute(db);
  return rows.map((row) => row.row);
}

/** The workspace row and its memberships' users, as JSON objects. */
export async function readWorkspaceRow(db: Executor, workspaceId: string) {
  const { rows } = await sql<{ row: JsonRow }>`
    select to_jsonb(w) as row from workspaces w where id = ${workspaceId}`.execute(db);
  return rows[0]?.row;
}

/** Users of the workspace's memberships, without what only their sign-in needs. */
export async function readMemberUsers(db: Executor, workspaceId: string) {
  const { rows } = await sql<{ row: JsonRow }>`
    select to_jsonb(u) - 'password_hash' - 'is_instance_admin' as row
    from users u join memberships m on m.user_id = u.id
    where m.workspace_id = ${workspaceId} order by u.id`.execute(db);
  return rows.map((row) => row.row);
}

/** Inserts rows given as JSON objects (the columns they name; defaults for the rest). */
export async function insertRows(
  db: Executor,
  table: string,
  columns: readonly string[],
  rows: readonly JsonRow[],
) {
  if (rows.length === 0) return;
  const t = sql.table(table);
  await sql`
    insert into ${t} (${columnList(columns)})
    select ${columnList(columns)} from jsonb_populate_recordset(null::${t}, ${JSON.stringify(rows)}::jsonb)
  `.execute(db);
}

/** Sets `column` of the rows named by their key columns (the deferred references of an import). */
export async function updateColumn(
  db: Executor,
  workspaceId: string,
  table: string,
  key: readonly string[],
  column: string,
  rows: readonly JsonRow[],
) {
  if (rows.length === 0) return;
  const t = sql.table(table);
  const matches = key.map((name) => sql`t.${sql.ref(name)} = v.${sql.ref(name)}`);
  await sql`
    update ${t} t set ${sql.ref(column)} = v.${sql.ref(column)}
    from jsonb_populate_recordset(null::${t}, ${JSON.stringify(rows)}::jsonb) v
    where t.workspace_id = ${workspaceId} and ${sql.join(matches, sql` and `)}
  `.execute(db);
}

/** Inserts a new workspace from an exported row under a new id. */
export async function insertWorkspace(db: Executor, row: JsonRow, columns: readonly string[]) {
  const { rows } = await sql<{ id: string }>`
    insert into workspaces (${columnList(columns)})
    select ${columnList(columns)} from jsonb_populate_record(null::workspaces, ${JSON.stringify(row)}::jsonb)
    returning id`.execute(db);
  return rows[0]!.id;
}

export async function findUsers(db: Executor, ids: string[], emails: string[]) {
  if (ids.length === 0 && emails.length === 0) return [];
  const { rows } = await sql<{ id: string; email: string }>`
    select id, lower(email) as email from users
    where id = any(${ids}::uuid[]) or lower(email) = any(${emails}::text[])`.execute(db);
  return rows;
}

export async function insertUsers(db: Executor, rows: readonly JsonRow[]) {
  if (rows.length === 0) return;
  // No password: an imported person signs in after an admin invites them or resets it.
  await sql`
    insert into users (id, email, name, is_active, created_at, updated_at)
    select id, email, name, is_active, created_at, updated_at
    from jsonb_populate_recordset(null::users, ${JSON.stringify(rows)}::jsonb)`.execute(db);
}

/** Makes `userId` an active admin of the new workspace (the person who imported it). */
export async function ensureAdminMembership(
  db: Executor,
  workspaceId: string,
  userId: string,
  now: Date,
) {
  await sql`
    insert into memberships (workspace_id, user_id, role, is_active, created_at, updated_at)
    values (${workspaceId}, ${userId}, 'admin', true, ${now}, ${now})
    on conflict (workspace_id, user_id)
    do update set role = 'admin', is_active = true, updated_at = ${now}
    where memberships.role <> 'admin' or not memberships.is_active`.execute(db);
}

/** Which of these users are members (active or not) of a workspace on this server. */
export async function findMembersOf(db: Executor, workspaceId: string, userIds: string[]) {
  if (userIds.length === 0) return new Set<string>();
  const { rows } = await sql<{ user_id: string }>`
    select user_id from memberships
    where workspace_id = ${workspaceId}::uuid and user_id = any(${userIds}::uuid[])`.execute(db);
  return new Set(rows.map((row) => row.user_id));
}
