import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirLockedError, openDatabase } from './database.js';
import { migrateToLatest } from './migrate.js';

const dir = mkdtempSync(path.join(tmpdir(), 'lk-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('embedded database', () => {
  it('is opened by one process at a time and keeps its data across restarts', async () => {
    const first = await openDatabase({ databaseUrl: undefined, dataDir: dir });
    await migrateToLatest(first.db);
    await sql`insert into instance_settings (key, value) values ('probe', '"kept"')`.execute(
      first.db,
    );

    const second = openDatabase({ databaseUrl: undefined, dataDir: dir });
    await expect(second).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(second).rejects.toThrow(/in use by another Leadkeeper process/);

    await first.close();
    const reopened = await openDatabase({ databaseUrl: undefined, dataDir: dir });
    try {
      expect(await migrateToLatest(reopened.db)).toEqual([]);
      const row = await reopened.db
        .selectFrom('instance_settings')
        .select('value')
        .where('key', '=', 'probe')
        .executeTakeFirst();
      expect(row?.value).toBe('kept');
    } finally {
      await reopened.close();
    }
  });
});
