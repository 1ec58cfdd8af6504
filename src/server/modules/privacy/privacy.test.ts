import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aSalesDesk } from '../../../../test/support/sales-desk.js';
import {
  aMember,
  as,
  createTestApp,
  type Session,
  type TestApp,
} from '../../../../test/support/test-app.js';
import { createRedactor } from './privacy.service.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const post = (session: Session, url: string, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url, headers: as(session), payload });
const get = (session: Session, url: string) =>
  t.app.inject({ method: 'GET', url, headers: as(session) });

/** Marta Quist, with a sensitive date of birth, a lead named after her, a call and a task. */
async function aPerson() {
  const { admin, stage } = await aSalesDesk(t);
  const field = await post(admin, '/api/custom-fields', {
    recordType: 'contact',
    key: 'date_of_birth',
    label: 'Date of birth',
    type: 'date',
    sensitive: true,
  });
  expect(field.statusCode, field.body).toBe(201);
  const created = await post(admin, '/api/contacts', {
    firstName: 'Marta',
    lastName: 'Quist',
    emails: ['marta.quist@mailbox.example'],
    phones: ['+49 30 9876543'],
    address: { street: 'Lindenweg 4', city: 'Potsdam' },
    notes: 'Prefers mornings; daughter Ida needs braces too',
    customFields: { date_of_birth: '1979-02-03' },
  });
  expect(created.statusCode, created.body).toBe(201);
  const contact = created.json<{ id: string; version: number }>();
  const lead = await post(admin, '/api/leads', {
    title: 'Marta Quist – Invisalign',
    companyName: 'Familie Quist',
    contactId: contact.id,
    value: 450_000,
  });
  expect(lead.statusCode, lead.body).toBe(201);
  const leadId = lead.json<{ id: string }>().id;
  await post(admin, `/api/leads/${leadId}/stage`, { stageId: stage.contacted!.id });
  const call = await post(admin, `/api/leads/${leadId}/activities`, {
    type: 'call',
    outcome: 'spoke',
    subject: 'Call with Marta',
    body: 'She said her insurance is AOK and she lives alone.',
  });
  expect(call.statusCode, call.body).toBe(201);
  const task = await post(admin, `/api/leads/${leadId}/tasks`, {
    title: 'Email marta.quist@mailbox.example the quote',
    dueAt: '2026-03-09T09:00:00Z',
  });
  expect(task.statusCode, task.body).toBe(201);
  // An edit, so the audit log holds before/after snapshots of her fields.
  const edited = await t.app.inject({
    method: 'PATCH',
    url: `/api/contacts/${contact.id}`,
    headers: { ...as(admin), 'if-match': `"${contact.version}"` },
    payload: { lastName: 'Quist-Berg', notes: 'Moved to Lindenweg 4' },
  });
  expect(edited.statusCode, edited.body).toBe(200);
  return { admin, contactId: contact.id, leadId, name: 'Marta Quist-Berg' };
}

