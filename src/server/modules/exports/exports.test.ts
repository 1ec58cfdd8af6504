import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { aSalesDesk } from '../../../../test/support/sales-desk.js';
import { aMember, as, createTestApp, type TestApp } from '../../../../test/support/test-app.js';
import { neutralizeFormula } from '../../platform/csv.js';
import { toMajorUnits } from './exports.service.js';

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
    const hyperlink = await create({
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
      Created: hyperlink.json<{ createdAt: string }>().createdAt,
      'Next Follow-up': '',
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

  it('exports every lead across pages in the list order, ties and empty sort values included', async () => {
    const { admin, pipelineId, stage } = await aSalesDesk(t);
    // More than two export pages (1,000 leads each), written directly: the API would take minutes.
    // Every seventh lead has no expected close date (sorted last); the rest share 30 dates.
    const total = 2_345;
    await sql`
      insert into leads (workspace_id, title, pipeline_id, stage_id, stage_entered_at, status,
        currency, probability, expected_close_date, custom_fields, created_at, updated_at)
      select ${admin.workspaceId}::uuid, 'Bulk ' || n, ${pipelineId}::uuid, ${stage.new!.id}::uuid,
        now(), 'open', 'EUR', 10,
        case when n % 7 = 0 then null else date '2026-06-01' + (n % 30) end,
        '{}'::jsonb, now(), now()
      from generate_series(1, ${total}::int) n`.execute(t.db);

    const exported = await t.app.inject({
      method: 'GET',
      url: '/api/exports/leads.csv?sort=expectedCloseDate',
      headers: as(admin),
    });
    const rows = parse<Record<string, string>>(exported.body, { bom: true, columns: true });
    expect(rows).toHaveLength(total);
    expect(new Set(rows.map((row) => row.ID)).size).toBe(total);
    const { rows: expected } = await sql<{ id: string }>`
      select id from leads where workspace_id = ${admin.workspaceId}::uuid
      order by coalesce(expected_close_date, 'infinity'::date), id`.execute(t.db);
    expect(rows.map((row) => row.ID)).toEqual(expected.map((row) => row.id));
    expect(rows.at(-1)!['Expected Close Date']).toBe('');
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

describe('CSV export of activities', () => {
  it('exports the timeline with lead, contact and author names, filtered and paged', async () => {
    const { admin } = await aSalesDesk(t);
    const agent = await aMember(t, admin, 'agent', 'Ana Agent');
    const lead = (
      await t.app.inject({
        method: 'POST',
        url: '/api/leads',
        headers: as(admin),
        payload: {
          title: 'Kitchen remodel',
          contact: { firstName: 'Jonas', lastName: 'Weber' },
          assigneeId: agent.userId,
        },
      })
    ).json<{ id: string; contactId: string }>();
    const other = (
      await t.app.inject({
        method: 'POST',
        url: '/api/leads',
        headers: as(admin),
        payload: { title: 'Garden shed' },
      })
    ).json<{ id: string }>();
    const log = (session: typeof admin, leadId: string, payload: Record<string, unknown>) => {
      t.clock.advance(60_000);
      return t.app.inject({
        method: 'POST',
        url: `/api/leads/${leadId}/activities`,
        headers: as(session),
        payload,
      });
    };
    await log(agent, lead.id, {
      type: 'call',
      outcome: 'spoke',
      body: 'Wants oak',
      durationMinutes: 12,
    });
    await log(admin, lead.id, { type: 'note', body: '=cmd|calc' });
    await log(admin, other.id, { type: 'email', subject: 'Quote for the shed' });

    const csv = async (query = '', session = admin) => {
      const response = await t.app.inject({
        method: 'GET',
        url: `/api/exports/activities.csv${query}`,
        headers: as(session),
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
      return parse<Record<string, string>>(response.body, { bom: true, columns: true });
    };
    // The server's own entries (lead created, …) come too; the logged ones, newest first:
    const all = (await csv()).filter((row) => row.Type !== 'system');
    expect(all.map((row) => row.Type)).toEqual(['email', 'note', 'call']);
    expect(all[2]).toMatchObject({
      Type: 'call',
      Outcome: 'spoke',
      Body: 'Wants oak',
      'Duration (min)': '12',
      Lead: 'Kitchen remodel',
      Contact: 'Jonas Weber',
      'Logged By': 'Ana Agent',
    });
    expect(all[1]!.Body).toBe("'=cmd|calc");

    const ofLead = (await csv(`?leadId=${lead.id}`)).filter((row) => row.Type !== 'system');
    expect(ofLead.map((row) => row.Type)).toEqual(['note', 'call']);
    expect((await csv(`?contactId=${lead.contactId}&type=call`)).map((row) => row.Body)).toEqual([
      'Wants oak',
    ]);
    const since = encodeURIComponent(new Date(t.clock.now().getTime() - 30_000).toISOString());
    expect((await csv(`?from=${since}`)).map((row) => row.Type)).toEqual(['email']);

    // Another workspace's lead is not found.
    const stranger = (await aSalesDesk(t)).admin;
    const theirs = await t.app.inject({
      method: 'GET',
      url: `/api/exports/activities.csv?leadId=${lead.id}`,
      headers: as(stranger),
    });
    expect(theirs.statusCode).toBe(404);
  });

  it('walks every page of a long timeline', async () => {
    const { admin } = await aSalesDesk(t);
    const lead = (
      await t.app.inject({
        method: 'POST',
        url: '/api/leads',
        headers: as(admin),
        payload: { title: 'Busy' },
      })
    ).json<{ id: string }>();
    await sql`insert into activities (workspace_id, lead_id, type, body, occurred_at, created_at)
      select ${admin.workspaceId}::uuid, ${lead.id}::uuid, 'note', 'Note ' || n,
        now() - n * interval '1 minute', now()
      from generate_series(1, 1250) n`.execute(t.db);
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/exports/activities.csv?leadId=${lead.id}&type=note`,
      headers: as(admin),
    });
    const rows = parse<Record<string, string>>(response.body, { bom: true, columns: true });
    // More than one export page.
    expect(rows).toHaveLength(1250);
    expect(new Set(rows.map((row) => row.ID)).size).toBe(1250);
    expect(rows[0]!.Body).toBe('Note 1');
    expect(rows.at(-1)!.Body).toBe('Note 1250');
  });
});
