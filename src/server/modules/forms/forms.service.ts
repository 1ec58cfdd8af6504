// Web-to-lead forms: their definitions (admin), the public capture of submissions (a plain form
// post, JSON, or another system's lead payload through an adapter), and the "new inquiry" flow
// that turns one into a contact, a lead, an inbound note and a notification in one transaction.
// Every submission is stored as it came: accepted, rejected (fixable by an admin) or spam.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Transaction } from 'kysely';
import { z } from 'zod';
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { permissionsOf } from '../../platform/auth/permissions.js';
import { recordAudit, type Executor } from '../../platform/audit.js';
import { decryptText, encryptText } from '../../platform/crypto.js';
import type {
  CustomFieldType,
  DB,
  FormRow,
  FormSubmissionRow,
  SubmissionAdapter,
  SubmissionFields,
} from '../../platform/db/schema.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { AppError, fieldError, notFound, type FieldError } from '../../platform/errors.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { assertVersion } from '../../platform/http/versioning.js';
import { toE164 } from '../../../shared/phone.js';
import type { ActivitiesService } from '../activities/activities.service.js';
import { createContactBodySchema } from '../contacts/contacts.schemas.js';
import type { ContactsService } from '../contacts/contacts.service.js';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.js';
import type { LeadSourcesService } from '../lead-sources/lead-sources.service.js';
import { createLeadBodySchema } from '../leads/leads.schemas.js';
import type { LeadsService } from '../leads/leads.service.js';
import type { NotificationsService } from '../notifications/notifications.service.js';
import type { PipelinesService } from '../pipelines/pipelines.service.js';
import { emailSchema } from '../users/users.schemas.js';
import type { UsersService } from '../users/users.service.js';
import type { WorkspacesService } from '../workspaces/workspaces.service.js';
import {
  AdapterError,
  metaNotificationIds,
  readInquiry,
  splitName,
  type Inquiry,
} from './forms.mapping.js';
import { embedHtmlOf, iframeHtmlOf } from './forms.pages.js';
import * as repo from './forms.repository.js';
import type {
  AcceptSubmissionInput,
  CreateFormInput,
  FormDto,
  ListSubmissionsQuery,
  SubmissionDto,
  UpdateFormInput,
} from './forms.schemas.js';

export const SIGNATURE_HEADER = 'x-leadkeeper-signature';
const KEY_BYTES = 18; // 24 url-safe characters, 144 random bits

// What a web form may do: create and read what it creates, nothing else.
const WEB_FORM_PERMISSIONS = new Set(
  [...permissionsOf('agent')].filter((p) => ['lead:read', 'lead:create'].includes(p)),
);

/**
 * The actor of captured records: no person (audit rows have no user) and a request id that names
 * the form, so the audit log says a record came from web form <id>.
 */
export function webFormActor(
  workspaceId: string,
  formId: string,
  requestId: string | null,
  ip: string | null,
): Actor {
  return {
    userId: '',
    workspaceId,
    role: 'agent',
    permissions: WEB_FORM_PERMISSIONS,
    isInstanceAdmin: false,
    leadScope: 'all',
    via: 'system',
    sessionId: null,
    tokenId: null,
    requestId: `web-form:${formId}${requestId ? `:${requestId}` : ''}`.slice(0, 200),
    ip,
  };
}

