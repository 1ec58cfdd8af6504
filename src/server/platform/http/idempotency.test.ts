import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aMember,
  aWorkspace,
  as,
  createTestApp,
  uniqueEmail,
  type TestApp,
} from '../../../../test/support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('Idempotency-Key', () => {
  it('replays the first response to a retried POST and does the work once', async () => {
    const { admin } = await aWorkspace(t);
    const payload = { email: uniqueEmail(), name: 'Retry Rita', role: 'agent' };
    const send = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/users',
        headers: { ...as(admin), 'idempotency-key': 'add-rita-1' },
        payload,
      });
    const first = await send();
    const second = await send();
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json()).toEqual(first.json());
    const list = await t.app.inject({
      method: 'GET',
      url: '/api/users?q=Rita',
      headers: as(admin),
    });
    expect(list.json().items).toHaveLength(1);
  });

  it('refuses the same key for a different request with 422', async () => {
    const { admin } = await aWorkspace(t);
    const send = (name: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/api-tokens',
        headers: { ...as(admin), 'idempotency-key': 'token-key' },
        payload: { name },
      });
    expect((await send('first')).statusCode).toBe(201);
    const other = await send('second');
    expect(other.statusCode).toBe(422);
    expect(other.json().detail).toContain('different request');
  });

  it('lets a corrected retry run after an error, and scopes keys per person', async () => {
    const { admin } = await aWorkspace(t);
    const manager = await aMember(t, admin, 'manager');
    const invalid = await t.app.inject({
      method: 'POST',
      url: '/api/api-tokens',
      headers: { ...as(admin), 'idempotency-key': 'shared-key' },
      payload: { name: '' },
    });
    expect(invalid.statusCode).toBe(422);
    const corrected = await t.app.inject({
      method: 'POST',
      url: '/api/api-tokens',
      headers: { ...as(admin), 'idempotency-key': 'shared-key' },
      payload: { name: 'fixed name' },
    });
    expect(corrected.statusCode).toBe(201);
    expect(corrected.headers['idempotent-replayed']).toBeUndefined();
    const byAdmin = await t.app.inject({
      method: 'POST',
      url: '/api/api-tokens',
      headers: { ...as(admin), 'idempotency-key': 'another-key' },
      payload: { name: 'same name' },
    });
    const byManager = await t.app.inject({
      method: 'POST',
      url: '/api/api-tokens',
      headers: { ...as(manager), 'idempotency-key': 'another-key' },
      payload: { name: 'same name' },
    });
    expect(byManager.statusCode).toBe(201);
    expect(byManager.headers['idempotent-replayed']).toBeUndefined();
    expect(byManager.json().id).not.toBe(byAdmin.json().id);
  });

  it('forgets a key after 24 hours', async () => {
    const { admin } = await aWorkspace(t);
    // A token, because a session would idle out over a day.
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/api-tokens',
      headers: as(admin),
      payload: { name: 'nightly job' },
    });
    const headers = { authorization: `Bearer ${created.json().token}`, 'idempotency-key': 'daily' };
    const send = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/api-tokens',
        headers,
        payload: { name: 'export' },
      });
    const first = await send();
    expect((await send()).headers['idempotent-replayed']).toBe('true');
    t.clock.advance(25 * 60 * 60_000);
    const later = await send();
    expect(later.statusCode).toBe(201);
    expect(later.headers['idempotent-replayed']).toBeUndefined();
    expect(later.json().id).not.toBe(first.json().id);
  });
});
