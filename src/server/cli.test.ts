// The leadkeeper command, run as a real process against a real database.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { existsSync, readFileSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
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

describe('leadkeeper backup and restore', () => {
  const isPostgres = Boolean(process.env.TEST_DATABASE_URL);
  const runWith = (extra: Record<string, string>, ...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', ...args], {
      env: { ...process.env, ...env, ...extra, LOG_LEVEL: 'silent' },
      timeout: 60_000,
    });

  it('exports a workspace to JSON Lines and imports it as a new workspace', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lk-export-'));
    try {
      const file = path.join(dir, 'workspace.jsonl');
      const exported = await cli('workspace', 'export', file, '--as', 'owner@demo.leadkeeper.test');
      expect(exported.stdout).toContain(`to ${file}`);
      const [header] = readFileSync(file, 'utf8').split('\n');
      expect(JSON.parse(header!)).toMatchObject({ format: 'leadkeeper-workspace', version: 1 });
      const imported = await cli('workspace', 'import', file, '--as', 'owner@demo.leadkeeper.test');
      expect(imported.stdout).toMatch(/Imported \d+ rows as workspace [0-9a-f-]{36}/);
      const workspaces = await withServices((services) =>
        services.users
          .findUserByEmail('owner@demo.leadkeeper.test')
          .then((user) => services.users.listWorkspacesOf(user!.id)),
      );
      expect(workspaces.length).toBeGreaterThanOrEqual(2);
      await expect(
        cli('workspace', 'export', file, '--as', 'frontdesk@demo.leadkeeper.test'),
      ).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('is not an admin') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it.skipIf(isPostgres)(
    'backs up the embedded database and restores it elsewhere',
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'lk-backup-'));
      try {
        const file = path.join(dir, 'backup.tar.gz');
        const backedUp = await cli('backup', file);
        expect(backedUp.stdout).toContain(`to ${file}`);
        expect(backedUp.stdout).toContain(`${file}.key`);
        expect(existsSync(file)).toBe(true);

        const restoredDir = path.join(dir, 'restored');
        const restored = await runWith({ DATA_DIR: restoredDir }, 'restore', file);
        expect(restored.stdout).toContain('Restored');
        expect(restored.stdout).toContain('encryption key came back');
        // The restored copy holds the demo workspace and its people.
        const database = await openDatabase(testConfig({ DATA_DIR: restoredDir }));
        try {
          const user = await database.db
            .selectFrom('users')
            .select('email')
            .where('email', '=', 'owner@demo.leadkeeper.test')
            .executeTakeFirst();
          expect(user).toBeDefined();
          const leads = await database.db
            .selectFrom('leads')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow();
          expect(Number(leads.n)).toBeGreaterThan(0);
        } finally {
          await database.close();
        }
        expect(readFileSync(path.join(restoredDir, 'encryption.key'), 'utf8')).toBe(
          readFileSync(path.join(env.DATA_DIR!, 'encryption.key'), 'utf8'),
        );

        // A second restore into the same directory needs --force, and keeps the old copy.
        await expect(runWith({ DATA_DIR: restoredDir }, 'restore', file)).rejects.toMatchObject({
          code: 1,
          stderr: expect.stringContaining('--force'),
        });
        const forced = await runWith({ DATA_DIR: restoredDir }, 'restore', file, '--force');
        expect(forced.stdout).toContain('pglite.before-restore-');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );

  it.skipIf(isPostgres)('refuses while a server holds the data directory', async () => {
    const database = await openDatabase(testConfig(env));
    try {
      await expect(cli('backup', path.join(tmpdir(), 'never.tar.gz'))).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining('in use'),
      });
    } finally {
      await database.close();
    }
  });

  it.skipIf(!isPostgres)('points to pg_dump and pg_restore on PostgreSQL', async () => {
    await expect(cli('backup', path.join(tmpdir(), 'never.tar.gz'))).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('pg_dump'),
    });
  });
});

describe('leadkeeper import', () => {
  it('imports a CSV of leads with a mapping file; a dry run first writes nothing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lk-import-'));
    try {
      const csv = path.join(dir, 'leads.csv');
      writeFileSync(csv, 'Kunde,E-Mail\nCli Person,cli.person@example.test\nBad Mail,nope\n');
      const mapping = path.join(dir, 'mapping.json');
      writeFileSync(mapping, JSON.stringify({ Kunde: 'fullName' }));
      const as = ['--as', 'owner@demo.leadkeeper.test'];
      const dry = await cli('import', 'leads', csv, '--mapping', mapping, '--dry-run', ...as);
      expect(dry.stdout).toContain('completed (dry run): 1 would be created');
      const countCli = async () => {
        const database = await openDatabase(testConfig(env));
        try {
          const rows = await database.db
            .selectFrom('leads')
            .select('id')
            .where('title', '=', 'Cli Person')
            .where('import_id', 'is not', null)
            .execute();
          return rows.length;
        } finally {
          await database.close();
        }
      };
      expect(await countCli()).toBe(0);
      const done = await cli('import', 'leads', csv, '--mapping', mapping, ...as);
      expect(done.stdout).toContain('completed: 1 were created, 0 updated');
      expect(done.stdout).toContain('1 failed');
      expect(done.stdout).toContain('row 3, E-Mail:');
      expect(await countCli()).toBe(1);
      await expect(cli('import', 'deals', csv, ...as)).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining('entity'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
