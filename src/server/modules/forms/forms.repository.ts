// The only SQL for forms and their submissions; every function is scoped by workspace, except
// the public key lookup, which is how a capture finds its workspace.
import { sql } from 'kysely';
import type { Executor } from '../../platform/audit.js';
import type {
  SubmissionAdapter,
  SubmissionFields,
  SubmissionStatus,
} from '../../platform/db/schema.js';
import { newestFirst } from '../../platform/db/keyset.js';

export function findFormKey(db: Executor, key: string) {
  return db.selectFrom('form_keys').selectAll().where('key', '=', key).executeTakeFirst();
}

export function listForms(db: Executor, workspaceId: string) {
  return db
    .selectFrom('forms')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy((eb) => eb.fn('lower', ['name']))
    .orderBy('id')
    .limit(500)
    .execute();
}

export function findForm(db: Executor, workspaceId: string, formId: string, lock = false) {
  const query = db
    .selectFrom('forms')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', formId);
  return (lock ? query.forUpdate() : query).executeTakeFirst();
}

export interface FormValues {
  name: string;
  field_mapping: Record<string, string>;
  adapter_mapping: Record<string, string>;
  source_id: string | null;
  pipeline_id: string | null;
  stage_id: string | null;
  assignee_id: string | null;
  allowed_origins: string[];
  thank_you_message: string;
  redirect_url: string | null;
  honeypot_field: string;
  signing_secret: string | null;
  google_key: string | null;
  is_active: boolean;
}

function jsonColumns(values: Partial<FormValues>) {
  const { field_mapping, adapter_mapping, ...rest } = values;
  return {
    ...rest,
    ...(field_mapping !== undefined ? { field_mapping: JSON.stringify(field_mapping) } : {}),
    ...(adapter_mapping !== undefined ? { adapter_mapping: JSON.stringify(adapter_mapping) } : {}),
  };
}

export async function insertForm(
  db: Executor,
  workspaceId: string,
  key: string,
  values: FormValues,
  createdBy: string | null,
  now: Date,
) {
  const row = await db
    .insertInto('forms')
    .values({
      ...values,
      field_mapping: JSON.stringify(values.field_mapping),
      adapter_mapping: JSON.stringify(values.adapter_mapping),
      workspace_id: workspaceId,
      key,
      created_by: createdBy,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await db
    .insertInto('form_keys')
    .values({ key, workspace_id: workspaceId, form_id: row.id })
    .execute();
  return row;
}

export function updateFormRow(
  db: Executor,
  workspaceId: string,
  formId: string,
  patch: Partial<FormValues>,
  now: Date,
) {
  return db
    .updateTable('forms')
    .set((eb) => ({ ...jsonColumns(patch), version: eb('version', '+', 1), updated_at: now }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', formId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findSubmissionByKey(
  db: Executor,
  workspaceId: string,
  formId: string,
  submissionKey: string,
) {
  return db
    .selectFrom('form_submissions')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('form_id', '=', formId)
    .where('submission_key', '=', submissionKey)
    .executeTakeFirst();
}

export function findSubmission(db: Executor, workspaceId: string, id: string, lock = false) {
  const query = db
    .selectFrom('form_submissions')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id);
  return (lock ? query.forUpdate() : query).executeTakeFirst();
}

export interface NewSubmission {
  workspaceId: string;
  formId: string;
  submissionKey: string | null;
  adapter: SubmissionAdapter;
  contentType: string;
  rawBody: string;
  fields: SubmissionFields;
  status: SubmissionStatus;
  errors: { field: string; message: string }[];
  leadId?: string | null;
  contactId?: string | null;
  ip: string | null;
  userAgent: string | null;
  now: Date;
}

/** Inserts a submission; undefined when one with the same key exists already. */
export function insertSubmission(db: Executor, submission: NewSubmission) {
  return db
    .insertInto('form_submissions')
    .values({
      workspace_id: submission.workspaceId,
      form_id: submission.formId,
      submission_key: submission.submissionKey,
      adapter: submission.adapter,
      content_type: submission.contentType,
      raw_body: submission.rawBody,
      fields: JSON.stringify(submission.fields),
      status: submission.status,
      errors: JSON.stringify(submission.errors),
      lead_id: submission.leadId ?? null,
      contact_id: submission.contactId ?? null,
      ip: submission.ip,
      user_agent: submission.userAgent,
      created_at: submission.now,
      updated_at: submission.now,
    })
    .onConflict((oc) => oc.columns(['workspace_id', 'form_id', 'submission_key']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function updateSubmissionRow(
  db: Executor,
  workspaceId: string,
  id: string,
  patch: {
    status: SubmissionStatus;
    fields?: SubmissionFields;
    errors: { field: string; message: string }[];
    leadId: string | null;
    contactId: string | null;
    acceptedBy?: string | null;
  },
  now: Date,
) {
  return db
    .updateTable('form_submissions')
    .set({
      status: patch.status,
      ...(patch.fields ? { fields: JSON.stringify(patch.fields) } : {}),
      errors: JSON.stringify(patch.errors),
      lead_id: patch.leadId,
      contact_id: patch.contactId,
      ...(patch.acceptedBy !== undefined ? { accepted_by: patch.acceptedBy } : {}),
      updated_at: now,
    })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function listSubmissions(
  db: Executor,
  workspaceId: string,
  formId: string,
  filter: {
    status?: SubmissionStatus | undefined;
    before?: [Date, string] | undefined;
    limit: number;
  },
) {
  let query = db
    .selectFrom('form_submissions')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('form_id', '=', formId);
  if (filter.status) query = query.where('status', '=', filter.status);
  return newestFirst(query, filter.before, filter.limit + 1).execute();
}

/** Blanks what a person sent (raw body, values, address, browser) in the submissions of a
 * contact or carrying one of its emails; returns the ids. */
export function eraseSubmissionsOf(
  db: Executor,
  workspaceId: string,
  contactId: string,
  emails: string[],
  now: Date,
) {
  return db
    .updateTable('form_submissions')
    .set({
      raw_body: '',
      fields: JSON.stringify({ values: {}, extras: [] }),
      ip: null,
      user_agent: null,
      updated_at: now,
    })
    .where('workspace_id', '=', workspaceId)
    .where((eb) =>
      eb.or([
        eb('contact_id', '=', contactId),
        ...(emails.length > 0
          ? [eb(sql<string>`lower(fields->'values'->>'email')`, 'in', emails)]
          : []),
      ]),
    )
    .returning('id')
    .execute();
}
