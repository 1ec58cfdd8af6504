// Small server-rendered pages that work without JavaScript: first-run setup and invite
// acceptance. The React web app takes these over when it lands.
import { PRESETS, PRESET_KEYS } from '../presets/presets.data.js';

const STYLE = `
  body { font-family: system-ui, sans-serif; background: #f5f6f8; color: #1f2430; margin: 0; }
  main { max-width: 28rem; margin: 4rem auto; background: #fff; padding: 2rem; border-radius: 8px;
         box-shadow: 0 1px 3px rgba(0,0,0,.12); }
  h1 { font-size: 1.4rem; margin-top: 0; }
  label { display: block; margin: .9rem 0 .3rem; font-weight: 600; }
  input, select { width: 100%; box-sizing: border-box; padding: .55rem; border: 1px solid #c5cad3;
                  border-radius: 4px; font-size: 1rem; }
  button { margin-top: 1.4rem; width: 100%; padding: .7rem; background: #1c7ed6; color: #fff;
           border: 0; border-radius: 4px; font-size: 1rem; cursor: pointer; }
  .error { background: #fff0f0; border: 1px solid #e03131; color: #c92a2a; padding: .7rem;
           border-radius: 4px; }
  .error ul { margin: .3rem 0 0; padding-left: 1.2rem; }
  .hint { color: #5c6370; font-size: .9rem; }
`;

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export function renderPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Leadkeeper</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

export interface FormProblem {
  detail: string;
  fields: { field: string; message: string }[];
}

function renderProblem(problem: FormProblem | undefined): string {
  if (!problem) return '';
  const items = problem.fields
    .map((f) => `<li>${escapeHtml(f.field)}: ${escapeHtml(f.message)}</li>`)
    .join('');
  return `<div class="error" role="alert">${escapeHtml(problem.detail)}${items ? `<ul>${items}</ul>` : ''}</div>`;
}

function field(name: string, label: string, type: string, value = '', extra = ''): string {
  return `<label for="${name}">${label}</label>
<input id="${name}" name="${name}" type="${type}" value="${escapeHtml(value)}" ${extra}>`;
}

export function renderSetupPage(
  token: string,
  values: Record<string, string> = {},
  problem?: FormProblem,
): string {
  return renderPage(
    'Set up',
    `<h1>Welcome to Leadkeeper</h1>
<p class="hint">Create your workspace and its first admin. This link works once.</p>
${renderProblem(problem)}
<form method="post" action="/setup">
<input type="hidden" name="token" value="${escapeHtml(token)}">
${field('workspaceName', 'Business name', 'text', values.workspaceName, 'required')}
<label for="preset">Your trade</label>
<select id="preset" name="preset">${PRESET_KEYS.map(
      (key) =>
        `<option value="${key}"${(values.preset ?? 'b2b') === key ? ' selected' : ''}>${escapeHtml(PRESETS[key].label)}</option>`,
    ).join('')}</select>
${field('name', 'Your name', 'text', values.name, 'required autocomplete="name"')}
${field('email', 'Email', 'email', values.email, 'required autocomplete="email"')}
${field('password', 'Password (at least 10 characters)', 'password', '', 'required minlength="10" autocomplete="new-password"')}
${field('timeZone', 'Time zone', 'text', values.timeZone ?? 'UTC', 'required')}
${field('locale', 'Locale', 'text', values.locale ?? 'en-US', 'required')}
${field('currency', 'Currency', 'text', values.currency ?? 'USD', 'required maxlength="3"')}
${field('country', 'Country', 'text', values.country ?? 'US', 'required maxlength="2"')}
<button type="submit">Create workspace</button>
</form>`,
  );
}

export function renderInvitePage(token: string, problem?: FormProblem): string {
  return renderPage(
    'Accept invite',
    `<h1>Join your team on Leadkeeper</h1>
${renderProblem(problem)}
<form method="post" action="/invite">
<input type="hidden" name="token" value="${escapeHtml(token)}">
${field('name', 'Your name (optional)', 'text', '', 'autocomplete="name"')}
${field('password', 'Choose a password (at least 10 characters)', 'password', '', 'required minlength="10" autocomplete="new-password"')}
<button type="submit">Set password and sign in</button>
</form>`,
  );
}

export function renderDonePage(heading: string, workspaceName: string): string {
  return renderPage(
    heading,
    `<h1>${escapeHtml(heading)}</h1>
<p>You are signed in to <strong>${escapeHtml(workspaceName)}</strong>.</p>
<p><a href="/today">Open Leadkeeper</a></p>
<p class="hint">Explore the API at <a href="/api/docs">/api/docs</a>.</p>`,
  );
}

export function renderAlreadySetUpPage(): string {
  return renderPage(
    'Already set up',
    `<h1>This Leadkeeper is already set up</h1>
<div class="error" role="alert">The setup link has been used. Sign in with the admin account instead.</div>`,
  );
}

export function renderHomePage(): string {
  return renderPage(
    'Leadkeeper',
    `<h1>Leadkeeper is running</h1>
<p>The API and its documentation are at <a href="/api/docs">/api/docs</a>.</p>`,
  );
}
