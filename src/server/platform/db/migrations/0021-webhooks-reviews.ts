// Outbound webhooks (subscriptions and their delivery log), the accounting connector and the
// external customer ids it stores, and the record of scheduled reviews already delivered.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
create table webhooks (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  url text not null check (length(url) between 8 and 2000),
  description text not null default '',
  events text[] not null,
  -- The signing secret, encrypted (platform/crypto.ts); shown once when made.
  secret text not null,
  is_active boolean not null default true,
  version integer not null default 1,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id)
);

create table webhook_deliveries (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  -- Null for a one-off delivery (an automation's "call an outbound webhook" action).
  webhook_id uuid,
  url text not null,
  -- A one-off delivery's own signing secret, encrypted; null when unsigned or a subscription's.
  secret text,
  event_type text not null,
  event_id uuid,
  payload jsonb not null,
  status text not null check (status in ('pending', 'succeeded', 'failed')),
  attempts integer not null default 0,
  max_attempts integer not null,
  next_attempt_at timestamptz,
  last_status_code integer,
  last_error text,
  response_body text,
  redelivery_of uuid,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  delivered_at timestamptz,
  primary key (workspace_id, id)
);
create index webhook_deliveries_webhook_idx
  on webhook_deliveries (workspace_id, webhook_id, created_at desc);
-- One delivery per subscription and event, however often the event's job runs.
create unique index webhook_deliveries_event_idx
  on webhook_deliveries (workspace_id, webhook_id, event_id)
  where event_id is not null and redelivery_of is null;
create index webhook_deliveries_due_idx
  on webhook_deliveries (next_attempt_at) where status = 'pending' and next_attempt_at is not null;

create table accounting_connectors (
  workspace_id uuid not null references workspaces (id) primary key,
  url text not null,
  secret text not null,
  version integer not null default 1,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
alter table contacts add column accounting_customer_id text;
alter table companies add column accounting_customer_id text;

create table review_deliveries (
  workspace_id uuid not null references workspaces (id),
  user_id uuid not null references users (id),
  kind text not null check (kind in ('daily', 'weekly', 'monthly')),
  -- The local period: '2026-03-02' (daily), '2026-W10' (weekly), '2026-03' (monthly).
  period text not null,
  emailed boolean not null,
  delivered_at timestamptz not null,
  primary key (workspace_id, user_id, kind, period)
);
`,
    )
    .execute(db);
}
