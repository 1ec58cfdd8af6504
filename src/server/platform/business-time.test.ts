import { describe, expect, it } from 'vitest';
import {
  addBusinessDuration,
  businessCalendar,
  isOpen,
  nextBusinessMoment,
  nextLocalTime,
} from './business-time.js';

const weekdays = (start: string, end: string) =>
  Object.fromEntries(['1', '2', '3', '4', '5'].map((day) => [day, [{ start, end }]]));

const newYork = businessCalendar('America/New_York', weekdays('09:00', '17:00'));
const berlin = businessCalendar('Europe/Berlin', weekdays('08:00', '16:00'));

describe('business time', () => {
  it('is open inside the hours and closed at night, at the closing minute and at weekends', () => {
    // Friday 2026-03-06 in New York (UTC−5).
    expect(isOpen(newYork, new Date('2026-03-06T14:00:00Z'))).toBe(true); // 09:00 local
    expect(isOpen(newYork, new Date('2026-03-06T13:59:00Z'))).toBe(false); // 08:59
    expect(isOpen(newYork, new Date('2026-03-06T22:00:00Z'))).toBe(false); // 17:00
    expect(isOpen(newYork, new Date('2026-03-07T15:00:00Z'))).toBe(false); // Saturday 10:00
  });

  it('finds the next opening after a weekend, and stays put while open', () => {
    const fridayEvening = new Date('2026-03-06T23:30:00Z'); // Friday 18:30 EST
    // Monday 2026-03-09 09:00 is already EDT (UTC−4): the clocks changed on Sunday.
    expect(nextBusinessMoment(newYork, fridayEvening).toISOString()).toBe(
      '2026-03-09T13:00:00.000Z',
    );
    const open = new Date('2026-03-06T15:12:00Z');
    expect(nextBusinessMoment(newYork, open).toISOString()).toBe(open.toISOString());
  });

  it('counts business minutes across a weekend and the spring DST change', () => {
    // Friday 16:30 EST + 60 business minutes = 30 on Friday + 30 on Monday (09:30 EDT).
    expect(
      addBusinessDuration(newYork, new Date('2026-03-06T21:30:00Z'), { hours: 1 }).toISOString(),
    ).toBe('2026-03-09T13:30:00.000Z');
    // A lead on Saturday: "due in 5 minutes in business hours" is Monday 09:05.
    expect(
      addBusinessDuration(newYork, new Date('2026-03-07T18:00:00Z'), { minutes: 5 }).toISOString(),
    ).toBe('2026-03-09T13:05:00.000Z');
    // 20 business hours from Thursday 09:00 = Thursday 8 h + Friday 8 h + Monday 4 h.
    expect(
      addBusinessDuration(newYork, new Date('2026-03-05T14:00:00Z'), { hours: 20 }).toISOString(),
    ).toBe('2026-03-09T17:00:00.000Z');
  });

  it('adds business days keeping the local time, skipping weekends, across the autumn DST change', () => {
    // Thursday 2026-10-22 10:00 CEST (UTC+2) + 3 business days = Tuesday 10:00 CET (UTC+1).
    expect(
      addBusinessDuration(berlin, new Date('2026-10-22T08:00:00Z'), { days: 3 }).toISOString(),
    ).toBe('2026-10-27T09:00:00.000Z');
    // From Saturday: the count starts at Monday's opening, so + 1 day is Tuesday 08:00.
    expect(
      addBusinessDuration(berlin, new Date('2026-10-24T12:00:00Z'), { days: 1 }).toISOString(),
    ).toBe('2026-10-27T07:00:00.000Z');
    // Friday after closing + 1 day: Monday's opening + 1 day = Tuesday 08:00.
    expect(
      addBusinessDuration(berlin, new Date('2026-10-23T17:00:00Z'), { days: 1 }).toISOString(),
    ).toBe('2026-10-27T07:00:00.000Z');
  });

  it('finds "Monday 8:00" in local time across a DST change', () => {
    // From Saturday 2026-10-24 (CEST): the next Monday 08:00 is CET (UTC+1).
    expect(
      nextLocalTime(berlin, new Date('2026-10-24T10:00:00Z'), {
        weekday: 1,
        time: '08:00',
      }).toISOString(),
    ).toBe('2026-10-26T07:00:00.000Z');
    // Monday 08:00 itself is "at or after", a minute later it is the next Monday.
    const mondayEight = new Date('2026-10-26T07:00:00Z');
    expect(nextLocalTime(berlin, mondayEight, { weekday: 1, time: '08:00' }).toISOString()).toBe(
      mondayEight.toISOString(),
    );
    expect(
      nextLocalTime(berlin, new Date('2026-10-26T07:01:00Z'), {
        weekday: 1,
        time: '08:00',
      }).toISOString(),
    ).toBe('2026-11-02T07:00:00.000Z');
    // No weekday: the next 08:00 on any day.
    expect(
      nextLocalTime(newYork, new Date('2026-03-08T14:00:00Z'), { time: '08:00' }).toISOString(),
    ).toBe('2026-03-09T12:00:00.000Z');
  });

  it('moves an opening hour inside the spring-forward gap to the end of the gap', () => {
    const nightShift = businessCalendar('America/New_York', {
      '7': [{ start: '02:30', end: '05:00' }],
    });
    // Sunday 2026-03-08: 02:30 does not exist, 03:30 EDT (07:30 UTC) is the opening.
    expect(nextBusinessMoment(nightShift, new Date('2026-03-08T05:00:00Z')).toISOString()).toBe(
      '2026-03-08T07:30:00.000Z',
    );
  });

  it('uses Mon–Fri 09:00–17:00 when a workspace has no business hours', () => {
    for (const none of [{}, null, { '1': [] }]) {
      const calendar = businessCalendar('UTC', none);
      expect(isOpen(calendar, new Date('2026-03-09T09:00:00Z'))).toBe(true); // Monday
      expect(isOpen(calendar, new Date('2026-03-09T17:00:00Z'))).toBe(false);
      expect(isOpen(calendar, new Date('2026-03-08T12:00:00Z'))).toBe(false); // Sunday
    }
  });

  it('supports split days and a range ending at midnight', () => {
    const calendar = businessCalendar('UTC', {
      '1': [
        { start: '13:00', end: '24:00' },
        { start: '08:00', end: '12:00' },
      ],
    });
    // Monday 11:30 + 1 hour = 30 min before lunch, 30 min after.
    expect(
      addBusinessDuration(calendar, new Date('2026-03-09T11:30:00Z'), { hours: 1 }).toISOString(),
    ).toBe('2026-03-09T13:30:00.000Z');
    expect(isOpen(calendar, new Date('2026-03-09T23:59:00Z'))).toBe(true);
    // Monday 23:00 + 2 hours: one hour on Monday, the next open hour is the following Monday.
    expect(
      addBusinessDuration(calendar, new Date('2026-03-09T23:00:00Z'), { hours: 2 }).toISOString(),
    ).toBe('2026-03-16T09:00:00.000Z');
  });
});
