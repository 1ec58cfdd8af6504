// Custom fields: their definitions per workspace and record type, a custom_fields jsonb column
// on contacts and companies (leads have one since 0005), and each pipeline's fields required to
// convert a lead and the onboarding tasks made at conversion.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
create table custom_fields (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  record_type text not null check (record_type in ('lead', 'contact', 'company')),
  key text not null check (key ~ '^[a-z][a-z0-9_]{0,62}$'),
  label text not null check (length(label) between 1 and 200),
  type text not null check (type in ('text', 'long_text', 'number', 'money', 'date', 'boolean',
    'select', 'multiselect', 'email', 'phone', 'url')),
  options jsonb not null default '[]',
  is_required boolean not null default false,
  is_sensitive boolean not null default false,
  help_text text not null default '',
  position integer not null default 0,
  version integer not null default 1,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  archived_at timestamptz,
  primary key (workspace_id, id),
  -- Archived fields keep their key: their values stay stored under it.
  unique (workspace_id, record_type, key)
);

alter table contacts add column custom_fields jsonb not null default '{}';
alter table companies add column custom_fields jsonb not null default '{}';

-- Containment filters (custom_fields @> '{"key": value}') on leads. This index breaks the
-- "indexes lead with workspace_id" rule on purpose: a GIN index can hold a uuid column only with
-- the btree_gin extension, which PGlite would have to load at start and PostgreSQL would have to
-- be allowed to create, for one index. Queries still say workspace_id = … (PostgreSQL combines
-- this index with the workspace btrees), and on Citus the index lives in each shard anyway.
create index leads_custom_fields_idx on leads using gin (custom_fields jsonb_path_ops);

alter table pipelines add column required_for_conversion text[] not null default '{}';
alter table pipelines add column onboarding_tasks jsonb not null default '[]';
`,
    )
    .execute(db);
}
