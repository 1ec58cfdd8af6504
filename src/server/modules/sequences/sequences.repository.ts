// The only SQL for sequences, their enrolments and step runs; every function is scoped by
// workspace except `dueEnrolments`, the scheduler's instance-wide scan. Enrolment lists join
// the lead's title (a read model, like the workload view of assignment).
import { sql } from 'kysely';
import type { Executor } from '../../platform/audit.js';
import type {
  EnrolmentStatus,
  EnrolmentVia,
  ExitReason,
  SequencePurpose,
  SequenceStep,
  SequenceStepType,
} from '../../platform/db/schema.js';

export interface SequenceValues {
  name: string;
  description: string;
  purpose: SequencePurpose;
  autoSend: boolean;
  steps: SequenceStep[];
}

const columnsOf = (values: Partial<SequenceValues>) => ({
  ...(values.name !== undefined ? { name: values.name } : {}),
  ...(values.description !== undefined ? { description: values.description } : {}),
  ...(values.purpose !== undefined ? { purpose: values.purpose } : {}),
  ...(values.autoSend !== undefined ? { auto_send: values.autoSend } : {}),
  ...(values.steps !== undefined ? { steps: JSON.stringify(values.steps) } : {}),
});

const RUNNING: EnrolmentStatus[] = ['active', 'paused'];

export function listSequences(db: Executor, workspaceId: string, archived: boolean) {
  return db
    .selectFrom('sequences')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('archived_at', archived ? 'is not' : 'is', null)
    .orderBy('name')
    .orderBy('id')
    .execute();
}

