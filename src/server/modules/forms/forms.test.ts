import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aSalesDesk } from '../../../../test/support/sales-desk.js';
import {
  aMember,
  as,
  createTestApp,
  type Session,
  type TestApp,
} from '../../../../test/support/test-app.js';
import { splitName, valueAtPath } from './forms.mapping.js';
import { CAPTURE_LIMITS } from './forms.routes.js';
import { customValueOf, phoneOf, webFormActor } from './forms.service.js';

let t: TestApp;
beforeAll(async () => {
  // Many workspaces sign in from one test address.
  t = await createTestApp({ env: { LOGIN_MAX_PER_IP: '1000' } });
});
afterAll(async () => t.close());

const WEBHOOKS = path.resolve('..', 'shared', 'data', 'webhooks');
const hasSamples = existsSync(WEBHOOKS);
const sample = (name: string) =>
  JSON.parse(readFileSync(path.join(WEBHOOKS, name), 'utf8')) as Record<string, unknown>;

interface Form {
  id: string;
  key: string;
  version: number;
  hostedUrl: string;
  captureUrl: string;
  embedHtml: string;
  hasSigningSecret: boolean;
}
interface Submission {
  id: string;
  status: string;
  fields: Record<string, string>;
  extras: { label: string; value: string }[];
  errors: { field: string; message: string }[];
  leadId: string | null;
  contactId: string | null;
  submissionKey: string | null;
}

