import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink } from '../../../../test/support/smtp-sink.js';
import {
  aMember,
  aWorkspace,
  as,
  createTestApp,
  type Session,
  type TestApp,
} from '../../../../test/support/test-app.js';

let t: TestApp;
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
beforeAll(async () => {
  sink = await startSmtpSink();
  // The clock moves by weeks here; sessions must outlive that.
  t = await createTestApp({
    env: { SMTP_URL: sink.url, SESSION_IDLE_MINUTES: '200000', SESSION_MAX_DAYS: '365' },
  });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

/** Moves the test clock forward to an instant. */
function at(iso: string) {
  const ms = Date.parse(iso) - t.clock.now().getTime();
  if (ms < 0) throw new Error(`the clock can't go back to ${iso}`);
  t.clock.advance(ms);
}

async function post(session: Session, url: string, payload: Record<string, unknown>) {
  const response = await t.app.inject({ method: 'POST', url, headers: as(session), payload });
  expect(response.statusCode, response.body).toBeLessThan(300);
  return response.json<{ id: string }>();
}

async function patchLead(session: Session, id: string, payload: Record<string, unknown>) {
  const response = await t.app.inject({
    method: 'PATCH',
    url: `/api/leads/${id}`,
    headers: as(session),
    payload,
  });
  expect(response.statusCode, response.body).toBe(200);
}

describe('scheduled reviews', () => {
  it('sends the weekly review on Monday 8:00 workspace time once, with the exact figures, in-app and by email', async () => {
    const { admin, adminEmail, workspaceId } = await aWorkspace(t, 'Maple Home Services');
    const agent = await aMember(t, admin, 'agent');
    const zone = await t.app.inject({
      method: 'PATCH',
      url: `/api/workspaces/${workspaceId}`,
      headers: as(admin),
      payload: { timeZone: 'America/New_York', currency: 'USD', locale: 'en-US' },
    });
    expect(zone.statusCode, zone.body).toBe(200);
    const pipeline = await t.app.inject({
      method: 'POST',
      url: '/api/pipelines',
      headers: as(admin),
      payload: {
        name: 'Jobs',
        stages: [{ name: 'New' }, { name: 'Won', kind: 'won' }, { name: 'Lost', kind: 'lost' }],
      },
    });
    const stages = pipeline.json<{ stages: { id: string; kind: string }[] }>().stages;
    const wonStage = stages.find((stage) => stage.kind === 'won')!.id;
    const reason = await post(admin, '/api/lost-reasons', { name: 'Too expensive' });
    const lead = (title: string, extra: Record<string, unknown> = {}) =>
      post(admin, '/api/leads', { title, ...extra });

    at('2026-03-02T15:00:00Z');
    const a = await lead('Roof A', { assigneeId: admin.userId, value: 10_000 });
    await patchLead(admin, a.id, { contactStatus: 'follow_up_needed' });
    at('2026-03-04T15:00:00Z');
    const f = await lead('Gutters F', { assigneeId: admin.userId });
    await patchLead(admin, f.id, { contactStatus: 'follow_up_needed' });
    // The week under review: Monday 9 March to Monday 16 March, New York time (EDT since the 8th).
    at('2026-03-10T15:00:00Z');
    const b = await lead('Deck B', { value: 200_000 });
    at('2026-03-11T15:00:00Z');
    await post(admin, `/api/leads/${b.id}/stage`, { stageId: wonStage });
    at('2026-03-12T15:00:00Z');
    const c = await lead('Fence C', { value: 50_000 });
    at('2026-03-13T15:00:00Z');
    await post(admin, `/api/leads/${c.id}/lost`, { reasonId: reason.id });
    at('2026-03-13T16:00:00Z');
    const d = await lead('Kitchen D', { value: 300_000 });
    await patchLead(admin, d.id, { contactStatus: 'proposal_sent' });
    // Sunday 23:30 in New York (Monday 03:30 UTC): still this week there.
    at('2026-03-16T03:30:00Z');
    await lead('Porch G');
    // Monday 00:30 in New York: next week.
    at('2026-03-16T04:30:00Z');
    await lead('Window E');
    await post(admin, '/api/tasks', {
      title: 'Call back about the roof',
      dueAt: '2026-03-16T14:00:00Z',
      assigneeId: admin.userId,
    });

    const weeklyOf = () =>
      t.db
        .selectFrom('notifications')
        .select(['user_id', 'title', 'body'])
        .where('workspace_id', '=', workspaceId)
        .where('kind', '=', 'review.weekly')
        .execute();

    // 7:50 in New York: the daily review is out, the weekly one not yet.
    at('2026-03-16T11:50:00Z');
    await t.runSchedules();
    expect(await weeklyOf()).toEqual([]);
    const daily = await t.db
      .selectFrom('notifications')
      .select(['user_id', 'title', 'body'])
      .where('workspace_id', '=', workspaceId)
      .where('kind', '=', 'review.daily')
      .execute();
    expect(daily.map((n) => [n.user_id, n.title])).toEqual([
      [admin.userId, 'Your day: 1 follow-up, 2 stale leads'],
    ]);
    expect(daily[0]!.body).toContain('Roof A: no activity in 13 days, last touch: Mar 2, 2026');

    at('2026-03-16T12:05:00Z');
    await t.runSchedules();
    const weekly = await weeklyOf();
    // Admins and managers get it; the agent doesn't.
    expect(weekly.map((n) => n.user_id)).toEqual([admin.userId]);
    expect(weekly[0]!.title).toBe('Weekly review 2026-W11: 4 new, 1 won, 1 lost');
    expect(weekly[0]!.body).toContain('Proposals out: 1, worth $3,000.00');
    expect(weekly[0]!.body).toContain('Leads in follow-up: 2 (average age 12.9 days)');
    expect(weekly[0]!.body).toContain('Won this week: 1, worth $2,000.00');
    expect(weekly[0]!.body).toContain('Lost this week: 1, worth $500.00');
    expect(weekly[0]!.body).toContain('Oldest open lead: Roof A (13 days');

    const onDemand = await t.app.inject({
      method: 'GET',
      url: '/api/reviews/weekly',
      headers: as(admin),
    });
    expect(onDemand.json()).toMatchObject({
      period: '2026-W11',
      from: '2026-03-09T04:00:00.000Z',
      to: '2026-03-16T04:00:00.000Z',
      newLeads: 4,
      inFollowUp: { count: 2, averageAgeDays: 12.9 },
      proposalsOut: { count: 1, value: 300_000 },
      won: { count: 1, value: 200_000 },
      lost: { count: 1, value: 50_000 },
      oldestOpenLead: { leadId: a.id, title: 'Roof A', ageDays: 13 },
    });
    const agentDenied = await t.app.inject({
      method: 'GET',
      url: '/api/reviews/weekly',
      headers: as(agent),
    });
    expect(agentDenied.statusCode).toBe(403);

    // The emails went out after commit, through the SMTP server.
    await t.runJobs();
    const mails = sink.received.filter((mail) => mail.to.includes(adminEmail));
    expect(mails.map((mail) => mail.subject).sort()).toEqual([
      'Monthly review 2026-02: 0 won, 0 lost',
      'Weekly review 2026-W11: 4 new, 1 won, 1 lost',
      'Your day: 1 follow-up, 2 stale leads',
    ]);
    expect(mails.find((m) => m.subject.startsWith('Weekly'))!.raw).toContain(
      'New leads this week: 4',
    );

    // A later tick (or another instance) sends nothing again.
    at('2026-03-16T12:20:00Z');
    await t.runSchedules();
    await t.runJobs();
    expect(await weeklyOf()).toHaveLength(1);
    expect(sink.received.filter((mail) => mail.to.includes(adminEmail))).toHaveLength(3);
    const delivered = await t.db
      .selectFrom('review_deliveries')
      .select(['kind', 'period', 'emailed'])
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', admin.userId)
      .orderBy('kind')
      .execute();
    expect(delivered).toEqual([
      { kind: 'daily', period: '2026-03-16', emailed: true },
      { kind: 'monthly', period: '2026-02', emailed: true },
      { kind: 'weekly', period: '2026-W11', emailed: true },
    ]);
  });

  it('sums the month: win/loss by outcome, top sources and average days to close', async () => {
    const { admin, workspaceId } = await aWorkspace(t, 'Bright Smiles');
    const pipeline = await t.app.inject({
      method: 'POST',
      url: '/api/pipelines',
      headers: as(admin),
      payload: {
        name: 'Patients',
        stages: [{ name: 'New' }, { name: 'Won', kind: 'won' }, { name: 'Lost', kind: 'lost' }],
      },
    });
    const wonStage = pipeline
      .json<{ stages: { id: string; kind: string }[] }>()
      .stages.find((stage) => stage.kind === 'won')!.id;
    const reason = await post(admin, '/api/lost-reasons', { name: 'Chose a competitor' });
    const source = await post(admin, '/api/lead-sources', {
      name: 'Dentist referral',
      category: 'doctor_referral',
    });
    // March in Berlin (the test workspaces' zone); the clock is past mid-March already.
    at('2026-03-20T10:00:00Z');
    const x = await post(admin, '/api/leads', { title: 'X', value: 400_000, sourceId: source.id });
    const y = await post(admin, '/api/leads', { title: 'Y', value: 100_000, sourceId: source.id });
    const z = await post(admin, '/api/leads', { title: 'Z', value: 70_000 });
    at('2026-03-23T10:00:00Z');
    await post(admin, `/api/leads/${x.id}/stage`, { stageId: wonStage });
    at('2026-03-26T10:00:00Z');
    await post(admin, `/api/leads/${y.id}/stage`, { stageId: wonStage });
    await post(admin, `/api/leads/${z.id}/lost`, { reasonId: reason.id });

    const response = await t.app.inject({
      method: 'GET',
      url: '/api/reviews/monthly?period=current',
      headers: as(admin),
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      period: '2026-03',
      won: { count: 2, value: 500_000 },
      lost: { count: 1, value: 70_000, byReason: [{ reason: 'Chose a competitor', count: 1 }] },
      topSources: [
        { sourceId: source.id, name: 'Dentist referral', leads: 2, won: 2 },
        { sourceId: null, leads: 1, won: 0 },
      ],
      // (3 + 6) / 2 days
      averageDaysToClose: 4.5,
    });
    expect(response.json<{ winRate: number }>().winRate).toBeCloseTo(2 / 3);
    expect(workspaceId).toBeTruthy();
  });
});
