// Benchmark harness: builds the server, starts it on a chosen backend with fresh data, runs
// autocannon against it and cleans up (server process, temp data dir, bench database).
// Data can also be created on its own and kept across server starts (the startup benchmark).
// Benchmarks under bench/benchmarks/ only describe what to load; this file does the rest.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results');
const CLI_PATH = path.join(REPO_ROOT, 'dist', 'server', 'cli.js');

export const BACKENDS = ['pglite', 'postgres'] as const;
export type Backend = (typeof BACKENDS)[number];

/** Where the PostgreSQL backend creates its throwaway database (any db we may connect to). */
export const POSTGRES_URL =
  process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const STARTUP_TIMEOUT_MS = 60_000;
export const STOP_TIMEOUT_MS = 10_000;
/** How often readiness: 'health-poll' asks GET /api/health. */
export const HEALTH_POLL_INTERVAL_MS = 50;

// ---------------------------------------------------------------------------------------------
// Cleanup: everything that must not outlive the run registers here, so Ctrl-C cleans up too.

const cleanups = new Set<() => Promise<void>>();

/** Registers a cleanup (also run on Ctrl-C); returns it, to run it once when done. */
export function deferCleanup(cleanup: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  const once = () => {
    cleanups.delete(once);
    done ??= cleanup();
    return done;
  };
  cleanups.add(once);
  return once;
}

/** Runs every pending cleanup, newest first; reports failures instead of throwing. */
export async function runCleanups(): Promise<void> {
  for (const cleanup of [...cleanups].reverse()) {
    try {
      await cleanup();
    } catch (error) {
      log(`cleanup failed: ${(error as Error).message}`);
    }
  }
}

export function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

// ---------------------------------------------------------------------------------------------
// Build

