// export: `GET /api/exports/leads.csv` of a whole big workspace (1,000,000 leads on PostgreSQL,
// 100,000 on PGlite, made by the leads benchmark's generator), downloaded --runs times over
// loopback. Per run: seconds until the last byte, rows per second, bytes, and the server
// process's resident memory (sampled every 50 ms from /proc) before and at its peak during the
// download. Targets of issue 5: >= 50,000 rows/s and a peak RSS < 300 MB.
import fs from 'node:fs';
import os from 'node:os';
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
import { BATCH_SIZE, DEFAULT_LEADS, generateLeads, setUpWorkspace } from './leads.js';

const DEFAULT_RUNS = 3;
const RSS_SAMPLE_MS = 50;
const TARGET_ROWS_PER_SECOND = 50_000;
const TARGET_PEAK_RSS_MB = 300;

interface ExportRun {
  seconds: number;
  rows: number;
  bytes: number;
  rowsPerSecond: number;
  rssBeforeMb: number;
  peakRssMb: number;
}

/** The resident memory of a process in MB, from /proc (Linux). */
function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) / 1024;
}

/** Downloads the export once, counting rows (lines after the header) as the bytes arrive. */
async function downloadOnce(server: RunningServer, token: string): Promise<ExportRun> {
  const pid = server.pid;
  if (pid === undefined) throw new Error('the server has no pid to sample');
  const rssBeforeMb = rssMb(pid);
  let peakRssMb = rssBeforeMb;
  const sampler = setInterval(() => {
    peakRssMb = Math.max(peakRssMb, rssMb(pid));
  }, RSS_SAMPLE_MS);
  const started = performance.now();
  let bytes = 0;
  let newlines = 0;
  try {
    const response = await fetch(`${server.baseUrl}/api/exports/leads.csv`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (response.status !== 200 || !response.body) {
      throw new Error(`the export answered ${response.status}: ${await response.text()}`);
    }
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      // A line break inside a quoted cell would count too; the generated data has none.
      for (const byte of chunk) if (byte === 0x0a) newlines += 1;
    }
  } finally {
    clearInterval(sampler);
  }
  peakRssMb = Math.max(peakRssMb, rssMb(pid));
  const seconds = (performance.now() - started) / 1000;
  const rows = newlines - 1;
  return {
    seconds: Number(seconds.toFixed(2)),
    rows,
    bytes,
    rowsPerSecond: Math.round(rows / seconds),
    rssBeforeMb: Math.round(rssBeforeMb),
    peakRssMb: Math.round(peakRssMb),
  };
}

async function runBackend(backend: Backend, leads: number, runs: number) {
  const data = await createBenchData(backend);
  try {
    const first = await startServer(backend, { data });
    const setup = await setUpWorkspace(first).finally(() => first.stop());
    const database = await openDatabase({
      databaseUrl: data.env.DATABASE_URL,
      dataDir: data.env.DATA_DIR ?? '',
    });
    let generation;
    try {
      generation = await generateLeads(database.db, backend, {
        total: leads,
        batchSize: BATCH_SIZE[backend],
        ranges: [{ setup, lo: 1, hi: leads, isAllOpen: false }],
      });
    } finally {
      await database.close();
    }
    log(
      `${backend}: ${leads.toLocaleString('en')} leads generated in ${generation.insertSeconds}s`,
    );
    const server = await startServer(backend, { data });
    try {
      const results: ExportRun[] = [];
      for (let run = 1; run <= runs; run += 1) {
        const result = await downloadOnce(server, setup.token);
        if (result.rows !== leads) {
          throw new Error(`the export had ${result.rows} rows, expected ${leads}`);
        }
        log(
          `${backend}: run ${run}: ${result.rows.toLocaleString('en')} rows in ${result.seconds}s ` +
            `(${result.rowsPerSecond.toLocaleString('en')} rows/s), peak RSS ${result.peakRssMb} MB`,
        );
        results.push(result);
      }
      return {
        backend,
        leads,
        generation,
        runs: results,
        warnings: warningsIn(server.outputAfterReady),
      };
    } finally {
      await server.stop();
    }
  } finally {
    await data.drop();
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
};

async function run(options: StandaloneOptions): Promise<number> {
  const startedAt = new Date();
  const machine = machineInfo();
  const git = gitInfo();
  const done = [];
  const failures: string[] = [];
  for (const backend of options.backends) {
    try {
      done.push(await runBackend(backend, options.leads ?? DEFAULT_LEADS[backend], options.runs));
    } catch (error) {
      failures.push(`${backend}: ${(error as Error).message}`);
    }
  }
  const summaries = done.map((result) => ({
    backend: result.backend,
    leads: result.leads,
    medianRowsPerSecond: median(result.runs.map((r) => r.rowsPerSecond)),
    medianSeconds: median(result.runs.map((r) => r.seconds)),
    maxPeakRssMb: Math.max(...result.runs.map((r) => r.peakRssMb)),
    megabytes: Number(((result.runs[0]?.bytes ?? 0) / 1e6).toFixed(1)),
  }));
  const ok = failures.length === 0 && summaries.length > 0;
  writeResults(
    exportBenchmark.name,
    options.choice,
    startedAt,
    {
      benchmark: exportBenchmark.name,
      date: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      ok,
      parameters: { backends: options.backends, runs: options.runs, leads: options.leads },
      targets: { rowsPerSecond: TARGET_ROWS_PER_SECOND, peakRssMb: TARGET_PEAK_RSS_MB },
      machine: { ...machine, loadAverageAtEnd: os.loadavg() },
      git,
      results: summaries,
      backends: done,
      failures,
    },
    { updateLatest: ok },
  );
  process.stdout.write(
    '\nbackend   leads      MB    median s  median rows/s  max peak RSS MB  targets met\n',
  );
  for (const s of summaries) {
    const met =
      s.medianRowsPerSecond >= TARGET_ROWS_PER_SECOND && s.maxPeakRssMb < TARGET_PEAK_RSS_MB;
    process.stdout.write(
      `${s.backend.padEnd(9)} ${s.leads.toLocaleString('en').padStart(9)}  ${String(s.megabytes).padStart(6)}  ` +
        `${String(s.medianSeconds).padStart(8)}  ${s.medianRowsPerSecond.toLocaleString('en').padStart(13)}  ` +
        `${String(s.maxPeakRssMb).padStart(15)}  ${met ? 'yes' : 'no'}\n`,
    );
  }
  for (const failure of failures) log(`FAILED ${failure}`);
  return ok ? 0 : 1;
}

export const exportBenchmark: StandaloneBenchmark = {
  name: 'export',
  description:
    'GET /api/exports/leads.csv of 1,000,000 leads (PostgreSQL) / 100,000 (PGlite): rows/s and ' +
    'peak server RSS',
  defaults: { backend: 'both', runs: DEFAULT_RUNS },
  takesLeads: true,
  run,
};
