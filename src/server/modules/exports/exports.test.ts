import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
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
