// Rule evaluation, pure: which triggers an event can fire, whether it fires a rule's trigger
// (and why, for the run log), and whether a lead meets a rule's conditions.
import type { DomainEvent, EventType } from '../../platform/events.js';
import type { Condition, Trigger, TriggerType } from './automation.schemas.js';

/** The triggers each event can fire; time-based triggers come from the scan instead. */
export const EVENT_TRIGGERS: Partial<Record<EventType, readonly TriggerType[]>> = {
  'lead.created': ['lead_created'],
  'lead.stage_changed': ['stage_changed'],
  'lead.updated': ['field_changed'],
  'lead.score_changed': ['score_crossed'],
  'form.submitted': ['form_submitted'],
  'task.overdue': ['task_overdue'],
  'activity.logged': ['contact_attempts'],
};

export const SCANNED_TRIGGERS = ['no_activity', 'time_in_stage'] as const satisfies TriggerType[];

/** The lead as conditions see it: the fields of the lead's API object they read. */
export interface LeadFacts {
  sourceId: string | null;
  pipelineId: string;
  stageId: string;
  assigneeId: string | null;
  tags: string[];
  customFields: Record<string, unknown>;
  [field: string]: unknown;
}

const num = (value: unknown) => (typeof value === 'number' ? value : Number.NaN);

/**
 * Why `event` fires `trigger` (a sentence for the run log), or null when it doesn't. Contact
 * attempts need the lead's history and are checked by the service.
 */
export function firingReason(trigger: Trigger, event: DomainEvent): string | null {
  const data = event.data;
  switch (trigger.type) {
    case 'lead_created':
      return event.type === 'lead.created' ? 'A lead was created' : null;
    case 'stage_changed': {
      if (event.type !== 'lead.stage_changed') return null;
      const from = typeof data.fromStageId === 'string' ? data.fromStageId : null;
      const to = typeof data.toStageId === 'string' ? data.toStageId : null;
      if (trigger.fromStageIds.length > 0 && (!from || !trigger.fromStageIds.includes(from))) {
        return null;
      }
      if (trigger.toStageIds.length > 0 && (!to || !trigger.toStageIds.includes(to))) return null;
      return 'The lead moved to another stage';
    }
    case 'field_changed': {
      if (event.type !== 'lead.updated') return null;
      const changes = Array.isArray(data.changes) ? (data.changes as string[]) : [];
      const hit = trigger.fields.filter((field) => changes.includes(field));
      return hit.length > 0 ? `Changed: ${hit.join(', ')}` : null;
    }
    case 'score_crossed': {
      if (event.type !== 'lead.score_changed') return null;
      const from = num(data.from);
      const to = num(data.to);
      if (Number.isNaN(from) || Number.isNaN(to)) return null;
      const crossed =
        trigger.direction === 'up'
          ? from < trigger.threshold && to >= trigger.threshold
          : from >= trigger.threshold && to < trigger.threshold;
      return crossed
        ? `The score went ${trigger.direction} from ${from} to ${to} (threshold ${trigger.threshold})`
        : null;
    }
    case 'form_submitted': {
      if (event.type !== 'form.submitted') return null;
      const formId = typeof data.formId === 'string' ? data.formId : null;
      if (trigger.formIds.length > 0 && (!formId || !trigger.formIds.includes(formId))) {
        return null;
      }
      return 'A form was submitted';
    }
    case 'task_overdue':
      return event.type === 'task.overdue'
        ? `The task "${typeof data.title === 'string' ? data.title : ''}" is overdue`
        : null;
    case 'contact_attempts':
      return event.type === 'activity.logged'
        ? `${trigger.attempts} attempts with no response`
        : null;
    case 'no_activity':
    case 'time_in_stage':
      return null;
  }
}

function fieldValue(lead: LeadFacts, field: string): unknown {
  return field.startsWith('custom.') ? lead.customFields[field.slice(7)] : lead[field];
}

/** A value as text for comparing ('' for nothing; lists joined; objects as JSON). */
function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(text).join(', ');
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? '';
}

const isEmpty = (value: unknown) =>
  value === null ||
  value === undefined ||
  value === '' ||
  (Array.isArray(value) && value.length === 0);

function conditionHolds(condition: Condition, lead: LeadFacts): boolean {
  switch (condition.type) {
    case 'source':
    case 'pipeline':
    case 'stage': {
      const value =
        condition.type === 'source'
          ? lead.sourceId
          : condition.type === 'pipeline'
            ? lead.pipelineId
            : lead.stageId;
      const isIn = value !== null && condition.values.includes(value);
      return condition.op === 'in' ? isIn : !isIn;
    }
    case 'assignee':
      switch (condition.op) {
        case 'is_set':
          return lead.assigneeId !== null;
        case 'is_empty':
          return lead.assigneeId === null;
        case 'in':
          return lead.assigneeId !== null && condition.values.includes(lead.assigneeId);
        case 'not_in':
          return lead.assigneeId === null || !condition.values.includes(lead.assigneeId);
      }
      break;
    case 'tags': {
      const folded = new Set(lead.tags.map((tag) => tag.toLocaleLowerCase('en')));
      const any = condition.values.some((tag) => folded.has(tag.toLocaleLowerCase('en')));
      return condition.op === 'has_any' ? any : !any;
    }
    case 'field': {
      const actual = fieldValue(lead, condition.field);
      const wanted = condition.value;
      switch (condition.op) {
        case 'is_set':
          return !isEmpty(actual);
        case 'is_empty':
          return isEmpty(actual);
        case 'eq':
          return text(actual) === text(wanted);
        case 'neq':
          return text(actual) !== text(wanted);
        case 'gt':
          return num(actual) > num(wanted);
        case 'lt':
          return num(actual) < num(wanted);
        case 'contains':
          return text(actual)
            .toLocaleLowerCase('en')
            .includes(text(wanted).toLocaleLowerCase('en'));
      }
    }
  }
  return false;
}

/** The first condition the lead fails (index), or -1 when all hold (an empty list holds). */
export function failedCondition(conditions: readonly Condition[], lead: LeadFacts): number {
  return conditions.findIndex((condition) => !conditionHolds(condition, lead));
}

/** Fills {{lead.title}}-style placeholders of a notification or task from the lead. */
export function fillPlaceholders(text: string, lead: LeadFacts): string {
  return text.replace(/\{\{\s*lead\.([a-zA-Z]+)\s*\}\}/g, (_, key: string) => {
    const value = lead[key];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  });
}
