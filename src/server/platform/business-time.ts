// Business time (docs/automation.md): "3 business days", "due in 5 minutes in business hours",
// "Monday 8:00" — arithmetic over a workspace's IANA time zone and weekly open hours, done in
// local wall-clock time (luxon), so a DST change moves no opening hour. Pure functions: the
// caller passes "now" from its injected clock.
import { DateTime } from 'luxon';
import type { BusinessHours } from './db/schema.js';

export interface BusinessCalendar {
  timeZone: string;
  businessHours: BusinessHours;
}

export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface BusinessDuration {
  minutes?: number;
  hours?: number;
  days?: number;
}

/** A workspace with no open hours at all works Mon–Fri 09:00–17:00. */
export const FALLBACK_BUSINESS_HOURS: BusinessHours = Object.fromEntries(
  ['1', '2', '3', '4', '5'].map((day) => [day, [{ start: '09:00', end: '17:00' }]]),
);

/** Days looked ahead before giving up (a calendar always has some open hours; see below). */
const MAX_DAYS_AHEAD = 400;

/** The calendar of a workspace; no hours set (null, `{}` or only empty days) uses the fallback. */
export function businessCalendar(
  timeZone: string,
  businessHours: BusinessHours | null | undefined,
): BusinessCalendar {
  const hasHours = Object.values(businessHours ?? {}).some((ranges) => (ranges ?? []).length > 0);
  return { timeZone, businessHours: hasHours ? businessHours! : FALLBACK_BUSINESS_HOURS };
}

function minutesOf(hhmm: string): number {
  const [hours, minutes] = hhmm.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

/** A local day's wall-clock minute as an instant ('24:00' is the next midnight). */
function atMinute(day: DateTime, minute: number): DateTime {
  if (minute >= 24 * 60) return day.plus({ days: 1 }).startOf('day');
  // In a DST gap luxon moves the time forward by the gap, which is what an opening hour wants.
  return day.set({ hour: Math.floor(minute / 60), minute: minute % 60, second: 0, millisecond: 0 });
}

/** The open intervals of one local day, in order. */
function openIntervals(calendar: BusinessCalendar, day: DateTime): [DateTime, DateTime][] {
  const key = String(day.weekday) as keyof BusinessHours;
  return (calendar.businessHours[key] ?? [])
    .map((range) => [minutesOf(range.start), minutesOf(range.end)] as const)
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0])
    .map(([start, end]) => [atMinute(day, start), atMinute(day, end)]);
}

/** Open intervals from the local day of `from` onwards, for as long as the caller iterates. */
function* intervalsFrom(calendar: BusinessCalendar, from: Date) {
  const firstDay = DateTime.fromJSDate(from, { zone: calendar.timeZone }).startOf('day');
  for (let offset = 0; offset < MAX_DAYS_AHEAD; offset += 1) {
    for (const interval of openIntervals(calendar, firstDay.plus({ days: offset }))) {
      if (interval[1].toMillis() > from.getTime()) yield interval;
    }
  }
  throw new Error(`No business hours within ${MAX_DAYS_AHEAD} days`);
}

/** Whether the business is open at `at`. */
export function isOpen(calendar: BusinessCalendar, at: Date): boolean {
  const day = DateTime.fromJSDate(at, { zone: calendar.timeZone }).startOf('day');
  return openIntervals(calendar, day).some(
    ([start, end]) => start.toMillis() <= at.getTime() && at.getTime() < end.toMillis(),
  );
}

/** `from` itself when open, else the next opening. */
export function nextBusinessMoment(calendar: BusinessCalendar, from: Date): Date {
  for (const [start] of intervalsFrom(calendar, from)) {
    return new Date(Math.max(start.toMillis(), from.getTime()));
  }
  throw new Error('unreachable');
}

/**
 * `from` plus a duration counted in open time. Minutes and hours run only while open (Friday
 * 16:30 + 1 hour = Monday 09:30); days move to the same local time on the Nth next business day
 * (a day with open hours), starting from the next business moment (Friday 10:00 + 3 days =
 * Wednesday 10:00; Saturday + 1 day = Tuesday 09:00). Days are applied before minutes and hours.
 */
export function addBusinessDuration(
  calendar: BusinessCalendar,
  from: Date,
  duration: BusinessDuration,
): Date {
  let cursor = nextBusinessMoment(calendar, from);
  const days = Math.max(0, Math.floor(duration.days ?? 0));
  if (days > 0) {
    let local = DateTime.fromJSDate(cursor, { zone: calendar.timeZone });
    for (let counted = 0, guard = 0; counted < days; guard += 1) {
      if (guard > MAX_DAYS_AHEAD + days * 7) throw new Error('No business days ahead');
      local = local.plus({ days: 1 });
      if (openIntervals(calendar, local.startOf('day')).length > 0) counted += 1;
    }
    // That day may open later or close earlier than the day we started from.
    cursor = nextBusinessMoment(calendar, local.toJSDate());
  }
  let remainingMs = Math.max(0, ((duration.hours ?? 0) * 60 + (duration.minutes ?? 0)) * 60_000);
  if (remainingMs === 0) return cursor;
  for (const [start, end] of intervalsFrom(calendar, cursor)) {
    const begin = Math.max(start.toMillis(), cursor.getTime());
    const available = end.toMillis() - begin;
    if (remainingMs <= available) return new Date(begin + remainingMs);
    remainingMs -= available;
  }
  throw new Error('unreachable');
}

/**
 * The first moment at or after `from` when the local clock shows `time` ('08:00'), on the given
 * ISO weekday (1 = Monday) if one is given ("Monday 8:00"), else on any day.
 */
export function nextLocalTime(
  calendar: BusinessCalendar,
  from: Date,
  target: { weekday?: IsoWeekday; time: string },
): Date {
  const minute = minutesOf(target.time);
  const firstDay = DateTime.fromJSDate(from, { zone: calendar.timeZone }).startOf('day');
  for (let offset = 0; offset <= 8; offset += 1) {
    const day = firstDay.plus({ days: offset });
    if (target.weekday !== undefined && day.weekday !== target.weekday) continue;
    const at = atMinute(day, minute);
    if (at.toMillis() >= from.getTime()) return at.toJSDate();
  }
  throw new Error('unreachable');
}