let ipCounter = 0;
/** Each capture from its own address, so the per-IP limit only bites where a test wants it. */
function nextIp() {
  ipCounter += 1;
  return `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

async function aForm(session: Session, payload: Record<string, unknown> = {}) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/forms',
    headers: as(session),
    payload: { name: 'Contact us', ...payload },
  });
  if (response.statusCode !== 201) throw new Error(`aForm failed: ${response.body}`);
  return response.json<Form>();
}

function capture(
  key: string,
  payload: Record<string, unknown> | string,
  options: { adapter?: string; headers?: Record<string, string>; ip?: string } = {},
) {
  const isForm = typeof payload === 'string';
  return t.app.inject({
    method: 'POST',
    url: `/api/capture/${key}${options.adapter ? `/${options.adapter}` : ''}`,
    remoteAddress: options.ip ?? nextIp(),
    headers: {
      'content-type': isForm ? 'application/x-www-form-urlencoded' : 'application/json',
      ...options.headers,
    },
    payload: isForm ? payload : JSON.stringify(payload),
  });
}

async function submissions(session: Session, formId: string, status?: string) {
  const response = await t.app.inject({
    method: 'GET',
    url: `/api/forms/${formId}/submissions${status ? `?status=${status}` : ''}`,
    headers: as(session),
  });
  return response.json<{ items: Submission[] }>().items;
}

async function getJson<T>(session: Session, url: string) {
  const response = await t.app.inject({ method: 'GET', url, headers: as(session) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<T>();
}

async function leadsOf(session: Session) {
  return (
    await getJson<{ items: { id: string; title: string; contactId: string; stageId: string }[] }>(
      session,
      '/api/leads?limit=200',
    )
  ).items;
}

async function contactsOf(session: Session) {
  return (
    await getJson<{ items: { id: string; name: string }[] }>(session, '/api/contacts?limit=200')
  ).items;
}

describe('form definitions', () => {
  it('gives a new form an unguessable public key, a hosted link and an embed snippet', async () => {
    const { admin } = await aSalesDesk(t);
    const form = await aForm(admin);
    expect(form.key).toMatch(/^[\w-]{24}$/);
    expect(form.hostedUrl).toMatch(new RegExp(`/f/${form.key}$`));
    expect(form.embedHtml).toContain(`action="${form.captureUrl}"`);
    expect(form.embedHtml).toContain('name="website_url"');
    expect((await aForm(admin)).key).not.toBe(form.key);

    const agent = await aMember(t, admin, 'agent');
    const refused = await t.app.inject({ method: 'GET', url: '/api/forms', headers: as(agent) });
    expect(refused.statusCode).toBe(403);

    const stale = await t.app.inject({
      method: 'PATCH',
      url: `/api/forms/${form.id}`,
      headers: { ...as(admin), 'if-match': '"7"' },
      payload: { name: 'Renamed' },
    });
    expect(stale.statusCode).toBe(412);
    const renamed = await t.app.inject({
      method: 'PATCH',
      url: `/api/forms/${form.id}`,
      headers: { ...as(admin), 'if-match': `"${form.version}"` },
      payload: { name: 'Renamed', active: false },
    });
    expect(renamed.json()).toMatchObject({ name: 'Renamed', active: false, version: 2 });
    const audit = await getJson<{ items: { action: string }[] }>(
      admin,
      `/api/audit-log?entityType=form&entityId=${form.id}`,
    );
    expect(audit.items.map((entry) => entry.action).sort()).toEqual([
      'form.created',
      'form.updated',
    ]);
  });

  it('refuses a stage that is not open and a source of another workspace', async () => {
    const { admin, pipelineId, stage } = await aSalesDesk(t);
    const won = Object.values(stage).find((s) => s.kind === 'won')!;
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/forms',
      headers: as(admin),
      payload: { name: 'Bad', pipelineId, stageId: won.id },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json<{ errors: { field: string }[] }>().errors[0]!.field).toBe('stageId');
  });
});

describe('capturing a web form', () => {
  it('creates contact, lead and inbound note once, even when the same submission is sent twice', async () => {
    const { admin, stage } = await aSalesDesk(t);
    const form = await aForm(admin);
    const payload = {
      first_name: 'Greta',
      last_name: 'Garbo',
      email: 'Greta@Example.test',
      phone: '030 1234567',
      company: 'Garbo GmbH',
      message: 'Do you install heat pumps?',
      budget: 'about 10k',
    };
    const first = await capture(form.key, payload, { headers: { 'idempotency-key': 'abc-1' } });
    expect(first.statusCode, first.body).toBe(201);
    const result = first.json<{ submissionId: string; status: string; leadId: string }>();
    expect(result.status).toBe('accepted');

    const again = await capture(form.key, payload, { headers: { 'idempotency-key': 'abc-1' } });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(result);

    const leads = await leadsOf(admin);
    expect(leads).toHaveLength(1);
    const lead = await getJson<{
      id: string;
      title: string;
      companyName: string;
      description: string;
      stageId: string;
      sourceDetail: string;
      contact: {
        firstName: string;
        lastName: string;
        emails: { value: string }[];
        phones: { e164: string }[];
      };
    }>(admin, `/api/leads/${result.leadId}`);
    // The b2b preset's first open stage.
    expect(lead.stageId).toBe(Object.values(stage).find((s) => s.kind === 'open')!.id);
    expect(lead).toMatchObject({
      title: 'Greta Garbo',
      companyName: 'Garbo GmbH',
      description: 'Do you install heat pumps?',
      contact: {
        firstName: 'Greta',
        lastName: 'Garbo',
        emails: [{ value: 'greta@example.test' }],
        phones: [{ e164: '+49301234567' }],
      },
    });
    expect(await contactsOf(admin)).toHaveLength(1);
    const timeline = await getJson<{ items: { type: string; direction: string; body: string }[] }>(
      admin,
      `/api/leads/${result.leadId}/activities`,
    );
    const inbound = timeline.items.find((a) => a.direction === 'inbound');
    // What they wrote, with the field no mapping knew, is on the lead.
    expect(inbound).toMatchObject({
      type: 'note',
      body: 'Do you install heat pumps?\nbudget: about 10k',
    });

    const [stored] = await submissions(admin, form.id);
    expect(stored).toMatchObject({
      status: 'accepted',
      leadId: result.leadId,
      submissionKey: 'abc-1',
    });
    expect(stored!.extras).toEqual([{ label: 'budget', value: 'about 10k' }]);
    expect(JSON.parse((stored as unknown as { rawBody: string }).rawBody)).toEqual(payload);

    // The audit log says the web form did it, not a person.
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['actor_user_id', 'request_id'])
      .where('workspace_id', '=', admin.workspaceId)
      .where('action', '=', 'lead.created')
      .executeTakeFirstOrThrow();
    expect(audit.actor_user_id).toBeNull();
    expect(audit.request_id).toMatch(new RegExp(`^web-form:${form.id}:`));
  });

  it('lands a resend with the same submissionId once', async () => {
    const { admin } = await aSalesDesk(t);
    const form = await aForm(admin);
    const payload = { name: 'Ada Lovelace', email: 'ada@example.test', submissionId: 'zap-77' };
    const first = await capture(form.key, payload);
    const second = await capture(form.key, payload);
    expect(second.json()).toEqual(first.json());
    expect(await leadsOf(admin)).toHaveLength(1);
  });

  it('creates one lead when the same submission arrives twice at once', async () => {
    const { admin } = await aSalesDesk(t);
    const form = await aForm(admin);
    const payload = { name: 'Twin Request', email: 'twin@example.test' };
    const headers = { 'idempotency-key': 'same-moment' };
    const [a, b] = await Promise.all([
      capture(form.key, payload, { headers }),
      capture(form.key, payload, { headers }),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(a.json()).toEqual(b.json());
    expect(await leadsOf(admin)).toHaveLength(1);
    expect(await contactsOf(admin)).toHaveLength(1);
  });

  it('links an existing contact by phone, notes the new inquiry on it and creates no second contact', async () => {
    const { admin } = await aSalesDesk(t);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/contacts',
      headers: as(admin),
      payload: { firstName: 'Hans', lastName: 'Meier', phones: ['+49 30 7654321'] },
    });
    const contact = created.json<{ id: string }>();
    const form = await aForm(admin);
    const response = await capture(form.key, { name: 'H. Meier', phone: '030/7654321' });
    expect(response.statusCode, response.body).toBe(201);
    const leadId = response.json<{ leadId: string }>().leadId;

    const lead = await getJson<{ contactId: string }>(admin, `/api/leads/${leadId}`);
    expect(lead.contactId).toBe(contact.id);
    expect(await contactsOf(admin)).toHaveLength(1);
    const notes = await getJson<{ items: { subject: string; leadId: string | null }[] }>(
      admin,
      `/api/contacts/${contact.id}/activities`,
    );
    expect(notes.items.map((a) => a.subject)).toContain('New inquiry');
  });

  it('answers a plain browser post with the thank-you page, or a 303 to the redirect URL', async () => {
    const { admin } = await aSalesDesk(t);
    const form = await aForm(admin, { thankYouMessage: 'Danke! We call you today.' });
    const page = await capture(form.key, 'firstName=Ole&email=ole%40example.test&website_url=', {
      headers: { accept: 'text/html' },
    });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('Danke! We call you today.');

    const redirecting = await aForm(admin, { redirectUrl: 'https://www.example.test/thanks' });
    const redirect = await capture(redirecting.key, 'name=Ute&email=ute%40example.test', {
      headers: { accept: 'text/html' },
    });
    expect(redirect.statusCode).toBe(303);
    expect(redirect.headers.location).toBe('https://www.example.test/thanks');
    expect(await leadsOf(admin)).toHaveLength(2);
  });

  it('keeps honeypot spam apart, answered like a success, with no lead', async () => {
    const { admin } = await aSalesDesk(t);
    const form = await aForm(admin);
    const response = await capture(form.key, {
      name: 'Bot',
      email: 'bot@example.test',
      website_url: 'http://spam.example',
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ status: 'accepted', leadId: null });
    expect(await leadsOf(admin)).toHaveLength(0);
    const spam = await submissions(admin, form.id, 'spam');
    expect(spam).toHaveLength(1);
    expect(spam[0]!.fields).toMatchObject({ email: 'bot@example.test' });
  });

  it('rejects an invalid submission with field errors, keeps it, and lets an admin fix and accept it', async () => {
    const { admin } = await aSalesDesk(t);
    const form = await aForm(admin);
    const response = await capture(form.key, {
      name: 'Mia Wong',
      email: 'mia@',
      message: 'Call me',
    });
    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = response.json<{ errors: { field: string }[]; submissionId: string }>();
    expect(problem.errors.map((e) => e.field)).toEqual(['email']);

    const [rejected] = await submissions(admin, form.id, 'rejected');
    expect(rejected).toMatchObject({ id: problem.submissionId, fields: { email: 'mia@' } });
    expect(await leadsOf(admin)).toHaveLength(0);

    const stillBad = await t.app.inject({
      method: 'POST',
      url: `/api/form-submissions/${rejected!.id}/accept`,
      headers: as(admin),
      payload: { fields: { email: '' } },
    });
    expect(stillBad.statusCode).toBe(422);

    const accepted = await t.app.inject({
      method: 'POST',
      url: `/api/form-submissions/${rejected!.id}/accept`,
      headers: as(admin),
      payload: { fields: { email: 'mia@example.test' } },
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ status: 'accepted', acceptedBy: admin.userId });
    const leads = await leadsOf(admin);
    expect(leads.map((l) => l.title)).toEqual(['Mia Wong']);
    const twice = await t.app.inject({
      method: 'POST',
      url: `/api/form-submissions/${rejected!.id}/accept`,
      headers: as(admin),
      payload: { fields: {} },
    });
    expect(twice.statusCode).toBe(409);
  });

  it('rejects (and keeps) a submission a required custom field is missing from', async () => {
    const { admin } = await aSalesDesk(t);
    await t.app.inject({
      method: 'POST',
      url: '/api/custom-fields',
      headers: as(admin),
      payload: {
        recordType: 'lead',
        key: 'budget',
        label: 'Budget',
        type: 'number',
        required: true,
      },
    });
    const form = await aForm(admin, { fields: { how_much: 'lead.budget' } });
    const missing = await capture(form.key, { email: 'rich@example.test' });
    expect(missing.statusCode).toBe(422);
    expect(missing.json<{ errors: { field: string }[] }>().errors[0]!.field).toBe(
      'customFields.budget',
    );
    const given = await capture(form.key, { email: 'rich@example.test', how_much: '5000' });
    expect(given.statusCode, given.body).toBe(201);
    const lead = await getJson<{ customFields: Record<string, unknown> }>(
      admin,
      `/api/leads/${given.json<{ leadId: string }>().leadId}`,
    );
    expect(lead.customFields).toMatchObject({ budget: 5000 });
  });

  it('needs a valid signature on a form with a signing secret', async () => {
    const { admin } = await aSalesDesk(t);
    const secret = 'a-long-shared-secret-123';
    const form = await aForm(admin, { signingSecret: secret });
    expect(form.hasSigningSecret).toBe(true);
    const body = JSON.stringify({ name: 'Signed Sam', email: 'sam@example.test' });
    const sign = (text: string) =>
      `sha256=${createHmac('sha256', secret).update(text).digest('hex')}`;
    const send = (signature?: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/capture/${form.key}`,
        remoteAddress: nextIp(),
        headers: {
          'content-type': 'application/json',
          ...(signature ? { 'x-leadkeeper-signature': signature } : {}),
        },
        payload: body,
      });
    expect((await send()).statusCode).toBe(401);
    expect((await send(sign(`${body} `))).statusCode).toBe(403);
    expect((await send('sha256=zz')).statusCode).toBe(403);
    expect((await send(sign(body))).statusCode).toBe(201);
    // Stored encrypted, never as typed.
    const row = await t.db
      .selectFrom('forms')
      .select('signing_secret')
      .where('id', '=', form.id)
      .executeTakeFirstOrThrow();
    expect(row.signing_secret).toMatch(/^v1:/);
    expect(row.signing_secret).not.toContain(secret);
  });

  it('answers CORS preflights for the allowed origins only and refuses posts from other sites', async () => {
    const { admin } = await aSalesDesk(t);
    const form = await aForm(admin, { allowedOrigins: ['https://www.clinic.example'] });
    const preflight = (origin: string) =>
      t.app.inject({
        method: 'OPTIONS',
        url: `/api/capture/${form.key}`,
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const allowed = await preflight('https://www.clinic.example');
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://www.clinic.example');
    expect(allowed.headers['access-control-allow-methods']).toBe('POST');
    expect((await preflight('https://evil.example')).statusCode).toBe(403);

    const post = await capture(
      form.key,
      { email: 'x@example.test' },
      { headers: { origin: 'https://www.clinic.example' } },
    );
    expect(post.statusCode).toBe(201);
    expect(post.headers['access-control-allow-origin']).toBe('https://www.clinic.example');
    const foreign = await capture(
      form.key,
      { email: 'y@example.test' },
      { headers: { origin: 'https://evil.example' } },
    );
    expect(foreign.statusCode).toBe(403);
    // The rest of the API stays closed to other origins.
    const api = await t.app.inject({
      method: 'GET',
      url: '/api/health',
      headers: { origin: 'https://www.clinic.example' },
    });
    expect(api.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('limits submissions per address', async () => {
    const { admin } = await aSalesDesk(t);
    const form = await aForm(admin);
    const ip = nextIp();
    const statuses: number[] = [];
    for (let i = 0; i <= CAPTURE_LIMITS.perIpPerMinute; i += 1) {
      // Spam is cheap to store and counts like any post.
      statuses.push(
        (await capture(form.key, { email: 'a@example.test', website_url: 'x' }, { ip })).statusCode,
      );
    }
    expect(statuses.slice(0, -1).every((s) => s === 201)).toBe(true);
    const last = await capture(form.key, { email: 'a@example.test' }, { ip });
    expect(last.statusCode).toBe(429);
    expect(last.headers['retry-after']).toBeDefined();
  });

  it('keeps a post to a switched-off form as rejected and answers not found', async () => {
    const { admin } = await aSalesDesk(t);
    const form = await aForm(admin, { active: false });
    const response = await capture(form.key, { email: 'late@example.test' });
    expect(response.statusCode).toBe(404);
    expect((await submissions(admin, form.id, 'rejected'))[0]!.fields).toEqual({
      email: 'late@example.test',
    });
    expect(
      (await capture('no-such-key-000000000000', { email: 'a@example.test' })).statusCode,
    ).toBe(404);
  });
});

describe('privacy', () => {
  it("blanks what a person sent in their submissions when they're erased", async () => {
    const { admin } = await aSalesDesk(t);
    const form = await aForm(admin);
    const accepted = await capture(form.key, { name: 'Eve Erase', email: 'eve@example.test' });
    await capture(form.key, { name: 'Eve Erase', email: 'EVE@example.test', phone: 'x' });
    await capture(form.key, { name: 'Other', email: 'other@example.test' });
    const lead = await getJson<{ contactId: string }>(
      admin,
      `/api/leads/${accepted.json<{ leadId: string }>().leadId}`,
    );
    const actor = webFormActor(admin.workspaceId, form.id, null, null);
    const erased = await t.db
      .transaction()
      .execute((trx) =>
        t.services.forms.eraseSubmissionsOfContact(trx, actor, lead.contactId, [
          'eve@example.test',
        ]),
      );
    expect(erased).toBe(2);
    const left = await submissions(admin, form.id);
    expect(left.map((s) => s.fields.name ?? '').sort()).toEqual(['', '', 'Other']);
  });
});

describe('hosted form page', () => {
  it('serves an accessible form without JavaScript, with a hidden honeypot', async () => {
    const { admin } = await aSalesDesk(t);
    const form = await aForm(admin, { allowedOrigins: ['https://www.clinic.example'] });
    const page = await t.app.inject({ method: 'GET', url: `/f/${form.key}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`action="/api/capture/${form.key}"`);
    expect(page.body).toContain('<label for="lk-email">Email</label>');
    expect(page.body).toMatch(/aria-hidden="true"><label for="lk-website_url">/);
    expect(page.body).not.toContain('<script');
    expect(page.headers['content-security-policy']).toContain(
      "frame-ancestors 'self' https://www.clinic.example",
    );
    expect(page.headers['x-frame-options']).toBeUndefined();
    const off = await aForm(admin, { active: false });
    expect((await t.app.inject({ method: 'GET', url: `/f/${off.key}` })).statusCode).toBe(404);
    const missing = await t.app.inject({ method: 'GET', url: '/f/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('Form not found');
  });

  it('shows the form again with the errors after a bad browser post', async () => {
    const { admin } = await aSalesDesk(t);
    const form = await aForm(admin);
    const response = await capture(form.key, 'firstName=Kai&email=kai%40', {
      headers: { accept: 'text/html' },
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('role="alert"');
    expect(response.body).toContain('value="Kai"');
    expect(response.body).toContain('aria-invalid="true"');
  });
});

describe('notifications of a new inquiry', () => {
  it("tells the form's assignee, who reads and clears them", async () => {
    const { admin } = await aSalesDesk(t);
    const agent = await aMember(t, admin, 'agent');
    const form = await aForm(admin, { assigneeId: agent.userId });
    const response = await capture(form.key, {
      name: 'Nora Neu',
      email: 'nora@example.test',
      message: 'Quote?',
    });
    const leadId = response.json<{ leadId: string }>().leadId;
    expect((await getJson<{ assigneeId: string }>(admin, `/api/leads/${leadId}`)).assigneeId).toBe(
      agent.userId,
    );

    const unread = await getJson<{
      items: { id: string; kind: string; title: string; leadId: string }[];
      unreadCount: number;
    }>(agent, '/api/notifications?unread=true');
    expect(unread.unreadCount).toBe(1);
    expect(unread.items[0]).toMatchObject({
      kind: 'new_inquiry',
      title: 'New inquiry: Nora Neu',
      leadId,
    });
    expect((await getJson<{ unreadCount: number }>(admin, '/api/notifications')).unreadCount).toBe(
      0,
    );

    // Another member's notification is not found.
    const foreign = await t.app.inject({
      method: 'POST',
      url: `/api/notifications/${unread.items[0]!.id}/read`,
      headers: as(admin),
    });
    expect(foreign.statusCode).toBe(404);
    const read = await t.app.inject({
      method: 'POST',
      url: `/api/notifications/${unread.items[0]!.id}/read`,
      headers: as(agent),
    });
    expect(read.json()).toMatchObject({ read: true });
    expect((await getJson<{ unreadCount: number }>(agent, '/api/notifications')).unreadCount).toBe(
      0,
    );
  });

  it('tells admins and managers when the form has no assignee', async () => {
    const { admin } = await aSalesDesk(t);
    const manager = await aMember(t, admin, 'manager');
    const agent = await aMember(t, admin, 'agent');
    const form = await aForm(admin);
    await capture(form.key, { email: 'one@example.test' });
    await capture(form.key, { email: 'two@example.test' });
    for (const session of [admin, manager]) {
      expect(
        (await getJson<{ unreadCount: number }>(session, '/api/notifications')).unreadCount,
      ).toBe(2);
    }
    expect((await getJson<{ unreadCount: number }>(agent, '/api/notifications')).unreadCount).toBe(
      0,
    );
    const all = await t.app.inject({
      method: 'POST',
      url: '/api/notifications/read-all',
      headers: as(manager),
    });
    expect(all.json()).toEqual({ marked: 2 });
    expect(
      (await getJson<{ items: unknown[] }>(manager, '/api/notifications?unread=true')).items,
    ).toEqual([]);
  });
});

describe('webhook adapters', () => {
  const metaLead = {
    created_time: '2026-03-01T08:49:14+0000',
    id: '444555666',
    form_id: '999',
    field_data: [
      { name: 'full_name', values: ['Joe Example'] },
      { name: 'email', values: ['joe@example.com'] },
      { name: 'phone_number', values: ['+14155550123'] },
      { name: 'car_make', values: ['Honda'] },
    ],
  };

  it('reads a Meta lead (field_data) once per lead id', async () => {
    const { admin } = await aSalesDesk(t);
    const form = await aForm(admin);
    const first = await capture(form.key, metaLead, { adapter: 'meta' });
    expect(first.statusCode, first.body).toBe(201);
    expect((await capture(form.key, metaLead, { adapter: 'meta' })).json()).toEqual(first.json());
    const [stored] = await submissions(admin, form.id);
    expect(stored).toMatchObject({
      submissionKey: '444555666',
      fields: { name: 'Joe Example', email: 'joe@example.com', phone: '+14155550123' },
      extras: [{ label: 'car_make', value: 'Honda' }],
    });
  });

  it.skipIf(!hasSamples)(
    "reads Meta's documented lead retrieval sample (../shared/data)",
    async () => {
      const { admin } = await aSalesDesk(t);
      const form = await aForm(admin);
      const response = await capture(
        form.key,
        sample('meta_lead_retrieval_GET_leadgen_id_official_sample.json'),
        { adapter: 'meta' },
      );
      expect(response.statusCode, response.body).toBe(201);
      const lead = await getJson<{ title: string; contact: { emails: { value: string }[] } }>(
        admin,
        `/api/leads/${response.json<{ leadId: string }>().leadId}`,
      );
      expect(lead).toMatchObject({
        title: 'Joe Example',
        contact: { emails: [{ value: 'joe@example.com' }] },
      });
    },
  );

  it("keeps Meta's id-only webhook notification as rejected submissions to complete", async () => {
    const { admin } = await aSalesDesk(t);
    const form = await aForm(admin);
    const notice = hasSamples
      ? sample('meta_leadgen_webhook_official_sample.json')
      : {
          object: 'page',
          entry: [
            {
              id: 1,
              time: 1,
              changes: [
                { field: 'leadgen', value: { leadgen_id: 123123123123, form_id: 1 } },
                { field: 'leadgen', value: { leadgen_id: 123123123124, form_id: 1 } },
              ],
            },
          ],
        };
    const response = await capture(form.key, notice, { adapter: 'meta' });
    expect(response.statusCode).toBe(202);
    const body = response.json<{ status: string; submissions: { leadgenId: string }[] }>();
    expect(body.status).toBe('needs_lead_data');
    expect(body.submissions.map((s) => s.leadgenId)).toEqual(['123123123123', '123123123124']);
    // Sent again (Meta retries), it lands once.
    await capture(form.key, notice, { adapter: 'meta' });
    const rejected = await submissions(admin, form.id, 'rejected');
    expect(rejected).toHaveLength(2);
    expect(rejected[0]!.errors[0]!.field).toBe('field_data');
    expect(await leadsOf(admin)).toHaveLength(0);
  });

  const googleLead = {
    lead_id: 'TeSter-123-ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    campaign_id: 123456,
    user_column_data: [
      { column_name: 'Full Name', string_value: 'FirstName LastName', column_id: 'FULL_NAME' },
      { column_name: 'User Phone', string_value: '1-650-555-0123', column_id: 'PHONE_NUMBER' },
      { column_name: 'User Email', string_value: 'test@example.com', column_id: 'EMAIL' },
      { column_name: 'Which service?', string_value: 'Braces', column_id: 'SERVICE' },
    ],
    api_version: '1.0',
    form_id: 123456789,
    google_key: 'testkey',
    is_test: true,
  };

  it('reads a Google Ads lead form webhook and checks its google_key', async () => {
    const { admin } = await aSalesDesk(t);
    const form = await aForm(admin, { googleKey: 'testkey' });
    const wrongKey = await capture(
      form.key,
      { ...googleLead, google_key: 'guess' },
      { adapter: 'google-ads' },
    );
    expect(wrongKey.statusCode).toBe(403);
    const response = await capture(form.key, googleLead, { adapter: 'google-ads' });
    expect(response.statusCode, response.body).toBe(201);
    const [stored] = await submissions(admin, form.id);
    expect(stored).toMatchObject({
      submissionKey: googleLead.lead_id,
      fields: { name: 'FirstName LastName', email: 'test@example.com', phone: '1-650-555-0123' },
      extras: [{ label: 'Which service?', value: 'Braces' }],
    });
    const lead = await getJson<{ contact: { phones: { e164: string }[] } }>(
      admin,
      `/api/leads/${stored!.leadId}`,
    );
    expect(lead.contact.phones[0]!.e164).toBe('+16505550123');
  });

  it.skipIf(!hasSamples)("reads Google's documented test payload (../shared/data)", async () => {
    const { admin } = await aSalesDesk(t);
    const form = await aForm(admin, { googleKey: 'testkey' });
    const response = await capture(
      form.key,
      sample('google_ads_lead_form_webhook_test_payload_official.json'),
      { adapter: 'google-ads' },
    );
    expect(response.statusCode, response.body).toBe(201);
    expect((await leadsOf(admin)).map((l) => l.title)).toEqual(['FirstName LastName']);
  });

  const typeformResponse = {
    event_id: 'LtWXD3crgy',
    event_type: 'form_response',
    form_response: {
      form_id: 'lT4Z3j',
      token: 'tok-a3a12ec67a1365927098a606107fac15',
      submitted_at: '2026-01-18T18:17:02Z',
      definition: {
        id: 'lT4Z3j',
        title: 'Request a quote',
        fields: [
          { id: 'f1', title: 'Your Name and Surname', type: 'short_text', ref: 'who' },
          { id: 'f2', title: 'Email', type: 'short_text', ref: 'mail' },
          { id: 'f3', title: 'Project name', type: 'short_text', ref: 'project' },
          { id: 'f4', title: 'Which services?', type: 'multiple_choice', ref: 'services' },
          { id: 'f5', title: 'Need a mobile app?', type: 'yes_no', ref: 'app' },
        ],
      },
      answers: [
        { type: 'text', text: 'Zee Ali ', field: { id: 'f1', type: 'short_text' } },
        { type: 'text', text: 'person@example.test', field: { id: 'f2', type: 'short_text' } },
        { type: 'text', text: 'Shop relaunch', field: { id: 'f3', type: 'short_text' } },
        {
          type: 'choices',
          choices: { labels: ['UX/UI Design', 'QA'] },
          field: { id: 'f4', type: 'multiple_choice' },
        },
        { type: 'boolean', boolean: true, field: { id: 'f5', type: 'yes_no' } },
      ],
    },
  };

  it('reads a Typeform response by question title, or by ref through the form mapping', async () => {
    const { admin } = await aSalesDesk(t);
    const form = await aForm(admin, { fields: { project: 'company' } });
    const response = await capture(form.key, typeformResponse, { adapter: 'typeform' });
    expect(response.statusCode, response.body).toBe(201);
    const [stored] = await submissions(admin, form.id);
    expect(stored).toMatchObject({
      submissionKey: 'tok-a3a12ec67a1365927098a606107fac15',
      fields: { name: 'Zee Ali', email: 'person@example.test', company: 'Shop relaunch' },
      extras: [
        { label: 'Which services?', value: 'UX/UI Design, QA' },
        { label: 'Need a mobile app?', value: 'Yes' },
      ],
    });
  });

  it.skipIf(!hasSamples)(
    "reads Typeform's documented and real-world payloads (../shared/data)",
    async () => {
      const { admin } = await aSalesDesk(t);
      const form = await aForm(admin);
      const expected: Record<string, { email: string; name?: string; firstName?: string }> = {
        'typeform_webhook_official_example_2018.json': {
          email: 'laura@example.com',
          firstName: 'Laura',
        },
        'typeform_webhook_lead_intake_form_typeform_test_payload.json': {
          email: 'andrey@rademade.com',
          name: 'Abramov Andrey',
        },
        'typeform_webhook_lead_intake_form_submission_payload.json': {
          email: 'person@rademade.com',
          name: 'Zee Ali',
        },
      };
      for (const [file, fields] of Object.entries(expected)) {
        const response = await capture(form.key, sample(file), { adapter: 'typeform' });
        expect(response.statusCode, `${file}: ${response.body}`).toBe(201);
        const stored = (await submissions(admin, form.id)).find(
          (s) => s.id === response.json<{ submissionId: string }>().submissionId,
        );
        expect(stored!.fields, file).toMatchObject(fields);
        // Every other answer is kept with its question.
        expect(stored!.extras.length, file).toBeGreaterThan(3);
      }
      expect(await leadsOf(admin)).toHaveLength(3);
    },
  );

  it('reads any JSON through the form’s path mapping (Zapier, Make)', async () => {
    const { admin } = await aSalesDesk(t);
    const form = await aForm(admin, {
      adapterMapping: {
        '$.data.person.given': 'firstName',
        '$.data.person.family': 'lastName',
        '$.data.contacts[0].value': 'email',
        '$.meta.id': 'submissionId',
      },
    });
    const payload = {
      data: {
        person: { given: 'Pia', family: 'Paulsen' },
        contacts: [{ kind: 'email', value: 'pia@example.test' }],
      },
      meta: { id: 'make-991' },
      message: 'Hello from Make',
    };
    const first = await capture(form.key, payload, { adapter: 'generic' });
    expect(first.statusCode, first.body).toBe(201);
    await capture(form.key, payload, { adapter: 'generic' });
    const all = await submissions(admin, form.id);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({
      submissionKey: 'make-991',
      fields: {
        firstName: 'Pia',
        lastName: 'Paulsen',
        email: 'pia@example.test',
        message: 'Hello from Make',
      },
    });
  });

  it('rejects (and keeps) a payload the adapter cannot read', async () => {
    const { admin } = await aSalesDesk(t);
    const form = await aForm(admin);
    const response = await capture(form.key, { hello: 'world' }, { adapter: 'google-ads' });
    expect(response.statusCode).toBe(422);
    expect(response.json<{ errors: { field: string }[] }>().errors[0]!.field).toBe(
      'user_column_data',
    );
    const malformed = await t.app.inject({
      method: 'POST',
      url: `/api/capture/${form.key}`,
      remoteAddress: nextIp(),
      headers: { 'content-type': 'application/json' },
      payload: '{"email": ',
    });
    expect(malformed.statusCode).toBe(400);
    const rejected = await submissions(admin, form.id, 'rejected');
    expect(rejected.map((s) => s.errors[0]!.field).sort()).toEqual(['body', 'user_column_data']);
  });
});

describe('reading posted values', () => {
  it('splits a full name, reads JSON paths, custom values and international numbers', () => {
    expect(splitName('Ada María Lovelace')).toEqual({
      firstName: 'Ada María',
      lastName: 'Lovelace',
    });
    expect(splitName(' Cher ')).toEqual({ firstName: 'Cher', lastName: '' });
    const body = { a: { b: [{ c: 'deep' }] } };
    expect(valueAtPath(body, '$.a.b[0].c')).toBe('deep');
    expect(valueAtPath(body, 'a.x.c')).toBeUndefined();
    expect(customValueOf('number', '1 500')).toBe(1500);
    expect(customValueOf('boolean', 'Yes')).toBe(true);
    expect(customValueOf('multiselect', 'a, b')).toEqual(['a', 'b']);
    expect(customValueOf('text', ' as typed ')).toBe('as typed');
    expect(phoneOf('1-650-555-0123', 'DE')).toEqual({
      value: '+1-650-555-0123',
      e164: '+16505550123',
    });
    expect(phoneOf('030 1234567', 'DE')?.e164).toBe('+49301234567');
    expect(phoneOf('12', 'DE')).toBeNull();
  });
});
