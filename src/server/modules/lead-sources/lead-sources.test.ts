import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aMember,
  aWorkspace,
  as,
  createTestApp,
  type TestApp,
} from '../../../../test/support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('lead sources', () => {
  it('creates, lists, changes with If-Match and archives sources', async () => {
    const { admin } = await aWorkspace(t);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/lead-sources',
      headers: as(admin),
      payload: { name: 'Dr. Meyer referrals', category: 'doctor_referral', monthlyCost: 0 },
    });
    expect(created.statusCode).toBe(201);
    const source = created.json<{ id: string; version: number }>();
    const ads = await t.app.inject({
      method: 'POST',
      url: '/api/lead-sources',
      headers: as(admin),
      payload: { name: 'Google Ads', category: 'web_paid', monthlyCost: 150_000 },
    });
    expect(ads.json()).toMatchObject({ name: 'Google Ads', monthlyCost: 150_000, active: true });

    const stale = await t.app.inject({
      method: 'PATCH',
      url: `/api/lead-sources/${source.id}`,
      headers: { ...as(admin), 'if-match': `"${source.version + 1}"` },
      payload: { monthlyCost: 5000 },
    });
    expect(stale.statusCode).toBe(412);
    const archived = await t.app.inject({
      method: 'DELETE',
      url: `/api/lead-sources/${source.id}`,
      headers: { ...as(admin), 'if-match': `"${source.version}"` },
    });
    expect(archived.json()).toMatchObject({ active: false, version: source.version + 1 });

    const active = await t.app.inject({
      method: 'GET',
      url: '/api/lead-sources?active=true',
      headers: as(admin),
    });
    expect(active.json<{ items: { name: string }[] }>().items.map((s) => s.name)).toEqual([
      'Google Ads',
    ]);
    const all = await t.app.inject({ method: 'GET', url: '/api/lead-sources', headers: as(admin) });
    expect(all.json<{ items: unknown[] }>().items).toHaveLength(2);

    const audit = await t.app.inject({
      method: 'GET',
      url: `/api/audit-log?entityType=lead_source&entityId=${source.id}`,
      headers: as(admin),
    });
    expect(
      audit
        .json<{ items: { action: string }[] }>()
        .items.map((e) => e.action)
        .sort(),
    ).toEqual(['lead_source.archived', 'lead_source.created']);
  });

  it('refuses unknown categories, fractional costs and duplicate names', async () => {
    const { admin } = await aWorkspace(t);
    const invalid = await t.app.inject({
      method: 'POST',
      url: '/api/lead-sources',
      headers: as(admin),
      payload: { name: 'Billboard', category: 'billboard', monthlyCost: 12.5 },
    });
    expect(invalid.statusCode).toBe(422);
    expect(
      invalid
        .json<{ errors: { field: string }[] }>()
        .errors.map((e) => e.field)
        .sort(),
    ).toEqual(['category', 'monthlyCost']);
    const payload = { name: 'Walk-ins', category: 'walk_in' };
    await t.app.inject({ method: 'POST', url: '/api/lead-sources', headers: as(admin), payload });
    const duplicate = await t.app.inject({
      method: 'POST',
      url: '/api/lead-sources',
      headers: as(admin),
      payload: { ...payload, name: 'WALK-INS' },
    });
    expect(duplicate.statusCode).toBe(409);
  });

  it('lets agents read sources but not change them', async () => {
    const { admin } = await aWorkspace(t);
    const agent = await aMember(t, admin, 'agent');
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/lead-sources', headers: as(agent) }))
        .statusCode,
    ).toBe(200);
    const write = await t.app.inject({
      method: 'POST',
      url: '/api/lead-sources',
      headers: as(agent),
      payload: { name: 'Mine' },
    });
    expect(write.statusCode).toBe(403);
  });
});
