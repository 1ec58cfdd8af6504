// The only SQL for contacts and their contact points; every function is scoped by workspace.
import { sql } from 'kysely';
import type { Executor } from '../../platform/audit.js';
import type {
  Address,
  ContactEmail,
  ContactPhone,
  LifecycleStage,
  PreferredChannel,
} from '../../platform/db/schema.js';

export interface ContactValues {
  firstName: string;
  lastName: string;
  emails: ContactEmail[];
  phones: ContactPhone[];
  address: Address | null;
  preferredChannel: PreferredChannel;
  preferredTime: string;
  lifecycleStage: LifecycleStage;
  tags: string[];
  optInEmail: boolean;
  optInSms: boolean;
  doNotContact: boolean;
  notes: string;
  companyId: string | null;
  /** As stored: sensitive values already encrypted. */
  customFields?: Record<string, unknown>;
}

function toColumns(values: Partial<ContactValues>) {
  return {
    ...(values.firstName !== undefined ? { first_name: values.firstName } : {}),
    ...(values.lastName !== undefined ? { last_name: values.lastName } : {}),
    ...(values.emails !== undefined ? { emails: JSON.stringify(values.emails) } : {}),
    ...(values.phones !== undefined ? { phones: JSON.stringify(values.phones) } : {}),
    ...(values.address !== undefined ? { address: JSON.stringify(values.address) } : {}),
    ...(values.preferredChannel !== undefined
      ? { preferred_channel: values.preferredChannel }
      : {}),
    ...(values.preferredTime !== undefined ? { preferred_time: values.preferredTime } : {}),
    ...(values.lifecycleStage !== undefined ? { lifecycle_stage: values.lifecycleStage } : {}),
    ...(values.tags !== undefined ? { tags: values.tags } : {}),
    ...(values.optInEmail !== undefined ? { opt_in_email: values.optInEmail } : {}),
    ...(values.optInSms !== undefined ? { opt_in_sms: values.optInSms } : {}),
    ...(values.doNotContact !== undefined ? { do_not_contact: values.doNotContact } : {}),
    ...(values.notes !== undefined ? { notes: values.notes } : {}),
    ...(values.companyId !== undefined ? { company_id: values.companyId } : {}),
    ...(values.customFields !== undefined
      ? { custom_fields: JSON.stringify(values.customFields) }
      : {}),
  };
}

export function findContact(db: Executor, workspaceId: string, contactId: string) {
  return db
    .selectFrom('contacts')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', contactId)
    .executeTakeFirst();
}

/** Names of the workspace's active contacts among the ids (for lists of leads). */
export function findContactNames(db: Executor, workspaceId: string, contactIds: string[]) {
  return db
    .selectFrom('contacts')
    .select(['id', 'first_name', 'last_name'])
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', sql<string>`any(${contactIds}::uuid[])`)
    .where('archived_at', 'is', null)
    .execute();
}

/** Locks contacts for the rest of the transaction, in id order (so two merges can't deadlock). */
export function lockContacts(db: Executor, workspaceId: string, contactIds: string[]) {
  return db
    .selectFrom('contacts')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', contactIds)
    .orderBy('id')
    .forUpdate()
    .execute();
}

