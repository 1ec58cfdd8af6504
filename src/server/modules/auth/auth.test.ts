import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PASSWORD,
  aMember,
  aWorkspace,
  as,
  createTestApp,
  signIn,
  type TestApp,
} from '../../../../test/support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { LOGIN_MAX_PER_ACCOUNT: '3', LOGIN_MAX_PER_IP: '1000' } });
});
afterAll(async () => t.close());

describe('sign-in', () => {
  it('signs in with the right password and returns user, workspace and a CSRF token', async () => {
    const { adminEmail } = await aWorkspace(t, 'Sunrise Dental');
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: adminEmail.toUpperCase(), password: PASSWORD },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.user.email).toBe(adminEmail);
    expect(body.workspace.name).toBe('Sunrise Dental');
    expect(body.csrfToken).toEqual(expect.any(String));
    const cookie = response.cookies.find((c) => c.name === 'lk_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie?.secure).toBeFalsy();
  });

  it('marks the cookie Secure when the request came over HTTPS behind a trusted proxy', async () => {
    const proxied = await createTestApp({ env: { TRUST_PROXY: 'true' } });
    try {
      const { adminEmail } = await aWorkspace(proxied);
      const response = await proxied.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'x-forwarded-proto': 'https' },
        payload: { email: adminEmail, password: PASSWORD },
      });
      expect(response.cookies.find((c) => c.name === 'lk_session')?.secure).toBe(true);
    } finally {
      await proxied.close();
    }
  });

  it('answers a wrong password and an unknown email with the same 401', async () => {
    const { adminEmail } = await aWorkspace(t);
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: adminEmail, password: 'not-the-password' },
    });
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'nobody@example.test', password: 'not-the-password' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.headers['content-type']).toContain('application/problem+json');
    expect(wrong.json().detail).toBe(unknown.json().detail);
    expect(wrong.cookies).toHaveLength(0);
  });

  it('throttles repeated failed sign-ins to one account with 429 and Retry-After', async () => {
    const { adminEmail } = await aWorkspace(t);
    const attempt = (password: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: adminEmail, password },
      });
    for (let i = 0; i < 3; i += 1) expect((await attempt('wrong-password')).statusCode).toBe(401);
    const blocked = await attempt(PASSWORD);
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.json().title).toBe('Too many requests');
  });

  it('throttles sign-in attempts per IP address', async () => {
    const strict = await createTestApp({ env: { LOGIN_MAX_PER_IP: '2' } });
    try {
      const attempt = () =>
        strict.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email: 'someone@example.test', password: 'whatever-it-is' },
        });
      expect((await attempt()).statusCode).toBe(401);
      expect((await attempt()).statusCode).toBe(401);
      expect((await attempt()).statusCode).toBe(429);
    } finally {
      await strict.close();
    }
  });

  it('refuses a deactivated member with the same 401 as a wrong password', async () => {
    const { admin } = await aWorkspace(t);
    const agent = await aMember(t, admin, 'agent');
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${agent.userId}`,
      headers: as(admin),
      payload: { active: false },
    });
    expect(patch.statusCode).toBe(200);
    // The open session stops at once…
    const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: as(agent) });
    expect(me.statusCode).toBe(401);
    // …and signing in again finds no active workspace.
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: agent.email, password: PASSWORD },
    });
    expect(again.statusCode).toBe(403);
  });
});

describe('sessions', () => {
  it('GET /api/me returns user, workspace, workspaces, role, permissions and csrfToken', async () => {
    const { admin } = await aWorkspace(t, 'Northside Realty');
    const response = await t.app.inject({ method: 'GET', url: '/api/me', headers: as(admin) });
    expect(response.statusCode).toBe(200);
    const me = response.json();
    expect(me.workspace.name).toBe('Northside Realty');
    expect(me.workspaces).toEqual([
      { id: admin.workspaceId, name: 'Northside Realty', role: 'admin' },
    ]);
    expect(me.role).toBe('admin');
    expect(me.permissions).toContain('user:manage');
    expect(me.csrfToken).toBe(admin.csrfToken);
  });

  it('answers 401 problem+json with no credentials', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/me' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ status: 401, title: 'Authentication required' });
  });

  it('stops a signed-out session at once', async () => {
    const { admin } = await aWorkspace(t);
    const logout = await t.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: as(admin),
    });
    expect(logout.statusCode).toBe(204);
    const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: as(admin) });
    expect(me.statusCode).toBe(401);
  });

  it('refuses a cookie-authenticated write without the CSRF token', async () => {
    const { admin } = await aWorkspace(t);
    const noToken = await t.app.inject({
      method: 'POST',
      url: '/api/api-tokens',
      headers: { cookie: admin.cookie },
      payload: { name: 'zapier' },
    });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json().detail).toMatch(/CSRF/);
    const wrongToken = await t.app.inject({
      method: 'POST',
      url: '/api/api-tokens',
      headers: { cookie: admin.cookie, 'x-csrf-token': 'forged' },
      payload: { name: 'zapier' },
    });
    expect(wrongToken.statusCode).toBe(403);
    const withToken = await t.app.inject({
      method: 'POST',
      url: '/api/api-tokens',
      headers: as(admin),
      payload: { name: 'zapier' },
    });
    expect(withToken.statusCode).toBe(201);
  });

  it('expires a session after the idle timeout and after the absolute lifetime', async () => {
    const { admin, adminEmail } = await aWorkspace(t);
    const me = () => t.app.inject({ method: 'GET', url: '/api/me', headers: as(admin) });
    t.clock.advance((t.config.session.idleMinutes - 5) * 60_000);
    expect((await me()).statusCode).toBe(200); // activity keeps it alive
    t.clock.advance((t.config.session.idleMinutes - 5) * 60_000);
    expect((await me()).statusCode).toBe(200);
    t.clock.advance((t.config.session.idleMinutes + 1) * 60_000);
    expect((await me()).statusCode).toBe(401);

    const fresh = await signIn(t, adminEmail);
    const step = (t.config.session.idleMinutes - 1) * 60_000;
    const lifetime = t.config.session.maxDays * 24 * 60 * 60_000;
    for (let elapsed = 0; elapsed + step < lifetime; elapsed += step) {
      t.clock.advance(step);
      expect(
        (await t.app.inject({ method: 'GET', url: '/api/me', headers: as(fresh) })).statusCode,
      ).toBe(200);
    }
    t.clock.advance(step);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/me', headers: as(fresh) })).statusCode,
    ).toBe(401);
  });

  it('switches the session to another workspace of the same person', async () => {
    const first = await aWorkspace(t, 'First Co');
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/workspaces',
      headers: as(first.admin),
      payload: { name: 'Second Co', timeZone: 'America/New_York', currency: 'usd' },
    });
    expect(created.statusCode).toBe(201);
    const second = created.json<{ id: string; currency: string }>();
    expect(second.currency).toBe('USD');
    const switched = await t.app.inject({
      method: 'POST',
      url: '/api/me/workspace',
      headers: as(first.admin),
      payload: { workspaceId: second.id },
    });
    expect(switched.statusCode).toBe(200);
    expect(switched.json().workspace.name).toBe('Second Co');
    expect(switched.json().workspaces).toHaveLength(2);
    const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: as(first.admin) });
    expect(me.json().workspace.id).toBe(second.id);
  });

  it('will not switch to a workspace the person does not belong to', async () => {
    const mine = await aWorkspace(t);
    const theirs = await aWorkspace(t);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/me/workspace',
      headers: as(mine.admin),
      payload: { workspaceId: theirs.workspaceId },
    });
    expect(response.statusCode).toBe(404);
  });
});

describe('creating workspaces', () => {
  it('can be limited to instance admins by an instance setting', async () => {
    const limited = await createTestApp({ env: { WORKSPACE_CREATION: 'instance_admins' } });
    try {
      const { admin } = await aWorkspace(limited); // a workspace admin, not an instance admin
      const refused = await limited.app.inject({
        method: 'POST',
        url: '/api/workspaces',
        headers: as(admin),
        payload: { name: 'Side business' },
      });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().detail).toContain('instance admins');
    } finally {
      await limited.close();
    }
  });
});
