// The dashboard's filters as they live in the URL (period, pipeline, source, assignee, tag), and
// the period turned into the from–to dates the reports are asked for, in the workspace's time zone.

export const PERIODS = ['last30', 'last90', 'quarter', 'year', 'custom'] as const;
export type Period = (typeof PERIODS)[number];

export const PERIOD_LABELS: Record<Period, string> = {
  last30: 'Last 30 days',
  last90: 'Last 90 days',
  quarter: 'This quarter',
  year: 'This year',
  custom: 'Custom',
};

/** Same default as the server's: the last 90 days. */
export const DEFAULT_PERIOD: Period = 'last90';

export const FILTER_KEYS = ['pipelineId', 'sourceId', 'assigneeId', 'tag'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

export interface AnalyticsFilters {
  period: Period;
  /** Only read for a custom period; presets are computed from today. */
  from?: string;
  to?: string;
  pipelineId?: string;
  sourceId?: string;
  assigneeId?: string;
  tag?: string;
}

/** What the reports are asked for: always an explicit from–to, so the CSV matches the page. */
export interface ReportQuery {
  from: string;
  to: string;
  pipelineId?: string;
  sourceId?: string;
  assigneeId?: string;
  tag?: string;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

const isPeriod = (value: string | null): value is Period =>
  value !== null && (PERIODS as readonly string[]).includes(value);

export function filtersFrom(params: URLSearchParams): AnalyticsFilters {
  const period = params.get('period');
  const filters: AnalyticsFilters = { period: isPeriod(period) ? period : DEFAULT_PERIOD };
  const from = params.get('from');
  const to = params.get('to');
  if (from && ISO_DATE.test(from)) filters.from = from;
  if (to && ISO_DATE.test(to)) filters.to = to;
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value) filters[key] = value;
  }
  return filters;
}

/** Today's calendar date in a time zone, as YYYY-MM-DD. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The first and last day of a period; `today` is the workspace's today. */
export function periodRange(
  filters: Pick<AnalyticsFilters, 'period' | 'from' | 'to'>,
  today: string,
): { from: string; to: string } {
  const year = today.slice(0, 4);
  switch (filters.period) {
    case 'last30':
      return { from: addDays(today, -29), to: today };
    case 'last90':
      return { from: addDays(today, -89), to: today };
    case 'quarter': {
      const month = Number(today.slice(5, 7));
      const first = Math.floor((month - 1) / 3) * 3 + 1;
      return { from: `${year}-${String(first).padStart(2, '0')}-01`, to: today };
    }
    case 'year':
      return { from: `${year}-01-01`, to: today };
    case 'custom': {
      // A half-typed custom range falls back to the default period's ends.
      const fallback = periodRange({ period: DEFAULT_PERIOD }, today);
      return { from: filters.from ?? fallback.from, to: filters.to ?? fallback.to };
    }
  }
}

export function reportQueryOf(filters: AnalyticsFilters, today: string): ReportQuery {
  const query: ReportQuery = periodRange(filters, today);
  for (const key of FILTER_KEYS) {
    const value = filters[key];
    if (value) query[key] = value;
  }
  return query;
}

/** The report's CSV download with the page's filters. */
export function csvHref(report: string, query: ReportQuery): string {
  const params = new URLSearchParams(
    Object.entries(query).filter((entry): entry is [string, string] => Boolean(entry[1])),
  );
  return `/api/analytics/${report}.csv?${params}`;
}
