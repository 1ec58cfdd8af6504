// engine: the follow-up engine under a burst. On fresh data, the preset's own automation rules
// are archived and two rules are made that fire on every new lead, each creating a task (a call
// due in 5 minutes, a follow-up due in a day). Then N leads (default 10,000, --leads N) are
// created by POST /api/leads from CONCURRENCY clients at once (people with names as common as the
// leads benchmark's), and the bench waits until every lead has its two tasks. Figures, read from
// the database after the server stops: per lead, the time from the lead's creation to its last
// task (p50, p99, max); the burst's create rate; the job queue's rate (jobs of every queue
// completed from the burst's start to its last job); per queue, its jobs and their mean run time.
// Target of issue 6: p99 < 2 s on PostgreSQL; the same figures on PGlite.
import os from 'node:os';
import { sql } from 'kysely';
import { openDatabase } from '../../src/server/platform/db/database.js';
import {
  createBenchData,
  gitInfo,
  log,
  machineInfo,
  startServer,
  warningsIn,
  writeResults,
  type Backend,
  type RunningServer,
  type StandaloneBenchmark,
  type StandaloneOptions,
} from '../harness.js';
import { call, commonNameOf, setUpWorkspace } from './leads.js';

const DEFAULT_LEADS = 10_000;
const CONCURRENCY = 16;
const TASKS_PER_LEAD = 2;
const TARGET_P99_SECONDS = 2;
/** How long the bench waits for the last tasks after the burst before it calls the run failed. */
const DRAIN_TIMEOUT_MS = 10 * 60_000;
const POLL_MS = 250;

interface Rule {
  id: string;
  version: number;
  name: string;
}

interface EngineRun {
  leads: number;
  burstSeconds: number;
  createsPerSecond: number;
  /** From the last lead's creation to the last task's (the rows' timestamps). */
  drainSeconds: number;
  tasks: number;
  leadsMissingTasks: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  jobs: { completed: number; failed: number; seconds: number; perSecond: number };
  /** Jobs per queue and their mean run time (started to completed). */
  queues: { name: string; jobs: number; runMs: number | null }[];
}

/** Archives the preset's rules and makes the two the burst fires. */
async function setUpRules(server: RunningServer, bearer: Record<string, string>) {
  const { body: existing } = await call<{ items: Rule[] }>(
    server,
    'GET',
    '/api/automation-rules',
    bearer,
    undefined,
    200,
  );
  for (const rule of existing.items) {
    const response = await fetch(`${server.baseUrl}/api/automation-rules/${rule.id}`, {
      method: 'DELETE',
      headers: { ...bearer, 'if-match': `"${rule.version}"` },
    });
    if (response.status !== 200) {
      throw new Error(`archiving rule ${rule.name} answered ${response.status}`);
    }
  }
  const rules = [
    { title: 'Call the new lead', taskType: 'call', due: { amount: 5, unit: 'minutes' } },
    {
      title: 'Follow up on the first call',
      taskType: 'follow_up',
      due: { amount: 1, unit: 'days' },
    },
  ];
  for (const [i, task] of rules.entries()) {
    await call(
      server,
      'POST',
      '/api/automation-rules',
      bearer,
      {
        name: `Bench rule ${i + 1}`,
        description: '',
        trigger: { type: 'lead_created' },
        conditions: [],
        actions: [{ type: 'create_task', ...task, due: { ...task.due, businessTime: false } }],
        order: i,
        active: true,
      },
      201,
    );
  }
}

