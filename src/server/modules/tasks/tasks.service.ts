// Tasks and follow-ups on leads and contacts. A lead's nextFollowUpAt/nextFollowUpType follow
// its earliest open dated task, updated in the same transaction as every task change.
// Completing a task writes it on the timeline.
import { z } from 'zod';
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { recordAudit, type Executor } from '../../platform/audit.js';
import type { TaskRow } from '../../platform/db/schema.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { AppError, fieldError, notFound } from '../../platform/errors.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { assertVersion } from '../../platform/http/versioning.js';
import type { Timeline } from '../activities/activities.service.js';
import type { ContactsService } from '../contacts/contacts.service.js';
import type { LeadsService } from '../leads/leads.service.js';
import type { UsersService } from '../users/users.service.js';
import type { WorkspacesService } from '../workspaces/workspaces.service.js';
import * as repo from './tasks.repository.js';
import type { CreateTaskInput, ListTasksQuery, TaskDto, UpdateTaskInput } from './tasks.schemas.js';

const OPEN_STATUSES = new Set(['pending', 'in_progress']);

export function toTaskDto(row: TaskRow, now: Date): TaskDto {
  const isOpen = OPEN_STATUSES.has(row.status);
  return {
    id: row.id,
    leadId: row.lead_id,
    contactId: row.contact_id,
    title: row.title,
    description: row.description,
    type: row.type,
    priority: row.priority,
    assigneeId: row.assignee_id,
    dueAt: row.due_at?.toISOString() ?? null,
    reminderAt: row.reminder_at?.toISOString() ?? null,
    status: row.status,
    isOverdue: isOpen && row.due_at !== null && row.due_at < now,
    completedAt: row.completed_at?.toISOString() ?? null,
    completedBy: row.completed_by,
    version: row.version,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

interface TaskChange {
  action: string;
  patch: Parameters<typeof repo.updateTaskRow>[3];
}

function auditView(dto: TaskDto) {
  const { id, version, createdAt, updatedAt, isOverdue, ...fields } = dto;
  return fields;
}

export function createTasksService(
  { db, clock }: ServiceDeps,
  deps: {
    leads: LeadsService;
    contacts: ContactsService;
    users: UsersService;
    workspaces: WorkspacesService;
    timeline: Timeline;
  },
) {
  /** A task the actor may see: agents limited to their own leads see tasks of those leads or their own. */
  async function getRow(executor: Executor, actor: Actor, taskId: string, lock = false) {
    const row = await repo.findTask(executor, actor.workspaceId, taskId, lock);
    if (!row) throw notFound('Task');
    if (actor.leadScope === 'own' && row.lead_id && row.assignee_id !== actor.userId) {
      await deps.leads.findLeadForWork(executor, actor, row.lead_id).catch(() => {
        throw notFound('Task');
      });
    }
    return row;
  }

  /** Keeps the lead's next follow-up equal to its earliest open dated task. */
  async function syncNextFollowUp(trx: Executor, actor: Actor, leadId: string | null) {
    if (!leadId) return;
    const next = await repo.findEarliestOpenTask(trx, actor.workspaceId, leadId);
    await deps.leads.setNextFollowUp(
      trx,
      actor,
      leadId,
      next?.due_at ? { at: next.due_at, type: next.type } : null,
    );
  }

  async function insertTasks(trx: Executor, actor: Actor, inputs: CreateTaskInput[]) {
    const now = clock.now();
    const values = [];
    for (const input of inputs) {
      if (input.leadId && input.contactId) {
        throw fieldError('contactId', 'A task belongs to a lead or to a contact; send one.');
      }
      let assigneeId = input.assigneeId ?? null;
      let contactId = input.contactId ?? null;
      if (input.leadId) {
        const lead = await deps.leads
          .findLeadForWork(trx, actor, input.leadId, { lock: true })
          .catch(() => {
            throw fieldError('leadId', 'No such lead in this workspace.');
          });
        if (lead.archived_at) {
          throw new AppError('conflict', { message: 'This lead is archived; restore it first.' });
        }
        assigneeId ??= lead.assignee_id;
        contactId = lead.contact_id;
      } else if (contactId) {
        await deps.contacts.getContact(actor, contactId, trx).catch(() => {
          throw fieldError('contactId', 'No such contact in this workspace.');
        });
      }
      if (input.assigneeId) {
        await deps.users.assertActiveMember(actor, input.assigneeId, 'assigneeId', trx);
      }
      values.push({
        workspace_id: actor.workspaceId,
        lead_id: input.leadId ?? null,
        contact_id: contactId,
        title: input.title,
        description: input.description ?? '',
        type: input.type ?? 'follow_up',
        priority: input.priority ?? 'normal',
        assignee_id: assigneeId ?? (actor.userId || null),
        due_at: input.dueAt ? new Date(input.dueAt) : null,
        reminder_at: input.reminderAt ? new Date(input.reminderAt) : null,
        created_by: actor.userId || null,
        created_at: now,
        updated_at: now,
      });
    }
    if (values.length === 0) return [];
    const rows = await repo.insertTasks(trx, values);
    for (const row of rows) {
      await recordAudit(trx, clock, actor, {
        action: 'task.created',
        entityType: 'task',
        entityId: row.id,
        after: auditView(toTaskDto(row, now)),
      });
    }
    for (const leadId of new Set(rows.map((row) => row.lead_id))) {
      await syncNextFollowUp(trx, actor, leadId);
    }
    return rows.map((row) => toTaskDto(row, now));
  }

  async function changeTask(
    actor: Actor,
    taskId: string,
    ifMatch: number | undefined,
    work: (trx: Executor, before: TaskRow) => Promise<TaskChange> | TaskChange,
  ) {
    return db.transaction().execute(async (trx) => {
      const before = await getRow(trx, actor, taskId, true);
      assertVersion(before.version, ifMatch);
      const { action, patch } = await work(trx, before);
      const now = clock.now();
      const after = await repo.updateTaskRow(trx, actor.workspaceId, taskId, patch, now);
      const dto = toTaskDto(after, now);
      await recordAudit(trx, clock, actor, {
        action,
        entityType: 'task',
        entityId: taskId,
        before: auditView(toTaskDto(before, now)),
        after: auditView(dto),
      });
      await syncNextFollowUp(trx, actor, after.lead_id);
      return dto;
    });
  }

  function assertOpen(row: TaskRow) {
    if (!OPEN_STATUSES.has(row.status)) {
      throw new AppError('conflict', { message: `This task is ${row.status}.` });
    }
  }

  return {
    /** Creates tasks inside the caller's transaction (a logged follow-up, onboarding tasks). */
    createTaskIn(trx: Executor, actor: Actor, input: CreateTaskInput) {
      return insertTasks(trx, actor, [input]).then((tasks) => tasks[0]);
    },

    createTasksIn(trx: Executor, actor: Actor, inputs: CreateTaskInput[]) {
      return insertTasks(trx, actor, inputs);
    },

    /** Moves tasks to the survivor of a merge and refreshes its next follow-up. */
    async moveTasksIn(
      trx: Executor,
      actor: Actor,
      move:
        { fromLeadId: string; toLeadId: string } | { fromContactId: string; toContactId: string },
    ) {
      await repo.moveTasks(trx, actor.workspaceId, move, clock.now());
      if ('toLeadId' in move) await syncNextFollowUp(trx, actor, move.toLeadId);
    },

    async createTask(actor: Actor, input: CreateTaskInput) {
      requirePermission(actor, 'lead:update');
      const [task] = await db.transaction().execute((trx) => insertTasks(trx, actor, [input]));
      if (!task) throw new AppError('internal', { message: 'The task was not created.' });
      return task;
    },

    /** A task on the lead in the path: an unknown lead is "not found", not a field error. */
    async createLeadTask(actor: Actor, leadId: string, input: Omit<CreateTaskInput, 'leadId'>) {
      requirePermission(actor, 'lead:update');
      await deps.leads.findLeadForWork(db, actor, leadId);
      return this.createTask(actor, { ...input, leadId });
    },

    async getTask(actor: Actor, taskId: string) {
      requirePermission(actor, 'lead:read');
      return toTaskDto(await getRow(db, actor, taskId), clock.now());
    },

    async listTasks(actor: Actor, query: ListTasksQuery) {
      requirePermission(actor, 'lead:read');
      if (query.leadId) await deps.leads.findLeadForWork(db, actor, query.leadId);
      const workspace = await deps.workspaces.findWorkspace(actor.workspaceId);
      const after = query.cursor
        ? decodeCursor(query.cursor, z.tuple([z.coerce.date().nullable(), z.uuid()]))
        : undefined;
      const now = clock.now();
      const rows = await repo.listTasks(db, actor.workspaceId, {
        assignee:
          query.assigneeId === 'me'
            ? { id: actor.userId }
            : query.assigneeId === 'none'
              ? 'none'
              : query.assigneeId
                ? { id: query.assigneeId }
                : undefined,
        visibleTo: actor.leadScope === 'own' ? actor.userId : undefined,
        due: query.due,
        status: query.status,
        leadId: query.leadId,
        contactId: query.contactId,
        now,
        timeZone: workspace?.timeZone ?? 'UTC',
        after,
        limit: query.limit,
      });
      return toPage(
        rows,
        query.limit,
        (row) => toTaskDto(row, now),
        (row) => [row.due_at?.toISOString() ?? null, row.id],
      );
    },

    async updateTask(actor: Actor, taskId: string, input: UpdateTaskInput, ifMatch?: number) {
      requirePermission(actor, 'lead:update');
      if (input.assigneeId)
        await deps.users.assertActiveMember(actor, input.assigneeId, 'assigneeId');
      return changeTask(actor, taskId, ifMatch, (_trx, before) => {
        // A completed task stays completed (its completion is history); a cancelled one can
        // only be reopened.
        const isReopening = before.status === 'cancelled' && input.status !== undefined;
        if (before.status === 'completed' || (!OPEN_STATUSES.has(before.status) && !isReopening)) {
          throw new AppError('conflict', { message: `This task is ${before.status}.` });
        }
        const isSnooze =
          input.dueAt !== undefined &&
          input.dueAt !== null &&
          before.due_at !== null &&
          new Date(input.dueAt) > before.due_at;
        return {
          action:
            input.status === 'cancelled'
              ? 'task.cancelled'
              : isReopening
                ? 'task.reopened'
                : isSnooze
                  ? 'task.snoozed'
                  : 'task.updated',
          patch: {
            ...(input.title !== undefined ? { title: input.title } : {}),
            ...(input.description !== undefined ? { description: input.description } : {}),
            ...(input.type !== undefined ? { type: input.type } : {}),
            ...(input.priority !== undefined ? { priority: input.priority } : {}),
            ...(input.assigneeId !== undefined ? { assignee_id: input.assigneeId } : {}),
            ...(input.dueAt !== undefined
              ? { due_at: input.dueAt === null ? null : new Date(input.dueAt) }
              : {}),
            ...(input.reminderAt !== undefined
              ? { reminder_at: input.reminderAt === null ? null : new Date(input.reminderAt) }
              : {}),
            ...(input.status !== undefined
              ? { status: input.status, completed_at: null, completed_by: null }
              : {}),
          },
        };
      });
    },

    async completeTask(actor: Actor, taskId: string, notes: string, ifMatch?: number) {
      requirePermission(actor, 'lead:update');
      return changeTask(actor, taskId, ifMatch, async (trx, before) => {
        assertOpen(before);
        await deps.timeline.recordEvent(trx, actor, {
          leadId: before.lead_id,
          contactId: before.contact_id,
          type: 'task_completed',
          subject: `Completed: ${before.title}`,
          details: { taskId: before.id, taskType: before.type, notes },
        });
        return {
          action: 'task.completed',
          patch: {
            status: 'completed',
            completed_at: clock.now(),
            completed_by: actor.userId || null,
          },
        };
      });
    },
  };
}

export type TasksService = ReturnType<typeof createTasksService>;
