import { describe, expect, it } from 'vitest';
import { formatDuration, formatMoney, formatRelative, parseMoney } from './format';

// Intl puts a no-break space between amount and symbol; compare with plain spaces.
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

describe('money', () => {
  it('shows minor units in the workspace locale and currency', () => {
    expect(plain(formatMoney(1_250_000, 'EUR', 'de-DE'))).toBe('12.500,00 €');
    expect(formatMoney(1_250_000, 'USD', 'en-US')).toBe('$12,500.00');
  });

  it('knows currencies without minor units', () => {
    expect(plain(formatMoney(1500, 'JPY', 'ja-JP'))).toBe('￥1,500');
  });

  it('reads amounts typed the local way back into minor units', () => {
    expect(parseMoney('12.500,50', 'EUR', 'de-DE')).toBe(1_250_050);
    expect(parseMoney('12,500.50', 'USD', 'en-US')).toBe(1_250_050);
    expect(parseMoney('1500 €', 'EUR', 'de-DE')).toBe(150_000);
    expect(parseMoney('', 'EUR', 'de-DE')).toBeNull();
    expect(parseMoney('abc', 'EUR', 'de-DE')).toBeNull();
  });
});

describe('time', () => {
  it('says how long ago or how soon, in the locale', () => {
    const now = new Date('2026-03-10T12:00:00Z');
    expect(formatRelative('2026-03-10T10:00:00Z', 'en-US', now)).toBe('2 hours ago');
    expect(formatRelative('2026-03-13T12:00:00Z', 'de-DE', now)).toBe('in 3 Tagen');
  });

  it('writes a speed-to-lead duration briefly', () => {
    expect(formatDuration(45)).toBe('45 min');
    expect(formatDuration(185)).toBe('3 h 5 min');
    expect(formatDuration(2 * 1440 + 240)).toBe('2 d 4 h');
  });
});
