// Benchmark runner: `npm run bench -- <name> [--backend pglite|postgres|both] [--duration S]
// [--connections N] [--warmup S] [--only SCENARIO] [--no-build]` for load benchmarks (`leads`
// also takes `--leads N`), `--runs N` instead of the load flags for startup and web (web also
// takes `--leads N`). Prints a table, writes bench/results/*.json and exits non-zero when any
// request failed, so a run full of 401s never passes for figures.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { analyticsBenchmark } from './benchmarks/analytics.js';
import { authBenchmark } from './benchmarks/auth.js';
import { engineBenchmark } from './benchmarks/engine.js';
import { exportBenchmark } from './benchmarks/export.js';
import { importBenchmark } from './benchmarks/import.js';
import { leadsBenchmark } from './benchmarks/leads.js';
import { scoringBenchmark } from './benchmarks/scoring.js';
import { startupBenchmark } from './benchmarks/startup.js';
import { webBenchmark } from './benchmarks/web.js';
import {
  addCeilingRatios,
  BACKENDS,
  BackendUnavailableError,
  buildServer,
  failuresOf,
  formatTable,
  gitInfo,
  log,
  machineInfo,
  measureScenario,
  runCleanups,
  startServer,
  waitForQuietJobs,
  warningsIn,
  writeResults,
  type Backend,
  type BenchData,
  type Benchmark,
  type DataOptions,
  type LoadOptions,
  type Measurement,
  type RunningServer,
  type StandaloneBenchmark,
} from './harness.js';

const BENCHMARKS: Record<string, Benchmark> = {
  [authBenchmark.name]: authBenchmark,
  [leadsBenchmark.name]: leadsBenchmark,
  [analyticsBenchmark.name]: analyticsBenchmark,
};

/** Benchmarks that start and stop servers themselves; they take --runs, not the load flags. */
const STANDALONE_BENCHMARKS: Record<string, StandaloneBenchmark> = {
  [startupBenchmark.name]: startupBenchmark,
  [webBenchmark.name]: webBenchmark,
  [exportBenchmark.name]: exportBenchmark,
  [importBenchmark.name]: importBenchmark,
  [scoringBenchmark.name]: scoringBenchmark,
  [engineBenchmark.name]: engineBenchmark,
};

const LOAD_FLAGS = ['duration', 'connections', 'warmup', 'only'] as const;
const STANDALONE_FLAGS = ['runs'] as const;
/** Flags for benchmarks that make their own data (createData, or a standalone's takesLeads). */
const DATA_FLAGS = ['leads'] as const;

const BACKEND_CHOICES = [...BACKENDS, 'both'] as const;
type BackendChoice = (typeof BACKEND_CHOICES)[number];

const USAGE =
  'usage: npm run bench -- <name> [--backend pglite|postgres|both] [--duration S] ' +
  '[--connections N] [--warmup S] [--only SCENARIO] [--no-build]\n' +
  '       npm run bench -- leads [same flags] [--leads N]\n' +
  '       npm run bench -- startup [--backend pglite|postgres|both] [--runs N] [--no-build]\n' +
  '       npm run bench -- web [--backend pglite|postgres|both] [--runs N] [--leads N] [--no-build]\n' +
  '       npm run bench -- export [--backend pglite|postgres|both] [--runs N] [--leads N] [--no-build]';

function listBenchmarks(): string {
  return [...Object.values(BENCHMARKS), ...Object.values(STANDALONE_BENCHMARKS)]
    .map((b) => `  ${b.name.padEnd(10)} ${b.description}`)
    .join('\n');
}

/** Flags that belong to the other kind of benchmark are an error, not silently ignored. */
function rejectFlags(
  values: Partial<Record<string, unknown>>,
  flags: readonly string[],
  name: string,
): void {
  for (const flag of flags) {
    if (values[flag] !== undefined) throw new UsageError(`--${flag} does not apply to ${name}`);
  }
}

function warnIfBusy(machine: { loadAverage: number[]; cores: number }): void {
  if ((machine.loadAverage[0] ?? 0) > machine.cores * 0.5) {
    log(`note: load average is ${machine.loadAverage.join(' ')} on ${machine.cores} cores;`);
    log('      figures will be lower and noisier than on an idle machine.');
  }
}

