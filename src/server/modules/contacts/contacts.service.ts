// Contacts (people): list and search, create, read, update, archive and restore. Phones are
// kept as typed plus E.164 (read with the workspace's country); an exact email or phone match
// with another active contact is a 409 with the candidates, unless allowDuplicate is sent.
// Custom field values are checked and stored by the custom-fields service; only the
// single-contact read (readContact) shows sensitive ones.
import { z } from 'zod';
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { recordAudit, type Executor } from '../../platform/audit.js';
import type { Transaction } from 'kysely';
import type { ContactPhone, ContactRow, DB } from '../../platform/db/schema.js';
import { inTransaction } from '../../platform/db/transaction.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { AppError, fieldError, notFound, type FieldError } from '../../platform/errors.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { assertVersion } from '../../platform/http/versioning.js';
import { toE164 } from '../../../shared/phone.js';
import {
  auditCustomFields,
  maskStoredValues,
  type CustomFieldValues,
  type CustomFieldsService,
} from '../custom-fields/custom-fields.service.js';
import type { CustomFieldsInput } from '../custom-fields/custom-fields.schemas.js';
import type { DuplicateWarning } from '../duplicates/duplicates.schemas.js';
import type { WorkspacesService } from '../workspaces/workspaces.service.js';
import * as repo from './contacts.repository.js';
import type {
  ContactDto,
  CreateContactInput,
  ListContactsQuery,
  UpdateContactInput,
} from './contacts.schemas.js';

export function contactName(row: Pick<ContactRow, 'first_name' | 'last_name'>): string {
  return [row.first_name, row.last_name].filter(Boolean).join(' ');
}

