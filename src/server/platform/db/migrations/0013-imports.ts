// CSV imports (docs/import.md, docs/decisions/020): the import with its settings, progress and
// counts; the uploaded file in 1 MB chunks (any app instance can read it, a restart keeps it);
// the report's rows; the row keys that make a second run of the same file create nothing; saved
// mappings. Every lead, contact and company an import creates carries its id, so it can be undone.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
create table imports (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  entity text not null check (entity in ('leads', 'contacts', 'companies')),
  status text not null
    check (status in ('queued', 'running', 'completed', 'failed', 'cancelled')),
  file_name text not null,
  file_size bigint not null default 0,
  encoding text not null default 'utf-8',
  delimiter text not null default ',',
  headers jsonb not null default '[]',
  mapping jsonb not null default '[]',
  duplicate_policy text not null default 'skip'
    check (duplicate_policy in ('skip', 'update', 'create')),
  is_dry_run boolean not null default false,
  is_all_or_nothing boolean not null default false,
  -- An all-or-nothing import first checks every row ('validate'), then writes ('write').
  phase text not null default 'write' check (phase in ('validate', 'write')),
  total_rows integer,
  is_total_exact boolean not null default false,
  processed_rows integer not null default 0,
  created_count integer not null default 0,
  updated_count integer not null default 0,
  skipped_count integer not null default 0,
  failed_count integer not null default 0,
  error_count integer not null default 0,
  message text not null default '',
  is_cancel_requested boolean not null default false,
  created_by uuid references users (id),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  started_at timestamptz,
  finished_at timestamptz,
  undone_at timestamptz,
  primary key (workspace_id, id)
);
create index imports_created_idx on imports (workspace_id, created_at desc, id desc);

create table import_file_chunks (
  workspace_id uuid not null,
  import_id uuid not null,
  position integer not null,
  data bytea not null,
  primary key (workspace_id, import_id, position),
  foreign key (workspace_id, import_id) references imports (workspace_id, id) on delete cascade
);

create table import_errors (
  workspace_id uuid not null,
  import_id uuid not null,
  row_number integer not null,
  position integer not null,
  column_name text not null default '',
  value text not null default '',
  message text not null,
  primary key (workspace_id, import_id, row_number, position),
  foreign key (workspace_id, import_id) references imports (workspace_id, id) on delete cascade
);

-- A row's key (its id column, else a hash of its values) and the record it became.
create table import_row_keys (
  workspace_id uuid not null,
  entity text not null,
  key text not null,
  record_id uuid not null,
  import_id uuid not null,
  primary key (workspace_id, entity, key),
  foreign key (workspace_id, import_id) references imports (workspace_id, id)
);
create index import_row_keys_import_idx on import_row_keys (workspace_id, import_id);

create table import_mappings (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  entity text not null check (entity in ('leads', 'contacts', 'companies')),
  name text not null check (length(name) between 1 and 100),
  mapping jsonb not null,
  created_by uuid references users (id),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id)
);
create unique index import_mappings_name_idx on import_mappings (workspace_id, entity, lower(name));

alter table leads add column import_id uuid;
alter table contacts add column import_id uuid;
alter table companies add column import_id uuid;
create index leads_import_idx on leads (workspace_id, import_id) where import_id is not null;
create index contacts_import_idx on contacts (workspace_id, import_id) where import_id is not null;
create index companies_import_idx on companies (workspace_id, import_id) where import_id is not null;
`,
    )
    .execute(db);
}
