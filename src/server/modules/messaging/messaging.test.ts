import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aLead, aSalesDesk } from '../../../../test/support/sales-desk.js';
import { startSmtpSink } from '../../../../test/support/smtp-sink.js';
import {
  aMember,
  as,
  createTestApp,
  type Session,
  type TestApp,
} from '../../../../test/support/test-app.js';
import type { DomainEvent } from '../../platform/events.js';
import { systemActorFor } from '../users/users.service.js';

interface SmsRequest {
  authorization: string | undefined;
  path: string;
  form: URLSearchParams;
}

/** A local Twilio-style endpoint: keeps what it receives, answers like Twilio does. */
async function startSmsEndpoint() {
  const received: SmsRequest[] = [];
  const server: Server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        authorization: request.headers.authorization,
        path: request.url ?? '',
        form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')),
      });
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ sid: `SM${received.length}`, status: 'queued' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let t: TestApp;
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let smsEndpoint: Awaited<ReturnType<typeof startSmsEndpoint>>;
const unsubscribed: DomainEvent[] = [];

beforeAll(async () => {
  sink = await startSmtpSink({ rejectRecipients: /^bounce/ });
  smsEndpoint = await startSmsEndpoint();
  t = await createTestApp({
    env: {
      LOGIN_MAX_PER_IP: '1000',
      SMTP_URL: sink.url,
      SMS_API_URL: smsEndpoint.url,
      SMS_ACCOUNT_SID: 'AC123',
      SMS_AUTH_TOKEN: 'sms-secret',
      SMS_FROM: '+15550001111',
      // Retries due at once, so a test runs them without waiting.
      MESSAGE_RETRY_DELAY_SECONDS: '0',
      PUBLIC_URL: 'https://crm.example.test',
    },
  });
  t.services.events.subscribe({
    name: 'test-unsubscribed',
    types: ['contact.unsubscribed'],
    handler: (event) => {
      unsubscribed.push(event);
      return Promise.resolve();
    },
  });
});
afterAll(async () => {
  await t.close();
  await sink.close();
  await smsEndpoint.close();
});

const mailTo = (address: string) => sink.received.filter((mail) => mail.to.includes(address));

async function post(session: Session, url: string, payload?: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url, headers: as(session), payload });
}

async function aDesk() {
  const desk = await aSalesDesk(t);
  const lead = await aLead(t, desk.admin, {
    title: 'Website relaunch',
    value: 1_250_000,
    assigneeId: desk.admin.userId,
  });
  const contact = await t.app.inject({
    method: 'GET',
    url: `/api/contacts/${lead.contactId}`,
    headers: as(desk.admin),
  });
  const email = contact.json<{ emails: { value: string }[] }>().emails[0]!.value;
  return { ...desk, lead, email };
}

async function draft(session: Session, payload: Record<string, unknown>) {
  const response = await post(session, '/api/messages', payload);
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{
    id: string;
    status: string;
    subject: string;
    body: string;
    to: string;
    version: number;
  }>();
}

