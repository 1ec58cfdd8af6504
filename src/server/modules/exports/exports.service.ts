// CSV exports of filtered lists (leads, contacts, companies, tasks, activities), streamed a page
// at a time: UTF-8 with a BOM so spreadsheets read the accents, names instead of ids, money in major units, and every cell that a
// spreadsheet would run as a formula (= + - @, tab, carriage return) neutralised with a quote.
import { Readable } from 'node:stream';
import { csvLines, CSV_BOM, neutralizeFormula } from '../../platform/csv.js';
import { pagesReadAhead } from '../../platform/http/pagination.js';
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import type { CompaniesService } from '../companies/companies.service.js';
import type { ListCompaniesQuery } from '../companies/companies.schemas.js';
import type { ContactsService } from '../contacts/contacts.service.js';
import type { ContactDto, ListContactsQuery } from '../contacts/contacts.schemas.js';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.js';
import type { LeadSourcesService } from '../lead-sources/lead-sources.service.js';
import type { ExportLeadsQuery } from '../leads/leads.schemas.js';
import type { LeadExportItem, LeadsService } from '../leads/leads.service.js';
import type { PipelinesService } from '../pipelines/pipelines.service.js';
import type { UsersService } from '../users/users.service.js';
import type { ListTasksQuery, TaskDto } from '../tasks/tasks.schemas.js';
import type { TasksService } from '../tasks/tasks.service.js';
import type { ActivityDto, ExportActivitiesQuery } from '../activities/activities.schemas.js';
import type { ActivitiesService } from '../activities/activities.service.js';

/** Fraction digits per currency: making an Intl.NumberFormat per cell cost most of an export. */
const currencyDigits = new Map<string, number>();

function fractionDigitsOf(currency: string): number {
  let digits = currencyDigits.get(currency);
  if (digits === undefined) {
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
        .maximumFractionDigits ?? 2;
    currencyDigits.set(currency, digits);
  }
  return digits;
}

