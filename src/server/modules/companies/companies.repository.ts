// The only SQL for companies; every function is scoped by workspace.
import { sql } from 'kysely';
import type { Executor } from '../../platform/audit.js';
import type { Address, CompanyStatus, CompanyType } from '../../platform/db/schema.js';

export interface CompanyValues {
  name: string;
  type: CompanyType;
  mainPhone: string | null;
  mainPhoneE164: string | null;
  website: string | null;
  industry: string | null;
  billingAddress: Address | null;
  status: CompanyStatus;
  primaryContactId: string | null;
  /** As stored: sensitive values already encrypted. */
  customFields?: Record<string, unknown>;
}

function toColumns(values: Partial<CompanyValues>) {
  return {
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values.type !== undefined ? { type: values.type } : {}),
    ...(values.mainPhone !== undefined ? { main_phone: values.mainPhone } : {}),
    ...(values.mainPhoneE164 !== undefined ? { main_phone_e164: values.mainPhoneE164 } : {}),
    ...(values.website !== undefined ? { website: values.website } : {}),
    ...(values.industry !== undefined ? { industry: values.industry } : {}),
    ...(values.billingAddress !== undefined
      ? { billing_address: JSON.stringify(values.billingAddress) }
      : {}),
    ...(values.status !== undefined ? { status: values.status } : {}),
    ...(values.primaryContactId !== undefined
      ? { primary_contact_id: values.primaryContactId }
      : {}),
    ...(values.customFields !== undefined
      ? { custom_fields: JSON.stringify(values.customFields) }
      : {}),
  };
}

/** Names of the workspace's companies among the ids (for exports that show a company's name). */
export function findCompanyNames(db: Executor, workspaceId: string, companyIds: string[]) {
  return db
    .selectFrom('companies')
    .select(['id', 'name'])
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', sql<string>`any(${companyIds}::uuid[])`)
    .execute();
}

export function findCompany(db: Executor, workspaceId: string, companyId: string) {
  return db
    .selectFrom('companies')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', companyId)
    .executeTakeFirst();
}

export function insertCompany(
  db: Executor,
  workspaceId: string,
  values: CompanyValues,
  createdBy: string | null,
  now: Date,
) {
  return db
    .insertInto('companies')
    .values({
      workspace_id: workspaceId,
      ...toColumns(values),
      name: values.name,
      type: values.type,
      status: values.status,
      billing_address: JSON.stringify(values.billingAddress),
      created_by: createdBy,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateCompanyRow(
  db: Executor,
  workspaceId: string,
  companyId: string,
  patch: Partial<CompanyValues> & { archivedAt?: Date | null },
  now: Date,
) {
  return db
    .updateTable('companies')
    .set((eb) => ({
      ...toColumns(patch),
      ...(patch.archivedAt !== undefined ? { archived_at: patch.archivedAt } : {}),
      version: eb('version', '+', 1),
      updated_at: now,
    }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', companyId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function listCompanies(
  db: Executor,
  workspaceId: string,
  filter: {
    q?: string | undefined;
    status?: CompanyStatus | undefined;
    includeArchived: boolean;
    after?: [string, string] | undefined;
    limit: number;
  },
) {
  let query = db.selectFrom('companies').selectAll().where('workspace_id', '=', workspaceId);
  if (!filter.includeArchived) query = query.where('archived_at', 'is', null);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.q) {
    query = query.where('name', 'ilike', `%${filter.q.replace(/[\\%_]/g, '\\$&')}%`);
  }
  if (filter.after) {
    const [name, id] = filter.after;
    query = query.where((eb) =>
      eb.or([eb('name', '>', name), eb.and([eb('name', '=', name), eb('id', '>', id)])]),
    );
  }
  return query
    .orderBy('name')
    .orderBy('id')
    .limit(filter.limit + 1)
    .execute();
}

/** Active companies whose name is at least `threshold` similar (pg_trgm) to `name`. */
export function findSimilarCompanies(
  db: Executor,
  workspaceId: string,
  name: string,
  threshold: number,
  excludeCompanyId: string | null,
  limit = 5,
) {
  const target = name.toLowerCase();
  // The trigram GiST index yields the nearest names first; the threshold applies to those few.
  let nearest = db
    .selectFrom('companies')
    .select(['id', 'name'])
    .select(sql<number>`similarity(lower(name), ${target})`.as('similarity'))
    .where('workspace_id', '=', workspaceId)
    .where('archived_at', 'is', null);
  if (excludeCompanyId) nearest = nearest.where('id', '!=', excludeCompanyId);
  return db
    .selectFrom(
      nearest
        .orderBy(sql`lower(name) <-> ${target}`)
        .limit(limit)
        .as('nearest'),
    )
    .selectAll()
    .where('similarity', '>=', threshold)
    .orderBy('similarity', 'desc')
    .orderBy('id')
    .execute();
}

/** Points companies whose primary contact was merged away at the survivor. */
export function relinkPrimaryContact(
  db: Executor,
  workspaceId: string,
  fromContactId: string,
  toContactId: string,
  now: Date,
) {
  return db
    .updateTable('companies')
    .set((eb) => ({
      primary_contact_id: toContactId,
      version: eb('version', '+', 1),
      updated_at: now,
    }))
    .where('workspace_id', '=', workspaceId)
    .where('primary_contact_id', '=', fromContactId)
    .execute();
}
