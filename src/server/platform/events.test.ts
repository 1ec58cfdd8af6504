import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aLead, aSalesDesk } from '../../../test/support/sales-desk.js';
import { as, createTestApp, type TestApp } from '../../../test/support/test-app.js';
import { createServices } from '../app.js';
import type { DomainEvent } from './events.js';

let t: TestApp;

beforeEach(async () => {
  t = await createTestApp();
});

afterEach(async () => {
  await t.close();
});

function collect(name: string, types: DomainEvent['type'][], wants?: () => boolean) {
  const seen: DomainEvent[] = [];
  t.services.events.subscribe({
    name,
    types,
    handler: (event) => {
      seen.push(event);
      return Promise.resolve();
    },
    ...(wants ? { wants } : {}),
  });
  return seen;
}

describe('domain events', () => {
  it('reach a subscriber after the change commits, with what changed and who changed it', async () => {
    const desk = await aSalesDesk(t);
    const seen = collect('watcher', ['lead.created', 'lead.stage_changed', 'lead.won']);
    const lead = await aLead(t, desk.admin, { title: 'Roof repair' });
    expect(seen).toEqual([]);

    await t.runJobs();
    expect(seen.map((event) => event.type)).toEqual(['lead.created']);
    expect(seen[0]).toMatchObject({
      workspaceId: expect.any(String),
      leadId: lead.id,
      contactId: lead.contactId,
      actor: { via: 'session', causedByRules: [] },
      data: { lead: { id: lead.id, title: 'Roof repair' } },
    });

    const moved = await t.app.inject({
      method: 'POST',
      url: `/api/leads/${lead.id}/stage`,
      headers: as(desk.admin),
      payload: { stageId: desk.stage.won!.id },
    });
    expect(moved.statusCode).toBe(200);
    await t.runJobs();
    // Events are separate jobs, each retried alone, so one subscriber may see them in any order.
    const later = seen.slice(1).map((event) => [event.type, event.data.toStageId]);
    expect(later).toHaveLength(2);
    expect(later).toEqual(
      expect.arrayContaining([
        ['lead.stage_changed', desk.stage.won!.id],
        ['lead.won', undefined],
      ]),
    );
  });

  it('tell which fields an edit changed, and reach no one for a change that failed', async () => {
    const desk = await aSalesDesk(t);
    const lead = await aLead(t, desk.admin);
    const seen = collect('edits', ['lead.updated']);

    const edited = await t.app.inject({
      method: 'PATCH',
      url: `/api/leads/${lead.id}`,
      headers: { ...as(desk.admin), 'if-match': `"${lead.version}"` },
      payload: { priority: 'high', tags: ['vip'] },
    });
    expect(edited.statusCode).toBe(200);
    const stale = await t.app.inject({
      method: 'PATCH',
      url: `/api/leads/${lead.id}`,
      headers: { ...as(desk.admin), 'if-match': `"${lead.version}"` },
      payload: { priority: 'low' },
    });
    expect(stale.statusCode).toBe(412);

    await t.runJobs();
    expect(seen.map((event) => event.data.changes)).toEqual([['priority', 'tags']]);
  });

  it("skip a subscriber that doesn't want the event", async () => {
    const desk = await aSalesDesk(t);
    const seen = collect('picky', ['lead.created'], () => false);
    await aLead(t, desk.admin);
    await t.runJobs();
    expect(seen).toEqual([]);
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pgboss.job where name = 'event-picky'`.execute(t.db);
    expect(rows[0]!.n).toBe(0);
  });
});

describe('schedules', () => {
  it('run each slot once, however many instances tick, and the next slot when its time comes', async () => {
    // A second instance on the same database, with its own services and the same clock.
    const other = createServices({ db: t.db, clock: t.clock, config: t.config });
    const slots: string[] = [];
    for (const services of [t.services, other]) {
      services.schedules.every('hourly-review', 60, (slot) => {
        slots.push(slot.toISOString());
        return Promise.resolve();
      });
    }

    // Other modules' schedules tick too; count this schedule's claimed slots.
    const claimed = async () =>
      (
        await t.db
          .selectFrom('schedule_slots')
          .select('slot')
          .where('name', '=', 'hourly-review')
          .execute()
      ).length;
    await t.services.schedules.tick();
    expect(await claimed()).toBe(1);
    await other.schedules.tick();
    await t.services.schedules.tick();
    expect(await claimed()).toBe(1);
    await t.runJobs();
    await other.jobs.drain();
    expect(slots).toEqual(['2026-03-02T09:00:00.000Z']);

    t.clock.advance(30 * 60_000);
    await other.schedules.tick();
    expect(await claimed()).toBe(1);
    t.clock.advance(31 * 60_000);
    await other.schedules.tick();
    expect(await claimed()).toBe(2);
    await t.services.schedules.tick();
    expect(await claimed()).toBe(2);
    await other.jobs.drain();
    await t.runJobs();
    expect(slots).toEqual(['2026-03-02T09:00:00.000Z', '2026-03-02T10:00:00.000Z']);
  });
});