/** Compiles src/ to dist/ with the project's own build script. */
export async function buildServer(): Promise<void> {
  log('building the server (npm run build)…');
  const output: string[] = [];
  const child = spawn('npm', ['run', 'build'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const code = await waitForExit(child);
  if (code !== 0) {
    throw new Error(`npm run build failed (exit ${code}):\n${output.join('')}`);
  }
  if (!fs.existsSync(CLI_PATH)) throw new Error(`The build did not produce ${CLI_PATH}.`);
}

// ---------------------------------------------------------------------------------------------
// Backends

/** The backend cannot be used on this machine (e.g. PostgreSQL is not reachable). */
export class BackendUnavailableError extends Error {}

interface BenchDatabase {
  url: string;
  name: string;
  drop: () => Promise<void>;
}

async function withPgClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

// A run cut short (tsx SIGKILLs a child that is slow to acknowledge Ctrl-C) cannot clean up after
// itself, so each run sweeps what such runs left: only old, unused leftovers, never a live run's.
const LEFTOVER_AGE_MS = 10 * 60_000;
const BENCH_DB_PATTERN = /^lk_bench_(\d+)_[0-9a-f]+$/;

async function dropLeftoverDatabases(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ datname: string }>(
    `SELECT datname FROM pg_database d WHERE datname LIKE 'lk\\_bench\\_%'
       AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)`,
  );
  for (const { datname } of rows) {
    const createdAt = Number(BENCH_DB_PATTERN.exec(datname)?.[1] ?? Number.NaN) * 1000;
    if (!(Date.now() - createdAt > LEFTOVER_AGE_MS)) continue;
    await client.query(`DROP DATABASE IF EXISTS "${datname}"`);
    log(`postgres: dropped ${datname}, left by an interrupted run`);
  }
}

function removeLeftoverDataDirs(): void {
  const tmp = os.tmpdir();
  for (const entry of fs.readdirSync(tmp)) {
    if (!entry.startsWith('lk-bench-')) continue;
    const dir = path.join(tmp, entry);
    try {
      // A live server refreshes its lock every few seconds.
      const lock = path.join(dir, 'leadkeeper.lock');
      const isLocked = fs.existsSync(lock) && Date.now() - fs.statSync(lock).mtimeMs < 60_000;
      if (isLocked || Date.now() - fs.statSync(dir).mtimeMs < LEFTOVER_AGE_MS) continue;
      fs.rmSync(dir, { recursive: true, force: true });
      log(`pglite: removed ${dir}, left by an interrupted run`);
    } catch {
      // Gone meanwhile, or not ours to remove.
    }
  }
}

/** BENCH_KEEP_DATA=1 keeps the PostgreSQL database after the run (to study it with psql). */
const KEEP_DATA = process.env.BENCH_KEEP_DATA === '1';

/**
 * Creates an empty database lk_bench_<unix seconds>_<random> next to POSTGRES_URL's database
 * (lk_kept_… with BENCH_KEEP_DATA=1, which no run drops: drop it yourself).
 */
async function createBenchDatabase(): Promise<BenchDatabase> {
  const prefix = KEEP_DATA ? 'lk_kept' : 'lk_bench';
  const name = `${prefix}_${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`;
  try {
    await withPgClient(POSTGRES_URL, async (client) => {
      await dropLeftoverDatabases(client);
      await client.query(`CREATE DATABASE "${name}"`);
    });
  } catch (error) {
    throw new BackendUnavailableError(
      `PostgreSQL is not usable at ${redactUrl(POSTGRES_URL)} (${(error as Error).message}). ` +
        'Start it or set BENCH_POSTGRES_URL.',
    );
  }
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  const drop = deferCleanup(async () => {
    if (KEEP_DATA) {
      log(`postgres: kept database ${name} (BENCH_KEEP_DATA=1)`);
      return;
    }
    // FORCE: a server killed mid-run may leave connections behind.
    await withPgClient(POSTGRES_URL, (client) =>
      client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
    );
  });
  return { url: url.toString(), name, drop };
}

/** Data a server runs on: a temp PGlite DATA_DIR or a PostgreSQL database, plus its admin. */
export interface BenchData {
  backend: Backend;
  /** Points the server at the data: DATA_DIR (PGlite) or DATABASE_URL (PostgreSQL). */
  env: { DATA_DIR?: string; DATABASE_URL?: string };
  /** ADMIN_EMAIL / ADMIN_PASSWORD: the first start on this data creates this admin. */
  admin: { email: string; password: string };
  /** Removes the data dir or drops the database; runs at most once, and on Ctrl-C. */
  drop(): Promise<void>;
}

/** Creates fresh, empty data for a backend (and sweeps what interrupted runs left). */
export async function createBenchData(backend: Backend): Promise<BenchData> {
  const admin = { email: 'bench-admin@example.com', password: randomBytes(12).toString('hex') };
  if (backend === 'postgres') {
    const database = await createBenchDatabase();
    log(`postgres: created database ${database.name}`);
    return { backend, env: { DATABASE_URL: database.url }, admin, drop: database.drop };
  }
  removeLeftoverDataDirs();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lk-bench-'));
  const drop = deferCleanup(async () => {
    await fs.promises.rm(dataDir, { recursive: true, force: true });
  });
  log(`pglite: data dir ${dataDir}`);
  return { backend, env: { DATA_DIR: dataDir }, admin, drop };
}

function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return value;
  }
}

// ---------------------------------------------------------------------------------------------
// Server

export interface RunningServer {
  backend: Backend;
  baseUrl: string;
  version: string;
  /** The server process, e.g. to sample its CPU or memory. */
  pid: number | undefined;
  /** The PostgreSQL database the server uses (undefined on PGlite). */
  databaseUrl: string | undefined;
  admin: { email: string; password: string };
  /** Server output until its " is listening on " line (migrations, startup warnings). */
  outputBeforeReady: OutputLine[];
  /** Server output after it became ready (CLI messages and logs at LOG_LEVEL=warn). */
  outputAfterReady: OutputLine[];
  /** Whether the server process has ended (e.g. crashed under load). */
  hasExited(): boolean;
  /** Seconds from spawning the process until it was ready (see StartOptions.readiness). */
  readySeconds: number;
  /** Seconds from spawning the process until it printed " is listening on ". */
  listeningSeconds: number | null;
  /**
   * SIGTERM (SIGKILL after STOP_TIMEOUT_MS), then drops the data unless it was passed in.
   * Returns how the process ended, or null if it had already ended.
   */
  stop(): Promise<ServerExit | null>;
}

