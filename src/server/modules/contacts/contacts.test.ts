import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aMember,
  aWorkspace,
  as,
  createTestApp,
  type Session,
  type TestApp,
} from '../../../../test/support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

interface Contact {
  id: string;
  name: string;
  version: number;
  emails: { value: string; label: string }[];
  phones: { value: string; e164: string; label: string }[];
  archived: boolean;
  companyId: string | null;
}

const post = (session: Session, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: '/api/contacts', headers: as(session), payload });

describe('contacts', () => {
  it('creates a contact with emails and phones normalised with the workspace country', async () => {
    const { admin } = await aWorkspace(t); // a German workspace
    const response = await post(admin, {
      firstName: 'Lena',
      lastName: 'Vogel',
      emails: ['Lena.Vogel@Example.DE', { value: 'lena@work.example', label: 'work' }],
      phones: [{ value: '0171 2345678', label: 'mobile' }],
      tags: ['invisalign'],
    });
    expect(response.statusCode).toBe(201);
    expect(response.json<Contact>()).toMatchObject({
      name: 'Lena Vogel',
      emails: [
        { value: 'lena.vogel@example.de', label: '' },
        { value: 'lena@work.example', label: 'work' },
      ],
      phones: [{ value: '0171 2345678', e164: '+491712345678', label: 'mobile' }],
    });
  });

  it('refuses an invalid phone and a contact without a name with 422', async () => {
    const { admin } = await aWorkspace(t);
    const badPhone = await post(admin, { firstName: 'Max', phones: ['123 45', '030 1234567'] });
    expect(badPhone.statusCode).toBe(422);
    expect(badPhone.json().errors).toEqual([
      { field: 'phones.0.value', message: 'Not a valid phone number' },
    ]);
    const noName = await post(admin, { emails: ['someone@example.de'] });
    expect(noName.statusCode).toBe(422);
    expect(noName.json().errors[0].field).toBe('firstName');
  });

  it('answers a known email or phone with 409 and the candidates, unless allowDuplicate', async () => {
    const { admin } = await aWorkspace(t);
    const first = (
      await post(admin, {
        firstName: 'Jonas',
        emails: ['jonas@example.de'],
        phones: ['030 1234567'],
      })
    ).json<Contact>();
    const samePhone = await post(admin, {
      firstName: 'J.',
      lastName: 'Becker',
      phones: ['+49 30 1234567'],
    });
    expect(samePhone.statusCode).toBe(409);
    expect(samePhone.json().candidates).toEqual([
      { id: first.id, name: 'Jonas', matchedOn: ['phone:+49301234567'] },
    ]);
    const sameEmail = await post(admin, { firstName: 'Other', emails: ['JONAS@example.de'] });
    expect(sameEmail.json().candidates[0].matchedOn).toEqual(['email:jonas@example.de']);
    const allowed = await post(admin, {
      firstName: 'Jonas twin',
      emails: ['jonas@example.de'],
      allowDuplicate: true,
    });
    expect(allowed.statusCode).toBe(201);

    const other = (
      await post(admin, { firstName: 'Mia', emails: ['mia@example.de'] })
    ).json<Contact>();
    const clash = await t.app.inject({
      method: 'PATCH',
      url: `/api/contacts/${other.id}`,
      headers: as(admin),
      payload: { phones: ['030 1234567'] },
    });
    expect(clash.statusCode).toBe(409);
  });

  it('archives and restores; archived contacts leave the list and stop matching duplicates', async () => {
    const { admin } = await aWorkspace(t);
    const contact = (
      await post(admin, { firstName: 'Paul', emails: ['paul@example.de'] })
    ).json<Contact>();
    const archived = await t.app.inject({
      method: 'DELETE',
      url: `/api/contacts/${contact.id}`,
      headers: { ...as(admin), 'if-match': `"${contact.version}"` },
    });
    expect(archived.json<Contact>()).toMatchObject({
      archived: true,
      version: contact.version + 1,
    });
    const list = await t.app.inject({ method: 'GET', url: '/api/contacts', headers: as(admin) });
    expect(list.json<{ items: Contact[] }>().items.map((c) => c.id)).not.toContain(contact.id);
    expect(
      (await post(admin, { firstName: 'Paul again', emails: ['paul@example.de'] })).statusCode,
    ).toBe(201);
    const restored = await t.app.inject({
      method: 'POST',
      url: `/api/contacts/${contact.id}/restore`,
      headers: as(admin),
    });
    expect(restored.json<Contact>().archived).toBe(false);
    const stillThere = await t.app.inject({
      method: 'GET',
      url: `/api/contacts/${contact.id}`,
      headers: as(admin),
    });
    expect(stillThere.statusCode).toBe(200);
  });

  it('searches by name, email and phone as typed, and pages by name', async () => {
    const { admin } = await aWorkspace(t);
    await post(admin, { firstName: 'Anna', lastName: 'Zimmer', phones: ['0176 11112222'] });
    await post(admin, { firstName: 'Bernd', lastName: 'Albers', emails: ['b.albers@example.de'] });
    await post(admin, { firstName: 'Clara', lastName: 'Meier' });
    const search = async (q: string) =>
      (
        await t.app.inject({
          method: 'GET',
          url: `/api/contacts?q=${encodeURIComponent(q)}`,
          headers: as(admin),
        })
      )
        .json<{ items: Contact[] }>()
        .items.map((c) => c.name);
    expect(await search('zimm')).toEqual(['Anna Zimmer']);
    expect(await search('albers@')).toEqual(['Bernd Albers']);
    expect(await search('0176 1111 2222')).toEqual(['Anna Zimmer']);
    const page1 = await t.app.inject({
      method: 'GET',
      url: '/api/contacts?limit=2',
      headers: as(admin),
    });
    const body = page1.json<{ items: Contact[]; nextCursor: string }>();
    expect(body.items.map((c) => c.name)).toEqual(['Bernd Albers', 'Clara Meier']);
    const page2 = await t.app.inject({
      method: 'GET',
      url: `/api/contacts?limit=2&cursor=${body.nextCursor}`,
      headers: as(admin),
    });
    expect(page2.json<{ items: Contact[] }>().items.map((c) => c.name)).toEqual(['Anna Zimmer']);
  });

  it('links a contact to a company of the same workspace only', async () => {
    const mine = await aWorkspace(t);
    const theirs = await aWorkspace(t);
    const company = await t.app.inject({
      method: 'POST',
      url: '/api/companies',
      headers: as(theirs.admin),
      payload: { name: 'Their GmbH' },
    });
    const response = await post(mine.admin, {
      firstName: 'Eve',
      companyId: company.json<{ id: string }>().id,
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors).toEqual([{ field: 'companyId', message: expect.any(String) }]);
  });

  it('lets a viewer read but not write, and records changes in the audit log', async () => {
    const { admin } = await aWorkspace(t);
    const viewer = await aMember(t, admin, 'viewer');
    const contact = (await post(admin, { firstName: 'Olga' })).json<Contact>();
    expect((await post(viewer, { firstName: 'Nope' })).statusCode).toBe(403);
    await t.app.inject({
      method: 'PATCH',
      url: `/api/contacts/${contact.id}`,
      headers: as(admin),
      payload: { lastName: 'Petrova', doNotContact: true },
    });
    const audit = await t.app.inject({
      method: 'GET',
      url: `/api/audit-log?entityType=contact&entityId=${contact.id}&action=contact.updated`,
      headers: as(admin),
    });
    expect(audit.json().items[0].changes).toEqual({
      lastName: { before: '', after: 'Petrova' },
      doNotContact: { before: false, after: true },
    });
  });
});
