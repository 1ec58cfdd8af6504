// Domain events (docs/decisions/024): what happened to a lead, a contact or a task, published by
// the module that made the change inside its transaction and handled after commit by the modules
// that react to it (automation rules, scoring, outbound webhooks, analytics). Each subscriber
// has its own durable job queue, so one failing subscriber is retried alone and never makes
// another run twice; an event whose change rolled back reaches no one.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Actor } from './auth/actor.js';
import type { Clock } from './clock.js';
import type { DB } from './db/schema.js';
import type { Jobs, QueueOptions } from './jobs.js';

export const EVENT_TYPES = [
  'lead.created',
  /** Fields changed (data.changes lists the DTO keys); stage, assignee and status have their own. */
  'lead.updated',
  'lead.stage_changed',
  'lead.assigned',
  'lead.won',
  'lead.lost',
  'lead.converted',
  'lead.archived',
  'lead.restored',
  /** A recomputed score (data.from, data.to); "score crossed N" triggers read it. */
  'lead.score_changed',
  'contact.created',
  /** A contact opted out (data.channel, data.via: unsubscribe link, contact edit, suppression). */
  'contact.unsubscribed',
  /** An activity was logged on a lead or contact (data.type, data.direction, data.outcome). */
  'activity.logged',
  /** A web form or webhook submission was accepted (data.formId, data.submissionId). */
  'form.submitted',
  /** A task's due time passed while it was open (published by the scheduled overdue scan). */
  'task.overdue',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface DomainEvent {
  id: string;
  type: EventType;
  workspaceId: string;
  occurredAt: string;
  /** Who made the change; `causedByRules` lists the automation rules whose actions led to it. */
  actor: { userId: string | null; via: Actor['via']; causedByRules: readonly string[] };
  leadId: string | null;
  contactId: string | null;
  /** The event's details: for lead events `lead` is the lead as the API shows it (masked). */
  data: Record<string, unknown>;
}

export interface NewEvent {
  type: EventType;
  actor: Actor;
  leadId?: string | null;
  contactId?: string | null;
  data?: Record<string, unknown>;
}

export interface Subscription {
  /** kebab-case; the queue is `event-<name>`. */
  name: string;
  types: readonly EventType[];
  handler: (event: DomainEvent) => Promise<void>;
  /**
   * Asked at publish time, inside the publisher's transaction: false skips the job (e.g. the
   * workspace has no webhook for this event). Keep it cheap; it runs on every change.
   */
  wants?: (event: DomainEvent, trx: Kysely<DB>) => boolean | Promise<boolean>;
  queue?: QueueOptions;
}

export interface Events {
  /** At service construction. */
  subscribe(subscription: Subscription): void;
  /** Inside the transaction of the change: one job per interested subscriber. */
  publish(trx: Kysely<DB>, event: NewEvent): Promise<void>;
}

export function createEvents(jobs: Jobs, clock: Clock): Events {
  const subscriptions: Subscription[] = [];
  return {
    subscribe(subscription) {
      subscriptions.push(subscription);
      jobs.register<DomainEvent>(
        `event-${subscription.name}`,
        (event) => subscription.handler(event),
        subscription.queue,
      );
    },

    async publish(trx, input) {
      const event: DomainEvent = {
        id: randomUUID(),
        type: input.type,
        workspaceId: input.actor.workspaceId,
        occurredAt: clock.now().toISOString(),
        actor: {
          userId: input.actor.userId || null,
          via: input.actor.via,
          causedByRules: input.actor.causedByRules ?? [],
        },
        leadId: input.leadId ?? null,
        contactId: input.contactId ?? null,
        data: input.data ?? {},
      };
      for (const subscription of subscriptions) {
        if (!subscription.types.includes(event.type)) continue;
        if (subscription.wants && !(await subscription.wants(event, trx))) continue;
        await jobs.send(trx, `event-${subscription.name}`, event);
      }
    },
  };
}
