// Assignment rules (evaluated in order when a lead is created without an assignee) and members'
// out-of-office ranges (a member away is skipped by every rule).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
create table assignment_rules (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  name text not null check (length(name) between 1 and 100),
  type text not null
    check (type in ('round_robin', 'capacity', 'source', 'territory', 'value_range')),
  user_ids uuid[] not null,
  source_ids uuid[] not null default '{}',
  postal_codes text[] not null default '{}',
  cities text[] not null default '{}',
  regions text[] not null default '{}',
  min_value bigint,
  max_value bigint,
  max_open_leads integer check (max_open_leads > 0),
  position integer not null,
  is_active boolean not null default true,
  -- Round-robin pointer: the member this rule assigned last.
  last_user_id uuid,
  version integer not null default 1,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id)
);
create index assignment_rules_order_idx on assignment_rules (workspace_id, position);

create table member_away_ranges (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  user_id uuid not null references users (id),
  starts_at timestamptz not null,
  ends_at timestamptz not null check (ends_at > starts_at),
  note text not null default '',
  primary key (workspace_id, id)
);
create index member_away_ranges_user_idx on member_away_ranges (workspace_id, user_id, ends_at);
`,
    )
    .execute(db);
}
