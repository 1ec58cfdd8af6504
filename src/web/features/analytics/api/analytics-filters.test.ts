import { describe, expect, it } from 'vitest';
import { csvHref, filtersFrom, periodRange, reportQueryOf, todayIn } from './analytics-filters';

describe('analytics period', () => {
  const today = '2026-05-14';

  it('counts the last 30 and 90 days including today', () => {
    expect(periodRange({ period: 'last30' }, today)).toEqual({ from: '2026-04-15', to: today });
    expect(periodRange({ period: 'last90' }, today)).toEqual({ from: '2026-02-14', to: today });
  });

  it('starts this quarter and this year on their first day', () => {
    expect(periodRange({ period: 'quarter' }, today)).toEqual({ from: '2026-04-01', to: today });
    expect(periodRange({ period: 'quarter' }, '2026-12-31').from).toBe('2026-10-01');
    expect(periodRange({ period: 'year' }, today)).toEqual({ from: '2026-01-01', to: today });
  });

  it('takes a custom range as given, and fills a missing end from the default period', () => {
    expect(periodRange({ period: 'custom', from: '2026-01-05', to: '2026-02-01' }, today)).toEqual({
      from: '2026-01-05',
      to: '2026-02-01',
    });
    expect(periodRange({ period: 'custom', from: '2026-01-05' }, today)).toEqual({
      from: '2026-01-05',
      to: today,
    });
  });

  it("reads today in the workspace's time zone, not the browser's", () => {
    // 23:30 UTC on 31 December is already New Year in Berlin, still the 31st in New York.
    const instant = new Date('2026-12-31T23:30:00Z');
    expect(todayIn('Europe/Berlin', instant)).toBe('2027-01-01');
    expect(todayIn('America/New_York', instant)).toBe('2026-12-31');
  });
});

describe('analytics filters in the URL', () => {
  it('reads the known filters, defaults the period and ignores malformed dates', () => {
    const filters = filtersFrom(
      new URLSearchParams('period=bogus&from=yesterday&to=2026-03-01&tag=vip&sourceId=s1&x=1'),
    );
    expect(filters).toEqual({ period: 'last90', to: '2026-03-01', tag: 'vip', sourceId: 's1' });
  });

  it('asks the reports, and the CSV, for the same explicit range and filters', () => {
    const query = reportQueryOf(
      filtersFrom(new URLSearchParams('period=last30&assigneeId=u1&tag=vip')),
      '2026-05-14',
    );
    expect(query).toEqual({ from: '2026-04-15', to: '2026-05-14', assigneeId: 'u1', tag: 'vip' });
    expect(csvHref('lost-reasons', query)).toBe(
      '/api/analytics/lost-reasons.csv?from=2026-04-15&to=2026-05-14&assigneeId=u1&tag=vip',
    );
  });
});
