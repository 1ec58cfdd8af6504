// How the reports show their numbers: money through the app's formatter in the workspace
// locale (the report's currency), rates as percentages, days with one decimal.
import { useMemo } from 'react';
import { useSession } from '../../../app/session';
import { formatMoney } from '../../../lib/format';

export interface ReportFormat {
  locale: string;
  /** Minor units of the report's currency → `12.500,00 €`. */
  money: (minorUnits: number | null) => string;
  /** Short money for chart axes: `12.5K €`. */
  compactMoney: (minorUnits: number) => string;
  /** 0–1 → `42.5 %`; null (nothing to divide by) → `–`. */
  percent: (rate: number | null) => string;
  count: (value: number) => string;
  /** `1 meeting`, `1.200 meetings`. */
  countOf: (value: number, one: string, many: string) => string;
  days: (value: number | null) => string;
  decimal: (value: number | null) => string;
  /** `YYYY-MM` → `Mar 2026`. */
  month: (month: string) => string;
  /** `YYYY-MM-DD` → `16 Mar` (a calendar day, not shifted by time zone). */
  day: (date: string) => string;
}

export const NONE = '–';

export function useReportFormat(currency: string): ReportFormat {
  const { format } = useSession();
  const { locale } = format;
  return useMemo(() => {
    const percentFormat = new Intl.NumberFormat(locale, {
      style: 'percent',
      maximumFractionDigits: 1,
    });
    const countFormat = new Intl.NumberFormat(locale);
    const decimalFormat = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
    const compactFormat = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      notation: 'compact',
    });
    const digits =
      new Intl.NumberFormat(locale, { style: 'currency', currency }).resolvedOptions()
        .maximumFractionDigits ?? 2;
    const monthFormat = new Intl.DateTimeFormat(locale, {
      month: 'short',
      year: 'numeric',
      timeZone: 'UTC',
    });
    const dayFormat = new Intl.DateTimeFormat(locale, {
      day: 'numeric',
      month: 'short',
      timeZone: 'UTC',
    });
    return {
      locale,
      money: (minor) => (minor === null ? NONE : formatMoney(minor, currency, locale)),
      compactMoney: (minor) => compactFormat.format(minor / 10 ** digits),
      percent: (rate) => (rate === null ? NONE : percentFormat.format(rate)),
      count: (value) => countFormat.format(value),
      countOf: (value, one, many) => `${countFormat.format(value)} ${value === 1 ? one : many}`,
      days: (value) => (value === null ? NONE : `${decimalFormat.format(value)} d`),
      decimal: (value) => (value === null ? NONE : decimalFormat.format(value)),
      month: (month) => monthFormat.format(new Date(`${month}-01T00:00:00Z`)),
      day: (date) => dayFormat.format(new Date(`${date}T00:00:00Z`)),
    };
  }, [locale, currency]);
}
