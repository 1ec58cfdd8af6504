// How a posted body becomes an inquiry: the field names a form accepts (its own mapping first,
// then the usual names), and the adapters that read other systems' lead payloads (Meta Lead Ads,
// Google Ads lead forms, Typeform, any JSON through a path mapping). Pure, so each adapter is
// tested on the payloads those systems document.
import type { SubmissionAdapter, SubmissionFields } from '../../platform/db/schema.js';

/** Where a posted value goes. lead.<key> and contact.<key> are custom fields. */
export const STANDARD_TARGETS = [
  'firstName',
  'lastName',
  'name',
  'email',
  'phone',
  'company',
  'message',
  'submissionId',
  'ignore',
] as const;
export type StandardTarget = (typeof STANDARD_TARGETS)[number];
export const TARGET_PATTERN = new RegExp(
  `^(${STANDARD_TARGETS.join('|')}|(lead|contact)\\.[A-Za-z][A-Za-z0-9_]{0,59})$`,
);

// The usual field names, compared without case, spaces, dashes and underscores, so firstName,
// first_name and "First Name" are one.
const DEFAULT_NAMES: Record<string, StandardTarget> = {};
for (const [target, names] of Object.entries({
  firstName: ['firstname', 'fname', 'givenname', 'first'],
  lastName: ['lastname', 'lname', 'familyname', 'surname', 'last'],
  name: ['name', 'fullname', 'yourname', 'contactname'],
  email: ['email', 'emailaddress', 'mail', 'youremail', 'useremail'],
  phone: [
    'phone',
    'phonenumber',
    'tel',
    'telephone',
    'mobile',
    'mobilephone',
    'cellphone',
    'userphone',
  ],
  company: ['company', 'companyname', 'organization', 'organisation', 'business'],
  message: ['message', 'comments', 'comment', 'inquiry', 'enquiry', 'question', 'notes', 'details'],
  submissionId: ['submissionid'],
}) as [StandardTarget, string[]][]) {
  for (const name of names) DEFAULT_NAMES[name] = target;
}

export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[\s_\-.]+/g, '');
}

export interface MappingOptions {
  /** The form's own mapping: posted name → target. */
  fieldMapping: Record<string, string>;
  honeypotField: string;
}

/** One posted name/value pair before mapping (label is what a person reads). */
export interface PostedValue {
  name: string;
  label?: string;
  value: string;
}

export interface Inquiry extends SubmissionFields {
  submissionKey: string | null;
}

/** The value of a posted field as text: arrays joined, objects as JSON, empty as ''. */
export function textOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(textOf).filter(Boolean).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/**
 * Maps posted values to targets: the form's mapping by exact name, then by normalised name, then
 * the usual names. What maps to nothing is kept as an extra (shown with the inquiry), so nothing
 * a person typed is lost.
 */
export function mapValues(posted: PostedValue[], options: MappingOptions): SubmissionFields {
  const custom = new Map<string, string>();
  for (const [name, target] of Object.entries(options.fieldMapping)) {
    custom.set(name, target);
    custom.set(`~${normaliseName(name)}`, target);
  }
  const values: Record<string, string> = {};
  const extras: { label: string; value: string }[] = [];
  for (const { name, label, value } of posted) {
    if (name === options.honeypotField) continue;
    const target =
      custom.get(name) ??
      custom.get(`~${normaliseName(name)}`) ??
      DEFAULT_NAMES[normaliseName(name)];
    if (target === 'ignore') continue;
    if (!target) {
      if (value) extras.push({ label: label ?? name, value });
      continue;
    }
    if (!value) continue;
    // Two fields on one target (two message boxes) are joined rather than one lost.
    values[target] = values[target] ? `${values[target]}\n${value}` : value;
  }
  return { values, extras };
}

