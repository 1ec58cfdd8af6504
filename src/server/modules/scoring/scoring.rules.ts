// Rule scoring, pure: points for each field condition a lead meets and for each engagement event
// on its timeline, faded by the rule's half-life, summed and held between 0 and 100.
import type {
  ActivityDirection,
  ActivityOutcome,
  ActivityType,
  CustomFieldType,
} from '../../platform/db/schema.js';
import type {
  EngagementEvent,
  EngagementRule,
  FieldCondition,
  FieldRule,
  ScoreFactor,
} from './scoring.schemas.js';

const DAY_MS = 24 * 60 * 60_000;

/** What the field rules look at on a lead. */
export interface RuleLead {
  sourceId: string | null;
  priority: string;
  pipelineId: string;
  stageId: string;
  tags: readonly string[];
  assigneeId: string | null;
  value: number;
  /** Stored custom values (sensitive ones encrypted; rules never name those). */
  customFields: Record<string, unknown>;
}

export interface ActivityFacts {
  type: ActivityType;
  direction: ActivityDirection | null;
  outcome: ActivityOutcome;
  isFormSubmission: boolean;
  occurredAt: Date;
}

/** The engagement events an activity counts as. */
export function engagementEventsOf(activity: ActivityFacts): EngagementEvent[] {
  const events: EngagementEvent[] = [];
  if (activity.type === 'call' && activity.outcome === 'spoke') events.push('call_answered');
  if (
    activity.type === 'meeting' &&
    activity.outcome !== 'no_show' &&
    activity.outcome !== 'rescheduled'
  ) {
    events.push('meeting_held');
  }
  if (activity.type === 'email') {
    events.push(activity.direction === 'inbound' ? 'email_inbound' : 'email_outbound');
  }
  if (activity.type === 'sms' && activity.direction === 'inbound') events.push('sms_inbound');
  if (activity.isFormSubmission) events.push('form_submission');
  if (activity.type === 'document_sent') events.push('document_sent');
  if (activity.outcome === 'accepted_proposal') events.push('proposal_accepted');
  return events;
}

function compare(stored: unknown, wanted: unknown): number | null {
  if (typeof stored === 'number' && typeof wanted === 'number') return stored - wanted;
  // Dates are YYYY-MM-DD: their text order is their time order.
  if (typeof stored === 'string' && typeof wanted === 'string') {
    return stored < wanted ? -1 : stored > wanted ? 1 : 0;
  }
  return null;
}

function isEqual(stored: unknown, wanted: unknown, type: CustomFieldType | undefined): boolean {
  if (type === 'multiselect') return Array.isArray(stored) && stored.includes(wanted);
  if (typeof stored === 'string' && typeof wanted === 'string') {
    return stored.toLocaleLowerCase('en') === wanted.toLocaleLowerCase('en');
  }
  return stored === wanted;
}

export function conditionHolds(
  condition: FieldCondition,
  lead: RuleLead,
  customTypes: ReadonlyMap<string, CustomFieldType>,
): boolean {
  switch (condition.field) {
    case 'source':
      return lead.sourceId !== null && condition.sourceIds.includes(lead.sourceId);
    case 'priority':
      return (condition.priorities as readonly string[]).includes(lead.priority);
    case 'pipeline':
      return condition.pipelineIds.includes(lead.pipelineId);
    case 'stage':
      return condition.stageIds.includes(lead.stageId);
    case 'tag': {
      const wanted = condition.tag.toLocaleLowerCase('en');
      return lead.tags.some((tag) => tag.toLocaleLowerCase('en') === wanted);
    }
    case 'assignee':
      return (lead.assigneeId !== null) === condition.isSet;
    case 'value':
      return (
        (condition.min === null || lead.value >= condition.min) &&
        (condition.max === null || lead.value <= condition.max)
      );
    case 'custom': {
      const stored = lead.customFields[condition.key];
      const isSet =
        stored !== undefined && stored !== null && !(Array.isArray(stored) && stored.length === 0);
      const type = customTypes.get(condition.key);
      switch (condition.operator) {
        case 'is_set':
          return isSet;
        case 'equals':
          return isSet && isEqual(stored, condition.value, type);
        case 'not_equals':
          return !isSet || !isEqual(stored, condition.value, type);
        case 'gte': {
          const order = isSet ? compare(stored, condition.value) : null;
          return order !== null && order >= 0;
        }
        case 'lte': {
          const order = isSet ? compare(stored, condition.value) : null;
          return order !== null && order <= 0;
        }
      }
    }
  }
}

/** Points of one event `ageMs` old under a half-life (none: it never fades). */
export function decayedPoints(points: number, ageMs: number, halfLifeDays: number | null): number {
  if (halfLifeDays === null) return points;
  return points * 0.5 ** (Math.max(0, ageMs) / (halfLifeDays * DAY_MS));
}

const roundTenth = (value: number) => Math.round(value * 10) / 10;

/** The lead's rule score (0–100) and the factors that made it, largest first. */
export function scoreByRules(
  rules: { fieldRules: readonly FieldRule[]; engagementRules: readonly EngagementRule[] },
  lead: RuleLead,
  activities: readonly ActivityFacts[],
  customTypes: ReadonlyMap<string, CustomFieldType>,
  now: Date,
): { score: number; factors: ScoreFactor[] } {
  const factors: ScoreFactor[] = [];
  for (const rule of rules.fieldRules) {
    if (conditionHolds(rule.condition, lead, customTypes)) {
      factors.push({ label: rule.label, points: rule.points });
    }
  }
  const events = activities.flatMap((activity) =>
    engagementEventsOf(activity).map((event) => ({ event, at: activity.occurredAt })),
  );
  for (const rule of rules.engagementRules) {
    // Events in the future (logged ahead) count from when they happen.
    const matching = events.filter((e) => e.event === rule.event && e.at <= now);
    if (matching.length === 0) continue;
    const points = matching.reduce(
      (sum, e) =>
        sum + decayedPoints(rule.points, now.getTime() - e.at.getTime(), rule.halfLifeDays),
      0,
    );
    const label = matching.length > 1 ? `${rule.label} ×${matching.length}` : rule.label;
    factors.push({ label, points: roundTenth(points) });
  }
  const total = factors.reduce((sum, factor) => sum + factor.points, 0);
  factors.sort((a, b) => Math.abs(b.points) - Math.abs(a.points));
  return {
    score: Math.min(100, Math.max(0, Math.round(total))),
    factors: factors.filter((factor) => factor.points !== 0),
  };
}
