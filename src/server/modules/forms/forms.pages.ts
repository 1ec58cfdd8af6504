// The public pages of a form, server-rendered and working without JavaScript: the hosted form,
// its thank-you page and the not-found page; and the snippets a website pastes in.
import type { FormRow } from '../../platform/db/schema.js';
import { escapeHtml, renderPage } from '../setup/setup.pages.js';

interface Field {
  name: string;
  label: string;
  type: string;
  autocomplete: string;
  multiline?: boolean;
}

const STANDARD_FIELDS: Field[] = [
  { name: 'firstName', label: 'First name', type: 'text', autocomplete: 'given-name' },
  { name: 'lastName', label: 'Last name', type: 'text', autocomplete: 'family-name' },
  { name: 'email', label: 'Email', type: 'email', autocomplete: 'email' },
  { name: 'phone', label: 'Phone', type: 'tel', autocomplete: 'tel' },
  { name: 'company', label: 'Company', type: 'text', autocomplete: 'organization' },
  {
    name: 'message',
    label: 'How can we help?',
    type: 'text',
    autocomplete: 'off',
    multiline: true,
  },
];

/** The standard fields plus the form's custom-field mappings, as inputs a person fills in. */
function fieldsOf(form: FormRow): Field[] {
  const custom = Object.entries(form.field_mapping)
    .filter(([, target]) => target.startsWith('lead.') || target.startsWith('contact.'))
    .map(([name]) => ({
      name,
      label: name.replace(/[_-]+/g, ' '),
      type: 'text',
      autocomplete: 'off',
    }));
  return [...STANDARD_FIELDS, ...custom];
}

// Visually hidden and out of the tab order; people never fill it, bots do.
const HONEYPOT_STYLE =
  'position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden';

function honeypotHtml(form: FormRow): string {
  const id = `lk-${escapeHtml(form.honeypot_field)}`;
  return `<div style="${HONEYPOT_STYLE}" aria-hidden="true"><label for="${id}">Leave this field empty</label><input id="${id}" name="${escapeHtml(form.honeypot_field)}" type="text" tabindex="-1" autocomplete="off"></div>`;
}

function inputsHtml(form: FormRow, values: Record<string, string>, errors: Map<string, string>) {
  return fieldsOf(form)
    .map((field) => {
      const id = `lk-${escapeHtml(field.name)}`;
      const error = errors.get(field.name);
      const described = error ? ` aria-invalid="true" aria-describedby="${id}-error"` : '';
      const value = values[field.name] ?? '';
      const control = field.multiline
        ? `<textarea id="${id}" name="${escapeHtml(field.name)}" rows="4"${described}>${escapeHtml(value)}</textarea>`
        : `<input id="${id}" name="${escapeHtml(field.name)}" type="${field.type}" autocomplete="${field.autocomplete}" value="${escapeHtml(value)}"${described}>`;
      const message = error
        ? `<p id="${id}-error" class="field-error">${escapeHtml(error)}</p>`
        : '';
      return `<label for="${id}">${escapeHtml(field.label)}</label>\n${control}${message}`;
    })
    .join('\n');
}

export function renderHostedForm(
  form: FormRow,
  actionUrl: string,
  values: Record<string, string> = {},
  problem?: { detail: string; fields: { field: string; message: string }[] },
): string {
  const errors = new Map(problem?.fields.map((f) => [f.field, f.message]) ?? []);
  const alert = problem
    ? `<div class="error" role="alert">${escapeHtml(problem.detail)}<ul>${problem.fields
        .map((f) => `<li>${escapeHtml(f.message)} (${escapeHtml(f.field)})</li>`)
        .join('')}</ul></div>`
    : '';
  return renderPage(
    form.name,
    `<h1>${escapeHtml(form.name)}</h1>
<p class="hint">Leave your email or phone number and we will get back to you.</p>
${alert}
<form method="post" action="${escapeHtml(actionUrl)}">
${inputsHtml(form, values, errors)}
${honeypotHtml(form)}
<button type="submit">Send</button>
</form>
<style>textarea { width: 100%; box-sizing: border-box; padding: .55rem; border: 1px solid #c5cad3;
border-radius: 4px; font: inherit; } .field-error { color: #c92a2a; margin: .3rem 0 0; }
button { background: #1864ab; }</style>`,
  );
}

export function renderThankYou(form: FormRow): string {
  return renderPage(
    'Thank you',
    `<h1>Thank you</h1>
<p role="status">${escapeHtml(form.thank_you_message || 'We have your message and will be in touch soon.')}</p>`,
  );
}

export function renderFormNotFound(): string {
  return renderPage(
    'Form not found',
    `<h1>Form not found</h1>
<p>This form does not exist or is not taking submissions any more.</p>`,
  );
}

/** A plain HTML form to paste into a website: posts straight to the capture URL. */
export function embedHtmlOf(form: FormRow, captureUrl: string): string {
  const inputs = fieldsOf(form)
    .map((field) => {
      const id = `lk-${field.name}`;
      const control = field.multiline
        ? `<textarea id="${id}" name="${field.name}" rows="4"></textarea>`
        : `<input id="${id}" name="${field.name}" type="${field.type}" autocomplete="${field.autocomplete}">`;
      return `  <label for="${id}">${escapeHtml(field.label)}</label>\n  ${control}`;
    })
    .join('\n');
  return `<form method="post" action="${escapeHtml(captureUrl)}">
${inputs}
  ${honeypotHtml(form)}
  <button type="submit">Send</button>
</form>`;
}

export function iframeHtmlOf(form: FormRow, hostedUrl: string): string {
  return `<iframe src="${escapeHtml(hostedUrl)}" title="${escapeHtml(form.name)}" style="width:100%;min-height:720px;border:0"></iframe>`;
}

/**
 * The Content-Security-Policy of a form's pages: framed only by the form's allowed origins, and
 * a post may redirect to the form's redirect URL (form-action covers redirects).
 */
export function formPageCsp(form: FormRow): string {
  const redirect = form.redirect_url ? ` ${new URL(form.redirect_url).origin}` : '';
  const ancestors = form.allowed_origins.map((origin) => ` ${origin}`).join('');
  return [
    "default-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "base-uri 'self'",
    "object-src 'none'",
    `form-action 'self'${redirect}`,
    `frame-ancestors 'self'${ancestors}`,
  ].join('; ');
}
