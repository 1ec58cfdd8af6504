import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aWorkspace, as, createTestApp, type TestApp } from '../../../../test/support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('lost reasons', () => {
  it('keeps an ordered list that can be renamed, reordered and archived', async () => {
    const { admin } = await aWorkspace(t);
    const ids: string[] = [];
    for (const name of ['Price too high', 'Chose a competitor', 'No response']) {
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/lost-reasons',
        headers: as(admin),
        payload: { name },
      });
      expect(created.statusCode).toBe(201);
      ids.push(created.json<{ id: string }>().id);
    }
    const list = async (query = '') =>
      (await t.app.inject({ method: 'GET', url: `/api/lost-reasons${query}`, headers: as(admin) }))
        .json<{ items: { name: string; position: number }[] }>()
        .items.map((r) => `${r.position}:${r.name}`);
    expect(await list()).toEqual(['0:Price too high', '1:Chose a competitor', '2:No response']);

    await t.app.inject({
      method: 'PATCH',
      url: `/api/lost-reasons/${ids[2]}`,
      headers: as(admin),
      payload: { position: 0, name: 'Never answered' },
    });
    await t.app.inject({
      method: 'DELETE',
      url: `/api/lost-reasons/${ids[0]}`,
      headers: as(admin),
    });
    expect(await list('?active=true')).toEqual(['0:Never answered', '1:Chose a competitor']);
  });

  it('answers 404 for an unknown reason and 422 for an empty name', async () => {
    const { admin } = await aWorkspace(t);
    const missing = await t.app.inject({
      method: 'GET',
      url: '/api/lost-reasons/00000000-0000-4000-8000-000000000000',
      headers: as(admin),
    });
    expect(missing.statusCode).toBe(404);
    const empty = await t.app.inject({
      method: 'POST',
      url: '/api/lost-reasons',
      headers: as(admin),
      payload: { name: '   ' },
    });
    expect(empty.statusCode).toBe(422);
  });
});