export function findSequence(db: Executor, workspaceId: string, sequenceId: string, lock = false) {
  let query = db
    .selectFrom('sequences')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', sequenceId);
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

export function insertSequence(
  db: Executor,
  workspaceId: string,
  values: SequenceValues,
  createdBy: string | null,
  now: Date,
) {
  return db
    .insertInto('sequences')
    .values({
      workspace_id: workspaceId,
      name: values.name,
      description: values.description,
      purpose: values.purpose,
      auto_send: values.autoSend,
      steps: JSON.stringify(values.steps),
      archived_at: null,
      created_by: createdBy,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateSequence(
  db: Executor,
  workspaceId: string,
  sequenceId: string,
  values: Partial<SequenceValues> & { archivedAt?: Date | null },
  now: Date,
) {
  return db
    .updateTable('sequences')
    .set({
      ...columnsOf(values),
      ...(values.archivedAt !== undefined ? { archived_at: values.archivedAt } : {}),
      version: sql`version + 1`,
      updated_at: now,
    })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', sequenceId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Running (active or paused) enrolments per sequence. */
export async function runningCounts(db: Executor, workspaceId: string, sequenceIds: string[]) {
  if (sequenceIds.length === 0) return new Map<string, number>();
  const rows = await db
    .selectFrom('sequence_enrolments')
    .select(['sequence_id', sql<number>`count(*)::int`.as('count')])
    .where('workspace_id', '=', workspaceId)
    .where('sequence_id', 'in', sequenceIds)
    .where('status', 'in', RUNNING)
    .groupBy('sequence_id')
    .execute();
  return new Map(rows.map((row) => [row.sequence_id, row.count]));
}

const enrolmentColumns = [
  'e.workspace_id',
  'e.id',
  'e.sequence_id',
  'e.lead_id',
  'e.contact_id',
  'e.status',
  'e.next_step',
  'e.next_run_at',
  'e.last_step_id',
  'e.exit_reason',
  'e.enrolled_by',
  'e.enrolled_via',
  'e.enrolled_at',
  'e.paused_at',
  'e.ended_at',
  'e.updated_at',
  's.name as sequence_name',
  sql<number>`jsonb_array_length(s.steps)::int`.as('step_count'),
  'l.title as lead_title',
] as const;

function enrolmentsView(db: Executor, workspaceId: string) {
  return db
    .selectFrom('sequence_enrolments as e')
    .innerJoin('sequences as s', (join) =>
      join.onRef('s.workspace_id', '=', 'e.workspace_id').onRef('s.id', '=', 'e.sequence_id'),
    )
    .innerJoin('leads as l', (join) =>
      join.onRef('l.workspace_id', '=', 'e.workspace_id').onRef('l.id', '=', 'e.lead_id'),
    )
    .select(enrolmentColumns)
    .where('e.workspace_id', '=', workspaceId);
}

export type EnrolmentView = Awaited<ReturnType<typeof findEnrolmentView>> & object;

export function findEnrolmentView(db: Executor, workspaceId: string, enrolmentId: string) {
  return enrolmentsView(db, workspaceId).where('e.id', '=', enrolmentId).executeTakeFirst();
}

export function listEnrolments(
  db: Executor,
  workspaceId: string,
  filter: { sequenceId?: string; leadId?: string; status?: EnrolmentStatus | undefined },
  limit: number,
) {
  let query = enrolmentsView(db, workspaceId);
  if (filter.sequenceId) query = query.where('e.sequence_id', '=', filter.sequenceId);
  if (filter.leadId) query = query.where('e.lead_id', '=', filter.leadId);
  if (filter.status) query = query.where('e.status', '=', filter.status);
  return query.orderBy('e.enrolled_at', 'desc').orderBy('e.id').limit(limit).execute();
}

export function findEnrolment(
  db: Executor,
  workspaceId: string,
  enrolmentId: string,
  lock = false,
) {
  let query = db
    .selectFrom('sequence_enrolments')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', enrolmentId);
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

export function findRunningEnrolment(
  db: Executor,
  workspaceId: string,
  sequenceId: string,
  leadId: string,
) {
  return db
    .selectFrom('sequence_enrolments')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('sequence_id', '=', sequenceId)
    .where('lead_id', '=', leadId)
    .where('status', 'in', RUNNING)
    .executeTakeFirst();
}

export function insertEnrolment(
  db: Executor,
  values: {
    workspaceId: string;
    sequenceId: string;
    leadId: string;
    contactId: string | null;
    enrolledBy: string | null;
    via: EnrolmentVia;
    now: Date;
  },
) {
  return db
    .insertInto('sequence_enrolments')
    .values({
      workspace_id: values.workspaceId,
      sequence_id: values.sequenceId,
      lead_id: values.leadId,
      contact_id: values.contactId,
      status: 'active',
      next_step: 0,
      next_run_at: values.now,
      last_step_id: null,
      exit_reason: null,
      enrolled_by: values.enrolledBy,
      enrolled_via: values.via,
      enrolled_at: values.now,
      paused_at: null,
      ended_at: null,
      updated_at: values.now,
    })
    .onConflict((oc) =>
      oc
        .columns(['workspace_id', 'sequence_id', 'lead_id'])
        // A literal predicate: PostgreSQL infers the partial unique index from it.
        .where(sql<boolean>`status in ('active', 'paused')`)
        .doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
}

export function updateEnrolment(
  db: Executor,
  workspaceId: string,
  enrolmentId: string,
  patch: {
    status?: EnrolmentStatus;
    next_step?: number;
    next_run_at?: Date | null;
    last_step_id?: string;
    exit_reason?: ExitReason | null;
    paused_at?: Date | null;
    ended_at?: Date | null;
  },
  now: Date,
) {
  return db
    .updateTable('sequence_enrolments')
    .set({ ...patch, updated_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', enrolmentId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Running enrolments of a lead, or of any lead of a contact, locked for the transaction. */
export function lockRunningEnrolmentsOf(
  db: Executor,
  workspaceId: string,
  of: { leadId: string | null; contactId: string | null; sequenceId?: string },
) {
  let query = db
    .selectFrom('sequence_enrolments')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('status', 'in', RUNNING);
  if (of.sequenceId) query = query.where('sequence_id', '=', of.sequenceId);
  query = query.where((eb) =>
    eb.or([
      ...(of.leadId ? [eb('lead_id', '=', of.leadId)] : []),
      ...(of.contactId ? [eb('contact_id', '=', of.contactId)] : []),
      ...(!of.leadId && !of.contactId && of.sequenceId ? [eb.lit(true)] : []),
    ]),
  );
  return query.orderBy('id').forUpdate().execute();
}

/** Cheap check for the event filter: does anything run for this lead or contact? */
export async function hasRunningEnrolment(
  db: Executor,
  workspaceId: string,
  of: { leadId: string | null; contactId: string | null },
) {
  if (!of.leadId && !of.contactId) return false;
  const row = await db
    .selectFrom('sequence_enrolments')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('status', 'in', RUNNING)
    .where((eb) =>
      eb.or([
        ...(of.leadId ? [eb('lead_id', '=', of.leadId)] : []),
        ...(of.contactId ? [eb('contact_id', '=', of.contactId)] : []),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The scheduler's scan, across workspaces: active enrolments whose next step is due. */
export function dueEnrolments(db: Executor, now: Date, limit: number) {
  return db
    .selectFrom('sequence_enrolments')
    .select(['workspace_id', 'id'])
    .where('status', '=', 'active')
    .where('next_run_at', '<=', now)
    .orderBy('next_run_at')
    .limit(limit)
    .execute();
}

export function insertStepRun(
  db: Executor,
  values: {
    workspaceId: string;
    enrolmentId: string;
    stepIndex: number;
    sequenceId: string;
    stepId: string;
    stepType: SequenceStepType;
    outcome: string;
    messageId: string | null;
    taskId: string | null;
    detail: string;
    ranAt: Date;
  },
) {
  return db
    .insertInto('sequence_step_runs')
    .values({
      workspace_id: values.workspaceId,
      enrolment_id: values.enrolmentId,
      step_index: values.stepIndex,
      sequence_id: values.sequenceId,
      step_id: values.stepId,
      step_type: values.stepType,
      outcome: values.outcome,
      message_id: values.messageId,
      task_id: values.taskId,
      detail: values.detail,
      ran_at: values.ranAt,
    })
    .onConflict((oc) => oc.columns(['workspace_id', 'enrolment_id', 'step_index']).doNothing())
    .returning('step_index')
    .executeTakeFirst();
}

export function listStepRuns(db: Executor, workspaceId: string, enrolmentId: string) {
  return db
    .selectFrom('sequence_step_runs')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('enrolment_id', '=', enrolmentId)
    .orderBy('step_index')
    .execute();
}

export function enrolmentCounts(db: Executor, workspaceId: string, sequenceId: string) {
  return db
    .selectFrom('sequence_enrolments')
    .select(['status', 'exit_reason', 'last_step_id', sql<number>`count(*)::int`.as('count')])
    .where('workspace_id', '=', workspaceId)
    .where('sequence_id', '=', sequenceId)
    .groupBy(['status', 'exit_reason', 'last_step_id'])
    .execute();
}

export function stepRunCounts(db: Executor, workspaceId: string, sequenceId: string) {
  return db
    .selectFrom('sequence_step_runs')
    .select(['step_id', 'outcome', sql<number>`count(*)::int`.as('count')])
    .where('workspace_id', '=', workspaceId)
    .where('sequence_id', '=', sequenceId)
    .groupBy(['step_id', 'outcome'])
    .execute();
}
