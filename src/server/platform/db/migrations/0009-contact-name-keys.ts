// Similar contact names by match keys instead of a nearest-name search (docs/decisions/013).
// The trigram GiST search cost ~1 ms when a name had near neighbours but ~250 ms at 1,000,000
// contacts when it had none, as most new names don't: it must visit most of the tree to prove
// that nothing is near. Candidates now come from three B-tree lookups whose cost follows the
// number of people sharing a key, not the size of the table; pg_trgm similarity ranks them.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
-- The same full name.
create index contacts_full_name_idx on contacts
  (workspace_id, lower(first_name || ' ' || last_name)) where archived_at is null;
-- The same first letter and first four letters of the last name: first-name variants
-- (Jon, John, Jonny Miller/Millers).
create index contacts_name_key_last_idx on contacts
  (workspace_id, left(lower(last_name), 4), left(lower(first_name), 1)) where archived_at is null;
-- The same first name and first two letters of the last name: last-name typos (Becker, Beker).
create index contacts_name_key_first_idx on contacts
  (workspace_id, lower(first_name), left(lower(last_name), 2)) where archived_at is null;
drop index contacts_name_trgm_idx;
`,
    )
    .execute(db);
}
