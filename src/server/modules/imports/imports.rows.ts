// One CSV row → the values of the records it becomes, checked by the API's own zod schemas
// (contacts, leads, companies) and the custom-fields rules, or the reasons it can't be imported
// (row, column, value, message). Pure: everything it looks up comes in the RowContext.
import { createHash } from 'node:crypto';
import type {
  Address,
  ContactEmail,
  ContactPhone,
  ContactStatus,
  CustomFieldRow,
  Priority,
} from '../../platform/db/schema.js';
import { encryptText } from '../../platform/crypto.js';
import { toE164 } from '../../../shared/phone.js';
import { createCompanyBodySchema } from '../companies/companies.schemas.js';
import { createContactBodySchema } from '../contacts/contacts.schemas.js';
import { parseCustomFieldValue } from '../custom-fields/custom-fields.service.js';
import { createLeadBodySchema } from '../leads/leads.schemas.js';
import type { ImportEntity, ImportTarget } from './imports.mapping.js';

export interface RowError {
  row: number;
  column: string;
  value: string;
  message: string;
}

export interface StageRef {
  id: string;
  name: string;
  kind: 'open' | 'won' | 'lost';
  probability: number;
}

export interface RowContext {
  entity: ImportEntity;
  columns: { index: number; header: string; target: ImportTarget }[];
  headerCount: number;
  country: string;
  currency: string;
  customFields: Map<string, CustomFieldRow>;
  encryptionKey: Buffer | undefined;
  pipelineId: string;
  stages: StageRef[];
  sources: Map<string, string>;
  lostReasons: Map<string, string>;
  users: Map<string, string>;
}

export interface ContactValues {
  firstName: string;
  lastName: string;
  emails: ContactEmail[];
  phones: ContactPhone[];
  address: Address | null;
  preferredChannel: 'phone' | 'email' | 'sms' | 'any';
  preferredTime: string;
  lifecycleStage: 'prospect' | 'customer' | 'past_customer';
  tags: string[];
  optInEmail: boolean;
  optInSms: boolean;
  doNotContact: boolean;
  notes: string;
  companyName: string;
}

export interface LeadValues {
  title: string;
  description: string;
  companyName: string;
  sourceId: string | null;
  sourceCampaign: string;
  sourceDetail: string;
  stage: StageRef;
  probability: number;
  isProbabilityOverridden: boolean;
  lostReasonId: string | null;
  lostNotes: string;
  value: number;
  currency: string;
  priority: Priority;
  expectedCloseDate: string | null;
  assigneeId: string | null;
  contactStatus: ContactStatus;
  tags: string[];
}

export interface CompanyValues {
  name: string;
  type: 'business' | 'individual' | 'nonprofit' | 'government' | 'other';
  mainPhone: string | null;
  mainPhoneE164: string | null;
  website: string | null;
  industry: string | null;
  billingAddress: Address | null;
  notes: string;
}

export interface PreparedRow {
  row: number;
  /** The row's identity across imports: its id column, else a hash of its values. */
  key: string;
  /** Which built-in fields had a value (an update changes only those). */
  given: Set<string>;
  contact: ContactValues | null;
  lead: LeadValues | null;
  company: CompanyValues | null;
  customFields: Record<string, unknown>;
  createdAt: Date | null;
}

export type PrepareResult =
  { kind: 'row'; row: PreparedRow } | { kind: 'errors'; errors: RowError[] } | { kind: 'empty' };

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'y', 'x', 'ja', 'oui', 'si', 'wahr', 'checked']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'n', 'nein', 'non', '']);

export function parseBoolean(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}

