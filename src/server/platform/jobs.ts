// Durable background jobs on the app's own database (pg-boss; docs/decisions/021). A module
// registers a queue's handler when its service is built and enqueues inside its own transaction,
// so a job exists exactly when the change that asked for it committed. Jobs live in the database:
// a restart loses none, and several app instances share the queues without running a job twice.
import { setMaxListeners } from 'node:events';
import { setTimeout } from 'node:timers/promises';
import { CompiledQuery, type Kysely } from 'kysely';
import PgBoss from 'pg-boss';
import type { DB } from './db/schema.js';

/** pg-boss's tables live in their own schema, created and upgraded by pg-boss itself. */
const JOB_SCHEMA = 'pgboss';
/** How often an idle worker asks for a new job. */
const POLLING_INTERVAL_SECONDS = 1;

export type JobHandler<T> = (data: T) => Promise<void>;

export interface QueueOptions {
  /** Attempts after the first failure before the job is marked failed (default 3). */
  retryLimit?: number;
  /** Seconds before the first retry; doubles on each (default 30). */
  retryDelaySeconds?: number;
  /** A job still running after this long is taken as crashed and retried (default 15 min). */
  expireInSeconds?: number;
}

export interface JobErrorReport {
  queue: string;
  error: unknown;
}

export interface Jobs {
  /** At service construction: the handler of a queue (kebab-case name, e.g. 'import-run'). */
  register<T extends object>(name: string, handler: JobHandler<T>, options?: QueueOptions): void;
  /** Enqueue inside the caller's transaction, so the job exists only if that commits. */
  send(
    trx: Kysely<DB>,
    name: string,
    data: object,
    options?: { singletonKey?: string; startAfterSeconds?: number },
  ): Promise<void>;
  /** Creates every registered queue (idempotent); the app does this once at boot. */
  createQueues(): Promise<void>;
  /** Starts `workersPerQueue` workers for every registered queue (the server process). */
  start(options?: { workersPerQueue?: number }): Promise<void>;
  /** Stops the workers, letting running jobs finish (a cut-off one is retried later). */
  stop(): Promise<void>;
  /** Runs every job that is due now, in this process, until none is left; returns how many ran. */
  drain(): Promise<number>;
  /** Where handler failures are reported (the app's logger). */
  onError(listener: (report: JobErrorReport) => void): void;
}

/** pg-boss's database interface over Kysely, so it shares the pool (or PGlite's one connection). */
function sqlExecutor(db: Kysely<DB>) {
  return {
    async executeSql(text: string, values?: unknown[]) {
      const result = await db.executeQuery(CompiledQuery.raw(text, values ?? []));
      return { rows: result.rows };
    },
  };
}

/**
 * Creates pg-boss's schema or upgrades it to this version of pg-boss. Runs after the app's own
 * migrations, through pg-boss's own migration code (it keeps its version in pgboss.version).
 */
export async function migrateJobSchema(db: Kysely<DB>): Promise<void> {
  const boss = new PgBoss({
    db: sqlExecutor(db),
    schema: JOB_SCHEMA,
    migrate: true,
    supervise: false,
    schedule: false,
  });
  await boss.start();
  await boss.stop({ graceful: false, wait: true, close: false });
}

