// An in-process cache of values loaded from the database that change rarely and are read by
// most requests (workspace settings, custom field definitions). An entry is used for `ttlMs`
// after it was loaded; the owner drops it at once when this instance changes the value, so only
// another instance's change shows late (by at most `ttlMs`). A failed load is not kept.
import type { Clock } from './clock.js';

export function createExpiringCache<Value>(
  clock: Clock,
  options: { ttlMs: number; maxEntries: number },
) {
  const entries = new Map<string, { loadedAt: number; value: Promise<Value> }>();
  return {
    get(key: string, load: () => Promise<Value>): Promise<Value> {
      const now = clock.now().getTime();
      const hit = entries.get(key);
      if (hit && now - hit.loadedAt < options.ttlMs) return hit.value;
      if (entries.size >= options.maxEntries) entries.clear();
      const value = load();
      entries.set(key, { loadedAt: now, value });
      value.catch(() => entries.delete(key));
      return value;
    },

    delete(key: string): void {
      entries.delete(key);
    },

    deleteWhere(isStale: (key: string) => boolean): void {
      for (const key of entries.keys()) if (isStale(key)) entries.delete(key);
    },

    /** Drops every entry, also one still loading (its caller keeps what it gets). */
    clear(): void {
      entries.clear();
    },
  };
}

export type ExpiringCache<Value> = ReturnType<typeof createExpiringCache<Value>>;
