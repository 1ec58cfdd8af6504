// Kysely table types: one interface per table, matching the migrations in ./migrations.
import type { ColumnType, Generated, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Json<T> = ColumnType<T, string, string>;

export const ROLES = ['admin', 'manager', 'agent', 'front_desk', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** ISO weekday 1 (Monday) … 7 (Sunday) → open intervals in local "HH:MM" time. */
export type BusinessHours = Partial<
  Record<'1' | '2' | '3' | '4' | '5' | '6' | '7', { start: string; end: string }[]>
>;

export interface InstanceSettingsTable {
  key: string;
  value: Json<unknown>;
  updated_at: Timestamp;
}

export interface WorkspacesTable {
  id: Generated<string>;
  name: string;
  time_zone: string;
  locale: string;
  currency: string;
  country: string;
  business_hours: Json<BusinessHours>;
  agents_own_leads_only: Generated<boolean>;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
  duplicate_similarity: Generated<number>;
}

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  password_hash: string | null;
  is_active: Generated<boolean>;
  is_instance_admin: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface MembershipsTable {
  workspace_id: string;
  user_id: string;
  role: Role;
  is_active: Generated<boolean>;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface SessionsTable {
  id: Generated<string>;
  token_hash: string;
  user_id: string;
  workspace_id: string;
  csrf_token: string;
  ip: string | null;
  user_agent: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface ApiTokensTable {
  id: Generated<string>;
  workspace_id: string;
  user_id: string;
  name: string;
  role: Role;
  token_hash: string;
  token_prefix: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface InvitesTable {
  id: Generated<string>;
  workspace_id: string;
  user_id: string;
  token_hash: string;
  created_by: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
}

export interface AuditLogTable {
  id: Generated<string>;
  workspace_id: string;
  actor_user_id: string | null;
  actor_token_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string;
  changes: Json<Record<string, { before: unknown; after: unknown }>>;
  request_id: string | null;
  ip: string | null;
  created_at: Timestamp;
}

export interface IdempotencyKeysTable {
  workspace_id: string;
  user_id: string;
  key: string;
  fingerprint: string;
  status_code: number | null;
  response_body: string | null;
  created_at: Timestamp;
  completed_at: Timestamp | null;
}

export const PIPELINE_POLICIES = ['forward_only', 'backward_with_reason'] as const;
export type PipelinePolicy = (typeof PIPELINE_POLICIES)[number];
export const STAGE_KINDS = ['open', 'won', 'lost'] as const;
export type StageKind = (typeof STAGE_KINDS)[number];

export interface PipelinesTable {
  workspace_id: string;
  id: Generated<string>;
  name: string;
  policy: PipelinePolicy;
  is_default: Generated<boolean>;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
  archived_at: Timestamp | null;
  required_for_conversion: ColumnType<string[], string[] | undefined, string[]>;
  onboarding_tasks: ColumnType<OnboardingTask[], string | undefined, string>;
}

export interface StagesTable {
  workspace_id: string;
  id: Generated<string>;
  pipeline_id: string;
  name: string;
  slug: string;
  position: number;
  color: string;
  probability: number;
  kind: StageKind;
  max_days_in_stage: number | null;
  description: Generated<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
  archived_at: Timestamp | null;
}

export const SOURCE_CATEGORIES = [
  'doctor_referral',
  'patient_referral',
  'web_organic',
  'web_paid',
  'web_social',
  'print_ad',
  'community_event',
  'school_screening',
  'walk_in',
  'phone_call',
  'email',
  'web_form',
  'referral',
  'partner_referral',
  'cold_call',
  'open_house',
  'social',
  'ad',
  'other',
] as const;
export type SourceCategory = (typeof SOURCE_CATEGORIES)[number];

export interface LeadSourcesTable {
  workspace_id: string;
  id: Generated<string>;
  name: string;
  category: SourceCategory;
  monthly_cost: Generated<number>;
  is_active: Generated<boolean>;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface LostReasonsTable {
  workspace_id: string;
  id: Generated<string>;
  name: string;
  position: number;
  is_active: Generated<boolean>;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export const COMPANY_TYPES = [
  'business',
  'individual',
  'nonprofit',
  'government',
  'other',
] as const;
export type CompanyType = (typeof COMPANY_TYPES)[number];
export const COMPANY_STATUSES = ['prospect', 'active_customer', 'inactive', 'archived'] as const;
export type CompanyStatus = (typeof COMPANY_STATUSES)[number];
export const PREFERRED_CHANNELS = ['phone', 'email', 'sms', 'any'] as const;
export type PreferredChannel = (typeof PREFERRED_CHANNELS)[number];
export const LIFECYCLE_STAGES = ['prospect', 'customer', 'past_customer'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

export interface Address {
  street?: string;
  city?: string;
  region?: string;
  postalCode?: string;
  country?: string;
}
export interface ContactEmail {
  value: string;
  label: string;
}
export interface ContactPhone {
  raw: string;
  e164: string;
  label: string;
}

export interface CompaniesTable {
  workspace_id: string;
  id: Generated<string>;
  name: string;
  type: CompanyType;
  main_phone: string | null;
  main_phone_e164: string | null;
  website: string | null;
  industry: string | null;
  billing_address: Json<Address | null>;
  status: CompanyStatus;
  primary_contact_id: string | null;
  custom_fields: CustomFieldsColumn;
  version: Generated<number>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  archived_at: Timestamp | null;
  /** The import that created the company (imports module). */
  import_id: Generated<string | null>;
  /** The customer's id in the accounting system (accounting handoff). */
  accounting_customer_id: Generated<string | null>;
}

export interface ContactsTable {
  workspace_id: string;
  id: Generated<string>;
  first_name: string;
  last_name: string;
  emails: Json<ContactEmail[]>;
  phones: Json<ContactPhone[]>;
  address: Json<Address | null>;
  preferred_channel: PreferredChannel;
  preferred_time: string;
  lifecycle_stage: LifecycleStage;
  tags: string[];
  opt_in_email: boolean;
  opt_in_sms: boolean;
  do_not_contact: boolean;
  notes: string;
  company_id: string | null;
  custom_fields: CustomFieldsColumn;
  version: Generated<number>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  archived_at: Timestamp | null;
  merged_into_id: string | null;
  /** The import that created the contact (imports module). */
  import_id: Generated<string | null>;
  /** Set when the person's data was erased (a privacy request); never cleared. */
  erased_at: Timestamp | null;
  erased_by: string | null;
  /** The customer's id in the accounting system (accounting handoff). */
  accounting_customer_id: Generated<string | null>;
}

export interface ContactPointsTable {
  workspace_id: string;
  contact_id: string;
  kind: 'email' | 'phone';
  value: string;
  position: number;
}

export const LEAD_STATUSES = ['open', 'won', 'lost'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const CONTACT_STATUSES = [
  'not_contacted',
  'contacted',
  'in_discussion',
  'proposal_sent',
  'follow_up_needed',
  'no_response',
] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

export interface LeadsTable {
  workspace_id: string;
  id: Generated<string>;
  title: string;
  description: Generated<string>;
  contact_id: string | null;
  company_id: string | null;
  company_name: Generated<string>;
  source_id: string | null;
  source_campaign: Generated<string>;
  source_detail: Generated<string>;
  pipeline_id: string;
  stage_id: string;
  stage_entered_at: Timestamp;
  status: LeadStatus;
  lost_reason_id: string | null;
  lost_notes: Generated<string>;
  is_converted: Generated<boolean>;
  value: Generated<number>;
  currency: string;
  probability: number;
  is_probability_overridden: Generated<boolean>;
  priority: Generated<Priority>;
  expected_close_date: string | null;
  assignee_id: string | null;
  next_follow_up_at: Timestamp | null;
  next_follow_up_type: string | null;
  contact_status: Generated<ContactStatus>;
  last_contact_at: Timestamp | null;
  last_contact_method: string | null;
  last_contact_notes: Generated<string>;
  contact_attempts: Generated<number>;
  tags: Generated<string[]>;
  custom_fields: Json<Record<string, unknown>>;
  /** 0–100; null until first computed (scoring module). */
  score: Generated<number | null>;
  /** The points that made the score: [{ label, points }]. */
  score_factors: ColumnType<
    { label: string; points: number }[] | null,
    string | null | undefined,
    string | null
  >;
  version: Generated<number>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  archived_at: Timestamp | null;
  converted_at: Timestamp | null;
  converted_by: string | null;
  merged_into_id: string | null;
  /** The import that created the lead (imports module). */
  import_id: Generated<string | null>;
}

export interface StageHistoryTable {
  workspace_id: string;
  id: Generated<string>;
  lead_id: string;
  from_stage_id: string | null;
  to_stage_id: string;
  moved_at: Timestamp;
  moved_by: string | null;
  reason: Generated<string>;
}

export const ACTIVITY_TYPES = [
  'call',
  'email',
  'sms',
  'meeting',
  'note',
  'document_sent',
  'stage_change',
  'assignment_change',
  'task_completed',
  'system',
] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];
export const ACTIVITY_DIRECTIONS = ['inbound', 'outbound'] as const;
export type ActivityDirection = (typeof ACTIVITY_DIRECTIONS)[number];
export const ACTIVITY_OUTCOMES = [
  'spoke',
  'left_voicemail',
  'no_answer',
  'wrong_number',
  'no_show',
  'rescheduled',
  'sent_proposal',
  'accepted_proposal',
  'rejected_proposal',
  'none',
] as const;
export type ActivityOutcome = (typeof ACTIVITY_OUTCOMES)[number];

export interface ActivitiesTable {
  workspace_id: string;
  id: Generated<string>;
  lead_id: string | null;
  contact_id: string | null;
  type: ActivityType;
  direction: ActivityDirection | null;
  outcome: Generated<ActivityOutcome>;
  subject: Generated<string>;
  body: Generated<string>;
  occurred_at: Timestamp;
  duration_minutes: number | null;
  next_step: Generated<string>;
  details: Json<Record<string, unknown>>;
  created_by: string | null;
  created_at: Timestamp;
}

export const TASK_TYPES = ['call', 'email', 'sms', 'follow_up', 'meeting', 'custom'] as const;
export type TaskType = (typeof TASK_TYPES)[number];
export const TASK_STATUSES = ['pending', 'in_progress', 'completed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export interface TasksTable {
  workspace_id: string;
  id: Generated<string>;
  lead_id: string | null;
  contact_id: string | null;
  title: string;
  description: Generated<string>;
  type: TaskType;
  priority: Generated<Priority>;
  assignee_id: string | null;
  due_at: Timestamp | null;
  reminder_at: Timestamp | null;
  status: Generated<TaskStatus>;
  completed_at: Timestamp | null;
  completed_by: string | null;
  version: Generated<number>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Custom field values by key; a sensitive one is stored as { "$enc": "v1:…" }. */
type CustomFieldsColumn = ColumnType<Record<string, unknown>, string | undefined, string>;

export interface OnboardingTask {
  title: string;
  type: TaskType;
  dueInDays: number;
}

export const CUSTOM_FIELD_RECORD_TYPES = ['lead', 'contact', 'company'] as const;
export type CustomFieldRecordType = (typeof CUSTOM_FIELD_RECORD_TYPES)[number];
export const CUSTOM_FIELD_TYPES = [
  'text',
  'long_text',
  'number',
  'money',
  'date',
  'boolean',
  'select',
  'multiselect',
  'email',
  'phone',
  'url',
] as const;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

export interface CustomFieldOption {
  value: string;
  label: string;
}

export interface CustomFieldsTable {
  workspace_id: string;
  id: Generated<string>;
  record_type: CustomFieldRecordType;
  key: string;
  label: string;
  type: CustomFieldType;
  options: ColumnType<CustomFieldOption[], string | undefined, string>;
  is_required: Generated<boolean>;
  is_sensitive: Generated<boolean>;
  help_text: Generated<string>;
  position: number;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
  archived_at: Timestamp | null;
}

export interface SavedViewsTable {
  workspace_id: string;
  id: Generated<string>;
  owner_id: string;
  name: string;
  filters: Json<Record<string, string | string[]>>;
  columns: ColumnType<string[], string[] | undefined, string[]>;
  sort: string | null;
  is_shared: Generated<boolean>;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface NotificationsTable {
  workspace_id: string;
  id: Generated<string>;
  user_id: string;
  kind: string;
  title: string;
  body: Generated<string>;
  lead_id: string | null;
  read_at: Timestamp | null;
  created_at: Timestamp;
}

export const SUBMISSION_ADAPTERS = ['form', 'meta', 'google-ads', 'typeform', 'generic'] as const;
export type SubmissionAdapter = (typeof SUBMISSION_ADAPTERS)[number];
export const SUBMISSION_STATUSES = ['accepted', 'rejected', 'spam'] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];

export interface FormsTable {
  workspace_id: string;
  id: Generated<string>;
  key: string;
  name: string;
  field_mapping: Json<Record<string, string>>;
  adapter_mapping: Json<Record<string, string>>;
  source_id: string | null;
  pipeline_id: string | null;
  stage_id: string | null;
  assignee_id: string | null;
  allowed_origins: ColumnType<string[], string[] | undefined, string[]>;
  thank_you_message: Generated<string>;
  redirect_url: string | null;
  honeypot_field: Generated<string>;
  /** Encrypted with platform/crypto.ts ("v1:…"). */
  signing_secret: string | null;
  /** Encrypted like signing_secret: the google_key a Google Ads lead form sends. */
  google_key: string | null;
  is_active: Generated<boolean>;
  version: Generated<number>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface FormKeysTable {
  key: string;
  workspace_id: string;
  form_id: string;
}

/** A submission as mapped: values by target (email, lead.<key>, …) and what matched none. */
export interface SubmissionFields {
  values: Record<string, string>;
  extras: { label: string; value: string }[];
}

export interface FormSubmissionsTable {
  workspace_id: string;
  id: Generated<string>;
  form_id: string;
  submission_key: string | null;
  adapter: SubmissionAdapter;
  content_type: Generated<string>;
  raw_body: Generated<string>;
  fields: Json<SubmissionFields>;
  status: SubmissionStatus;
  errors: Json<{ field: string; message: string }[]>;
  lead_id: string | null;
  contact_id: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  accepted_by: string | null;
}

export const IMPORT_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];
export const DUPLICATE_POLICIES = ['skip', 'update', 'create'] as const;
export type DuplicatePolicy = (typeof DUPLICATE_POLICIES)[number];
export type ImportEntityName = 'leads' | 'contacts' | 'companies';

export interface ImportsTable {
  workspace_id: string;
  id: Generated<string>;
  entity: ImportEntityName;
  status: ImportStatus;
  file_name: string;
  file_size: Generated<number>;
  encoding: Generated<string>;
  delimiter: Generated<string>;
  headers: ColumnType<string[], string | undefined, string>;
  mapping: ColumnType<{ header: string; target: string }[], string | undefined, string>;
  duplicate_policy: Generated<DuplicatePolicy>;
  is_dry_run: Generated<boolean>;
  is_all_or_nothing: Generated<boolean>;
  phase: Generated<'validate' | 'write'>;
  total_rows: number | null;
  is_total_exact: Generated<boolean>;
  processed_rows: Generated<number>;
  created_count: Generated<number>;
  updated_count: Generated<number>;
  skipped_count: Generated<number>;
  failed_count: Generated<number>;
  error_count: Generated<number>;
  message: Generated<string>;
  is_cancel_requested: Generated<boolean>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  undone_at: Timestamp | null;
}

export interface ImportFileChunksTable {
  workspace_id: string;
  import_id: string;
  position: number;
  data: Buffer;
}

export interface ImportErrorsTable {
  workspace_id: string;
  import_id: string;
  row_number: number;
  position: number;
  column_name: Generated<string>;
  value: Generated<string>;
  message: string;
}

export interface ImportRowKeysTable {
  workspace_id: string;
  entity: ImportEntityName;
  key: string;
  record_id: string;
  import_id: string;
}

export interface ImportMappingsTable {
  workspace_id: string;
  id: Generated<string>;
  entity: ImportEntityName;
  name: string;
  mapping: ColumnType<{ header: string; target: string }[], string, string>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export const ASSIGNMENT_RULE_TYPES = [
  'round_robin',
  'capacity',
  'source',
  'territory',
  'value_range',
] as const;
export type AssignmentRuleType = (typeof ASSIGNMENT_RULE_TYPES)[number];

export interface AssignmentRulesTable {
  workspace_id: string;
  id: Generated<string>;
  name: string;
  type: AssignmentRuleType;
  user_ids: string[];
  source_ids: Generated<string[]>;
  postal_codes: Generated<string[]>;
  cities: Generated<string[]>;
  regions: Generated<string[]>;
  min_value: number | null;
  max_value: number | null;
  max_open_leads: number | null;
  position: number;
  is_active: Generated<boolean>;
  last_user_id: string | null;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MemberAwayRangesTable {
  workspace_id: string;
  id: Generated<string>;
  user_id: string;
  starts_at: Timestamp;
  ends_at: Timestamp;
  note: Generated<string>;
}

// Analytics read model (migration 0018, decision 026): written only by analytics.repository.
export interface AnalyticsStaleLeadsTable {
  workspace_id: string;
  lead_id: string;
}

export interface AnalyticsStateTable {
  workspace_id: string;
  time_zone: string;
  refreshed_at: Timestamp;
}

export interface AnalyticsLeadFactsTable {
  workspace_id: string;
  lead_id: string;
  created_at: Timestamp;
  contact_id: string | null;
  pipeline_id: string;
  source_id: string | null;
  assignee_id: string | null;
  tags: string[];
  status: string;
  currency: string;
  value: number;
  lost_reason_id: string | null;
  stage_id: string;
  stage_entered_at: Timestamp;
  probability: number;
  expected_close_date: string | null;
  furthest_position: number | null;
  first_touch_source_id: string | null;
  first_contact_at: Timestamp | null;
  forecast_month: string | null;
  forecast_probability: number | null;
}

export interface AnalyticsStageStaysTable {
  workspace_id: string;
  lead_id: string;
  stage_id: string;
  created_at: Timestamp;
  pipeline_id: string;
  source_id: string | null;
  assignee_id: string | null;
  tags: string[];
  days: number;
}

export interface AnalyticsLeadActivityDaysTable {
  workspace_id: string;
  lead_id: string;
  days: Json<unknown>;
}

export interface AnalyticsActivityDaysTable {
  workspace_id: string;
  day: string;
  created_by: string | null;
  pipeline_id: string;
  source_id: string | null;
  assignee_id: string | null;
  tags: string[];
  touches: number;
  spoke: number;
  no_show: number;
  accepted: number;
  rejected: number;
}

/** analytics_activity_days summed per local month (migration 0027). */
export type AnalyticsActivityMonthsTable = Omit<AnalyticsActivityDaysTable, 'day'> & {
  month: string;
};

export interface AnalyticsLeadMonthsTable {
  workspace_id: string;
  month: string;
  pipeline_id: string;
  source_id: string | null;
  assignee_id: string | null;
  tags: string[];
  status: string;
  currency: string;
  furthest_position: number | null;
  first_touch_source_id: string | null;
  lost_reason_id: string | null;
  leads: number;
  value: number;
  contacted: number;
  contacted_fast: number;
}

export interface AnalyticsDurationMonthsTable {
  workspace_id: string;
  month: string;
  pipeline_id: string;
  measure: 'first_contact' | 'convert' | 'stay';
  assignee_id: string | null;
  stage_id: string | null;
  bucket: number;
  n: number;
}

export interface AnalyticsOpenMonthsTable {
  workspace_id: string;
  month: string;
  pipeline_id: string;
  stage_id: string;
  source_id: string | null;
  assignee_id: string | null;
  tags: string[];
  leads: number;
}

export interface AnalyticsLeadDaysTable {
  workspace_id: string;
  day: string;
  pipeline_id: string;
  source_id: string | null;
  assignee_id: string | null;
  tags: string[];
  leads: number;
}

export interface AnalyticsForecastMonthsTable {
  workspace_id: string;
  month: string;
  pipeline_id: string;
  source_id: string | null;
  assignee_id: string | null;
  tags: string[];
  currency: string;
  forecast: string;
  won_value: number;
}

export interface AutomationRulesTable {
  workspace_id: string;
  id: Generated<string>;
  name: string;
  description: Generated<string>;
  trigger_type: string;
  /** modules/automation/automation.schemas.ts: AutomationTrigger, Condition[], Action[]. */
  trigger: Json<Record<string, unknown>>;
  conditions: Json<Record<string, unknown>[]>;
  actions: Json<Record<string, unknown>[]>;
  position: number;
  is_active: Generated<boolean>;
  default_key: string | null;
  archived_at: Timestamp | null;
  version: Generated<number>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export const AUTOMATION_RUN_STATUSES = ['queued', 'succeeded', 'failed', 'skipped'] as const;
export type AutomationRunStatus = (typeof AUTOMATION_RUN_STATUSES)[number];

export interface AutomationRunsTable {
  workspace_id: string;
  id: Generated<string>;
  rule_id: string;
  lead_id: string | null;
  event_type: string;
  event_id: string | null;
  trigger_key: string;
  reason: string;
  status: AutomationRunStatus;
  attempts: Generated<number>;
  caused_by_rules: Generated<string[]>;
  results: Json<{ action: string; outcome: string }[]>;
  errors: Json<{ attempt: number; at: string; action: string | null; message: string }[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
  finished_at: Timestamp | null;
}

export interface AutomationOverdueTasksTable {
  workspace_id: string;
  task_id: string;
  due_at: Timestamp;
  published_at: Timestamp;
}

export interface ScoringRulesTable {
  workspace_id: string;
  id: Generated<string>;
  /** ScoringFieldRule[] (scoring.schemas.ts). */
  field_rules: Json<unknown[]>;
  /** ScoringEngagementRule[]. */
  engagement_rules: Json<unknown[]>;
  version: Generated<number>;
  updated_at: Timestamp;
}

export type ScoringModelStatus =
  'untrained' | 'training' | 'ready' | 'insufficient_data' | 'failed';

export interface ScoringModelsTable {
  workspace_id: string;
  status: ScoringModelStatus;
  /** TrainedModel (scoring.model.ts) once trained. */
  model: ColumnType<unknown, string | null | undefined, string | null>;
  requested_at: Timestamp | null;
  trained_at: Timestamp | null;
  training_rows: Generated<number>;
  holdout_rows: Generated<number>;
  won_leads: Generated<number>;
  lost_leads: Generated<number>;
  auc: number | null;
  rule_auc: number | null;
  calibration: ColumnType<unknown[], string | undefined, string>;
  error: Generated<string>;
  updated_at: Timestamp;
}

export interface ScheduleSlotsTable {
  name: string;
  slot: Date;
  enqueued_at: Date;
}

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

export interface WebhooksTable {
  workspace_id: string;
  id: Generated<string>;
  url: string;
  description: Generated<string>;
  events: string[];
  /** Encrypted (platform/crypto.ts). */
  secret: string;
  is_active: Generated<boolean>;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WebhookDeliveriesTable {
  workspace_id: string;
  id: Generated<string>;
  webhook_id: string | null;
  url: string;
  secret: string | null;
  event_type: string;
  event_id: string | null;
  payload: Json<Record<string, unknown>>;
  status: WebhookDeliveryStatus;
  attempts: Generated<number>;
  max_attempts: number;
  next_attempt_at: Timestamp | null;
  last_status_code: number | null;
  last_error: string | null;
  response_body: string | null;
  redelivery_of: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  delivered_at: Timestamp | null;
}

export interface AccountingConnectorsTable {
  workspace_id: string;
  url: string;
  /** Encrypted (platform/crypto.ts). */
  secret: string;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type ReviewKind = 'daily' | 'weekly' | 'monthly';

export interface ReviewDeliveriesTable {
  workspace_id: string;
  user_id: string;
  kind: ReviewKind;
  period: string;
  emailed: boolean;
  delivered_at: Timestamp;
}

export const MESSAGE_CHANNELS = ['email', 'sms'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];
export const MESSAGE_PURPOSES = ['transactional', 'marketing'] as const;
export type MessagePurpose = (typeof MESSAGE_PURPOSES)[number];
export const MESSAGE_STATUSES = [
  'draft',
  'approved',
  'sent',
  'failed',
  'suppressed',
  'rejected',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];
export const MESSAGE_ORIGINS = ['manual', 'automation', 'sequence'] as const;
export type MessageOrigin = (typeof MESSAGE_ORIGINS)[number];
export const SUPPRESSION_REASONS = ['unsubscribed', 'manual', 'bounced', 'complaint'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

export interface MessageTemplatesTable {
  workspace_id: string;
  id: Generated<string>;
  name: string;
  channel: MessageChannel;
  purpose: MessagePurpose;
  subject: Generated<string>;
  body: string;
  stage_slug: string | null;
  default_key: string | null;
  archived_at: Timestamp | null;
  version: Generated<number>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MessagesTable {
  workspace_id: string;
  id: Generated<string>;
  lead_id: string | null;
  contact_id: string | null;
  channel: MessageChannel;
  purpose: MessagePurpose;
  template_id: string | null;
  recipient_name: Generated<string>;
  to_address: Generated<string>;
  subject: Generated<string>;
  body: string;
  status: MessageStatus;
  status_reason: string | null;
  last_error: string | null;
  attempts: Generated<number>;
  origin_kind: Generated<MessageOrigin>;
  origin_id: string | null;
  auto_send: Generated<boolean>;
  provider_message_id: string | null;
  activity_id: string | null;
  created_by: string | null;
  approved_by: string | null;
  approved_at: Timestamp | null;
  sent_at: Timestamp | null;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SuppressionsTable {
  workspace_id: string;
  id: Generated<string>;
  channel: MessageChannel;
  address: string;
  reason: SuppressionReason;
  note: Generated<string>;
  contact_id: string | null;
  created_by: string | null;
  created_at: Timestamp;
}

export const SEQUENCE_PURPOSES = ['marketing', 'transactional'] as const;
export type SequencePurpose = (typeof SEQUENCE_PURPOSES)[number];
export const DURATION_UNITS = ['minutes', 'hours', 'days'] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];

/** One step of a sequence, stored in sequences.steps; `id` stays the same across edits. */
export type SequenceStep = { id: string } & (
  | { type: 'email'; templateId: string | null; subject: string; body: string }
  | { type: 'sms'; templateId: string | null; body: string }
  | {
      type: 'task';
      title: string;
      taskType: TaskType;
      dueIn: { amount: number; unit: DurationUnit };
    }
  | { type: 'wait'; amount: number; unit: Exclude<DurationUnit, 'minutes'> }
  | { type: 'wait_business_hours' }
);
export type SequenceStepType = SequenceStep['type'];

export interface SequencesTable {
  workspace_id: string;
  id: Generated<string>;
  name: string;
  description: Generated<string>;
  purpose: SequencePurpose;
  auto_send: boolean;
  steps: Json<SequenceStep[]>;
  archived_at: Timestamp | null;
  version: Generated<number>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export const ENROLMENT_STATUSES = ['active', 'paused', 'completed', 'exited'] as const;
export type EnrolmentStatus = (typeof ENROLMENT_STATUSES)[number];
export const ENROLMENT_VIAS = ['manual', 'bulk', 'rule'] as const;
export type EnrolmentVia = (typeof ENROLMENT_VIAS)[number];
export const EXIT_REASONS = [
  'replied',
  'won',
  'lost',
  'archived',
  'unsubscribed',
  'do_not_contact',
  'stopped',
  'sequence_archived',
] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

export interface SequenceEnrolmentsTable {
  workspace_id: string;
  id: Generated<string>;
  sequence_id: string;
  lead_id: string;
  contact_id: string | null;
  status: EnrolmentStatus;
  next_step: number;
  next_run_at: Timestamp | null;
  last_step_id: string | null;
  exit_reason: ExitReason | null;
  enrolled_by: string | null;
  enrolled_via: EnrolmentVia;
  enrolled_at: Timestamp;
  paused_at: Timestamp | null;
  ended_at: Timestamp | null;
  updated_at: Timestamp;
}

export interface SequenceStepRunsTable {
  workspace_id: string;
  enrolment_id: string;
  step_index: number;
  sequence_id: string;
  step_id: string;
  step_type: SequenceStepType;
  /** waited, task_created, or the message's status after drafting (draft, approved, suppressed…). */
  outcome: string;
  message_id: string | null;
  task_id: string | null;
  detail: Generated<string>;
  ran_at: Timestamp;
}

export interface DB {
  instance_settings: InstanceSettingsTable;
  workspaces: WorkspacesTable;
  users: UsersTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  invites: InvitesTable;
  audit_log: AuditLogTable;
  idempotency_keys: IdempotencyKeysTable;
  pipelines: PipelinesTable;
  stages: StagesTable;
  lead_sources: LeadSourcesTable;
  lost_reasons: LostReasonsTable;
  companies: CompaniesTable;
  contacts: ContactsTable;
  contact_points: ContactPointsTable;
  leads: LeadsTable;
  stage_history: StageHistoryTable;
  activities: ActivitiesTable;
  tasks: TasksTable;
  custom_fields: CustomFieldsTable;
  saved_views: SavedViewsTable;
  notifications: NotificationsTable;
  forms: FormsTable;
  form_keys: FormKeysTable;
  form_submissions: FormSubmissionsTable;
  imports: ImportsTable;
  import_file_chunks: ImportFileChunksTable;
  import_errors: ImportErrorsTable;
  import_row_keys: ImportRowKeysTable;
  import_mappings: ImportMappingsTable;
  assignment_rules: AssignmentRulesTable;
  schedule_slots: ScheduleSlotsTable;
  member_away_ranges: MemberAwayRangesTable;
  analytics_stale_leads: AnalyticsStaleLeadsTable;
  analytics_state: AnalyticsStateTable;
  analytics_lead_facts: AnalyticsLeadFactsTable;
  analytics_stage_stays: AnalyticsStageStaysTable;
  analytics_lead_activity_days: AnalyticsLeadActivityDaysTable;
  analytics_activity_days: AnalyticsActivityDaysTable;
  analytics_activity_months: AnalyticsActivityMonthsTable;
  analytics_lead_months: AnalyticsLeadMonthsTable;
  analytics_lead_days: AnalyticsLeadDaysTable;
  analytics_forecast_months: AnalyticsForecastMonthsTable;
  analytics_duration_months: AnalyticsDurationMonthsTable;
  analytics_open_months: AnalyticsOpenMonthsTable;
  automation_rules: AutomationRulesTable;
  automation_runs: AutomationRunsTable;
  automation_overdue_tasks: AutomationOverdueTasksTable;
  scoring_rules: ScoringRulesTable;
  scoring_models: ScoringModelsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  accounting_connectors: AccountingConnectorsTable;
  review_deliveries: ReviewDeliveriesTable;
  message_templates: MessageTemplatesTable;
  messages: MessagesTable;
  suppressions: SuppressionsTable;
  sequences: SequencesTable;
  sequence_enrolments: SequenceEnrolmentsTable;
  sequence_step_runs: SequenceStepRunsTable;
}

export type WorkspaceRow = Selectable<WorkspacesTable>;
export type UserRow = Selectable<UsersTable>;
export type ApiTokenRow = Selectable<ApiTokensTable>;
export type AuditLogRow = Selectable<AuditLogTable>;
export type PipelineRow = Selectable<PipelinesTable>;
export type StageRow = Selectable<StagesTable>;
export type LeadSourceRow = Selectable<LeadSourcesTable>;
export type LostReasonRow = Selectable<LostReasonsTable>;
export type CompanyRow = Selectable<CompaniesTable>;
export type ContactRow = Selectable<ContactsTable>;
export type LeadRow = Selectable<LeadsTable>;
export type ActivityRow = Selectable<ActivitiesTable>;
export type TaskRow = Selectable<TasksTable>;
export type CustomFieldRow = Selectable<CustomFieldsTable>;
export type SavedViewRow = Selectable<SavedViewsTable>;
export type NotificationRow = Selectable<NotificationsTable>;
export type FormRow = Selectable<FormsTable>;
export type FormSubmissionRow = Selectable<FormSubmissionsTable>;
export type ImportRow = Selectable<ImportsTable>;
export type AssignmentRuleRow = Selectable<AssignmentRulesTable>;
export type AutomationRuleRow = Selectable<AutomationRulesTable>;
export type AutomationRunRow = Selectable<AutomationRunsTable>;
export type ScoringRulesRow = Selectable<ScoringRulesTable>;
export type ScoringModelRow = Selectable<ScoringModelsTable>;
export type WebhookRow = Selectable<WebhooksTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type MessageTemplateRow = Selectable<MessageTemplatesTable>;
export type MessageRow = Selectable<MessagesTable>;
export type SuppressionRow = Selectable<SuppressionsTable>;
export type SequenceRow = Selectable<SequencesTable>;
export type SequenceEnrolmentRow = Selectable<SequenceEnrolmentsTable>;
export type SequenceStepRunRow = Selectable<SequenceStepRunsTable>;