describe('privacy: a person’s data export', () => {
  it('gives the contact, its leads, timeline and tasks with sensitive values, audited', async () => {
    const { admin, contactId, leadId } = await aPerson();
    const response = await get(admin, `/api/contacts/${contactId}/data-export`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-disposition']).toContain('attachment');
    const data = response.json<{
      contact: { lastName: string; customFields: Record<string, unknown>; address: unknown };
      leads: { id: string; value: number }[];
      activities: { type: string; body: string }[];
      tasks: { title: string }[];
    }>();
    expect(data.contact.lastName).toBe('Quist-Berg');
    expect(data.contact.customFields.date_of_birth).toBe('1979-02-03');
    expect(data.leads.map((lead) => lead.id)).toEqual([leadId]);
    expect(data.activities.map((a) => a.body)).toContain(
      'She said her insurance is AOK and she lives alone.',
    );
    expect(data.tasks.map((task) => task.title)).toEqual([
      'Email marta.quist@mailbox.example the quote',
    ]);
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'actor_user_id'])
      .where('workspace_id', '=', admin.workspaceId)
      .where('entity_id', '=', contactId)
      .where('action', 'in', ['contact.data_exported', 'contact.sensitive_read'])
      .execute();
    expect(audit.map((row) => row.action).sort()).toEqual([
      'contact.data_exported',
      'contact.sensitive_read',
    ]);
  });

  it('is for admins and managers; another workspace’s contact is not found', async () => {
    const { admin, contactId } = await aPerson();
    const manager = await aMember(t, admin, 'manager');
    expect((await get(manager, `/api/contacts/${contactId}/data-export`)).statusCode).toBe(200);
    for (const role of ['agent', 'front_desk', 'viewer'] as const) {
      const member = await aMember(t, admin, role);
      expect((await get(member, `/api/contacts/${contactId}/data-export`)).statusCode).toBe(403);
      const erase = await post(member, `/api/contacts/${contactId}/erase`, { confirmName: 'x' });
      expect(erase.statusCode, role).toBe(403);
    }
    const other = (await aSalesDesk(t)).admin;
    expect((await get(other, `/api/contacts/${contactId}/data-export`)).statusCode).toBe(404);
  });
});

