// Lead scoring: a lead's score (0–100, null until first computed) and the factors that made it;
// a workspace's scoring rules; its predictive model and the model's evaluation.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
-- Until now score was an unused 0: no lead has been scored yet.
alter table leads alter column score drop default;
alter table leads alter column score drop not null;
alter table leads alter column score type smallint;
update leads set score = null;
alter table leads add constraint leads_score_range check (score between 0 and 100);
alter table leads add column score_factors jsonb;
-- The list sorted by score, highest first (unscored last): the key the list pages on.
create index leads_score_idx on leads (workspace_id, (coalesce(score, -1)), id);

-- One row per workspace; the id gives it a key after workspace_id like every exported table.
create table scoring_rules (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  field_rules jsonb not null default '[]',
  engagement_rules jsonb not null default '[]',
  version integer not null default 1,
  updated_at timestamptz not null,
  primary key (workspace_id, id),
  unique (workspace_id)
);

create table scoring_models (
  workspace_id uuid not null references workspaces (id),
  status text not null
    check (status in ('untrained', 'training', 'ready', 'insufficient_data', 'failed')),
  model jsonb,
  requested_at timestamptz,
  trained_at timestamptz,
  training_rows integer not null default 0,
  holdout_rows integer not null default 0,
  won_leads integer not null default 0,
  lost_leads integer not null default 0,
  auc double precision,
  rule_auc double precision,
  calibration jsonb not null default '[]',
  error text not null default '',
  updated_at timestamptz not null,
  primary key (workspace_id)
);
`,
    )
    .execute(db);
}
