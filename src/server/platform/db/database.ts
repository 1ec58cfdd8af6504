// Opens the database: embedded PGlite in DATA_DIR by default, PostgreSQL when DATABASE_URL is set.
// The embedded store may be opened by one process at a time; a second one fails fast.
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import lockfile from 'proper-lockfile';
import { PGliteDialect } from './pglite-dialect.js';
import { PreparingPool } from './prepared-statements.js';
import type { DB } from './schema.js';

export type DatabaseKind = 'pglite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  kind: DatabaseKind;
  close(): Promise<void>;
}

export class DataDirLockedError extends Error {}

const INT8_OID = 20;
const DATE_OID = 1082;

// Both backends return the same JS types: int8 as number (counts), date as 'YYYY-MM-DD'.
const parseInt8 = (value: string) => Number(value);
const keepText = (value: string) => value;
export const PGLITE_PARSERS = { [INT8_OID]: parseInt8, [DATE_OID]: keepText };
/** PostgreSQL extensions the schema uses, loaded into every PGlite instance. */
export const PGLITE_EXTENSIONS = { pg_trgm, btree_gist };

export async function openDatabase(options: {
  databaseUrl: string | undefined;
  dataDir: string;
}): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl);
  return openPGlite(options.dataDir);
}

async function openPostgres(connectionString: string): Promise<Database> {
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    // A request or job that can't get a connection in 30 s fails (and is retried) instead of
    // waiting for ever.
    connectionTimeoutMillis: 30_000,
    // The JIT compiler costs tens to hundreds of milliseconds on a query whose estimate is high
    // and pays off only for long analytic scans, which this server doesn't run on requests.
    options: '-c jit=off',
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === INT8_OID) return parseInt8;
        if (oid === DATE_OID) return keepText;
        return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
      }) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection that the server drops (restart, failover) must not crash the process;
  // the pool discards it and opens a new one on the next query.
  pool.on('error', () => undefined);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new PreparingPool(pool) }) });
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy();
    throw new Error(`Cannot connect to PostgreSQL at DATABASE_URL: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return { db, kind: 'postgres', close: () => db.destroy() };
}

async function openPGlite(dataDir: string): Promise<Database> {
  const isMemory = dataDir.startsWith('memory://');
  let unlock: (() => Promise<void>) | undefined;
  if (!isMemory) {
    fs.mkdirSync(dataDir, { recursive: true });
    unlock = await lockDataDir(dataDir);
  }
  try {
    const client = await PGlite.create(isMemory ? undefined : path.join(dataDir, 'pglite'), {
      parsers: PGLITE_PARSERS,
      extensions: PGLITE_EXTENSIONS,
    });
    return wrapPGlite(client, unlock);
  } catch (error) {
    await unlock?.();
    throw error;
  }
}

/** A Database over an open PGlite client (tests open theirs from a migrated snapshot). */
export function wrapPGlite(client: PGlite, unlock?: () => Promise<void>): Database {
  const db = new Kysely<DB>({ dialect: new PGliteDialect(client) });
  return {
    db,
    kind: 'pglite',
    close: async () => {
      await db.destroy();
      await unlock?.();
    },
  };
}

async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  try {
    // The lock is refreshed every few seconds; one left by a crashed process goes stale.
    return await lockfile.lock(dataDir, {
      lockfilePath: path.join(dataDir, 'leadkeeper.lock'),
      stale: 15_000,
      update: 5_000,
      onCompromised: (error) => {
        throw error;
      },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new DataDirLockedError(
        `The data directory ${dataDir} is in use by another Leadkeeper process. ` +
          'Stop that process, or set DATA_DIR to another directory.',
      );
    }
    throw error;
  }
}
