// Messages to customers and the outbox. Every message starts as a draft, rendered from a template
// or written by hand; nothing is sent until someone allowed to approves it (the lead's owner, or a
// manager/admin), unless a rule or sequence the workspace configured asked for autoSend. Before a
// message is approved and again right before it is sent, compliance decides: no message to a
// contact marked doNotContact or to an address on the suppression list, and marketing only with
// the channel's opt-in; otherwise it is `suppressed` with the reason. Sending is a job (retried,
// then `failed` with the error); a sent message becomes an outbound activity on the timeline.
// Marketing email carries a signed unsubscribe link (and List-Unsubscribe) that suppresses at once.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { recordAudit, type Executor } from '../../platform/audit.js';
import type {
  DB,
  LeadRow,
  MessageChannel,
  MessageOrigin,
  MessagePurpose,
  MessageRow,
  SuppressionRow,
} from '../../platform/db/schema.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { AppError, fieldError, notFound } from '../../platform/errors.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { assertVersion } from '../../platform/http/versioning.js';
import { MailerNotConfiguredError } from '../../platform/mailer.js';
import { SmsNotConfiguredError } from '../../platform/sms.js';
import { toE164 } from '../../../shared/phone.js';
import type { ActivitiesService } from '../activities/activities.service.js';
import type { ContactDto } from '../contacts/contacts.schemas.js';
import type { ContactsService } from '../contacts/contacts.service.js';
import type { LeadsService } from '../leads/leads.service.js';
import { systemActorFor } from '../users/users.service.js';
import * as repo from './messaging.repository.js';
import type {
  CreateMessageInput,
  CreateSuppressionInput,
  MessageDto,
  OutboxQuery,
  PreviewDto,
  PreviewInput,
  SuppressionDto,
  SuppressionsQuery,
  UpdateMessageInput,
} from './messaging.schemas.js';
import { assertKnownVariables, type TemplatesService } from './templates.service.js';
import { formatMoney, renderTemplate, type TemplateValues } from './templates.render.js';

/** The queue that delivers approved messages. */
export const SEND_QUEUE = 'message-send';
/** Delivery retries after the first failure; then the message is marked failed. */
const SEND_RETRIES = 3;
const MAX_ATTEMPTS = SEND_RETRIES + 1;

/** Why compliance stops a message (the `statusReason` of a suppressed one). */
export const SUPPRESSION_CODES = [
  'no_contact',
  'contact_archived',
  'no_address',
  'do_not_contact',
  'suppressed_address',
  'no_opt_in',
] as const;
export type SuppressionCode = (typeof SUPPRESSION_CODES)[number];

export interface DraftInput {
  leadId?: string | undefined;
  contactId?: string | undefined;
  channel: MessageChannel;
  templateId?: string | undefined;
  subject?: string | undefined;
  body?: string | undefined;
  purpose?: MessagePurpose | undefined;
  /** Approve at once and enqueue the send (a rule or sequence the workspace set to auto-send). */
  autoSend?: boolean | undefined;
  origin?: { kind: MessageOrigin; id?: string | undefined } | undefined;
}

