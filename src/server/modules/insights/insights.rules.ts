// The rules behind a lead's next best action and best hour to call: pure functions of what the
// repository read, so each situation is tested on its own (docs/insights.md).
import { DateTime } from 'luxon';
import type { BusinessHours } from '../../platform/db/schema.js';
import type { CallHourRow, LeadSignalsRow, TouchRow } from './insights.repository.js';
import type { BestTimeToCallDto, NextActionDto, TimeBasis } from './insights.schemas.js';

const DAY_MS = 86_400_000;
const HOURS_PER_WEEK = 168;
/** Attempts without an answer after which another channel (or closing) is suggested. */
export const MAX_ATTEMPTS = 3;
/** Days after sending a proposal or estimate before a follow-up is due. */
export const PROPOSAL_FOLLOW_UP_DAYS = 2;
/** Days without a touch after which an open lead needs a check-in. */
export const CHECK_IN_DAYS = 7;
/** Answered calls the workspace needs before its history picks the hour. */
export const MIN_WORKSPACE_ANSWERED = 5;

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
/** Business hours when the workspace has none: Monday to Friday, 9 to 17. */
const DEFAULT_BUSINESS_HOURS: BusinessHours = Object.fromEntries(
  ['1', '2', '3', '4', '5'].map((day) => [day, [{ start: '09:00', end: '17:00' }]]),
);

const OUTREACH_TYPES = new Set(['call', 'email', 'sms']);

const isOutbound = (touch: TouchRow) => touch.direction !== 'inbound';

/** An answer from the lead: anything inbound, a call or meeting where we spoke, a decision. */
function isResponse(touch: TouchRow): boolean {
  return (
    touch.direction === 'inbound' ||
    touch.outcome === 'spoke' ||
    touch.outcome === 'accepted_proposal' ||
    touch.outcome === 'rejected_proposal' ||
    touch.outcome === 'rescheduled'
  );
}

/** Calls, emails and texts sent since the lead last answered (touches: latest first). */
export function attemptsWithoutResponse(touches: readonly TouchRow[]): number {
  let attempts = 0;
  for (const touch of touches) {
    if (isResponse(touch)) break;
    if (isOutbound(touch) && OUTREACH_TYPES.has(touch.type)) attempts += 1;
  }
  return attempts;
}

const daysSince = (now: Date, at: Date | string) =>
  Math.floor((now.getTime() - new Date(at).getTime()) / DAY_MS);

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function ago(now: Date, at: Date): string {
  const minutes = Math.floor((now.getTime() - at.getTime()) / 60_000);
  if (minutes < 60) return plural(Math.max(0, minutes), 'minute');
  if (minutes < 48 * 60) return plural(Math.floor(minutes / 60), 'hour');
  return plural(Math.floor(minutes / (24 * 60)), 'day');
}

/** The suggested next step for a lead, the first rule that applies (in this order). */
export function nextAction(lead: LeadSignalsRow, now: Date): NextActionDto {
  if (lead.status !== 'open') {
    return {
      kind: 'closed',
      label: lead.status === 'won' ? 'Won: nothing to chase' : 'Lost: nothing to chase',
      reason: `The lead is in "${lead.stage_name}".`,
    };
  }
  const touches = lead.touches;
  const last = touches[0];
  if (!touches.some(isOutbound)) {
    return {
      kind: 'call_now',
      label: 'Call now: new lead, not contacted',
      reason: last
        ? `They reached out ${ago(now, new Date(last.occurredAt))} ago and nobody has answered yet.`
        : `Came in ${ago(now, lead.created_at)} ago; nobody has called, emailed or texted yet.`,
    };
  }
  const lastDays = last ? daysSince(now, last.occurredAt) : 0;
  if (last?.outcome === 'accepted_proposal') {
    return {
      kind: 'close_won',
      label: 'Proposal accepted: mark the lead won',
      reason: `They accepted the proposal ${plural(lastDays, 'day')} ago.`,
    };
  }
  if (last?.type === 'meeting' && last.outcome === 'no_show') {
    return {
      kind: 'reschedule_meeting',
      label: 'Reschedule the missed meeting',
      reason: `They did not show up to the meeting ${plural(lastDays, 'day')} ago.`,
    };
  }
  if (last?.outcome === 'wrong_number') {
    return {
      kind: 'fix_contact_details',
      label: 'Wrong number: find the right contact details',
      reason: 'The last call reached a wrong number.',
    };
  }
  const attempts = attemptsWithoutResponse(touches);
  if (attempts >= MAX_ATTEMPTS) {
    return {
      kind: 'try_other_channel',
      label: `${attempts} attempts with no answer: try SMS or mark lost`,
      reason: `${attempts} calls, emails or texts since they last answered.`,
    };
  }
  if (
    last &&
    (last.outcome === 'sent_proposal' || last.type === 'document_sent') &&
    lastDays >= PROPOSAL_FOLLOW_UP_DAYS
  ) {
    return {
      kind: 'follow_up_proposal',
      label: 'Send the estimate follow-up',
      reason: `The proposal went out ${plural(lastDays, 'day')} ago with no answer since.`,
    };
  }
  if (
    last?.type === 'call' &&
    (last.outcome === 'no_answer' || last.outcome === 'left_voicemail')
  ) {
    return {
      kind: 'call_again',
      label: `Call again: no answer last time (attempt ${attempts + 1} of ${MAX_ATTEMPTS})`,
      reason:
        last.outcome === 'left_voicemail'
          ? `Left a voicemail ${plural(lastDays, 'day')} ago.`
          : `Nobody picked up ${plural(lastDays, 'day')} ago.`,
    };
  }
  if (lead.next_follow_up_at && lead.next_follow_up_at.getTime() <= now.getTime()) {
    return {
      kind: 'follow_up_due',
      label: `Follow-up due: ${lead.next_follow_up_type ?? 'follow up'}`,
      reason: `It was due ${ago(now, lead.next_follow_up_at)} ago.`,
    };
  }
  const daysInStage = daysSince(now, lead.stage_entered_at);
  if (lead.max_days_in_stage !== null && daysInStage > lead.max_days_in_stage) {
    return {
      kind: 'move_stage',
      label: `Stuck in ${lead.stage_name} for ${plural(daysInStage, 'day')}: move it on or close it`,
      reason: `The stage allows ${plural(lead.max_days_in_stage, 'day')}.`,
    };
  }
  if (lastDays >= CHECK_IN_DAYS) {
    return {
      kind: 'check_in',
      label: `No touch for ${plural(lastDays, 'day')}: check in`,
      reason: `The last call, email or meeting was ${plural(lastDays, 'day')} ago.`,
    };
  }
  return {
    kind: 'on_track',
    label: 'On track',
    reason: lead.next_follow_up_at
      ? `Next follow-up ${lead.next_follow_up_at.toISOString().slice(0, 10)}; last touch ${plural(lastDays, 'day')} ago.`
      : `Last touch ${plural(lastDays, 'day')} ago.`,
  };
}

