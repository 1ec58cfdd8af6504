// How a logged touch moves a lead's contact status and attempt count. Pure, so the table below
// is unit-tested on its own; the service applies its answer to the lead in the same transaction.
import type {
  ActivityDirection,
  ActivityOutcome,
  ActivityType,
  ContactStatus,
} from '../../platform/db/schema.js';

/** Unanswered attempts in a row after which a lead counts as "no response". */
export const NO_RESPONSE_AFTER = 3;

const TOUCH_TYPES = new Set<ActivityType>(['call', 'email', 'sms', 'meeting', 'document_sent']);
const ATTEMPT_TYPES = new Set<ActivityType>(['call', 'email', 'sms']);
const UNREACHED_OUTCOMES = new Set<ActivityOutcome>([
  'no_answer',
  'left_voicemail',
  'wrong_number',
]);

export interface Touch {
  type: ActivityType;
  direction: ActivityDirection | null;
  outcome: ActivityOutcome;
}

/** The direction a touch has when none is given: we called, wrote or sent. */
export function defaultDirection(type: ActivityType): ActivityDirection | null {
  return ATTEMPT_TYPES.has(type) || type === 'document_sent' ? 'outbound' : null;
}

export function isTouch(type: ActivityType): boolean {
  return TOUCH_TYPES.has(type);
}

export function isAttempt(touch: Touch): boolean {
  return touch.direction === 'outbound' && ATTEMPT_TYPES.has(touch.type);
}

/** We heard from them: a conversation, a reply, a meeting that took place. */
export function isReached(touch: Touch): boolean {
  if (touch.direction === 'inbound') return true;
  if (touch.type === 'meeting') return touch.outcome !== 'no_show';
  return [
    'spoke',
    'sent_proposal',
    'accepted_proposal',
    'rejected_proposal',
    'rescheduled',
  ].includes(touch.outcome);
}

/** An outbound attempt that got no answer (a message sent without a reply counts too). */
export function isUnanswered(touch: Touch): boolean {
  if (!isAttempt(touch)) return false;
  return (
    UNREACHED_OUTCOMES.has(touch.outcome) || (touch.type !== 'call' && touch.outcome === 'none')
  );
}

/**
 * The contact status after a touch. `unansweredInARow` counts this touch and the unanswered
 * attempts right before it.
 */
export function nextContactStatus(
  current: ContactStatus,
  touch: Touch,
  unansweredInARow: number,
): ContactStatus {
  if (!isTouch(touch.type)) return current;
  if (touch.outcome === 'accepted_proposal' || touch.outcome === 'rejected_proposal') {
    return 'in_discussion';
  }
  if (touch.outcome === 'sent_proposal' || touch.type === 'document_sent') return 'proposal_sent';
  if (touch.outcome === 'no_show' || touch.outcome === 'rescheduled') return 'follow_up_needed';
  if (isReached(touch)) {
    switch (current) {
      case 'not_contacted':
      case 'no_response':
        return 'contacted';
      case 'contacted':
      case 'follow_up_needed':
        return 'in_discussion';
      case 'in_discussion':
      case 'proposal_sent':
        return current;
    }
  }
  if (isUnanswered(touch)) {
    const isEarly =
      current === 'not_contacted' || current === 'contacted' || current === 'no_response';
    if (isEarly && unansweredInARow >= NO_RESPONSE_AFTER) return 'no_response';
    // A voicemail or a message reached them in some form; a ring with no answer did not.
    if (
      current === 'not_contacted' &&
      touch.outcome !== 'no_answer' &&
      touch.outcome !== 'wrong_number'
    ) {
      return 'contacted';
    }
    if (current === 'in_discussion' || current === 'proposal_sent') return 'follow_up_needed';
  }
  return current;
}
