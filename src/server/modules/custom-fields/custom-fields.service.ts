// Custom fields: the definitions of a workspace per record type (lead, contact, company) — list,
// create, read, update, archive, restore — and the values on records: checked against the
// active definitions, sensitive ones encrypted at rest as { "$enc": "v1:…" }, masked in lists
// and for roles without lead:read_sensitive, and audited when a single-record read shows them.
import { z } from 'zod';
import type { Transaction } from 'kysely';
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { recordAudit, type Executor } from '../../platform/audit.js';
import { decryptText, encryptText } from '../../platform/crypto.js';
import type {
  CustomFieldOption,
  CustomFieldRecordType,
  CustomFieldRow,
  DB,
} from '../../platform/db/schema.js';
import { inTransaction } from '../../platform/db/transaction.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { createExpiringCache } from '../../platform/expiring-cache.js';
import { AppError, fieldError, notFound, type FieldError } from '../../platform/errors.js';
import { assertVersion } from '../../platform/http/versioning.js';
import { toE164 } from '../../../shared/phone.js';
import * as repo from './custom-fields.repository.js';
import type {
  CreateCustomFieldInput,
  CustomFieldDto,
  CustomFieldsInput,
  CustomFieldValue,
  ListCustomFieldsQuery,
  UpdateCustomFieldInput,
} from './custom-fields.schemas.js';

/** Stored custom field values of a record (its custom_fields column). */
export type StoredCustomFields = Record<string, unknown>;
export type CustomFieldValues = Record<string, CustomFieldValue>;

/** How a set sensitive value appears where it is not shown. */
export const MASKED = { masked: true } as const;
/** How a sensitive value appears in the audit log, before and after a change. */
export const SENSITIVE_IN_AUDIT = '[sensitive]';

const TEXT_MAX = 1000;
const LONG_TEXT_MAX = 10_000;

export function toCustomFieldDto(row: CustomFieldRow): CustomFieldDto {
  return {
    id: row.id,
    recordType: row.record_type,
    key: row.key,
    label: row.label,
    type: row.type,
    options: row.options,
    required: row.is_required,
    sensitive: row.is_sensitive,
    helpText: row.help_text,
    position: row.position,
    archived: row.archived_at !== null,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const auditView = (dto: CustomFieldDto) => {
  const { id, version, createdAt, updatedAt, ...fields } = dto;
  return fields;
};

function isEncrypted(value: unknown): value is { $enc: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { $enc?: unknown }).$enc === 'string'
  );
}

function isMasked(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Stored values as they may be shown when the definitions are not at hand: every stored key,
 * encrypted values masked. Services that know the definitions use maskValues instead.
 */
export function maskStoredValues(stored: StoredCustomFields): CustomFieldValues {
  return Object.fromEntries(
    Object.entries(stored).map(([key, value]) => [
      key,
      isEncrypted(value) ? MASKED : (value as CustomFieldValue),
    ]),
  );
}

/** The values of the active fields, sensitive ones masked (lists never decrypt). */
export function maskValues(
  fields: readonly CustomFieldRow[],
  stored: StoredCustomFields,
): CustomFieldValues {
  const values: CustomFieldValues = {};
  for (const field of fields) {
    const value = stored[field.key];
    if (value === undefined || value === null) continue;
    values[field.key] =
      field.is_sensitive || isEncrypted(value) ? MASKED : (value as CustomFieldValue);
  }
  return values;
}

/** Custom field values for the audit log: one entry per key, sensitive values as "[sensitive]". */
export function auditCustomFields(values: CustomFieldValues): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [
      `customFields.${key}`,
      isMasked(value) ? SENSITIVE_IN_AUDIT : value,
    ]),
  );
}

type Parsed = { value: unknown } | { error: string };

const emailCheck = z.email().max(254);
const urlCheck = z.url({ protocol: /^https?$/ }).max(2000);
const dateCheck = z.iso.date();

function optionList(options: CustomFieldOption[]): string {
  return options.map((option) => option.value).join(', ');
}

/**
 * A value checked and normalised for its field's type; { value: null } when it clears the field
 * (null, an empty string or an empty list).
 */