function positiveInt(value: string, flag: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) {
    throw new UsageError(`${flag} must be a positive whole number, got "${value}"`);
  }
  return parsed;
}

class UsageError extends Error {}

interface ServerReport {
  backend: Backend;
  version: string;
  /** Log lines at warn or above written while the load ran. */
  warnings: number;
  warningSample: string[];
}

function parseCommandLine() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        // No defaults here, so flags of the other kind of benchmark can be told from defaults
        // (and a benchmark can have its own default backend).
        backend: { type: 'string' },
        duration: { type: 'string' },
        connections: { type: 'string' },
        warmup: { type: 'string' },
        runs: { type: 'string' },
        leads: { type: 'string' },
        rows: { type: 'string' },
        only: { type: 'string' },
        'no-build': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseCommandLine();
  const name = positionals[0];
  const benchmark = name === undefined ? undefined : BENCHMARKS[name];
  const standalone = name === undefined ? undefined : STANDALONE_BENCHMARKS[name];
  if (values.help || (!benchmark && !standalone) || positionals.length > 1) {
    if (name !== undefined && !benchmark && !standalone) {
      process.stderr.write(`Unknown benchmark "${name}".\n`);
    }
    process.stderr.write(`${USAGE}\n\nAvailable benchmarks:\n${listBenchmarks()}\n`);
    return values.help && !name ? 0 : 1;
  }
  const choice = (values.backend ?? standalone?.defaults?.backend ?? 'both') as BackendChoice;
  if (!BACKEND_CHOICES.includes(choice)) {
    throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}`);
  }
  const backends: Backend[] = choice === 'both' ? [...BACKENDS] : [choice];

  if (standalone) {
    rejectFlags(
      values,
      [...LOAD_FLAGS, ...(standalone.takesLeads ? [] : DATA_FLAGS)],
      standalone.name,
    );
    const runs = positiveInt(values.runs ?? String(standalone.defaults?.runs ?? 3), '--runs');
    const leads = values.leads === undefined ? undefined : positiveInt(values.leads, '--leads');
    // --rows: import only (rows of its one generated CSV file).
    if (values.rows !== undefined && standalone.name !== importBenchmark.name) {
      throw new UsageError(`--rows does not apply to ${standalone.name}`);
    }
    const rows = values.rows === undefined ? undefined : positiveInt(values.rows, '--rows');
    if (!values['no-build'] && standalone.needsBuild !== false) await buildServer();
    warnIfBusy(machineInfo());
    if (rows !== undefined) {
      const options = { choice, backends, runs, leads, rows };
      return standalone.run(options);
    }
    return standalone.run({ choice, backends, runs, leads });
  }
  if (!benchmark) return 1; // unreachable: handled with the usage above
  rejectFlags(values, STANDALONE_FLAGS, benchmark.name);
  rejectFlags(values, ['rows'], benchmark.name);
  if (!benchmark.createData) rejectFlags(values, DATA_FLAGS, benchmark.name);
  const dataOptions: DataOptions = {
    leads: values.leads === undefined ? undefined : positiveInt(values.leads, '--leads'),
  };
  const load: LoadOptions = {
    durationSeconds: positiveInt(values.duration ?? '10', '--duration'),
    connections: positiveInt(values.connections ?? '10', '--connections'),
    warmupSeconds: positiveInt(values.warmup ?? '2', '--warmup'),
  };

  if (!values['no-build']) await buildServer();
  // The commit the build saw: a long run may end after src/ changed.
  const git = gitInfo();

  const startedAt = new Date();
  const machine = machineInfo();
  log(
    `commit ${git.commit?.slice(0, 7) ?? 'unknown'}${git.isDirty ? ' with uncommitted src/ changes' : ''}; ` +
      `load average ${machine.loadAverage.join(' ')} on ${machine.cores} cores`,
  );
  warnIfBusy(machine);
  const measurements: Measurement[] = [];
  const skipped: { backend: Backend; reason: string }[] = [];
  const failures: string[] = [];
  const servers: ServerReport[] = [];

  for (const backend of backends) {
    let server: RunningServer;
    let data: BenchData | undefined;
    try {
      data = await benchmark.createData?.(backend, dataOptions);
      server = await startServer(backend, data ? { data } : {});
    } catch (error) {
      await data?.drop();
      const message = (error as Error).message;
      if (error instanceof BackendUnavailableError && choice === 'both') {
        log(`SKIPPING ${backend}: ${message}`);
        skipped.push({ backend, reason: message });
      } else {
        failures.push(`${backend}: ${message}`);
      }
      continue;
    }
    log(`${backend}: Leadkeeper ${server.version} ready at ${server.baseUrl}`);
    try {
      if (data) {
        const seconds = await waitForQuietJobs(data);
        if (seconds > 0) log(`${backend}: the server's due jobs ran first (${seconds} s)`);
      }
      const scenarios = (await benchmark.prepare(server)).filter(
        (scenario) => !values.only || scenario.name === values.only,
      );
      if (scenarios.length === 0) throw new Error(`no scenario is named "${values.only}"`);
      for (const scenario of scenarios) {
        const measurement = await measureScenario(server, scenario, load);
        measurements.push(measurement);
        const failed = failuresOf(measurement);
        if (measurement.requests === 0) {
          failures.push(
            `${backend}: ${scenario.name}: no request completed in the ${load.durationSeconds}s ` +
              'run (each took longer, or the server stopped answering)',
          );
        } else if (failed > 0) {
          failures.push(
            `${backend}: ${scenario.name}: ${failed} failed requests ` +
              `(errors ${measurement.errors + measurement.warmup.errors}, ` +
              `timeouts ${measurement.timeouts}, non-2xx ${measurement.non2xx + measurement.warmup.non2xx}, ` +
              `status codes ${JSON.stringify(measurement.statusCodes)})`,
          );
        }
        if (server.hasExited()) throw new Error('the server process exited during the load');
      }
    } catch (error) {
      failures.push(`${backend}: ${(error as Error).message}`);
    } finally {
      const warnings = warningsIn(server.outputAfterReady);
      servers.push({
        backend,
        version: server.version,
        warnings: warnings.length,
        warningSample: warnings.slice(0, 5),
      });
      await server.stop();
      await data?.drop();
    }
  }

  addCeilingRatios(measurements);
  const details = benchmark.details?.(measurements);
  const ok = failures.length === 0 && measurements.length > 0;
  const report = {
    benchmark: benchmark.name,
    description: benchmark.description,
    date: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    ok,
    parameters: {
      backend: choice,
      backends,
      host: '127.0.0.1',
      durationSeconds: load.durationSeconds,
      warmupSeconds: load.warmupSeconds,
      connections: load.connections,
      pipelining: 1,
      ...(benchmark.createData ? { leads: dataOptions.leads ?? 'default' } : {}),
    },
    machine: { ...machine, loadAverageAtEnd: os.loadavg().map((v) => Number(v.toFixed(2))) },
    git,
    servers,
    results: measurements,
    ...(details ? { details: details.json } : {}),
    skipped,
    failures,
  };

  if (details?.text) process.stdout.write(`\n${details.text}\n`);
  if (measurements.length > 0) process.stdout.write(`\n${formatTable(measurements)}\n\n`);
  log(
    `took ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)}s; load average at the end ` +
      `${report.machine.loadAverageAtEnd.join(' ')}`,
  );
  // auth-latest.json only ever holds a clean run; failed runs keep their timestamped file.
  const files = writeResults(benchmark.name, choice, startedAt, report, { updateLatest: ok });
  for (const file of files) log(`wrote ${file}`);
  for (const s of skipped) log(`skipped ${s.backend}: ${s.reason}`);
  for (const s of servers.filter((r) => r.warnings > 0)) {
    log(`${s.backend}: the server logged ${s.warnings} warning/error lines under load, e.g.:`);
    for (const line of s.warningSample) log(`  ${line.slice(0, 400)}`);
  }
  if (!ok) {
    log('FAILED — these figures are not valid:');
    for (const failure of failures) log(`  ${failure}`);
    if (measurements.length === 0 && failures.length === 0) log('  nothing was measured');
    return 1;
  }
  return 0;
}

let isInterrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    isInterrupted = true;
    log(`${signal}: stopping servers and removing bench data…`);
    void runCleanups().finally(() => process.exit(130));
  });
}

main()
  .catch((error: unknown) => {
    const isUsage = error instanceof UsageError;
    process.stderr.write(
      `${isUsage ? `${error.message}\n${USAGE}` : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  })
  .then(async (code) => {
    await runCleanups();
    if (!isInterrupted) process.exit(code);
  })
  .catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