/** A flat form post or JSON object as name/value pairs (nested values as text). */
export function postedValuesOf(body: Record<string, unknown>): PostedValue[] {
  return Object.entries(body).map(([name, value]) => ({ name, value: textOf(value) }));
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function idOf(value: unknown): string | null {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : null;
}

export class AdapterError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** What an adapter found: values to map and the sender's own id of the submission. */
export interface AdapterResult {
  posted: PostedValue[];
  submissionKey: string | null;
}

/** Meta Lead Ads: the lead as Graph API GET /{leadgen_id} returns it (field_data). */
export function readMetaLead(body: Record<string, unknown>): AdapterResult {
  const fieldData = body.field_data;
  if (!Array.isArray(fieldData)) {
    throw new AdapterError('field_data', 'Expected field_data: [{ name, values }].');
  }
  const posted: PostedValue[] = [];
  for (const entry of fieldData) {
    const field = asRecord(entry);
    if (!field || typeof field.name !== 'string') continue;
    // Meta's standard question names differ from ours only where listed here.
    const name = META_NAMES[field.name] ?? field.name;
    posted.push({ name, label: field.name, value: textOf(field.values) });
  }
  return { posted, submissionKey: idOf(body.id) ?? idOf(body.leadgen_id) };
}

const META_NAMES: Record<string, string> = {
  full_name: 'name',
  phone_number: 'phone',
  company_name: 'company',
  work_email: 'email',
  work_phone_number: 'phone',
};

/** The leadgen ids of a Meta webhook notification (no personal data: only ids). */
export function metaNotificationIds(body: Record<string, unknown>): string[] | null {
  if (body.object !== 'page' || !Array.isArray(body.entry)) return null;
  const ids: string[] = [];
  for (const entry of body.entry) {
    const changes = asRecord(entry)?.changes;
    if (!Array.isArray(changes)) continue;
    for (const change of changes) {
      const record = asRecord(change);
      const id = idOf(asRecord(record?.value)?.leadgen_id);
      if (record?.field === 'leadgen' && id) ids.push(id);
    }
  }
  return ids;
}

// Google Ads lead form column ids (https://developers.google.com/google-ads/webhook/docs/implementation).
const GOOGLE_COLUMNS: Record<string, string> = {
  FULL_NAME: 'name',
  FIRST_NAME: 'firstName',
  LAST_NAME: 'lastName',
  EMAIL: 'email',
  WORK_EMAIL: 'email',
  PHONE_NUMBER: 'phone',
  WORK_PHONE: 'phone',
  COMPANY_NAME: 'company',
};

/** Google Ads lead form webhook: user_column_data [{ column_id, column_name, string_value }]. */
export function readGoogleAdsLead(body: Record<string, unknown>): AdapterResult {
  const columns = body.user_column_data;
  if (!Array.isArray(columns)) {
    throw new AdapterError(
      'user_column_data',
      'Expected user_column_data: [{ column_id, string_value }].',
    );
  }
  const posted: PostedValue[] = [];
  for (const entry of columns) {
    const column = asRecord(entry);
    if (!column) continue;
    const id = typeof column.column_id === 'string' ? column.column_id : '';
    const label = typeof column.column_name === 'string' ? column.column_name : id;
    posted.push({
      name: GOOGLE_COLUMNS[id] ?? (id || label),
      label,
      value: textOf(column.string_value),
    });
  }
  return { posted, submissionKey: idOf(body.lead_id) };
}

/** A Typeform answer's value as text, whatever its type. */
function typeformAnswerText(answer: Record<string, unknown>): string {
  const type = typeof answer.type === 'string' ? answer.type : '';
  const value = answer[type];
  if (type === 'choice') return textOf(asRecord(value)?.label ?? asRecord(value)?.other);
  if (type === 'choices') {
    const choices = asRecord(value);
    const labels: unknown[] = Array.isArray(choices?.labels) ? (choices.labels as unknown[]) : [];
    return textOf([...labels, choices?.other]);
  }
  if (type === 'boolean') return value === true ? 'Yes' : value === false ? 'No' : '';
  return textOf(value);
}

/**
 * Typeform form_response webhook: answers matched to definition.fields by id. A question maps by
 * its ref, id or title (the form's mapping may name any of them); without one, email and phone
 * answers and questions titled like "Email", "Your name", "First name" or "Company" are read.
 */
export function readTypeformResponse(
  body: Record<string, unknown>,
  fieldMapping: Record<string, string>,
): AdapterResult {
  const response = asRecord(body.form_response);
  if (!response || !Array.isArray(response.answers)) {
    throw new AdapterError('form_response', 'Expected form_response: { answers, definition }.');
  }
  const definitions = new Map<string, Record<string, unknown>>();
  const fields = asRecord(response.definition)?.fields;
  for (const field of Array.isArray(fields) ? fields : []) {
    const record = asRecord(field);
    const id = idOf(record?.id);
    if (record && id) definitions.set(id, record);
  }
  const posted: PostedValue[] = [];
  for (const entry of response.answers) {
    const answer = asRecord(entry);
    if (!answer) continue;
    const field = asRecord(answer.field) ?? {};
    const id = idOf(field.id) ?? '';
    const definition = definitions.get(id) ?? {};
    const ref = idOf(field.ref) ?? idOf(definition.ref) ?? '';
    const title = typeof definition.title === 'string' ? definition.title.trim() : '';
    const label = title || ref || id;
    const mapped = [ref, id, title].find((key) => key && key in fieldMapping);
    const name = mapped ?? typeformGuess(answer, title) ?? label;
    posted.push({ name, label, value: typeformAnswerText(answer) });
  }
  return { posted, submissionKey: idOf(response.token) ?? idOf(body.event_id) };
}

function typeformGuess(answer: Record<string, unknown>, title: string): string | null {
  if (answer.type === 'email') return 'email';
  if (answer.type === 'phone_number') return 'phone';
  const words = title.toLowerCase();
  if (/\be-?mail\b/.test(words)) return 'email';
  // "Phone", "Mobile number" — not "Do you need a mobile app?".
  if (/\b(phone|telephone)\b|\bmobile (number|no)\b/.test(words)) return 'phone';
  if (/\bfirst name\b/.test(words)) return 'firstName';
  if (/\b(last name|surname|family name)\b/.test(words) && !/\bname and\b/.test(words))
    return 'lastName';
  if (/\b(company|organi[sz]ation)\b/.test(words)) return 'company';
  if (/\bname\b/.test(words) && !/\b(project|company|business|product|brand)\b/.test(words))
    return 'name';
  return null;
}

/** The value at a JSON path such as $.data.contact.email or answers[0].text. */
export function valueAtPath(body: unknown, path: string): unknown {
  const steps = path
    .replace(/^\$\.?/, '')
    .split(/\.|\[(\d+)\]/)
    .filter((step) => step !== undefined && step !== '');
  let current: unknown = body;
  for (const step of steps) {
    if (Array.isArray(current) && /^\d+$/.test(step)) current = current[Number(step)];
    else current = asRecord(current)?.[step];
    if (current === undefined) return undefined;
  }
  return current;
}

/**
 * Any JSON (Zapier, Make, n8n): the form's adapter mapping (JSON path → target) picks values out
 * of nested objects; top-level keys are read as a plain form post besides.
 */
export function readGenericJson(
  body: Record<string, unknown>,
  adapterMapping: Record<string, string>,
): AdapterResult {
  const posted: PostedValue[] = [];
  const used = new Set<string>();
  for (const [path, target] of Object.entries(adapterMapping)) {
    const value = textOf(valueAtPath(body, path));
    const top = path.replace(/^\$\.?/, '').split(/[.[]/)[0];
    if (top) used.add(top);
    posted.push({ name: `@${target}`, label: path, value });
  }
  for (const [name, value] of Object.entries(body)) {
    if (used.has(name)) continue;
    const text = textOf(value);
    posted.push({ name, value: text });
  }
  const key = posted.find(
    (p) => p.name === '@submissionId' || normaliseName(p.name) === 'submissionid',
  );
  return { posted, submissionKey: key?.value || null };
}

/** Reads a body with an adapter and maps it; 'form' is a plain JSON or form post. */
export function readInquiry(
  adapter: SubmissionAdapter,
  body: Record<string, unknown>,
  options: MappingOptions & { adapterMapping: Record<string, string> },
): Inquiry {
  let result: AdapterResult;
  let fieldMapping = options.fieldMapping;
  switch (adapter) {
    case 'form':
      result = {
        posted: postedValuesOf(body),
        submissionKey: idOf(body.submissionId) ?? idOf(body.submission_id),
      };
      break;
    case 'meta':
      result = readMetaLead(body);
      break;
    case 'google-ads':
      result = readGoogleAdsLead(body);
      break;
    case 'typeform':
      result = readTypeformResponse(body, fieldMapping);
      break;
    case 'generic':
      result = readGenericJson(body, options.adapterMapping);
      // A path mapping's targets are already targets.
      fieldMapping = {
        ...fieldMapping,
        ...Object.fromEntries(
          Object.values(options.adapterMapping).map((target) => [`@${target}`, target]),
        ),
      };
      break;
  }
  const mapped = mapValues(result.posted, { ...options, fieldMapping });
  const { submissionId, ...values } = mapped.values;
  return {
    values,
    extras: mapped.extras,
    submissionKey: result.submissionKey ?? submissionId ?? null,
  };
}

/** "Ada María Lovelace" → first "Ada María", last "Lovelace"; one word is a first name. */
export function splitName(full: string): { firstName: string; lastName: string } {
  const words = full.trim().split(/\s+/).filter(Boolean);
  if (words.length <= 1) return { firstName: words[0] ?? '', lastName: '' };
  return { firstName: words.slice(0, -1).join(' '), lastName: words.at(-1) ?? '' };
}
