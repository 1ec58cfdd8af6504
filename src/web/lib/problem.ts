// RFC 9457 problem+json as the server sends it, and its field errors in a form's terms.

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  requestId?: string;
  errors?: FieldError[];
  /** Extension members, e.g. `candidates` of a duplicate (409). */
  [extension: string]: unknown;
}

function isFieldError(value: unknown): value is FieldError {
  const entry = value as Partial<FieldError> | null;
  return typeof entry?.field === 'string' && typeof entry.message === 'string';
}

/** The problem in a response body, or null when the body is something else. */
export function parseProblem(body: unknown, status: number): Problem | null {
  if (typeof body !== 'object' || body === null) return null;
  const raw = body as Record<string, unknown>;
  if (typeof raw.title !== 'string' && typeof raw.detail !== 'string') return null;
  const errors = Array.isArray(raw.errors) ? raw.errors.filter(isFieldError) : undefined;
  return {
    ...raw,
    type: typeof raw.type === 'string' ? raw.type : 'about:blank',
    title: typeof raw.title === 'string' ? raw.title : 'Error',
    status: typeof raw.status === 'number' ? raw.status : status,
    detail: typeof raw.detail === 'string' ? raw.detail : '',
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

/**
 * The problem's field errors keyed by form field. `fieldMap` renames server paths to the
 * form's names (e.g. `contact.phones.0` → `phone`); a path maps by its longest known prefix,
 * and errors no field takes are returned as `unmatched` for a message above the form.
 */
export function toFormErrors(
  problem: Problem,
  formFields: readonly string[],
  fieldMap: Readonly<Record<string, string>> = {},
): { fields: Record<string, string>; unmatched: FieldError[] } {
  const known = new Set(formFields);
  const fields: Record<string, string> = {};
  const unmatched: FieldError[] = [];
  for (const error of problem.errors ?? []) {
    const target = formFieldOf(error.field, known, fieldMap);
    if (target === undefined) unmatched.push(error);
    else fields[target] ??= error.message;
  }
  return { fields, unmatched };
}

function formFieldOf(
  path: string,
  known: ReadonlySet<string>,
  fieldMap: Readonly<Record<string, string>>,
): string | undefined {
  const parts = path.split('.');
  for (let length = parts.length; length > 0; length--) {
    const prefix = parts.slice(0, length).join('.');
    const mapped = fieldMap[prefix];
    if (mapped !== undefined) return mapped;
    if (known.has(prefix)) return prefix;
  }
  return undefined;
}

/** One line for a toast: the detail, with the first field error when there is one. */
export function describeProblem(problem: Problem): string {
  const first = problem.errors?.[0];
  const detail = problem.detail || problem.title;
  return first ? `${detail} ${labelOf(first.field)}: ${first.message}` : detail;
}

function labelOf(field: string): string {
  // `contact.phones.0.value` → `phones`: indexes and a trailing `value` say nothing.
  const parts = field.split('.').filter((part) => !/^\d+$/.test(part));
  if (parts.length > 1 && parts.at(-1) === 'value') parts.pop();
  const last = parts.at(-1) ?? field;
  const words = last.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
