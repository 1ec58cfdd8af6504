// Sequences (drip / nurture, docs/sequences.md): ordered steps (email, SMS, task, waits) that
// run for each enrolled lead, one step at a time, from a schedule. A lead leaves when it
// replies, is won, lost or archived, or its contact opts out; statistics count every step.
import { randomUUID } from 'node:crypto';
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { recordAudit, type Executor } from '../../platform/audit.js';
import { businessCalendar, nextBusinessMoment } from '../../platform/business-time.js';
import type {
  DurationUnit,
  EnrolmentVia,
  ExitReason,
  SequenceEnrolmentRow,
  SequenceRow,
  SequenceStep,
} from '../../platform/db/schema.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { AppError, notFound } from '../../platform/errors.js';
import type { DomainEvent } from '../../platform/events.js';
import { assertVersion } from '../../platform/http/versioning.js';
import type { ContactsService } from '../contacts/contacts.service.js';
import type { LeadsService } from '../leads/leads.service.js';
import type { MessagingService } from '../messaging/messaging.service.js';
import type { TasksService } from '../tasks/tasks.service.js';
import { systemActorFor } from '../users/users.service.js';
import type { WorkspacesService } from '../workspaces/workspaces.service.js';
import * as repo from './sequences.repository.js';
import type {
  BulkEnrolResultDto,
  CreateSequenceInput,
  EnrolmentDto,
  ListEnrolmentsQuery,
  SequenceDto,
  SequenceStatsDto,
  StepInput,
  UpdateSequenceInput,
} from './sequences.schemas.js';

/** Steps one run may take for an enrolment before it yields to the others. */
const MAX_STEPS_PER_RUN = 60;
/** Enrolments the scheduler picks up per tick. */
const DUE_BATCH = 1_000;

const UNIT_MS: Record<DurationUnit, number> = {
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
};