/** Custom field values default to every stored key with sensitive ones masked. */
export function toContactDto(
  row: ContactRow,
  customFields: CustomFieldValues = maskStoredValues(row.custom_fields),
): ContactDto {
  return {
    id: row.id,
    firstName: row.first_name,
    lastName: row.last_name,
    name: contactName(row),
    emails: row.emails,
    phones: row.phones.map((p) => ({ value: p.raw, e164: p.e164, label: p.label })),
    address: row.address,
    preferredChannel: row.preferred_channel,
    preferredTime: row.preferred_time,
    lifecycleStage: row.lifecycle_stage,
    tags: row.tags,
    optInEmail: row.opt_in_email,
    optInSms: row.opt_in_sms,
    doNotContact: row.do_not_contact,
    notes: row.notes,
    companyId: row.company_id,
    customFields,
    archived: row.archived_at !== null,
    erasedAt: row.erased_at?.toISOString() ?? null,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function auditView(dto: ContactDto) {
  const { id, version, createdAt, updatedAt, name, customFields, ...fields } = dto;
  return { ...fields, ...auditCustomFields(customFields) };
}

/** An erased person's record stays as the erasure left it (modules/privacy). */
function assertErasedUnchanged(row: ContactRow) {
  if (row.erased_at) {
    throw new AppError('conflict', {
      message: "This contact's personal data was erased; the record can't be changed or merged.",
    });
  }
}

export interface DuplicateCandidate {
  id: string;
  name: string;
  matchedOn: string[];
}

/** The channels a change opted the contact out of ('any' when they asked not to be contacted). */
function optedOutChannels(before: ContactRow, after: ContactRow): ('email' | 'sms' | 'any')[] {
  return [
    ...(before.opt_in_email && !after.opt_in_email ? (['email'] as const) : []),
    ...(before.opt_in_sms && !after.opt_in_sms ? (['sms'] as const) : []),
    ...(!before.do_not_contact && after.do_not_contact ? (['any'] as const) : []),
  ];
}

export function createContactsService(
  { db, clock, events }: ServiceDeps,
  workspaces: WorkspacesService,
  customFields: CustomFieldsService,
) {
  async function normalisePhones(
    actor: Actor,
    phones: { value: string; label: string }[],
    executor: Executor = db,
  ) {
    if (phones.length === 0) return [];
    const workspace = await workspaces.findWorkspace(actor.workspaceId, executor);
    const errors: FieldError[] = [];
    const normalised: ContactPhone[] = phones.map((phone, index) => {
      const e164 = toE164(phone.value, workspace?.country ?? 'US');
      if (!e164)
        errors.push({ field: `phones.${index}.value`, message: 'Not a valid phone number' });
      return { raw: phone.value, e164: e164 ?? '', label: phone.label };
    });
    if (errors.length > 0) {
      throw new AppError('validation_failed', {
        message: 'Some phone numbers are not valid.',
        fields: errors,
      });
    }
    return normalised;
  }

  /** 409 with the candidates when another active contact has one of these emails or phones. */
  async function assertNoDuplicate(
    executor: Executor,
    actor: Actor,
    emails: string[],
    phones: string[],
    excludeContactId: string | null,
  ) {
    const matches = await repo.findContactsByPoints(
      executor,
      actor.workspaceId,
      emails,
      phones,
      excludeContactId,
    );
    if (matches.length === 0) return;
    const byId = new Map<string, DuplicateCandidate>();
    for (const match of matches) {
      const candidate = byId.get(match.id) ?? {
        id: match.id,
        name: contactName(match),
        matchedOn: [],
      };
      candidate.matchedOn.push(`${match.kind}:${match.value}`);
      byId.set(match.id, candidate);
    }
    throw new AppError('conflict', {
      message:
        'A contact with the same email or phone exists. Link to it, or send allowDuplicate: true.',
      extra: { candidates: [...byId.values()] },
    });
  }

  /** Other active contacts with a similar name, as a warning (the workspace sets how similar). */
  async function similarContactWarnings(
    executor: Executor,
    actor: Actor,
    contact: { id: string; firstName: string; lastName: string },
  ): Promise<DuplicateWarning[]> {
    const workspace = await workspaces.findWorkspace(actor.workspaceId, executor);
    const similar = await repo.findSimilarContacts(
      executor,
      actor.workspaceId,
      contact,
      workspace?.duplicateSimilarity ?? 0.6,
      contact.id,
    );
    if (similar.length === 0) return [];
    return [
      {
        kind: 'similar_contact',
        message: `${similar.length} contact(s) with a similar name exist; merge if they are the same person.`,
        candidates: similar.map((row) => ({
          id: row.id,
          name: contactName(row),
          similarity: Math.round(row.similarity * 100) / 100,
        })),
      },
    ];
  }

  async function getRow(executor: Executor, actor: Actor, contactId: string) {
    const row = await repo.findContact(executor, actor.workspaceId, contactId);
    if (!row) throw notFound('Contact');
    return row;
  }

  async function change(
    actor: Actor,
    contactId: string,
    ifMatch: number | undefined,
    action: string,
    patch: Partial<repo.ContactValues> & { archivedAt?: Date | null },
    allowDuplicate = true,
    customInput?: CustomFieldsInput,
  ) {
    return db.transaction().execute(async (trx) => {
      const before = await getRow(trx, actor, contactId);
      assertErasedUnchanged(before);
      assertVersion(before.version, ifMatch);
      let sensitiveKeys: string[] = [];
      if (customInput) {
        const workspace = await workspaces.findWorkspace(actor.workspaceId, trx);
        const prepared = await customFields.prepareValues(
          actor,
          'contact',
          customInput,
          { existing: before.custom_fields, country: workspace?.country ?? 'US' },
          trx,
        );
        patch = { ...patch, customFields: prepared.values };
        sensitiveKeys = prepared.sensitiveKeys;
      }
      const emails = (patch.emails ?? before.emails).map((e) => e.value);
      const phones = (patch.phones ?? before.phones).map((p) => p.e164);
      if (patch.emails || patch.phones) {
        if (!allowDuplicate) await assertNoDuplicate(trx, actor, emails, phones, contactId);
        await repo.replaceContactPoints(trx, actor.workspaceId, contactId, emails, phones);
      }
      const after = await repo.updateContactRow(
        trx,
        actor.workspaceId,
        contactId,
        patch,
        clock.now(),
      );
      if (!after.first_name && !after.last_name)
        throw fieldError('firstName', 'Give a first or last name.');
      const mask = await customFields.maskerFor(actor, 'contact', trx);
      const dto = toContactDto(after, mask(after.custom_fields));
      await recordAudit(trx, clock, actor, {
        action,
        entityType: 'contact',
        entityId: contactId,
        before: auditView(toContactDto(before, mask(before.custom_fields))),
        after: auditView(dto),
      });
      // Opting out of a channel (or asking not to be contacted) tells sequences and automation.
      for (const channel of optedOutChannels(before, after)) {
        await events.publish(trx, {
          type: 'contact.unsubscribed',
          actor,
          contactId,
          data: { channel, via: 'contact_edit' },
        });
      }
      // The change row shows "[sensitive]" on both sides; say which ones were rewritten.
      if (sensitiveKeys.length > 0) {
        await recordAudit(trx, clock, actor, {
          action: 'contact.sensitive_updated',
          entityType: 'contact',
          entityId: contactId,
          after: { fields: sensitiveKeys },
        });
      }
      return dto;
    });
  }

  return {
    async listContacts(actor: Actor, query: ListContactsQuery) {
      requirePermission(actor, 'lead:read');
      const after = query.cursor
        ? decodeCursor(query.cursor, z.tuple([z.string(), z.string(), z.string()]))
        : undefined;
      // A search that reads as a phone number also finds its E.164 form.
      const workspace = query.q ? await workspaces.findWorkspace(actor.workspaceId) : undefined;
      const qPhone =
        query.q && workspace ? (toE164(query.q, workspace.country) ?? undefined) : undefined;
      const rows = await repo.listContacts(db, actor.workspaceId, { ...query, qPhone, after });
      const mask = await customFields.maskerFor(actor, 'contact');
      return toPage(
        rows,
        query.limit,
        (row) => toContactDto(row, mask(row.custom_fields)),
        (row) => [row.last_name.toLowerCase(), row.first_name.toLowerCase(), row.id],
      );
    },

    /** A contact with sensitive custom values masked (for other modules and embedding). */
    async getContact(actor: Actor, contactId: string, executor: Executor = db) {
      requirePermission(actor, 'lead:read');
      const row = await getRow(executor, actor, contactId);
      const mask = await customFields.maskerFor(actor, 'contact', executor);
      return toContactDto(row, mask(row.custom_fields));
    },

    /** Full names of active contacts by id, for lists that show a contact's name. */
    async contactNames(actor: Actor, contactIds: string[]): Promise<Map<string, string>> {
      requirePermission(actor, 'lead:read');
      if (contactIds.length === 0) return new Map();
      const rows = await repo.findContactNames(db, actor.workspaceId, [...new Set(contactIds)]);
      return new Map(rows.map((row) => [row.id, contactName(row)]));
    },

    /**
     * Active contacts with one of these (lowercased) emails or E.164 phones, oldest match first,
     * inside the caller's transaction (web-form capture links an inquiry to who sent it).
     */
    async findContactsByEmailOrPhone(
      executor: Executor,
      actor: Actor,
      emails: string[],
      phones: string[],
    ): Promise<{ id: string; name: string; matchedOn: string[] }[]> {
      requirePermission(actor, 'lead:read');
      const matches = await repo.findContactsByPoints(
        executor,
        actor.workspaceId,
        emails,
        phones,
        null,
      );
      const byId = new Map<string, { id: string; name: string; matchedOn: string[] }>();
      for (const match of matches) {
        const found = byId.get(match.id) ?? {
          id: match.id,
          name: contactName(match),
          matchedOn: [],
        };
        found.matchedOn.push(`${match.kind}:${match.value}`);
        byId.set(match.id, found);
      }
      return [...byId.values()];
    },

    /** GET /api/contacts/:id: sensitive values shown (and audited) to lead:read_sensitive. */
    async readContact(actor: Actor, contactId: string) {
      requirePermission(actor, 'lead:read');
      const row = await getRow(db, actor, contactId);
      const values = await customFields.revealValues(actor, 'contact', row.id, row.custom_fields);
      return toContactDto(row, values);
    },

    async createContact(actor: Actor, input: CreateContactInput, outer?: Transaction<DB>) {
      requirePermission(actor, 'lead:create');
      if (!input.firstName && !input.lastName)
        throw fieldError('firstName', 'Give a first or last name.');
      const phones = await normalisePhones(actor, input.phones, outer);
      const { allowDuplicate, customFields: customInput, ...values } = input;
      return inTransaction(db, outer, async (trx) => {
        const workspace = await workspaces.findWorkspace(actor.workspaceId, trx);
        const custom = await customFields.prepareValues(
          actor,
          'contact',
          customInput,
          { country: workspace?.country ?? 'US' },
          trx,
        );
        const emails = values.emails.map((e) => e.value);
        const e164s = phones.map((p) => p.e164);
        if (!allowDuplicate) await assertNoDuplicate(trx, actor, emails, e164s, null);
        const row = await repo.insertContact(
          trx,
          actor.workspaceId,
          { ...values, phones, customFields: custom.values },
          actor.userId || null,
          clock.now(),
        );
        await repo.insertContactPoints(trx, actor.workspaceId, row.id, emails, e164s);
        const mask = await customFields.maskerFor(actor, 'contact', trx);
        const created = toContactDto(row, mask(row.custom_fields));
        await recordAudit(trx, clock, actor, {
          action: 'contact.created',
          entityType: 'contact',
          entityId: row.id,
          after: auditView(created),
        });
        await events.publish(trx, {
          type: 'contact.created',
          actor,
          contactId: row.id,
          data: { contact: created },
        });
        return { ...created, warnings: await similarContactWarnings(trx, actor, created) };
      });
    },

    async updateContact(
      actor: Actor,
      contactId: string,
      input: UpdateContactInput,
      ifMatch?: number,
    ) {
      requirePermission(actor, 'lead:update');
      const { allowDuplicate, phones, customFields: customInput, ...rest } = input;
      const patch: Partial<repo.ContactValues> = {
        ...rest,
        ...(phones ? { phones: await normalisePhones(actor, phones) } : {}),
      };
      return change(
        actor,
        contactId,
        ifMatch,
        'contact.updated',
        patch,
        allowDuplicate,
        customInput,
      );
    },

    archiveContact(actor: Actor, contactId: string, ifMatch?: number) {
      requirePermission(actor, 'lead:update');
      return change(actor, contactId, ifMatch, 'contact.archived', { archivedAt: clock.now() });
    },

    async restoreContact(actor: Actor, contactId: string, ifMatch?: number) {
      requirePermission(actor, 'lead:update');
      const row = await getRow(db, actor, contactId);
      if (row.merged_into_id) {
        throw new AppError('conflict', {
          message: 'This contact was merged into another; open that one instead.',
          extra: { mergedIntoId: row.merged_into_id },
        });
      }
      return change(actor, contactId, ifMatch, 'contact.restored', { archivedAt: null });
    },

    /**
     * Turns a channel's opt-in off (an unsubscribe link, the suppression list), inside the
     * caller's transaction, which publishes contact.unsubscribed itself. False when it was off.
     */
    async optOutIn(trx: Executor, actor: Actor, contactId: string, channel: 'email' | 'sms') {
      const before = await getRow(trx, actor, contactId);
      const field = channel === 'email' ? 'optInEmail' : 'optInSms';
      if (!(channel === 'email' ? before.opt_in_email : before.opt_in_sms)) return false;
      await repo.updateContactRow(
        trx,
        actor.workspaceId,
        contactId,
        { [field]: false },
        clock.now(),
      );
      await recordAudit(trx, clock, actor, {
        action: 'contact.opted_out',
        entityType: 'contact',
        entityId: contactId,
        before: { [field]: true },
        after: { [field]: false },
      });
      return true;
    },

    /** A converted lead makes its contact a customer (inside the conversion's transaction). */
    async markCustomer(trx: Executor, actor: Actor, contactId: string) {
      const before = await getRow(trx, actor, contactId);
      if (before.lifecycle_stage === 'customer') return;
      await repo.updateContactRow(
        trx,
        actor.workspaceId,
        contactId,
        { lifecycleStage: 'customer' },
        clock.now(),
      );
      await recordAudit(trx, clock, actor, {
        action: 'contact.became_customer',
        entityType: 'contact',
        entityId: contactId,
        before: { lifecycleStage: before.lifecycle_stage },
        after: { lifecycleStage: 'customer' },
      });
    },

    /**
     * The contact part of a merge (inside the caller's transaction, after the links moved):
     * fills the survivor's empty fields from the merged contact, adds its emails, phones and
     * tags, and archives it with a pointer to the survivor.
     */
    async mergeContactRows(
      trx: Executor,
      actor: Actor,
      mergedId: string,
      survivorId: string,
      ifMatch?: number,
    ) {
      const rows = await repo.lockContacts(trx, actor.workspaceId, [mergedId, survivorId]);
      const merged = rows.find((row) => row.id === mergedId);
      const survivor = rows.find((row) => row.id === survivorId);
      if (!merged) throw notFound('Contact');
      if (!survivor) throw fieldError('intoId', 'No such contact in this workspace.');
      assertErasedUnchanged(merged);
      assertErasedUnchanged(survivor);
      assertVersion(merged.version, ifMatch);
      if (merged.archived_at || survivor.archived_at) {
        throw new AppError('conflict', { message: 'Archived contacts cannot be merged.' });
      }
      const emails = [...survivor.emails];
      for (const email of merged.emails) {
        if (!emails.some((e) => e.value.toLowerCase() === email.value.toLowerCase())) {
          emails.push(email);
        }
      }
      const phones = [...survivor.phones];
      for (const phone of merged.phones) {
        if (!phones.some((p) => p.e164 === phone.e164)) phones.push(phone);
      }
      const now = clock.now();
      const after = await repo.updateContactRow(
        trx,
        actor.workspaceId,
        survivorId,
        {
          firstName: survivor.first_name || merged.first_name,
          lastName: survivor.last_name || merged.last_name,
          emails,
          phones,
          address: survivor.address ?? merged.address,
          preferredTime: survivor.preferred_time || merged.preferred_time,
          tags: [...new Set([...survivor.tags, ...merged.tags])],
          notes: survivor.notes || merged.notes,
          companyId: survivor.company_id ?? merged.company_id,
          // Either record saying "don't contact" wins: a merge must not re-open a door.
          doNotContact: survivor.do_not_contact || merged.do_not_contact,
          customFields: { ...merged.custom_fields, ...survivor.custom_fields },
        },
        now,
      );
      await repo.replaceContactPoints(
        trx,
        actor.workspaceId,
        survivorId,
        emails.map((e) => e.value),
        phones.map((p) => p.e164),
      );
      await repo.updateContactRow(
        trx,
        actor.workspaceId,
        mergedId,
        { archivedAt: now, mergedIntoId: survivorId },
        now,
      );
      const mask = await customFields.maskerFor(actor, 'contact', trx);
      await recordAudit(trx, clock, actor, {
        action: 'contact.merged_into',
        entityType: 'contact',
        entityId: survivorId,
        before: auditView(toContactDto(survivor, mask(survivor.custom_fields))),
        after: {
          ...auditView(toContactDto(after, mask(after.custom_fields))),
          mergedFrom: mergedId,
        },
      });
      await recordAudit(trx, clock, actor, {
        action: 'contact.merged',
        entityType: 'contact',
        entityId: mergedId,
        before: { archived: false },
        after: { archived: true, mergedIntoId: survivorId },
      });
      return {
        merged: contactName(merged),
        survivor: toContactDto(after, mask(after.custom_fields)),
      };
    },
  };
}

export type ContactsService = ReturnType<typeof createContactsService>;
