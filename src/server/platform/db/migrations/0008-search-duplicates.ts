// Search and duplicates. Full-text indexes on expressions ('simple' config: words as typed, in
// any language), so every writer keeps them right without code and rows carry no extra column;
// queries use the same expressions (leads.repository.ts). Trigram indexes (pg_trgm) find
// similar names. Merged records point at their survivor.
// The GIN indexes don't lead with workspace_id (a GIN index can't without btree_gin); the
// workspace condition is applied to what they return.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
create extension if not exists pg_trgm;

create index leads_search_idx on leads
  using gin (to_tsvector('simple', title || ' ' || company_name));
-- An email adds its parts as words: greta@holm-bau.de finds "greta", "holm" and "bau".
create index contacts_search_idx on contacts using gin (to_tsvector('simple',
  first_name || ' ' || last_name || ' ' ||
  translate(jsonb_path_query_array(emails, '$[*].value')::text, '@.[]",_-+', '          ')));
create index companies_search_idx on companies using gin (to_tsvector('simple', name));

-- GiST (with btree_gist for the workspace column) rather than GIN: it can hand back the nearest
-- names first (ORDER BY … <-> … LIMIT 5), so a warning costs the same however many people
-- share a common name.
create extension if not exists btree_gist;
create index contacts_name_trgm_idx on contacts
  using gist (workspace_id, (lower(first_name || ' ' || last_name)) gist_trgm_ops);
create index companies_name_trgm_idx on companies
  using gist (workspace_id, lower(name) gist_trgm_ops);

alter table contacts add column merged_into_id uuid;
alter table contacts add foreign key (workspace_id, merged_into_id) references contacts (workspace_id, id);
alter table leads add column merged_into_id uuid;
alter table leads add foreign key (workspace_id, merged_into_id) references leads (workspace_id, id);

alter table workspaces add column duplicate_similarity real not null default 0.6
  check (duplicate_similarity between 0.1 and 1);

create index leads_company_idx on leads (workspace_id, company_id) where company_id is not null;

-- Sorts of the leads list beyond the default (newest first).
create index leads_updated_idx on leads (workspace_id, updated_at desc, id desc);
create index leads_follow_up_idx on leads (workspace_id, next_follow_up_at, id);
`,
    )
    .execute(db);
}
