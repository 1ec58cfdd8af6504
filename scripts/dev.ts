// `npm run dev`: the API server with restart on change (tsx watch, port 3000) and Vite's dev
// server with hot reload (http://127.0.0.1:5173, proxying /api to the server). Ctrl+C stops both.
import { spawn, type ChildProcess } from 'node:child_process';

// Each child leads its own process group, so stopping it stops what npm started under it
// (npm and sh do not pass signals on to their children).
const start = (args: string[]): ChildProcess =>
  spawn('npm', ['run', ...args], { stdio: 'inherit', detached: true });

const children = [start(['dev:server', '--', ...process.argv.slice(2)]), start(['dev:web'])];

let stopping = false;
function stopAll(code: number): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) {
    if (child.pid === undefined || child.exitCode !== null) continue;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
  process.exitCode = code;
}

for (const child of children) child.on('exit', (code) => stopAll(code ?? 0));
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));
