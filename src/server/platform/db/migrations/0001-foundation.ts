// Foundation: instance settings, identity (users, sessions, tokens, invites), workspaces and
// memberships, the append-only audit log and idempotency keys.
// Tenant tables carry workspace_id first in their keys so they can be distributed by it.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
create table instance_settings (
  key text primary key,
  value jsonb not null,
  updated_at timestamptz not null default now()
);

create table workspaces (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 200),
  time_zone text not null,
  locale text not null,
  currency char(3) not null,
  country char(2) not null,
  business_hours jsonb not null,
  agents_own_leads_only boolean not null default false,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table users (
  id uuid primary key default gen_random_uuid(),
  email text not null,
  name text not null,
  password_hash text,
  is_active boolean not null default true,
  is_instance_admin boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_email_key on users (lower(email));

create table memberships (
  workspace_id uuid not null references workspaces (id),
  user_id uuid not null references users (id),
  role text not null check (role in ('admin', 'manager', 'agent', 'front_desk', 'viewer')),
  is_active boolean not null default true,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, user_id)
);
create index memberships_user_idx on memberships (user_id);

create table sessions (
  id uuid primary key default gen_random_uuid(),
  token_hash text not null unique,
  user_id uuid not null references users (id),
  workspace_id uuid not null references workspaces (id),
  csrf_token text not null,
  ip text,
  user_agent text,
  created_at timestamptz not null,
  last_seen_at timestamptz not null,
  expires_at timestamptz not null,
  revoked_at timestamptz
);
create index sessions_user_idx on sessions (user_id);

create table api_tokens (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id),
  user_id uuid not null references users (id),
  name text not null,
  role text not null check (role in ('admin', 'manager', 'agent', 'front_desk', 'viewer')),
  token_hash text not null unique,
  token_prefix text not null,
  created_at timestamptz not null,
  last_used_at timestamptz,
  revoked_at timestamptz
);
create index api_tokens_workspace_user_idx on api_tokens (workspace_id, user_id);

create table invites (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id),
  user_id uuid not null references users (id),
  token_hash text not null unique,
  created_by uuid references users (id),
  created_at timestamptz not null,
  expires_at timestamptz not null,
  accepted_at timestamptz
);
create index invites_workspace_user_idx on invites (workspace_id, user_id);

create table audit_log (
  id uuid not null default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id),
  actor_user_id uuid,
  actor_token_id uuid,
  action text not null,
  entity_type text not null,
  entity_id text not null,
  changes jsonb not null default '{}',
  request_id text,
  ip text,
  created_at timestamptz not null,
  primary key (workspace_id, id)
);
create index audit_log_time_idx on audit_log (workspace_id, created_at desc, id desc);
create index audit_log_entity_idx on audit_log (workspace_id, entity_type, entity_id, created_at desc);
create index audit_log_actor_idx on audit_log (workspace_id, actor_user_id, created_at desc);

-- The audit log is append-only: no update, delete or truncate, whoever asks.
create function audit_log_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only';
end;
$$;
create trigger audit_log_no_update_delete before update or delete on audit_log
  for each row execute function audit_log_refuse_change();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function audit_log_refuse_change();

create table idempotency_keys (
  workspace_id uuid not null references workspaces (id),
  user_id uuid not null references users (id),
  key text not null,
  fingerprint text not null,
  status_code integer,
  response_body text,
  created_at timestamptz not null,
  completed_at timestamptz,
  primary key (workspace_id, user_id, key)
);
`,
    )
    .execute(db);
}
