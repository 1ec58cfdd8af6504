// Named prepared statements on PostgreSQL: each pooled connection parses and plans a statement
// the first time it runs it and only binds parameters after that (docs/decisions/015).
import { createHash } from 'node:crypto';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';

/**
 * A comment that keeps a statement unnamed, so PostgreSQL plans it for its values every time:
 * for statements whose best plan depends on them (full-text search: a common word or a rare
 * one). A generic plan would be chosen once for all of them.
 */
export const PLAN_EACH_TIME = '/* plan each time */';

/** Statements one connection keeps prepared; SQL texts beyond this run unnamed. */
export const MAX_PREPARED_PER_CONNECTION = 500;

/** A Kysely PostgresPool over pg.Pool whose clients run every statement as a named one. */
export class PreparingPool implements PostgresPool {
  readonly #pool: pg.Pool;
  readonly #clients = new WeakMap<pg.PoolClient, PreparingClient>();

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async connect(): Promise<PostgresPoolClient> {
    const client = await this.#pool.connect();
    let wrapped = this.#clients.get(client);
    if (!wrapped) {
      wrapped = new PreparingClient(client);
      this.#clients.set(client, wrapped);
    }
    return wrapped;
  }

  end(): Promise<void> {
    return this.#pool.end();
  }
}

class PreparingClient implements PostgresPoolClient {
  readonly #client: pg.PoolClient;
  /** SQL text → statement name, of the statements this connection has been asked to prepare. */
  readonly #names = new Map<string, string>();

  constructor(client: pg.PoolClient) {
    this.#client = client;
  }

  query<R>(sql: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    sqlOrCursor: string | PostgresCursor<R>,
    parameters?: readonly unknown[],
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof sqlOrCursor !== 'string') {
      return this.#client.query(sqlOrCursor as never);
    }
    // Without parameters pg uses the simple protocol, which also runs several statements in one
    // text (migrations); only parameterised statements are prepared.
    if (!parameters || parameters.length === 0) {
      return this.#client.query(sqlOrCursor) as unknown as Promise<PostgresQueryResult<R>>;
    }
    const name = this.#nameOf(sqlOrCursor);
    const values = [...parameters];
    return this.#client.query({ name, text: sqlOrCursor, values }) as unknown as Promise<
      PostgresQueryResult<R>
    >;
  }

  release(): void {
    this.#client.release();
  }

  #nameOf(sql: string): string | undefined {
    const known = this.#names.get(sql);
    if (known !== undefined || this.#names.size >= MAX_PREPARED_PER_CONNECTION) return known;
    if (sql.includes(PLAN_EACH_TIME)) return undefined;
    const name = `lk_${createHash('sha1').update(sql).digest('base64url').slice(0, 20)}`;
    this.#names.set(sql, name);
    return name;
  }
}
