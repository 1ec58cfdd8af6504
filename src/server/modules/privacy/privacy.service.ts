// Privacy requests of one person (a contact): a data export of everything the workspace holds
// about them, and erasure — the person's fields anonymised while the business history (leads,
// stages, values, dates) stays. Both need contact:privacy and are audited; see
// docs/data-portability.md for exactly what an erasure clears.
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { recordAudit } from '../../platform/audit.js';
import type { AuditLogRow, ContactRow } from '../../platform/db/schema.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { AppError, fieldError, notFound } from '../../platform/errors.js';
import { toActivityDto } from '../activities/activities.service.js';
import { contactName, toContactDto } from '../contacts/contacts.service.js';
import type { FormsService } from '../forms/forms.service.js';
import type { NotificationsService } from '../notifications/notifications.service.js';
import type { MessagingService } from '../messaging/messaging.service.js';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.js';
import { toLeadDto } from '../leads/leads.service.js';
import { toTaskDto } from '../tasks/tasks.service.js';
import * as repo from './privacy.repository.js';
import type { ContactDataExport, EraseContactInput } from './privacy.schemas.js';

export const ERASED = '[erased]';

// Fields of a contact's audit snapshots that say nothing about the person; all others are erased.
const IMPERSONAL_AUDIT_FIELDS = new Set([
  'archived',
  'lifecycleStage',
  'preferredChannel',
  'optInEmail',
  'optInSms',
  'doNotContact',
  'companyId',
  'mergedFrom',
  'mergedIntoId',
  'fields',
  'erasedAt',
]);

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Replaces a person's names, emails and phone numbers in free text with "[erased]". Names match
 * as whole words in any case ("anna" in "Call Anna" but not in "Annabelle"); the longest first,
 * so a full name goes as one.
 */
export function createRedactor(identifiers: { names: string[]; exact: string[] }) {
  const names = identifiers.names.map((n) => n.trim()).filter((n) => n.length >= 2);
  const exact = identifiers.exact.map((v) => v.trim()).filter((v) => v.length >= 3);
  // Longest first: at one position the alternation takes the first that matches.
  const alternatives = [
    ...exact.map((value) => ({ length: value.length, source: escapeRegExp(value) })),
    ...names.map((name) => ({
      length: name.length,
      source: `(?<![\\p{L}\\p{N}])${escapeRegExp(name)}(?![\\p{L}\\p{N}])`,
    })),
  ]
    .sort((a, b) => b.length - a.length)
    .map((alternative) => alternative.source);
  const pattern = alternatives.length > 0 ? new RegExp(alternatives.join('|'), 'giu') : null;
  const text = (value: string) => (pattern ? value.replace(pattern, ERASED) : value);
  const deep = (value: unknown): unknown => {
    if (typeof value === 'string') return text(value);
    if (Array.isArray(value)) return value.map(deep);
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deep(v)]));
    }
    return value;
  };
  return { text, deep };
}

/**
 * The person's names, emails and phones: as they are now, and as the contact's audit snapshots
 * show they were (a former last name or email is theirs too).
 */
function identifiersOf(rows: ContactRow[], history: AuditLogRow[]) {
  const names = rows.flatMap((row) => [contactName(row), row.first_name, row.last_name]);
  const exact = rows.flatMap((row) => [
    ...row.emails.map((email) => email.value),
    ...row.phones.flatMap((phone) => [phone.raw, phone.e164]),
  ]);
  const strings = (value: unknown, key: string): string[] => {
    if (typeof value === 'string') return [value];
    if (Array.isArray(value)) return value.flatMap((item) => strings(item, key));
    if (typeof value === 'object' && value !== null) {
      const entry = value as Record<string, unknown>;
      return [entry[key], entry.e164].flatMap((item) => strings(item, key));
    }
    return [];
  };
  for (const row of history) {
    for (const [field, change] of Object.entries(row.changes)) {
      const values = [change.before, change.after];
      if (field === 'firstName' || field === 'lastName') names.push(...strings(values, ''));
      if (field === 'emails' || field === 'phones') exact.push(...strings(values, 'value'));
    }
  }
  return { names: [...new Set(names)], exact: [...new Set(exact)] };
}

