// Messaging (issue 6): templates with variables, the outbox of messages to customers (draft →
// approved → sent | failed, or suppressed / rejected) and the workspace's suppression list.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
create table message_templates (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  name text not null check (length(name) between 1 and 100),
  channel text not null check (channel in ('email', 'sms')),
  purpose text not null check (purpose in ('transactional', 'marketing')),
  subject text not null default '',
  body text not null,
  -- A per-stage follow-up template names the stage (by slug) it is meant for.
  stage_slug text,
  -- Set on templates a preset shipped, so applying the preset again adds none twice.
  default_key text,
  archived_at timestamptz,
  version integer not null default 1,
  created_by uuid,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id)
);
create unique index message_templates_default_key_idx
  on message_templates (workspace_id, default_key) where default_key is not null;

create table messages (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  lead_id uuid,
  contact_id uuid,
  channel text not null check (channel in ('email', 'sms')),
  purpose text not null check (purpose in ('transactional', 'marketing')),
  template_id uuid,
  recipient_name text not null default '',
  to_address text not null default '',
  subject text not null default '',
  body text not null,
  status text not null
    check (status in ('draft', 'approved', 'sent', 'failed', 'suppressed', 'rejected')),
  -- Why a message was suppressed (a code) or rejected (the approver's note).
  status_reason text,
  last_error text,
  attempts integer not null default 0,
  origin_kind text not null default 'manual'
    check (origin_kind in ('manual', 'automation', 'sequence')),
  origin_id text,
  auto_send boolean not null default false,
  provider_message_id text,
  activity_id uuid,
  created_by uuid,
  approved_by uuid,
  approved_at timestamptz,
  sent_at timestamptz,
  version integer not null default 1,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id)
);
create index messages_outbox_idx on messages (workspace_id, status, created_at desc, id);
create index messages_lead_idx on messages (workspace_id, lead_id);
create index messages_contact_idx on messages (workspace_id, contact_id);

create table suppressions (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  channel text not null check (channel in ('email', 'sms')),
  -- A lowercased email address or an E.164 phone number.
  address text not null check (length(address) between 3 and 320),
  reason text not null check (reason in ('unsubscribed', 'manual', 'bounced', 'complaint')),
  note text not null default '',
  contact_id uuid,
  created_by uuid,
  created_at timestamptz not null,
  primary key (workspace_id, id),
  unique (workspace_id, channel, address)
);
`,
    )
    .execute(db);
}
