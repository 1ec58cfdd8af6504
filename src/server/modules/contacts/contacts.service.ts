// Contacts (people): list and search, create, read, update, archive and restore. Phones are
// kept as typed plus E.164 (read with the workspace's country); an exact email or phone match
// with another active contact is a 409 with the candidates, unless allowDuplicate is sent.
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

export function toContactDto(row: ContactRow): ContactDto {
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
    archived: row.archived_at !== null,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function auditView(dto: ContactDto) {
  const { id, version, createdAt, updatedAt, name, ...fields } = dto;
  return fields;
}

export interface DuplicateCandidate {
  id: string;
  name: string;
  matchedOn: string[];
}

export function createContactsService({ db, clock }: ServiceDeps, workspaces: WorkspacesService) {
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
  ) {
    return db.transaction().execute(async (trx) => {
      const before = await getRow(trx, actor, contactId);
      assertVersion(before.version, ifMatch);
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
      const dto = toContactDto(after);
      await recordAudit(trx, clock, actor, {
        action,
        entityType: 'contact',
        entityId: contactId,
        before: auditView(toContactDto(before)),
        after: auditView(dto),
      });
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
      return toPage(rows, query.limit, toContactDto, (row) => [
        row.last_name.toLowerCase(),
        row.first_name.toLowerCase(),
        row.id,
      ]);
    },

    async getContact(actor: Actor, contactId: string, executor: Executor = db) {
      requirePermission(actor, 'lead:read');
      return toContactDto(await getRow(executor, actor, contactId));
    },

    async createContact(actor: Actor, input: CreateContactInput, outer?: Transaction<DB>) {
      requirePermission(actor, 'lead:create');
      if (!input.firstName && !input.lastName)
        throw fieldError('firstName', 'Give a first or last name.');
      const phones = await normalisePhones(actor, input.phones, outer);
      const { allowDuplicate, ...values } = input;
      return inTransaction(db, outer, async (trx) => {
        const emails = values.emails.map((e) => e.value);
        const e164s = phones.map((p) => p.e164);
        if (!allowDuplicate) await assertNoDuplicate(trx, actor, emails, e164s, null);
        const row = await repo.insertContact(
          trx,
          actor.workspaceId,
          { ...values, phones },
          actor.userId || null,
          clock.now(),
        );
        await repo.replaceContactPoints(trx, actor.workspaceId, row.id, emails, e164s);
        const created = toContactDto(row);
        await recordAudit(trx, clock, actor, {
          action: 'contact.created',
          entityType: 'contact',
          entityId: row.id,
          after: auditView(created),
        });
        return created;
      });
    },

    async updateContact(
      actor: Actor,
      contactId: string,
      input: UpdateContactInput,
      ifMatch?: number,
    ) {
      requirePermission(actor, 'lead:update');
      const { allowDuplicate, phones, ...rest } = input;
      const patch: Partial<repo.ContactValues> = {
        ...rest,
        ...(phones ? { phones: await normalisePhones(actor, phones) } : {}),
      };
      return change(actor, contactId, ifMatch, 'contact.updated', patch, allowDuplicate);
    },

    archiveContact(actor: Actor, contactId: string, ifMatch?: number) {
      requirePermission(actor, 'lead:update');
      return change(actor, contactId, ifMatch, 'contact.archived', { archivedAt: clock.now() });
    },

    restoreContact(actor: Actor, contactId: string, ifMatch?: number) {
      requirePermission(actor, 'lead:update');
      return change(actor, contactId, ifMatch, 'contact.restored', { archivedAt: null });
    },
  };
}

export type ContactsService = ReturnType<typeof createContactsService>;
