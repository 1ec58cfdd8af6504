// import: CSV import of leads (POST /api/imports, then polling GET /api/imports/:id) into a
// workspace that already holds leads (made by the leads benchmark's generator), duplicate
// checking on (policy skip). Generated files of 100,000 and 1,000,000 rows (or --rows N): a new
// contact per row (name, email, phone), company, source, status and amount, with duplicates
// mixed in — 4% carry the phone of an existing contact, 2% repeat an earlier row of the file.
// Figures per backend and file: rows/s from the upload's first byte to the import's end, and
// the same rows COPYed into a bare table on the same database (the ceiling) as a ratio.
// Targets of issue 5: 1,000,000 rows in < 60 s on PostgreSQL, >= 5,000 rows/s on PGlite,
// ratio to COPY >= 0.3.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
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
  type BenchData,
  type RunningServer,
  type StandaloneBenchmark,
  type StandaloneOptions,
} from '../harness.js';
import { BATCH_SIZE, generateLeads, setUpWorkspace } from './leads.js';

/** Leads the workspace holds before the import. */
const DEFAULT_EXISTING: Record<Backend, number> = { postgres: 100_000, pglite: 20_000 };
const DEFAULT_SIZES = [100_000, 1_000_000];
const POLL_MS = 250;
const TARGET_PG_SECONDS_PER_MILLION = 60;
const TARGET_PGLITE_ROWS_PER_SECOND = 5_000;
const TARGET_COPY_RATIO = 0.3;
/** Mobile prefixes of the leads generator (+49 1xx and eight digits). */
const GENERATED_PREFIXES = ['151', '152', '157', '160', '162', '170', '171', '179'];
const HEADER = 'First Name,Last Name,Email,Phone,Company,Lead Source,Lead Status,Amount';
const SOURCES = ['Website', 'Referral', 'Trade fair', 'Cold call', ''];
const STATUSES = ['New', 'Contacted', 'Qualified', 'Closed - Converted', 'Closed - Not Converted'];

export interface ImportOptions extends StandaloneOptions {
  /** --rows: one file of this many rows instead of the default sizes. */
  rows?: number;
}

interface ImportRun {
  rows: number;
  megabytes: number;
  uploadSeconds: number;
  seconds: number;
  rowsPerSecond: number;
  created: number;
  skipped: number;
  failed: number;
  copySeconds: number;
  copyRowsPerSecond: number;
  ratioToCopy: number;
}

/** Writes a CSV of `rows` rows; returns its path. Row i is deterministic. */
function writeCsv(dir: string, rows: number, existing: number): string {
  const file = path.join(dir, `import-${rows}.csv`);
  const fd = fs.openSync(file, 'w');
  let buffer = `${HEADER}\n`;
  const line = (i: number) => {
    // 2%: the row ten rows back again (a duplicate within the file).
    const n = i % 50 === 49 && i >= 10 ? i - 10 : i;
    // 4%: a new name but the phone of an existing contact (a duplicate of the workspace).
    const isExisting = n % 25 === 7 && existing > 0;
    const phone = isExisting
      ? `+49 ${GENERATED_PREFIXES[((n * 7) % existing) % 8]} ${String(Math.floor(((n * 7) % existing) / 8)).padStart(8, '0')}`
      : `+49 176 ${String(n).padStart(8, '0')}`;
    return (
      `Imported${n % 97},Person${n},import.${n}@bench.test,${phone},` +
      `${n % 5 === 0 ? `Company ${n % 1000} GmbH` : ''},${SOURCES[n % SOURCES.length]},` +
      `${STATUSES[n % STATUSES.length]},${(n % 5000) + 0.5}\n`
    );
  };
  for (let i = 1; i <= rows; i += 1) {
    buffer += line(i);
    if (buffer.length > 1 << 20) {
      fs.writeSync(fd, buffer);
      buffer = '';
    }
  }
  fs.writeSync(fd, buffer);
  fs.closeSync(fd);
  return file;
}

