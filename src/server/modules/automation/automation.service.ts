// Automation rules (docs/automation.md, decision 028): a trigger (an event, or a time-based
// condition found by the scan every few minutes), conditions on the lead, and actions run in
// order in one transaction with the run's log entry. A rule fires once per event or condition
// episode (the run's unique trigger key), never on an event its own actions caused, and a chain
// of rules stops at MAX_CHAIN_DEPTH. A failing run is retried by its job and then marked failed
// and reported to the admins, never dropped.
import type { Transaction } from 'kysely';
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { recordAudit, type Executor } from '../../platform/audit.js';
import {
  addBusinessDuration,
  businessCalendar,
  type BusinessCalendar,
} from '../../platform/business-time.js';
import type { AutomationRuleRow, AutomationRunRow, DB } from '../../platform/db/schema.js';
import { PRIORITIES, CONTACT_STATUSES } from '../../platform/db/schema.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { AppError, fieldError, notFound } from '../../platform/errors.js';
import type { DomainEvent, EventType } from '../../platform/events.js';
import { assertVersion } from '../../platform/http/versioning.js';
import { outboundUrlProblem } from '../../platform/outbound-http.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { z } from 'zod';
import { isUnanswered } from '../activities/activities.touch.js';
import type { AssignmentService } from '../assignment/assignment.service.js';
import type { ContactsService } from '../contacts/contacts.service.js';
import type { LeadsService } from '../leads/leads.service.js';
import type { MessagingService } from '../messaging/messaging.service.js';
import type { TemplatesService } from '../messaging/templates.service.js';
import type { SequencesService } from '../sequences/sequences.service.js';
import type { WebhooksService } from '../webhooks/webhooks.service.js';
import type { NotificationsService } from '../notifications/notifications.service.js';
import type { PipelinesService } from '../pipelines/pipelines.service.js';
import type { PresetsService } from '../presets/presets.service.js';
import type { TasksService } from '../tasks/tasks.service.js';
import { systemActorFor, type UsersService } from '../users/users.service.js';
import type { WorkspacesService } from '../workspaces/workspaces.service.js';
import { defaultRulesOf, type DefaultRule } from './automation.defaults.js';
import {
  EVENT_TRIGGERS,
  SCANNED_TRIGGERS,
  failedCondition,
  fillPlaceholders,
  firingReason,
  type LeadFacts,
} from './automation.evaluate.js';
import * as repo from './automation.repository.js';
import type {
  Action,
  AutomationRuleDto,
  AutomationRunDto,
  Condition,
  CreateAutomationRuleInput,
  ListRunsQuery,
  Offset,
  Trigger,
  UpdateAutomationRuleInput,
} from './automation.schemas.js';

/** Rules triggered by rules triggered by rules…: the depth at which a chain stops. */
export const MAX_CHAIN_DEPTH = 3;
/** Attempts of a run before it is marked failed (the first and two retries). */
export const MAX_RUN_ATTEMPTS = 3;
/** Minutes between scans for time-based triggers and overdue tasks. */
export const SCAN_PERIOD_MINUTES = 5;
/** Leads looked at per rule and scan; the oldest first, the rest at the next scan. */
const SCAN_BATCH = 2000;
const RUN_QUEUE = 'automation-run';
/** Seconds before a failed run is tried again (pg-boss's retries back off from here). */
const RUN_RETRY_DELAY_SECONDS = 10;