export function createJobs(db: Kysely<DB>): Jobs {
  const handlers = new Map<string, { handler: JobHandler<object>; options: QueueOptions }>();
  /** Queues known to exist, so send() doesn't ask again. */
  const createdQueues = new Set<string>();
  const errorListeners: ((report: JobErrorReport) => void)[] = [];
  const boss = new PgBoss({
    db: sqlExecutor(db),
    schema: JOB_SCHEMA,
    // The schema is migrated with the app's migrations (migrateJobSchema), not on every start.
    migrate: false,
    supervise: true,
    schedule: false,
  });
  boss.on('error', (error) => report('pg-boss', error));

  function report(queue: string, error: unknown) {
    for (const listener of errorListeners) listener({ queue, error });
  }

  function queueOptions(options: QueueOptions) {
    const retryDelay = options.retryDelaySeconds ?? 30;
    return {
      policy: 'standard',
      retryLimit: options.retryLimit ?? 3,
      retryDelay,
      // pg-boss's backoff waits at least a second even with no delay asked for.
      retryBackoff: retryDelay > 0,
      expireInSeconds: options.expireInSeconds ?? 15 * 60,
    };
  }

  /**
   * Takes the next due job of a queue and runs it: completed when its handler resolves, failed
   * (retried later by pg-boss) when it throws. False when the queue had nothing due.
   */
  async function runNext(name: string): Promise<boolean> {
    const registered = handlers.get(name);
    if (!registered) throw new Error(`No handler for the job queue "${name}"`);
    const [job] = await boss.fetch<object>(name, { batchSize: 1 });
    if (!job) return false;
    try {
      await registered.handler(job.data);
      await boss.complete(name, job.id);
    } catch (error) {
      report(name, error);
      await boss.fail(name, job.id, { message: String(error) }).catch((failure: unknown) => {
        // The job stays active and expires into a retry; say why it wasn't marked.
        report(name, failure);
      });
    }
    return true;
  }

  // Our own worker loop per queue (not boss.work): stop() then waits for the job in hand to run
  // to the end and be marked, so a graceful restart never leaves a finished job "active".
  let running = false;
  let wake = new AbortController();
  const loops: Promise<void>[] = [];

  async function workLoop(name: string) {
    while (running) {
      const ran = await runNext(name).catch((error: unknown) => {
        report(name, error);
        return false;
      });
      if (!ran && running) {
        await setTimeout(POLLING_INTERVAL_SECONDS * 1000, undefined, {
          signal: wake.signal,
        }).catch(() => undefined);
      }
    }
  }

  return {
    register(name, handler, options = {}) {
      if (handlers.has(name)) throw new Error(`The job queue "${name}" is registered twice`);
      handlers.set(name, { handler: handler as JobHandler<object>, options });
    },

    async send(trx, name, data, options = {}) {
      const registered = handlers.get(name);
      if (!registered) throw new Error(`No handler for the job queue "${name}"`);
      const executor = sqlExecutor(trx);
      if (!createdQueues.has(name)) {
        // Inside the caller's transaction: on PGlite, the one connection is theirs right now.
        await executor.executeSql(`select ${JOB_SCHEMA}.create_queue($1, $2)`, [
          name,
          JSON.stringify(queueOptions(registered.options)),
        ]);
      }
      const { startAfterSeconds, ...rest } = options;
      await boss.send(name, data, {
        ...rest,
        ...(startAfterSeconds ? { startAfter: startAfterSeconds } : {}),
        db: executor,
      });
    },

    async createQueues() {
      for (const [name, { options }] of handlers) {
        // Instances booting together on one PostgreSQL can deadlock creating the same queue's
        // partition (seen in test/scheduling-two-processes.test.ts); the loser tries again.
        for (let attempt = 1; ; attempt += 1) {
          try {
            await boss.createQueue(name, queueOptions(options) as PgBoss.Queue);
            // create_queue leaves an existing queue as it was: options changed since apply too.
            await boss.updateQueue(name, queueOptions(options) as PgBoss.Queue);
            break;
          } catch (error) {
            if ((error as { code?: string }).code !== '40P01' || attempt >= 5) throw error;
            await setTimeout(50 * attempt + Math.floor(Math.random() * 100));
          }
        }
        createdQueues.add(name);
      }
    },

    async start({ workersPerQueue = 1 } = {}) {
      await boss.start();
      running = true;
      wake = new AbortController();
      // Every worker loop waits on this one signal.
      setMaxListeners(0, wake.signal);
      for (const name of handlers.keys()) {
        for (let i = 0; i < workersPerQueue; i += 1) loops.push(workLoop(name));
      }
    },

    async stop() {
      running = false;
      wake.abort();
      await Promise.all(loops.splice(0));
      await boss.stop({ graceful: false, wait: true, close: false });
    },

    async drain() {
      let ran = 0;
      for (let found = true; found;) {
        found = false;
        for (const name of handlers.keys()) {
          if (await runNext(name)) {
            found = true;
            ran += 1;
          }
        }
      }
      return ran;
    },

    onError(listener) {
      errorListeners.push(listener);
    },
  };
}
