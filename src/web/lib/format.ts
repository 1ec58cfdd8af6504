// Numbers, money and dates through Intl in the workspace's locale, currency and time zone.

export interface WorkspaceFormat {
  locale: string;
  currency: string;
  timeZone: string;
}

const numberFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(locale: string, currency: string): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    numberFormats.set(key, format);
  }
  return format;
}

/** Integer minor units (cents) → `12.500,00 €` in de-DE/EUR; ¥ and other 0-decimal ones too. */
export function formatMoney(minorUnits: number, currency: string, locale: string): string {
  const format = moneyFormat(locale, currency);
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minorUnits / 10 ** digits);
}

/** What a typed amount (`12.500,50` in de-DE, `12,500.50` in en-US) is in minor units. */
export function parseMoney(text: string, currency: string, locale: string): number | null {
  const parts = new Intl.NumberFormat(locale).formatToParts(12345.6);
  const group = parts.find((part) => part.type === 'group')?.value ?? ',';
  const decimal = parts.find((part) => part.type === 'decimal')?.value ?? '.';
  const cleaned = text
    .trim()
    .replace(/[^\d.,\-\s\u00a0\u202f']/g, '')
    .replaceAll(group, '')
    .replace(/[\s\u00a0\u202f']/g, '')
    .replace(decimal, '.');
  if (cleaned === '' || !/^-?\d*(\.\d*)?$/.test(cleaned)) return null;
  const digits = moneyFormat(locale, currency).resolvedOptions().maximumFractionDigits ?? 2;
  return Math.round(Number(cleaned) * 10 ** digits);
}

export function formatDate(iso: string, format: WorkspaceFormat): string {
  // A bare date (YYYY-MM-DD) is a calendar day, not an instant: don't shift it by time zone.
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) {
    return new Intl.DateTimeFormat(format.locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(
      new Date(`${iso}T00:00:00Z`),
    );
  }
  return new Intl.DateTimeFormat(format.locale, {
    dateStyle: 'medium',
    timeZone: format.timeZone,
  }).format(new Date(iso));
}

export function formatDateTime(iso: string, format: WorkspaceFormat): string {
  return new Intl.DateTimeFormat(format.locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: format.timeZone,
  }).format(new Date(iso));
}

const RELATIVE_UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 60 * 60_000],
  ['month', 30 * 24 * 60 * 60_000],
  ['week', 7 * 24 * 60 * 60_000],
  ['day', 24 * 60 * 60_000],
  ['hour', 60 * 60_000],
  ['minute', 60_000],
];

/** `in 3 days`, `2 hours ago` (`vor 2 Stunden` in de-DE). */
export function formatRelative(iso: string, locale: string, now: Date = new Date()): string {
  const diff = new Date(iso).getTime() - now.getTime();
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, ms] of RELATIVE_UNITS) {
    if (Math.abs(diff) >= ms) return format.format(Math.round(diff / ms), unit);
  }
  return format.format(0, 'minute');
}

/** Minutes as `45 min`, `3 h 5 min`, `2 d 4 h` — short enough for a speed-to-lead badge. */
export function formatDuration(minutes: number): string {
  const total = Math.max(0, Math.floor(minutes));
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const mins = total % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return mins > 0 ? `${hours} h ${mins} min` : `${hours} h`;
  return `${mins} min`;
}

/** `YYYY-MM-DDTHH:mm` for an <input type="datetime-local"> → an ISO instant (browser's zone). */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The value an <input type="datetime-local"> shows for an instant (browser's zone). */
export function isoToLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}
