import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { createExpiringCache } from './expiring-cache.js';

function aCache() {
  const clock = new ManualClock(new Date('2026-03-02T09:00:00Z'));
  return { clock, cache: createExpiringCache<string>(clock, { ttlMs: 1000, maxEntries: 10 }) };
}

describe('expiring cache', () => {
  it('shares a loaded value until it expires', async () => {
    const { clock, cache } = aCache();
    let loads = 0;
    const load = () => Promise.resolve(`value ${(loads += 1)}`);
    expect(await cache.get('k', load)).toBe('value 1');
    expect(await cache.get('k', load)).toBe('value 1');
    clock.advance(999);
    expect(await cache.get('k', load)).toBe('value 1');
    clock.advance(1);
    expect(await cache.get('k', load)).toBe('value 2');
  });

  it("never makes a caller wait on another caller's load", async () => {
    const { cache } = aCache();
    // The first load waits (say, for a connection the second caller holds); the second caller
    // must not wait for it.
    const stuck = cache.get('k', () => new Promise<string>(() => undefined));
    const second = await cache.get('k', () => Promise.resolve('own load'));
    expect(second).toBe('own load');
    expect(await cache.get('k', () => Promise.resolve('not asked'))).toBe('own load');
    void stuck;
  });

  it('keeps no load that began before a change, and no failed load', async () => {
    const { cache } = aCache();
    let finish: (value: string) => void = () => undefined;
    const before = cache.get('k', () => new Promise<string>((resolve) => (finish = resolve)));
    cache.delete('k');
    finish('stale');
    expect(await before).toBe('stale');
    expect(await cache.get('k', () => Promise.resolve('fresh'))).toBe('fresh');

    await expect(cache.get('f', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('f', () => Promise.resolve('up'))).toBe('up');
  });
});
