// Contacts (people) and companies. A contact's emails and phones are also kept one per row in
// contact_points (normalised: lower-case email, E.164 phone) for duplicate checks and search.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
create table companies (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  name text not null check (length(name) between 1 and 300),
  type text not null check (type in ('business', 'individual', 'nonprofit', 'government', 'other')),
  main_phone text,
  main_phone_e164 text,
  website text,
  industry text,
  billing_address jsonb,
  status text not null check (status in ('prospect', 'active_customer', 'inactive', 'archived')),
  primary_contact_id uuid,
  version integer not null default 1,
  created_by uuid references users (id),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  archived_at timestamptz,
  primary key (workspace_id, id)
);
create index companies_name_idx on companies (workspace_id, lower(name));

create table contacts (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  first_name text not null default '',
  last_name text not null default '',
  emails jsonb not null default '[]',
  phones jsonb not null default '[]',
  address jsonb,
  preferred_channel text not null default 'any'
    check (preferred_channel in ('phone', 'email', 'sms', 'any')),
  preferred_time text not null default '',
  lifecycle_stage text not null default 'prospect'
    check (lifecycle_stage in ('prospect', 'customer', 'past_customer')),
  tags text[] not null default '{}',
  opt_in_email boolean not null default false,
  opt_in_sms boolean not null default false,
  do_not_contact boolean not null default false,
  notes text not null default '',
  company_id uuid,
  version integer not null default 1,
  created_by uuid references users (id),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  archived_at timestamptz,
  primary key (workspace_id, id),
  foreign key (workspace_id, company_id) references companies (workspace_id, id),
  check (length(first_name) + length(last_name) > 0)
);
create index contacts_name_idx on contacts (workspace_id, lower(last_name), lower(first_name), id);
create index contacts_company_idx on contacts (workspace_id, company_id);

alter table companies add foreign key (workspace_id, primary_contact_id)
  references contacts (workspace_id, id);

create table contact_points (
  workspace_id uuid not null,
  contact_id uuid not null,
  kind text not null check (kind in ('email', 'phone')),
  value text not null,
  position integer not null,
  primary key (workspace_id, contact_id, kind, position),
  foreign key (workspace_id, contact_id) references contacts (workspace_id, id)
);
create index contact_points_value_idx on contact_points (workspace_id, kind, value);
`,
    )
    .execute(db);
}
