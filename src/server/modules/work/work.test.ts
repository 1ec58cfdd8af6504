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
