// The SQL of privacy requests. An erasure reaches into several modules' tables (the contact, its
// leads' free text, their timeline and tasks, and the audit log's snapshots) and must be one
// transaction with one rule set, so its writes live here rather than as a "clear this" function
// in each module. Every query is scoped by workspace_id.
import { sql } from 'kysely';
import type { Executor } from '../../platform/audit.js';
import type { AuditLogRow } from '../../platform/db/schema.js';

export function lockContact(db: Executor, workspaceId: string, contactId: string) {
  return db
    .selectFrom('contacts')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', contactId)
    .forUpdate()
    .executeTakeFirst();
}

/** Contacts merged into these ones, at any depth (the same person's earlier records). */
export async function findMergedContacts(db: Executor, workspaceId: string, contactId: string) {
  const { rows } = await sql<{ id: string }>`
    with recursive merged(id) as (
      select id from contacts where workspace_id = ${workspaceId} and merged_into_id = ${contactId}
      union
      select c.id from contacts c join merged m on c.merged_into_id = m.id
      where c.workspace_id = ${workspaceId}
    )
    select id from merged`.execute(db);
  return rows.map((row) => row.id);
}

export function listContactRows(db: Executor, workspaceId: string, contactIds: string[]) {
  return db
    .selectFrom('contacts')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', contactIds)
    .orderBy('created_at')
    .execute();
}

export function listLeadRows(db: Executor, workspaceId: string, contactIds: string[]) {
  return db
    .selectFrom('leads')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('contact_id', 'in', contactIds)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Timeline entries of the contacts or of their leads, newest first. */
export function listActivityRows(
  db: Executor,
  workspaceId: string,
  contactIds: string[],
  leadIds: string[],
) {
  return db
    .selectFrom('activities')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where((eb) =>
      eb.or([
        eb('contact_id', 'in', contactIds),
        ...(leadIds.length > 0 ? [eb('lead_id', 'in', leadIds)] : []),
      ]),
    )
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export function listTaskRows(
  db: Executor,
  workspaceId: string,
  contactIds: string[],
  leadIds: string[],
) {
  return db
    .selectFrom('tasks')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where((eb) =>
      eb.or([
        eb('contact_id', 'in', contactIds),
        ...(leadIds.length > 0 ? [eb('lead_id', 'in', leadIds)] : []),
      ]),
    )
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Anonymises contacts: no name, ways to reach them, address, notes, tags or custom values. */
export async function eraseContacts(
  db: Executor,
  workspaceId: string,
  contactIds: string[],
  erasedBy: string | null,
  now: Date,
) {
  await db
    .deleteFrom('contact_points')
    .where('workspace_id', '=', workspaceId)
    .where('contact_id', 'in', contactIds)
    .execute();
  return db
    .updateTable('contacts')
    .set((eb) => ({
      first_name: '',
      last_name: 'Erased contact',
      emails: '[]',
      phones: '[]',
      address: JSON.stringify(null),
      preferred_time: '',
      tags: [],
      notes: '',
      custom_fields: '{}',
      opt_in_email: false,
      opt_in_sms: false,
      // An erased person must not be contacted again from this record.
      do_not_contact: true,
      archived_at: eb.fn.coalesce('archived_at', eb.val(now)),
      erased_at: now,
      erased_by: erasedBy,
      version: eb('version', '+', 1),
      updated_at: now,
    }))
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', contactIds)
    .returningAll()
    .execute();
}

export async function updateLeadText(
  db: Executor,
  workspaceId: string,
  leadId: string,
  text: { title: string; description: string; companyName: string; lostNotes: string },
  now: Date,
) {
  // A new version: an edit begun before the erasure must not write the old text back (412).
  await db
    .updateTable('leads')
    .set((eb) => ({
      version: eb('version', '+', 1),
      updated_at: now,
      title: text.title,
      description: text.description,
      company_name: text.companyName,
      lost_notes: text.lostNotes,
      // A copy of the latest touch's notes: the person's own words, like an activity's body.
      last_contact_notes: '',
    }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', leadId)
    .execute();
}

export async function updateActivityText(
  db: Executor,
  workspaceId: string,
  activityId: string,
  text: { subject: string; body: string; nextStep: string; details: Record<string, unknown> },
) {
  await db
    .updateTable('activities')
    .set({
      subject: text.subject,
      body: text.body,
      next_step: text.nextStep,
      details: JSON.stringify(text.details),
    })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', activityId)
    .execute();
}

export async function updateTaskText(
  db: Executor,
  workspaceId: string,
  taskId: string,
  text: { title: string; description: string },
  now: Date,
) {
  await db
    .updateTable('tasks')
    .set((eb) => ({
      title: text.title,
      description: text.description,
      version: eb('version', '+', 1),
      updated_at: now,
    }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', taskId)
    .execute();
}

/**
 * Audit rows about these records, or whose snapshots hold one of these exact strings (an email
 * or phone is the person's, wherever it appears).
 */
export async function findAuditRows(
  db: Executor,
  workspaceId: string,
  entityIds: string[],
  exactValues: string[],
): Promise<AuditLogRow[]> {
  const patterns = exactValues.map((value) => `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  return db
    .selectFrom('audit_log')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where((eb) =>
      eb.or([
        eb('entity_id', 'in', entityIds),
        ...(patterns.length > 0
          ? [sql<boolean>`changes::text ilike any(${patterns}::text[])`]
          : []),
      ]),
    )
    .execute();
}

/** Rewrites an audit row's snapshots; allowed by the trigger only while erasing (migration 0014). */
export async function rewriteAuditChanges(
  db: Executor,
  workspaceId: string,
  auditId: string,
  changes: Record<string, { before: unknown; after: unknown }>,
) {
  await sql`select set_config('leadkeeper.erasing', 'on', true)`.execute(db);
  await db
    .updateTable('audit_log')
    .set({ changes: JSON.stringify(changes) })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', auditId)
    .execute();
}
