// Saved views of the leads list: a member's own, or shared with the workspace.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
create table saved_views (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  owner_id uuid not null references users (id),
  name text not null check (length(name) between 1 and 100),
  filters jsonb not null default '{}'::jsonb,
  columns text[] not null default '{}',
  sort text,
  is_shared boolean not null default false,
  version integer not null default 1,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id)
);
create unique index saved_views_name_idx on saved_views (workspace_id, owner_id, lower(name));
`,
    )
    .execute(db);
}
