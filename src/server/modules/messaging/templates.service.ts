// Message templates: email and SMS texts with variables ({{contact.firstName}}, …), optionally
// tied to a stage for per-stage follow-up drafts. An unknown variable is a 422 before anything is
// saved. A preset ships three follow-up templates (templates.defaults.ts), editable like others.
// DELETE archives; an archived template can't start new drafts but old drafts keep their text.
import type { Transaction } from 'kysely';
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { recordAudit, type Executor } from '../../platform/audit.js';
import type { DB, MessageTemplateRow } from '../../platform/db/schema.js';
import { inTransaction } from '../../platform/db/transaction.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { AppError, notFound, type FieldError } from '../../platform/errors.js';
import { assertVersion } from '../../platform/http/versioning.js';
import type { PresetKey } from '../presets/presets.data.js';
import * as repo from './messaging.repository.js';
import {
  templateVariablesList,
  type CreateTemplateInput,
  type ListTemplatesQuery,
  type TemplateDto,
  type UpdateTemplateInput,
} from './messaging.schemas.js';
import { SHIPPED_TEMPLATES } from './templates.defaults.js';
import { TEMPLATE_VARIABLES, unknownVariables } from './templates.render.js';

export function toTemplateDto(row: MessageTemplateRow): TemplateDto {
  return {
    id: row.id,
    name: row.name,
    channel: row.channel,
    purpose: row.purpose,
    subject: row.subject,
    body: row.body,
    stageSlug: row.stage_slug,
    shipped: row.default_key !== null,
    archived: row.archived_at !== null,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const auditView = ({ id, version, createdAt, updatedAt, ...fields }: TemplateDto) => fields;

/** A 422 naming every unknown variable of the subject and body (and the known ones). */
export function assertKnownVariables(texts: { subject?: string; body?: string }): void {
  const fields: FieldError[] = [];
  for (const field of ['subject', 'body'] as const) {
    const unknown = unknownVariables(texts[field] ?? '');
    if (unknown.length > 0) {
      fields.push({
        field,
        message:
          `Unknown variable${unknown.length > 1 ? 's' : ''} ${unknown.map((name) => `{{${name}}}`).join(', ')}. ` +
          `Known: ${Object.keys(TEMPLATE_VARIABLES).join(', ')}.`,
      });
    }
  }
  if (fields.length > 0) {
    throw new AppError('validation_failed', {
      message: 'The template uses variables that do not exist.',
      fields,
    });
  }
}

function assertEmailSubject(channel: string, subject: string) {
  if (channel === 'email' && subject.trim() === '') {
    throw new AppError('validation_failed', {
      message: 'Some fields are not valid.',
      fields: [{ field: 'subject', message: 'An email template needs a subject.' }],
    });
  }
}

export function createTemplatesService({ db, clock }: ServiceDeps) {
  async function getRow(executor: Executor, actor: Actor, templateId: string) {
    const row = await repo.findTemplate(executor, actor.workspaceId, templateId);
    if (!row) throw notFound('Template');
    return row;
  }

  return {
    async listTemplates(actor: Actor, query: ListTemplatesQuery) {
      requirePermission(actor, 'lead:read');
      const rows = await repo.listTemplates(db, actor.workspaceId, query);
      return { items: rows.map(toTemplateDto), nextCursor: null, variables: templateVariablesList };
    },

    async getTemplate(actor: Actor, templateId: string) {
      requirePermission(actor, 'lead:read');
      return toTemplateDto(await getRow(db, actor, templateId));
    },

    /** The template's row for a draft, inside the caller's transaction (404 when not theirs). */
    async findTemplateIn(executor: Executor, actor: Actor, templateId: string) {
      return getRow(executor, actor, templateId);
    },

    async createTemplate(actor: Actor, input: CreateTemplateInput) {
      requirePermission(actor, 'lead:configure');
      assertKnownVariables(input);
      assertEmailSubject(input.channel, input.subject);
      return db.transaction().execute(async (trx) => {
        const created = toTemplateDto(
          await repo.insertTemplate(
            trx,
            actor.workspaceId,
            {
              ...input,
              subject: input.channel === 'sms' ? '' : input.subject,
              createdBy: actor.userId || null,
            },
            clock.now(),
          ),
        );
        await recordAudit(trx, clock, actor, {
          action: 'template.created',
          entityType: 'message_template',
          entityId: created.id,
          after: auditView(created),
        });
        return created;
      });
    },

    async updateTemplate(
      actor: Actor,
      templateId: string,
      input: UpdateTemplateInput,
      ifMatch?: number,
    ) {
      requirePermission(actor, 'lead:configure');
      assertKnownVariables(input);
      return db.transaction().execute(async (trx) => {
        const before = toTemplateDto(await getRow(trx, actor, templateId));
        assertVersion(before.version, ifMatch);
        if (before.archived) {
          throw new AppError('conflict', { message: 'This template is archived.' });
        }
        const channel = input.channel ?? before.channel;
        assertEmailSubject(channel, input.subject ?? before.subject);
        const after = toTemplateDto(
          await repo.updateTemplate(
            trx,
            actor.workspaceId,
            templateId,
            { ...input, ...(channel === 'sms' ? { subject: '' } : {}) },
            clock.now(),
          ),
        );
        await recordAudit(trx, clock, actor, {
          action: 'template.updated',
          entityType: 'message_template',
          entityId: templateId,
          before: auditView(before),
          after: auditView(after),
        });
        return after;
      });
    },

    async archiveTemplate(actor: Actor, templateId: string, ifMatch?: number) {
      requirePermission(actor, 'lead:configure');
      return db.transaction().execute(async (trx) => {
        const before = toTemplateDto(await getRow(trx, actor, templateId));
        assertVersion(before.version, ifMatch);
        if (before.archived) return before;
        const after = toTemplateDto(
          await repo.updateTemplate(
            trx,
            actor.workspaceId,
            templateId,
            { archivedAt: clock.now() },
            clock.now(),
          ),
        );
        await recordAudit(trx, clock, actor, {
          action: 'template.archived',
          entityType: 'message_template',
          entityId: templateId,
          before: { archived: false },
          after: { archived: true },
        });
        return after;
      });
    },

    /** The shipped templates a workspace holds: `<preset>.<key>` → template id. */
    shippedTemplateIds(executor: Executor, workspaceId: string) {
      return repo.shippedTemplateIds(executor, workspaceId);
    },

    /** Adds the preset's follow-up templates the workspace doesn't have yet; returns how many. */
    async ensureShippedTemplates(actor: Actor, preset: PresetKey, outer?: Transaction<DB>) {
      requirePermission(actor, 'lead:configure');
      return inTransaction(db, outer, async (trx) => {
        const have = await repo.shippedTemplateIds(trx, actor.workspaceId);
        let added = 0;
        for (const template of SHIPPED_TEMPLATES[preset]) {
          // Keyed by preset: another trade's preset brings its own pipeline and templates.
          const defaultKey = `${preset}.${template.key}`;
          if (have.has(defaultKey)) continue;
          const row = await repo.insertTemplate(
            trx,
            actor.workspaceId,
            {
              name: template.name,
              channel: 'email',
              purpose: 'transactional',
              subject: template.subject,
              body: template.body,
              stageSlug: template.stageSlug,
              defaultKey,
              createdBy: actor.userId || null,
            },
            clock.now(),
          );
          await recordAudit(trx, clock, actor, {
            action: 'template.created',
            entityType: 'message_template',
            entityId: row.id,
            after: auditView(toTemplateDto(row)),
          });
          added += 1;
        }
        return added;
      });
    },
  };
}

export type TemplatesService = ReturnType<typeof createTemplatesService>;