export function toMessageDto(row: MessageRow): MessageDto {
  return {
    id: row.id,
    leadId: row.lead_id,
    contactId: row.contact_id,
    channel: row.channel,
    purpose: row.purpose,
    templateId: row.template_id,
    recipientName: row.recipient_name,
    to: row.to_address,
    subject: row.subject,
    body: row.body,
    status: row.status,
    statusReason: row.status_reason,
    lastError: row.last_error,
    attempts: row.attempts,
    origin: { kind: row.origin_kind, id: row.origin_id },
    autoSend: row.auto_send,
    createdBy: row.created_by,
    approvedBy: row.approved_by,
    approvedAt: row.approved_at?.toISOString() ?? null,
    sentAt: row.sent_at?.toISOString() ?? null,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function toSuppressionDto(row: SuppressionRow): SuppressionDto {
  return {
    id: row.id,
    channel: row.channel,
    address: row.address,
    reason: row.reason,
    note: row.note,
    contactId: row.contact_id,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
  };
}

/** The contact's address on a channel: the first email (lowercased) or the first phone (E.164). */
export function addressOf(contact: ContactDto, channel: MessageChannel): string {
  if (channel === 'email') return contact.emails[0]?.value.trim().toLowerCase() ?? '';
  return contact.phones[0]?.e164 ?? '';
}

interface SendJob {
  workspaceId: string;
  messageId: string;
}

/** A delivery that can't succeed by trying again (no mail server or SMS account configured). */
const isPermanent = (error: unknown) =>
  error instanceof MailerNotConfiguredError || error instanceof SmsNotConfiguredError;

export function createMessagingService(
  deps: ServiceDeps,
  modules: {
    templates: TemplatesService;
    leads: LeadsService;
    contacts: ContactsService;
    activities: ActivitiesService;
  },
) {
  const { db, clock, jobs, events, mailer, sms, config } = deps;

  // --- Unsubscribe tokens: "<base64url(workspace id + message id bytes)>.<HMAC-SHA256, 128 bits>"
  // under a key made once for the instance and kept in the database, so every instance checks
  // them the same way. Short enough for a URL path segment (66 characters).
  let signingKey: Buffer | undefined;
  async function keyOf(executor: Executor) {
    signingKey ??= Buffer.from(
      await repo.ensureSigningKey(executor, randomBytes(32).toString('base64url'), clock.now()),
      'base64url',
    );
    return signingKey;
  }
  const sign = (key: Buffer, payload: string) =>
    createHmac('sha256', key).update(payload).digest().subarray(0, 16).toString('base64url');
  const uuidBytes = (id: string) => Buffer.from(id.replaceAll('-', ''), 'hex');
  const uuidOf = (bytes: Buffer) =>
    bytes.toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');

  async function unsubscribeTokenOf(executor: Executor, row: MessageRow) {
    const payload = Buffer.concat([uuidBytes(row.workspace_id), uuidBytes(row.id)]).toString(
      'base64url',
    );
    return `${payload}.${sign(await keyOf(executor), payload)}`;
  }

  async function verifyUnsubscribeToken(token: string): Promise<SendJob | undefined> {
    const [payload, signature, ...rest] = token.split('.');
    if (!payload || !signature || rest.length > 0) return undefined;
    const expected = Buffer.from(sign(await keyOf(db), payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    const bytes = Buffer.from(payload, 'base64url');
    if (bytes.length !== 32) return undefined;
    return { workspaceId: uuidOf(bytes.subarray(0, 16)), messageId: uuidOf(bytes.subarray(16)) };
  }

  const unsubscribeUrlOf = (token: string) =>
    `${config.publicUrl}/unsubscribe/${encodeURIComponent(token)}`;

  // --- Reading what a message is about

  /** The lead (when given) and the contact a message goes to; 404 when the actor can't see them. */
  async function recipientOf(
    executor: Executor,
    actor: Actor,
    input: { leadId?: string | null | undefined; contactId?: string | null | undefined },
  ): Promise<{ lead: LeadRow | undefined; contact: ContactDto | undefined }> {
    const lead = input.leadId
      ? await modules.leads.findLeadForWork(executor, actor, input.leadId)
      : undefined;
    if (lead && input.contactId && lead.contact_id !== input.contactId) {
      throw fieldError('contactId', "This is not the lead's contact; leave it out.");
    }
    const contactId = input.contactId ?? lead?.contact_id;
    const contact = contactId
      ? await modules.contacts.getContact(actor, contactId, executor)
      : undefined;
    return { lead, contact };
  }

  async function valuesFor(
    executor: Executor,
    actor: Actor,
    lead: LeadRow | undefined,
    contact: ContactDto | undefined,
  ): Promise<TemplateValues> {
    const workspace = await repo.findWorkspaceNames(executor, actor.workspaceId);
    const values: TemplateValues = { 'workspace.name': workspace.name };
    if (contact) {
      values['contact.firstName'] = contact.firstName;
      values['contact.lastName'] = contact.lastName;
      values['contact.fullName'] = contact.name;
      values['contact.email'] = contact.emails[0]?.value ?? '';
      values['contact.phone'] = contact.phones[0]?.value ?? '';
    }
    if (lead) {
      values['lead.title'] = lead.title;
      values['lead.value'] = formatMoney(lead.value, lead.currency, workspace.locale);
      values['lead.companyName'] = lead.company_name;
      const stage = await repo.findStageName(executor, actor.workspaceId, lead.stage_id);
      values['lead.stage'] = stage?.name ?? '';
      if (lead.assignee_id) {
        const owner = await repo.findMemberContact(executor, actor.workspaceId, lead.assignee_id);
        values['assignee.name'] = owner?.name ?? '';
        values['assignee.email'] = owner?.email ?? '';
      }
    }
    return values;
  }

  /** Why compliance stops this message now, or undefined when it may go. */
  async function complianceOf(
    executor: Executor,
    actor: Actor,
    message: {
      channel: MessageChannel;
      purpose: MessagePurpose;
      contactId: string | null;
      to: string;
    },
  ): Promise<SuppressionCode | undefined> {
    if (!message.contactId) return 'no_contact';
    const contact = await modules.contacts
      .getContact(actor, message.contactId, executor)
      .catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'not_found') return undefined;
        throw error;
      });
    if (!contact) return 'no_contact';
    if (contact.archived || contact.erasedAt) return 'contact_archived';
    if (contact.doNotContact) return 'do_not_contact';
    if (!message.to) return 'no_address';
    if (await repo.findSuppression(executor, actor.workspaceId, message.channel, message.to)) {
      return 'suppressed_address';
    }
    if (message.purpose === 'marketing') {
      const optedIn = message.channel === 'email' ? contact.optInEmail : contact.optInSms;
      if (!optedIn) return 'no_opt_in';
    }
    return undefined;
  }

  /** The message when the actor may see it: limited to own leads, theirs or drafted by them. */
  async function getRow(
    executor: Executor,
    actor: Actor,
    messageId: string,
    options: { lock?: boolean } = {},
  ) {
    const row = await repo.findMessage(executor, actor.workspaceId, messageId, options);
    if (!row) throw notFound('Message');
    if (actor.leadScope === 'own' && row.created_by !== actor.userId) {
      if (!row.lead_id) throw notFound('Message');
      await modules.leads.findLeadForWork(executor, actor, row.lead_id).catch(() => {
        throw notFound('Message');
      });
    }
    return row;
  }

  /** Only the lead's owner, whoever drafted a contact-only message, or message:approve_any. */
  async function assertMayApprove(executor: Executor, actor: Actor, row: MessageRow) {
    requirePermission(actor, 'message:approve');
    if (actor.permissions.has('message:approve_any')) return;
    const lead = row.lead_id
      ? await modules.leads.findLeadForWork(executor, actor, row.lead_id)
      : undefined;
    const isOwn = lead ? lead.assignee_id === actor.userId : row.created_by === actor.userId;
    if (!isOwn) {
      throw new AppError('forbidden', {
        message: "Only the lead's owner or a manager can approve this message.",
      });
    }
  }

  function assertStatus(row: MessageRow, ...allowed: MessageRow['status'][]) {
    if (!allowed.includes(row.status)) {
      throw new AppError('conflict', {
        message: `This message is ${row.status}; only a ${allowed.join(' or ')} one can be changed this way.`,
      });
    }
  }

  /**
   * Approves inside trx: compliance first (suppressed with the reason), else approved and its
   * send job enqueued in the same transaction.
   */
  async function approveRow(trx: Kysely<DB>, actor: Actor, row: MessageRow, action: string) {
    const now = clock.now();
    const reason = await complianceOf(trx, actor, {
      channel: row.channel,
      purpose: row.purpose,
      contactId: row.contact_id,
      to: row.to_address,
    });
    const after = await repo.updateMessage(
      trx,
      actor.workspaceId,
      row.id,
      reason
        ? { status: 'suppressed', statusReason: reason }
        : {
            status: 'approved',
            statusReason: null,
            lastError: null,
            attempts: 0,
            approvedBy: actor.userId || null,
            approvedAt: now,
          },
      now,
    );
    await recordAudit(trx, clock, actor, {
      action: reason ? 'message.suppressed' : action,
      entityType: 'message',
      entityId: row.id,
      before: { status: row.status },
      after: { status: after.status, ...(reason ? { reason } : {}) },
    });
    if (!reason) {
      await jobs.send(trx, SEND_QUEUE, { workspaceId: actor.workspaceId, messageId: row.id });
    }
    return after;
  }

  /** Creates a draft inside trx. `strict`: a missing contact or address is a 422, not suppressed. */
  async function createDraft(
    trx: Kysely<DB>,
    actor: Actor,
    input: DraftInput,
    strict: boolean,
  ): Promise<MessageRow> {
    const template = input.templateId
      ? await modules.templates.findTemplateIn(trx, actor, input.templateId).catch(() => {
          throw fieldError('templateId', 'No such template in this workspace.');
        })
      : undefined;
    if (template?.archived_at) throw fieldError('templateId', 'This template is archived.');
    if (template && template.channel !== input.channel) {
      throw fieldError('templateId', `This is an ${template.channel} template.`);
    }
    const subjectText = input.channel === 'sms' ? '' : (input.subject ?? template?.subject ?? '');
    const bodyText = input.body ?? template?.body ?? '';
    assertKnownVariables({ subject: subjectText, body: bodyText });
    if (!bodyText.trim()) throw fieldError('body', 'Give a template or a body.');
    if (input.channel === 'email' && !subjectText.trim()) {
      throw fieldError('subject', 'An email needs a subject.');
    }

    const { lead, contact } = await recipientOf(trx, actor, input);
    const to = contact ? addressOf(contact, input.channel) : '';
    if (strict && !contact) {
      throw fieldError('leadId', 'This lead has no contact to write to; add one first.');
    }
    if (strict && !to) {
      throw fieldError(
        'channel',
        input.channel === 'email'
          ? 'This contact has no email address.'
          : 'This contact has no phone number for SMS.',
      );
    }
    const values = await valuesFor(trx, actor, lead, contact);
    const now = clock.now();
    const row = await repo.insertMessage(
      trx,
      actor.workspaceId,
      {
        leadId: lead?.id ?? null,
        contactId: contact?.id ?? null,
        channel: input.channel,
        purpose: input.purpose ?? template?.purpose ?? 'transactional',
        templateId: template?.id ?? null,
        recipientName: contact?.name ?? '',
        toAddress: to,
        subject: renderTemplate(subjectText, values).trim(),
        body: renderTemplate(bodyText, values),
        status: 'draft',
        statusReason: null,
        originKind: input.origin?.kind ?? 'manual',
        originId: input.origin?.id ?? null,
        autoSend: input.autoSend ?? false,
        createdBy: actor.userId || null,
        approvedBy: null,
        approvedAt: null,
      },
      now,
    );
    await recordAudit(trx, clock, actor, {
      action: 'message.drafted',
      entityType: 'message',
      entityId: row.id,
      after: {
        leadId: row.lead_id,
        contactId: row.contact_id,
        channel: row.channel,
        purpose: row.purpose,
        templateId: row.template_id,
        origin: row.origin_kind,
      },
    });
    return input.autoSend ? approveRow(trx, actor, row, 'message.auto_approved') : row;
  }

  // --- Sending (the job)

  async function deliver(row: MessageRow): Promise<string> {
    if (row.channel === 'sms') {
      const text = row.purpose === 'marketing' ? `${row.body}\n\nReply STOP to opt out.` : row.body;
      return (await sms.send({ to: row.to_address, body: text })).messageId;
    }
    const headers: Record<string, string> = {};
    let text = row.body;
    if (row.purpose === 'marketing') {
      const url = unsubscribeUrlOf(await unsubscribeTokenOf(db, row));
      text = `${row.body}\n\n--\nDon't want these emails? Unsubscribe: ${url}`;
      // RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" to the URL.
      headers['List-Unsubscribe'] = `<${url}>`;
      headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
    }
    const sent = await mailer.send({ to: row.to_address, subject: row.subject, text, headers });
    return sent.messageId;
  }

  async function runSend({ workspaceId, messageId }: SendJob) {
    // 1. Claim an attempt (its own transaction, so the count survives a failed delivery),
    //    checking compliance once more: an unsubscribe since approval stops it here.
    const claimed = await db.transaction().execute(async (trx) => {
      const row = await repo.findMessage(trx, workspaceId, messageId, { lock: true });
      if (row?.status !== 'approved') return undefined;
      const actor = systemActorFor(workspaceId, row.approved_by ?? '');
      const reason = await complianceOf(trx, actor, {
        channel: row.channel,
        purpose: row.purpose,
        contactId: row.contact_id,
        to: row.to_address,
      });
      if (reason) {
        await repo.updateMessage(
          trx,
          workspaceId,
          row.id,
          { status: 'suppressed', statusReason: reason },
          clock.now(),
        );
        await recordAudit(trx, clock, actor, {
          action: 'message.suppressed',
          entityType: 'message',
          entityId: row.id,
          before: { status: 'approved' },
          after: { status: 'suppressed', reason },
        });
        return undefined;
      }
      const updated = await repo.updateMessage(
        trx,
        workspaceId,
        row.id,
        { attempts: row.attempts + 1 },
        clock.now(),
      );
      return { row: updated, actor };
    });
    if (!claimed) return;
    const { row, actor } = claimed;

    // 2. Deliver, outside any transaction.
    let providerId: string;
    try {
      providerId = await deliver(row);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const isLast = row.attempts >= MAX_ATTEMPTS || isPermanent(error);
      await db.transaction().execute(async (trx) => {
        await repo.updateMessage(
          trx,
          workspaceId,
          row.id,
          isLast ? { status: 'failed', lastError: message } : { lastError: message },
          clock.now(),
        );
        if (isLast) {
          await recordAudit(trx, clock, actor, {
            action: 'message.failed',
            entityType: 'message',
            entityId: row.id,
            before: { status: 'approved' },
            after: { status: 'failed', attempts: row.attempts, error: message },
          });
        }
      });
      // Not the last attempt: fail the job so it is retried with backoff.
      if (!isLast) throw error;
      return;
    }

    // 3. Sent: the status, and an outbound activity on the lead's / contact's timeline.
    await db.transaction().execute(async (trx) => {
      const now = clock.now();
      const activity = await modules.activities.logOutboundMessageIn(trx, actor, {
        leadId: row.lead_id,
        contactId: row.contact_id,
        type: row.channel,
        subject: row.channel === 'email' ? row.subject : 'SMS',
        body: row.body,
        occurredAt: now,
        details: { messageId: row.id, to: row.to_address, purpose: row.purpose },
      });
      await repo.updateMessage(
        trx,
        workspaceId,
        row.id,
        {
          status: 'sent',
          sentAt: now,
          lastError: null,
          providerMessageId: providerId,
          activityId: activity.id,
        },
        now,
      );
      await recordAudit(trx, clock, actor, {
        action: 'message.sent',
        entityType: 'message',
        entityId: row.id,
        before: { status: 'approved' },
        after: { status: 'sent', attempts: row.attempts },
      });
    });
  }

  jobs.register<SendJob>(SEND_QUEUE, runSend, {
    retryLimit: SEND_RETRIES,
    retryDelaySeconds: config.messageRetryDelaySeconds,
  });

  // --- Suppressing an address (unsubscribe link, the list's POST)

  async function suppressIn(
    trx: Kysely<DB>,
    actor: Actor,
    entry: {
      channel: MessageChannel;
      address: string;
      reason: 'unsubscribed' | 'manual';
      note: string;
      contactId: string | null;
    },
  ) {
    const row = await repo.insertSuppression(
      trx,
      actor.workspaceId,
      { ...entry, createdBy: actor.userId || null },
      clock.now(),
    );
    if (row) {
      await recordAudit(trx, clock, actor, {
        action: 'suppression.added',
        entityType: 'suppression',
        entityId: row.id,
        after: { channel: row.channel, address: row.address, reason: row.reason },
      });
    }
    // The people with this address: their opt-in goes off, and sequences and rules hear of it.
    const matches = await modules.contacts.findContactsByEmailOrPhone(
      trx,
      actor,
      entry.channel === 'email' ? [entry.address] : [],
      entry.channel === 'sms' ? [entry.address] : [],
    );
    const contactIds = new Set(matches.map((match) => match.id));
    if (entry.contactId) contactIds.add(entry.contactId);
    for (const contactId of contactIds) {
      await modules.contacts.optOutIn(trx, actor, contactId, entry.channel);
      await events.publish(trx, {
        type: 'contact.unsubscribed',
        actor,
        contactId,
        data: {
          channel: entry.channel,
          via: entry.reason === 'unsubscribed' ? 'unsubscribe_link' : 'suppression_list',
        },
      });
    }
    return row;
  }

  async function normaliseAddress(actor: Actor, channel: MessageChannel, address: string) {
    if (channel === 'email') {
      const email = address.trim().toLowerCase();
      if (!z.email().safeParse(email).success) {
        throw fieldError('address', 'Give an email address.');
      }
      return email;
    }
    const workspace = await repo.findWorkspaceCountry(db, actor.workspaceId);
    const phone = toE164(address, workspace?.country ?? 'US');
    if (!phone) throw fieldError('address', 'Give a phone number (e.g. +49 151 12345678).');
    return phone;
  }

  return {
    /**
     * For automation and sequences: a draft inside the caller's transaction. With autoSend it is
     * approved at once and its send job enqueued (compliance still applies: suppressed with the
     * reason). A contact without an address on the channel gives a suppressed message, not an
     * error, so a rule's run records it.
     */
    async draftIn(trx: Kysely<DB>, actor: Actor, input: DraftInput): Promise<MessageDto> {
      requirePermission(actor, 'lead:update');
      const row = await createDraft(trx, actor, input, false);
      if (row.status === 'draft' && (!row.contact_id || !row.to_address)) {
        const reason: SuppressionCode = row.contact_id ? 'no_address' : 'no_contact';
        return toMessageDto(
          await repo.updateMessage(
            trx,
            actor.workspaceId,
            row.id,
            { status: 'suppressed', statusReason: reason },
            clock.now(),
          ),
        );
      }
      return toMessageDto(row);
    },

    /** POST /api/messages: a draft in the outbox (a missing contact or address is a 422). */
    async createMessage(actor: Actor, input: CreateMessageInput): Promise<MessageDto> {
      requirePermission(actor, 'lead:update');
      return db
        .transaction()
        .execute(async (trx) =>
          toMessageDto(await createDraft(trx, actor, { ...input, autoSend: false }, true)),
        );
    },

    async getMessage(actor: Actor, messageId: string) {
      requirePermission(actor, 'lead:read');
      return toMessageDto(await getRow(db, actor, messageId));
    },

    async listOutbox(actor: Actor, query: OutboxQuery) {
      requirePermission(actor, 'lead:read');
      const before = query.cursor
        ? decodeCursor(query.cursor, z.tuple([z.coerce.date(), z.uuid()]))
        : undefined;
      const rows = await repo.listMessages(db, actor.workspaceId, {
        status: query.status,
        leadId: query.leadId,
        contactId: query.contactId,
        ownOf: actor.leadScope === 'own' ? actor.userId : undefined,
        before,
        limit: query.limit,
      });
      return toPage(rows, query.limit, toMessageDto, (row) => [
        row.created_at.toISOString(),
        row.id,
      ]);
    },

    /** Edits a draft before approval (If-Match); variables in the new text are rendered. */
    async updateMessage(
      actor: Actor,
      messageId: string,
      input: UpdateMessageInput,
      ifMatch?: number,
    ) {
      requirePermission(actor, 'lead:update');
      return db.transaction().execute(async (trx) => {
        const before = await getRow(trx, actor, messageId, { lock: true });
        assertVersion(before.version, ifMatch);
        assertStatus(before, 'draft');
        assertKnownVariables(input);
        if (before.channel === 'email' && input.subject !== undefined && !input.subject) {
          throw fieldError('subject', 'An email needs a subject.');
        }
        const { lead, contact } = await recipientOf(trx, actor, {
          leadId: before.lead_id,
          contactId: before.contact_id,
        });
        const values = await valuesFor(trx, actor, lead, contact);
        const after = await repo.updateMessage(
          trx,
          actor.workspaceId,
          messageId,
          {
            ...(input.subject !== undefined && before.channel === 'email'
              ? { subject: renderTemplate(input.subject, values).trim() }
              : {}),
            ...(input.body !== undefined ? { body: renderTemplate(input.body, values) } : {}),
            ...(input.purpose !== undefined ? { purpose: input.purpose } : {}),
          },
          clock.now(),
        );
        await recordAudit(trx, clock, actor, {
          action: 'message.updated',
          entityType: 'message',
          entityId: messageId,
          before: { subject: before.subject, body: before.body, purpose: before.purpose },
          after: { subject: after.subject, body: after.body, purpose: after.purpose },
        });
        return toMessageDto(after);
      });
    },

    /** Approves a draft: sends it (a job) unless compliance suppresses it (with the reason). */
    async approveMessage(actor: Actor, messageId: string, ifMatch?: number) {
      requirePermission(actor, 'message:approve');
      return db.transaction().execute(async (trx) => {
        const row = await getRow(trx, actor, messageId, { lock: true });
        await assertMayApprove(trx, actor, row);
        assertVersion(row.version, ifMatch);
        assertStatus(row, 'draft');
        return toMessageDto(await approveRow(trx, actor, row, 'message.approved'));
      });
    },

    async rejectMessage(actor: Actor, messageId: string, reason: string) {
      requirePermission(actor, 'message:approve');
      return db.transaction().execute(async (trx) => {
        const row = await getRow(trx, actor, messageId, { lock: true });
        await assertMayApprove(trx, actor, row);
        assertStatus(row, 'draft');
        const after = await repo.updateMessage(
          trx,
          actor.workspaceId,
          messageId,
          { status: 'rejected', statusReason: reason || null },
          clock.now(),
        );
        await recordAudit(trx, clock, actor, {
          action: 'message.rejected',
          entityType: 'message',
          entityId: messageId,
          before: { status: row.status },
          after: { status: 'rejected', reason },
        });
        return toMessageDto(after);
      });
    },

    /** A failed message goes out again (compliance is checked again first). */
    async retryMessage(actor: Actor, messageId: string) {
      requirePermission(actor, 'message:approve');
      return db.transaction().execute(async (trx) => {
        const row = await getRow(trx, actor, messageId, { lock: true });
        await assertMayApprove(trx, actor, row);
        assertStatus(row, 'failed');
        return toMessageDto(await approveRow(trx, actor, row, 'message.retried'));
      });
    },

    /** Renders a template (or unsaved text) with a real lead, its contact and its owner. */
    async previewTemplate(
      actor: Actor,
      templateId: string | undefined,
      input: PreviewInput,
    ): Promise<PreviewDto> {
      requirePermission(actor, 'lead:read');
      const template = templateId
        ? await modules.templates.findTemplateIn(db, actor, templateId)
        : undefined;
      const channel = template?.channel ?? input.channel ?? 'email';
      const subject = channel === 'sms' ? '' : (input.subject ?? template?.subject ?? '');
      const body = input.body ?? template?.body ?? '';
      assertKnownVariables({ subject, body });
      const { lead, contact } = await recipientOf(db, actor, { leadId: input.leadId });
      const values = await valuesFor(db, actor, lead, contact);
      return {
        subject: renderTemplate(subject, values).trim(),
        body: renderTemplate(body, values),
        to: contact ? addressOf(contact, channel) : '',
      };
    },

    // --- Suppression list

    async listSuppressions(actor: Actor, query: SuppressionsQuery) {
      requirePermission(actor, 'lead:configure');
      const before = query.cursor
        ? decodeCursor(query.cursor, z.tuple([z.coerce.date(), z.uuid()]))
        : undefined;
      const rows = await repo.listSuppressions(db, actor.workspaceId, {
        channel: query.channel,
        q: query.q,
        before,
        limit: query.limit,
      });
      return toPage(rows, query.limit, toSuppressionDto, (row) => [
        row.created_at.toISOString(),
        row.id,
      ]);
    },

    async addSuppression(actor: Actor, input: CreateSuppressionInput) {
      requirePermission(actor, 'lead:configure');
      const address = await normaliseAddress(actor, input.channel, input.address);
      return db.transaction().execute(async (trx) => {
        const row = await suppressIn(trx, actor, {
          channel: input.channel,
          address,
          reason: 'manual',
          note: input.note,
          contactId: null,
        });
        if (!row) {
          throw new AppError('conflict', { message: 'This address is already suppressed.' });
        }
        return toSuppressionDto(row);
      });
    },

    /** Takes an address off the list (the person asked to hear from the business again). */
    async removeSuppression(actor: Actor, suppressionId: string) {
      requirePermission(actor, 'lead:configure');
      return db.transaction().execute(async (trx) => {
        const row = await repo.deleteSuppression(trx, actor.workspaceId, suppressionId);
        if (!row) throw notFound('Suppression');
        await recordAudit(trx, clock, actor, {
          action: 'suppression.removed',
          entityType: 'suppression',
          entityId: row.id,
          before: { channel: row.channel, address: row.address, reason: row.reason },
        });
        return toSuppressionDto(row);
      });
    },

    // --- The public unsubscribe endpoint

    /** What the confirmation page shows; undefined when the link is not valid. */
    async describeUnsubscribe(token: string) {
      const ids = await verifyUnsubscribeToken(token);
      if (!ids) return undefined;
      const row = await repo.findMessage(db, ids.workspaceId, ids.messageId);
      if (!row?.to_address) return undefined;
      const workspace = await repo.findWorkspaceNames(db, ids.workspaceId);
      const already = await repo.findSuppression(db, ids.workspaceId, row.channel, row.to_address);
      return { address: row.to_address, business: workspace.name, done: already !== undefined };
    },

    /** Suppresses the link's address at once (idempotent); undefined when the link is not valid. */
    async unsubscribe(token: string) {
      const ids = await verifyUnsubscribeToken(token);
      if (!ids) return undefined;
      return db.transaction().execute(async (trx) => {
        const row = await repo.findMessage(trx, ids.workspaceId, ids.messageId);
        if (!row?.to_address) return undefined;
        const actor = systemActorFor(ids.workspaceId, '');
        await suppressIn(trx, actor, {
          channel: row.channel,
          address: row.to_address,
          reason: 'unsubscribed',
          note: `Unsubscribe link of message ${row.id}`,
          contactId: row.contact_id,
        });
        const workspace = await repo.findWorkspaceNames(trx, ids.workspaceId);
        return { address: row.to_address, business: workspace.name, done: true };
      });
    },

    /** For tests and the docs: the unsubscribe URL a message's email carries. */
    async unsubscribeUrlFor(actor: Actor, messageId: string) {
      const row = await getRow(db, actor, messageId);
      return unsubscribeUrlOf(await unsubscribeTokenOf(db, row));
    },

    /**
     * A privacy erasure, inside its transaction: the messages to these people lose their text
     * and address. Suppressions stay (the person asked not to be contacted; see docs).
     */
    async eraseMessagesOf(
      trx: Executor,
      actor: Actor,
      contactIds: string[],
      leadIds: string[],
    ): Promise<number> {
      const rows = await repo.listMessagesOf(trx, actor.workspaceId, contactIds, leadIds);
      for (const row of rows) {
        await repo.updateMessage(
          trx,
          actor.workspaceId,
          row.id,
          { subject: '', body: '[erased]', toAddress: '' },
          clock.now(),
        );
      }
      return rows.length;
    },
  };
}

export type MessagingService = ReturnType<typeof createMessagingService>;
