// Schedules: the slots some instance has enqueued (platform/schedules.ts). Instance-wide, not a
// workspace table; a claim deletes that schedule's slots older than ten periods.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
create table schedule_slots (
  name text not null,
  slot timestamptz not null,
  enqueued_at timestamptz not null,
  primary key (name, slot)
);
`,
    )
    .execute(db);
}
