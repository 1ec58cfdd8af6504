// startup: how long the server takes to become healthy, on empty data (migrations and the first
// admin included) and when restarted on the same data, and how long it takes to exit on SIGTERM.
// It starts servers itself rather than loading one, so it is a StandaloneBenchmark.
import os from 'node:os';
import {
  BackendUnavailableError,
  createBenchData,
  formatColumns,
  gitInfo,
  HEALTH_POLL_INTERVAL_MS,
  log,
  machineInfo,
  STARTUP_TIMEOUT_MS,
  STOP_TIMEOUT_MS,
  startServer,
  warningsIn,
  writeResults,
  type Backend,
  type BenchData,
  type RunningServer,
  type StandaloneBenchmark,
  type StandaloneOptions,
} from '../harness.js';

const PHASES = ['first start', 'restart', 'stop'] as const;
type Phase = (typeof PHASES)[number];

interface StartFigures {
  /** Spawn → first 200 from GET /api/health. */
  seconds: number;
  /** Spawn → the " is listening on " line, for reference only (not what the table shows). */
  listeningLineSeconds: number | null;
}

interface StopFigures {
  /** SIGTERM → process exit. */
  seconds: number;
  code: number | null;
  signal: string | null;
}

interface RunRecord {
  backend: Backend;
  run: number;
  firstStart?: StartFigures;
  stopAfterFirstStart?: StopFigures;
  restart?: StartFigures;
  stopAfterRestart?: StopFigures;
  error?: string;
}

interface PhaseSummary {
  backend: Backend;
  phase: Phase;
  /** Samples: one per run for the starts, two per run (after each start) for stop. */
  samples: number;
  medianSeconds: number;
  minSeconds: number;
  maxSeconds: number;
  meanSeconds: number;
}

interface ServerReport {
  backend: Backend;
  version: string;
  /** Log lines at warn or above (and any stderr) over all starts and stops of this backend. */
  warnings: number;
  warningSample: string[];
}

/** Seconds to 0.1 ms: finer digits are timer noise. */
function round(seconds: number): number {
  return Number(seconds.toFixed(4));
}

function median(sorted: readonly number[]): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

function summarize(backend: Backend, phase: Phase, values: readonly number[]): PhaseSummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    backend,
    phase,
    samples: sorted.length,
    medianSeconds: round(median(sorted)),
    minSeconds: sorted[0] ?? Number.NaN,
    maxSeconds: sorted.at(-1) ?? Number.NaN,
    meanSeconds: round(sorted.reduce((sum, v) => sum + v, 0) / sorted.length),
  };
}

function formatStartupTable(rows: readonly PhaseSummary[]): string {
  const seconds = (value: number) => value.toFixed(3);
  return formatColumns(
    ['backend', 'phase', 'n', 'median s', 'min s', 'max s'],
    rows.map((r) => [
      r.backend,
      r.phase,
      String(r.samples),
      seconds(r.medianSeconds),
      seconds(r.minSeconds),
      seconds(r.maxSeconds),
    ]),
    2,
  );
}

/** Starts a server on `data` and insists it is the backend's, healthy, within the timeout. */
async function timedStart(backend: Backend, data: BenchData) {
  const server = await startServer(backend, { data, readiness: 'health-poll' });
  const figures: StartFigures = {
    seconds: round(server.readySeconds),
    listeningLineSeconds: server.listeningSeconds === null ? null : round(server.listeningSeconds),
  };
  return { server, figures };
}

/** SIGTERM and wait; a stop that needed SIGKILL or exited non-zero fails the run. */
async function timedStop(server: RunningServer, what: string): Promise<StopFigures> {
  const exit = await server.stop();
  if (!exit) throw new Error(`the server had already exited before the ${what}`);
  if (exit.wasKilled) {
    throw new Error(`the server did not exit within ${STOP_TIMEOUT_MS / 1000}s of SIGTERM`);
  }
  if (exit.code !== 0) {
    throw new Error(`the server exited with code ${exit.code} (signal ${exit.signal}) on SIGTERM`);
  }
  return { seconds: round(exit.seconds), code: exit.code, signal: exit.signal };
}

const seconds3 = (value: number) => `${value.toFixed(3)}s`;