export interface ServerExit {
  /** Seconds from SIGTERM until the process exited. */
  seconds: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** It did not exit within STOP_TIMEOUT_MS of SIGTERM and was killed. */
  wasKilled: boolean;
}

export interface StartOptions {
  /**
   * Data from createBenchData to start on. stop() keeps it, so another server can start on it;
   * the caller drops it. Without it the server gets fresh data that stop() drops.
   */
  data?: BenchData;
  /**
   * When the server counts as ready: 'listening-line' (default) waits for its " is listening on "
   * line, then checks GET /api/health once; 'health-poll' asks GET /api/health every
   * HEALTH_POLL_INTERVAL_MS (a new connection each time) until it first answers 200.
   */
  readiness?: 'listening-line' | 'health-poll';
}

export interface OutputLine {
  stream: 'stdout' | 'stderr';
  line: string;
}

export interface HealthBody {
  status: string;
  db: string;
  version: string;
}

const QUIET_POLL_MS = 5_000;
const QUIET_LIMIT_MS = 30 * 60_000;

/**
 * On PostgreSQL data made behind the server's back (createData), waits until the server has run
 * the jobs that are due (a first start on a million leads runs the weekly retraining and
 * rescoring, automation scans …), so the load measures a quiet server. Returns the seconds
 * waited. PGlite data can't be watched from outside the server: no wait there.
 */
export async function waitForQuietJobs(data: BenchData): Promise<number> {
  const url = data.env.DATABASE_URL;
  if (!url) return 0;
  const started = performance.now();
  return withPgClient(url, async (client) => {
    let quietPolls = 0;
    let lastReport = 0;
    for (;;) {
      const { rows } = await client.query<{ name: string; jobs: number }>(
        `select name, count(*)::int as jobs from pgboss.job
         where state in ('created', 'retry', 'active') and start_after <= now()
         group by name order by 2 desc`,
      );
      const waited = performance.now() - started;
      quietPolls = rows.length === 0 ? quietPolls + 1 : 0;
      if (quietPolls >= 2) return Math.round(waited / 1000);
      if (waited > QUIET_LIMIT_MS) {
        throw new Error(`the server's jobs were still busy after ${QUIET_LIMIT_MS / 60_000} min`);
      }
      if (rows.length > 0 && waited - lastReport >= 30_000) {
        lastReport = waited;
        const busy = rows.map((row) => `${row.name} ${row.jobs}`).join(', ');
        log(`${data.backend}: waiting for the server's due jobs (${busy})…`);
      }
      await sleep(QUIET_POLL_MS);
    }
  });
}