/** Uploads a file as multipart and polls the import until it ends. */
async function importOnce(server: RunningServer, token: string, file: string, rows: number) {
  const form = new FormData();
  form.set('entity', 'leads');
  form.set('duplicatePolicy', 'skip');
  form.set('file', await fs.openAsBlob(file), path.basename(file));
  const started = performance.now();
  const response = await fetch(`${server.baseUrl}/api/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const uploadSeconds = (performance.now() - started) / 1000;
  if (response.status !== 202) {
    throw new Error(`POST /api/imports answered ${response.status}: ${await response.text()}`);
  }
  const { id } = (await response.json()) as { id: string };
  let lastLog = 0;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const state = (await (
      await fetch(`${server.baseUrl}/api/imports/${id}`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as {
      status: string;
      processedRows: number;
      created: number;
      skipped: number;
      failed: number;
      message: string;
      rate: number | null;
    };
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      log(
        `  ${state.processedRows.toLocaleString('en')} of ${rows.toLocaleString('en')} rows (${state.rate ?? 0} rows/s)`,
      );
    }
    if (state.status === 'running' || state.status === 'queued') continue;
    if (state.status !== 'completed')
      throw new Error(`the import ended ${state.status}: ${state.message}`);
    const seconds = (performance.now() - started) / 1000;
    return { uploadSeconds, seconds, ...state };
  }
}

const COPY_COLUMNS =
  '(first_name text, last_name text, email text, phone text, company text, source text, status text, amount text)';

/** COPY of the same file into a bare table of the same database (the server is stopped). */
async function copyCeiling(data: BenchData, file: string): Promise<number> {
  const table = `bench_copy_${randomBytes(4).toString('hex')}`;
  if (data.backend === 'postgres') {
    const client = new pg.Client({ connectionString: data.env.DATABASE_URL });
    await client.connect();
    try {
      await client.query(`create table ${table} ${COPY_COLUMNS}`);
      // A server-side COPY: the bench runs next to PostgreSQL, which reads the file itself.
      fs.chmodSync(file, 0o644);
      fs.chmodSync(path.dirname(file), 0o755);
      const started = performance.now();
      await client.query(`copy ${table} from '${file}' with (format csv, header)`);
      const seconds = (performance.now() - started) / 1000;
      await client.query(`drop table ${table}`);
      return seconds;
    } finally {
      await client.end();
    }
  }
  const client = await PGlite.create(path.join(data.env.DATA_DIR ?? '', 'pglite'));
  try {
    await client.exec(`create table ${table} ${COPY_COLUMNS}`);
    const blob = await fs.openAsBlob(file);
    const started = performance.now();
    await client.query(`copy ${table} from '/dev/blob' with (format csv, header)`, [], { blob });
    const seconds = (performance.now() - started) / 1000;
    await client.exec(`drop table ${table}`);
    return seconds;
  } finally {
    await client.close();
  }
}

async function runBackend(backend: Backend, existing: number, sizes: number[]) {
  const data = await createBenchData(backend);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lk-bench-import-'));
  try {
    const first = await startServer(backend, { data });
    const setup = await setUpWorkspace(first).finally(() => first.stop());
    const database = await openDatabase({
      databaseUrl: data.env.DATABASE_URL,
      dataDir: data.env.DATA_DIR ?? '',
    });
    try {
      await generateLeads(database.db, backend, {
        total: existing,
        batchSize: BATCH_SIZE[backend],
        ranges: [{ setup, lo: 1, hi: existing, isAllOpen: false }],
      });
    } finally {
      await database.close();
    }
    log(`${backend}: the workspace holds ${existing.toLocaleString('en')} leads`);
    const runs: ImportRun[] = [];
    let warnings: string[] = [];
    for (const rows of sizes) {
      const file = writeCsv(dir, rows, existing);
      const megabytes = Number((fs.statSync(file).size / 1e6).toFixed(1));
      log(`${backend}: importing ${rows.toLocaleString('en')} rows (${megabytes} MB)`);
      const server = await startServer(backend, { data });
      let result;
      try {
        result = await importOnce(server, setup.token, file, rows);
        warnings = [...warnings, ...warningsIn(server.outputAfterReady)];
      } finally {
        await server.stop();
      }
      const copySeconds = await copyCeiling(data, file);
      const rowsPerSecond = rows / result.seconds;
      const copyRowsPerSecond = rows / copySeconds;
      const run: ImportRun = {
        rows,
        megabytes,
        uploadSeconds: Number(result.uploadSeconds.toFixed(2)),
        seconds: Number(result.seconds.toFixed(2)),
        rowsPerSecond: Math.round(rowsPerSecond),
        created: result.created,
        skipped: result.skipped,
        failed: result.failed,
        copySeconds: Number(copySeconds.toFixed(2)),
        copyRowsPerSecond: Math.round(copyRowsPerSecond),
        ratioToCopy: Number((rowsPerSecond / copyRowsPerSecond).toFixed(3)),
      };
      log(
        `${backend}: ${rows.toLocaleString('en')} rows in ${run.seconds}s ` +
          `(${run.rowsPerSecond.toLocaleString('en')} rows/s; created ${run.created}, ` +
          `skipped ${run.skipped}, failed ${run.failed}); COPY ${run.copySeconds}s, ratio ${run.ratioToCopy}`,
      );
      runs.push(run);
      fs.rmSync(file, { force: true });
    }
    return { backend, existing, runs, warnings };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await data.drop();
  }
}

function isMet(backend: Backend, run: ImportRun): boolean {
  const speed =
    backend === 'postgres'
      ? run.seconds * (1_000_000 / run.rows) < TARGET_PG_SECONDS_PER_MILLION
      : run.rowsPerSecond >= TARGET_PGLITE_ROWS_PER_SECOND;
  return speed && run.ratioToCopy >= TARGET_COPY_RATIO;
}

async function run(options: StandaloneOptions): Promise<number> {
  const { rows } = options as ImportOptions;
  const sizes = rows ? [rows] : DEFAULT_SIZES;
  const startedAt = new Date();
  const machine = machineInfo();
  const git = gitInfo();
  const done = [];
  const failures: string[] = [];
  for (const backend of options.backends) {
    try {
      done.push(await runBackend(backend, options.leads ?? DEFAULT_EXISTING[backend], sizes));
    } catch (error) {
      failures.push(`${backend}: ${(error as Error).message}`);
    }
  }
  const ok = failures.length === 0 && done.length > 0;
  writeResults(
    importBenchmark.name,
    options.choice,
    startedAt,
    {
      benchmark: importBenchmark.name,
      date: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      ok,
      parameters: { backends: options.backends, sizes, existingLeads: options.leads ?? 'default' },
      targets: {
        postgresSecondsPerMillion: TARGET_PG_SECONDS_PER_MILLION,
        pgliteRowsPerSecond: TARGET_PGLITE_ROWS_PER_SECOND,
        ratioToCopy: TARGET_COPY_RATIO,
      },
      machine: { ...machine, loadAverageAtEnd: os.loadavg() },
      git,
      results: done,
      failures,
    },
    { updateLatest: ok },
  );
  process.stdout.write(
    '\nbackend   existing      rows     MB   seconds   rows/s   created  skipped  failed  COPY rows/s  ratio  targets met\n',
  );
  for (const result of done) {
    for (const r of result.runs) {
      process.stdout.write(
        `${result.backend.padEnd(9)} ${result.existing.toLocaleString('en').padStart(8)}  ` +
          `${r.rows.toLocaleString('en').padStart(9)}  ${String(r.megabytes).padStart(5)}  ` +
          `${String(r.seconds).padStart(8)}  ${r.rowsPerSecond.toLocaleString('en').padStart(7)}  ` +
          `${String(r.created).padStart(8)}  ${String(r.skipped).padStart(7)}  ${String(r.failed).padStart(6)}  ` +
          `${r.copyRowsPerSecond.toLocaleString('en').padStart(11)}  ${String(r.ratioToCopy).padStart(5)}  ` +
          `${isMet(result.backend, r) ? 'yes' : 'no'}\n`,
      );
    }
  }
  for (const failure of failures) log(`FAILED ${failure}`);
  return ok ? 0 : 1;
}

export const importBenchmark: StandaloneBenchmark = {
  name: 'import',
  description:
    'CSV import of 100,000 and 1,000,000 generated leads (--rows N for one size) into a ' +
    'workspace with leads, duplicate checking on: rows/s and the ratio to COPY',
  defaults: { backend: 'both', runs: 1 },
  takesLeads: true,
  run,
};
