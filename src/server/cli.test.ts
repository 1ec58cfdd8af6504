// The leadkeeper command, run as a real process against a real database.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from './app.js';
import { ManualClock } from './platform/clock.js';
import { openDatabase } from './platform/db/database.js';
import { migrateToLatest } from './platform/db/migrate.js';
import { PASSWORD, createPostgresTestDatabase, testConfig } from '../../test/support/test-app.js';

const run = promisify(execFile);
let env: Record<string, string>;
let cleanup: () => Promise<void>;

async function withServices<T>(fn: (services: ReturnType<typeof createServices>) => Promise<T>) {
  const config = testConfig(env);
  const database = await openDatabase(config);
  try {
    await migrateToLatest(database.db);
    return await fn(createServices({ db: database.db, clock: new ManualClock(), config }));
  } finally {
    await database.close();
  }
}

function cli(...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', ...args], {
    env: { ...process.env, ...env, LOG_LEVEL: 'silent' },
    timeout: 60_000,
  });
}

beforeAll(async () => {
  if (process.env.TEST_DATABASE_URL) {
    const created = await createPostgresTestDatabase(process.env.TEST_DATABASE_URL);
    env = { DATABASE_URL: created.url };
    cleanup = created.drop;
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), 'lk-cli-'));
    env = { DATA_DIR: dir };
    cleanup = () => Promise.resolve(rmSync(dir, { recursive: true, force: true }));
  }
  await withServices((services) => services.demo.loadDemo());
});
afterAll(async () => cleanup());

describe('leadkeeper CLI', () => {
  it('lists its commands in --help', async () => {
    const { stdout } = await cli('--help');
    for (const command of [
      'start',
      'migrate',
      'create-user',
      'reset-password',
      'create-api-token',
    ]) {
      expect(stdout).toContain(command);
    }
  });

  it('migrates, creates a user and an API token that authenticates', async () => {
    expect((await cli('migrate')).stdout).toContain('up to date');
    const created = await cli(
      'create-user',
      '--email',
      'new.agent@demo.test',
      '--name',
      'New Agent',
      '--role',
      'agent',
      '--password',
      PASSWORD,
      '--as',
      'owner@demo.leadkeeper.test',
    );
    expect(created.stdout).toContain('Added new.agent@demo.test as agent');

    const { stdout } = await cli(
      'create-api-token',
      '--email',
      'new.agent@demo.test',
      '--name',
      'scripts',
    );
    const token = stdout.trim().split('\n').at(-1) ?? '';
    expect(token).toMatch(/^lk_/);
    const actor = await withServices((services) =>
      services.apiTokens.authenticateToken(token, { requestId: 'cli-test', ip: '127.0.0.1' }),
    );
    expect(actor).toMatchObject({ role: 'agent', via: 'token' });
  });

  it('resets a password and signs the person out', async () => {
    const client = { ip: '127.0.0.1', userAgent: null };
    const before = await withServices((services) =>
      services.auth.login('owner@demo.leadkeeper.test', 'demo-leadkeeper', client),
    );
    await cli(
      'reset-password',
      '--email',
      'owner@demo.leadkeeper.test',
      '--password',
      'brand-new-password',
    );
    await withServices(async (services) => {
      const old = await services.auth.resolveActor({
        bearerToken: undefined,
        sessionToken: before.sessionToken,
        requestId: 'cli-test',
        ip: '127.0.0.1',
      });
      expect(old).toBeNull();
      await expect(
        services.auth.login('owner@demo.leadkeeper.test', 'brand-new-password', {
          ip: '127.0.0.1',
          userAgent: null,
        }),
      ).resolves.toMatchObject({ user: { email: 'owner@demo.leadkeeper.test' } });
    });
  });

  it('adds people only on behalf of an admin of the workspace', async () => {
    await expect(
      cli(
        'create-user',
        '--email',
        'sneaky@demo.test',
        '--name',
        'Sneaky',
        '--as',
        'frontdesk@demo.leadkeeper.test',
      ),
    ).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('is not an admin') });
  });

  it('fails with a readable message and exit code 1', async () => {
    await expect(
      cli('reset-password', '--email', 'nobody@demo.test', '--password', 'whatever-long'),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('User not found'),
    });
  });
});