describe('privacy: erasing a person', () => {
  it('anonymises the person and their traces, keeping the business history', async () => {
    const { admin, contactId, leadId, name } = await aPerson();
    const leadBefore = (await get(admin, `/api/leads/${leadId}`)).json<{ version: number }>();
    const wrong = await post(admin, `/api/contacts/${contactId}/erase`, { confirmName: 'Marta' });
    expect(wrong.statusCode).toBe(422);

    const erased = await post(admin, `/api/contacts/${contactId}/erase`, { confirmName: name });
    expect(erased.statusCode, erased.body).toBe(200);
    expect(erased.json()).toMatchObject({
      name: 'Erased contact',
      emails: [],
      phones: [],
      address: null,
      notes: '',
      customFields: {},
      doNotContact: true,
      archived: true,
    });
    expect(erased.json<{ erasedAt: string | null }>().erasedAt).not.toBeNull();

    // The lead stays with its stage and value; its title loses her name.
    const lead = (await get(admin, `/api/leads/${leadId}`)).json<{
      title: string;
      companyName: string;
      value: number;
      status: string;
      lastContactNotes: string;
      contactId: string;
    }>();
    // Her former last name (from the audit log's snapshots) goes too.
    expect(lead.title).toBe('[erased] [erased] – Invisalign');
    expect(lead.companyName).toBe('Familie [erased]');
    expect(lead).toMatchObject({
      value: 450_000,
      contactId,
      lastContactNotes: '',
    });
    // An edit begun before the erasure can't write her name back.
    const stale = await t.app.inject({
      method: 'PATCH',
      url: `/api/leads/${leadId}`,
      headers: { ...as(admin), 'if-match': `"${leadBefore.version}"` },
      payload: { title: 'Marta Quist – Invisalign' },
    });
    expect(stale.statusCode).toBe(412);
    const timeline = (await get(admin, `/api/leads/${leadId}/activities`)).json<{
      items: { type: string; subject: string; body: string }[];
    }>();
    const call = timeline.items.find((item) => item.type === 'call')!;
    expect(call).toMatchObject({ subject: 'Call with [erased]', body: '' });
    expect(timeline.items.some((item) => item.type === 'stage_change')).toBe(true);
    const tasks = (await get(admin, `/api/tasks?leadId=${leadId}`)).json<{
      items: { title: string }[];
    }>();
    expect(tasks.items.map((task) => task.title)).toEqual(['Email [erased] the quote']);

    // Nothing finds her any more.
    for (const q of ['Quist', 'marta.quist@mailbox.example', 'Marta']) {
      const contacts = await get(
        admin,
        `/api/contacts?q=${encodeURIComponent(q)}&includeArchived=true`,
      );
      expect(contacts.statusCode, contacts.body).toBe(200);
      expect(contacts.json<{ items: unknown[] }>().items, q).toEqual([]);
      const leads = await get(admin, `/api/leads?q=${encodeURIComponent(q)}`);
      expect(leads.json<{ items: unknown[] }>().items, q).toEqual([]);
    }

    // The audit log keeps who did what when, but not her values.
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'changes'])
      .where('workspace_id', '=', admin.workspaceId)
      .execute();
    const text = JSON.stringify(audit);
    for (const value of ['Quist', 'Marta', 'marta.quist', '9876543', 'Lindenweg', 'AOK', 'Ida']) {
      expect(text, value).not.toContain(value);
    }
    expect(audit.map((row) => row.action)).toEqual(
      expect.arrayContaining(['contact.created', 'contact.updated', 'contact.erased']),
    );
    const erasure = audit.find((row) => row.action === 'contact.erased')!;
    expect(erasure.changes).toMatchObject({ erased: { before: false, after: true } });

    // Erased is for good: no edits, no second erasure, no restore.
    const edit = await t.app.inject({
      method: 'PATCH',
      url: `/api/contacts/${contactId}`,
      headers: as(admin),
      payload: { firstName: 'Marta' },
    });
    expect(edit.statusCode).toBe(409);
    const restore = await post(admin, `/api/contacts/${contactId}/restore`, {});
    expect(restore.statusCode).toBe(409);
    const again = await post(admin, `/api/contacts/${contactId}/erase`, {
      confirmName: 'Erased contact',
    });
    expect(again.statusCode).toBe(409);
  });

  it('erases what the person sent through a web form and the notifications that name them', async () => {
    const { admin } = await aSalesDesk(t);
    const form = await post(admin, '/api/forms', { name: 'Contact us' });
    expect(form.statusCode, form.body).toBe(201);
    const sent = await t.app.inject({
      method: 'POST',
      url: `/api/capture/${form.json<{ key: string }>().key}`,
      payload: { name: 'Jonna Vark', email: 'jonna.vark@example.test', message: 'My knee hurts' },
    });
    expect(sent.statusCode, sent.body).toBe(201);
    const leadId = sent.json<{ leadId: string }>().leadId;
    const lead = (await get(admin, `/api/leads/${leadId}`)).json<{ contactId: string }>();

    const erased = await post(admin, `/api/contacts/${lead.contactId}/erase`, {
      confirmName: 'Jonna Vark',
    });
    expect(erased.statusCode, erased.body).toBe(200);
    const stored = await get(admin, `/api/forms/${form.json<{ id: string }>().id}/submissions`);
    expect(stored.body).not.toMatch(/Jonna|Vark|knee/);
    const inbox = await get(admin, '/api/notifications');
    expect(inbox.json<{ items: unknown[] }>().items.length).toBeGreaterThan(0);
    expect(inbox.body).not.toMatch(/Jonna|Vark|knee/);
  });

  it('leaves other people’s records alone', async () => {
    const { admin, contactId, name } = await aPerson();
    const other = await post(admin, '/api/contacts', {
      firstName: 'Marta',
      lastName: 'Lind',
      emails: ['marta.lind@example.test'],
    });
    const otherId = other.json<{ id: string }>().id;
    await post(admin, `/api/contacts/${contactId}/erase`, { confirmName: name });
    const read = (await get(admin, `/api/contacts/${otherId}`)).json<{ name: string }>();
    expect(read.name).toBe('Marta Lind');
    const found = await get(admin, '/api/contacts?q=Lind');
    expect(found.json<{ items: { id: string }[] }>().items.map((c) => c.id)).toEqual([otherId]);
  });
});

describe('the redactor', () => {
  it('replaces names as whole words, emails and phones as written, in any case', () => {
    const redact = createRedactor({
      names: ['Ana Lima', 'Ana', 'Lima'],
      exact: ['ana@lima.example', '+4930123'],
    });
    expect(redact.text('Call ANA LIMA about Anabel, ana@lima.example, +4930123')).toBe(
      'Call [erased] about Anabel, [erased], [erased]',
    );
    expect(redact.deep({ a: ['Lima beans'], n: 3 })).toEqual({ a: ['[erased] beans'], n: 3 });
  });
});
