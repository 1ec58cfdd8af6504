// The only SQL for templates, messages and suppressions; every function is scoped by workspace
// (except the instance's signing key of unsubscribe links). Rendering a message also reads the
// names around a lead (its stage, its owner, the workspace): a read model, like assignment's.
import { sql } from 'kysely';
import type { Executor } from '../../platform/audit.js';
import type {
  MessageChannel,
  MessageOrigin,
  MessagePurpose,
  MessageStatus,
  SuppressionReason,
} from '../../platform/db/schema.js';
import { newestFirst } from '../../platform/db/keyset.js';

// Templates

export interface TemplateValues {
  name: string;
  channel: MessageChannel;
  purpose: MessagePurpose;
  subject: string;
  body: string;
  stageSlug: string | null;
}

const templateColumns = (values: Partial<TemplateValues>) => ({
  ...(values.name !== undefined ? { name: values.name } : {}),
  ...(values.channel !== undefined ? { channel: values.channel } : {}),
  ...(values.purpose !== undefined ? { purpose: values.purpose } : {}),
  ...(values.subject !== undefined ? { subject: values.subject } : {}),
  ...(values.body !== undefined ? { body: values.body } : {}),
  ...(values.stageSlug !== undefined ? { stage_slug: values.stageSlug } : {}),
});

export function listTemplates(
  db: Executor,
  workspaceId: string,
  filter: { channel?: MessageChannel | undefined; archived: boolean },
) {
  let query = db
    .selectFrom('message_templates')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('archived_at', filter.archived ? 'is not' : 'is', null);
  if (filter.channel) query = query.where('channel', '=', filter.channel);
  return query.orderBy('name').orderBy('id').limit(500).execute();
}

export function findTemplate(db: Executor, workspaceId: string, templateId: string) {
  return db
    .selectFrom('message_templates')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', templateId)
    .executeTakeFirst();
}