export function parseCustomFieldValue(
  field: Pick<CustomFieldRow, 'type' | 'options'>,
  raw: unknown,
  country: string,
): Parsed {
  if (raw === null) return { value: null };
  const text = typeof raw === 'string' ? raw.trim() : undefined;
  if (text === '') return { value: null };
  switch (field.type) {
    case 'text':
    case 'long_text': {
      if (text === undefined) return { error: 'Expected text' };
      const max = field.type === 'text' ? TEXT_MAX : LONG_TEXT_MAX;
      return text.length > max ? { error: `Use at most ${max} characters` } : { value: text };
    }
    case 'number':
      return typeof raw === 'number' && Number.isFinite(raw)
        ? { value: raw }
        : { error: 'Expected a number' };
    case 'money':
      return typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0
        ? { value: raw }
        : { error: 'Expected whole minor units (cents) of the workspace currency, 0 or more' };
    case 'date':
      return text !== undefined && dateCheck.safeParse(text).success
        ? { value: text }
        : { error: 'Expected a date (YYYY-MM-DD)' };
    case 'boolean':
      return typeof raw === 'boolean' ? { value: raw } : { error: 'Expected true or false' };
    case 'select':
      return text !== undefined && field.options.some((option) => option.value === text)
        ? { value: text }
        : { error: `Expected one of: ${optionList(field.options)}` };
    case 'multiselect': {
      const known = new Set(field.options.map((option) => option.value));
      if (!Array.isArray(raw) || !raw.every((item) => typeof item === 'string' && known.has(item)))
        return { error: `Expected a list of: ${optionList(field.options)}` };
      const unique = [...new Set(raw as string[])];
      return { value: unique.length > 0 ? unique : null };
    }
    case 'email': {
      const email = text?.toLowerCase();
      return email !== undefined && emailCheck.safeParse(email).success
        ? { value: email }
        : { error: 'Expected an email address' };
    }
    case 'phone': {
      const e164 = text !== undefined && text.length <= 40 ? toE164(text, country) : null;
      return e164 ? { value: e164 } : { error: 'Not a valid phone number' };
    }
    case 'url':
      return text !== undefined && urlCheck.safeParse(text).success
        ? { value: text }
        : { error: 'Expected an http(s) address' };
  }
}

/** The JSON value a filter "<key>:<text>" compares with, or why it can't be used. */
function parseFilterValue(field: CustomFieldRow, text: string): Parsed {
  if (field.is_sensitive) return { error: `"${field.key}" is sensitive and cannot be filtered on` };
  switch (field.type) {
    case 'text':
    case 'select':
    case 'email':
    case 'url':
    case 'date':
    case 'number':
    case 'money':
      return field.type === 'number' || field.type === 'money'
        ? parseCustomFieldValue(field, text.trim() === '' ? null : Number(text), '')
        : parseCustomFieldValue(field, text, '');
    case 'boolean':
      return text === 'true' || text === 'false'
        ? { value: text === 'true' }
        : { error: 'Expected true or false' };
    case 'multiselect':
      return field.options.some((option) => option.value === text)
        ? { value: [text] }
        : { error: `Expected one of: ${optionList(field.options)}` };
    case 'long_text':
    case 'phone':
      return { error: `"${field.key}" is a ${field.type} field and cannot be filtered on` };
  }
}

function assertOptions(type: CustomFieldRow['type'], options: CustomFieldOption[]): void {
  const hasOptions = type === 'select' || type === 'multiselect';
  if (hasOptions && options.length === 0) {
    throw fieldError('options', `A ${type} field needs at least one option.`);
  }
  if (!hasOptions && options.length > 0) {
    throw fieldError('options', 'Only select and multiselect fields have options.');
  }
  if (new Set(options.map((option) => option.value)).size !== options.length) {
    throw fieldError('options', 'Each option needs its own value.');
  }
}

// Definitions are read on every lead, contact and company answer but change rarely. Shaping an
// answer (masking, revealing, list filters) uses a copy up to DEFINITIONS_CACHE_MS old — safe,
// because whether a field is sensitive never changes; validating values on a write always reads
// afresh. This instance's own changes drop the copy at once; another instance's show within the
// cache time.
const DEFINITIONS_CACHE = { ttlMs: 5_000, maxEntries: 10_000 };

