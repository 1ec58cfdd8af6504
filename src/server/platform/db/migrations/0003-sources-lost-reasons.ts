// Where leads come from (with a monthly cost for ROI) and why they are lost, per workspace.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
create table lead_sources (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  name text not null check (length(name) between 1 and 200),
  category text not null,
  monthly_cost bigint not null default 0 check (monthly_cost >= 0),
  is_active boolean not null default true,
  version integer not null default 1,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id)
);
create unique index lead_sources_name_idx on lead_sources (workspace_id, lower(name));

create table lost_reasons (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  name text not null check (length(name) between 1 and 200),
  position integer not null,
  is_active boolean not null default true,
  version integer not null default 1,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id)
);
create unique index lost_reasons_name_idx on lost_reasons (workspace_id, lower(name));
`,
    )
    .execute(db);
}
