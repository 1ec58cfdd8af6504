import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aLead, aSalesDesk } from '../../../../test/support/sales-desk.js';
import { aMember, as, createTestApp, type TestApp } from '../../../../test/support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const DAY = 86_400_000;

interface Titled {
  title: string;
}

describe('my work', () => {
  it('lists my overdue and today’s tasks, follow-ups, leads not contacted and leads stuck in a stage', async () => {
    const { admin, stage } = await aSalesDesk(t);
    const agent = await aMember(t, admin, 'agent', 'Alex Agent');
    const mine = { assigneeId: agent.userId };
    // A lead that came in three days ago and stayed in "New" (2 days allowed) without contact.
    // (Sessions expire when the clock jumps days, so the lead is backdated instead.)
    const stuck = await aLead(t, admin, { ...mine, title: 'Stuck in New' });
    const threeDaysAgo = new Date(t.clock.now().getTime() - 3 * DAY);
    await t.db
      .updateTable('leads')
      .set({ created_at: threeDaysAgo, stage_entered_at: threeDaysAgo })
      .where('workspace_id', '=', admin.workspaceId)
      .where('id', '=', stuck.id)
      .execute();
    const fresh = await aLead(t, admin, { ...mine, title: 'Fresh inquiry' });
    const talking = await aLead(t, admin, { ...mine, title: 'Talking' });
    await aLead(t, admin, { title: 'Not mine' });
    t.clock.advance(1000);
    await t.app.inject({
      method: 'POST',
      url: `/api/leads/${talking.id}/activities`,
      headers: as(agent),
      payload: { type: 'call', outcome: 'spoke' },
    });
    await t.app.inject({
      method: 'POST',
      url: `/api/leads/${talking.id}/stage`,
      headers: as(agent),
      payload: { stageId: stage.contacted!.id },
    });
    const now = t.clock.now().getTime();
    const task = (title: string, leadId: string, dueAt: number) =>
      t.app.inject({
        method: 'POST',
        url: `/api/leads/${leadId}/tasks`,
        headers: as(agent),
        payload: { title, dueAt: new Date(dueAt).toISOString() },
      });
    await task('Call back (yesterday)', talking.id, now - DAY);
    await task('Send quote (in an hour)', talking.id, now + 3_600_000);
    await task('Next week', fresh.id, now + 7 * DAY);
    t.clock.advance(5 * 60_000);

    const response = await t.app.inject({ method: 'GET', url: '/api/me/work', headers: as(agent) });
    expect(response.statusCode).toBe(200);
    const work = response.json<{
      overdueTasks: (Titled & { leadTitle: string | null })[];
      todayTasks: (Titled & { leadTitle: string | null })[];
      followUps: Titled[];
      notContacted: (Titled & { minutesSinceCreated: number })[];
      pastStageLimit: Titled[];
    }>();
    expect(work.overdueTasks.map((x) => [x.title, x.leadTitle])).toEqual([
      ['Call back (yesterday)', 'Talking'],
    ]);
    expect(work.todayTasks.map((x) => [x.title, x.leadTitle])).toEqual([
      ['Send quote (in an hour)', 'Talking'],
    ]);
    expect(work.followUps.map((x) => x.title)).toEqual(['Talking', 'Fresh inquiry']);
    expect(work.notContacted.map((x) => [x.title, x.minutesSinceCreated])).toEqual([
      ['Stuck in New', 3 * 24 * 60 + 5],
      ['Fresh inquiry', 5],
    ]);
    expect(work.pastStageLimit.map((x) => x.title)).toEqual(['Stuck in New']);
  });

  it('is empty for someone with nothing assigned', async () => {
    const { admin } = await aSalesDesk(t);
    await aLead(t, admin);
    const viewer = await aMember(t, admin, 'viewer');
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/me/work',
      headers: as(viewer),
    });
    expect(response.json()).toEqual({
      overdueTasks: [],
      todayTasks: [],
      followUps: [],
      notContacted: [],
      pastStageLimit: [],
    });
  });
});

describe('today ordering by best hour to call', () => {
  it('puts the leads whose best hour to call is now first among equally due ones', async () => {
    const { admin } = await aSalesDesk(t);
    const agent = await aMember(t, admin, 'agent', 'Olga Order');
    const call = (leadId: string, occurredAt: string, outcome: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/leads/${leadId}/activities`,
        headers: as(admin),
        payload: { type: 'call', outcome, occurredAt },
      });
    // The workspace answers best on Tuesdays 14:00 Berlin (6 of 6), so that is the best hour of
    // a contact without history.
    const busy = await aLead(t, admin, { title: 'Busy history' });
    for (let week = 1; week <= 6; week += 1) {
      await call(
        busy.id,
        new Date(Date.UTC(2026, 1, 24 - 7 * (week - 1), 13, 15)).toISOString(),
        'spoke',
      );
    }
    // One contact picks up at this hour of the week (Monday 10:xx Berlin, like now), on an
    // earlier lead of theirs.
    const now = t.clock.now();
    const nowLocalHour = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Berlin',
      weekday: 'long',
      hour: '2-digit',
      hourCycle: 'h23',
    }).format(now);
    const earlier = await aLead(t, admin, { title: 'Earlier lead' });
    for (const weeksAgo of [1, 2]) {
      await call(earlier.id, new Date(now.getTime() - weeksAgo * 7 * DAY).toISOString(), 'spoke');
    }
    // Two new leads for the agent: the first (older) from a stranger, the second from that contact.
    const stranger = await aLead(t, admin, { title: 'Stranger', assigneeId: agent.userId });
    const known = await aLead(t, admin, {
      title: 'Picks up now',
      assigneeId: agent.userId,
      contact: undefined,
      contactId: earlier.contactId,
    });
    const response = await t.app.inject({ method: 'GET', url: '/api/me/work', headers: as(agent) });
    expect(response.statusCode).toBe(200);
    const work = response.json<{
      notContacted: (Titled & {
        id: string;
        insights: { bestTimeToCall: { basis: string; isNow: boolean; label: string } };
      })[];
    }>();
    expect(
      work.notContacted.map((lead) => [
        lead.title,
        lead.insights.bestTimeToCall.basis,
        lead.insights.bestTimeToCall.isNow,
      ]),
    ).toEqual([
      ['Picks up now', 'contact', true],
      ['Stranger', 'workspace', false],
    ]);
    expect(work.notContacted[0]!.insights.bestTimeToCall.label).toMatch(
      new RegExp(`^${nowLocalHour.replace(/,? /, ' ')}:00–`),
    );
    expect(work.notContacted[1]!.insights.bestTimeToCall.label).toBe('Tuesday 14:00–15:00');
    expect([stranger.id, known.id]).toContain(work.notContacted[0]!.id);
  });
});