/** "Tuesday 10:00–11:00" for hour of week 34. */
export function hourOfWeekLabel(hourOfWeek: number): string {
  const day = WEEKDAYS[Math.floor(hourOfWeek / 24)] ?? '';
  const hour = hourOfWeek % 24;
  const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;
  return `${day} ${hh(hour)}–${hh(hour + 1)}`;
}

/** The hour of week (0 = Monday 00:00) an instant falls in, in a time zone. */
export function currentHourOfWeek(now: Date, timeZone: string): number {
  const local = DateTime.fromJSDate(now, { zone: timeZone });
  return (local.weekday - 1) * 24 + local.hour;
}

/**
 * The hour with the best share of answered calls, counted with one answered and one unanswered
 * call added to every hour (so one lucky call does not beat a steady record); among hours with
 * at least one answered call. Ties: more answered calls, then the hour that comes soonest.
 */
function bestHourOf(rows: readonly CallHourRow[], nowHour: number): number | undefined {
  const soon = (hour: number) => (hour - nowHour + HOURS_PER_WEEK) % HOURS_PER_WEEK;
  const rate = (row: CallHourRow) => (row.answered + 1) / (row.calls + 2);
  return [...rows]
    .filter((row) => row.answered > 0)
    .sort(
      (a, b) =>
        rate(b) - rate(a) || b.answered - a.answered || soon(a.hour_of_week) - soon(b.hour_of_week),
    )[0]?.hour_of_week;
}

/** The next hour (from now, this one included) that starts inside the business hours. */
function nextBusinessHour(hours: BusinessHours, nowHour: number): number {
  const open = Object.keys(hours).length > 0 ? hours : DEFAULT_BUSINESS_HOURS;
  for (let step = 0; step < HOURS_PER_WEEK; step += 1) {
    const hourOfWeek = (nowHour + step) % HOURS_PER_WEEK;
    const day = String(Math.floor(hourOfWeek / 24) + 1) as keyof BusinessHours;
    const start = `${String(hourOfWeek % 24).padStart(2, '0')}:00`;
    if ((open[day] ?? []).some((range) => range.start <= start && start < range.end)) {
      return hourOfWeek;
    }
  }
  return nowHour;
}

/** The best hour to call: the contact's history, else the workspace's, else business hours. */
export function bestTimeToCall(input: {
  contactCalls: readonly CallHourRow[];
  workspaceCalls: readonly CallHourRow[];
  businessHours: BusinessHours;
  now: Date;
  timeZone: string;
}): BestTimeToCallDto {
  const nowHour = currentHourOfWeek(input.now, input.timeZone);
  const workspaceAnswered = input.workspaceCalls.reduce((sum, row) => sum + row.answered, 0);
  let basis: TimeBasis = 'contact';
  let hour = bestHourOf(input.contactCalls, nowHour);
  if (hour === undefined && workspaceAnswered >= MIN_WORKSPACE_ANSWERED) {
    basis = 'workspace';
    hour = bestHourOf(input.workspaceCalls, nowHour);
  }
  if (hour === undefined) {
    basis = 'business_hours';
    hour = nextBusinessHour(input.businessHours, nowHour);
  }
  return { hourOfWeek: hour, label: hourOfWeekLabel(hour), basis, isNow: hour === nowHour };
}