export function insertTemplate(
  db: Executor,
  workspaceId: string,
  values: TemplateValues & { defaultKey?: string | null; createdBy: string | null },
  now: Date,
) {
  return db
    .insertInto('message_templates')
    .values({
      workspace_id: workspaceId,
      ...templateColumns(values),
      name: values.name,
      channel: values.channel,
      purpose: values.purpose,
      body: values.body,
      stage_slug: values.stageSlug,
      default_key: values.defaultKey ?? null,
      archived_at: null,
      created_by: values.createdBy,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateTemplate(
  db: Executor,
  workspaceId: string,
  templateId: string,
  values: Partial<TemplateValues> & { archivedAt?: Date | null },
  now: Date,
) {
  return db
    .updateTable('message_templates')
    .set({
      ...templateColumns(values),
      ...(values.archivedAt !== undefined ? { archived_at: values.archivedAt } : {}),
      version: sql<number>`version + 1`,
      updated_at: now,
    })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', templateId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The keys of the shipped templates the workspace already has (archived ones included). */
/** The shipped templates a workspace holds (archived ones too): default key → id. */
export async function shippedTemplateIds(db: Executor, workspaceId: string) {
  const rows = await db
    .selectFrom('message_templates')
    .select(['id', 'default_key'])
    .where('workspace_id', '=', workspaceId)
    .where('default_key', 'is not', null)
    .execute();
  return new Map(rows.map((row) => [row.default_key ?? '', row.id]));
}

// Messages

export interface NewMessage {
  leadId: string | null;
  contactId: string | null;
  channel: MessageChannel;
  purpose: MessagePurpose;
  templateId: string | null;
  recipientName: string;
  toAddress: string;
  subject: string;
  body: string;
  status: MessageStatus;
  statusReason: string | null;
  originKind: MessageOrigin;
  originId: string | null;
  autoSend: boolean;
  createdBy: string | null;
  approvedBy: string | null;
  approvedAt: Date | null;
}

export function insertMessage(db: Executor, workspaceId: string, values: NewMessage, now: Date) {
  return db
    .insertInto('messages')
    .values({
      workspace_id: workspaceId,
      lead_id: values.leadId,
      contact_id: values.contactId,
      channel: values.channel,
      purpose: values.purpose,
      template_id: values.templateId,
      recipient_name: values.recipientName,
      to_address: values.toAddress,
      subject: values.subject,
      body: values.body,
      status: values.status,
      status_reason: values.statusReason,
      last_error: null,
      origin_kind: values.originKind,
      origin_id: values.originId,
      auto_send: values.autoSend,
      provider_message_id: null,
      activity_id: null,
      created_by: values.createdBy,
      approved_by: values.approvedBy,
      approved_at: values.approvedAt,
      sent_at: null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findMessage(
  db: Executor,
  workspaceId: string,
  messageId: string,
  options: { lock?: boolean } = {},
) {
  const query = db
    .selectFrom('messages')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', messageId);
  return (options.lock ? query.forUpdate() : query).executeTakeFirst();
}

export interface MessagePatch {
  subject?: string;
  body?: string;
  purpose?: MessagePurpose;
  toAddress?: string;
  status?: MessageStatus;
  statusReason?: string | null;
  lastError?: string | null;
  attempts?: number;
  approvedBy?: string | null;
  approvedAt?: Date | null;
  sentAt?: Date | null;
  providerMessageId?: string | null;
  activityId?: string | null;
}

export function updateMessage(
  db: Executor,
  workspaceId: string,
  messageId: string,
  patch: MessagePatch,
  now: Date,
) {
  const set = {
    ...(patch.subject !== undefined ? { subject: patch.subject } : {}),
    ...(patch.body !== undefined ? { body: patch.body } : {}),
    ...(patch.purpose !== undefined ? { purpose: patch.purpose } : {}),
    ...(patch.toAddress !== undefined ? { to_address: patch.toAddress } : {}),
    ...(patch.status !== undefined ? { status: patch.status } : {}),
    ...(patch.statusReason !== undefined ? { status_reason: patch.statusReason } : {}),
    ...(patch.lastError !== undefined ? { last_error: patch.lastError } : {}),
    ...(patch.attempts !== undefined ? { attempts: patch.attempts } : {}),
    ...(patch.approvedBy !== undefined ? { approved_by: patch.approvedBy } : {}),
    ...(patch.approvedAt !== undefined ? { approved_at: patch.approvedAt } : {}),
    ...(patch.sentAt !== undefined ? { sent_at: patch.sentAt } : {}),
    ...(patch.providerMessageId !== undefined
      ? { provider_message_id: patch.providerMessageId }
      : {}),
    ...(patch.activityId !== undefined ? { activity_id: patch.activityId } : {}),
  };
  return db
    .updateTable('messages')
    .set({ ...set, version: sql<number>`version + 1`, updated_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', messageId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function listMessages(
  db: Executor,
  workspaceId: string,
  filter: {
    status?: MessageStatus | undefined;
    leadId?: string | undefined;
    contactId?: string | undefined;
    /** Limited to own leads: messages on leads assigned to this member, or drafted by them. */
    ownOf?: string | undefined;
    before?: [Date, string] | undefined;
    limit: number;
  },
) {
  let query = db
    .selectFrom('messages as m')
    .selectAll('m')
    .where('m.workspace_id', '=', workspaceId);
  if (filter.status) query = query.where('m.status', '=', filter.status);
  if (filter.leadId) query = query.where('m.lead_id', '=', filter.leadId);
  if (filter.contactId) query = query.where('m.contact_id', '=', filter.contactId);
  if (filter.ownOf) {
    const userId = filter.ownOf;
    query = query.where((eb) =>
      eb.or([
        eb('m.created_by', '=', userId),
        eb.exists(
          eb
            .selectFrom('leads as l')
            .select('l.id')
            .whereRef('l.workspace_id', '=', 'm.workspace_id')
            .whereRef('l.id', '=', 'm.lead_id')
            .where('l.assignee_id', '=', userId),
        ),
      ]),
    );
  }
  return newestFirst(query, filter.before, filter.limit + 1, 'm.created_at', 'm.id').execute();
}

/** Messages that name one of these contacts or leads (a privacy erasure). */
export function listMessagesOf(
  db: Executor,
  workspaceId: string,
  contactIds: string[],
  leadIds: string[],
) {
  if (contactIds.length === 0 && leadIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('messages')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where((eb) =>
      eb.or([
        ...(contactIds.length ? [eb('contact_id', 'in', contactIds)] : []),
        ...(leadIds.length ? [eb('lead_id', 'in', leadIds)] : []),
      ]),
    )
    .execute();
}

// Suppressions

export function findSuppression(
  db: Executor,
  workspaceId: string,
  channel: MessageChannel,
  address: string,
) {
  return db
    .selectFrom('suppressions')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('channel', '=', channel)
    .where('address', '=', address)
    .executeTakeFirst();
}

export function findSuppressionById(db: Executor, workspaceId: string, suppressionId: string) {
  return db
    .selectFrom('suppressions')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', suppressionId)
    .executeTakeFirst();
}

/** Adds an address to the list; undefined when it was already there. */
export function insertSuppression(
  db: Executor,
  workspaceId: string,
  values: {
    channel: MessageChannel;
    address: string;
    reason: SuppressionReason;
    note: string;
    contactId: string | null;
    createdBy: string | null;
  },
  now: Date,
) {
  return db
    .insertInto('suppressions')
    .values({
      workspace_id: workspaceId,
      channel: values.channel,
      address: values.address,
      reason: values.reason,
      note: values.note,
      contact_id: values.contactId,
      created_by: values.createdBy,
      created_at: now,
    })
    .onConflict((oc) => oc.columns(['workspace_id', 'channel', 'address']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function deleteSuppression(db: Executor, workspaceId: string, suppressionId: string) {
  return db
    .deleteFrom('suppressions')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', suppressionId)
    .returningAll()
    .executeTakeFirst();
}

export function listSuppressions(
  db: Executor,
  workspaceId: string,
  filter: {
    channel?: MessageChannel | undefined;
    q?: string | undefined;
    before?: [Date, string] | undefined;
    limit: number;
  },
) {
  let query = db.selectFrom('suppressions').selectAll().where('workspace_id', '=', workspaceId);
  if (filter.channel) query = query.where('channel', '=', filter.channel);
  if (filter.q) {
    const pattern = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where('address', 'like', pattern);
  }
  return newestFirst(query, filter.before, filter.limit + 1).execute();
}

// Names around a lead, for template variables

export function findWorkspaceNames(db: Executor, workspaceId: string) {
  return db
    .selectFrom('workspaces')
    .select(['name', 'locale', 'currency'])
    .where('id', '=', workspaceId)
    .executeTakeFirstOrThrow();
}

export function findWorkspaceCountry(db: Executor, workspaceId: string) {
  return db
    .selectFrom('workspaces')
    .select(['country'])
    .where('id', '=', workspaceId)
    .executeTakeFirst();
}

export function findStageName(db: Executor, workspaceId: string, stageId: string) {
  return db
    .selectFrom('stages')
    .select(['name', 'slug'])
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', stageId)
    .executeTakeFirst();
}

export function findMemberContact(db: Executor, workspaceId: string, userId: string) {
  return db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.name', 'u.email'])
    .where('m.workspace_id', '=', workspaceId)
    .where('m.user_id', '=', userId)
    .executeTakeFirst();
}

// The instance's key for signing unsubscribe links (made once, shared by every instance).

const SIGNING_KEY_SETTING = 'messaging.unsubscribe_key';

export async function ensureSigningKey(db: Executor, candidate: string, now: Date) {
  await db
    .insertInto('instance_settings')
    .values({ key: SIGNING_KEY_SETTING, value: JSON.stringify(candidate), updated_at: now })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db
    .selectFrom('instance_settings')
    .select('value')
    .where('key', '=', SIGNING_KEY_SETTING)
    .executeTakeFirstOrThrow();
  return row.value as string;
}
