// The timeline of leads and contacts. People log touches (calls, emails, messages, meetings,
// notes, documents); the server writes stage changes, assignments, completed tasks and other
// events itself through the timeline recorder. A touch on a lead updates its last-contact
// fields, attempt count and contact status in the same transaction.
import { z } from 'zod';
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { recordAudit, type Executor } from '../../platform/audit.js';
import type { ActivityRow, ActivityType, LeadRow } from '../../platform/db/schema.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors.js';
import { decodeCursor, pagesReadAhead, toPage } from '../../platform/http/pagination.js';
import type { ContactsService } from '../contacts/contacts.service.js';
import type { LeadsService } from '../leads/leads.service.js';
import type { TasksService } from '../tasks/tasks.service.js';
import * as repo from './activities.repository.js';
import type {
  ActivityDto,
  ExportActivitiesQuery,
  ListActivitiesQuery,
  LogActivityInput,
} from './activities.schemas.js';
import {
  defaultDirection,
  isAttempt,
  isTouch,
  isUnanswered,
  NO_RESPONSE_AFTER,
  nextContactStatus,
} from './activities.touch.js';

const NOTES_PREVIEW = 500;

export function toActivityDto(row: ActivityRow): ActivityDto {
  return {
    id: row.id,
    leadId: row.lead_id,
    contactId: row.contact_id,
    type: row.type,
    direction: row.direction,
    outcome: row.outcome,
    subject: row.subject,
    body: row.body,
    occurredAt: row.occurred_at.toISOString(),
    durationMinutes: row.duration_minutes,
    nextStep: row.next_step,
    details: row.details,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
  };
}

export interface TimelineEvent {
  leadId?: string | null;
  contactId?: string | null;
  type: Extract<ActivityType, 'stage_change' | 'assignment_change' | 'task_completed' | 'system'>;
  subject: string;
  details?: Record<string, unknown>;
}

/** Writes what the server itself did onto a lead's or contact's timeline, in the caller's transaction. */
export function createTimeline({ clock }: Pick<ServiceDeps, 'clock'>) {
  return {
    async recordEvent(trx: Executor, actor: Actor, event: TimelineEvent) {
      const now = clock.now();
      await repo.insertActivity(trx, {
        workspace_id: actor.workspaceId,
        lead_id: event.leadId ?? null,
        contact_id: event.contactId ?? null,
        type: event.type,
        direction: null,
        subject: event.subject,
        occurred_at: now,
        duration_minutes: null,
        details: JSON.stringify(event.details ?? {}),
        created_by: actor.userId || null,
        created_at: now,
      });
    },

    /** Moves a lead's or contact's timeline to another one, inside a merge's transaction. */
    async moveEntries(
      trx: Executor,
      actor: Actor,
      move:
        { fromLeadId: string; toLeadId: string } | { fromContactId: string; toContactId: string },
    ) {
      await repo.moveActivities(trx, actor.workspaceId, move);
    },
  };
}

export type Timeline = ReturnType<typeof createTimeline>;