export interface CaptureInput {
  adapter: SubmissionAdapter;
  contentType: string;
  rawBody: Buffer;
  /** The parsed body; null when it could not be parsed (parseError says why). */
  body: Record<string, unknown> | null;
  parseError: string | null;
  idempotencyKey: string | null;
  signature: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

export type CaptureOutcome =
  | {
      kind: 'submission';
      submission: FormSubmissionRow;
      /** The same submission was sent before; this is its first answer. */
      replayed: boolean;
      /** A body that could not be read at all (400 rather than 422). */
      malformed: boolean;
      /** The form is switched off: kept as rejected, answered as not found. */
      inactive: boolean;
    }
  | { kind: 'meta_notice'; submissions: { submissionId: string; leadgenId: string }[] };

function submissionFieldsOf(row: FormSubmissionRow): SubmissionFields {
  return { values: row.fields.values ?? {}, extras: row.fields.extras ?? [] };
}

export function toSubmissionDto(row: FormSubmissionRow): SubmissionDto {
  const fields = submissionFieldsOf(row);
  return {
    id: row.id,
    formId: row.form_id,
    adapter: row.adapter,
    status: row.status,
    submissionKey: row.submission_key,
    fields: fields.values,
    extras: fields.extras,
    errors: row.errors,
    rawBody: row.raw_body,
    contentType: row.content_type,
    leadId: row.lead_id,
    contactId: row.contact_id,
    ip: row.ip,
    userAgent: row.user_agent,
    acceptedBy: row.accepted_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const auditForm = (dto: FormDto) => ({
  name: dto.name,
  fields: dto.fields,
  adapterMapping: dto.adapterMapping,
  sourceId: dto.sourceId,
  pipelineId: dto.pipelineId,
  stageId: dto.stageId,
  assigneeId: dto.assigneeId,
  allowedOrigins: dto.allowedOrigins,
  thankYouMessage: dto.thankYouMessage,
  redirectUrl: dto.redirectUrl,
  honeypotField: dto.honeypotField,
  hasSigningSecret: dto.hasSigningSecret,
  hasGoogleKey: dto.hasGoogleKey,
  active: dto.active,
});

const LIMITS: Record<string, number> = {
  firstName: 100,
  lastName: 100,
  name: 200,
  company: 300,
  message: 10_000,
};

/**
 * A phone as the contact will keep it: as typed, or with a "+" when it only reads as an
 * international number written without one (Google Ads sends 1-650-555-0123).
 */
export function phoneOf(raw: string, country: string): { value: string; e164: string } | null {
  const typed = raw.trim();
  const e164 = toE164(typed, country);
  if (e164) return { value: typed, e164 };
  const international = /^\d/.test(typed) ? toE164(`+${typed}`, country) : null;
  return international ? { value: `+${typed}`, e164: international } : null;
}

/** The field errors of a mapped submission (custom fields are checked by their own service). */
export function validateInquiry(values: Record<string, string>, country: string): FieldError[] {
  const errors: FieldError[] = [];
  if (values.email && !emailSchema.safeParse(values.email).success) {
    errors.push({ field: 'email', message: 'Not a valid email address' });
  }
  if (values.phone && !phoneOf(values.phone, country)) {
    errors.push({ field: 'phone', message: 'Not a valid phone number' });
  }
  if (!values.email && !values.phone) {
    errors.push({ field: 'email', message: 'Give an email address or a phone number' });
  }
  for (const [field, max] of Object.entries(LIMITS)) {
    if ((values[field]?.length ?? 0) > max) {
      errors.push({ field, message: `Use at most ${max} characters` });
    }
  }
  return errors;
}

/** A custom field's value from posted text (numbers, yes/no, lists); else the text itself. */
export function customValueOf(type: CustomFieldType | undefined, text: string): unknown {
  const value = text.trim();
  switch (type) {
    case 'number':
    case 'money': {
      const number = Number(value.replace(/\s/g, ''));
      return value !== '' && Number.isFinite(number) ? number : value;
    }
    case 'boolean':
      if (/^(true|yes|on|1|ja|oui|sí|si)$/i.test(value)) return true;
      if (/^(false|no|off|0|nein|non)$/i.test(value)) return false;
      return value;
    case 'multiselect':
      return value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
    case 'text':
    case 'long_text':
    case 'date':
    case 'select':
    case 'email':
    case 'phone':
    case 'url':
    case undefined:
      return value;
  }
}

function isFieldProblem(error: unknown): error is AppError {
  return (
    error instanceof AppError &&
    (error.code === 'validation_failed' || error.code === 'conflict') &&
    (error.fields?.length ?? 0) > 0
  );
}

function zodFields(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message }));
}

