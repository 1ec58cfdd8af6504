import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../../test/support/test-app.js';
import type { Database } from './database.js';
import { precompiled } from './precompiled.js';

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
  await sql`
    insert into instance_settings (key, value)
    values ('alpha', '"a"'), ('beta', '"b"'), ('gamma', '"c"')
  `.execute(database.db);
});
afterAll(async () => database.close());

describe('precompiled queries', () => {
  const settingsBetween = precompiled((db, { from, to }: { from: string; to: string }) =>
    db
      .selectFrom('instance_settings')
      .select('key')
      .where('key', '>=', from)
      .where('key', '<=', to)
      .where('key', '<>', 'beta') // a constant parameter stays where it was
      .orderBy('key'),
  );

  it('puts each call’s arguments into the SQL compiled by the first call', async () => {
    const keys = async (from: string, to: string) =>
      (await settingsBetween(database.db, { from, to })).map((row) => row.key);
    expect(await keys('alpha', 'gamma')).toEqual(['alpha', 'gamma']);
    expect(await keys('beta', 'gamma')).toEqual(['gamma']);
    expect(await keys('alpha', 'alpha')).toEqual(['alpha']);
  });

  it('runs inside a transaction on its connection', async () => {
    const rows = await database.db
      .transaction()
      .execute((trx) => settingsBetween(trx, { from: 'gamma', to: 'gamma' }));
    expect(rows).toEqual([{ key: 'gamma' }]);
  });
});
