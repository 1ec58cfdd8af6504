// CSV exports of filtered lists, streamed a page at a time: UTF-8 with a BOM so spreadsheets
// read the accents, names instead of ids, money in major units, and every cell that a
// spreadsheet would run as a formula (= + - @, tab, carriage return) neutralised with a quote.
import { pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.js';
import type { LeadSourcesService } from '../lead-sources/lead-sources.service.js';
import type { ExportLeadsQuery, LeadListItemDto } from '../leads/leads.schemas.js';
import type { LeadsService } from '../leads/leads.service.js';
import type { PipelinesService } from '../pipelines/pipelines.service.js';
import type { UsersService } from '../users/users.service.js';

const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell a spreadsheet shows as text, never evaluates. */
export function neutralizeFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** Minor units as a decimal in the currency's own digits (JPY 0, EUR 2, KWD 3). */
export function toMajorUnits(value: number, currency: string): string {
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits ?? 2;
  const sign = value < 0 ? '-' : '';
  const text = String(Math.abs(value)).padStart(digits + 1, '0');
  return digits === 0
    ? `${sign}${text}`
    : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
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
  pipelines: PipelinesService;
  leadSources: LeadSourcesService;
  users: UsersService;
  customFields: CustomFieldsService;
}) {
  /** Names for the ids a lead row carries, read once per export. */
  async function namesFor(actor: Actor) {
    const [pipelines, sources, fields] = await Promise.all([
      deps.pipelines.listPipelines(actor, true),
      deps.leadSources.listLeadSources(actor, undefined),
      deps.customFields.listCustomFields(actor, { recordType: 'lead', includeArchived: false }),
    ]);
    const users = new Map<string, string>();
    let cursor: string | undefined;
    do {
      const page = await deps.users.listUsers(actor, { limit: 200, cursor });
      for (const user of page.items) users.set(user.id, user.name);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return {
      pipelines: new Map(pipelines.items.map((p) => [p.id, p.name])),
      stages: new Map(pipelines.items.flatMap((p) => p.stages.map((s) => [s.id, s.name]))),
      sources: new Map(sources.items.map((s) => [s.id, s.name])),
      users,
      fields: fields.items,
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
      const rowOf = (lead: LeadListItemDto) => [
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
      const leads = deps.leads.iterateLeads(actor, query);
      async function* rows() {
        yield header;
        for await (const page of leads) {
          for (const lead of page)
            yield rowOf(lead).map((value) => neutralizeFormula(cellOf(value)));
        }
      }
      const csv = stringify({ bom: true });
      // A failure mid-way destroys the CSV stream with it, which cuts the reply short (the
      // status is already sent) and is logged by Fastify; .pipe() would leave it hanging.
      pipeline(Readable.from(rows()), csv, () => undefined);
      return csv;
    },
  };
}

export type ExportsService = ReturnType<typeof createExportsService>;
