import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/support/test-app.js';
import type { Database } from './db/database.js';
import { createJobs, type JobErrorReport } from './jobs.js';

let database: Database;

beforeEach(async () => {
  database = await openTestDatabase();
});

afterEach(async () => {
  await database.close();
});

async function jobStates(queue: string) {
  const { rows } = await sql<{ state: string; retry_count: number }>`
    select state, retry_count from pgboss.job where name = ${queue} order by created_on`.execute(
    database.db,
  );
  return rows;
}

describe('jobs', () => {
  it('runs a job enqueued by a committed transaction, and never one whose transaction rolled back', async () => {
    const jobs = createJobs(database.db);
    const seen: unknown[] = [];
    jobs.register<{ n: number }>('echo', (data) => {
      seen.push(data.n);
      return Promise.resolve();
    });
    await jobs.createQueues();

    await database.db.transaction().execute((trx) => jobs.send(trx, 'echo', { n: 1 }));
    await expect(
      database.db.transaction().execute(async (trx) => {
        await jobs.send(trx, 'echo', { n: 2 });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');

    expect(await jobs.drain()).toBe(1);
    expect(seen).toEqual([1]);
    expect(await jobStates('echo')).toEqual([{ state: 'completed', retry_count: 0 }]);
  });

  it('retries a failing job, reports each failure and marks it failed when the retries run out', async () => {
    const jobs = createJobs(database.db);
    const reports: JobErrorReport[] = [];
    jobs.onError((report) => reports.push(report));
    let attempts = 0;
    jobs.register(
      'flaky',
      () => {
        attempts += 1;
        return Promise.reject(new Error(`attempt ${attempts} failed`));
      },
      { retryLimit: 2, retryDelaySeconds: 0 },
    );
    await jobs.createQueues();
    await database.db.transaction().execute((trx) => jobs.send(trx, 'flaky', {}));

    await jobs.drain();

    expect(attempts).toBe(3);
    expect(reports.map((report) => [report.queue, String(report.error)])).toEqual([
      ['flaky', 'Error: attempt 1 failed'],
      ['flaky', 'Error: attempt 2 failed'],
      ['flaky', 'Error: attempt 3 failed'],
    ]);
    expect(await jobStates('flaky')).toEqual([{ state: 'failed', retry_count: 2 }]);
  });

  it('keeps a queued job across a restart: the next process’s workers run it', async () => {
    const before = createJobs(database.db);
    before.register('welcome', () => Promise.resolve());
    await before.createQueues();
    await database.db
      .transaction()
      .execute((trx) => before.send(trx, 'welcome', { userId: 'u-1' }));
    await before.stop();

    const after = createJobs(database.db);
    const ran = new Promise<unknown>((resolve) => {
      after.register('welcome', (data) => Promise.resolve(resolve(data)));
    });
    await after.createQueues();
    await after.start();
    try {
      expect(await ran).toEqual({ userId: 'u-1' });
    } finally {
      await after.stop();
    }
    expect(await jobStates('welcome')).toEqual([{ state: 'completed', retry_count: 0 }]);
  });

  it('refuses to enqueue into a queue nobody handles', async () => {
    const jobs = createJobs(database.db);
    await expect(
      database.db.transaction().execute((trx) => jobs.send(trx, 'nobody', {})),
    ).rejects.toThrow('No handler for the job queue "nobody"');
  });
});
