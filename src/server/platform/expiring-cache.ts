// An in-process cache of values loaded from the database that change rarely and are read by
// most requests (workspace settings, custom field definitions). An entry is used for `ttlMs`
// after it was loaded; the owner drops it at once when this instance changes the value, so only
// another instance's change shows late (by at most `ttlMs`). A failed load is not kept.
//
// A value is shared once loaded, never while loading: each caller's load runs on its own
// executor (often its own transaction). Sharing a load in flight let callers holding every
// connection of the pool wait on a load that waited for a free connection — a deadlock under a
// burst of writes, found by the engine benchmark.
import type { Clock } from './clock.js';

export function createExpiringCache<Value>(
  clock: Clock,
  options: { ttlMs: number; maxEntries: number },
) {
  const entries = new Map<string, { loadedAt: number; value: Promise<Value> }>();
  /** Bumped by every change, so a load that began before one is not kept. */
  let generation = 0;
  return {
    get(key: string, load: () => Promise<Value>): Promise<Value> {
      const now = clock.now().getTime();
      const hit = entries.get(key);
      if (hit && now - hit.loadedAt < options.ttlMs) return hit.value;
      const startedIn = generation;
      const value = load();
      void value.then(
        (loaded) => {
          if (startedIn !== generation) return;
          if (entries.size >= options.maxEntries) entries.clear();
          entries.set(key, { loadedAt: now, value: Promise.resolve(loaded) });
        },
        () => undefined,
      );
      return value;
    },

    delete(key: string): void {
      generation += 1;
      entries.delete(key);
    },

    deleteWhere(isStale: (key: string) => boolean): void {
      generation += 1;
      for (const key of entries.keys()) if (isStale(key)) entries.delete(key);
    },

    /** Drops every entry; a load still running is not kept (its caller keeps what it gets). */
    clear(): void {
      generation += 1;
      entries.clear();
    },
  };
}

export type ExpiringCache<Value> = ReturnType<typeof createExpiringCache<Value>>;
