// The only SQL of imports; every function is scoped by workspace. Besides its own tables, an
// import writes leads, contacts, contact points, companies and stage history in bulk: one
// statement per table and batch (unnest of column arrays), which the per-record repositories of
// those modules don't offer (docs/decisions/020). The lead search document is kept by its
// trigger (migration 0010) as for any other writer.
import { sql, type RawBuilder, type Updateable } from 'kysely';
import { PLAN_EACH_TIME } from '../../platform/db/prepared-statements.js';
import type { Executor } from '../../platform/audit.js';
import type {
  CompaniesTable,
  ContactsTable,
  LeadsTable,
  ImportEntityName,
  ImportsTable,
  ImportStatus,
  DuplicatePolicy,
} from '../../platform/db/schema.js';

export function insertImport(
  db: Executor,
  values: {
    workspaceId: string;
    id: string;
    fileName: string;
    createdBy: string | null;
    now: Date;
  },
) {
  return db
    .insertInto('imports')
    .values({
      workspace_id: values.workspaceId,
      id: values.id,
      entity: 'leads',
      status: 'queued',
      file_name: values.fileName,
      created_by: values.createdBy,
      created_at: values.now,
      updated_at: values.now,
    })
    .execute();
}

export function findImport(db: Executor, workspaceId: string, importId: string) {
  return db
    .selectFrom('imports')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', importId)
    .executeTakeFirst();
}

