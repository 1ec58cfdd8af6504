// A lead's score is no analytics fact: rescoring a workspace (nightly, after each training)
// rewrote every open lead's score and so marked all of them stale, and the next refresh rebuilt
// the workspace's facts. The update trigger now skips rows whose only change is the score.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
create function analytics_mark_updated_leads_stale() returns trigger language plpgsql as $$
begin
  insert into analytics_stale_leads (workspace_id, lead_id)
    select distinct n.workspace_id, n.id from new_rows n join old_rows o on o.id = n.id
    where to_jsonb(n) - '{score,score_factors}'::text[]
      is distinct from to_jsonb(o) - '{score,score_factors}'::text[]
    on conflict do nothing;
  return null;
end $$;

drop trigger leads_analytics_update on leads;
create trigger leads_analytics_update after update on leads
  referencing old table as old_rows new table as new_rows
  for each statement execute function analytics_mark_updated_leads_stale();
`,
    )
    .execute(db);
}