function toSequenceDto(row: SequenceRow, activeEnrolments: number): SequenceDto {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    purpose: row.purpose,
    autoSend: row.auto_send,
    steps: row.steps,
    archivedAt: row.archived_at?.toISOString() ?? null,
    activeEnrolments,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function toEnrolmentDto(row: repo.EnrolmentView): EnrolmentDto {
  return {
    id: row.id,
    sequenceId: row.sequence_id,
    sequenceName: row.sequence_name,
    leadId: row.lead_id,
    leadTitle: row.lead_title,
    contactId: row.contact_id,
    status: row.status,
    nextStep: row.next_step,
    stepCount: row.step_count,
    nextRunAt: row.status === 'active' ? (row.next_run_at?.toISOString() ?? null) : null,
    exitReason: row.exit_reason,
    enrolledVia: row.enrolled_via,
    enrolledBy: row.enrolled_by,
    enrolledAt: row.enrolled_at.toISOString(),
    pausedAt: row.paused_at?.toISOString() ?? null,
    endedAt: row.ended_at?.toISOString() ?? null,
  };
}

/** Steps as stored: every step keeps its id, a new one gets one. */
function withStepIds(steps: StepInput[]): SequenceStep[] {
  return steps.map((step) => ({ ...step, id: step.id ?? randomUUID() }));
}

const auditView = ({ id, version, createdAt, updatedAt, activeEnrolments, ...rest }: SequenceDto) =>
  rest;

/** What ends an enrolment when an event arrives (a reply is any inbound activity). */
const EXIT_ON: Partial<Record<DomainEvent['type'], ExitReason>> = {
  'activity.logged': 'replied',
  'lead.won': 'won',
  'lead.lost': 'lost',
  'lead.archived': 'archived',
  'contact.unsubscribed': 'unsubscribed',
};

/** Exits about the person, not one lead: they end the enrolments of every lead of the contact. */
const PERSON_EXITS = new Set<ExitReason>(['replied', 'unsubscribed', 'do_not_contact']);

function exitReasonOf(event: DomainEvent): ExitReason | undefined {
  if (event.type === 'activity.logged' && event.data.direction !== 'inbound') return undefined;
  // A contact marked do-not-contact opts out of every channel ('any').
  if (event.type === 'contact.unsubscribed' && event.data.channel === 'any') {
    return 'do_not_contact';
  }
  return EXIT_ON[event.type];
}

export function createSequencesService(
  deps: ServiceDeps,
  modules: {
    leads: LeadsService;
    contacts: ContactsService;
    tasks: TasksService;
    workspaces: WorkspacesService;
    messaging: MessagingService;
  },
) {
  const { db, clock, jobs, events, schedules } = deps;

  async function getSequenceRow(
    executor: Executor,
    actor: Actor,
    sequenceId: string,
    lock = false,
  ) {
    const row = await repo.findSequence(executor, actor.workspaceId, sequenceId, lock);
    if (!row) throw notFound('Sequence');
    return row;
  }

  async function sequenceDto(executor: Executor, actor: Actor, row: SequenceRow) {
    const counts = await repo.runningCounts(executor, actor.workspaceId, [row.id]);
    return toSequenceDto(row, counts.get(row.id) ?? 0);
  }

  function assertMayAutoSend(actor: Actor, autoSend: boolean | undefined, before?: boolean) {
    if (autoSend && before !== true) requirePermission(actor, 'message:auto_send');
  }

  async function enrolmentDto(executor: Executor, actor: Actor, enrolmentId: string) {
    const row = await repo.findEnrolmentView(executor, actor.workspaceId, enrolmentId);
    if (!row) throw notFound('Enrolment');
    return toEnrolmentDto(row);
  }

  /** An enrolment the actor may see: its lead must be visible to them. */
  async function getEnrolmentRow(trx: Executor, actor: Actor, enrolmentId: string) {
    const row = await repo.findEnrolment(trx, actor.workspaceId, enrolmentId, true);
    if (!row) throw notFound('Enrolment');
    await modules.leads.findLeadForWork(trx, actor, row.lead_id).catch(() => {
      throw notFound('Enrolment');
    });
    return row;
  }

  async function endEnrolment(
    trx: Executor,
    actor: Actor,
    row: SequenceEnrolmentRow,
    status: 'completed' | 'exited',
    reason: ExitReason | null,
  ) {
    const now = clock.now();
    await repo.updateEnrolment(
      trx,
      actor.workspaceId,
      row.id,
      { status, exit_reason: reason, next_run_at: null, ended_at: now },
      now,
    );
    await recordAudit(trx, clock, actor, {
      action: status === 'completed' ? 'sequence_enrolment.completed' : 'sequence_enrolment.exited',
      entityType: 'sequence_enrolment',
      entityId: row.id,
      before: { status: row.status },
      after: { status, ...(reason ? { exitReason: reason } : {}) },
    });
  }

  async function enrol(
    trx: Executor,
    actor: Actor,
    input: { sequenceId: string; leadId: string },
    via: EnrolmentVia,
  ) {
    requirePermission(actor, 'lead:update');
    const sequence = await getSequenceRow(trx, actor, input.sequenceId);
    if (sequence.archived_at) {
      throw new AppError('conflict', { message: 'This sequence is archived.' });
    }
    if (sequence.steps.length === 0) {
      throw new AppError('validation_failed', { message: 'This sequence has no steps yet.' });
    }
    const lead = await modules.leads.findLeadForWork(trx, actor, input.leadId, { lock: true });
    if (lead.archived_at) {
      throw new AppError('conflict', { message: 'This lead is archived; restore it first.' });
    }
    if (lead.status !== 'open') {
      throw new AppError('conflict', { message: `This lead is ${lead.status}.` });
    }
    const now = clock.now();
    const row = await repo.insertEnrolment(trx, {
      workspaceId: actor.workspaceId,
      sequenceId: sequence.id,
      leadId: lead.id,
      contactId: lead.contact_id,
      enrolledBy: actor.userId || null,
      via,
      now,
    });
    if (!row) {
      throw new AppError('conflict', { message: 'This lead is already in this sequence.' });
    }
    await recordAudit(trx, clock, actor, {
      action: 'sequence_enrolment.created',
      entityType: 'sequence_enrolment',
      entityId: row.id,
      after: { sequenceId: sequence.id, leadId: lead.id, via },
    });
    // The first step runs right after commit, not at the next tick.
    await jobs.send(trx, 'sequence-advance', {
      workspaceId: actor.workspaceId,
      enrolmentId: row.id,
    });
    return enrolmentDto(trx, actor, row.id);
  }

  /** Runs one due step of an enrolment in its own transaction; true when another is due now. */
  async function advanceOnce(workspaceId: string, enrolmentId: string): Promise<boolean> {
    return db.transaction().execute(async (trx) => {
      const now = clock.now();
      // The lock makes a concurrent or retried run wait, then see the step already taken.
      const enrolment = await repo.findEnrolment(trx, workspaceId, enrolmentId, true);
      if (!enrolment || enrolment.status !== 'active') return false;
      if (!enrolment.next_run_at || enrolment.next_run_at > now) return false;
      const sequence = await repo.findSequence(trx, workspaceId, enrolment.sequence_id);
      if (!sequence) return false;
      const actor = systemActorFor(workspaceId, sequence.created_by ?? '');

      const lead = await modules.leads
        .findLeadForWork(trx, actor, enrolment.lead_id)
        .catch(() => undefined);
      const leadExit: ExitReason | undefined = !lead
        ? 'archived'
        : lead.archived_at
          ? 'archived'
          : lead.status === 'won'
            ? 'won'
            : lead.status === 'lost'
              ? 'lost'
              : undefined;
      if (leadExit) {
        await endEnrolment(trx, actor, enrolment, 'exited', leadExit);
        return false;
      }
      const contactId = lead?.contact_id ?? null;
      if (contactId) {
        const contact = await modules.contacts.getContact(actor, contactId, trx);
        if (contact.doNotContact) {
          await endEnrolment(trx, actor, enrolment, 'exited', 'do_not_contact');
          return false;
        }
      }

      const step = sequence.steps[enrolment.next_step];
      if (!step) {
        await endEnrolment(trx, actor, enrolment, 'completed', null);
        return false;
      }

      let outcome = 'done';
      let messageId: string | null = null;
      let taskId: string | null = null;
      let detail = '';
      let nextRunAt = now;
      switch (step.type) {
        case 'email':
        case 'sms': {
          // A template removed since the step was written is the step's failure, not a
          // reason to retry the enrolment forever.
          try {
            const message = await modules.messaging.draftIn(trx, actor, {
              leadId: enrolment.lead_id,
              channel: step.type,
              ...(step.templateId ? { templateId: step.templateId } : {}),
              ...(step.type === 'email' && step.subject ? { subject: step.subject } : {}),
              ...(step.body ? { body: step.body } : {}),
              purpose: sequence.purpose,
              autoSend: sequence.auto_send,
              origin: { kind: 'sequence', id: sequence.id },
            });
            messageId = message.id;
            outcome = message.status;
            detail = message.statusReason ?? '';
          } catch (error) {
            if (!(error instanceof AppError) || error.code === 'internal') throw error;
            outcome = 'failed';
            detail = error.message;
          }
          break;
        }
        case 'task': {
          const task = await modules.tasks.createTaskIn(trx, actor, {
            leadId: enrolment.lead_id,
            title: step.title,
            type: step.taskType,
            dueAt: new Date(
              now.getTime() + step.dueIn.amount * UNIT_MS[step.dueIn.unit],
            ).toISOString(),
          });
          taskId = task?.id ?? null;
          outcome = 'task_created';
          break;
        }
        case 'wait':
          nextRunAt = new Date(now.getTime() + step.amount * UNIT_MS[step.unit]);
          outcome = 'waited';
          break;
        case 'wait_business_hours': {
          const workspace = await modules.workspaces.findWorkspace(workspaceId, trx);
          const calendar = businessCalendar(
            workspace?.timeZone ?? 'UTC',
            workspace?.businessHours ?? null,
          );
          nextRunAt = nextBusinessMoment(calendar, now);
          outcome = 'waited';
          detail = nextRunAt.toISOString();
          break;
        }
      }

      await repo.insertStepRun(trx, {
        workspaceId,
        enrolmentId,
        stepIndex: enrolment.next_step,
        sequenceId: sequence.id,
        stepId: step.id,
        stepType: step.type,
        outcome,
        messageId,
        taskId,
        detail,
        ranAt: now,
      });
      const nextStep = enrolment.next_step + 1;
      const finished = nextStep >= sequence.steps.length && nextRunAt <= now;
      await repo.updateEnrolment(
        trx,
        workspaceId,
        enrolmentId,
        finished
          ? {
              next_step: nextStep,
              last_step_id: step.id,
              next_run_at: null,
              status: 'completed',
              ended_at: now,
            }
          : { next_step: nextStep, last_step_id: step.id, next_run_at: nextRunAt },
        now,
      );
      if (finished) {
        await recordAudit(trx, clock, actor, {
          action: 'sequence_enrolment.completed',
          entityType: 'sequence_enrolment',
          entityId: enrolmentId,
          before: { status: 'active' },
          after: { status: 'completed' },
        });
      }
      return !finished && nextRunAt <= now;
    });
  }

  async function advanceEnrolment(workspaceId: string, enrolmentId: string) {
    for (let i = 0; i < MAX_STEPS_PER_RUN; i += 1) {
      if (!(await advanceOnce(workspaceId, enrolmentId))) return;
    }
  }

  /** Ends the running enrolments an event concerns (a reply, won, lost, archived, opt-out). */
  async function exitOnEvent(event: DomainEvent) {
    const reason = exitReasonOf(event);
    if (!reason) return;
    await db.transaction().execute(async (trx) => {
      const actor = systemActorFor(event.workspaceId, event.actor.userId ?? '');
      const rows = await repo.lockRunningEnrolmentsOf(trx, event.workspaceId, {
        // Lead outcomes end that lead's enrolments; a reply or opt-out ends the person's.
        leadId: event.leadId,
        contactId: PERSON_EXITS.has(reason) ? event.contactId : null,
      });
      for (const row of rows) await endEnrolment(trx, actor, row, 'exited', reason);
    });
  }

  jobs.register<{ workspaceId: string; enrolmentId: string }>(
    'sequence-advance',
    ({ workspaceId, enrolmentId }) => advanceEnrolment(workspaceId, enrolmentId),
  );

  schedules.every('sequences', 1, async () => {
    const due = await repo.dueEnrolments(db, clock.now(), DUE_BATCH);
    if (due.length === 0) return;
    // One job per enrolment: a failing one is retried alone.
    await db.transaction().execute(async (trx) => {
      for (const row of due) {
        await jobs.send(trx, 'sequence-advance', {
          workspaceId: row.workspace_id,
          enrolmentId: row.id,
        });
      }
    });
  });

  events.subscribe({
    name: 'sequences',
    types: Object.keys(EXIT_ON) as DomainEvent['type'][],
    wants: (event, trx) =>
      exitReasonOf(event) !== undefined &&
      repo.hasRunningEnrolment(trx, event.workspaceId, {
        leadId: event.leadId,
        contactId: event.contactId,
      }),
    handler: exitOnEvent,
  });

  return {
    /**
     * Enrols a lead inside the caller's transaction (the automation engine's "enrol in a
     * sequence" action). 404 for an unknown sequence or lead, 409 when the lead is already in
     * the sequence, closed or archived, 422 when the sequence has no steps.
     */
    enrolIn(trx: Executor, actor: Actor, input: { sequenceId: string; leadId: string }) {
      return enrol(trx, actor, input, 'rule');
    },

    async listSequences(actor: Actor, query: { archived: boolean }) {
      requirePermission(actor, 'lead:read');
      const rows = await repo.listSequences(db, actor.workspaceId, query.archived);
      const counts = await repo.runningCounts(
        db,
        actor.workspaceId,
        rows.map((row) => row.id),
      );
      return {
        items: rows.map((row) => toSequenceDto(row, counts.get(row.id) ?? 0)),
        nextCursor: null,
      };
    },

    async getSequence(actor: Actor, sequenceId: string) {
      requirePermission(actor, 'lead:read');
      return sequenceDto(db, actor, await getSequenceRow(db, actor, sequenceId));
    },

    async createSequence(actor: Actor, input: CreateSequenceInput) {
      requirePermission(actor, 'lead:configure');
      assertMayAutoSend(actor, input.autoSend);
      return db.transaction().execute(async (trx) => {
        const row = await repo.insertSequence(
          trx,
          actor.workspaceId,
          { ...input, steps: withStepIds(input.steps) },
          actor.userId || null,
          clock.now(),
        );
        const created = toSequenceDto(row, 0);
        await recordAudit(trx, clock, actor, {
          action: 'sequence.created',
          entityType: 'sequence',
          entityId: created.id,
          after: auditView(created),
        });
        return created;
      });
    },

    async updateSequence(
      actor: Actor,
      sequenceId: string,
      input: UpdateSequenceInput,
      ifMatch?: number,
    ) {
      requirePermission(actor, 'lead:configure');
      return db.transaction().execute(async (trx) => {
        const row = await getSequenceRow(trx, actor, sequenceId, true);
        assertVersion(row.version, ifMatch);
        if (row.archived_at) {
          throw new AppError('conflict', { message: 'This sequence is archived.' });
        }
        assertMayAutoSend(actor, input.autoSend, row.auto_send);
        const before = await sequenceDto(trx, actor, row);
        const { steps, ...fields } = input;
        const updated = await repo.updateSequence(
          trx,
          actor.workspaceId,
          sequenceId,
          { ...fields, ...(steps ? { steps: withStepIds(steps) } : {}) },
          clock.now(),
        );
        const after = await sequenceDto(trx, actor, updated);
        await recordAudit(trx, clock, actor, {
          action: 'sequence.updated',
          entityType: 'sequence',
          entityId: sequenceId,
          before: auditView(before),
          after: auditView(after),
        });
        return after;
      });
    },

    /** Archives a sequence; its running enrolments end (reason sequence_archived). */
    async archiveSequence(actor: Actor, sequenceId: string, ifMatch?: number) {
      requirePermission(actor, 'lead:configure');
      return db.transaction().execute(async (trx) => {
        const row = await getSequenceRow(trx, actor, sequenceId, true);
        assertVersion(row.version, ifMatch);
        if (row.archived_at) return sequenceDto(trx, actor, row);
        const running = await repo.lockRunningEnrolmentsOf(trx, actor.workspaceId, {
          leadId: null,
          contactId: null,
          sequenceId,
        });
        for (const enrolment of running) {
          await endEnrolment(trx, actor, enrolment, 'exited', 'sequence_archived');
        }
        const now = clock.now();
        const updated = await repo.updateSequence(
          trx,
          actor.workspaceId,
          sequenceId,
          { archivedAt: now },
          now,
        );
        await recordAudit(trx, clock, actor, {
          action: 'sequence.archived',
          entityType: 'sequence',
          entityId: sequenceId,
          before: { archivedAt: null },
          after: { archivedAt: now.toISOString(), endedEnrolments: running.length },
        });
        return toSequenceDto(updated, 0);
      });
    },

    async enrolLead(
      actor: Actor,
      sequenceId: string,
      leadId: string,
      via: EnrolmentVia = 'manual',
    ) {
      requirePermission(actor, 'lead:update');
      return db.transaction().execute((trx) => enrol(trx, actor, { sequenceId, leadId }, via));
    },

    /** Each lead in its own transaction: one refused lead does not undo the others. */
    async enrolLeads(
      actor: Actor,
      sequenceId: string,
      leadIds: string[],
    ): Promise<BulkEnrolResultDto> {
      requirePermission(actor, 'lead:update');
      await getSequenceRow(db, actor, sequenceId);
      const results: BulkEnrolResultDto['results'] = [];
      for (const leadId of new Set(leadIds)) {
        if (await repo.findRunningEnrolment(db, actor.workspaceId, sequenceId, leadId)) {
          results.push({
            leadId,
            outcome: 'already_enrolled',
            enrolmentId: null,
            message: 'This lead is already in this sequence.',
          });
          continue;
        }
        try {
          const enrolment = await this.enrolLead(actor, sequenceId, leadId, 'bulk');
          results.push({ leadId, outcome: 'enrolled', enrolmentId: enrolment.id, message: null });
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          const outcome = error.code === 'not_found' ? 'not_found' : 'refused';
          results.push({ leadId, outcome, enrolmentId: null, message: error.message });
        }
      }
      return {
        enrolled: results.filter((result) => result.outcome === 'enrolled').length,
        results,
      };
    },

    async listSequenceEnrolments(actor: Actor, sequenceId: string, query: ListEnrolmentsQuery) {
      requirePermission(actor, 'lead:read');
      await getSequenceRow(db, actor, sequenceId);
      const rows = await repo.listEnrolments(
        db,
        actor.workspaceId,
        { sequenceId, status: query.status },
        query.limit,
      );
      const visible = [];
      for (const row of rows) {
        if (actor.leadScope === 'own') {
          const lead = await modules.leads
            .findLeadForWork(db, actor, row.lead_id)
            .catch(() => undefined);
          if (!lead) continue;
        }
        visible.push(toEnrolmentDto(row));
      }
      return { items: visible, nextCursor: null };
    },

    async listLeadEnrolments(actor: Actor, leadId: string) {
      requirePermission(actor, 'lead:read');
      await modules.leads.findLeadForWork(db, actor, leadId);
      const rows = await repo.listEnrolments(db, actor.workspaceId, { leadId }, 500);
      return { items: rows.map(toEnrolmentDto), nextCursor: null };
    },

    async pauseEnrolment(actor: Actor, enrolmentId: string) {
      requirePermission(actor, 'lead:update');
      return db.transaction().execute(async (trx) => {
        const row = await getEnrolmentRow(trx, actor, enrolmentId);
        if (row.status !== 'active') {
          throw new AppError('conflict', { message: `This enrolment is ${row.status}.` });
        }
        const now = clock.now();
        await repo.updateEnrolment(
          trx,
          actor.workspaceId,
          row.id,
          { status: 'paused', paused_at: now },
          now,
        );
        await recordAudit(trx, clock, actor, {
          action: 'sequence_enrolment.paused',
          entityType: 'sequence_enrolment',
          entityId: row.id,
          before: { status: 'active' },
          after: { status: 'paused' },
        });
        return enrolmentDto(trx, actor, row.id);
      });
    },

    /** Resumes where it paused; a wait that ran out meanwhile lets the next step run at once. */
    async resumeEnrolment(actor: Actor, enrolmentId: string) {
      requirePermission(actor, 'lead:update');
      return db.transaction().execute(async (trx) => {
        const row = await getEnrolmentRow(trx, actor, enrolmentId);
        if (row.status !== 'paused') {
          throw new AppError('conflict', { message: `This enrolment is ${row.status}.` });
        }
        const now = clock.now();
        const nextRunAt = row.next_run_at && row.next_run_at > now ? row.next_run_at : now;
        await repo.updateEnrolment(
          trx,
          actor.workspaceId,
          row.id,
          { status: 'active', paused_at: null, next_run_at: nextRunAt },
          now,
        );
        await recordAudit(trx, clock, actor, {
          action: 'sequence_enrolment.resumed',
          entityType: 'sequence_enrolment',
          entityId: row.id,
          before: { status: 'paused' },
          after: { status: 'active' },
        });
        if (nextRunAt <= now) {
          await jobs.send(trx, 'sequence-advance', {
            workspaceId: actor.workspaceId,
            enrolmentId: row.id,
          });
        }
        return enrolmentDto(trx, actor, row.id);
      });
    },

    async stopEnrolment(actor: Actor, enrolmentId: string) {
      requirePermission(actor, 'lead:update');
      return db.transaction().execute(async (trx) => {
        const row = await getEnrolmentRow(trx, actor, enrolmentId);
        if (row.status !== 'active' && row.status !== 'paused') {
          throw new AppError('conflict', { message: `This enrolment is ${row.status}.` });
        }
        await endEnrolment(trx, actor, row, 'exited', 'stopped');
        return enrolmentDto(trx, actor, row.id);
      });
    },

    async getSequenceStats(actor: Actor, sequenceId: string): Promise<SequenceStatsDto> {
      requirePermission(actor, 'lead:read');
      const sequence = await getSequenceRow(db, actor, sequenceId);
      const enrolments = await repo.enrolmentCounts(db, actor.workspaceId, sequenceId);
      const runs = await repo.stepRunCounts(db, actor.workspaceId, sequenceId);
      const totals = { enrolled: 0, active: 0, paused: 0, completed: 0, exited: 0 };
      const exitedByReason: Record<string, number> = {};
      for (const row of enrolments) {
        totals.enrolled += row.count;
        totals[row.status] += row.count;
        if (row.status === 'exited' && row.exit_reason) {
          exitedByReason[row.exit_reason] = (exitedByReason[row.exit_reason] ?? 0) + row.count;
        }
      }
      return {
        sequenceId,
        ...totals,
        exitedByReason,
        steps: sequence.steps.map((step, position) => {
          const of = (outcomes: string[]) =>
            runs
              .filter((run) => run.step_id === step.id && outcomes.includes(run.outcome))
              .reduce((sum, run) => sum + run.count, 0);
          const exits: Record<string, number> = {};
          for (const row of enrolments) {
            if (row.status !== 'exited' || row.last_step_id !== step.id || !row.exit_reason) {
              continue;
            }
            exits[row.exit_reason] = (exits[row.exit_reason] ?? 0) + row.count;
          }
          return {
            stepId: step.id,
            position,
            type: step.type,
            reached: runs
              .filter((run) => run.step_id === step.id)
              .reduce((sum, run) => sum + run.count, 0),
            drafted: of(['draft']),
            sent: of(['approved', 'sending', 'sent']),
            suppressed: of(['suppressed']),
            tasksCreated: of(['task_created']),
            repliedAfter: exits.replied ?? 0,
            exitedByReason: exits,
          };
        }),
      };
    },
  };
}

export type SequencesService = ReturnType<typeof createSequencesService>;
