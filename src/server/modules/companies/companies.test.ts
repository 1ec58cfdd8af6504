import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aWorkspace, as, createTestApp, type TestApp } from '../../../../test/support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('companies', () => {
  it('creates, changes, archives and restores a company', async () => {
    const { admin } = await aWorkspace(t);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/companies',
      headers: as(admin),
      payload: {
        name: 'Bäckerei Schmidt',
        mainPhone: '089 1234567',
        website: 'https://schmidt.example',
      },
    });
    expect(created.statusCode).toBe(201);
    const company = created.json<{ id: string; version: number }>();
    expect(created.json()).toMatchObject({
      type: 'business',
      status: 'prospect',
      mainPhoneE164: '+49891234567',
    });
    const changed = await t.app.inject({
      method: 'PATCH',
      url: `/api/companies/${company.id}`,
      headers: { ...as(admin), 'if-match': `"${company.version}"` },
      payload: { status: 'active_customer', industry: 'Bakery' },
    });
    expect(changed.json()).toMatchObject({ status: 'active_customer', industry: 'Bakery' });
    const archived = await t.app.inject({
      method: 'DELETE',
      url: `/api/companies/${company.id}`,
      headers: as(admin),
    });
    expect(archived.json().archived).toBe(true);
    const list = await t.app.inject({
      method: 'GET',
      url: '/api/companies?q=schmidt',
      headers: as(admin),
    });
    expect(list.json().items).toEqual([]);
    const withArchived = await t.app.inject({
      method: 'GET',
      url: '/api/companies?q=schmidt&includeArchived=true',
      headers: as(admin),
    });
    expect(withArchived.json().items).toHaveLength(1);
    const restored = await t.app.inject({
      method: 'POST',
      url: `/api/companies/${company.id}/restore`,
      headers: as(admin),
    });
    expect(restored.json().archived).toBe(false);
  });

  it('refuses an invalid phone, website or primary contact with 422', async () => {
    const { admin } = await aWorkspace(t);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/companies',
      headers: as(admin),
      payload: { name: 'X', website: 'not a url' },
    });
    expect(response.statusCode).toBe(422);
    const phone = await t.app.inject({
      method: 'POST',
      url: '/api/companies',
      headers: as(admin),
      payload: { name: 'X', mainPhone: '999' },
    });
    expect(phone.json().errors).toEqual([
      { field: 'mainPhone', message: 'Not a valid phone number.' },
    ]);
    const contact = await t.app.inject({
      method: 'POST',
      url: '/api/companies',
      headers: as(admin),
      payload: { name: 'X', primaryContactId: '00000000-0000-4000-8000-000000000000' },
    });
    expect(contact.statusCode).toBe(422);
    expect(contact.json().errors[0].field).toBe('primaryContactId');
  });
});