export function createCustomFieldsService({ db, clock, encryptionKey }: ServiceDeps) {
  const cache = createExpiringCache<CustomFieldRow[]>(clock, DEFINITIONS_CACHE);

  function activeFields(
    workspaceId: string,
    recordType: CustomFieldRecordType,
    executor: Executor,
  ) {
    return repo.listCustomFields(executor, workspaceId, { recordType, includeArchived: false });
  }

  /** On a miss it reads through `executor`: inside a transaction, PGlite's one connection. */
  function cachedFields(
    workspaceId: string,
    recordType: CustomFieldRecordType,
    executor: Executor,
  ) {
    return cache.get(`${workspaceId}:${recordType}`, () =>
      activeFields(workspaceId, recordType, executor),
    );
  }

  function forgetFields(workspaceId: string) {
    cache.deleteWhere((key) => key.startsWith(`${workspaceId}:`));
  }

  function decryptValue(value: { $enc: string }): CustomFieldValue {
    if (!encryptionKey) {
      throw new AppError('conflict', {
        message:
          'This record has sensitive values, but this server has no ENCRYPTION_KEY to read them.',
      });
    }
    try {
      return JSON.parse(decryptText(encryptionKey, value.$enc)) as CustomFieldValue;
    } catch {
      throw new AppError('internal', {
        message:
          'A sensitive value could not be decrypted: is ENCRYPTION_KEY the key it was written with?',
      });
    }
  }

  async function change(
    actor: Actor,
    fieldId: string,
    ifMatch: number | undefined,
    action: (before: CustomFieldRow) => {
      action: string;
      patch: Parameters<typeof repo.updateCustomFieldRow>[3];
    },
  ) {
    requirePermission(actor, 'lead:configure');
    forgetFields(actor.workspaceId);
    const result = await db.transaction().execute(async (trx) => {
      const before = await repo.lockCustomField(trx, actor.workspaceId, fieldId);
      if (!before) throw notFound('Custom field');
      assertVersion(before.version, ifMatch);
      const { action: name, patch } = action(before);
      const after = toCustomFieldDto(
        await repo.updateCustomFieldRow(trx, actor.workspaceId, fieldId, patch, clock.now()),
      );
      await recordAudit(trx, clock, actor, {
        action: name,
        entityType: 'custom_field',
        entityId: fieldId,
        before: auditView(toCustomFieldDto(before)),
        after: auditView(after),
      });
      return after;
    });
    forgetFields(actor.workspaceId);
    return result;
  }

  async function createCustomField(
    actor: Actor,
    input: CreateCustomFieldInput,
    outer?: Transaction<DB>,
  ) {
    requirePermission(actor, 'lead:configure');
    assertOptions(input.type, input.options);
    forgetFields(actor.workspaceId);
    const created = await inTransaction(db, outer, async (trx) => {
      const existing = await repo.findCustomFieldByKey(
        trx,
        actor.workspaceId,
        input.recordType,
        input.key,
      );
      if (existing) {
        throw new AppError('conflict', {
          message: `A ${input.recordType} field with the key "${input.key}" exists${
            existing.archived_at ? ' (archived; restore it instead)' : ''
          }.`,
          extra: { existingId: existing.id },
        });
      }
      const created = toCustomFieldDto(
        await repo.insertCustomField(trx, actor.workspaceId, input, clock.now()),
      );
      await recordAudit(trx, clock, actor, {
        action: 'custom_field.created',
        entityType: 'custom_field',
        entityId: created.id,
        after: auditView(created),
      });
      return created;
    });
    forgetFields(actor.workspaceId);
    return created;
  }

  return {
    async listCustomFields(actor: Actor, query: ListCustomFieldsQuery) {
      requirePermission(actor, 'lead:read');
      const rows = await repo.listCustomFields(db, actor.workspaceId, query);
      return { items: rows.map(toCustomFieldDto), nextCursor: null };
    },

    async getCustomField(actor: Actor, fieldId: string) {
      requirePermission(actor, 'lead:read');
      const row = await repo.findCustomField(db, actor.workspaceId, fieldId);
      if (!row) throw notFound('Custom field');
      return toCustomFieldDto(row);
    },

    createCustomField,

    updateCustomField(
      actor: Actor,
      fieldId: string,
      input: UpdateCustomFieldInput,
      ifMatch?: number,
    ) {
      return change(actor, fieldId, ifMatch, (before) => {
        // Stored values were written under this key, as this type, encrypted or not.
        if (input.key !== undefined && input.key !== before.key)
          throw fieldError('key', 'The key of a field cannot change.');
        if (input.type !== undefined && input.type !== before.type)
          throw fieldError('type', 'The type of a field cannot change; add a new field.');
        if (input.sensitive !== undefined && input.sensitive !== before.is_sensitive)
          throw fieldError(
            'sensitive',
            'Whether a field is sensitive cannot change; add a new field.',
          );
        if (input.options !== undefined) assertOptions(before.type, input.options);
        return {
          action: 'custom_field.updated',
          patch: {
            label: input.label,
            options: input.options,
            required: input.required,
            helpText: input.helpText,
            position: input.position,
          },
        };
      });
    },

    archiveCustomField(actor: Actor, fieldId: string, ifMatch?: number) {
      return change(actor, fieldId, ifMatch, (before) => ({
        action: before.archived_at ? 'custom_field.updated' : 'custom_field.archived',
        patch: { archivedAt: before.archived_at ?? clock.now() },
      }));
    },

    restoreCustomField(actor: Actor, fieldId: string, ifMatch?: number) {
      return change(actor, fieldId, ifMatch, (before) => ({
        action: before.archived_at ? 'custom_field.restored' : 'custom_field.updated',
        patch: { archivedAt: null },
      }));
    },

    /** Adds the fields a preset brings that the workspace has no field of that key for yet. */
    async ensureCustomFields(actor: Actor, inputs: CreateCustomFieldInput[], trx: Transaction<DB>) {
      requirePermission(actor, 'lead:configure');
      const have = new Set(
        (await repo.listCustomFields(trx, actor.workspaceId, { includeArchived: true })).map(
          (row) => `${row.record_type}:${row.key}`,
        ),
      );
      let added = 0;
      for (const input of inputs) {
        if (have.has(`${input.recordType}:${input.key}`)) continue;
        await createCustomField(actor, input, trx);
        added += 1;
      }
      return added;
    },

    /** The active fields of a record type (for conversion rules and list views). */
    activeFields(actor: Actor, recordType: CustomFieldRecordType, executor: Executor = db) {
      return activeFields(actor.workspaceId, recordType, executor);
    },

    /**
     * The custom_fields of a record after a create (no `existing`) or a PATCH (merged into
     * `existing`; null clears a key): every value checked against the active fields (422 with
     * customFields.<key>), required fields present on create, sensitive values encrypted (409
     * when the server has no key). Values of archived fields are kept as they are.
     */
    async prepareValues(
      actor: Actor,
      recordType: CustomFieldRecordType,
      input: CustomFieldsInput | undefined,
      options: { existing?: StoredCustomFields | undefined; country: string },
      executor: Executor = db,
    ) {
      const isCreate = options.existing === undefined;
      if (!isCreate && (input === undefined || Object.keys(input).length === 0)) {
        return { values: options.existing ?? {}, sensitiveKeys: [] as string[] };
      }
      const fields = await activeFields(actor.workspaceId, recordType, executor);
      const byKey = new Map(fields.map((field) => [field.key, field]));
      const values: StoredCustomFields = { ...options.existing };
      const errors: FieldError[] = [];
      const needKey: FieldError[] = [];
      const sensitiveKeys: string[] = [];
      for (const [key, raw] of Object.entries(input ?? {})) {
        const name = `customFields.${key}`;
        const field = byKey.get(key);
        if (!field) {
          errors.push({ field: name, message: `No such ${recordType} field` });
          continue;
        }
        const parsed = parseCustomFieldValue(field, raw, options.country);
        if ('error' in parsed) {
          errors.push({ field: name, message: parsed.error });
        } else if (parsed.value === null) {
          if (field.is_required) errors.push({ field: name, message: 'Required' });
          delete values[key];
        } else if (!field.is_sensitive) {
          values[key] = parsed.value;
        } else if (!encryptionKey) {
          needKey.push({ field: name, message: 'Set ENCRYPTION_KEY to store sensitive fields' });
        } else {
          values[key] = { $enc: encryptText(encryptionKey, JSON.stringify(parsed.value)) };
          sensitiveKeys.push(key);
        }
      }
      if (isCreate) {
        for (const field of fields) {
          const name = `customFields.${field.key}`;
          const reported = errors.some((error) => error.field === name);
          if (field.is_required && values[field.key] === undefined && !reported) {
            errors.push({ field: name, message: 'Required' });
          }
        }
      }
      if (errors.length > 0) {
        throw new AppError('validation_failed', {
          message: 'Some custom fields are not valid.',
          fields: errors,
        });
      }
      if (needKey.length > 0) {
        throw new AppError('conflict', {
          message:
            'This server has no encryption key. Set ENCRYPTION_KEY to store sensitive fields.',
          fields: needKey,
        });
      }
      return { values, sensitiveKeys };
    },

    /** A function that shows stored values as lists do: active fields only, sensitive masked. */
    async maskerFor(actor: Actor, recordType: CustomFieldRecordType, executor: Executor = db) {
      const fields = await cachedFields(actor.workspaceId, recordType, executor);
      return (stored: StoredCustomFields) => maskValues(fields, stored);
    },

    /**
     * The values of one record for a single-record read: sensitive values decrypted for an actor
     * with lead:read_sensitive (audited as <recordType>.sensitive_read), masked for others.
     */
    async revealValues(
      actor: Actor,
      recordType: CustomFieldRecordType,
      recordId: string,
      stored: StoredCustomFields,
      executor: Executor = db,
    ) {
      const fields = await cachedFields(actor.workspaceId, recordType, executor);
      const values = maskValues(fields, stored);
      if (!actor.permissions.has('lead:read_sensitive')) return values;
      const shown: string[] = [];
      for (const field of fields) {
        const value = stored[field.key];
        if (!field.is_sensitive || value === undefined || value === null) continue;
        values[field.key] = isEncrypted(value) ? decryptValue(value) : (value as CustomFieldValue);
        shown.push(field.key);
      }
      if (shown.length > 0) {
        await recordAudit(executor, clock, actor, {
          action: `${recordType}.sensitive_read`,
          entityType: recordType,
          entityId: recordId,
          after: { fields: shown },
        });
      }
      return values;
    },

    /**
     * jsonb containment conditions for list filters "<key>:<value>" (all must match); 422 on an
     * unknown, sensitive or unfilterable field or a value its type can't hold.
     */
    async filterConditions(
      actor: Actor,
      recordType: CustomFieldRecordType,
      filters: string[] | undefined,
      executor: Executor = db,
    ): Promise<StoredCustomFields[]> {
      if (!filters || filters.length === 0) return [];
      const fields = await cachedFields(actor.workspaceId, recordType, executor);
      const byKey = new Map(fields.map((field) => [field.key, field]));
      const errors: FieldError[] = [];
      const conditions: StoredCustomFields[] = [];
      for (const filter of filters) {
        const at = filter.indexOf(':');
        const key = at > 0 ? filter.slice(0, at) : '';
        const field = byKey.get(key);
        if (!field) {
          errors.push({
            field: 'cf',
            message: at > 0 ? `No such ${recordType} field "${key}"` : 'Use <key>:<value>',
          });
          continue;
        }
        const parsed = parseFilterValue(field, filter.slice(at + 1));
        if ('error' in parsed) errors.push({ field: 'cf', message: `${key}: ${parsed.error}` });
        else if (parsed.value === null) errors.push({ field: 'cf', message: `${key}: no value` });
        else conditions.push({ [key]: parsed.value });
      }
      if (errors.length > 0) {
        throw new AppError('validation_failed', {
          message: 'Some filters are not valid.',
          fields: errors,
        });
      }
      return conditions;
    },
  };
}

export type CustomFieldsService = ReturnType<typeof createCustomFieldsService>;