export function createPrivacyService(
  { db, clock }: ServiceDeps,
  deps: {
    customFields: CustomFieldsService;
    forms: FormsService;
    notifications: NotificationsService;
    messaging: MessagingService;
  },
) {
  return {
    /**
     * Everything the workspace holds about a person: the contact (and the records merged into
     * it), its leads, their timeline and tasks, with custom values decrypted for a role that may
     * read sensitive ones (each shown value audited as a sensitive read). Audited as
     * contact.data_exported.
     */
    async exportContactData(actor: Actor, contactId: string): Promise<ContactDataExport> {
      requirePermission(actor, 'contact:privacy');
      return db.transaction().execute(async (trx) => {
        const [contact] = await repo.listContactRows(trx, actor.workspaceId, [contactId]);
        if (!contact) throw notFound('Contact');
        const mergedIds = await repo.findMergedContacts(trx, actor.workspaceId, contactId);
        const merged = mergedIds.length
          ? await repo.listContactRows(trx, actor.workspaceId, mergedIds)
          : [];
        const contactIds = [contactId, ...mergedIds];
        const leads = await repo.listLeadRows(trx, actor.workspaceId, contactIds);
        const leadIds = leads.map((lead) => lead.id);
        const [activities, tasks] = await Promise.all([
          repo.listActivityRows(trx, actor.workspaceId, contactIds, leadIds),
          repo.listTaskRows(trx, actor.workspaceId, contactIds, leadIds),
        ]);
        const now = clock.now();
        const reveal = (type: 'contact' | 'lead', id: string, stored: Record<string, unknown>) =>
          deps.customFields.revealValues(actor, type, id, stored, trx);
        const result: ContactDataExport = {
          exportedAt: now.toISOString(),
          contact: toContactDto(
            contact,
            await reveal('contact', contact.id, contact.custom_fields),
          ),
          mergedContacts: [],
          leads: [],
          activities: activities.map(toActivityDto),
          tasks: tasks.map((task) => toTaskDto(task, now)),
        };
        for (const row of merged) {
          result.mergedContacts.push(
            toContactDto(row, await reveal('contact', row.id, row.custom_fields)),
          );
        }
        for (const lead of leads) {
          result.leads.push(
            toLeadDto(lead, now, await reveal('lead', lead.id, lead.custom_fields)),
          );
        }
        await recordAudit(trx, clock, actor, {
          action: 'contact.data_exported',
          entityType: 'contact',
          entityId: contactId,
          after: {
            leads: leads.length,
            activities: activities.length,
            tasks: tasks.length,
            mergedContacts: merged.length,
          },
        });
        return result;
      });
    },

    /**
     * Erases a person's data (one transaction): the contact and the contacts merged into it lose
     * names, emails, phones, address, notes, tags and custom values and are archived and marked
     * erased; their leads' and tasks' free text and their timeline's subjects lose the person's
     * names, emails and phones, the timeline's bodies are cleared; the audit log's snapshots of
     * the contact are erased and its other rows about these records lose the identifiers. Leads,
     * stages, values and dates stay. `confirmName` must be the contact's current name.
     */
    async eraseContact(actor: Actor, contactId: string, input: EraseContactInput) {
      requirePermission(actor, 'contact:privacy');
      return db.transaction().execute(async (trx) => {
        const contact = await repo.lockContact(trx, actor.workspaceId, contactId);
        if (!contact) throw notFound('Contact');
        if (contact.erased_at) {
          throw new AppError('conflict', { message: "This contact's data is already erased." });
        }
        const name = contactName(contact);
        if (input.confirmName.trim().toLowerCase() !== name.toLowerCase()) {
          throw fieldError('confirmName', `Type the contact's name (${name}) to confirm.`);
        }
        const mergedIds = await repo.findMergedContacts(trx, actor.workspaceId, contactId);
        const contactIds = [contactId, ...mergedIds];
        const people = await repo.listContactRows(trx, actor.workspaceId, contactIds);
        const history = await repo.findAuditRows(trx, actor.workspaceId, contactIds, []);
        const identifiers = identifiersOf(
          people,
          history.filter((row) => row.entity_type === 'contact'),
        );
        const redact = createRedactor(identifiers);

        const leads = await repo.listLeadRows(trx, actor.workspaceId, contactIds);
        const leadIds = leads.map((lead) => lead.id);
        const activities = await repo.listActivityRows(trx, actor.workspaceId, contactIds, leadIds);
        const tasks = await repo.listTaskRows(trx, actor.workspaceId, contactIds, leadIds);

        const now = clock.now();
        const [erased] = (
          await repo.eraseContacts(trx, actor.workspaceId, contactIds, actor.userId || null, now)
        ).filter((row) => row.id === contactId);
        for (const lead of leads) {
          await repo.updateLeadText(
            trx,
            actor.workspaceId,
            lead.id,
            {
              title: redact.text(lead.title),
              description: redact.text(lead.description),
              // A private customer's "company" is often their own name.
              companyName: redact.text(lead.company_name),
              lostNotes: redact.text(lead.lost_notes),
            },
            now,
          );
        }
        for (const activity of activities) {
          await repo.updateActivityText(trx, actor.workspaceId, activity.id, {
            subject: redact.text(activity.subject),
            // What was said or written: the person's own words, cleared whole.
            body: '',
            nextStep: redact.text(activity.next_step),
            details: redact.deep(activity.details) as Record<string, unknown>,
          });
        }
        for (const task of tasks) {
          await repo.updateTaskText(
            trx,
            actor.workspaceId,
            task.id,
            {
              title: redact.text(task.title),
              description: redact.text(task.description),
            },
            now,
          );
        }

        const contactSet = new Set(contactIds);
        const auditRows = await repo.findAuditRows(
          trx,
          actor.workspaceId,
          [...contactIds, ...leadIds, ...activities.map((a) => a.id), ...tasks.map((t) => t.id)],
          identifiers.exact,
        );
        let rewritten = 0;
        for (const row of auditRows) {
          const isContact = row.entity_type === 'contact' && contactSet.has(row.entity_id);
          const changes = Object.fromEntries(
            Object.entries(row.changes).map(([field, change]) => {
              if (!isContact || IMPERSONAL_AUDIT_FIELDS.has(field)) {
                return [field, redact.deep(change) as typeof change];
              }
              const erase = (value: unknown) => (value === null ? null : ERASED);
              return [field, { before: erase(change.before), after: erase(change.after) }];
            }),
          );
          if (JSON.stringify(changes) === JSON.stringify(row.changes)) continue;
          await repo.rewriteAuditChanges(trx, actor.workspaceId, row.id, changes);
          rewritten += 1;
        }

        // What they sent through web forms, and notifications that name them.
        const submissions = await deps.forms.eraseSubmissionsOfContact(
          trx,
          actor,
          contactId,
          people.flatMap((person) => person.emails.map((email) => email.value)),
        );
        const notices = await deps.notifications.redactAboutLeads(
          trx,
          actor.workspaceId,
          leadIds,
          redact.text,
        );

        // Messages written to them (the suppression list keeps their address: see messaging.md).
        const messages = await deps.messaging.eraseMessagesOf(trx, actor, contactIds, leadIds);

        // What was done, never what was erased.
        await recordAudit(trx, clock, actor, {
          action: 'contact.erased',
          entityType: 'contact',
          entityId: contactId,
          before: { erased: false },
          after: {
            erased: true,
            mergedContacts: mergedIds.length,
            leads: leads.length,
            activities: activities.length,
            tasks: tasks.length,
            formSubmissions: submissions,
            notifications: notices,
            messages,
            auditEntries: rewritten,
          },
        });
        return toContactDto(erased!);
      });
    },
  };
}

export type PrivacyService = ReturnType<typeof createPrivacyService>;