/** One run: first start on empty data, stop, restart on the same data, stop; then drop it. */
async function runOnce(
  backend: Backend,
  run: number,
  output: string[],
): Promise<{ record: RunRecord; version: string }> {
  const data = await createBenchData(backend);
  const record: RunRecord = { backend, run };
  let version = '';
  let server: RunningServer | undefined;
  try {
    const first = await timedStart(backend, data);
    server = first.server;
    version = server.version;
    record.firstStart = first.figures;
    record.stopAfterFirstStart = await timedStop(server, 'first stop');
    output.push(...warningsIn([...server.outputBeforeReady, ...server.outputAfterReady]));
    server = undefined;

    const second = await timedStart(backend, data);
    server = second.server;
    record.restart = second.figures;
    record.stopAfterRestart = await timedStop(server, 'second stop');
    output.push(...warningsIn([...server.outputBeforeReady, ...server.outputAfterReady]));
    server = undefined;
    log(
      `${backend}: run ${run}: first start ${seconds3(record.firstStart.seconds)}, ` +
        `stop ${seconds3(record.stopAfterFirstStart.seconds)}, ` +
        `restart ${seconds3(record.restart.seconds)}, ` +
        `stop ${seconds3(record.stopAfterRestart.seconds)}`,
    );
    return { record, version };
  } finally {
    await server?.stop();
    await data.drop();
  }
}

async function run(options: StandaloneOptions): Promise<number> {
  const { choice, backends, runs } = options;
  const startedAt = new Date();
  const machine = machineInfo();
  const records: RunRecord[] = [];
  const skipped: { backend: Backend; reason: string }[] = [];
  const failures: string[] = [];
  const servers: ServerReport[] = [];

  for (const backend of backends) {
    const warnings: string[] = [];
    let version: string | undefined;
    for (let i = 1; i <= runs; i += 1) {
      try {
        const result = await runOnce(backend, i, warnings);
        records.push(result.record);
        version = result.version;
      } catch (error) {
        const message = (error as Error).message;
        if (error instanceof BackendUnavailableError && choice === 'both' && i === 1) {
          log(`SKIPPING ${backend}: ${message}`);
          skipped.push({ backend, reason: message });
          break;
        }
        records.push({ backend, run: i, error: message });
        failures.push(`${backend}: run ${i}: ${message}`);
        if (error instanceof BackendUnavailableError) break;
      }
    }
    if (version !== undefined) {
      servers.push({
        backend,
        version,
        warnings: warnings.length,
        warningSample: warnings.slice(0, 5),
      });
    }
  }

  const summaries: PhaseSummary[] = [];
  for (const backend of backends) {
    const done = records.filter((r) => r.backend === backend && r.error === undefined);
    if (done.length === 0) continue;
    const samples: Record<Phase, number[]> = {
      'first start': done.map((r) => r.firstStart?.seconds ?? Number.NaN),
      restart: done.map((r) => r.restart?.seconds ?? Number.NaN),
      stop: done.flatMap((r) => [
        r.stopAfterFirstStart?.seconds ?? Number.NaN,
        r.stopAfterRestart?.seconds ?? Number.NaN,
      ]),
    };
    for (const phase of PHASES) summaries.push(summarize(backend, phase, samples[phase]));
  }

  const ok = failures.length === 0 && summaries.length > 0;
  const report = {
    benchmark: startupBenchmark.name,
    description: startupBenchmark.description,
    date: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    ok,
    parameters: {
      backend: choice,
      backends,
      host: '127.0.0.1',
      runs,
      healthPollIntervalMs: HEALTH_POLL_INTERVAL_MS,
      startupTimeoutSeconds: STARTUP_TIMEOUT_MS / 1000,
      stopSignal: 'SIGTERM',
      stopTimeoutSeconds: STOP_TIMEOUT_MS / 1000,
    },
    machine: { ...machine, loadAverageAtEnd: os.loadavg().map((v) => Number(v.toFixed(2))) },
    git: gitInfo(),
    servers,
    results: summaries,
    runs: records,
    skipped,
    failures,
  };

  if (summaries.length > 0) process.stdout.write(`\n${formatStartupTable(summaries)}\n\n`);
  // startup-latest.json only ever holds a clean run; failed runs keep their timestamped file.
  const files = writeResults(startupBenchmark.name, choice, startedAt, report, {
    updateLatest: ok,
  });
  for (const file of files) log(`wrote ${file}`);
  for (const s of skipped) log(`skipped ${s.backend}: ${s.reason}`);
  for (const s of servers.filter((r) => r.warnings > 0)) {
    log(`${s.backend}: the server logged ${s.warnings} warning/error lines, e.g.:`);
    for (const line of s.warningSample) log(`  ${line.slice(0, 400)}`);
  }
  if (!ok) {
    log('FAILED — these figures are not valid:');
    for (const failure of failures) log(`  ${failure}`);
    if (summaries.length === 0 && failures.length === 0) log('  nothing was measured');
    return 1;
  }
  return 0;
}

export const startupBenchmark: StandaloneBenchmark = {
  name: 'startup',
  description:
    'time to the first healthy GET /api/health on empty data and on restart, and exit on SIGTERM',
  run,
};