export function createActivitiesService(
  { db, clock, events }: ServiceDeps,
  deps: { leads: LeadsService; contacts: ContactsService; tasks: TasksService },
) {
  function pageOf(rows: ActivityRow[], limit: number) {
    return toPage(rows, limit, toActivityDto, (row) => [row.occurred_at.toISOString(), row.id]);
  }

  function cursorOf(query: ListActivitiesQuery) {
    return query.cursor
      ? decodeCursor(query.cursor, z.tuple([z.coerce.date(), z.uuid()]))
      : undefined;
  }

  /** Tells the modules that react to contact (automation, scoring, sequences) after commit. */
  function publishLogged(trx: Executor, actor: Actor, row: ActivityRow) {
    return events.publish(trx, {
      type: 'activity.logged',
      actor,
      leadId: row.lead_id,
      contactId: row.contact_id,
      data: {
        activityId: row.id,
        type: row.type,
        direction: row.direction,
        outcome: row.outcome,
        occurredAt: row.occurred_at.toISOString(),
      },
    });
  }

  async function insertLogged(
    trx: Executor,
    actor: Actor,
    on: { leadId: string | null; contactId: string | null },
    input: LogActivityInput,
  ) {
    const now = clock.now();
    const row = await repo.insertActivity(trx, {
      workspace_id: actor.workspaceId,
      lead_id: on.leadId,
      contact_id: on.contactId,
      type: input.type,
      direction: input.direction ?? defaultDirection(input.type),
      outcome: input.outcome,
      subject: input.subject,
      body: input.body,
      occurred_at: input.occurredAt ? new Date(input.occurredAt) : now,
      duration_minutes: input.durationMinutes ?? null,
      next_step: input.nextStep,
      details: JSON.stringify({}),
      created_by: actor.userId || null,
      created_at: now,
    });
    await recordAudit(trx, clock, actor, {
      action: 'activity.logged',
      entityType: 'activity',
      entityId: row.id,
      after: { leadId: on.leadId, contactId: on.contactId, type: row.type, outcome: row.outcome },
    });
    await publishLogged(trx, actor, row);
    if (input.followUp) {
      await deps.tasks.createTaskIn(trx, actor, {
        leadId: on.leadId ?? undefined,
        contactId: on.leadId ? undefined : (on.contactId ?? undefined),
        title: input.followUp.title ?? (input.nextStep || 'Follow up'),
        type: input.followUp.type,
        dueAt: input.followUp.dueAt,
      });
    }
    return row;
  }

  /** The touches just before a new one, to tell "no response" after several in a row. */
  function recentTouchesOf(trx: Executor, actor: Actor, leadId: string) {
    return repo.listRecentTouches(trx, actor.workspaceId, leadId, NO_RESPONSE_AFTER);
  }

  /** A touch on a lead updates its last contact, attempt count and contact status. */
  async function applyTouch(
    trx: Executor,
    actor: Actor,
    lead: LeadRow,
    row: ActivityRow,
    recent: Awaited<ReturnType<typeof recentTouchesOf>>,
  ) {
    if (!isTouch(row.type)) return;
    const touch = { type: row.type, direction: row.direction, outcome: row.outcome };
    let unansweredInARow = isUnanswered(touch) ? 1 : 0;
    for (const earlier of recent) {
      if (unansweredInARow === 0 || !isUnanswered(earlier)) break;
      unansweredInARow += 1;
    }
    const isLatest = !lead.last_contact_at || row.occurred_at >= lead.last_contact_at;
    await deps.leads.recordContactTouch(trx, actor, lead, {
      ...(isLatest
        ? {
            lastContactAt: row.occurred_at,
            lastContactMethod: row.type,
            lastContactNotes: (row.body || row.subject || row.next_step).slice(0, NOTES_PREVIEW),
          }
        : {}),
      isAttempt: isAttempt(touch),
      contactStatus: nextContactStatus(lead.contact_status, touch, unansweredInARow),
    });
  }

  return {
    async listLeadActivities(actor: Actor, leadId: string, query: ListActivitiesQuery) {
      requirePermission(actor, 'lead:read');
      const lead = await deps.leads.findLeadForWork(db, actor, leadId);
      const rows = await repo.listActivities(db, actor.workspaceId, {
        on: { leadId: lead.id },
        type: query.type,
        before: cursorOf(query),
        limit: query.limit,
      });
      return pageOf(rows, query.limit);
    },

    async listContactActivities(actor: Actor, contactId: string, query: ListActivitiesQuery) {
      requirePermission(actor, 'lead:read');
      const contact = await deps.contacts.getContact(actor, contactId);
      const rows = await repo.listActivities(db, actor.workspaceId, {
        on: { contactId: contact.id },
        type: query.type,
        before: cursorOf(query),
        limit: query.limit,
      });
      return pageOf(rows, query.limit);
    },

    /** Logs a touch or note on a lead (and its contact) and updates the lead's contact fields. */
    async logLeadActivity(actor: Actor, leadId: string, input: LogActivityInput) {
      requirePermission(actor, 'lead:update');
      return db.transaction().execute(async (trx) => {
        const lead = await deps.leads.findLeadForWork(trx, actor, leadId, { lock: true });
        if (lead.archived_at) {
          throw new AppError('conflict', { message: 'This lead is archived; restore it first.' });
        }
        const recent = await recentTouchesOf(trx, actor, lead.id);
        const row = await insertLogged(
          trx,
          actor,
          { leadId: lead.id, contactId: lead.contact_id },
          input,
        );
        await applyTouch(trx, actor, lead, row, recent);
        return toActivityDto(row);
      });
    },

    /**
     * A message the outbox sent (email or SMS) as an outbound touch on the lead and/or contact,
     * inside the sender's transaction; it counts as a contact attempt like a logged one.
     */
    async logOutboundMessageIn(
      trx: Executor,
      actor: Actor,
      entry: {
        leadId: string | null;
        contactId: string | null;
        type: 'email' | 'sms';
        subject: string;
        body: string;
        occurredAt: Date;
        details: Record<string, unknown>;
      },
    ) {
      const lead = entry.leadId
        ? await deps.leads.findLeadForWork(trx, actor, entry.leadId, { lock: true })
        : undefined;
      const recent = lead ? await recentTouchesOf(trx, actor, lead.id) : [];
      const row = await repo.insertActivity(trx, {
        workspace_id: actor.workspaceId,
        lead_id: entry.leadId,
        contact_id: entry.contactId,
        type: entry.type,
        direction: 'outbound',
        outcome: 'none',
        subject: entry.subject,
        body: entry.body,
        occurred_at: entry.occurredAt,
        duration_minutes: null,
        details: JSON.stringify(entry.details),
        created_by: actor.userId || null,
        created_at: clock.now(),
      });
      await recordAudit(trx, clock, actor, {
        action: 'activity.logged',
        entityType: 'activity',
        entityId: row.id,
        after: {
          leadId: entry.leadId,
          contactId: entry.contactId,
          type: row.type,
          direction: 'outbound',
        },
      });
      await publishLogged(trx, actor, row);
      if (lead && !lead.archived_at) await applyTouch(trx, actor, lead, row, recent);
      return toActivityDto(row);
    },

    /**
     * An inbound inquiry (web form, webhook) as a note on a lead and/or contact, inside the
     * caller's transaction. A note, not a touch: nobody has contacted the person yet.
     */
    async logInquiryIn(
      trx: Executor,
      actor: Actor,
      entry: {
        leadId: string | null;
        contactId: string | null;
        subject: string;
        body: string;
        details: Record<string, unknown>;
      },
    ) {
      const now = clock.now();
      const row = await repo.insertActivity(trx, {
        workspace_id: actor.workspaceId,
        lead_id: entry.leadId,
        contact_id: entry.contactId,
        type: 'note',
        direction: 'inbound',
        subject: entry.subject,
        body: entry.body,
        occurred_at: now,
        duration_minutes: null,
        details: JSON.stringify(entry.details),
        created_by: actor.userId || null,
        created_at: now,
      });
      await recordAudit(trx, clock, actor, {
        action: 'activity.logged',
        entityType: 'activity',
        entityId: row.id,
        after: {
          leadId: entry.leadId,
          contactId: entry.contactId,
          type: row.type,
          direction: 'inbound',
        },
      });
      await publishLogged(trx, actor, row);
      return toActivityDto(row);
    },

    /**
     * The workspace's timeline for a CSV export, a page at a time, newest first. A lead or
     * contact filter must name one the actor may see: checked here, before anything streams.
     */
    async iterateActivities(actor: Actor, query: ExportActivitiesQuery, pageSize = 200) {
      requirePermission(actor, 'lead:read');
      if (query.leadId) await deps.leads.findLeadForWork(db, actor, query.leadId);
      if (query.contactId) await deps.contacts.getContact(actor, query.contactId);
      const filter = {
        ...query,
        from: query.from ? new Date(query.from) : undefined,
        to: query.to ? new Date(query.to) : undefined,
        ownLeadsOf: actor.leadScope === 'own' ? actor.userId : undefined,
        limit: pageSize,
      };
      return pagesReadAhead(async (before: [Date, string] | undefined) => {
        const rows = await repo.listActivitiesForExport(db, actor.workspaceId, {
          ...filter,
          before,
        });
        const last = rows.at(-1);
        return {
          items: rows.map(toActivityDto),
          next:
            rows.length === pageSize && last
              ? ([last.occurred_at, last.id] as [Date, string])
              : undefined,
        };
      });
    },

    /** Logs a touch or note on a contact alone (not about one lead). */
    async logContactActivity(actor: Actor, contactId: string, input: LogActivityInput) {
      requirePermission(actor, 'lead:update');
      return db.transaction().execute(async (trx) => {
        const contact = await deps.contacts.getContact(actor, contactId, trx);
        if (contact.archived) {
          throw new AppError('conflict', {
            message: 'This contact is archived; restore it first.',
          });
        }
        const row = await insertLogged(trx, actor, { leadId: null, contactId: contact.id }, input);
        return toActivityDto(row);
      });
    },
  };
}

export type ActivitiesService = ReturnType<typeof createActivitiesService>;