/** N leads from CONCURRENCY clients at once; returns their ids in the order they were made. */
async function burst(server: RunningServer, bearer: Record<string, string>, total: number) {
  const ids: string[] = [];
  let next = 0;
  const tag = Date.now().toString(36);
  async function client() {
    while (next < total) {
      next += 1;
      const n = next;
      const { body } = await call<{ id: string }>(
        server,
        'POST',
        '/api/leads',
        bearer,
        {
          contact: { ...commonNameOf(n), emails: [`engine.${tag}.${n}@example.test`] },
        },
        201,
      );
      ids.push(body.id);
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  return ids;
}

/**
 * Waits until every lead has its tasks, asking about the oldest leads still waiting first: the
 * queue runs roughly in order, so a few requests a poll follow its progress.
 */
async function waitForTasks(server: RunningServer, bearer: Record<string, string>, ids: string[]) {
  const waiting = [...ids];
  const deadline = performance.now() + DRAIN_TIMEOUT_MS;
  let lastLog = performance.now();
  while (waiting.length > 0) {
    if (performance.now() > deadline) return waiting.length;
    const id = waiting[0]!;
    const { body } = await call<{ items: unknown[] }>(
      server,
      'GET',
      `/api/tasks?leadId=${id}&limit=10`,
      bearer,
      undefined,
      200,
    );
    if (body.items.length >= TASKS_PER_LEAD) {
      waiting.shift();
      continue;
    }
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      log(`  ${(ids.length - waiting.length).toLocaleString('en')} leads have their tasks`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return 0;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Latency per lead and the queue's rate, read from the data once the server has stopped. */
async function readFigures(
  env: { DATABASE_URL?: string; DATA_DIR?: string },
  workspaceId: string,
  since: Date,
) {
  const database = await openDatabase({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR ?? '',
  });
  try {
    const perLead = await database.db
      .selectFrom('leads')
      .leftJoin('tasks', 'tasks.lead_id', 'leads.id')
      .where('leads.workspace_id', '=', workspaceId)
      .groupBy(['leads.id', 'leads.created_at'])
      .select((eb) => [
        'leads.created_at as createdAt',
        eb.fn.max('tasks.created_at').as('lastTaskAt'),
        eb.fn.count<string>('tasks.id').as('tasks'),
      ])
      .execute();
    const { rows: jobs } = await sql<{
      completed: string;
      failed: string;
      first: Date | null;
      last: Date | null;
    }>`select count(*) filter (where state = 'completed') as completed,
              count(*) filter (where state = 'failed') as failed,
              min(created_on) as first, max(completed_on) as last
         from pgboss.job where created_on >= ${since}`.execute(database.db);
    const { rows: queues } = await sql<{ name: string; jobs: string; runMs: number | null }>`
      select name, count(*) as jobs,
             round(avg(extract(epoch from completed_on - started_on) * 1000)::numeric, 1)::float
               as "runMs"
        from pgboss.job where created_on >= ${since} group by name order by name`.execute(
      database.db,
    );
    return {
      perLead,
      jobs: jobs[0]!,
      queues: queues.map((q) => ({ name: q.name, jobs: Number(q.jobs), runMs: q.runMs })),
    };
  } finally {
    await database.close();
  }
}

async function runBackend(backend: Backend, total: number): Promise<EngineRun> {
  const data = await createBenchData(backend);
  try {
    const server = await startServer(backend, { data });
    let ids: string[];
    let burstSeconds: number;
    let workspaceId: string;
    const since = new Date();
    let warnings: string[] = [];
    try {
      const setup = await setUpWorkspace(server);
      workspaceId = setup.workspaceId;
      const bearer = { authorization: `Bearer ${setup.token}` };
      await setUpRules(server, bearer);
      log(`${backend}: creating ${total.toLocaleString('en')} leads, ${CONCURRENCY} at a time`);
      const started = performance.now();
      ids = await burst(server, bearer, total);
      burstSeconds = (performance.now() - started) / 1000;
      log(`${backend}: the burst took ${burstSeconds.toFixed(1)} s; waiting for the tasks`);
      const missing = await waitForTasks(server, bearer, ids);
      if (missing > 0) log(`${backend}: ${missing} leads still had no tasks after the timeout`);
      warnings = warningsIn(server.outputAfterReady);
    } finally {
      await server.stop();
    }
    for (const warning of warnings) log(`${backend}: ${warning}`);
    const { perLead, jobs, queues } = await readFigures(data.env, workspaceId, since);
    for (const queue of queues) {
      log(`${backend}: queue ${queue.name}: ${queue.jobs} jobs, ${queue.runMs ?? '-'} ms each`);
    }
    const lastOf = (column: 'createdAt' | 'lastTaskAt') =>
      Math.max(...perLead.map((lead) => (lead[column] ? new Date(lead[column]).getTime() : 0)));
    const latencies = perLead
      .filter((lead) => lead.lastTaskAt !== null)
      .map((lead) => new Date(lead.lastTaskAt!).getTime() - new Date(lead.createdAt).getTime())
      .sort((a, b) => a - b);
    const jobSeconds =
      jobs.first && jobs.last
        ? (new Date(jobs.last).getTime() - new Date(jobs.first).getTime()) / 1000
        : 0;
    const completed = Number(jobs.completed);
    return {
      leads: ids.length,
      burstSeconds: Number(burstSeconds.toFixed(2)),
      createsPerSecond: Math.round(ids.length / burstSeconds),
      drainSeconds: Number(
        (Math.max(0, lastOf('lastTaskAt') - lastOf('createdAt')) / 1000).toFixed(2),
      ),
      tasks: perLead.reduce((sum, lead) => sum + Number(lead.tasks), 0),
      leadsMissingTasks: perLead.filter((lead) => Number(lead.tasks) < TASKS_PER_LEAD).length,
      latencyMs: {
        p50: percentile(latencies, 50),
        p90: percentile(latencies, 90),
        p99: percentile(latencies, 99),
        max: latencies.at(-1) ?? 0,
      },
      jobs: {
        completed,
        failed: Number(jobs.failed),
        seconds: Number(jobSeconds.toFixed(2)),
        perSecond: jobSeconds > 0 ? Math.round(completed / jobSeconds) : 0,
      },
      queues,
    };
  } finally {
    await data.drop();
  }
}

async function run(options: StandaloneOptions): Promise<number> {
  const total = options.leads ?? DEFAULT_LEADS;
  const startedAt = new Date();
  const done: (EngineRun & { backend: Backend })[] = [];
  const failures: string[] = [];
  for (const backend of options.backends) {
    try {
      const result = await runBackend(backend, total);
      done.push({ backend, ...result });
      if (result.leadsMissingTasks > 0) {
        failures.push(`${backend}: ${result.leadsMissingTasks} leads are missing tasks`);
      }
    } catch (error) {
      const { message, cause } = error as Error;
      const why = cause instanceof Error ? ` (${cause.name}: ${cause.message})` : '';
      failures.push(`${backend}: ${message}${why}`);
    }
  }
  const ok = failures.length === 0 && done.length > 0;
  writeResults(
    engineBenchmark.name,
    options.choice,
    startedAt,
    {
      benchmark: engineBenchmark.name,
      date: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      ok,
      parameters: { backends: options.backends, leads: total, concurrency: CONCURRENCY },
      targets: { postgresP99Seconds: TARGET_P99_SECONDS },
      machine: { ...machineInfo(), loadAverageAtEnd: os.loadavg() },
      git: gitInfo(),
      results: done,
      failures,
    },
    { updateLatest: ok },
  );
  process.stdout.write(
    '\nbackend    leads  creates/s  burst s  drain s   tasks  missing  p50 ms  p99 ms  max ms  jobs/s  failed jobs  p99 < 2 s\n',
  );
  for (const r of done) {
    process.stdout.write(
      `${r.backend.padEnd(9)} ${r.leads.toLocaleString('en').padStart(6)}  ${String(r.createsPerSecond).padStart(9)}  ` +
        `${String(r.burstSeconds).padStart(7)}  ${String(r.drainSeconds).padStart(7)}  ` +
        `${String(r.tasks).padStart(6)}  ${String(r.leadsMissingTasks).padStart(7)}  ` +
        `${String(r.latencyMs.p50).padStart(6)}  ${String(r.latencyMs.p99).padStart(6)}  ` +
        `${String(r.latencyMs.max).padStart(6)}  ${String(r.jobs.perSecond).padStart(6)}  ` +
        `${String(r.jobs.failed).padStart(11)}  ${r.latencyMs.p99 < TARGET_P99_SECONDS * 1000 ? 'yes' : 'no'}\n`,
    );
  }
  for (const failure of failures) log(`FAILED ${failure}`);
  return ok ? 0 : 1;
}

export const engineBenchmark: StandaloneBenchmark = {
  name: 'engine',
  description:
    'automation under a burst: N leads (default 10,000) each firing two task rules; time from ' +
    'lead to its tasks (p50/p99) and the job queue rate',
  defaults: { backend: 'both', runs: 1 },
  takesLeads: true,
  run,
};