async function message(session: Session, id: string) {
  const response = await t.app.inject({
    method: 'GET',
    url: `/api/messages/${id}`,
    headers: as(session),
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{
    status: string;
    statusReason: string | null;
    lastError: string | null;
    attempts: number;
    sentAt: string | null;
  }>();
}

async function updateContact(session: Session, contactId: string, patch: Record<string, unknown>) {
  const response = await t.app.inject({
    method: 'PATCH',
    url: `/api/contacts/${contactId}`,
    headers: as(session),
    payload: patch,
  });
  expect(response.statusCode, response.body).toBe(200);
}

describe('templates', () => {
  it('ships the per-stage follow-up templates and the break-up email with the preset, editable', async () => {
    const { admin } = await aSalesDesk(t);
    const list = await t.app.inject({ method: 'GET', url: '/api/templates', headers: as(admin) });
    expect(list.statusCode).toBe(200);
    const body = list.json<{
      items: {
        id: string;
        name: string;
        stageSlug: string | null;
        shipped: boolean;
        version: number;
      }[];
      variables: { name: string }[];
    }>();
    // The break-up email belongs to no stage: the "3 attempts" rule drafts it.
    expect(body.items.map((item) => item.stageSlug ?? 'none').sort()).toEqual([
      'new',
      'none',
      'proposal',
      'won',
    ]);
    expect(body.items.every((item) => item.shipped)).toBe(true);
    expect(body.variables.map((v) => v.name)).toContain('contact.firstName');

    const first = body.items[0]!;
    const edited = await t.app.inject({
      method: 'PATCH',
      url: `/api/templates/${first.id}`,
      headers: { ...as(admin), 'if-match': `"${first.version}"` },
      payload: { name: 'Our own wording' },
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({ name: 'Our own wording', version: first.version + 1 });

    // Applying the preset again adds none twice.
    await post(admin, '/api/presets/b2b/apply');
    const again = await t.app.inject({ method: 'GET', url: '/api/templates', headers: as(admin) });
    expect(again.json<{ items: unknown[] }>().items).toHaveLength(4);
  });

  it('refuses an unknown variable with a 422 that names it', async () => {
    const { admin } = await aSalesDesk(t);
    const response = await post(admin, '/api/templates', {
      name: 'Typo',
      channel: 'email',
      subject: 'Hi {{contact.firstName}}',
      body: 'Your {{lead.titel}} is ready',
    });
    expect(response.statusCode).toBe(422);
    const problem = response.json<{ errors: { field: string; message: string }[] }>();
    expect(problem.errors[0]!.field).toBe('body');
    expect(problem.errors[0]!.message).toContain('{{lead.titel}}');
    const list = await t.app.inject({ method: 'GET', url: '/api/templates', headers: as(admin) });
    expect(list.json<{ items: { name: string }[] }>().items.map((i) => i.name)).not.toContain(
      'Typo',
    );
  });

  it('previews a template with a real lead, its contact and its owner', async () => {
    const desk = await aDesk();
    const created = await post(desk.admin, '/api/templates', {
      name: 'Hello',
      channel: 'email',
      subject: 'About {{lead.title}}',
      body: 'Hi {{contact.firstName}}, {{lead.value}} — {{assignee.name}}, {{workspace.name}}',
    });
    expect(created.statusCode, created.body).toBe(201);
    const preview = await post(
      desk.admin,
      `/api/templates/${created.json<{ id: string }>().id}/preview`,
      {
        leadId: desk.lead.id,
      },
    );
    expect(preview.statusCode, preview.body).toBe(200);
    const rendered = preview.json<{ subject: string; body: string; to: string }>();
    // Intl writes a no-break space between amount and currency.
    expect({ ...rendered, body: rendered.body.replace(/\u00a0/g, ' ') }).toEqual({
      subject: 'About Website relaunch',
      body: 'Hi Lena, 12.500,00 € — Ada Admin, Acme Orthodontics',
      to: desk.email,
    });
  });
});

describe('the outbox', () => {
  it('sends nothing until a draft is approved, then the email arrives rendered and is on the timeline', async () => {
    const desk = await aDesk();
    const template = await post(desk.admin, '/api/templates', {
      name: 'Follow-up',
      channel: 'email',
      subject: 'Next steps for {{lead.title}}',
      body: 'Hello {{contact.firstName}}, shall we talk about {{lead.title}}?',
    });
    const drafted = await draft(desk.admin, {
      leadId: desk.lead.id,
      channel: 'email',
      templateId: template.json<{ id: string }>().id,
    });
    expect(drafted).toMatchObject({
      status: 'draft',
      to: desk.email,
      subject: 'Next steps for Website relaunch',
    });

    await t.runJobs();
    expect(mailTo(desk.email)).toHaveLength(0);

    const outbox = await t.app.inject({
      method: 'GET',
      url: '/api/outbox?status=draft',
      headers: as(desk.admin),
    });
    expect(outbox.json<{ items: { id: string }[] }>().items.map((m) => m.id)).toContain(drafted.id);

    const approved = await post(desk.admin, `/api/outbox/${drafted.id}/approve`);
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved', approvedBy: desk.admin.userId });
    await t.runJobs();

    const [mail] = mailTo(desk.email);
    expect(mail?.subject).toBe('Next steps for Website relaunch');
    expect(mail?.raw).toContain('Hello Lena, shall we talk about Website relaunch?');
    // Transactional mail carries no unsubscribe link.
    expect(mail?.raw).not.toMatch(/List-Unsubscribe/i);
    expect(await message(desk.admin, drafted.id)).toMatchObject({ status: 'sent', attempts: 1 });

    const timeline = await t.app.inject({
      method: 'GET',
      url: `/api/leads/${desk.lead.id}/activities`,
      headers: as(desk.admin),
    });
    const entry = timeline
      .json<{ items: { type: string; direction: string; subject: string }[] }>()
      .items.find((item) => item.type === 'email');
    expect(entry).toMatchObject({
      direction: 'outbound',
      subject: 'Next steps for Website relaunch',
    });
    const lead = await t.app.inject({
      method: 'GET',
      url: `/api/leads/${desk.lead.id}`,
      headers: as(desk.admin),
    });
    expect(lead.json()).toMatchObject({ contactAttempts: 1, lastContactMethod: 'email' });

    // A sent message can't be approved or edited again.
    expect((await post(desk.admin, `/api/outbox/${drafted.id}/approve`)).statusCode).toBe(409);
  });

  it('edits a draft with If-Match and never a stale one; a rejected draft is never sent', async () => {
    const desk = await aDesk();
    const drafted = await draft(desk.admin, {
      leadId: desk.lead.id,
      channel: 'email',
      subject: 'Hi',
      body: 'First text',
    });
    const edited = await t.app.inject({
      method: 'PATCH',
      url: `/api/messages/${drafted.id}`,
      headers: { ...as(desk.admin), 'if-match': `"${drafted.version}"` },
      payload: { body: 'Dear {{contact.firstName}}, second text' },
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({ body: 'Dear Lena, second text' });
    const stale = await t.app.inject({
      method: 'PATCH',
      url: `/api/messages/${drafted.id}`,
      headers: { ...as(desk.admin), 'if-match': `"${drafted.version}"` },
      payload: { body: 'Lost update' },
    });
    expect(stale.statusCode).toBe(412);

    const rejected = await post(desk.admin, `/api/outbox/${drafted.id}/reject`, {
      reason: 'Wrong tone',
    });
    expect(rejected.json()).toMatchObject({ status: 'rejected', statusReason: 'Wrong tone' });
    await t.runJobs();
    expect(mailTo(desk.email)).toHaveLength(0);
  });

  it('answers a clear 422 for a contact without an email address', async () => {
    const desk = await aDesk();
    const lead = await aLead(t, desk.admin, { contact: { firstName: 'No', lastName: 'Mail' } });
    const response = await post(desk.admin, '/api/messages', {
      leadId: lead.id,
      channel: 'email',
      subject: 'Hi',
      body: 'Hello',
    });
    expect(response.statusCode).toBe(422);
    expect(response.json<{ errors: { message: string }[] }>().errors[0]!.message).toMatch(
      /no email address/,
    );
  });

  it('lets an agent approve messages on their own leads only; a manager approves any', async () => {
    const desk = await aDesk();
    const ana = await aMember(t, desk.admin, 'agent', 'Ana Agent');
    const ben = await aMember(t, desk.admin, 'agent', 'Ben Agent');
    const manager = await aMember(t, desk.admin, 'manager', 'Mia Manager');
    const anasLead = await aLead(t, desk.admin, { assigneeId: ana.userId });
    const onAnas = await draft(ben, {
      leadId: anasLead.id,
      channel: 'email',
      subject: 'Hi',
      body: 'Hello',
    });

    const byBen = await post(ben, `/api/outbox/${onAnas.id}/approve`);
    expect(byBen.statusCode).toBe(403);
    expect((await message(desk.admin, onAnas.id)).status).toBe('draft');

    const byAna = await post(ana, `/api/outbox/${onAnas.id}/approve`);
    expect(byAna.statusCode, byAna.body).toBe(200);

    const another = await draft(ana, {
      leadId: desk.lead.id,
      channel: 'email',
      subject: 'Hi',
      body: 'Hello',
    });
    expect((await post(ana, `/api/outbox/${another.id}/approve`)).statusCode).toBe(403);
    expect((await post(manager, `/api/outbox/${another.id}/approve`)).statusCode).toBe(200);

    const frontDesk = await aMember(t, desk.admin, 'front_desk');
    const third = await draft(frontDesk, {
      leadId: desk.lead.id,
      channel: 'email',
      subject: 'Hi',
      body: 'Hello',
    });
    expect((await post(frontDesk, `/api/outbox/${third.id}/approve`)).statusCode).toBe(403);
  });
});

describe('compliance', () => {
  it('sends nothing to an address on the suppression list (suppressed, with the reason)', async () => {
    const desk = await aDesk();
    const added = await post(desk.admin, '/api/suppressions', {
      channel: 'email',
      address: desk.email.toUpperCase(),
    });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toMatchObject({ address: desk.email, reason: 'manual' });
    expect(
      (await post(desk.admin, '/api/suppressions', { channel: 'email', address: desk.email }))
        .statusCode,
    ).toBe(409);

    const drafted = await draft(desk.admin, {
      leadId: desk.lead.id,
      channel: 'email',
      subject: 'Hi',
      body: 'Hello',
    });
    const approved = await post(desk.admin, `/api/outbox/${drafted.id}/approve`);
    expect(approved.json()).toMatchObject({
      status: 'suppressed',
      statusReason: 'suppressed_address',
    });
    await t.runJobs();
    expect(mailTo(desk.email)).toHaveLength(0);

    // Taken off the list, the next message goes.
    const removed = await t.app.inject({
      method: 'DELETE',
      url: `/api/suppressions/${added.json<{ id: string }>().id}`,
      headers: as(desk.admin),
    });
    expect(removed.statusCode).toBe(200);
    const next = await draft(desk.admin, {
      leadId: desk.lead.id,
      channel: 'email',
      subject: 'Hi again',
      body: 'Hello',
    });
    expect((await post(desk.admin, `/api/outbox/${next.id}/approve`)).json()).toMatchObject({
      status: 'approved',
    });
    await t.runJobs();
    expect(mailTo(desk.email).map((mail) => mail.subject)).toEqual(['Hi again']);
  });

  it('sends nothing to a contact marked do-not-contact', async () => {
    const desk = await aDesk();
    await updateContact(desk.admin, desk.lead.contactId!, { doNotContact: true });
    const drafted = await draft(desk.admin, {
      leadId: desk.lead.id,
      channel: 'email',
      subject: 'Hi',
      body: 'Hello',
    });
    expect((await post(desk.admin, `/api/outbox/${drafted.id}/approve`)).json()).toMatchObject({
      status: 'suppressed',
      statusReason: 'do_not_contact',
    });
    await t.runJobs();
    expect(mailTo(desk.email)).toHaveLength(0);
  });

  it('suppresses marketing without the opt-in; with it, the email carries a working unsubscribe link', async () => {
    const desk = await aDesk();
    const noOptIn = await draft(desk.admin, {
      leadId: desk.lead.id,
      channel: 'email',
      purpose: 'marketing',
      subject: 'Spring offer',
      body: 'Ten percent off',
    });
    expect((await post(desk.admin, `/api/outbox/${noOptIn.id}/approve`)).json()).toMatchObject({
      status: 'suppressed',
      statusReason: 'no_opt_in',
    });

    await updateContact(desk.admin, desk.lead.contactId!, { optInEmail: true });
    const optedIn = await draft(desk.admin, {
      leadId: desk.lead.id,
      channel: 'email',
      purpose: 'marketing',
      subject: 'Summer offer',
      body: 'Twenty percent off',
    });
    await post(desk.admin, `/api/outbox/${optedIn.id}/approve`);
    await t.runJobs();
    const [mail] = mailTo(desk.email);
    expect(mail?.subject).toBe('Summer offer');
    const header = /^List-Unsubscribe:\s*<([^>]+)>/im.exec(mail!.raw);
    expect(header, mail!.raw).not.toBeNull();
    expect(mail!.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/im);
    const url = new URL(header![1]!);
    expect(url.origin).toBe('https://crm.example.test');

    // GET shows a confirmation page and changes nothing (link scanners fetch links).
    const page = await t.app.inject({ method: 'GET', url: url.pathname });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(desk.email);
    const stillIn = await t.app.inject({
      method: 'GET',
      url: `/api/contacts/${desk.lead.contactId}`,
      headers: as(desk.admin),
    });
    expect(stillIn.json()).toMatchObject({ optInEmail: true });

    // A message approved before the unsubscribe is stopped at send time.
    const queued = await draft(desk.admin, {
      leadId: desk.lead.id,
      channel: 'email',
      purpose: 'marketing',
      subject: 'Autumn offer',
      body: 'Thirty percent off',
    });
    await post(desk.admin, `/api/outbox/${queued.id}/approve`);

    // One-click POST (RFC 8058) suppresses at once.
    const oneClick = await t.app.inject({
      method: 'POST',
      url: url.pathname,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.statusCode, oneClick.body).toBe(200);
    expect(oneClick.body).toContain('unsubscribed');

    const contact = await t.app.inject({
      method: 'GET',
      url: `/api/contacts/${desk.lead.contactId}`,
      headers: as(desk.admin),
    });
    expect(contact.json()).toMatchObject({ optInEmail: false });
    const list = await t.app.inject({
      method: 'GET',
      url: '/api/suppressions',
      headers: as(desk.admin),
    });
    expect(list.json<{ items: unknown[] }>().items).toEqual([
      expect.objectContaining({ address: desk.email, reason: 'unsubscribed' }),
    ]);

    await t.runJobs();
    expect(mailTo(desk.email).map((m) => m.subject)).toEqual(['Summer offer']);
    expect(await message(desk.admin, queued.id)).toMatchObject({
      status: 'suppressed',
      statusReason: 'suppressed_address',
    });
    expect(unsubscribed.filter((event) => event.contactId === desk.lead.contactId)).toEqual([
      expect.objectContaining({ data: { channel: 'email', via: 'unsubscribe_link' } }),
    ]);

    // A tampered link is refused.
    const forged = await t.app.inject({ method: 'POST', url: `${url.pathname}x` });
    expect(forged.statusCode).toBe(404);
  });
});

describe('privacy', () => {
  it('erases the text and address of the messages to a person whose data is erased', async () => {
    const desk = await aDesk();
    const drafted = await draft(desk.admin, {
      leadId: desk.lead.id,
      channel: 'email',
      subject: 'Your braces',
      body: 'Dear {{contact.fullName}}',
    });
    const contact = await t.app.inject({
      method: 'GET',
      url: `/api/contacts/${desk.lead.contactId}`,
      headers: as(desk.admin),
    });
    const erased = await post(desk.admin, `/api/contacts/${desk.lead.contactId}/erase`, {
      confirmName: contact.json<{ name: string }>().name,
    });
    expect(erased.statusCode, erased.body).toBe(200);
    const after = await t.app.inject({
      method: 'GET',
      url: `/api/messages/${drafted.id}`,
      headers: as(desk.admin),
    });
    expect(after.json()).toMatchObject({ subject: '', body: '[erased]', to: '' });
  });
});

describe('channels', () => {
  it('sends an SMS to the provider with basic auth and the form body', async () => {
    const desk = await aDesk();
    const lead = await aLead(t, desk.admin, {
      assigneeId: desk.admin.userId,
      contact: { firstName: 'Sam', phones: ['+49 151 23456789'] },
    });
    const drafted = await draft(desk.admin, {
      leadId: lead.id,
      channel: 'sms',
      body: 'Hi {{contact.firstName}}, see you at 3pm. {{workspace.name}}',
    });
    expect(drafted).toMatchObject({ to: '+4915123456789', subject: '' });
    await t.runJobs();
    expect(smsEndpoint.received).toHaveLength(0);

    await post(desk.admin, `/api/outbox/${drafted.id}/approve`);
    await t.runJobs();
    const [request] = smsEndpoint.received;
    expect(request?.path).toBe('/2010-04-01/Accounts/AC123/Messages.json');
    expect(request?.authorization).toBe(
      `Basic ${Buffer.from('AC123:sms-secret').toString('base64')}`,
    );
    expect(Object.fromEntries(request!.form)).toEqual({
      To: '+4915123456789',
      From: '+15550001111',
      Body: 'Hi Sam, see you at 3pm. Acme Orthodontics',
    });
    expect(await message(desk.admin, drafted.id)).toMatchObject({ status: 'sent' });
  });

  it('retries a failed delivery, then marks it failed with the error; retry sends it again', async () => {
    const desk = await aDesk();
    const lead = await aLead(t, desk.admin, {
      assigneeId: desk.admin.userId,
      contact: { firstName: 'Bo', emails: [`bounce.${Date.now()}@example.test`] },
    });
    const drafted = await draft(desk.admin, {
      leadId: lead.id,
      channel: 'email',
      subject: 'Hi',
      body: 'Hello',
    });
    await post(desk.admin, `/api/outbox/${drafted.id}/approve`);
    await t.runJobs();
    const failed = await message(desk.admin, drafted.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 4, sentAt: null });
    expect(failed.lastError).toMatch(/Mailbox unavailable/);

    const outbox = await t.app.inject({
      method: 'GET',
      url: '/api/outbox?status=failed',
      headers: as(desk.admin),
    });
    expect(outbox.json<{ items: { id: string }[] }>().items.map((m) => m.id)).toEqual([drafted.id]);

    const retried = await post(desk.admin, `/api/outbox/${drafted.id}/retry`);
    expect(retried.json()).toMatchObject({ status: 'approved', attempts: 0 });
    await t.runJobs();
    expect(await message(desk.admin, drafted.id)).toMatchObject({ status: 'failed', attempts: 4 });
  });
});

describe('draftIn (for automation and sequences)', () => {
  it('auto-sends when asked, and still suppresses a contact who may not receive it', async () => {
    const desk = await aDesk();
    const actor = {
      ...systemActorFor(desk.admin.workspaceId, desk.admin.userId),
      causedByRules: ['rule-1'],
    };
    const sent = await t.db.transaction().execute((trx) =>
      t.services.messaging.draftIn(trx, actor, {
        leadId: desk.lead.id,
        channel: 'email',
        subject: 'Welcome {{contact.firstName}}',
        body: 'Thanks for your inquiry.',
        purpose: 'transactional',
        autoSend: true,
        origin: { kind: 'automation', id: 'rule-1' },
      }),
    );
    expect(sent).toMatchObject({
      status: 'approved',
      origin: { kind: 'automation', id: 'rule-1' },
    });
    await t.runJobs();
    expect(mailTo(desk.email).map((m) => m.subject)).toEqual(['Welcome Lena']);

    const marketing = await t.db.transaction().execute((trx) =>
      t.services.messaging.draftIn(trx, actor, {
        leadId: desk.lead.id,
        channel: 'email',
        subject: 'Offer',
        body: 'Buy now',
        purpose: 'marketing',
        autoSend: true,
        origin: { kind: 'sequence', id: 'seq-1' },
      }),
    );
    expect(marketing).toMatchObject({ status: 'suppressed', statusReason: 'no_opt_in' });

    const withoutPhone = await t.db.transaction().execute((trx) =>
      t.services.messaging.draftIn(trx, actor, {
        leadId: desk.lead.id,
        channel: 'sms',
        body: 'Hi',
        purpose: 'transactional',
      }),
    );
    expect(withoutPhone).toMatchObject({ status: 'suppressed', statusReason: 'no_address' });

    const waiting = await t.db.transaction().execute((trx) =>
      t.services.messaging.draftIn(trx, actor, {
        leadId: desk.lead.id,
        channel: 'email',
        subject: 'Check-in',
        body: 'How are things?',
      }),
    );
    expect(waiting).toMatchObject({ status: 'draft' });
    await t.runJobs();
    expect(mailTo(desk.email)).toHaveLength(1);
  });
});
