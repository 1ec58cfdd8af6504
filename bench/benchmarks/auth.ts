// auth: what resolving the caller costs. GET /api/health is the framework's ceiling (no auth, no
// database); GET /api/me is measured once with the session cookie and once with a Bearer token.
import type { Benchmark, RunningServer, Scenario } from '../harness.js';

const SESSION_COOKIE = 'lk_session';

interface LoginBody {
  csrfToken: string;
}

interface CreatedTokenBody {
  token: string;
}

interface MeBody {
  user: { email: string };
}

async function expectStatus(response: Response, status: number, what: string): Promise<unknown> {
  const text = await response.text();
  if (response.status !== status) {
    throw new Error(
      `${what} answered ${response.status} (expected ${status}): ${text.slice(0, 300)}`,
    );
  }
  return JSON.parse(text) as unknown;
}

/** Signs in once (login is throttled and slow on purpose) and returns the session cookie. */
async function signIn(server: RunningServer): Promise<{ cookie: string; csrfToken: string }> {
  const response = await fetch(`${server.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(server.admin),
  });
  const body = (await expectStatus(response, 200, 'POST /api/auth/login')) as LoginBody;
  const cookie = response.headers
    .getSetCookie()
    .map((header) => header.split(';')[0] ?? '')
    .find((pair) => pair.startsWith(`${SESSION_COOKIE}=`));
  if (!cookie) throw new Error(`POST /api/auth/login set no ${SESSION_COOKIE} cookie`);
  return { cookie, csrfToken: body.csrfToken };
}

async function createApiToken(
  server: RunningServer,
  session: { cookie: string; csrfToken: string },
): Promise<string> {
  const response = await fetch(`${server.baseUrl}/api/api-tokens`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      cookie: session.cookie,
      'x-csrf-token': session.csrfToken,
    },
    body: JSON.stringify({ name: 'bench' }),
  });
  const body = (await expectStatus(response, 201, 'POST /api/api-tokens')) as CreatedTokenBody;
  return body.token;
}

/** Both credentials must resolve to the admin, or the load would measure refusals. */
async function expectMe(server: RunningServer, headers: Record<string, string>, via: string) {
  const response = await fetch(`${server.baseUrl}/api/me`, { headers });
  const me = (await expectStatus(response, 200, `GET /api/me (${via})`)) as MeBody;
  if (me.user.email !== server.admin.email) {
    throw new Error(`GET /api/me (${via}) answered user ${me.user.email}`);
  }
}

export const authBenchmark: Benchmark = {
  name: 'auth',
  description: 'GET /api/health (ceiling) vs GET /api/me with a session cookie and a Bearer token',
  async prepare(server) {
    const session = await signIn(server);
    const token = await createApiToken(server, session);
    const cookieHeaders = { cookie: session.cookie };
    const bearerHeaders = { authorization: `Bearer ${token}` };
    await expectMe(server, cookieHeaders, 'cookie');
    await expectMe(server, bearerHeaders, 'bearer');
    const scenarios: Scenario[] = [
      { name: 'GET /api/health', path: '/api/health', isCeiling: true },
      { name: 'GET /api/me (cookie)', path: '/api/me', headers: cookieHeaders },
      { name: 'GET /api/me (bearer)', path: '/api/me', headers: bearerHeaders },
    ];
    return scenarios;
  },
};