/** Any workspace's import by id (the job knows the workspace from its data; this checks it). */
export function lockImport(db: Executor, workspaceId: string, importId: string) {
  return db
    .selectFrom('imports')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', importId)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * Takes an import to run: a queued one, or a running one whose runner stopped writing progress
 * before `staleBefore` (it crashed). Undefined when another runner has it or it is over.
 */
export function claimImport(
  db: Executor,
  workspaceId: string,
  importId: string,
  now: Date,
  staleBefore: Date,
) {
  return db
    .updateTable('imports')
    .set((eb) => ({
      status: 'running',
      started_at: eb.fn.coalesce('started_at', sql<Date>`${now}::timestamptz`),
      updated_at: now,
    }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', importId)
    .where((eb) =>
      eb.or([
        eb('status', '=', 'queued'),
        eb.and([eb('status', '=', 'running'), eb('updated_at', '<', staleBefore)]),
      ]),
    )
    .returningAll()
    .executeTakeFirst();
}

export function updateImport(
  db: Executor,
  workspaceId: string,
  importId: string,
  patch: Omit<Updateable<ImportsTable>, 'workspace_id' | 'id'>,
  now: Date,
) {
  return db
    .updateTable('imports')
    .set({ ...patch, updated_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', importId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Adds counts of a committed batch to the import's progress. */
export function addProgress(
  db: Executor,
  workspaceId: string,
  importId: string,
  counts: {
    processed: number;
    created: number;
    updated: number;
    skipped: number;
    failed: number;
    errors: number;
  },
  now: Date,
) {
  return db
    .updateTable('imports')
    .set((eb) => ({
      processed_rows: eb('processed_rows', '+', counts.processed),
      created_count: eb('created_count', '+', counts.created),
      updated_count: eb('updated_count', '+', counts.updated),
      skipped_count: eb('skipped_count', '+', counts.skipped),
      failed_count: eb('failed_count', '+', counts.failed),
      error_count: eb('error_count', '+', counts.errors),
      updated_at: now,
    }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', importId)
    .returning(['is_cancel_requested', 'status'])
    .executeTakeFirstOrThrow();
}

export function deleteImport(db: Executor, workspaceId: string, importId: string) {
  return db
    .deleteFrom('imports')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', importId)
    .execute();
}

export function listImports(
  db: Executor,
  workspaceId: string,
  page: { limit: number; after?: [string, string] | undefined },
) {
  let query = db.selectFrom('imports').selectAll().where('workspace_id', '=', workspaceId);
  if (page.after) {
    query = query.where(
      sql<boolean>`(created_at, id) < (${page.after[0]}::timestamptz, ${page.after[1]}::uuid)`,
    );
  }
  return query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1)
    .execute();
}

export function appendChunk(
  db: Executor,
  workspaceId: string,
  importId: string,
  position: number,
  data: Buffer,
) {
  return db
    .insertInto('import_file_chunks')
    .values({ workspace_id: workspaceId, import_id: importId, position, data })
    .execute();
}

export async function readChunk(
  db: Executor,
  workspaceId: string,
  importId: string,
  position: number,
): Promise<Buffer | undefined> {
  const row = await db
    .selectFrom('import_file_chunks')
    .select('data')
    .where('workspace_id', '=', workspaceId)
    .where('import_id', '=', importId)
    .where('position', '=', position)
    .executeTakeFirst();
  // PGlite returns a Uint8Array, node-postgres a Buffer.
  return row ? Buffer.from(row.data.buffer, row.data.byteOffset, row.data.byteLength) : undefined;
}

export function insertErrors(
  db: Executor,
  workspaceId: string,
  importId: string,
  errors: { row: number; position: number; column: string; value: string; message: string }[],
) {
  if (errors.length === 0) return Promise.resolve();
  return sql`
    insert into import_errors (workspace_id, import_id, row_number, position, column_name, value, message)
    select ${workspaceId}::uuid, ${importId}::uuid, t.*
    from unnest(${errors.map((e) => e.row)}::int[], ${errors.map((e) => e.position)}::int[],
      ${errors.map((e) => e.column)}::text[], ${errors.map((e) => e.value)}::text[],
      ${errors.map((e) => e.message)}::text[])
      as t(row_number, position, column_name, value, message)
    on conflict do nothing`
    .execute(db)
    .then(() => undefined);
}

export function listErrors(
  db: Executor,
  workspaceId: string,
  importId: string,
  page: { after?: [number, number] | undefined; limit: number },
) {
  let query = db
    .selectFrom('import_errors')
    .select(['row_number', 'position', 'column_name', 'value', 'message'])
    .where('workspace_id', '=', workspaceId)
    .where('import_id', '=', importId);
  if (page.after) {
    query = query.where(
      sql<boolean>`(row_number, position) > (${page.after[0]}::int, ${page.after[1]}::int)`,
    );
  }
  return query.orderBy('row_number').orderBy('position').limit(page.limit).execute();
}

export function deleteErrors(db: Executor, workspaceId: string, importId: string) {
  return db
    .deleteFrom('import_errors')
    .where('workspace_id', '=', workspaceId)
    .where('import_id', '=', importId)
    .execute();
}

// Duplicate lookups, one statement per batch.

export function findRowKeys(
  db: Executor,
  workspaceId: string,
  entity: ImportEntityName,
  keys: string[],
) {
  if (keys.length === 0) return Promise.resolve([]);
  return (
    db
      .selectFrom('import_row_keys')
      .select(['key', 'record_id'])
      .where('workspace_id', '=', workspaceId)
      .where('entity', '=', entity)
      // Planned each time: the table grows during an import, and a generic plan made while it was
      // small scanned it whole for every batch (the import slowed from 2,400 to 1,000 rows/s).
      .where('key', '=', sql<string>`${sql.raw(PLAN_EACH_TIME)} any(${keys}::text[])`)
      .execute()
  );
}

export function insertRowKeys(
  db: Executor,
  workspaceId: string,
  entity: ImportEntityName,
  importId: string,
  rows: { key: string; recordId: string }[],
) {
  if (rows.length === 0) return Promise.resolve();
  return sql`
    insert into import_row_keys (workspace_id, entity, key, record_id, import_id)
    select ${workspaceId}::uuid, ${entity}, t.key, t.record_id, ${importId}::uuid
    from unnest(${rows.map((r) => r.key)}::text[], ${rows.map((r) => r.recordId)}::uuid[])
      as t(key, record_id)
    on conflict (workspace_id, entity, key) do nothing`
    .execute(db)
    .then(() => undefined);
}

/** Active contacts holding any of these (normalised) emails or E.164 phones — the API's rule. */
export function findContactsByPoints(
  db: Executor,
  workspaceId: string,
  emails: string[],
  phones: string[],
) {
  if (emails.length === 0 && phones.length === 0) return Promise.resolve([]);
  return sql<{ kind: 'email' | 'phone'; value: string; contact_id: string }>`
    select p.kind, p.value, p.contact_id
    from contact_points p
    join contacts c on c.workspace_id = p.workspace_id and c.id = p.contact_id
    where p.workspace_id = ${workspaceId}::uuid and c.archived_at is null
      and ((p.kind = 'email' and p.value = any(${emails}::text[]))
        or (p.kind = 'phone' and p.value = any(${phones}::text[])))`
    .execute(db)
    .then((result) => result.rows);
}

/** Active companies with these names (case-insensitive), the oldest first. */
export function findCompaniesByNames(db: Executor, workspaceId: string, names: string[]) {
  if (names.length === 0) return Promise.resolve([]);
  return sql<{ id: string; name: string }>`
    select id, lower(name) as name from companies
    where workspace_id = ${workspaceId}::uuid and archived_at is null
      and lower(name) = any(${names}::text[])
    order by created_at`
    .execute(db)
    .then((result) => result.rows);
}

/** The newest active lead of each contact. */
export function findLatestLeadsOfContacts(db: Executor, workspaceId: string, contactIds: string[]) {
  if (contactIds.length === 0) return Promise.resolve([]);
  return sql<{ id: string; contact_id: string }>`
    select distinct on (contact_id) id, contact_id from leads
    where workspace_id = ${workspaceId}::uuid and archived_at is null
      and contact_id = any(${contactIds}::uuid[])
    order by contact_id, created_at desc`
    .execute(db)
    .then((result) => result.rows);
}

/** Which of these records still exist and are active. */
export function findActiveIds(
  db: Executor,
  workspaceId: string,
  table: 'leads' | 'contacts' | 'companies',
  ids: string[],
) {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom(table)
    .select(['id'])
    .where('workspace_id', '=', workspaceId)
    .where('archived_at', 'is', null)
    .where('id', '=', sql<string>`any(${ids}::uuid[])`)
    .execute();
}

// Bulk inserts: one statement per table and batch, the columns as arrays.

interface Column {
  name: string;
  type: string;
  values: unknown[];
  /** An expression over `t.<name>` when the column isn't the array element as it is. */
  expr?: string;
}

function bulkInsert(
  db: Executor,
  table: string,
  workspaceId: string,
  columns: Column[],
): Promise<void> {
  if ((columns[0]?.values.length ?? 0) === 0) return Promise.resolve();
  const names = columns.map((c) => sql.raw(c.name));
  const selected = columns.map((c) => sql.raw(c.expr ?? `t.${c.name}`));
  const arrays: RawBuilder<unknown>[] = columns.map((c) => sql`${c.values}::${sql.raw(c.type)}[]`);
  return sql`
    insert into ${sql.table(table)} (workspace_id, ${sql.join(names)})
    select ${workspaceId}::uuid, ${sql.join(selected)}
    from unnest(${sql.join(arrays)}) as t(${sql.join(names)})`
    .execute(db)
    .then(() => undefined);
}

const jsonList = (name: string) => `array(select jsonb_array_elements_text(t.${name}::jsonb))`;

export interface NewContact {
  id: string;
  firstName: string;
  lastName: string;
  emails: string;
  phones: string;
  address: string;
  preferredChannel: string;
  preferredTime: string;
  lifecycleStage: string;
  tags: string;
  optInEmail: boolean;
  optInSms: boolean;
  doNotContact: boolean;
  notes: string;
  companyId: string | null;
  customFields: string;
  createdAt: string;
}

export function insertContacts(
  db: Executor,
  workspaceId: string,
  importId: string,
  createdBy: string | null,
  now: string,
  rows: NewContact[],
) {
  const col = <K extends keyof NewContact>(name: string, key: K, type: string, expr?: string) => ({
    name,
    type,
    values: rows.map((r) => r[key]),
    ...(expr ? { expr } : {}),
  });
  return bulkInsert(db, 'contacts', workspaceId, [
    col('id', 'id', 'uuid'),
    col('first_name', 'firstName', 'text'),
    col('last_name', 'lastName', 'text'),
    col('emails', 'emails', 'text', 't.emails::jsonb'),
    col('phones', 'phones', 'text', 't.phones::jsonb'),
    col('address', 'address', 'text', 't.address::jsonb'),
    col('preferred_channel', 'preferredChannel', 'text'),
    col('preferred_time', 'preferredTime', 'text'),
    col('lifecycle_stage', 'lifecycleStage', 'text'),
    col('tags', 'tags', 'text', jsonList('tags')),
    col('opt_in_email', 'optInEmail', 'boolean'),
    col('opt_in_sms', 'optInSms', 'boolean'),
    col('do_not_contact', 'doNotContact', 'boolean'),
    col('notes', 'notes', 'text'),
    col('company_id', 'companyId', 'uuid'),
    col('custom_fields', 'customFields', 'text', 't.custom_fields::jsonb'),
    col('created_at', 'createdAt', 'timestamptz'),
    { name: 'updated_at', type: 'timestamptz', values: rows.map(() => now) },
    { name: 'created_by', type: 'uuid', values: rows.map(() => createdBy) },
    { name: 'import_id', type: 'uuid', values: rows.map(() => importId) },
  ]);
}

export function insertContactPoints(
  db: Executor,
  workspaceId: string,
  points: { contactId: string; kind: 'email' | 'phone'; value: string; position: number }[],
) {
  return bulkInsert(db, 'contact_points', workspaceId, [
    { name: 'contact_id', type: 'uuid', values: points.map((p) => p.contactId) },
    { name: 'kind', type: 'text', values: points.map((p) => p.kind) },
    { name: 'value', type: 'text', values: points.map((p) => p.value) },
    { name: 'position', type: 'int', values: points.map((p) => p.position) },
  ]);
}

export interface NewLead {
  id: string;
  title: string;
  description: string;
  contactId: string | null;
  companyName: string;
  sourceId: string | null;
  sourceCampaign: string;
  sourceDetail: string;
  pipelineId: string;
  stageId: string;
  status: string;
  lostReasonId: string | null;
  lostNotes: string;
  value: number;
  currency: string;
  probability: number;
  isProbabilityOverridden: boolean;
  priority: string;
  expectedCloseDate: string | null;
  assigneeId: string | null;
  contactStatus: string;
  tags: string;
  customFields: string;
  createdAt: string;
}

export function insertLeads(
  db: Executor,
  workspaceId: string,
  importId: string,
  createdBy: string | null,
  now: string,
  rows: NewLead[],
) {
  const col = <K extends keyof NewLead>(name: string, key: K, type: string, expr?: string) => ({
    name,
    type,
    values: rows.map((r) => r[key]),
    ...(expr ? { expr } : {}),
  });
  return bulkInsert(db, 'leads', workspaceId, [
    col('id', 'id', 'uuid'),
    col('title', 'title', 'text'),
    col('description', 'description', 'text'),
    col('contact_id', 'contactId', 'uuid'),
    col('company_name', 'companyName', 'text'),
    col('source_id', 'sourceId', 'uuid'),
    col('source_campaign', 'sourceCampaign', 'text'),
    col('source_detail', 'sourceDetail', 'text'),
    col('pipeline_id', 'pipelineId', 'uuid'),
    col('stage_id', 'stageId', 'uuid'),
    col('status', 'status', 'text'),
    col('lost_reason_id', 'lostReasonId', 'uuid'),
    col('lost_notes', 'lostNotes', 'text'),
    col('value', 'value', 'bigint'),
    col('currency', 'currency', 'text'),
    col('probability', 'probability', 'int'),
    col('is_probability_overridden', 'isProbabilityOverridden', 'boolean'),
    col('priority', 'priority', 'text'),
    col('expected_close_date', 'expectedCloseDate', 'date'),
    col('assignee_id', 'assigneeId', 'uuid'),
    col('contact_status', 'contactStatus', 'text'),
    col('tags', 'tags', 'text', jsonList('tags')),
    col('custom_fields', 'customFields', 'text', 't.custom_fields::jsonb'),
    col('created_at', 'createdAt', 'timestamptz'),
    { name: 'stage_entered_at', type: 'timestamptz', values: rows.map((r) => r.createdAt) },
    { name: 'updated_at', type: 'timestamptz', values: rows.map(() => now) },
    { name: 'created_by', type: 'uuid', values: rows.map(() => createdBy) },
    { name: 'import_id', type: 'uuid', values: rows.map(() => importId) },
  ]);
}

export function insertStageHistory(
  db: Executor,
  workspaceId: string,
  movedBy: string | null,
  moves: { leadId: string; fromStageId: string | null; toStageId: string; movedAt: string }[],
) {
  return bulkInsert(db, 'stage_history', workspaceId, [
    { name: 'lead_id', type: 'uuid', values: moves.map((m) => m.leadId) },
    { name: 'from_stage_id', type: 'uuid', values: moves.map((m) => m.fromStageId) },
    { name: 'to_stage_id', type: 'uuid', values: moves.map((m) => m.toStageId) },
    { name: 'moved_at', type: 'timestamptz', values: moves.map((m) => m.movedAt) },
    { name: 'moved_by', type: 'uuid', values: moves.map(() => movedBy) },
  ]);
}

export interface NewCompany {
  id: string;
  name: string;
  type: string;
  mainPhone: string | null;
  mainPhoneE164: string | null;
  website: string | null;
  industry: string | null;
  billingAddress: string;
  customFields: string;
  createdAt: string;
}

export function insertCompanies(
  db: Executor,
  workspaceId: string,
  importId: string,
  createdBy: string | null,
  now: string,
  rows: NewCompany[],
) {
  const col = <K extends keyof NewCompany>(name: string, key: K, type: string, expr?: string) => ({
    name,
    type,
    values: rows.map((r) => r[key]),
    ...(expr ? { expr } : {}),
  });
  return bulkInsert(db, 'companies', workspaceId, [
    col('id', 'id', 'uuid'),
    col('name', 'name', 'text'),
    col('type', 'type', 'text'),
    col('main_phone', 'mainPhone', 'text'),
    col('main_phone_e164', 'mainPhoneE164', 'text'),
    col('website', 'website', 'text'),
    col('industry', 'industry', 'text'),
    col('billing_address', 'billingAddress', 'text', 't.billing_address::jsonb'),
    col('custom_fields', 'customFields', 'text', 't.custom_fields::jsonb'),
    col('created_at', 'createdAt', 'timestamptz'),
    { name: 'status', type: 'text', values: rows.map(() => 'prospect') },
    { name: 'updated_at', type: 'timestamptz', values: rows.map(() => now) },
    { name: 'created_by', type: 'uuid', values: rows.map(() => createdBy) },
    { name: 'import_id', type: 'uuid', values: rows.map(() => importId) },
  ]);
}

// Updates of existing records (the "update" duplicate policy), one record at a time.

export function findContactForUpdate(db: Executor, workspaceId: string, contactId: string) {
  return db
    .selectFrom('contacts')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', contactId)
    .forUpdate()
    .executeTakeFirst();
}

export function updateContact(
  db: Executor,
  workspaceId: string,
  contactId: string,
  patch: Updateable<ContactsTable>,
  now: Date,
) {
  return db
    .updateTable('contacts')
    .set((eb) => ({ ...patch, version: eb('version', '+', 1), updated_at: now }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', contactId)
    .execute();
}

export async function replaceContactPoints(
  db: Executor,
  workspaceId: string,
  contactId: string,
  emails: string[],
  phones: string[],
) {
  await db
    .deleteFrom('contact_points')
    .where('workspace_id', '=', workspaceId)
    .where('contact_id', '=', contactId)
    .execute();
  await insertContactPoints(db, workspaceId, [
    ...emails.map((value, position) => ({ contactId, kind: 'email' as const, value, position })),
    ...phones.map((value, position) => ({ contactId, kind: 'phone' as const, value, position })),
  ]);
}

export function findLeadForUpdate(db: Executor, workspaceId: string, leadId: string) {
  return db
    .selectFrom('leads')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', leadId)
    .forUpdate()
    .executeTakeFirst();
}

export function updateLead(
  db: Executor,
  workspaceId: string,
  leadId: string,
  patch: Updateable<LeadsTable>,
  now: Date,
) {
  return db
    .updateTable('leads')
    .set((eb) => ({ ...patch, version: eb('version', '+', 1), updated_at: now }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', leadId)
    .execute();
}

export function findCompanyForUpdate(db: Executor, workspaceId: string, companyId: string) {
  return db
    .selectFrom('companies')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', companyId)
    .forUpdate()
    .executeTakeFirst();
}

export function updateCompany(
  db: Executor,
  workspaceId: string,
  companyId: string,
  patch: Updateable<CompaniesTable>,
  now: Date,
) {
  return db
    .updateTable('companies')
    .set((eb) => ({ ...patch, version: eb('version', '+', 1), updated_at: now }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', companyId)
    .execute();
}

/** Undo: archives the active records the import created; returns their ids per table. */
export async function archiveImported(
  db: Executor,
  workspaceId: string,
  importId: string,
  now: Date,
) {
  const archive = (table: 'leads' | 'contacts' | 'companies') =>
    db
      .updateTable(table)
      .set((eb) => ({ archived_at: now, updated_at: now, version: eb('version', '+', 1) }))
      .where('workspace_id', '=', workspaceId)
      .where('import_id', '=', importId)
      .where('archived_at', 'is', null)
      .returning('id')
      .execute();
  const leads = await archive('leads');
  const contacts = await archive('contacts');
  const companies = await archive('companies');
  // The row keys go too, so the same file can be imported again after an undo.
  await db
    .deleteFrom('import_row_keys')
    .where('workspace_id', '=', workspaceId)
    .where('import_id', '=', importId)
    .execute();
  return {
    leads: leads.map((r) => r.id),
    contacts: contacts.map((r) => r.id),
    companies: companies.map((r) => r.id),
  };
}

// Saved mappings.

export function listMappings(db: Executor, workspaceId: string) {
  return db
    .selectFrom('import_mappings')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('entity')
    .orderBy(sql`lower(name)`)
    .execute();
}

export function upsertMapping(
  db: Executor,
  values: {
    workspaceId: string;
    entity: ImportEntityName;
    name: string;
    mapping: { header: string; target: string }[];
    createdBy: string | null;
    now: Date;
  },
) {
  return sql<{
    id: string;
    entity: ImportEntityName;
    name: string;
    mapping: { header: string; target: string }[];
    created_at: Date;
    updated_at: Date;
    inserted: boolean;
  }>`
    insert into import_mappings (workspace_id, entity, name, mapping, created_by, created_at, updated_at)
    values (${values.workspaceId}::uuid, ${values.entity}, ${values.name},
      ${JSON.stringify(values.mapping)}::jsonb, ${values.createdBy}::uuid, ${values.now}, ${values.now})
    on conflict (workspace_id, entity, lower(name))
      do update set mapping = excluded.mapping, updated_at = excluded.updated_at
    returning id, entity, name, mapping, created_at, updated_at, (xmax = 0) as inserted`
    .execute(db)
    .then((result) => result.rows[0]!);
}

export type { ImportStatus, DuplicatePolicy };