export function insertContact(
  db: Executor,
  workspaceId: string,
  values: ContactValues,
  createdBy: string | null,
  now: Date,
) {
  return db
    .insertInto('contacts')
    .values({
      ...toColumns(values),
      workspace_id: workspaceId,
      emails: JSON.stringify(values.emails),
      phones: JSON.stringify(values.phones),
      address: JSON.stringify(values.address),
      preferred_channel: values.preferredChannel,
      lifecycle_stage: values.lifecycleStage,
      first_name: values.firstName,
      last_name: values.lastName,
      preferred_time: values.preferredTime,
      tags: values.tags,
      opt_in_email: values.optInEmail,
      opt_in_sms: values.optInSms,
      do_not_contact: values.doNotContact,
      notes: values.notes,
      company_id: values.companyId,
      created_by: createdBy,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateContactRow(
  db: Executor,
  workspaceId: string,
  contactId: string,
  patch: Partial<ContactValues> & { archivedAt?: Date | null; mergedIntoId?: string },
  now: Date,
) {
  return db
    .updateTable('contacts')
    .set((eb) => ({
      ...toColumns(patch),
      ...(patch.archivedAt !== undefined ? { archived_at: patch.archivedAt } : {}),
      ...(patch.mergedIntoId !== undefined ? { merged_into_id: patch.mergedIntoId } : {}),
      version: eb('version', '+', 1),
      updated_at: now,
    }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', contactId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Rewrites the normalised emails (lower-case) and phones (E.164) of a contact. */
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
  await insertContactPoints(db, workspaceId, contactId, emails, phones);
}

/** The normalised emails and phones of a contact that has none yet (a new one). */
export async function insertContactPoints(
  db: Executor,
  workspaceId: string,
  contactId: string,
  emails: string[],
  phones: string[],
) {
  const rows = [
    ...emails.map((value, position) => ({ kind: 'email' as const, value, position })),
    ...phones.map((value, position) => ({ kind: 'phone' as const, value, position })),
  ];
  if (rows.length === 0) return;
  await db
    .insertInto('contact_points')
    .values(rows.map((row) => ({ ...row, workspace_id: workspaceId, contact_id: contactId })))
    .execute();
}

/** Active contacts that share any of these emails or phones, with what matched. */
export function findContactsByPoints(
  db: Executor,
  workspaceId: string,
  emails: string[],
  phones: string[],
  excludeContactId: string | null,
) {
  if (emails.length === 0 && phones.length === 0) return Promise.resolve([]);
  let query = db
    .selectFrom('contact_points as p')
    .innerJoin('contacts as c', (join) =>
      join.onRef('c.workspace_id', '=', 'p.workspace_id').onRef('c.id', '=', 'p.contact_id'),
    )
    .select(['c.id', 'c.first_name', 'c.last_name', 'p.kind', 'p.value'])
    .where('p.workspace_id', '=', workspaceId)
    .where('c.archived_at', 'is', null)
    .where((eb) =>
      eb.or([
        ...(emails.length > 0
          ? [eb.and([eb('p.kind', '=', 'email'), eb('p.value', 'in', emails)])]
          : []),
        ...(phones.length > 0
          ? [eb.and([eb('p.kind', '=', 'phone'), eb('p.value', 'in', phones)])]
          : []),
      ]),
    );
  if (excludeContactId) query = query.where('c.id', '!=', excludeContactId);
  return query.orderBy('c.id').execute();
}

export function listContacts(
  db: Executor,
  workspaceId: string,
  filter: {
    q?: string | undefined;
    qPhone?: string | undefined;
    companyId?: string | undefined;
    lifecycleStage?: LifecycleStage | undefined;
    tag?: string | undefined;
    includeArchived: boolean;
    after?: [string, string, string] | undefined;
    limit: number;
  },
) {
  let query = db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId);
  if (!filter.includeArchived) query = query.where('archived_at', 'is', null);
  if (filter.companyId) query = query.where('company_id', '=', filter.companyId);
  if (filter.lifecycleStage) query = query.where('lifecycle_stage', '=', filter.lifecycleStage);
  if (filter.tag) query = query.where(sql<boolean>`${filter.tag} = any(tags)`);
  if (filter.q) {
    const pattern = `%${filter.q.replace(/[\\%_]/g, '\\$&')}%`;
    const phone = filter.qPhone;
    query = query.where((eb) =>
      eb.or([
        eb(sql<string>`first_name || ' ' || last_name`, 'ilike', pattern),
        eb.exists(
          eb
            .selectFrom('contact_points as p')
            .select('p.contact_id')
            .whereRef('p.workspace_id', '=', 'contacts.workspace_id')
            .whereRef('p.contact_id', '=', 'contacts.id')
            .where((inner) =>
              inner.or([
                inner('p.value', 'ilike', pattern),
                ...(phone ? [inner('p.value', '=', phone)] : []),
              ]),
            ),
        ),
      ]),
    );
  }
  if (filter.after) {
    const [lastName, firstName, id] = filter.after;
    query = query.where(
      sql<boolean>`(lower(last_name), lower(first_name), id) > (${lastName}::text, ${firstName}::text, ${id}::uuid)`,
    );
  }
  return query
    .orderBy(sql`lower(last_name)`)
    .orderBy(sql`lower(first_name)`)
    .orderBy('id')
    .limit(filter.limit + 1)
    .execute();
}

/** A full name as the name indexes of migration 0009 see it. */
const fullName = sql<string>`lower(first_name || ' ' || last_name)`;

/**
 * Up to `limit` active contacts whose full name is at least `threshold` similar (pg_trgm) to
 * this one's, most similar first. Candidates are people with the same full name, or sharing a
 * match key: the first letter and first four letters of the last name, or the first name and
 * the first two letters of the last name (migration 0009). When `limit` people have the very
 * same name, nothing else is looked at.
 */
export function findSimilarContacts(
  db: Executor,
  workspaceId: string,
  name: { firstName: string; lastName: string },
  threshold: number,
  excludeContactId: string | null,
  limit = 5,
) {
  // Lower-cased by the database, as the indexed expressions are.
  const first = sql<string>`lower(${name.firstName}::text)`;
  const last = sql<string>`lower(${name.lastName}::text)`;
  const target = sql<string>`lower(${name.firstName}::text || ' ' || ${name.lastName}::text)`;
  const activeContacts = () =>
    db
      .selectFrom('contacts')
      .select(['id', 'first_name', 'last_name'])
      .where('workspace_id', '=', workspaceId)
      .where('archived_at', 'is', null);
  const others = (query: ReturnType<typeof activeContacts>) =>
    excludeContactId ? query.where('id', '!=', excludeContactId) : query;
  return db
    .with(
      'same_name',
      () =>
        others(activeContacts())
          .select(sql<number>`1`.as('similarity'))
          .where(fullName, '=', target)
          .limit(limit), // any of them: ordering by id here walks the primary key instead
    )
    .with('near', () =>
      others(activeContacts())
        .select(sql<number>`similarity(${fullName}, ${target})`.as('similarity'))
        .where(fullName, '!=', target)
        .where(sql<boolean>`(select count(*) from same_name) < ${limit}`)
        .where((eb) =>
          eb.or([
            eb.and([
              eb(sql`left(lower(last_name), 4)`, '=', sql`left(${last}, 4)`),
              eb(sql`left(lower(first_name), 1)`, '=', sql`left(${first}, 1)`),
            ]),
            eb.and([
              eb(sql`lower(first_name)`, '=', first),
              eb(sql`left(lower(last_name), 2)`, '=', sql`left(${last}, 2)`),
            ]),
          ]),
        ),
    )
    .selectFrom('same_name')
    .selectAll()
    .unionAll((qb) => qb.selectFrom('near').selectAll().where('similarity', '>=', threshold))
    .orderBy('similarity', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
}
