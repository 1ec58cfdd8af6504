// Boots the app on a fresh copy of the migrated test database, with a manual clock.
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { inject } from 'vitest';
import { buildApp, type BuildAppOptions } from '../../src/server/app.js';
import { ManualClock } from '../../src/server/platform/clock.js';
import { loadConfig, type Config } from '../../src/server/platform/config.js';
import {
  PGLITE_EXTENSIONS,
  PGLITE_PARSERS,
  openDatabase,
  wrapPGlite,
  type Database,
} from '../../src/server/platform/db/database.js';
import type { Role } from '../../src/server/platform/db/schema.js';
import type { App } from '../../src/server/platform/http/types.js';
import { adminUrl } from './global-setup.js';

export const PASSWORD = 'correct-horse-battery';

export async function openTestDatabase(): Promise<Database> {
  const testDatabaseUrl = process.env.TEST_DATABASE_URL;
  if (testDatabaseUrl) {
    const { url, drop } = await createPostgresTestDatabase(testDatabaseUrl);
    const database = await openDatabase({ databaseUrl: url, dataDir: '' });
    return {
      ...database,
      close: async () => {
        await database.close();
        await drop();
      },
    };
  }
  const snapshot = new Blob([readFileSync(inject('pgliteSnapshot'))]);
  const client = await PGlite.create({
    parsers: PGLITE_PARSERS,
    extensions: PGLITE_EXTENSIONS,
    loadDataDir: snapshot,
  });
  return wrapPGlite(client);
}

/** A fresh PostgreSQL database copied from the migrated template. */
export async function createPostgresTestDatabase(testDatabaseUrl: string) {
  const name = `lk_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  await admin.query(`create database ${name} template ${inject('postgresTemplate')}`);
  return {
    url: adminUrl(testDatabaseUrl, name),
    drop: async () => {
      // The app's pool has closed; a plain drop waits for its last sockets to go away.
      for (let attempt = 1; ; attempt += 1) {
        try {
          await admin.query(`drop database if exists ${name}`);
          break;
        } catch (error) {
          if (attempt >= 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      await admin.end();
    },
  };
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: 'memory://', ...env });
}

export async function createTestApp(
  options: {
    env?: Record<string, string>;
    beforeReady?: (app: App) => void;
    logger?: BuildAppOptions['logger'];
  } = {},
) {
  const database = await openTestDatabase();
  const clock = new ManualClock(new Date('2026-03-02T09:00:00Z'));
  const config = testConfig(options.env);
  const { app, services, routes } = await buildApp({
    config,
    database,
    clock,
    logger: options.logger ?? false,
  });
  options.beforeReady?.(app);
  await app.ready();
  return {
    app,
    services,
    routes,
    db: database.db,
    kind: database.kind,
    clock,
    config,
    /** Runs every queued job that is due, here and now (no workers run in tests). */
    runJobs: () => services.jobs.drain(),
    /** Enqueues the schedules' current slots (from the test clock) and runs every due job. */
    async runSchedules() {
      await services.schedules.tick();
      return services.jobs.drain();
    },
    async close() {
      await app.close();
      await database.close();
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

/** A signed-in browser-like caller: sends the session cookie and the CSRF token. */
export interface Session {
  cookie: string;
  csrfToken: string;
  userId: string;
  workspaceId: string;
}

export function json<T = Record<string, unknown>>(response: LightMyRequestResponse): T {
  return response.json<T>();
}

export async function signIn(t: TestApp, email: string, password = PASSWORD): Promise<Session> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email, password },
  });
  if (response.statusCode !== 200) {
    throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
  }
  const cookie = response.cookies.find((c) => c.name === 'lk_session');
  if (!cookie) throw new Error('no session cookie');
  const body = response.json<{
    csrfToken: string;
    user: { id: string };
    workspace: { id: string };
  }>();
  return {
    cookie: `lk_session=${cookie.value}`,
    csrfToken: body.csrfToken,
    userId: body.user.id,
    workspaceId: body.workspace.id,
  };
}

/** Request options for a signed-in caller (cookie + CSRF header). */
export function as(session: Session) {
  return { cookie: session.cookie, 'x-csrf-token': session.csrfToken };
}

let counter = 0;
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  // Digits only after the prefix, so name searches in tests never match an email by chance.
  return `${prefix}.${counter}.${randomInt(1e9)}@example.test`;
}

/** A workspace with its admin, signed in. */
export async function aWorkspace(t: TestApp, name = 'Acme Orthodontics') {
  const email = uniqueEmail('admin');
  await t.db.transaction().execute(async (trx) => {
    const user = await t.services.users.insertUserWithPassword(trx, {
      email,
      name: 'Ada Admin',
      password: PASSWORD,
    });
    await t.services.workspaces.createWorkspaceFor(trx, user.id, {
      name,
      timeZone: 'Europe/Berlin',
      locale: 'de-DE',
      currency: 'EUR',
      country: 'DE',
      businessHours: { '1': [{ start: '09:00', end: '17:00' }] },
    });
  });
  const admin = await signIn(t, email);
  return { admin, adminEmail: email, workspaceId: admin.workspaceId };
}

/** Adds a member with a role and a password to the admin's workspace and signs them in. */
export async function aMember(t: TestApp, admin: Session, role: Role, name = `A ${role}`) {
  const email = uniqueEmail(role);
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/users',
    headers: as(admin),
    payload: { email, name, role, password: PASSWORD },
  });
  if (response.statusCode !== 201) throw new Error(`add member failed: ${response.body}`);
  const session = await signIn(t, email);
  return { ...session, email };
}