export function createFormsService(
  { db, clock, config, encryptionKey, events }: ServiceDeps,
  deps: {
    contacts: ContactsService;
    leads: LeadsService;
    activities: ActivitiesService;
    users: UsersService;
    workspaces: WorkspacesService;
    pipelines: PipelinesService;
    leadSources: LeadSourcesService;
    notifications: NotificationsService;
    customFields: CustomFieldsService;
  },
) {
  function toFormDto(row: FormRow): FormDto {
    const hostedUrl = `${config.publicUrl}/f/${row.key}`;
    const captureUrl = `${config.publicUrl}/api/capture/${row.key}`;
    return {
      id: row.id,
      key: row.key,
      name: row.name,
      fields: row.field_mapping,
      adapterMapping: row.adapter_mapping,
      sourceId: row.source_id,
      pipelineId: row.pipeline_id,
      stageId: row.stage_id,
      assigneeId: row.assignee_id,
      allowedOrigins: row.allowed_origins,
      thankYouMessage: row.thank_you_message,
      redirectUrl: row.redirect_url,
      honeypotField: row.honeypot_field,
      hasSigningSecret: row.signing_secret !== null,
      hasGoogleKey: row.google_key !== null,
      active: row.is_active,
      hostedUrl,
      captureUrl,
      embedHtml: embedHtmlOf(row, captureUrl),
      iframeHtml: iframeHtmlOf(row, hostedUrl),
      version: row.version,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    };
  }

  /** Secrets are kept encrypted and must be readable to verify: no key, no secret (409). */
  function sealSecret(field: string, secret: string | null | undefined) {
    if (secret === undefined || secret === null) return secret;
    if (!encryptionKey) {
      throw new AppError('conflict', {
        message: 'This server has no encryption key. Set ENCRYPTION_KEY to store form secrets.',
        fields: [{ field, message: 'Set ENCRYPTION_KEY to store secrets' }],
      });
    }
    return encryptText(encryptionKey, secret);
  }

  function openSecret(sealed: string): string {
    if (!encryptionKey) {
      throw new AppError('internal', {
        message: 'A form secret cannot be read: is ENCRYPTION_KEY the key it was written with?',
      });
    }
    return decryptText(encryptionKey, sealed);
  }

  /** The pipeline, stage, source and assignee a form names exist and fit together. */
  async function checkLinks(
    actor: Actor,
    links: {
      pipelineId: string | null;
      stageId: string | null;
      sourceId: string | null;
      assigneeId: string | null;
    },
  ) {
    if (links.pipelineId || links.stageId) {
      const pipeline = await deps.pipelines.pipelineForLead(actor, links.pipelineId ?? undefined);
      if (links.stageId) {
        const stage = pipeline.stages.find((s) => s.id === links.stageId);
        if (!stage) throw fieldError('stageId', 'No such active stage in this pipeline.');
        if (stage.kind !== 'open') throw fieldError('stageId', 'New leads start in an open stage.');
      }
    }
    if (links.sourceId) {
      await deps.leadSources.getLeadSource(actor, links.sourceId).catch(() => {
        throw fieldError('sourceId', 'No such lead source in this workspace.');
      });
    }
    if (links.assigneeId)
      await deps.users.assertActiveMember(actor, links.assigneeId, 'assigneeId');
  }

  async function getFormRow(executor: Executor, actor: Actor, formId: string, lock = false) {
    const row = await repo.findForm(executor, actor.workspaceId, formId, lock);
    if (!row) throw notFound('Form');
    return row;
  }

  /** Who hears of a new inquiry: the form's assignee while active, else admins and managers. */
  async function recipientsFor(actor: Actor, form: FormRow) {
    if (form.assignee_id) {
      const assignee = await deps.users.getUser(actor, form.assignee_id).catch(() => null);
      if (assignee?.active) return { assigneeId: assignee.id, userIds: [assignee.id] };
    }
    const members = await deps.users.listUsers(actor, { limit: 200, active: true });
    return {
      assigneeId: null,
      userIds: members.items
        .filter((member) => member.role === 'admin' || member.role === 'manager')
        .map((member) => member.id),
    };
  }

  /**
   * The "new inquiry" flow inside the caller's transaction: match the contact by email or phone
   * (link it and note the inquiry on it) or create one; create the lead at the form's stage (by
   * default the pipeline's first open stage) with its source and assignee; log what they wrote
   * as an inbound note; notify the assignee (or admins and managers).
   */
  async function runInquiry(
    trx: Transaction<DB>,
    actor: Actor,
    form: FormRow,
    fields: SubmissionFields,
    submissionId: string,
    recipients: { assigneeId: string | null; userIds: string[] },
  ) {
    const { values, extras } = fields;
    const email = values.email ? emailSchema.parse(values.email) : null;
    const workspace = await deps.workspaces.findWorkspace(actor.workspaceId, trx);
    const phone = values.phone ? phoneOf(values.phone, workspace?.country ?? 'US') : null;
    // Posted values are text; a custom field of another type gets its value read from it.
    const customOf = async (recordType: 'lead' | 'contact') => {
      const prefix = `${recordType}.`;
      const entries = Object.entries(values).filter(([target]) => target.startsWith(prefix));
      if (entries.length === 0) return undefined;
      const types = new Map(
        (await deps.customFields.activeFields(actor, recordType, trx)).map((f) => [f.key, f.type]),
      );
      return Object.fromEntries(
        entries.map(([target, text]) => {
          const key = target.slice(prefix.length);
          return [key, customValueOf(types.get(key), text)];
        }),
      );
    };

    const [match] = await deps.contacts.findContactsByEmailOrPhone(
      trx,
      actor,
      email ? [email] : [],
      phone ? [phone.e164] : [],
    );
    let contactId = match?.id ?? null;
    if (!contactId) {
      const names =
        values.firstName || values.lastName
          ? { firstName: values.firstName ?? '', lastName: values.lastName ?? '' }
          : splitName(values.name ?? '');
      // A contact needs a name; without one it is known by how to reach them.
      if (!names.firstName && !names.lastName) {
        names.firstName = (email ?? values.phone ?? '').slice(0, 100);
      }
      const input = createContactBodySchema.safeParse({
        ...names,
        emails: email ? [email] : [],
        phones: phone ? [phone.value] : [],
        customFields: await customOf('contact'),
        allowDuplicate: true,
      });
      if (!input.success) {
        throw new AppError('validation_failed', {
          message: 'Some fields are not valid.',
          fields: zodFields(input.error),
        });
      }
      contactId = (await deps.contacts.createContact(actor, input.data, trx)).id;
    }

    const leadInput = createLeadBodySchema.safeParse({
      contactId,
      companyName: values.company ?? '',
      description: values.message ?? '',
      sourceId: form.source_id ?? undefined,
      sourceDetail: `Form: ${form.name}`,
      pipelineId: form.pipeline_id ?? undefined,
      stageId: form.stage_id ?? undefined,
      assigneeId: recipients.assigneeId ?? undefined,
      customFields: await customOf('lead'),
    });
    if (!leadInput.success) {
      throw new AppError('validation_failed', {
        message: 'Some fields are not valid.',
        fields: zodFields(leadInput.error),
      });
    }
    const lead = await deps.leads.createLead(actor, leadInput.data, trx, {
      announcesAssignee: true,
    });

    const details = { formId: form.id, submissionId };
    const wrote = [
      values.message ?? '',
      ...extras.map((extra) => `${extra.label}: ${extra.value}`),
    ].filter(Boolean);
    await deps.activities.logInquiryIn(trx, actor, {
      leadId: lead.id,
      contactId,
      subject: `Inquiry via ${form.name}`,
      body: wrote.join('\n'),
      details,
    });
    if (match) {
      await deps.activities.logInquiryIn(trx, actor, {
        leadId: null,
        contactId,
        subject: 'New inquiry',
        body: `Sent "${form.name}" again; new lead "${lead.title}".`,
        details: { ...details, leadId: lead.id },
      });
    }
    await deps.notifications.notify(trx, {
      workspaceId: actor.workspaceId,
      // An assignment rule may have picked the owner: then they hear of it, not the managers.
      userIds: lead.assigneeId ? [lead.assigneeId] : recipients.userIds,
      kind: 'new_inquiry',
      title: `New inquiry: ${lead.title}`,
      body: (values.message ?? `Via ${form.name}`).slice(0, 500),
      leadId: lead.id,
    });
    await events.publish(trx, {
      type: 'form.submitted',
      actor,
      leadId: lead.id,
      contactId,
      data: { formId: form.id, submissionId, matchedContact: match !== undefined },
    });
    return { leadId: lead.id, contactId, matchedContact: match !== undefined };
  }

  async function storeSubmission(
    actor: Actor,
    submission: repo.NewSubmission,
    action: string,
  ): Promise<{ row: FormSubmissionRow; replayed: boolean }> {
    return db.transaction().execute(async (trx) => {
      const row = await repo.insertSubmission(trx, submission);
      if (!row) {
        const first = await repo.findSubmissionByKey(
          trx,
          submission.workspaceId,
          submission.formId,
          submission.submissionKey ?? '',
        );
        if (!first) throw new AppError('conflict', { message: 'This submission is being saved.' });
        return { row: first, replayed: true };
      }
      await recordAudit(trx, clock, actor, {
        action,
        entityType: 'form_submission',
        entityId: row.id,
        after: { formId: row.form_id, status: row.status, errors: row.errors },
      });
      return { row, replayed: false };
    });
  }

  function verifySignature(form: FormRow, rawBody: Buffer, header: string | null) {
    if (!form.signing_secret) return;
    if (!header) {
      throw new AppError('unauthenticated', {
        message: `This form takes signed posts only: send ${SIGNATURE_HEADER}: sha256=<hex HMAC of the body>.`,
      });
    }
    const expected = createHmac('sha256', openSecret(form.signing_secret)).update(rawBody).digest();
    const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
    const given = match?.[1] ? Buffer.from(match[1], 'hex') : null;
    if (!given || !timingSafeEqual(given, expected)) {
      throw new AppError('forbidden', { message: 'The signature does not match the body.' });
    }
  }

  function verifyGoogleKey(form: FormRow, body: Record<string, unknown>) {
    if (!form.google_key) return;
    const given = typeof body.google_key === 'string' ? Buffer.from(body.google_key) : null;
    const expected = Buffer.from(openSecret(form.google_key));
    if (!given || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new AppError('forbidden', { message: 'google_key does not match this form.' });
    }
  }

  return {
    async listForms(actor: Actor) {
      requirePermission(actor, 'lead:configure');
      const rows = await repo.listForms(db, actor.workspaceId);
      return { items: rows.map(toFormDto), nextCursor: null };
    },

    async getForm(actor: Actor, formId: string) {
      requirePermission(actor, 'lead:configure');
      return toFormDto(await getFormRow(db, actor, formId));
    },

    async createForm(actor: Actor, input: CreateFormInput) {
      requirePermission(actor, 'lead:configure');
      await checkLinks(actor, input);
      const signingSecret = sealSecret('signingSecret', input.signingSecret) ?? null;
      const googleKey = sealSecret('googleKey', input.googleKey) ?? null;
      return db.transaction().execute(async (trx) => {
        const row = await repo.insertForm(
          trx,
          actor.workspaceId,
          randomBytes(KEY_BYTES).toString('base64url'),
          {
            name: input.name,
            field_mapping: input.fields,
            adapter_mapping: input.adapterMapping,
            source_id: input.sourceId,
            pipeline_id: input.pipelineId,
            stage_id: input.stageId,
            assignee_id: input.assigneeId,
            allowed_origins: input.allowedOrigins,
            thank_you_message: input.thankYouMessage,
            redirect_url: input.redirectUrl,
            honeypot_field: input.honeypotField,
            signing_secret: signingSecret,
            google_key: googleKey,
            is_active: input.active,
          },
          actor.userId || null,
          clock.now(),
        );
        const created = toFormDto(row);
        await recordAudit(trx, clock, actor, {
          action: 'form.created',
          entityType: 'form',
          entityId: row.id,
          after: auditForm(created),
        });
        return created;
      });
    },

    async updateForm(actor: Actor, formId: string, input: UpdateFormInput, ifMatch?: number) {
      requirePermission(actor, 'lead:configure');
      const current = await getFormRow(db, actor, formId);
      const pipelineId = input.pipelineId === undefined ? current.pipeline_id : input.pipelineId;
      // A new pipeline without a stage falls back to its first open stage.
      const stageId =
        input.stageId !== undefined
          ? input.stageId
          : input.pipelineId !== undefined && input.pipelineId !== current.pipeline_id
            ? null
            : current.stage_id;
      await checkLinks(actor, {
        pipelineId,
        stageId,
        sourceId: input.sourceId ?? null,
        assigneeId: input.assigneeId ?? null,
      });
      const patch: Partial<repo.FormValues> = {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.fields !== undefined ? { field_mapping: input.fields } : {}),
        ...(input.adapterMapping !== undefined ? { adapter_mapping: input.adapterMapping } : {}),
        ...(input.sourceId !== undefined ? { source_id: input.sourceId } : {}),
        pipeline_id: pipelineId,
        stage_id: stageId,
        ...(input.assigneeId !== undefined ? { assignee_id: input.assigneeId } : {}),
        ...(input.allowedOrigins !== undefined ? { allowed_origins: input.allowedOrigins } : {}),
        ...(input.thankYouMessage !== undefined
          ? { thank_you_message: input.thankYouMessage }
          : {}),
        ...(input.redirectUrl !== undefined ? { redirect_url: input.redirectUrl } : {}),
        ...(input.honeypotField !== undefined ? { honeypot_field: input.honeypotField } : {}),
        ...(input.signingSecret !== undefined
          ? { signing_secret: sealSecret('signingSecret', input.signingSecret) ?? null }
          : {}),
        ...(input.googleKey !== undefined
          ? { google_key: sealSecret('googleKey', input.googleKey) ?? null }
          : {}),
        ...(input.active !== undefined ? { is_active: input.active } : {}),
      };
      return db.transaction().execute(async (trx) => {
        const before = await getFormRow(trx, actor, formId, true);
        assertVersion(before.version, ifMatch);
        const after = toFormDto(
          await repo.updateFormRow(trx, actor.workspaceId, formId, patch, clock.now()),
        );
        await recordAudit(trx, clock, actor, {
          action: 'form.updated',
          entityType: 'form',
          entityId: formId,
          before: auditForm(toFormDto(before)),
          after: auditForm(after),
        });
        // A changed secret reads "true" → "true" in the diff; say that it was replaced.
        if (input.signingSecret !== undefined || input.googleKey !== undefined) {
          await recordAudit(trx, clock, actor, {
            action: 'form.secret_changed',
            entityType: 'form',
            entityId: formId,
            after: {
              fields: [
                ...(input.signingSecret !== undefined ? ['signingSecret'] : []),
                ...(input.googleKey !== undefined ? ['googleKey'] : []),
              ],
            },
          });
        }
        return after;
      });
    },

    async listSubmissions(actor: Actor, formId: string, query: ListSubmissionsQuery) {
      requirePermission(actor, 'lead:configure');
      await getFormRow(db, actor, formId);
      const before = query.cursor
        ? decodeCursor(query.cursor, z.tuple([z.coerce.date(), z.uuid()]))
        : undefined;
      const rows = await repo.listSubmissions(db, actor.workspaceId, formId, {
        status: query.status,
        before,
        limit: query.limit,
      });
      return toPage(rows, query.limit, toSubmissionDto, (row) => [
        row.created_at.toISOString(),
        row.id,
      ]);
    },

    /**
     * Accepts a rejected (or spam) submission with corrected values: the same flow as a capture,
     * recorded as the web form's work, with the acceptance audited under the admin.
     */
    async acceptSubmission(actor: Actor, submissionId: string, input: AcceptSubmissionInput) {
      requirePermission(actor, 'lead:configure');
      const current = await repo.findSubmission(db, actor.workspaceId, submissionId);
      if (!current) throw notFound('Submission');
      if (current.status === 'accepted') {
        throw new AppError('conflict', { message: 'This submission is accepted already.' });
      }
      const form = await getFormRow(db, actor, current.form_id);
      const stored = submissionFieldsOf(current);
      const values = { ...stored.values };
      for (const [target, value] of Object.entries(input.fields)) {
        if (value.trim()) values[target] = value.trim();
        else delete values[target];
      }
      const fields = { values, extras: stored.extras };
      const workspace = await deps.workspaces.findWorkspace(actor.workspaceId);
      const errors = validateInquiry(values, workspace?.country ?? 'US');
      if (errors.length > 0) {
        throw new AppError('validation_failed', {
          message: 'Some fields are not valid.',
          fields: errors,
        });
      }
      const formActor = webFormActor(actor.workspaceId, form.id, actor.requestId, actor.ip);
      const recipients = await recipientsFor(formActor, form);
      return db.transaction().execute(async (trx) => {
        const before = await repo.findSubmission(trx, actor.workspaceId, submissionId, true);
        if (!before || before.status === 'accepted') {
          throw new AppError('conflict', { message: 'This submission is accepted already.' });
        }
        const result = await runInquiry(trx, formActor, form, fields, submissionId, recipients);
        const after = await repo.updateSubmissionRow(
          trx,
          actor.workspaceId,
          submissionId,
          {
            status: 'accepted',
            fields,
            errors: [],
            leadId: result.leadId,
            contactId: result.contactId,
            acceptedBy: actor.userId || null,
          },
          clock.now(),
        );
        await recordAudit(trx, clock, actor, {
          action: 'form_submission.accepted',
          entityType: 'form_submission',
          entityId: submissionId,
          before: { status: before.status, fields: before.fields.values },
          after: { status: 'accepted', fields: values, leadId: result.leadId },
        });
        return toSubmissionDto(after);
      });
    },

    /**
     * For a privacy erasure, inside its transaction: blanks what the person sent in the stored
     * submissions of the contact (or carrying one of its emails), keeping status and links.
     */
    async eraseSubmissionsOfContact(
      trx: Executor,
      actor: Actor,
      contactId: string,
      emails: string[],
    ) {
      const erased = await repo.eraseSubmissionsOf(
        trx,
        actor.workspaceId,
        contactId,
        emails.map((email) => email.toLowerCase()),
        clock.now(),
      );
      for (const { id } of erased) {
        await recordAudit(trx, clock, actor, {
          action: 'form_submission.erased',
          entityType: 'form_submission',
          entityId: id,
          after: { contactId },
        });
      }
      return erased.length;
    },

    /** The form behind a public key (active or not); null for an unknown key. */
    async findPublicForm(formKey: string) {
      const entry = await repo.findFormKey(db, formKey);
      if (!entry) return null;
      return (await repo.findForm(db, entry.workspace_id, entry.form_id)) ?? null;
    },

    toFormDto,

    /** A public post to a form: checked, stored, and run through the new-inquiry flow. */
    async captureSubmission(form: FormRow, input: CaptureInput): Promise<CaptureOutcome> {
      verifySignature(form, input.rawBody, input.signature);
      const actor = webFormActor(form.workspace_id, form.id, input.requestId, input.ip);
      const base = {
        workspaceId: form.workspace_id,
        formId: form.id,
        adapter: input.adapter,
        contentType: input.contentType.slice(0, 200),
        rawBody: input.rawBody.toString('utf8'),
        ip: input.ip,
        userAgent: input.userAgent?.slice(0, 500) ?? null,
      };
      const keyOf = (fromPayload: string | null) =>
        (input.idempotencyKey ?? fromPayload)?.slice(0, 200) ?? null;
      const reject = async (
        errors: FieldError[],
        fields: SubmissionFields,
        submissionKey: string | null,
        flags: { malformed?: boolean; inactive?: boolean } = {},
      ): Promise<CaptureOutcome> => {
        const stored = await storeSubmission(
          actor,
          { ...base, submissionKey, fields, status: 'rejected', errors, now: clock.now() },
          'form_submission.rejected',
        );
        return {
          kind: 'submission',
          submission: stored.row,
          replayed: stored.replayed,
          malformed: flags.malformed ?? false,
          inactive: flags.inactive ?? false,
        };
      };
      const empty: SubmissionFields = { values: {}, extras: [] };

      const body = input.body;
      if (!body) {
        return reject(
          [{ field: 'body', message: input.parseError ?? 'Send a JSON object or a form post' }],
          empty,
          keyOf(null),
          { malformed: true },
        );
      }
      if (input.adapter === 'google-ads') verifyGoogleKey(form, body);

      // Meta's webhook only names the new leads; their answers need a Graph API call we can't
      // make (no outbound access assumed). Keep each as a rejected submission to complete.
      const leadgenIds = input.adapter === 'meta' ? metaNotificationIds(body) : null;
      if (leadgenIds && !Array.isArray(body.field_data)) {
        const submissions: { submissionId: string; leadgenId: string }[] = [];
        for (const leadgenId of leadgenIds) {
          const stored = await storeSubmission(
            actor,
            {
              ...base,
              submissionKey: `meta-notice:${leadgenId}`,
              fields: { values: {}, extras: [{ label: 'leadgen_id', value: leadgenId }] },
              status: 'rejected',
              errors: [
                {
                  field: 'field_data',
                  message: `Meta sent only lead id ${leadgenId}. Look the lead up in Meta Leads Center and accept it with its fields, or send its field_data (Graph API GET /${leadgenId}, Zapier, Make) to the meta adapter.`,
                },
              ],
              now: clock.now(),
            },
            'form_submission.rejected',
          );
          submissions.push({ submissionId: stored.row.id, leadgenId });
        }
        return { kind: 'meta_notice', submissions };
      }

      let inquiry: Inquiry;
      try {
        inquiry = readInquiry(input.adapter, body, {
          fieldMapping: form.field_mapping,
          adapterMapping: form.adapter_mapping,
          honeypotField: form.honeypot_field,
        });
      } catch (error) {
        if (!(error instanceof AdapterError)) throw error;
        return reject([{ field: error.field, message: error.message }], empty, keyOf(null));
      }
      const fields: SubmissionFields = { values: inquiry.values, extras: inquiry.extras };
      const submissionKey = keyOf(inquiry.submissionKey);

      if (!form.is_active) {
        return reject(
          [{ field: 'form', message: 'This form is switched off.' }],
          fields,
          submissionKey,
          {
            inactive: true,
          },
        );
      }
      if (submissionKey) {
        const first = await repo.findSubmissionByKey(db, form.workspace_id, form.id, submissionKey);
        if (first) {
          return {
            kind: 'submission',
            submission: first,
            replayed: true,
            malformed: false,
            inactive: false,
          };
        }
      }
      // Bots fill every field; people never see this one.
      const honeypot = body[form.honeypot_field];
      if (typeof honeypot === 'string' ? honeypot.trim() !== '' : honeypot != null) {
        const stored = await storeSubmission(
          actor,
          { ...base, submissionKey, fields, status: 'spam', errors: [], now: clock.now() },
          'form_submission.spam',
        );
        return {
          kind: 'submission',
          submission: stored.row,
          replayed: stored.replayed,
          malformed: false,
          inactive: false,
        };
      }

      const workspace = await deps.workspaces.findWorkspace(form.workspace_id);
      const errors = validateInquiry(fields.values, workspace?.country ?? 'US');
      if (errors.length > 0) return reject(errors, fields, submissionKey);

      const recipients = await recipientsFor(actor, form);
      try {
        return await db.transaction().execute(async (trx): Promise<CaptureOutcome> => {
          const row = await repo.insertSubmission(trx, {
            ...base,
            submissionKey,
            fields,
            status: 'accepted',
            errors: [],
            now: clock.now(),
          });
          if (!row) {
            // Sent twice at once: the other request stored it first.
            const first = await repo.findSubmissionByKey(
              trx,
              form.workspace_id,
              form.id,
              submissionKey ?? '',
            );
            if (!first)
              throw new AppError('conflict', { message: 'This submission is being saved.' });
            return {
              kind: 'submission',
              submission: first,
              replayed: true,
              malformed: false,
              inactive: false,
            };
          }
          const result = await runInquiry(trx, actor, form, fields, row.id, recipients);
          const saved = await repo.updateSubmissionRow(
            trx,
            form.workspace_id,
            row.id,
            { status: 'accepted', errors: [], leadId: result.leadId, contactId: result.contactId },
            clock.now(),
          );
          await recordAudit(trx, clock, actor, {
            action: 'form_submission.accepted',
            entityType: 'form_submission',
            entityId: row.id,
            after: {
              formId: form.id,
              status: 'accepted',
              leadId: result.leadId,
              contactId: result.contactId,
              matchedContact: result.matchedContact,
            },
          });
          return {
            kind: 'submission',
            submission: saved,
            replayed: false,
            malformed: false,
            inactive: false,
          };
        });
      } catch (error) {
        // A rule of the workspace refused it (a required custom field, say): keep it to fix.
        if (!isFieldProblem(error)) throw error;
        return reject(error.fields ?? [], fields, submissionKey);
      }
    },
  };
}

export type FormsService = ReturnType<typeof createFormsService>;
