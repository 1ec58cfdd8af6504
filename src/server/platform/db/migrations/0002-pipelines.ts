// Pipelines and their ordered stages, per workspace; one default pipeline per workspace.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
create table pipelines (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  name text not null check (length(name) between 1 and 200),
  policy text not null check (policy in ('forward_only', 'backward_with_reason')),
  is_default boolean not null default false,
  version integer not null default 1,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  archived_at timestamptz,
  primary key (workspace_id, id)
);
create unique index pipelines_one_default_idx on pipelines (workspace_id)
  where is_default and archived_at is null;
create unique index pipelines_name_idx on pipelines (workspace_id, lower(name))
  where archived_at is null;

create table stages (
  workspace_id uuid not null,
  id uuid not null default gen_random_uuid(),
  pipeline_id uuid not null,
  name text not null check (length(name) between 1 and 200),
  slug text not null check (slug ~ '^[a-z0-9_]{1,60}$'),
  position integer not null,
  color text not null check (color ~ '^#[0-9a-f]{6}$'),
  probability integer not null check (probability between 0 and 100),
  kind text not null check (kind in ('open', 'won', 'lost')),
  max_days_in_stage integer check (max_days_in_stage > 0),
  description text not null default '',
  created_at timestamptz not null,
  updated_at timestamptz not null,
  archived_at timestamptz,
  primary key (workspace_id, id),
  foreign key (workspace_id, pipeline_id) references pipelines (workspace_id, id)
);
create unique index stages_slug_idx on stages (workspace_id, pipeline_id, slug)
  where archived_at is null;
create index stages_pipeline_idx on stages (workspace_id, pipeline_id, position);
`,
    )
    .execute(db);
}
