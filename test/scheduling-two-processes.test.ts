// Exactly-once scheduling across instances: two real Node processes on one PostgreSQL database,
// each ticking the scheduler and running job workers; every one-second slot must run once.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/server/platform/db/database.js';
import { createPostgresTestDatabase } from './support/test-app.js';

const testDatabaseUrl = process.env.TEST_DATABASE_URL;
const script = fileURLToPath(new URL('./support/scheduler-process.ts', import.meta.url));

function runProcess(databaseUrl: string) {
  return new Promise<{ pid: number; claimed: number }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, DATABASE_URL: databaseUrl, RUN_SECONDS: '6' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`scheduler process exited with ${code}: ${err}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1)!) as { pid: number; claimed: number });
    });
  });
}

describe.skipIf(!testDatabaseUrl)(
  'exactly-once scheduling with two processes (PostgreSQL only: on PGlite one process owns the database)',
  () => {
    it('runs each slot of a schedule once while two server processes tick and work', async () => {
      const { url, drop } = await createPostgresTestDatabase(testDatabaseUrl!);
      const database = await openDatabase({ databaseUrl: url, dataDir: '' });
      try {
        await sql`create table schedule_probe (slot timestamptz not null, pid integer not null)`.execute(
          database.db,
        );
        const results = await Promise.all([runProcess(url), runProcess(url)]);
        const { rows } = await sql<{ slot: Date; runs: number; pids: number[] }>`
          select slot, count(*)::int as runs, array_agg(distinct pid) as pids
          from schedule_probe group by slot order by slot`.execute(database.db);
        const claimedSlots = await database.db
          .selectFrom('schedule_slots')
          .select('slot')
          .where('name', '=', 'two-process-probe')
          .execute();

        // Both processes ran the whole time and raced for the same slots…
        expect(results[0].pid).not.toBe(results[1].pid);
        expect(rows.length).toBeGreaterThanOrEqual(4);
        // …and every slot ran exactly once, whoever claimed it.
        expect(rows.filter((row) => row.runs !== 1)).toEqual([]);
        const { rows: jobs } = await sql<{ state: string; jobs: number }>`
          select state, count(*)::int as jobs from pgboss.job
          where name = 'schedule-two-process-probe' group by state`.execute(database.db);
        expect(jobs).toEqual([{ state: 'completed', jobs: rows.length }]);
        // The slots recorded as claimed (the last ten periods are kept) all ran.
        const ran = new Set(rows.map((row) => new Date(row.slot).getTime()));
        expect(claimedSlots.filter((c) => !ran.has(new Date(c.slot).getTime()))).toEqual([]);
      } finally {
        await database.close();
        await drop();
      }
    }, 60_000);
  },
);
