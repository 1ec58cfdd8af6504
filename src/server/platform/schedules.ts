// Schedules (docs/decisions/024): "run this once per period", however many app instances share
// the database. Each period is a slot (UTC-aligned, from the injected clock); the first instance
// to record a slot in schedule_slots enqueues its job in the same transaction, so a slot runs
// exactly once, and a slot missed while every instance was down runs at the next tick inside
// the same period. Work that follows a workspace's local time (a Monday-morning review) runs
// on a short period and checks each workspace's clock itself.
import type { Kysely } from 'kysely';
import type { Clock } from './clock.js';
import type { DB } from './db/schema.js';
import type { Jobs } from './jobs.js';

/** How often a running server asks whether a slot has begun. */
const TICK_INTERVAL_MS = 20_000;

export interface Schedules {
  /** At service construction: `handler` runs once per `periodMinutes` (kebab-case name). */
  every(name: string, periodMinutes: number, handler: (slot: Date) => Promise<void>): void;
  /** Enqueues every schedule's current slot that no instance has enqueued yet; returns how many. */
  tick(): Promise<number>;
  /** Ticks now and then every 20 s (the server process). */
  start(): void;
  stop(): void;
}

export function createSchedules(db: Kysely<DB>, jobs: Jobs, clock: Clock): Schedules {
  const periods = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<number> | undefined;

  async function tick(): Promise<number> {
    let enqueued = 0;
    for (const [name, periodMs] of periods) {
      const slot = new Date(Math.floor(clock.now().getTime() / periodMs) * periodMs);
      const claimed = await db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('schedule_slots')
          .values({ name, slot, enqueued_at: clock.now() })
          .onConflict((oc) => oc.doNothing())
          .returning('name')
          .executeTakeFirst();
        if (!row) return false;
        await jobs.send(trx, `schedule-${name}`, { slot: slot.toISOString() });
        // Older slots can't be claimed again (the clock moves forward); keep a few for reading.
        await trx
          .deleteFrom('schedule_slots')
          .where('name', '=', name)
          .where('slot', '<', new Date(slot.getTime() - 10 * periodMs))
          .execute();
        return true;
      });
      if (claimed) enqueued += 1;
    }
    return enqueued;
  }

  return {
    every(name, periodMinutes, handler) {
      if (periods.has(name)) throw new Error(`The schedule "${name}" is registered twice`);
      periods.set(name, periodMinutes * 60_000);
      jobs.register<{ slot: string }>(`schedule-${name}`, ({ slot }) => handler(new Date(slot)), {
        retryLimit: 3,
      });
    },

    tick,

    start() {
      const run = () => {
        // One tick at a time; a slow database makes ticks wait, not pile up.
        ticking ??= tick().finally(() => (ticking = undefined));
      };
      run();
      timer = setInterval(run, TICK_INTERVAL_MS);
      timer.unref();
    },

    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