/** Minor units as a decimal in the currency's own digits (JPY 0, EUR 2, KWD 3). */
export function toMajorUnits(value: number, currency: string): string {
  const digits = fractionDigitsOf(currency);
  const sign = value < 0 ? '-' : '';
  const text = String(Math.abs(value)).padStart(digits + 1, '0');
  return digits === 0
    ? `${sign}${text}`
    : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** Rows read per query: bigger pages spend less per row on round trips. */
const EXPORT_PAGE_SIZE = 1000;

type Address = ContactDto['address'];
const addressCells = (address: Address) => [
  address?.street,
  address?.city,
  address?.region,
  address?.postalCode,
  address?.country,
];
const ADDRESS_HEADER = ['Street', 'City', 'Region', 'Postal Code', 'Country'];

/** Every page of a cursor-paged list, in its order; the next page is read while one is written. */
function pagesOf<T>(
  list: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
) {
  return pagesReadAhead(async (cursor: string | undefined) => {
    const page = await list(cursor);
    return { items: page.items, next: page.nextCursor ?? undefined };
  });
}

/**
 * A header row, then a row per record, as a CSV stream. A failure mid-way destroys the stream,
 * which cuts the reply short (the status is already sent) and is logged by Fastify.
 */
function csvOf<T>(
  header: string[],
  pages: AsyncIterable<T[]>,
  rowOf: (record: T, page: T[]) => Promise<unknown[]> | unknown[],
): Readable {
  // A page becomes one chunk of text: a stream item per row cost more than the rows themselves.
  async function* chunks() {
    yield `${CSV_BOM}${csvLines([header])}`;
    for await (const page of pages) {
      const rows: string[][] = [];
      for (const record of page) {
        rows.push((await rowOf(record, page)).map((value) => neutralizeFormula(cellOf(value))));
      }
      if (rows.length > 0) yield csvLines(rows);
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

function cellOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(cellOf).join('; ');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export function createExportsService(deps: {
  leads: LeadsService;
  tasks: TasksService;
  contacts: ContactsService;
  companies: CompaniesService;
  pipelines: PipelinesService;
  leadSources: LeadSourcesService;
  users: UsersService;
  customFields: CustomFieldsService;
  activities: ActivitiesService;
}) {
  const activeFields = async (actor: Actor, recordType: 'lead' | 'contact' | 'company') =>
    (await deps.customFields.listCustomFields(actor, { recordType, includeArchived: false })).items;

  /** Names for the ids a lead row carries, read once per export. */
  async function namesFor(actor: Actor) {
    const [pipelines, sources, fields, users] = await Promise.all([
      deps.pipelines.listPipelines(actor, true),
      deps.leadSources.listLeadSources(actor, undefined),
      activeFields(actor, 'lead'),
      deps.users.memberNames(actor),
    ]);
    return {
      pipelines: new Map(pipelines.items.map((p) => [p.id, p.name])),
      stages: new Map(pipelines.items.flatMap((p) => p.stages.map((s) => [s.id, s.name]))),
      sources: new Map(sources.items.map((s) => [s.id, s.name])),
      users,
      fields,
    };
  }

  return {
    /** The filtered leads list as a CSV stream (a header row, then one row per lead). */
    async exportLeads(actor: Actor, query: ExportLeadsQuery): Promise<Readable> {
      requirePermission(actor, 'lead:read');
      const names = await namesFor(actor);
      const header = [
        'ID',
        'Title',
        'Contact',
        'Company',
        'Pipeline',
        'Stage',
        'Status',
        'Converted',
        'Archived',
        'Value',
        'Currency',
        'Probability',
        'Priority',
        'Assignee',
        'Lead Source',
        'Source Campaign',
        'Tags',
        'Contact Status',
        'Next Follow-up',
        'Last Contact',
        'Expected Close Date',
        'Created',
        ...names.fields.map((field) => field.label),
      ];
      const rowOf = (lead: LeadExportItem) => [
        lead.id,
        lead.title,
        lead.contactName,
        lead.companyName,
        names.pipelines.get(lead.pipelineId),
        names.stages.get(lead.stageId),
        lead.status,
        lead.converted,
        lead.archived,
        toMajorUnits(lead.value, lead.currency),
        lead.currency,
        lead.probability,
        lead.priority,
        lead.assigneeId ? names.users.get(lead.assigneeId) : '',
        lead.sourceId ? names.sources.get(lead.sourceId) : '',
        lead.sourceCampaign,
        lead.tags,
        lead.contactStatus,
        lead.nextFollowUpAt,
        lead.lastContactAt,
        lead.expectedCloseDate,
        lead.createdAt,
        ...names.fields.map((field) => lead.customFields[field.key]),
      ];
      return csvOf(header, deps.leads.iterateLeads(actor, query), rowOf);
    },

    /** The filtered contacts list as CSV: primary email and phone first, the others joined. */
    async exportContacts(actor: Actor, query: Omit<ListContactsQuery, 'cursor' | 'limit'>) {
      requirePermission(actor, 'lead:read');
      const fields = await activeFields(actor, 'contact');
      const header = [
        'ID',
        'First Name',
        'Last Name',
        'Email Address',
        'Other Emails',
        'Phone',
        'Phone (E.164)',
        'Other Phones',
        ...ADDRESS_HEADER,
        'Company Name',
        'Lifecycle Stage',
        'Preferred Channel',
        'Preferred Time',
        'Tags',
        'Email Opt-in',
        'SMS Opt-in',
        'Do Not Contact',
        'Notes',
        'Archived',
        'Created',
        ...fields.map((field) => field.label),
      ];
      // Company names a page at a time: the page's ids in one query.
      let names = new Map<string, string>();
      let namedPage: ContactDto[] | undefined;
      const pages = pagesOf((cursor) =>
        deps.contacts.listContacts(actor, { ...query, cursor, limit: EXPORT_PAGE_SIZE }),
      );
      return csvOf(header, pages, async (contact: ContactDto, page) => {
        if (namedPage !== page) {
          namedPage = page;
          names = await deps.companies.companyNames(
            actor,
            page.flatMap((c) => (c.companyId ? [c.companyId] : [])),
          );
        }
        const [email, ...otherEmails] = contact.emails;
        const [phone, ...otherPhones] = contact.phones;
        return [
          contact.id,
          contact.firstName,
          contact.lastName,
          email?.value,
          otherEmails.map((e) => e.value),
          phone?.value,
          phone?.e164,
          otherPhones.map((p) => p.e164),
          ...addressCells(contact.address),
          contact.companyId ? names.get(contact.companyId) : '',
          contact.lifecycleStage,
          contact.preferredChannel,
          contact.preferredTime,
          contact.tags,
          contact.optInEmail,
          contact.optInSms,
          contact.doNotContact,
          contact.notes,
          contact.archived,
          contact.createdAt,
          ...fields.map((field) => contact.customFields[field.key]),
        ];
      });
    },

    /** The filtered companies list as CSV, with the primary contact's name. */
    async exportCompanies(actor: Actor, query: Omit<ListCompaniesQuery, 'cursor' | 'limit'>) {
      requirePermission(actor, 'lead:read');
      const fields = await activeFields(actor, 'company');
      const header = [
        'ID',
        'Company Name',
        'Type',
        'Status',
        'Phone',
        'Phone (E.164)',
        'Website',
        'Industry',
        ...ADDRESS_HEADER,
        'Primary Contact',
        'Archived',
        'Created',
        ...fields.map((field) => field.label),
      ];
      let names = new Map<string, string>();
      let namedPage: unknown[] | undefined;
      const pages = pagesOf((cursor) =>
        deps.companies.listCompanies(actor, { ...query, cursor, limit: EXPORT_PAGE_SIZE }),
      );
      return csvOf(header, pages, async (company, page) => {
        if (namedPage !== page) {
          namedPage = page;
          names = await deps.contacts.contactNames(
            actor,
            page.flatMap((c) => (c.primaryContactId ? [c.primaryContactId] : [])),
          );
        }
        return [
          company.id,
          company.name,
          company.type,
          company.status,
          company.mainPhone,
          company.mainPhoneE164,
          company.website,
          company.industry,
          ...addressCells(company.billingAddress),
          company.primaryContactId ? names.get(company.primaryContactId) : '',
          company.archived,
          company.createdAt,
          ...fields.map((field) => company.customFields[field.key]),
        ];
      });
    },

    /** The filtered tasks list as CSV, with lead titles, contact and assignee names. */
    async exportTasks(actor: Actor, query: Omit<ListTasksQuery, 'cursor' | 'limit'>) {
      requirePermission(actor, 'lead:read');
      const users = await deps.users.memberNames(actor);
      const header = [
        'ID',
        'Title',
        'Type',
        'Priority',
        'Status',
        'Due',
        'Lead',
        'Contact',
        'Assignee',
        'Completed',
        'Created',
        'Description',
      ];
      let names = { leads: new Map<string, string>(), contacts: new Map<string, string>() };
      let namedPage: TaskDto[] | undefined;
      const pages = pagesOf((cursor) =>
        deps.tasks.listTasks(actor, { ...query, cursor, limit: EXPORT_PAGE_SIZE }),
      );
      return csvOf(header, pages, async (task: TaskDto, page) => {
        if (namedPage !== page) {
          namedPage = page;
          const [leads, contacts] = await Promise.all([
            deps.leads.leadTitles(
              actor,
              page.flatMap((t) => (t.leadId ? [t.leadId] : [])),
            ),
            deps.contacts.contactNames(
              actor,
              page.flatMap((t) => (t.contactId ? [t.contactId] : [])),
            ),
          ]);
          names = { leads, contacts };
        }
        return [
          task.id,
          task.title,
          task.type,
          task.priority,
          task.status,
          task.dueAt,
          task.leadId ? names.leads.get(task.leadId) : '',
          task.contactId ? names.contacts.get(task.contactId) : '',
          task.assigneeId ? users.get(task.assigneeId) : '',
          task.completedAt,
          task.createdAt,
          task.description,
        ];
      });
    },

    /** The timeline (GET /api/leads/:id/activities and the like, workspace-wide) as CSV. */
    async exportActivities(actor: Actor, query: ExportActivitiesQuery) {
      requirePermission(actor, 'lead:read');
      const users = await deps.users.memberNames(actor);
      const header = [
        'ID',
        'Occurred',
        'Type',
        'Direction',
        'Outcome',
        'Subject',
        'Body',
        'Next Step',
        'Duration (min)',
        'Lead',
        'Contact',
        'Logged By',
        'Created',
      ];
      let names = { leads: new Map<string, string>(), contacts: new Map<string, string>() };
      let namedPage: ActivityDto[] | undefined;
      const pages = await deps.activities.iterateActivities(actor, query, EXPORT_PAGE_SIZE);
      return csvOf(header, pages, async (activity: ActivityDto, page) => {
        if (namedPage !== page) {
          namedPage = page;
          const [leads, contacts] = await Promise.all([
            deps.leads.leadTitles(
              actor,
              page.flatMap((a) => (a.leadId ? [a.leadId] : [])),
            ),
            deps.contacts.contactNames(
              actor,
              page.flatMap((a) => (a.contactId ? [a.contactId] : [])),
            ),
          ]);
          names = { leads, contacts };
        }
        return [
          activity.id,
          activity.occurredAt,
          activity.type,
          activity.direction,
          activity.outcome,
          activity.subject,
          activity.body,
          activity.nextStep,
          activity.durationMinutes,
          activity.leadId ? names.leads.get(activity.leadId) : '',
          activity.contactId ? names.contacts.get(activity.contactId) : '',
          activity.createdBy ? users.get(activity.createdBy) : '',
          activity.createdAt,
        ];
      });
    },
  };
}

export type ExportsService = ReturnType<typeof createExportsService>;
