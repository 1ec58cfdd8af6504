// PostgreSQL only (the embedded database has no named statements): runs in the suite's
// PostgreSQL pass (TEST_DATABASE_URL), as .ci/run does.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresTestDatabase } from '../../../../test/support/test-app.js';
import { openDatabase, type Database } from './database.js';
import { PLAN_EACH_TIME } from './prepared-statements.js';

const testDatabaseUrl = process.env.TEST_DATABASE_URL;

describe.runIf(testDatabaseUrl)('prepared statements on PostgreSQL', () => {
  let fresh: Awaited<ReturnType<typeof createPostgresTestDatabase>>;
  let database: Database;
  beforeAll(async () => {
    fresh = await createPostgresTestDatabase(testDatabaseUrl!);
    database = await openDatabase({ databaseUrl: fresh.url, dataDir: 'unused' });
  });
  afterAll(async () => {
    await database.close();
    await fresh.drop();
  });

  it('prepares a parameterised statement once per connection and reuses it', async () => {
    await database.db.connection().execute(async (connection) => {
      const lookup = (key: string) =>
        connection.selectFrom('instance_settings').select('key').where('key', '=', key).compile();
      const first = lookup('a');
      await connection.executeQuery(first);
      await connection.executeQuery(lookup('b'));
      const { rows } = await sql<{ name: string; statement: string }>`
        select name, statement from pg_prepared_statements where statement = ${first.sql}
      `.execute(connection);
      expect(rows).toEqual([{ name: expect.stringMatching(/^lk_/), statement: first.sql }]);
    });
  });

  it('plans a statement marked PLAN_EACH_TIME anew every time (never prepared)', async () => {
    await database.db.connection().execute(async (connection) => {
      const search = sql`select ${sql.raw(PLAN_EACH_TIME)} ${'a'}::text as word`;
      await search.execute(connection);
      await search.execute(connection);
      const { rows } = await sql<{ statements: number }>`
        select count(*) as statements from pg_prepared_statements
        where statement like ${'%' + PLAN_EACH_TIME + '%'}
      `.execute(connection);
      expect(rows[0]?.statements).toBe(0);
    });
  });

  it('runs parameterless texts unprepared, several statements at once (migrations)', async () => {
    await database.db.connection().execute(async (connection) => {
      // A prepared statement holds one command; this text would fail if it were prepared.
      await sql`create temporary table probe (n int); insert into probe values (1)`.execute(
        connection,
      );
      const { rows } = await sql<{ statements: number }>`
        select count(*) as statements from pg_prepared_statements where statement like '%probe%'
      `.execute(connection);
      expect(rows[0]?.statements).toBe(0);
    });
  });

  it('keeps the types of the unprepared protocol (int8 as number, date as text)', async () => {
    const { rows } = await sql<{ count: number; day: string }>`
      select ${5}::int8 as count, ${'2026-03-02'}::date as day
    `.execute(database.db);
    expect(rows).toEqual([{ count: 5, day: '2026-03-02' }]);
  });
});