/** A cell from one of our own exports comes back without the formula guard ("'=x" → "=x"). */
export function unguard(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

/** The minor-unit digits of a currency (JPY 0, EUR 2, KWD 3). */
export function currencyDigits(currency: string): number {
  // Building a NumberFormat costs more than reading a whole row: once per currency.
  let digits = DIGITS.get(currency);
  if (digits === undefined) {
    try {
      digits =
        new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
          .maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    DIGITS.set(currency, digits);
  }
  return digits;
}
const DIGITS = new Map<string, number>();

/**
 * An amount as typed ("1,234.50", "1.234,50", "€ 50000", "12 500") in minor units; undefined
 * when it isn't a number. The last of "." and "," is the decimal mark when digits follow it
 * that a thousands group wouldn't have.
 */
export function parseAmount(text: string, digits: number): number | undefined {
  let t = text.replace(/[^\d.,-]/g, '');
  if (!/\d/.test(t) || /.-/.test(t)) return undefined;
  const lastDot = t.lastIndexOf('.');
  const lastComma = t.lastIndexOf(',');
  if (lastDot !== -1 && lastComma !== -1) {
    // Both: the later one is the decimal mark.
    const mark = lastDot > lastComma ? '.' : ',';
    t = t
      .split(mark === '.' ? ',' : '.')
      .join('')
      .replace(mark, '.');
  } else if (lastDot !== -1 || lastComma !== -1) {
    const mark = lastDot !== -1 ? '.' : ',';
    const parts = t.split(mark);
    // "1.234.567" and "12,500" are thousands; "12,5" and "99.90" have decimals.
    const isThousands = parts.length > 2 || parts[1]?.length === 3;
    t = isThousands ? parts.join('') : `${parts[0]}.${parts[1]}`;
  }
  const value = Number(t);
  if (!Number.isFinite(value)) return undefined;
  return Math.round(value * 10 ** digits);
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function pad(n: number) {
  return String(n).padStart(2, '0');
}

/**
 * A date and time as CRMs write them, read as UTC: ISO (2024-08-30 14:39:58), day-first with
 * dots or dashes (28-08-2022 17:00, 30.08.2024), slashes (month first in US workspaces, else
 * day first, unless the first number is over 12), and "15 Apr, 2021 00:03:00".
 */
export function parseDateTime(text: string, country: string): Date | undefined {
  const t = text.trim();
  let m =
    /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(
      t,
    );
  if (m) {
    const iso = `${m[1]}-${pad(Number(m[2]))}-${pad(Number(m[3]))}T${pad(Number(m[4] ?? 0))}:${m[5] ?? '00'}:${m[6] ?? '00'}${m[7] ?? 'Z'}`;
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  m = /^(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(t);
  if (m) {
    const monthFirst = m[2] === '/' && country.toUpperCase() === 'US';
    let day = Number(monthFirst ? m[3] : m[1]);
    let month = Number(monthFirst ? m[1] : m[3]);
    if (month > 12 && day <= 12) [day, month] = [month, day];
    return build(Number(m[4]), month, day, m[5], m[6], m[7]);
  }
  m = /^(\d{1,2})\s+([a-z]{3})[a-z]*\.?,?\s+(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/i.exec(
    t,
  );
  if (m) {
    const month = MONTHS.indexOf(m[2]!.toLowerCase()) + 1;
    if (month === 0) return undefined;
    return build(Number(m[3]), month, Number(m[1]), m[4], m[5], m[6]);
  }
  m = /^([a-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/i.exec(
    t,
  );
  if (m) {
    const month = MONTHS.indexOf(m[1]!.toLowerCase()) + 1;
    if (month === 0) return undefined;
    return build(Number(m[3]), month, Number(m[2]), m[4], m[5], m[6]);
  }
  return undefined;
}

function build(
  year: number,
  month: number,
  day: number,
  hours?: string,
  minutes?: string,
  seconds?: string,
): Date | undefined {
  const date = new Date(
    Date.UTC(year, month - 1, day, Number(hours ?? 0), Number(minutes ?? 0), Number(seconds ?? 0)),
  );
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return date;
}

/** "A; B", "A, B" or a JSON list ([{"value": "a"}] as Krayin writes them) → their values. */
export function splitList(text: string): { value: string; label: string }[] {
  const t = text.trim();
  if (t.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(t);
      if (Array.isArray(parsed)) {
        return parsed.flatMap((item: unknown) => {
          if (typeof item === 'string') return [{ value: item.trim(), label: '' }];
          if (item && typeof item === 'object' && 'value' in item) {
            const { value, label } = item as { value: unknown; label?: unknown };
            return typeof value === 'string' || typeof value === 'number'
              ? [{ value: String(value).trim(), label: typeof label === 'string' ? label : '' }]
              : [];
          }
          return [];
        });
      }
    } catch {
      // Not JSON after all: split it as text.
    }
  }
  return t
    .split(/\s*[;,\n]\s*/)
    .map((value) => ({ value: value.trim(), label: '' }))
    .filter((item) => item.value !== '');
}

type Outcome = 'won' | 'lost' | 'open';

const WON = new Set([
  'won',
  'closedwon',
  'closedconverted',
  'converted',
  'win',
  'customer',
  'sold',
  'deal',
  'signed',
  '1',
  'true',
  'yes',
]);
const LOST = new Set([
  'lost',
  'closedlost',
  'closednotconverted',
  'notconverted',
  'junk',
  'junklead',
  'lostlead',
  'notqualified',
  'disqualified',
  'unqualified',
  'dead',
  'recycled',
  'rejected',
  '0',
  'false',
  'no',
]);
const CONTACT_STATUS_WORDS: Record<string, ContactStatus> = {
  notcontacted: 'not_contacted',
  opennotcontacted: 'not_contacted',
  new: 'not_contacted',
  contacted: 'contacted',
  workingcontacted: 'contacted',
  attemptedtocontact: 'contacted',
  contactinfuture: 'follow_up_needed',
  followupneeded: 'follow_up_needed',
  inprogress: 'in_discussion',
  working: 'in_discussion',
  qualified: 'in_discussion',
  prequalified: 'in_discussion',
  indiscussion: 'in_discussion',
  proposalsent: 'proposal_sent',
  noresponse: 'no_response',
};

function word(text: string) {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** What a status cell says about the outcome and the contact status. */
export function readOutcome(text: string): { outcome?: Outcome; contactStatus?: ContactStatus } {
  const w = word(text);
  if (WON.has(w)) return { outcome: 'won' };
  if (LOST.has(w)) return { outcome: 'lost' };
  const contactStatus = CONTACT_STATUS_WORDS[w];
  return contactStatus ? { outcome: 'open', contactStatus } : {};
}

const PRIORITY_WORDS: Record<string, Priority> = {
  low: 'low',
  cold: 'low',
  '0': 'low',
  normal: 'normal',
  medium: 'normal',
  warm: 'normal',
  '1': 'normal',
  high: 'high',
  hot: 'high',
  '2': 'high',
  urgent: 'urgent',
  veryhigh: 'urgent',
  '3': 'urgent',
};

const CHANNELS = new Set(['phone', 'email', 'sms', 'any']);
const LIFECYCLES = new Set(['prospect', 'customer', 'past_customer']);
const COMPANY_TYPES = new Set(['business', 'individual', 'nonprofit', 'government', 'other']);

function splitName(full: string) {
  const parts = full.trim().split(/\s+/);
  if (parts.length === 1) return { firstName: parts[0] ?? '', lastName: '' };
  return { firstName: parts.slice(0, -1).join(' '), lastName: parts.at(-1) ?? '' };
}

/** A stable digest of a row's values, so the same row in a second file is recognised. */
function rowHash(cells: string[]): string {
  return createHash('sha256')
    .update(JSON.stringify(cells.map((cell) => cell.trim())))
    .digest('base64url')
    .slice(0, 32);
}

/** A value of a custom field from a CSV cell: numbers, booleans, lists and options by label. */
function customFieldValue(field: CustomFieldRow, text: string, currency: string): unknown {
  switch (field.type) {
    case 'number': {
      const n = Number(text.replace(/\s/g, '').replace(',', '.'));
      return Number.isFinite(n) ? n : text;
    }
    case 'money':
      return parseAmount(text, currencyDigits(currency)) ?? text;
    case 'boolean':
      return parseBoolean(text) ?? text;
    case 'select': {
      const option = field.options.find(
        (o) => o.value === text || o.label.toLowerCase() === text.toLowerCase(),
      );
      return option?.value ?? text;
    }
    case 'multiselect':
      return splitList(text).map(
        ({ value }) =>
          field.options.find(
            (o) => o.value === value || o.label.toLowerCase() === value.toLowerCase(),
          )?.value ?? value,
      );
    case 'date': {
      const date = parseDateTime(text, 'XX');
      return date ? date.toISOString().slice(0, 10) : text;
    }
    case 'text':
    case 'long_text':
    case 'email':
    case 'phone':
    case 'url':
      return text;
  }
}

const TITLE_MAX = 300;

/** Reads one data row (its 1-based spreadsheet row number: the header is row 1). */
export function prepareRow(ctx: RowContext, rowNumber: number, cells: string[]): PrepareResult {
  if (cells.every((cell) => cell.trim() === '')) return { kind: 'empty' };
  const errors: RowError[] = [];
  const fail = (column: string, value: string, message: string) =>
    errors.push({ row: rowNumber, column, value: value.slice(0, 200), message });
  if (cells.length > ctx.headerCount) {
    const extra = cells.slice(ctx.headerCount).filter((cell) => cell.trim() !== '');
    if (extra.length > 0) {
      fail(
        '',
        extra[0] ?? '',
        `This row has ${cells.length} cells but the header has ${ctx.headerCount}; ` +
          'a delimiter or quote is probably misplaced.',
      );
      return { kind: 'errors', errors };
    }
  }

  // Cell text per target; multi-column targets collect every column's values.
  const single = new Map<string, { header: string; text: string }>();
  const multi = new Map<string, { header: string; text: string }[]>();
  const given = new Set<string>();
  const customFields: Record<string, unknown> = {};
  let externalId = '';
  for (const column of ctx.columns) {
    if (column.target === 'ignore') continue;
    const text = unguard(cells[column.index] ?? '').trim();
    if (text === '') continue;
    if (column.target === 'externalId') {
      externalId ||= text;
      continue;
    }
    if (column.target.startsWith('custom:')) {
      const key = column.target.slice('custom:'.length);
      const field = ctx.customFields.get(key);
      if (!field) continue;
      const parsed = parseCustomFieldValue(
        field,
        customFieldValue(field, text, ctx.currency),
        ctx.country,
      );
      if ('error' in parsed) fail(column.header, text, parsed.error);
      else if (parsed.value !== null) {
        if (!field.is_sensitive) customFields[key] = parsed.value;
        else if (!ctx.encryptionKey)
          fail(column.header, '', 'Set ENCRYPTION_KEY to store sensitive fields');
        else
          customFields[key] = {
            $enc: encryptText(ctx.encryptionKey, JSON.stringify(parsed.value)),
          };
      }
      continue;
    }
    given.add(column.target);
    const list = multi.get(column.target) ?? [];
    list.push({ header: column.header, text });
    multi.set(column.target, list);
    if (!single.has(column.target)) single.set(column.target, { header: column.header, text });
  }
  const text = (target: string) => single.get(target)?.text ?? '';
  const header = (target: string) => single.get(target)?.header ?? target;

  let createdAt: Date | null = null;
  if (text('createdAt')) {
    createdAt = parseDateTime(text('createdAt'), ctx.country) ?? null;
    if (!createdAt) fail(header('createdAt'), text('createdAt'), 'Not a date and time');
  }

  const contact = ctx.entity === 'companies' ? null : readContact(ctx, single, multi, fail);
  const lead = ctx.entity === 'leads' ? readLead(ctx, single, contact, externalId, fail) : null;
  const company = ctx.entity === 'companies' ? readCompany(ctx, single, fail) : null;
  if (ctx.entity === 'contacts' && !contact) {
    fail('', '', 'Give a first or last name.');
  }
  if (errors.length > 0) return { kind: 'errors', errors };
  return {
    kind: 'row',
    row: {
      row: rowNumber,
      key: externalId ? `id:${externalId}` : `row:${rowHash(cells.slice(0, ctx.headerCount))}`,
      given,
      contact,
      lead,
      company,
      customFields,
      createdAt,
    },
  };
}

type Cells = Map<string, { header: string; text: string }>;
type Fail = (column: string, value: string, message: string) => void;

/** The zod issue's first path segment → the column that fed it. */
function reportIssues(
  issues: { path: PropertyKey[]; message: string }[],
  columnOf: (field: string) => { header: string; text: string } | undefined,
  fail: Fail,
) {
  for (const issue of issues) {
    const field = String(issue.path[0] ?? '');
    const column = columnOf(field);
    fail(column?.header ?? field, column?.text ?? '', issue.message);
  }
}

function readContact(
  ctx: RowContext,
  single: Cells,
  multi: Map<string, { header: string; text: string }[]>,
  fail: Fail,
): ContactValues | null {
  const text = (target: string) => single.get(target)?.text ?? '';
  let firstName = text('firstName');
  let lastName = text('lastName');
  if (!firstName && !lastName && text('fullName'))
    ({ firstName, lastName } = splitName(text('fullName')));
  const emailCells = multi.get('email') ?? [];
  const emails: { value: string; label: string }[] = [];
  for (const cell of emailCells) {
    for (const item of splitList(cell.text)) {
      if (!emails.some((e) => e.value.toLowerCase() === item.value.toLowerCase()))
        emails.push(item);
    }
  }
  const phoneCells = [
    ...(multi.get('phone') ?? []).map((cell) => ({ ...cell, label: '' })),
    ...(multi.get('mobilePhone') ?? []).map((cell) => ({ ...cell, label: 'mobile' })),
  ];
  const phones: ContactPhone[] = [];
  for (const cell of phoneCells) {
    for (const item of splitList(cell.text.replace(/,(?=\s*\+)/g, ';'))) {
      const e164 = item.value.length <= 40 ? toE164(item.value, ctx.country) : null;
      if (!e164) {
        fail(cell.header, item.value, 'Not a valid phone number');
        continue;
      }
      if (!phones.some((p) => p.e164 === e164))
        phones.push({ raw: item.value, e164, label: item.label || cell.label });
    }
  }
  const hasPerson = firstName || lastName || emails.length > 0 || phones.length > 0;
  if (!hasPerson) return null;
  if (!firstName && !lastName) {
    fail(single.get('fullName')?.header ?? 'firstName', '', 'Give a first or last name.');
    return null;
  }
  const address: Address = {};
  for (const part of ['street', 'city', 'region', 'postalCode', 'country'] as const) {
    if (text(part)) address[part] = text(part);
  }
  const channel = text('preferredChannel').toLowerCase();
  const lifecycle = text('lifecycleStage').toLowerCase().replace(/\s+/g, '_');
  const input = {
    firstName,
    lastName,
    emails,
    phones: phones.map((p) => ({ value: p.raw, label: p.label })),
    address: Object.keys(address).length > 0 ? address : null,
    preferredChannel: CHANNELS.has(channel) ? channel : 'any',
    preferredTime: text('preferredTime'),
    lifecycleStage: LIFECYCLES.has(lifecycle) ? lifecycle : 'prospect',
    tags: ctx.entity === 'contacts' ? splitList(text('tags')).map((t) => t.value) : [],
    optInEmail: parseBoolean(text('optInEmail')) ?? false,
    optInSms: parseBoolean(text('optInSms')) ?? false,
    doNotContact: parseBoolean(text('doNotContact')) ?? false,
    notes: ctx.entity === 'contacts' ? text('notes') : '',
  };
  const parsed = createContactBodySchema.safeParse(input);
  if (!parsed.success) {
    const fieldTarget: Record<string, string> = {
      emails: 'email',
      phones: 'phone',
      address: 'street',
    };
    reportIssues(
      parsed.error.issues,
      (field) => single.get(fieldTarget[field] ?? field) ?? single.get('fullName'),
      fail,
    );
    return null;
  }
  return {
    firstName: parsed.data.firstName,
    lastName: parsed.data.lastName,
    emails: parsed.data.emails,
    phones,
    address: parsed.data.address,
    preferredChannel: parsed.data.preferredChannel,
    preferredTime: parsed.data.preferredTime,
    lifecycleStage: parsed.data.lifecycleStage,
    tags: parsed.data.tags,
    optInEmail: parsed.data.optInEmail,
    optInSms: parsed.data.optInSms,
    doNotContact: parsed.data.doNotContact,
    notes: parsed.data.notes,
    companyName: text('companyName'),
  };
}

function readLead(
  ctx: RowContext,
  single: Cells,
  contact: ContactValues | null,
  externalId: string,
  fail: Fail,
): LeadValues | null {
  const text = (target: string) => single.get(target)?.text ?? '';
  const header = (target: string) => single.get(target)?.header ?? target;
  const currency = (text('currency') || ctx.currency).toUpperCase();
  let value = 0;
  if (text('value')) {
    const amount = parseAmount(text('value'), currencyDigits(currency));
    if (amount === undefined) fail(header('value'), text('value'), 'Not an amount');
    else value = amount;
  }
  let probability: number | undefined;
  if (text('probability')) {
    const n = Number(text('probability').replace('%', '').replace(',', '.').trim());
    if (!Number.isFinite(n)) fail(header('probability'), text('probability'), 'Not a number');
    else probability = Math.round(n <= 1 && text('probability').includes('.') ? n * 100 : n);
  }
  let expectedCloseDate: string | undefined;
  if (text('expectedCloseDate')) {
    const date = parseDateTime(text('expectedCloseDate'), ctx.country);
    if (!date) fail(header('expectedCloseDate'), text('expectedCloseDate'), 'Not a date');
    else expectedCloseDate = date.toISOString().slice(0, 10);
  }

  // The stage: a converted flag, else the status's outcome, else a stage of that name.
  const open = ctx.stages.find((s) => s.kind === 'open');
  let stage: StageRef | undefined;
  let contactStatus: ContactStatus = 'not_contacted';
  const stageNamed = (name: string) =>
    name ? ctx.stages.find((s) => s.name.toLowerCase() === name.toLowerCase()) : undefined;
  // A status that names a stage ("Qualified") puts the lead there.
  const byName = stageNamed(text('stage')) ?? stageNamed(text('outcome'));
  const status = readOutcome(text('outcome'));
  const stageWord = byName ? {} : readOutcome(text('stage'));
  if (status.contactStatus) contactStatus = status.contactStatus;
  // A status that says won or lost decides; else a converted flag means won.
  const outcome =
    status.outcome === 'won' || status.outcome === 'lost'
      ? status.outcome
      : parseBoolean(text('converted')) === true
        ? 'won'
        : (status.outcome ?? stageWord.outcome);
  if (outcome === 'won' || outcome === 'lost') {
    stage = byName?.kind === outcome ? byName : ctx.stages.find((s) => s.kind === outcome);
  }
  stage ??= byName ?? open;
  if (!stage) {
    fail('', '', 'The pipeline has no open stage.');
    return null;
  }
  const lostReasonText = text('lostReason');
  const lostReasonId =
    stage.kind === 'lost' ? (ctx.lostReasons.get(lostReasonText.toLowerCase()) ?? null) : null;
  const priority = PRIORITY_WORDS[word(text('priority'))] ?? 'normal';
  const sourceText = text('source');
  const sourceId = sourceText ? (ctx.sources.get(sourceText.toLowerCase()) ?? null) : null;
  const assigneeText = text('assignee').toLowerCase();
  const assigneeId = assigneeText ? (ctx.users.get(assigneeText) ?? null) : null;
  const contactName = contact
    ? [contact.firstName, contact.lastName].filter(Boolean).join(' ')
    : '';
  const title = (
    text('title') ||
    contactName ||
    text('companyName') ||
    contact?.companyName ||
    (externalId ? `Lead ${externalId}` : 'Imported lead')
  ).slice(0, text('title') ? undefined : TITLE_MAX);
  const contactStatusWord = CONTACT_STATUS_WORDS[word(text('contactStatus'))];
  const input = {
    title,
    description: text('description'),
    companyName: text('companyName') || contact?.companyName || '',
    sourceCampaign: text('sourceCampaign'),
    sourceDetail: text('sourceDetail') || (sourceText && !sourceId ? sourceText : ''),
    value,
    currency,
    ...(probability !== undefined ? { probability } : {}),
    priority,
    ...(expectedCloseDate ? { expectedCloseDate } : {}),
    tags: splitList(single.get('tags')?.text ?? '').map((t) => t.value),
  };
  const parsed = createLeadBodySchema.safeParse(input);
  if (!parsed.success) {
    reportIssues(parsed.error.issues, (field) => single.get(field), fail);
    return null;
  }
  return {
    title: parsed.data.title ?? title,
    description: parsed.data.description,
    companyName: parsed.data.companyName,
    sourceId,
    sourceCampaign: parsed.data.sourceCampaign,
    sourceDetail: parsed.data.sourceDetail,
    stage,
    probability: parsed.data.probability ?? stage.probability,
    isProbabilityOverridden: parsed.data.probability !== undefined,
    lostReasonId,
    lostNotes: stage.kind === 'lost' && !lostReasonId ? lostReasonText || text('outcome') : '',
    value: parsed.data.value,
    currency: parsed.data.currency ?? ctx.currency,
    priority: parsed.data.priority,
    expectedCloseDate: parsed.data.expectedCloseDate ?? null,
    assigneeId,
    contactStatus: contactStatusWord ?? contactStatus,
    tags: parsed.data.tags,
  };
}

function readCompany(ctx: RowContext, single: Cells, fail: Fail): CompanyValues | null {
  const text = (target: string) => single.get(target)?.text ?? '';
  const header = (target: string) => single.get(target)?.header ?? target;
  if (!text('name')) {
    fail(header('name'), '', 'Give the company a name.');
    return null;
  }
  let mainPhoneE164: string | null = null;
  if (text('phone')) {
    mainPhoneE164 = text('phone').length <= 40 ? toE164(text('phone'), ctx.country) : null;
    if (!mainPhoneE164) fail(header('phone'), text('phone'), 'Not a valid phone number');
  }
  const website = text('website');
  const address: Address = {};
  for (const part of ['street', 'city', 'region', 'postalCode', 'country'] as const) {
    if (text(part)) address[part] = text(part);
  }
  const type = text('type').toLowerCase();
  const input = {
    name: text('name'),
    type: COMPANY_TYPES.has(type) ? type : 'business',
    mainPhone: text('phone') || null,
    website: website ? (/^https?:\/\//i.test(website) ? website : `https://${website}`) : null,
    industry: text('industry') || null,
    billingAddress: Object.keys(address).length > 0 ? address : null,
  };
  const parsed = createCompanyBodySchema.safeParse(input);
  if (!parsed.success) {
    const fieldTarget: Record<string, string> = { mainPhone: 'phone', billingAddress: 'street' };
    reportIssues(parsed.error.issues, (field) => single.get(fieldTarget[field] ?? field), fail);
    return null;
  }
  return {
    name: parsed.data.name,
    type: parsed.data.type,
    mainPhone: parsed.data.mainPhone ?? null,
    mainPhoneE164,
    website: parsed.data.website ?? null,
    industry: parsed.data.industry ?? null,
    billingAddress: parsed.data.billingAddress ?? null,
    notes: text('notes'),
  };
}
