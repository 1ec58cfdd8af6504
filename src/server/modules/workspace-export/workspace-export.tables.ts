// What a workspace export carries: every table with a workspace_id, in an order where a row's
// references come before it, or a reason why the table is left out. A test fails when the
// database has a table with workspace_id that is in neither list, so a new table gets a
// decision here before it ships.

export interface ExportedTable {
  name: string;
  /**
   * Columns that point at rows of the same table or of a later one: imported as null, then set
   * once every row is in (a company's primary contact is a contact; a merged contact points at
   * its survivor).
   */
  deferred?: readonly string[];
  /** Columns that are derived from others and rebuilt by the database on import. */
  derived?: readonly string[];
  /** Columns that hold secrets; left out of the file (see docs/data-portability.md). */
  secret?: readonly string[];
}

/**
 * The workspace row, its memberships and their users come first (they are read by other code
 * than this list); then these tables, in this order.
 */
export const EXPORTED_TABLES: readonly ExportedTable[] = [
  { name: 'pipelines' },
  { name: 'stages' },
  { name: 'lead_sources' },
  { name: 'lost_reasons' },
  { name: 'custom_fields' },
  { name: 'assignment_rules' },
  { name: 'member_away_ranges' },
  { name: 'scoring_rules' },
  { name: 'message_templates' },
  // A form's signing secret and Google key are the sender's shared secrets.
  { name: 'forms', secret: ['signing_secret', 'google_key'] },
  { name: 'companies', deferred: ['primary_contact_id'] },
  { name: 'contacts', deferred: ['merged_into_id'] },
  { name: 'contact_points' },
  // The search document is kept by a trigger from the lead, its contact and its company.
  { name: 'leads', deferred: ['merged_into_id'], derived: ['search'] },
  { name: 'stage_history' },
  { name: 'activities' },
  { name: 'tasks' },
  { name: 'saved_views' },
  { name: 'form_submissions' },
  { name: 'notifications' },
  { name: 'messages' },
  { name: 'suppressions' },
  { name: 'sequences' },
  { name: 'sequence_enrolments' },
  { name: 'sequence_step_runs' },
  { name: 'imports' },
  { name: 'import_errors' },
  { name: 'import_row_keys' },
  { name: 'import_mappings' },
  { name: 'automation_rules' },
  { name: 'automation_runs' },
  { name: 'audit_log' },
];

/** Tables with a workspace_id that an export leaves out, and why. */
export const LEFT_OUT_TABLES: Readonly<Record<string, string>> = {
  analytics_stale_leads: 'analytics read model: rebuilt from the leads after an import',
  analytics_state: 'analytics read model: rebuilt from the leads after an import',
  analytics_lead_facts: 'analytics read model: rebuilt from the leads after an import',
  analytics_stage_stays: 'analytics read model: rebuilt from the leads after an import',
  analytics_lead_activity_days: 'analytics read model: rebuilt from the leads after an import',
  analytics_activity_days: 'analytics read model: rebuilt from the leads after an import',
  analytics_activity_months: 'analytics read model: rebuilt from the leads after an import',
  analytics_lead_months: 'analytics read model: rebuilt from the leads after an import',
  analytics_lead_days: 'analytics read model: rebuilt from the leads after an import',
  analytics_forecast_months: 'analytics read model: rebuilt from the leads after an import',
  analytics_duration_months: 'analytics read model: rebuilt from the leads after an import',
  analytics_open_months: 'analytics read model: rebuilt from the leads after an import',
  memberships: 'exported with the workspace row (its members and their users), before the tables',
  sessions: 'sign-in sessions: secrets of one instance, meaningless elsewhere',
  api_tokens: 'API tokens: secrets (hashes); people make new ones after an import',
  invites: 'pending invitations: one-time secrets',
  idempotency_keys: 'retry keys of recent requests: a cache, not data',
  automation_overdue_tasks:
    'which overdue tasks the scan already announced: bookkeeping, rebuilt by the next scan',
  scoring_models: 'the predictive model: derived from the closed leads, retrained after an import',
  form_keys:
    "the instance-wide lookup of public form keys: they stay the original workspace's on " +
    'this server; an imported form gets its public link when its key is set again',
  import_file_chunks:
    'the uploaded CSV files of imports: their rows are in the tables they were imported into',
  webhooks:
    'outbound webhook subscriptions: each is bound to its signing secret, which receivers ' +
    'verify; an admin subscribes again after an import (the new secret is shown once)',
  webhook_deliveries: 'the delivery log of outbound webhooks: a log of calls made from this server',
  accounting_connectors:
    "the accounting connector's URL and signing secret: set again after an import " +
    '(the external customer ids stay on the contacts and companies)',
  review_deliveries: 'which scheduled reviews this server already sent: its own bookkeeping',
};
