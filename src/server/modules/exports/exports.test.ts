import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { aSalesDesk } from '../../../../test/support/sales-desk.js';
import { aMember, as, createTestApp, type TestApp } from '../../../../test/support/test-app.js';
import { neutralizeFormula, toMajorUnits } from './exports.service.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('CSV export of leads', () => {
  it('streams the filtered list with names, major units and neutralised formulas', async () => {
    const { admin, stage } = await aSalesDesk(t);
    const agent = await aMember(t, admin, 'agent', 'Ana Agent');
    const create = (payload: Record<string, unknown>) => {
      t.clock.advance(1000);
      return t.app.inject({ method: 'POST', url: '/api/leads', headers: as(admin), payload });
    };
    await create({
      title: '=HYPERLINK("http://evil.example")',
      contact: { firstName: 'Jörg', lastName: 'Müller' },
      value: 1_250_050,
      assigneeId: agent.userId,
      tags: ['roof', 'vip'],
    });
    await create({ title: 'Yen deal', value: 5000, currency: 'JPY', priority: 'urgent' });
    await create({ title: 'Other', priority: 'low' });

    const response = await t.app.inject({
      method: 'GET',
      url: '/api/exports/leads.csv?sort=value',
      headers: as(admin),
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename="leads.csv"');
    expect(response.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const rows = parse<Record<string, string>>(response.body, { bom: true, columns: true });
    expect(rows.map((row) => row.Title)).toEqual([
      'Other',
      'Yen deal',
      `'=HYPERLINK("http://evil.example")`,
    ]);
    expect(rows[2]).toMatchObject({
      Contact: 'Jörg Müller',
      Stage: stage.new!.name,
      Status: 'open',
      Value: '12500.50',
      Currency: 'EUR',
      Assignee: 'Ana Agent',
      Tags: 'roof; vip',
    });
    expect(rows[1]).toMatchObject({ Value: '5000', Currency: 'JPY', Priority: 'urgent' });

    const chosen = await t.app.inject({
      method: 'GET',
      url: `/api/exports/leads.csv?priority=urgent&ids=${rows[0]!.ID},${rows[1]!.ID}`,
      headers: as(admin),
    });
    expect(
      parse<{ Title: string }>(chosen.body, { bom: true, columns: true }).map((r) => r.Title),
    ).toEqual(['Yen deal']);
  });

  it('exports contacts with their company and companies with their primary contact', async () => {
    const { admin } = await aSalesDesk(t);
    const company = await t.app.inject({
      method: 'POST',
      url: '/api/companies',
      headers: as(admin),
      payload: { name: 'Lind GmbH', website: 'https://lind.example' },
    });
    const contact = await t.app.inject({
      method: 'POST',
      url: '/api/contacts',
      headers: as(admin),
      payload: {
        firstName: 'Nora',
        lastName: 'Lind',
        emails: ['nora@lind.example', 'n.lind@home.example'],
        phones: ['030 1234567'],
        companyId: company.json().id,
        address: { city: 'Berlin' },
        notes: '@mention me',
      },
    });
    await t.app.inject({
      method: 'PATCH',
      url: `/api/companies/${company.json().id}`,
      headers: { ...as(admin), 'if-match': `"${company.json().version}"` },
      payload: { primaryContactId: contact.json().id },
    });

    const contacts = await t.app.inject({
      method: 'GET',
      url: '/api/exports/contacts.csv?q=Lind',
      headers: as(admin),
    });
    expect(contacts.headers['content-disposition']).toBe('attachment; filename="contacts.csv"');
    expect(parse<Record<string, string>>(contacts.body, { bom: true, columns: true })).toEqual([
      expect.objectContaining({
        'First Name': 'Nora',
        'Last Name': 'Lind',
        'Email Address': 'nora@lind.example',
        'Other Emails': 'n.lind@home.example',
        // A leading + would make a spreadsheet read the number as a formula and drop it.
        'Phone (E.164)': "'+49301234567",
        City: 'Berlin',
        'Company Name': 'Lind GmbH',
        Notes: "'@mention me",
      }),
    ]);
    const companies = await t.app.inject({
      method: 'GET',
      url: '/api/exports/companies.csv',
      headers: as(admin),
    });
    expect(parse<Record<string, string>>(companies.body, { bom: true, columns: true })).toEqual([
      expect.objectContaining({
        'Company Name': 'Lind GmbH',
        Website: 'https://lind.example',
        'Primary Contact': 'Nora Lind',
      }),
    ]);
  });

  it('exports tasks with their lead, contact and assignee, open ones unless asked', async () => {
    const { admin } = await aSalesDesk(t);
    const agent = await aMember(t, admin, 'agent', 'Ana Agent');
    const lead = await t.app.inject({
      method: 'POST',
      url: '/api/leads',
      headers: as(admin),
      payload: { title: 'Roof repair', contact: { firstName: 'Jonas', lastName: 'Weber' } },
    });
    const addTask = (title: string) => {
      t.clock.advance(1000);
      return t.app.inject({
        method: 'POST',
        url: `/api/leads/${lead.json().id}/tasks`,
        headers: as(admin),
        payload: { title, assigneeId: agent.userId, dueAt: '2026-12-01T09:00:00Z' },
      });
    };
    await addTask('Call back');
    const done = await addTask('=Send quote');
    await t.app.inject({
      method: 'POST',
      url: `/api/tasks/${done.json().id}/complete`,
      headers: as(admin),
      payload: {},
    });
    const tasksCsv = async (query = '') =>
      parse<Record<string, string>>(
        (
          await t.app.inject({
            method: 'GET',
            url: `/api/exports/tasks.csv${query}`,
            headers: as(admin),
          })
        ).body,
        { bom: true, columns: true },
      );
    expect(await tasksCsv()).toEqual([
      expect.objectContaining({
        Title: 'Call back',
        Status: 'pending',
        Due: '2026-12-01T09:00:00.000Z',
        Lead: 'Roof repair',
        Contact: 'Jonas Weber',
        Assignee: 'Ana Agent',
      }),
    ]);
    expect((await tasksCsv('?status=completed')).map((row) => row.Title)).toEqual(["'=Send quote"]);
  });

  it('walks every page of a long list', async () => {
    const { admin } = await aSalesDesk(t);
    // More than two export pages (200 each), written straight to the table for speed.
    await sql`insert into contacts (workspace_id, first_name, last_name, created_at, updated_at)
      select ${admin.workspaceId}::uuid, 'Person' || lpad(n::text, 3, '0'), 'Bulk', now(), now()
      from generate_series(0, 449) n`.execute(t.db);
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/exports/contacts.csv',
      headers: as(admin),
    });
    const rows = parse<Record<string, string>>(response.body, { bom: true, columns: true });
    expect(rows.map((row) => row['First Name'])).toEqual(
      Array.from({ length: 450 }, (_, i) => `Person${String(i).padStart(3, '0')}`),
    );
  });

  it('refuses a malformed id list and a caller without lead:read', async () => {
    const { admin } = await aSalesDesk(t);
    const bad = await t.app.inject({
      method: 'GET',
      url: '/api/exports/leads.csv?ids=not-an-id',
      headers: as(admin),
    });
    expect(bad.statusCode).toBe(422);
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/exports/leads.csv' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('writes money in the currency’s own digits and quotes formula starts', () => {
    expect(toMajorUnits(5, 'EUR')).toBe('0.05');
    expect(toMajorUnits(123_456, 'KWD')).toBe('123.456');
    expect(toMajorUnits(700, 'JPY')).toBe('700');
    expect(['=1+1', '+49 30', '-5', '@SUM(A1)', 'Plain'].map(neutralizeFormula)).toEqual([
      "'=1+1",
      "'+49 30",
      "'-5",
      "'@SUM(A1)",
      'Plain',
    ]);
  });
});
