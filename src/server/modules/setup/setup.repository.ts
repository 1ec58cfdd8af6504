// The only SQL for instance settings (the one-time setup link, demo marker).
import { sql } from 'kysely';
import type { Executor } from '../../platform/audit.js';

export async function readSetting<T>(db: Executor, key: string): Promise<T | undefined> {
  const row = await db
    .selectFrom('instance_settings')
    .select('value')
    .where('key', '=', key)
    .executeTakeFirst();
  return row?.value as T | undefined;
}

export async function writeSetting(db: Executor, key: string, value: unknown, now: Date) {
  await db
    .insertInto('instance_settings')
    .values({ key, value: JSON.stringify(value), updated_at: now })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: now }),
    )
    .execute();
}

export async function deleteSetting(db: Executor, key: string) {
  await db.deleteFrom('instance_settings').where('key', '=', key).execute();
}

/** Serialises first-run setup so two requests can't both create the first admin. */
export async function lockSetup(db: Executor) {
  await sql`select pg_advisory_xact_lock(4242001)`.execute(db);
}
