// One app process for the two-process scheduling test (test/scheduling-two-processes.test.ts):
// builds the real services on DATABASE_URL, registers a schedule with a one-second period whose
// job records (slot, pid) in schedule_probe, then ticks the scheduler often and runs the job
// workers, as a server would, for RUN_SECONDS; then stops gracefully and exits.
import { setTimeout as sleep } from 'node:timers/promises';
import { createServices } from '../../src/server/app.js';
import { systemClock } from '../../src/server/platform/clock.js';
import { loadConfig } from '../../src/server/platform/config.js';
import { openDatabase } from '../../src/server/platform/db/database.js';
import { sql } from 'kysely';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is required');
const runMs = Number(process.env.RUN_SECONDS ?? '6') * 1000;

const database = await openDatabase({ databaseUrl, dataDir: '' });
const config = loadConfig({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' });
const services = createServices({
  db: database.db,
  clock: systemClock,
  config,
  encryptionKey: undefined,
});
services.schedules.every('two-process-probe', 1 / 60, async (slot) => {
  await sql`insert into schedule_probe (slot, pid) values (${slot}, ${process.pid})`.execute(
    database.db,
  );
});
await services.jobs.createQueues();
await services.jobs.start();

let claimed = 0;
const until = Date.now() + runMs;
while (Date.now() < until) {
  // Far more often than a server's 20 s, so both processes race for every slot.
  claimed += await services.schedules.tick();
  await sleep(100 + Math.floor(Math.random() * 50));
}
// Keep working until every slot's job has run (whichever process claimed it), 20 s at most.
for (let waited = 0; waited < 20_000; waited += 250) {
  const { rows } = await sql<{ open: number }>`
    select count(*)::int as open from pgboss.job
    where name = 'schedule-two-process-probe' and state in ('created', 'retry', 'active')`.execute(
    database.db,
  );
  if (rows[0]!.open === 0) break;
  await sleep(250);
}
await services.jobs.stop();
await database.close();
process.stdout.write(JSON.stringify({ pid: process.pid, claimed }) + '\n');
