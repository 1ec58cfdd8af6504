// Starts the built server (dist/) as a child process on a free port with a fresh embedded
// database, so each e2e file walks a real first start.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(REPO_ROOT, 'dist', 'server', 'cli.js');
// An empty PGlite runs every migration on first start; that takes ~10 s on a slow machine.
const START_TIMEOUT_MS = 60_000;
const SETUP_LINK = /^\s*(https?:\/\/\S+\/setup\?token=\S+)\s*$/m;

export interface RunningServer {
  baseUrl: string;
  dataDir: string;
  /** Everything the server printed on stdout so far. */
  output: () => string;
  /** The one-time setup link printed on an empty database. */
  waitForSetupLink: () => Promise<string>;
  stop: () => Promise<void>;
}

export interface StartServerOptions {
  env?: Record<string, string>;
}

export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      if (address === null || typeof address === 'string') {
        probe.close();
        reject(new Error('Could not read the probe port'));
        return;
      }
      probe.close(() => resolve(address.port));
    });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function isHealthy(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing; run "npm run build" before the e2e tests.`);
  }
  const port = await findFreePort();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'leadkeeper-e2e-'));
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  // The first-run link is only printed when no admin is configured.
  if (!options.env?.ADMIN_EMAIL) {
    delete env.ADMIN_EMAIL;
    delete env.ADMIN_PASSWORD;
  }
  for (const key of ['DATABASE_URL', 'PUBLIC_URL', 'DEMO']) {
    if (!options.env?.[key]) delete env[key];
  }

  const child = spawn(process.execPath, [CLI, 'start'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = exitOf(child);

  const describe = () =>
    `stdout:\n${stdout || '(empty)'}\nstderr:\n${stderr || '(empty)'}\nexit code: ${String(child.exitCode)}`;

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timeout = delay(10_000).then(() => 'timeout' as const);
      if ((await Promise.race([exited, timeout])) === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  try {
    while (!(await isHealthy(baseUrl))) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`The server exited before it was healthy.\n${describe()}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`The server was not healthy within ${START_TIMEOUT_MS} ms.\n${describe()}`);
      }
      await delay(200);
    }
  } catch (error) {
    await stop();
    throw error;
  }

  const waitForSetupLink = async () => {
    // The link is printed right after "listening", so it may trail the health check briefly.
    const until = Date.now() + 10_000;
    for (;;) {
      const link = SETUP_LINK.exec(stdout)?.[1];
      if (link) return link;
      if (Date.now() > until) throw new Error(`No setup link was printed.\n${describe()}`);
      await delay(100);
    }
  };

  return { baseUrl, dataDir, output: () => stdout, waitForSetupLink, stop };
}