/** An action of a run failed: which one, and why. */
class ActionFailure extends Error {
  constructor(
    readonly action: string,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

const UNIT_MS = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;

interface RunJob {
  workspaceId: string;
  runId: string;
}

function toRuleDto(row: AutomationRuleRow): AutomationRuleDto {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    trigger: row.trigger as Trigger,
    conditions: row.conditions as Condition[],
    actions: row.actions as Action[],
    order: row.position,
    active: row.is_active,
    defaultKey: row.default_key,
    archived: row.archived_at !== null,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function toRunDto(row: AutomationRunRow & { rule_name: string }): AutomationRunDto {
  return {
    id: row.id,
    ruleId: row.rule_id,
    ruleName: row.rule_name,
    leadId: row.lead_id,
    eventType: row.event_type,
    eventId: row.event_id,
    reason: row.reason,
    status: row.status,
    attempts: row.attempts,
    causedByRules: row.caused_by_rules,
    results: row.results,
    errors: row.errors,
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

const auditView = ({ id, version, createdAt, updatedAt, ...settings }: AutomationRuleDto) =>
  settings;

/** The moment an offset after `from` lands on (in business time when it says so). */
export function dueAfter(calendar: BusinessCalendar, from: Date, offset: Offset): Date {
  if (offset.businessTime) {
    return addBusinessDuration(calendar, from, { [offset.unit]: offset.amount });
  }
  return new Date(from.getTime() + offset.amount * UNIT_MS[offset.unit]);
}

function describeOffset(offset: Offset): string {
  const unit = offset.amount === 1 ? offset.unit.slice(0, -1) : offset.unit;
  return `${offset.amount} ${offset.businessTime ? 'business ' : ''}${unit}`;
}

/** A lead field an action may set, checked with the lead's own update rules. */
const SETTABLE_FIELDS = {
  priority: z.enum(PRIORITIES),
  contactStatus: z.enum(CONTACT_STATUSES),
  value: z.number().int().min(0),
  expectedCloseDate: z.iso.date().nullable(),
} as const;

export function createAutomationService(
  deps: ServiceDeps,
  modules: {
    leads: LeadsService;
    contacts: ContactsService;
    tasks: TasksService;
    assignment: AssignmentService;
    notifications: NotificationsService;
    users: UsersService;
    workspaces: WorkspacesService;
    pipelines: PipelinesService;
    presets: PresetsService;
    templates: TemplatesService;
    messaging: MessagingService;
    sequences: SequencesService;
    webhooks: WebhooksService;
  },
) {
  const { db, clock, config, jobs, events, schedules } = deps;

  async function calendarOf(workspaceId: string, executor: Executor): Promise<BusinessCalendar> {
    const workspace = await modules.workspaces.findWorkspace(workspaceId, executor);
    if (!workspace) throw notFound('Workspace');
    return businessCalendar(workspace.timeZone, workspace.businessHours);
  }

  async function getRuleRow(executor: Executor, actor: Actor, ruleId: string) {
    const row = await repo.findRule(executor, actor.workspaceId, ruleId);
    if (!row) throw notFound('Automation rule');
    return row;
  }

  /** What a rule points at exists in this workspace (stages, members), and values are valid. */
  /**
   * The templates, sequences and URLs a rule's actions name (before its transaction: these
   * services read outside it, and on PGlite the one connection is the transaction's).
   */
  async function checkActionReferences(actor: Actor, actions: Action[] | undefined) {
    for (const [i, action] of (actions ?? []).entries()) {
      if (action.type === 'send_message') {
        if (action.autoSend) requirePermission(actor, 'message:auto_send');
        const template = await modules.templates.getTemplate(actor, action.templateId).catch(() => {
          throw fieldError(`actions.${i}.templateId`, 'No such template in this workspace.');
        });
        if (template.channel !== action.channel) {
          throw fieldError(`actions.${i}.templateId`, `This is an ${template.channel} template.`);
        }
      }
      if (action.type === 'enrol_in_sequence') {
        await modules.sequences.getSequence(actor, action.sequenceId).catch(() => {
          throw fieldError(`actions.${i}.sequenceId`, 'No such sequence in this workspace.');
        });
      }
      if (action.type === 'call_webhook') {
        const problem = outboundUrlProblem(action.url, config.webhooksAllowPrivate);
        if (problem) throw fieldError(`actions.${i}.url`, problem);
      }
    }
  }

  async function checkReferences(
    trx: Executor,
    actor: Actor,
    rule: {
      trigger?: Trigger | undefined;
      conditions?: Condition[] | undefined;
      actions?: Action[] | undefined;
    },
  ) {
    const pipelines = await modules.pipelines.listPipelines(actor, false, trx);
    const stageIds = new Set(pipelines.items.flatMap((p) => p.stages.map((s) => s.id)));
    const lostStageIds = new Set(
      pipelines.items.flatMap((p) => p.stages.filter((s) => s.kind === 'lost').map((s) => s.id)),
    );
    const checkStages = (ids: string[], field: string) => {
      if (ids.some((id) => !stageIds.has(id))) {
        throw fieldError(field, 'No such active stage in this workspace.');
      }
    };
    const trigger = rule.trigger;
    if (trigger?.type === 'stage_changed') {
      checkStages(trigger.fromStageIds, 'trigger.fromStageIds');
      checkStages(trigger.toStageIds, 'trigger.toStageIds');
    }
    if (trigger?.type === 'time_in_stage') checkStages(trigger.stageIds, 'trigger.stageIds');
    for (const [i, condition] of (rule.conditions ?? []).entries()) {
      if (condition.type === 'stage') checkStages(condition.values, `conditions.${i}.values`);
      if (
        condition.type === 'pipeline' &&
        condition.values.some((id) => !pipelines.items.some((p) => p.id === id))
      ) {
        throw fieldError(`conditions.${i}.values`, 'No such pipeline in this workspace.');
      }
      if (condition.type === 'assignee') {
        for (const userId of condition.values) {
          await modules.users.assertMember(actor, userId, trx).catch(() => {
            throw fieldError(`conditions.${i}.values`, 'No such member in this workspace.');
          });
        }
      }
    }
    for (const [i, action] of (rule.actions ?? []).entries()) {
      const userId =
        action.type === 'create_task'
          ? action.assigneeId
          : action.type === 'assign' || action.type === 'notify'
            ? action.userId
            : null;
      if (userId) {
        await modules.users.assertActiveMember(
          actor,
          userId,
          `actions.${i}.${action.type === 'create_task' ? 'assigneeId' : 'userId'}`,
          trx,
        );
      }
      if (action.type === 'move_stage') {
        checkStages([action.stageId], `actions.${i}.stageId`);
        if (lostStageIds.has(action.stageId)) {
          throw fieldError(
            `actions.${i}.stageId`,
            'A rule cannot move a lead to lost (it needs a reason); notify someone instead.',
          );
        }
      }
      if (action.type === 'set_field' && !action.field.startsWith('custom.')) {
        const schema = SETTABLE_FIELDS[action.field as keyof typeof SETTABLE_FIELDS];
        if (!schema.safeParse(action.value).success) {
          throw fieldError(`actions.${i}.value`, `Not a valid value for ${action.field}.`);
        }
      }
    }
  }

  // Firing: a run is recorded (once per rule and trigger key) and its job enqueued.

  /** An actor for a rule's actions: the system, carrying the chain of rules that led here. */
  function ruleActor(workspaceId: string, causedByRules: readonly string[]): Actor {
    return { ...systemActorFor(workspaceId, ''), causedByRules };
  }

  async function leadFacts(trx: Executor, workspaceId: string, leadId: string) {
    const lead = await modules.leads
      .describeLead(trx, systemActorFor(workspaceId, ''), leadId)
      .catch(() => undefined);
    return lead && !lead.archived ? (lead as unknown as LeadFacts & { id: string }) : undefined;
  }

  interface Firing {
    leadId: string;
    eventType: string;
    eventId: string | null;
    triggerKey: string;
    reason: string;
    causedByRules: readonly string[];
  }

  /**
   * Records that `rule` fires for a lead (unless it already did for this key), when the lead
   * meets the rule's conditions, and runs it: here and now in the caller's transaction
   * (`runNow`), else by a job, `delaySeconds` from now. Returns the run's id, or null when the
   * rule doesn't fire.
   */
  async function fire(
    trx: Transaction<DB>,
    rule: AutomationRuleRow,
    firing: Firing,
    how: { runNow: true } | { runNow: false; delaySeconds?: number },
  ): Promise<string | null> {
    const lead = await leadFacts(trx, rule.workspace_id, firing.leadId);
    if (!lead) return null;
    if (failedCondition(rule.conditions as Condition[], lead) !== -1) return null;
    const tooDeep = firing.causedByRules.length >= MAX_CHAIN_DEPTH;
    const now = clock.now();
    const run = await repo.insertRun(trx, {
      workspaceId: rule.workspace_id,
      ruleId: rule.id,
      leadId: firing.leadId,
      eventType: firing.eventType,
      eventId: firing.eventId,
      triggerKey: firing.triggerKey,
      reason: firing.reason,
      status: tooDeep ? 'skipped' : 'queued',
      causedByRules: firing.causedByRules,
      errors: tooDeep
        ? [
            {
              attempt: 0,
              at: now.toISOString(),
              action: null,
              message: `Stopped: a chain of ${firing.causedByRules.length} rules (the limit is ${MAX_CHAIN_DEPTH}); check these rules for a loop.`,
            },
          ]
        : [],
      now,
    });
    if (!run || tooDeep) return null;
    if (how.runNow) {
      await performRun(trx, run, rule, lead);
    } else {
      await jobs.send(
        trx,
        RUN_QUEUE,
        { workspaceId: rule.workspace_id, runId: run.id } satisfies RunJob,
        how.delaySeconds ? { startAfterSeconds: how.delaySeconds } : {},
      );
    }
    return run.id;
  }

  /**
   * Fires a rule for an event and runs it at once, in one transaction: no job to wait for. When
   * that attempt fails, all it did is rolled back; the run is then recorded with its error and
   * queued, and the job retries it (MAX_RUN_ATTEMPTS in all) like any other.
   */
  async function fireAndRun(rule: AutomationRuleRow, firing: Firing) {
    try {
      await db.transaction().execute((trx) => fire(trx, rule, firing, { runNow: true }));
    } catch (error) {
      const failure = error instanceof ActionFailure ? error : undefined;
      const runId = await db
        .transaction()
        .execute((trx) =>
          fire(trx, rule, firing, { runNow: false, delaySeconds: RUN_RETRY_DELAY_SECONDS }),
        );
      if (runId) {
        await recordFailure(
          rule.workspace_id,
          runId,
          failure?.action ?? null,
          failure?.cause ?? error,
        );
      }
    }
  }

  /** Contact attempts: true when the event's activity made exactly `attempts` unanswered in a row. */
  async function reachedAttempts(event: DomainEvent, attempts: number): Promise<boolean> {
    if (!event.leadId) return false;
    const touches = await repo.recentTouches(db, event.workspaceId, event.leadId, attempts + 1);
    if (touches[0]?.id !== event.data.activityId) return false;
    const unanswered = (touch: (typeof touches)[number]) =>
      isUnanswered({ type: touch.type, direction: touch.direction, outcome: touch.outcome });
    const streak = touches.slice(0, attempts);
    return (
      streak.length === attempts &&
      streak.every(unanswered) &&
      (touches.length <= attempts || !unanswered(touches[attempts]!))
    );
  }

  async function handleEvent(event: DomainEvent) {
    const types = EVENT_TRIGGERS[event.type] ?? [];
    if (!event.leadId || types.length === 0) return;
    const rules = await repo.listRules(db, event.workspaceId, { activeTriggerTypes: types });
    for (const rule of rules) {
      // A rule never fires on what its own actions caused (directly or down a chain).
      if (event.actor.causedByRules.includes(rule.id)) continue;
      const trigger = rule.trigger as Trigger;
      const reason = firingReason(trigger, event);
      if (!reason) continue;
      if (
        trigger.type === 'contact_attempts' &&
        !(await reachedAttempts(event, trigger.attempts))
      ) {
        continue;
      }
      await fireAndRun(rule, {
        leadId: event.leadId,
        eventType: event.type,
        eventId: event.id,
        triggerKey: `event:${event.id}`,
        reason,
        causedByRules: event.actor.causedByRules,
      });
    }
  }

  // Running: the actions in order, in one transaction with the run's log entry.

  async function performAction(
    trx: Transaction<DB>,
    actor: Actor,
    action: Action,
    lead: LeadFacts & { id: string },
    calendar: BusinessCalendar,
  ): Promise<string> {
    const now = clock.now();
    switch (action.type) {
      case 'create_task': {
        const due = dueAfter(calendar, now, action.due);
        const task = await modules.tasks.createTaskIn(trx, actor, {
          leadId: lead.id,
          title: fillPlaceholders(action.title, lead).slice(0, 300),
          description: fillPlaceholders(action.description, lead),
          type: action.taskType,
          priority: action.priority,
          dueAt: due.toISOString(),
          ...(action.assigneeId ? { assigneeId: action.assigneeId } : {}),
        });
        return `Created the task "${task?.title ?? ''}" due ${due.toISOString()} (${task?.id ?? ''})`;
      }
      case 'assign': {
        let userId = action.userId;
        if (!userId) {
          // Where the contact is, for territory rules.
          const contact =
            typeof lead.contactId === 'string'
              ? await modules.contacts.getContact(actor, lead.contactId, trx).catch(() => null)
              : null;
          const pick = await modules.assignment.pickAssignee(trx, actor, {
            sourceId: lead.sourceId,
            value: typeof lead.value === 'number' ? lead.value : 0,
            address: contact?.address ?? null,
          });
          if (!pick) return 'No assignment rule had anyone available; left as it was';
          userId = pick.userId;
        }
        if (userId === lead.assigneeId) return 'Already assigned to that member';
        await modules.leads.assignLead(actor, lead.id, userId, undefined, trx);
        return `Assigned to ${userId}`;
      }
      case 'set_field': {
        const input = action.field.startsWith('custom.')
          ? { customFields: { [action.field.slice(7)]: action.value } }
          : { [action.field]: action.value };
        await modules.leads.updateLead(actor, lead.id, input, undefined, trx);
        return `Set ${action.field} to ${JSON.stringify(action.value)}`;
      }
      case 'move_stage': {
        if (lead.stageId === action.stageId) return 'Already in that stage';
        const pipeline = await modules.pipelines.pipelineForLead(actor, lead.pipelineId, trx);
        if (!pipeline.stages.some((stage) => stage.id === action.stageId)) {
          return "Skipped: that stage is not in this lead's pipeline";
        }
        await modules.leads.moveLeadToStage(
          actor,
          lead.id,
          { stageId: action.stageId, reason: 'Moved by an automation rule' },
          undefined,
          trx,
        );
        return `Moved to the stage ${action.stageId}`;
      }
      case 'add_tag': {
        if (lead.tags.some((tag) => tag.toLowerCase() === action.tag.toLowerCase())) {
          return `Already tagged "${action.tag}"`;
        }
        await modules.leads.updateLead(
          actor,
          lead.id,
          { tags: [...lead.tags, action.tag] },
          undefined,
          trx,
        );
        return `Tagged "${action.tag}"`;
      }
      case 'notify': {
        let userIds: string[] = [];
        let note = '';
        if (action.to === 'user' && action.userId) userIds = [action.userId];
        if (action.to === 'assignee') {
          if (lead.assigneeId) userIds = [lead.assigneeId];
          else note = ' (no assignee: told the managers)';
        }
        if (action.to === 'managers' || userIds.length === 0) {
          userIds = await repo.memberIdsWithRoles(trx, actor.workspaceId, ['manager']);
          if (userIds.length === 0) {
            userIds = await repo.memberIdsWithRoles(trx, actor.workspaceId, ['admin']);
          }
        }
        await modules.notifications.notify(trx, {
          workspaceId: actor.workspaceId,
          userIds,
          kind: 'automation',
          title: fillPlaceholders(action.title, lead),
          body: fillPlaceholders(action.body, lead),
          leadId: lead.id,
        });
        return `Notified ${userIds.length} member${userIds.length === 1 ? '' : 's'}${note}`;
      }
      case 'send_message': {
        const message = await modules.messaging.draftIn(trx, actor, {
          leadId: lead.id,
          channel: action.channel,
          templateId: action.templateId,
          autoSend: action.autoSend,
          origin: { kind: 'automation', id: actor.causedByRules?.at(-1) },
        });
        const what = `${action.channel === 'sms' ? 'an SMS' : 'an email'} (${message.id})`;
        if (message.status === 'draft') return `Drafted ${what} in the outbox for approval`;
        if (message.status === 'suppressed') {
          return `Held back ${what}: ${message.statusReason ?? 'not allowed'}`;
        }
        return `Approved ${what} for sending (auto-send); now ${message.status}`;
      }
      case 'enrol_in_sequence': {
        try {
          const enrolment = await modules.sequences.enrolIn(trx, actor, {
            sequenceId: action.sequenceId,
            leadId: lead.id,
          });
          return `Enrolled in the sequence ${action.sequenceId} (${enrolment.id})`;
        } catch (error) {
          // Already in it, or closed: nothing to do, and nothing to retry.
          if (error instanceof AppError && error.code === 'conflict') {
            return `Not enrolled: ${error.message}`;
          }
          throw error;
        }
      }
      case 'call_webhook': {
        const delivery = await modules.webhooks.deliverIn(trx, actor, {
          url: action.url,
          event: 'automation.rule_fired',
          payload: { ruleId: actor.causedByRules?.at(-1) ?? null, lead },
        });
        return `Queued a call to ${action.url} (delivery ${delivery.id})`;
      }
    }
  }

  /** Runs the actions of a queued run in order, in the caller's transaction, and logs them. */
  async function performRun(
    trx: Transaction<DB>,
    run: AutomationRunRow,
    rule: AutomationRuleRow,
    lead: LeadFacts & { id: string },
  ) {
    const now = clock.now();
    const actor = ruleActor(run.workspace_id, [...run.caused_by_rules, rule.id]);
    const calendar = await calendarOf(run.workspace_id, trx);
    const results: { action: string; outcome: string }[] = [];
    for (const action of rule.actions as Action[]) {
      try {
        results.push({
          action: action.type,
          outcome: await performAction(trx, actor, action, lead, calendar),
        });
      } catch (error) {
        throw new ActionFailure(action.type, error);
      }
    }
    await repo.updateRun(
      trx,
      run.workspace_id,
      run.id,
      { status: 'succeeded', attempts: run.attempts + 1, results, finishedAt: now },
      now,
    );
  }

  async function runRule({ workspaceId, runId }: RunJob) {
    const now = clock.now();
    try {
      await db.transaction().execute(async (trx) => {
        const run = await repo.lockRun(trx, workspaceId, runId);
        // Done already (a retried job after a commit it didn't hear of) or never recorded.
        if (!run || run.status !== 'queued') return;
        const rule = await repo.findRule(trx, workspaceId, run.rule_id);
        const lead = run.lead_id ? await leadFacts(trx, workspaceId, run.lead_id) : undefined;
        if (!rule || !lead) {
          await repo.updateRun(
            trx,
            workspaceId,
            runId,
            {
              status: 'skipped',
              attempts: run.attempts + 1,
              results: [{ action: '-', outcome: 'The lead or the rule is gone' }],
              finishedAt: now,
            },
            now,
          );
          return;
        }
        await performRun(trx, run, rule, lead);
      });
    } catch (error) {
      const failure = error instanceof ActionFailure ? error : undefined;
      const final = await recordFailure(
        workspaceId,
        runId,
        failure?.action ?? null,
        failure?.cause ?? error,
      );
      // Retried by the job queue until the last attempt, which is reported instead.
      if (!final) throw error;
    }
  }

  /** Logs a failed attempt; on the last one marks the run failed and tells the admins. */
  async function recordFailure(
    workspaceId: string,
    runId: string,
    action: string | null,
    error: unknown,
  ): Promise<boolean> {
    const now = clock.now();
    const message =
      error instanceof AppError
        ? [error.message, ...(error.fields ?? []).map((f) => `${f.field}: ${f.message}`)].join(' ')
        : error instanceof Error
          ? error.message
          : String(error);
    return db.transaction().execute(async (trx) => {
      const run = await repo.lockRun(trx, workspaceId, runId);
      if (!run || run.status !== 'queued') return true;
      const attempt = run.attempts + 1;
      const final = attempt >= MAX_RUN_ATTEMPTS;
      await repo.updateRun(
        trx,
        workspaceId,
        runId,
        {
          attempts: attempt,
          errors: [...run.errors, { attempt, at: now.toISOString(), action, message }],
          ...(final ? { status: 'failed', finishedAt: now } : {}),
        },
        now,
      );
      if (final) {
        const rule = await repo.findRule(trx, workspaceId, run.rule_id);
        await modules.notifications.notify(trx, {
          workspaceId,
          userIds: await repo.memberIdsWithRoles(trx, workspaceId, ['admin']),
          kind: 'automation_failed',
          title: `Automation rule failed: ${rule?.name ?? run.rule_id}`,
          body: `After ${attempt} attempts: ${message}`.slice(0, 2000),
          leadId: run.lead_id,
        });
      }
      return final;
    });
  }

  // The scan: time-based triggers and overdue tasks.

  async function announceOverdueTasks(now: Date) {
    const tasks = await repo.unannouncedOverdueTasks(db, now, SCAN_BATCH);
    for (const task of tasks) {
      await db.transaction().execute(async (trx) => {
        const isNew = await repo.markOverdueAnnounced(
          trx,
          { workspaceId: task.workspace_id, taskId: task.id, dueAt: task.due_at! },
          now,
        );
        if (!isNew) return;
        await events.publish(trx, {
          type: 'task.overdue',
          actor: systemActorFor(task.workspace_id, ''),
          leadId: task.lead_id,
          contactId: task.contact_id,
          data: {
            taskId: task.id,
            title: task.title,
            assigneeId: task.assignee_id,
            dueAt: task.due_at!.toISOString(),
          },
        });
      });
    }
  }

  async function scanRule(rule: AutomationRuleRow, calendar: BusinessCalendar, now: Date) {
    const trigger = rule.trigger as Trigger;
    const firings: { leadId: string; triggerKey: string; reason: string }[] = [];
    if (trigger.type === 'no_activity') {
      const spanMs = trigger.after.amount * UNIT_MS[trigger.after.unit];
      // Business time is never shorter than calendar time (but for an hour lost to DST).
      const quietSince = new Date(now.getTime() - Math.max(0, spanMs - 3_600_000));
      for (const lead of await repo.quietLeads(db, rule.workspace_id, quietSince, SCAN_BATCH)) {
        if (dueAfter(calendar, lead.lastActivityAt, trigger.after) > now) continue;
        firings.push({
          leadId: lead.id,
          triggerKey: `quiet:${lead.id}:${lead.lastActivityAt.toISOString()}`,
          reason: `No activity for ${describeOffset(trigger.after)} (last: ${lead.lastActivityAt.toISOString()})`,
        });
      }
    } else if (trigger.type === 'time_in_stage') {
      for (const lead of await repo.leadsPastStageLimit(db, rule.workspace_id, now, SCAN_BATCH)) {
        if (trigger.stageIds.length > 0 && !trigger.stageIds.includes(lead.stage_id)) continue;
        firings.push({
          leadId: lead.id,
          triggerKey: `stage:${lead.id}:${lead.stage_id}:${lead.stage_entered_at.toISOString()}`,
          reason: `In its stage for more than ${lead.max_days_in_stage} days (since ${lead.stage_entered_at.toISOString()})`,
        });
      }
    }
    for (const firing of firings) {
      // By a job each: a scan may fire a rule for thousands of leads.
      await db
        .transaction()
        .execute((trx) =>
          fire(
            trx,
            rule,
            { ...firing, eventType: `scan.${trigger.type}`, eventId: null, causedByRules: [] },
            { runNow: false },
          ),
        );
    }
  }

  async function scan() {
    const now = clock.now();
    await announceOverdueTasks(now);
    for (const workspace of await repo.workspacesWithRules(db, SCANNED_TRIGGERS)) {
      const calendar = businessCalendar(workspace.time_zone, workspace.business_hours);
      const rules = await repo.listRules(db, workspace.id, {
        activeTriggerTypes: SCANNED_TRIGGERS,
      });
      for (const rule of rules) await scanRule(rule, calendar, now);
    }
  }

  // Shipped defaults, installed with a preset.

  async function installDefaults(
    trx: Transaction<DB>,
    actor: Actor,
    presetKey: Parameters<typeof defaultRulesOf>[0],
  ) {
    const { pipeline: pipelineName, rules } = defaultRulesOf(presetKey);
    const installed = await repo.defaultKeys(trx, actor.workspaceId);
    const pipelines = await modules.pipelines.listPipelines(actor, false, trx);
    const pipeline = pipelines.items.find(
      (p) => p.name.toLowerCase() === pipelineName.toLowerCase(),
    );
    const stageIdsOf = (names: string[]) =>
      names.flatMap((name) => {
        const stage = pipeline?.stages.find((s) => s.name.toLowerCase() === name.toLowerCase());
        return stage ? [stage.id] : [];
      });
    const templateIds = await modules.templates.shippedTemplateIds(trx, actor.workspaceId);
    /** The rule's actions with ids for names; null when something they name isn't there. */
    const actionsOf = (named: DefaultRule['actions']): Action[] | null => {
      const actions: Action[] = [];
      for (const action of named) {
        if (action.type === 'send_message') {
          const { templateKey, ...rest } = action;
          const templateId = templateIds.get(`${presetKey}.${templateKey}`);
          if (!templateId) return null;
          actions.push({ ...rest, templateId });
        } else if (action.type === 'move_stage') {
          const [stageId] = stageIdsOf([action.stageName]);
          if (!stageId) return null;
          actions.push({ type: 'move_stage', stageId });
        } else {
          actions.push(action);
        }
      }
      return actions;
    };
    let order = await repo.nextPosition(trx, actor.workspaceId);
    const now = clock.now();
    for (const rule of rules) {
      if (installed.has(rule.key)) continue;
      const actions = actionsOf(rule.actions);
      if (!actions) continue;
      let trigger: Trigger;
      const named = rule.trigger;
      if (named.type === 'stage_changed') {
        const toStageIds = stageIdsOf(named.toStageNames);
        if (toStageIds.length === 0) continue;
        trigger = { type: 'stage_changed', fromStageIds: [], toStageIds };
      } else if (named.type === 'time_in_stage') {
        const stageIds = stageIdsOf(named.stageNames);
        if (stageIds.length === 0) continue;
        trigger = { type: 'time_in_stage', stageIds };
      } else {
        trigger = named;
      }
      const created = toRuleDto(
        await repo.insertRule(
          trx,
          actor.workspaceId,
          {
            name: rule.name,
            description: rule.description,
            trigger,
            conditions: rule.conditions,
            actions,
            order,
            active: true,
            defaultKey: rule.key,
          },
          actor.userId || null,
          now,
        ),
      );
      order += 10;
      await recordAudit(trx, clock, actor, {
        action: 'automation_rule.created',
        entityType: 'automation_rule',
        entityId: created.id,
        after: auditView(created),
      });
    }
  }

  // Wiring

  const eventTypes = Object.keys(EVENT_TRIGGERS) as EventType[];
  events.subscribe({
    name: 'automation',
    types: eventTypes,
    handler: handleEvent,
    // Only workspaces with an active rule for this event get a job.
    wants: (event, trx) =>
      event.leadId !== null &&
      repo.hasActiveRule(trx, event.workspaceId, EVENT_TRIGGERS[event.type] ?? []),
  });
  jobs.register<RunJob>(RUN_QUEUE, runRule, {
    retryLimit: MAX_RUN_ATTEMPTS - 1,
    retryDelaySeconds: RUN_RETRY_DELAY_SECONDS,
  });
  schedules.every('automation-scan', SCAN_PERIOD_MINUTES, () => scan());
  modules.presets.addApplyStep(installDefaults);

  return {
    async listRules(actor: Actor, query: { archived: boolean }) {
      requirePermission(actor, 'automation:manage');
      const rows = await repo.listRules(db, actor.workspaceId, { archived: query.archived });
      return { items: rows.map(toRuleDto), nextCursor: null };
    },

    async getRule(actor: Actor, ruleId: string) {
      requirePermission(actor, 'automation:manage');
      return toRuleDto(await getRuleRow(db, actor, ruleId));
    },

    async createRule(actor: Actor, input: CreateAutomationRuleInput) {
      requirePermission(actor, 'automation:manage');
      await checkActionReferences(actor, input.actions);
      return db.transaction().execute(async (trx) => {
        await checkReferences(trx, actor, input);
        const order = input.order ?? (await repo.nextPosition(trx, actor.workspaceId));
        const created = toRuleDto(
          await repo.insertRule(
            trx,
            actor.workspaceId,
            { ...input, order },
            actor.userId || null,
            clock.now(),
          ),
        );
        await recordAudit(trx, clock, actor, {
          action: 'automation_rule.created',
          entityType: 'automation_rule',
          entityId: created.id,
          after: auditView(created),
        });
        return created;
      });
    },

    async updateRule(
      actor: Actor,
      ruleId: string,
      input: UpdateAutomationRuleInput,
      ifMatch?: number,
    ) {
      requirePermission(actor, 'automation:manage');
      await checkActionReferences(actor, input.actions);
      return db.transaction().execute(async (trx) => {
        const locked = await repo.lockRule(trx, actor.workspaceId, ruleId);
        if (!locked) throw notFound('Automation rule');
        const before = toRuleDto(locked);
        assertVersion(before.version, ifMatch);
        if (before.archived) {
          throw new AppError('conflict', { message: 'This rule is archived; restore it first.' });
        }
        await checkReferences(trx, actor, input);
        const after = toRuleDto(
          await repo.updateRule(trx, actor.workspaceId, ruleId, input, clock.now()),
        );
        await recordAudit(trx, clock, actor, {
          action: 'automation_rule.updated',
          entityType: 'automation_rule',
          entityId: ruleId,
          before: auditView(before),
          after: auditView(after),
        });
        return after;
      });
    },

    /** Archives (DELETE) or restores a rule; its run log stays. */
    async setRuleArchived(actor: Actor, ruleId: string, archived: boolean, ifMatch?: number) {
      requirePermission(actor, 'automation:manage');
      return db.transaction().execute(async (trx) => {
        const locked = await repo.lockRule(trx, actor.workspaceId, ruleId);
        if (!locked) throw notFound('Automation rule');
        const before = toRuleDto(locked);
        assertVersion(before.version, ifMatch);
        if (before.archived === archived) return before;
        const after = toRuleDto(
          await repo.updateRule(trx, actor.workspaceId, ruleId, { archived }, clock.now()),
        );
        await recordAudit(trx, clock, actor, {
          action: archived ? 'automation_rule.archived' : 'automation_rule.restored',
          entityType: 'automation_rule',
          entityId: ruleId,
          before: auditView(before),
          after: auditView(after),
        });
        return after;
      });
    },

    async listRuns(actor: Actor, query: ListRunsQuery & { ruleId?: string }) {
      requirePermission(actor, 'automation:manage');
      if (query.ruleId) await getRuleRow(db, actor, query.ruleId);
      const before = query.cursor
        ? decodeCursor(query.cursor, z.tuple([z.coerce.date(), z.uuid()]))
        : undefined;
      const rows = await repo.listRuns(db, actor.workspaceId, {
        ruleId: query.ruleId,
        status: query.status,
        leadId: query.leadId,
        before,
        limit: query.limit,
      });
      return toPage(rows, query.limit, toRunDto, (row) => [row.created_at.toISOString(), row.id]);
    },

    /** Runs the scan now (the schedule does this every SCAN_PERIOD_MINUTES). */
    scan,
  };
}

export type AutomationService = ReturnType<typeof createAutomationService>;