/** Starts `node dist/server/cli.js start` (on fresh data by default) and waits until it is ready. */
export async function startServer(
  backend: Backend,
  options: StartOptions = {},
): Promise<RunningServer> {
  if (options.data && options.data.backend !== backend) {
    throw new Error(`${backend}: got ${options.data.backend} data`);
  }
  const readiness = options.readiness ?? 'listening-line';
  const port = await findFreePort();
  const ownsData = options.data === undefined;
  const data = options.data ?? (await createBenchData(backend));
  const admin = data.admin;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
    DEMO: '0',
  };
  delete env.DATABASE_URL;
  delete env.PUBLIC_URL;
  delete env.DATA_DIR;
  Object.assign(env, data.env);

  const spawnedAt = performance.now();
  const secondsSince = (start: number) => (performance.now() - start) / 1000;
  // BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") goes to the server's node.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, CLI_PATH, 'start'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = waitForExit(child);
  const outputBeforeReady: OutputLine[] = [];
  const outputAfterReady: OutputLine[] = [];
  let isReady = false;
  let listeningSeconds: number | null = null;
  let onReady: (() => void) | undefined;
  for (const [name, stream] of [
    ['stdout', child.stdout],
    ['stderr', child.stderr],
  ] as const) {
    readline.createInterface({ input: stream }).on('line', (line) => {
      (isReady ? outputAfterReady : outputBeforeReady).push({ stream: name, line });
      const isListeningLine = line.includes(' is listening on ');
      if (isListeningLine) listeningSeconds ??= secondsSince(spawnedAt);
      if (!isReady && isListeningLine) {
        isReady = true;
        onReady?.();
      }
    });
  }

  let exit: ServerExit | null = null;
  const stopServer = deferCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const stoppingAt = performance.now();
      let wasKilled = false;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        wasKilled = true;
        child.kill('SIGKILL');
      }, STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
      const seconds = secondsSince(stoppingAt);
      exit = { seconds, code: child.exitCode, signal: child.signalCode, wasKilled };
    }
  });
  const stop = async () => {
    await stopServer();
    if (ownsData) await data.drop();
    return exit;
  };

  const baseUrl = `http://127.0.0.1:${port}`;
  const polling = new AbortController();
  try {
    let polled: { status: number; body: string; seconds: number } | undefined;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the server did not start within ${STARTUP_TIMEOUT_MS / 1000}s`)),
        STARTUP_TIMEOUT_MS,
      );
      if (readiness === 'health-poll') {
        pollHealth(`${baseUrl}/api/health`, spawnedAt, polling.signal).then(
          (answer) => {
            clearTimeout(timer);
            polled = answer;
            resolve();
          },
          (error: unknown) => reject(error as Error),
        );
      } else {
        onReady = () => {
          clearTimeout(timer);
          resolve();
        };
        if (isReady) onReady();
      }
      exited.then(
        (code) => {
          clearTimeout(timer);
          reject(new Error(`the server exited (code ${code}) before it was ready`));
        },
        (error: unknown) => reject(error as Error),
      );
    });
    let status: number;
    let health: HealthBody;
    let readySeconds: number;
    if (polled) {
      status = polled.status;
      health = JSON.parse(polled.body) as HealthBody;
      readySeconds = polled.seconds;
    } else {
      const response = await fetch(`${baseUrl}/api/health`);
      status = response.status;
      health = (await response.json()) as HealthBody;
      readySeconds = secondsSince(spawnedAt);
    }
    if (status !== 200 || health.status !== 'ok' || health.db !== backend) {
      throw new Error(
        `GET /api/health answered ${status} ${JSON.stringify(health)}; ` +
          `expected status "ok" on db "${backend}"`,
      );
    }
    const hasExited = () => child.exitCode !== null || child.signalCode !== null;
    const version = health.version;
    return {
      backend,
      baseUrl,
      version,
      pid: child.pid,
      databaseUrl: data.env.DATABASE_URL,
      admin,
      outputBeforeReady,
      outputAfterReady,
      hasExited,
      readySeconds,
      listeningSeconds,
      stop,
    };
  } catch (error) {
    await stop();
    const output = outputBeforeReady
      .slice(-40)
      .map((o) => o.line)
      .join('\n');
    throw new Error(`${backend}: ${(error as Error).message}\nserver output:\n${output}`, {
      cause: error,
    });
  } finally {
    polling.abort();
  }
}

/**
 * Asks `url` every HEALTH_POLL_INTERVAL_MS until it answers 200; refused connections and other
 * answers mean "not yet". Returns the answer and the seconds from `since` until its headers came.
 * Each request has its own connection (no keep-alive), so none is left open on the server.
 */
async function pollHealth(
  url: string,
  since: number,
  signal: AbortSignal,
): Promise<{ status: number; body: string; seconds: number }> {
  for (;;) {
    const attemptAt = performance.now();
    const answer = await getOnce(url, signal);
    if (answer?.status === 200) return { ...answer, seconds: (answer.at - since) / 1000 };
    signal.throwIfAborted();
    await sleep(Math.max(0, attemptAt + HEALTH_POLL_INTERVAL_MS - performance.now()), undefined, {
      signal,
    });
  }
}

/** One GET on a fresh connection; null when it could not be sent or answered. */
function getOnce(
  url: string,
  signal: AbortSignal,
): Promise<{ status: number; body: string; at: number } | null> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false, signal }, (response) => {
      const at = performance.now();
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString(), at }),
      );
      response.on('error', () => resolve(null));
      response.on('close', () => resolve(null)); // no-op after 'end'
    });
    request.on('error', () => resolve(null));
  });
}

function waitForExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** Pino lines at warn (40) or above, and anything on stderr (e.g. a crash's stack trace). */
export function warningsIn(output: readonly OutputLine[]): string[] {
  return output
    .filter(({ stream, line }) => {
      if (stream === 'stderr') return line.trim() !== '';
      try {
        const entry = JSON.parse(line) as { level?: unknown };
        return typeof entry.level === 'number' && entry.level >= 40;
      } catch {
        return false; // the CLI's own messages ("Created the first workspace…")
      }
    })
    .map(({ line }) => line);
}

// ---------------------------------------------------------------------------------------------
// Load

/** A benchmark: what to prepare on a fresh server, and which requests to load it with. */
export interface Benchmark {
  name: string;
  description: string;
  /**
   * Optional: makes the data the server is started on, instead of fresh empty data (e.g. a
   * million leads, loaded while no server runs on it). It may start and stop servers on the data
   * (startServer with { data }). The runner starts the server on it and drops it after the run.
   */
  createData?(backend: Backend, options: DataOptions): Promise<BenchData>;
  /** Runs once per backend on a fresh server (sign-in, tokens, data) and returns the scenarios. */
  prepare(server: RunningServer): Promise<Scenario[]>;
  /**
   * Optional: more results (e.g. data generation, query plans, targets met), for the JSON
   * (`details`) and the console (`text`, printed before the table).
   */
  details?(measurements: readonly Measurement[]): { json: unknown; text: string };
}

/** Flags for createData; only benchmarks with createData take them. */
export interface DataOptions {
  /** --leads: how many leads to generate; undefined leaves it to the benchmark. */
  leads: number | undefined;
}

/** A benchmark that starts and stops servers itself (e.g. startup) instead of loading one. */
export interface StandaloneBenchmark {
  name: string;
  description: string;
  /** For flags not given: --backend (default both) and --runs (default 3). */
  defaults?: { backend?: Backend | 'both'; runs?: number };
  /** It takes --leads (how many leads to generate), passed on as StandaloneOptions.leads. */
  takesLeads?: boolean;
  /** False for a benchmark of pure functions: no server, so no build first. */
  needsBuild?: boolean;
  /** Prints its table, writes bench/results/ and returns the exit code. */
  run(options: StandaloneOptions): Promise<number>;
}

export interface StandaloneOptions {
  /** As given on the command line; names the results file. */
  choice: Backend | 'both';
  backends: Backend[];
  /** Repetitions per backend. */
  runs: number;
  /** --leads, for a benchmark that takesLeads; undefined leaves it to the benchmark. */
  leads: number | undefined;
}

export interface Scenario {
  /** What the table shows, e.g. "GET /api/me (cookie)". */
  name: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** The framework's ceiling on this backend; other rows are reported as a ratio of it. */
  isCeiling?: boolean;
  /**
   * Varies the request: called for every request sent (preflight, warm-up and load) for the path
   * and body to send instead of `path` and `body` (rotating ids, unique emails…). `path` then only
   * names the request in the results, e.g. "/api/leads/:id".
   */
  vary?: () => { path: string; body?: string };
  /** Seconds before a request counts as timed out (and fails the run); autocannon's default is 10. */
  timeoutSeconds?: number;
}

export interface LoadOptions {
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
}

export interface Measurement {
  backend: Backend;
  scenario: string;
  method: string;
  path: string;
  isCeiling: boolean;
  reqPerSecMean: number;
  reqPerSecStddev: number;
  latencyMeanMs: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  requests: number;
  durationSeconds: number;
  /** Connection errors (timeouts included) in the measured run. */
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  warmup: { requests: number; errors: number; non2xx: number };
  ratioToCeiling: number | null;
  /** CPU time of the measured run (null where /proc is missing); see CpuUse. */
  cpu: CpuUse | null;
}

/**
 * Where the CPU of a measured run went, in ms per request (user + system time from /proc): the
 * server process (on PGlite the database runs inside it), the PostgreSQL backends serving its
 * database (client backends only, no WAL writer or checkpointer), this runner (autocannon).
 * `otherCores` is how many cores everything else on the machine kept busy on average.
 */
export interface CpuUse {
  serverMsPerRequest: number | null;
  databaseMsPerRequest: number | null;
  runnerMsPerRequest: number;
  otherCores: number | null;
}

/** Sends the scenario's request once and insists on a 2xx, so a run full of 401s never starts. */
export async function preflight(server: RunningServer, scenario: Scenario): Promise<unknown> {
  const request = scenario.vary?.() ?? { path: scenario.path, body: scenario.body };
  const response = await fetch(`${server.baseUrl}${request.path}`, {
    method: scenario.method ?? 'GET',
    headers: scenario.headers,
    body: request.body,
  });
  const text = await response.text();
  if (response.status < 200 || response.status > 299) {
    throw new Error(
      `${server.backend}: ${scenario.name} answered ${response.status} before the load: ` +
        text.slice(0, 300),
    );
  }
  return text ? (JSON.parse(text) as unknown) : null;
}

function cannon(
  server: RunningServer,
  scenario: Scenario,
  durationSeconds: number,
  connections: number,
) {
  const vary = scenario.vary;
  return autocannon({
    url: `${server.baseUrl}${scenario.path}`,
    method: scenario.method ?? 'GET',
    headers: scenario.headers,
    body: scenario.body,
    // Every request of every connection is built afresh from vary().
    ...(vary ? { requests: [{ setupRequest: (request) => ({ ...request, ...vary() }) }] } : {}),
    connections,
    duration: durationSeconds,
    ...(scenario.timeoutSeconds ? { timeout: scenario.timeoutSeconds } : {}),
  });
}

const CLOCK_TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat; null if unreadable. */
function processCpuSeconds(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (comm) " come state, ppid, …: utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Busy CPU seconds of the whole machine (all but idle and iowait), from /proc/stat. */
function machineBusySeconds(): number | null {
  try {
    const [, ...ticks] = (fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').split(/\s+/);
    // user nice system idle iowait irq softirq steal (guest time is already in user and nice)
    const values = ticks.filter(Boolean).map(Number).slice(0, 8);
    const total = values.reduce((sum, v) => sum + v, 0);
    return (total - (values[3] ?? 0) - (values[4] ?? 0)) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

interface CpuSnapshot {
  at: number;
  server: number | null;
  database: Map<number, number>;
  runner: NodeJS.CpuUsage;
  machine: number | null;
}

async function cpuSnapshot(server: RunningServer): Promise<CpuSnapshot> {
  const database = new Map<number, number>();
  if (server.databaseUrl) {
    const name = decodeURIComponent(new URL(server.databaseUrl).pathname.slice(1));
    const { rows } = await withPgClient(POSTGRES_URL, (client) =>
      client.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'",
        [name],
      ),
    );
    for (const { pid } of rows) {
      const seconds = processCpuSeconds(pid);
      if (seconds !== null) database.set(pid, seconds);
    }
  }
  return {
    at: performance.now(),
    server: server.pid === undefined ? null : processCpuSeconds(server.pid),
    database,
    runner: process.cpuUsage(),
    machine: machineBusySeconds(),
  };
}

function cpuUse(start: CpuSnapshot, end: CpuSnapshot, requests: number): CpuUse | null {
  if (end.server === null || start.server === null || requests === 0) return null;
  const perRequest = (seconds: number) => Number(((seconds * 1000) / requests).toFixed(3));
  const server = end.server - start.server;
  // A backend that is new at the end started during the run: all its time counts.
  let database = 0;
  for (const [pid, seconds] of end.database) database += seconds - (start.database.get(pid) ?? 0);
  const runnerUs = process.cpuUsage(start.runner);
  const runner = (runnerUs.user + runnerUs.system) / 1e6;
  const wall = (end.at - start.at) / 1000;
  const others =
    end.machine === null || start.machine === null
      ? null
      : (end.machine - start.machine - server - database - runner) / wall;
  return {
    serverMsPerRequest: perRequest(server),
    databaseMsPerRequest: end.database.size > 0 ? perRequest(database) : null,
    runnerMsPerRequest: perRequest(runner),
    otherCores: others === null ? null : Number(Math.max(0, others).toFixed(2)),
  };
}

/** Preflight, warm-up (discarded except for its errors), then the measured run. */
export async function measureScenario(
  server: RunningServer,
  scenario: Scenario,
  options: LoadOptions,
): Promise<Measurement> {
  await preflight(server, scenario);
  log(`${server.backend}: ${scenario.name}: warm-up ${options.warmupSeconds}s…`);
  const warmup = await cannon(server, scenario, options.warmupSeconds, options.connections);
  log(
    `${server.backend}: ${scenario.name}: ${options.durationSeconds}s × ` +
      `${options.connections} connections…`,
  );
  const before = await cpuSnapshot(server);
  const result = await cannon(server, scenario, options.durationSeconds, options.connections);
  const after = await cpuSnapshot(server);
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) {
    statusCodes[code] = stats.count ?? 0;
  }
  return {
    backend: server.backend,
    scenario: scenario.name,
    method: scenario.method ?? 'GET',
    path: scenario.path,
    isCeiling: scenario.isCeiling ?? false,
    reqPerSecMean: result.requests.mean,
    reqPerSecStddev: result.requests.stddev,
    latencyMeanMs: result.latency.mean,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMaxMs: result.latency.max,
    requests: result.requests.total,
    durationSeconds: result.duration,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
    warmup: { requests: warmup.requests.total, errors: warmup.errors, non2xx: warmup.non2xx },
    ratioToCeiling: null,
    cpu: cpuUse(before, after, result.requests.total),
  };
}

/** Errors and non-2xx answers of a measurement, warm-up included. */
export function failuresOf(m: Measurement): number {
  return m.errors + m.non2xx + m.warmup.errors + m.warmup.non2xx;
}

/** Fills ratioToCeiling from the ceiling row of the same backend. */
export function addCeilingRatios(measurements: Measurement[]): void {
  for (const m of measurements) {
    const ceiling = measurements.find((c) => c.backend === m.backend && c.isCeiling);
    m.ratioToCeiling =
      ceiling && ceiling.reqPerSecMean > 0 ? m.reqPerSecMean / ceiling.reqPerSecMean : null;
  }
}

// ---------------------------------------------------------------------------------------------
// Reporting

// autocannon reports latency percentiles in whole milliseconds; do not pretend otherwise.
function formatMs(value: number): string {
  return String(Number(value.toFixed(2)));
}

export function formatTable(measurements: readonly Measurement[]): string {
  const header = ['backend', 'endpoint', 'req/s', 'p50 ms', 'p99 ms', 'vs health', 'errors'];
  const rows = measurements.map((m) => [
    m.backend,
    m.scenario,
    m.reqPerSecMean.toFixed(0),
    formatMs(m.latencyP50Ms),
    formatMs(m.latencyP99Ms),
    m.ratioToCeiling === null ? '-' : `${(m.ratioToCeiling * 100).toFixed(1)}%`,
    String(failuresOf(m)),
  ]);
  return formatColumns(header, rows, 2);
}

/** A plain-text table; columns from `firstNumeric` on are right-aligned. */
export function formatColumns(
  header: readonly string[],
  rows: readonly string[][],
  firstNumeric: number,
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const isNumeric = (i: number) => i >= firstNumeric;
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) =>
        isNumeric(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function machineInfo() {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    totalMemoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    loadAverage: os.loadavg().map((value) => Number(value.toFixed(2))),
  };
}

export function gitInfo(): { commit: string | null; isDirty: boolean | null } {
  try {
    const run = (args: string[]) =>
      execFileSync('git', args, {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    return {
      commit: run(['rev-parse', 'HEAD']).trim(),
      isDirty: run(['status', '--porcelain', '--', 'src']).trim() !== '',
    };
  } catch {
    return { commit: null, isDirty: null };
  }
}

/** Writes <name>-<label>-<timestamp>.json and, when asked, <name>-latest.json; returns the paths. */
export function writeResults(
  name: string,
  label: string,
  date: Date,
  report: unknown,
  options: { updateLatest: boolean },
): string[] {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  // ISO 8601 basic-ish: colons are not allowed in file names everywhere.
  const stamp = date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(':', '-');
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const written = [path.join(RESULTS_DIR, `${name}-${label}-${stamp}.json`)];
  if (options.updateLatest) written.push(path.join(RESULTS_DIR, `${name}-latest.json`));
  for (const file of written) fs.writeFileSync(file, json);
  return written;
}
