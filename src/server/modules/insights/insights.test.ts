import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aLead, aSalesDesk, type Lead } from '../../../../test/support/sales-desk.js';
import {
  aMember,
  as,
  createTestApp,
  type Session,
  type TestApp,
} from '../../../../test/support/test-app.js';
import type { LeadSignalsRow } from './insights.repository.js';
import { attemptsWithoutResponse, bestTimeToCall, nextAction } from './insights.rules.js';
import type { LeadInsightsDto } from './insights.schemas.js';

let t: TestApp;
beforeAll(async () => {
  // The clock starts on Monday 2026-03-02 09:00 UTC: 10:00 in Berlin, the workspaces' zone.
  t = await createTestApp({ env: { LOGIN_MAX_PER_IP: '1000' } });
});
afterAll(async () => t.close());

const DAY = 86_400_000;

async function logActivity(
  session: Session,
  leadId: string,
  activity: { type: string; outcome?: string; direction?: string; occurredAt?: string },
) {
  t.clock.advance(1000);
  const response = await t.app.inject({
    method: 'POST',
    url: `/api/leads/${leadId}/activities`,
    headers: as(session),
    payload: activity,
  });
  expect(response.statusCode, response.body).toBe(201);
}

async function insightsOf(session: Session, leadId: string) {
  const response = await t.app.inject({
    method: 'GET',
    url: `/api/leads/${leadId}/insights`,
    headers: as(session),
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<LeadInsightsDto>();
}

const daysAgo = (days: number) => new Date(t.clock.now().getTime() - days * DAY).toISOString();

describe('best time to call', () => {
  it('falls back to the next business hour without call history, and says so', async () => {
    // Runs first: the clock is still on Monday 10:xx in Berlin, inside Monday 09:00–17:00.
    const { admin } = await aSalesDesk(t);
    const lead = await aLead(t, admin);
    const insights = await insightsOf(admin, lead.id);
    expect(insights.bestTimeToCall).toEqual({
      hourOfWeek: 10,
      label: 'Monday 10:00–11:00',
      basis: 'business_hours',
      isNow: true,
    });
  });

  it("takes the contact's answered calls by hour of week, then the workspace's", async () => {
    const { admin } = await aSalesDesk(t);
    const known = await aLead(t, admin, { title: 'Known caller' });
    // In February Berlin is UTC+1. Tuesday 14:xx: 2 answered of 3 ((2+1)/(3+2) = 0.6);
    // Wednesday 09:xx: 1 of 1 ((1+1)/(1+2) = 0.67); Thursday 18:xx: 0 of 2.
    for (const [occurredAt, outcome] of [
      ['2026-02-24T13:10:00Z', 'spoke'],
      ['2026-02-17T13:40:00Z', 'spoke'],
      ['2026-02-10T13:05:00Z', 'no_answer'],
      ['2026-02-25T08:20:00Z', 'spoke'],
      ['2026-02-26T17:30:00Z', 'no_answer'],
      ['2026-02-19T17:30:00Z', 'left_voicemail'],
      // Inbound calls say nothing about when they pick up.
      ['2026-02-20T10:00:00Z', 'spoke', 'inbound'],
    ] as const) {
      await logActivity(admin, known.id, {
        type: 'call',
        outcome,
        direction: occurredAt === '2026-02-20T10:00:00Z' ? 'inbound' : 'outbound',
        occurredAt,
      });
    }
    // A second lead of the same contact shares its history.
    const again = await aLead(t, admin, {
      title: 'Known again',
      contact: undefined,
      contactId: known.contactId,
    });
    for (const id of [known.id, again.id]) {
      expect((await insightsOf(admin, id)).bestTimeToCall).toEqual({
        hourOfWeek: 2 * 24 + 9,
        label: 'Wednesday 09:00–10:00',
        basis: 'contact',
        isNow: false,
      });
    }

    // A new contact: the workspace has 3 answered calls (fewer than 5), so business hours.
    const stranger = await aLead(t, admin, { title: 'Stranger' });
    expect((await insightsOf(admin, stranger.id)).bestTimeToCall.basis).toBe('business_hours');

    // Three more answered calls on Friday 11:xx: the workspace's best hour is Friday 11:00
    // (4/5 = 0.8 against Wednesday's 0.67 and Tuesday's 0.6).
    const other = await aLead(t, admin, { title: 'Other' });
    for (const day of ['2026-02-27', '2026-02-20', '2026-02-13']) {
      await logActivity(admin, other.id, {
        type: 'call',
        outcome: 'spoke',
        occurredAt: `${day}T10:15:00Z`,
      });
    }
    // The workspace's history is cached for 15 minutes.
    t.clock.advance(16 * 60_000);
    expect((await insightsOf(admin, stranger.id)).bestTimeToCall).toEqual({
      hourOfWeek: 4 * 24 + 11,
      label: 'Friday 11:00–12:00',
      basis: 'workspace',
      isNow: false,
    });
  });

  it('picks the next business hour from now when outside them', () => {
    const none = { contactCalls: [], workspaceCalls: [], timeZone: 'Europe/Berlin' };
    // Monday 2026-03-02 18:30 Berlin: Monday's hours are over; Tuesday opens at 08:00.
    const hours = {
      '1': [{ start: '09:00', end: '17:00' }],
      '2': [{ start: '08:00', end: '12:00' }],
    };
    const now = new Date('2026-03-02T17:30:00Z');
    expect(bestTimeToCall({ ...none, businessHours: hours, now })).toEqual({
      hourOfWeek: 24 + 8,
      label: 'Tuesday 08:00–09:00',
      basis: 'business_hours',
      isNow: false,
    });
    // No business hours set: Monday to Friday 09–17.
    expect(bestTimeToCall({ ...none, businessHours: {}, now }).label).toBe('Tuesday 09:00–10:00');
  });
});

describe('next best action', () => {
  let admin: Session;
  let lostStageId: string;
  let lostReasonId: string;
  beforeAll(async () => {
    const desk = await aSalesDesk(t);
    admin = desk.admin;
    lostReasonId = desk.lostReasonId;
    lostStageId = Object.values(desk.stage).find((s) => s.kind === 'lost')!.id;
  });

  const expectAction = async (lead: Lead, kind: string, label: string, reason?: string) => {
    const { nextAction } = await insightsOf(admin, lead.id);
    expect([nextAction.kind, nextAction.label]).toEqual([kind, label]);
    if (reason) expect(nextAction.reason).toBe(reason);
  };

  it('says "call now" for a new lead nobody has contacted', async () => {
    const lead = await aLead(t, admin);
    t.clock.advance(12 * 60_000);
    await expectAction(
      lead,
      'call_now',
      'Call now: new lead, not contacted',
      'Came in 12 minutes ago; nobody has called, emailed or texted yet.',
    );
  });

  it('counts attempts without an answer: call again, then try SMS or mark lost', async () => {
    const lead = await aLead(t, admin);
    await logActivity(admin, lead.id, { type: 'call', outcome: 'no_answer' });
    await expectAction(lead, 'call_again', 'Call again: no answer last time (attempt 2 of 3)');
    await logActivity(admin, lead.id, { type: 'email' });
    await logActivity(admin, lead.id, { type: 'call', outcome: 'left_voicemail' });
    await expectAction(
      lead,
      'try_other_channel',
      '3 attempts with no answer: try SMS or mark lost',
      '3 calls, emails or texts since they last answered.',
    );
    // An answer resets the count.
    await logActivity(admin, lead.id, { type: 'call', outcome: 'spoke' });
    await expectAction(lead, 'on_track', 'On track');
  });

  it('follows up an estimate two days after it went out, and checks in after a quiet week', async () => {
    const lead = await aLead(t, admin);
    await logActivity(admin, lead.id, { type: 'call', outcome: 'spoke', occurredAt: daysAgo(12) });
    await logActivity(admin, lead.id, {
      type: 'email',
      outcome: 'sent_proposal',
      occurredAt: daysAgo(1),
    });
    // One day is too soon to chase.
    await expectAction(lead, 'on_track', 'On track');
    const older = await aLead(t, admin);
    await logActivity(admin, older.id, { type: 'call', outcome: 'spoke', occurredAt: daysAgo(12) });
    await logActivity(admin, older.id, {
      type: 'email',
      outcome: 'sent_proposal',
      occurredAt: daysAgo(3),
    });
    await expectAction(
      older,
      'follow_up_proposal',
      'Send the estimate follow-up',
      'The proposal went out 3 days ago with no answer since.',
    );
    const quiet = await aLead(t, admin);
    await logActivity(admin, quiet.id, { type: 'call', outcome: 'spoke', occurredAt: daysAgo(10) });
    await expectAction(quiet, 'check_in', 'No touch for 10 days: check in');
  });

  it('reschedules a missed meeting, closes an accepted proposal, fixes a wrong number, rests a lost lead', async () => {
    const noShow = await aLead(t, admin);
    await logActivity(admin, noShow.id, { type: 'call', outcome: 'spoke' });
    await logActivity(admin, noShow.id, { type: 'meeting', outcome: 'no_show' });
    await expectAction(noShow, 'reschedule_meeting', 'Reschedule the missed meeting');

    const accepted = await aLead(t, admin);
    await logActivity(admin, accepted.id, { type: 'meeting', outcome: 'accepted_proposal' });
    await expectAction(accepted, 'close_won', 'Proposal accepted: mark the lead won');

    const wrong = await aLead(t, admin);
    await logActivity(admin, wrong.id, { type: 'call', outcome: 'wrong_number' });
    await expectAction(
      wrong,
      'fix_contact_details',
      'Wrong number: find the right contact details',
    );

    const lost = await aLead(t, admin);
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/leads/${lost.id}/stage`,
      headers: as(admin),
      payload: { stageId: lostStageId, lostReasonId },
    });
    expect(response.statusCode, response.body).toBeLessThan(300);
    await expectAction(lost, 'closed', 'Lost: nothing to chase');
  });

  it('flags a due follow-up and a lead stuck past its stage limit (rules)', () => {
    const now = new Date('2026-03-10T10:00:00Z');
    const base: LeadSignalsRow = {
      id: 'l',
      assignee_id: null,
      contact_id: null,
      status: 'open',
      created_at: new Date('2026-03-01T10:00:00Z'),
      stage_name: 'Qualified',
      stage_entered_at: new Date('2026-03-08T10:00:00Z'),
      max_days_in_stage: 5,
      next_follow_up_at: new Date('2026-03-10T08:00:00Z'),
      next_follow_up_type: 'call',
      touches: [
        {
          type: 'call',
          direction: 'outbound',
          outcome: 'spoke',
          occurredAt: '2026-03-08T10:00:00Z',
        },
      ],
    };
    expect(nextAction(base, now)).toEqual({
      kind: 'follow_up_due',
      label: 'Follow-up due: call',
      reason: 'It was due 2 hours ago.',
    });
    const stuck = {
      ...base,
      next_follow_up_at: null,
      stage_entered_at: new Date('2026-03-03T09:00:00Z'),
    };
    expect(nextAction(stuck, now)).toEqual({
      kind: 'move_stage',
      label: 'Stuck in Qualified for 7 days: move it on or close it',
      reason: 'The stage allows 5 days.',
    });
    // Inbound messages are answers; notes don't count as attempts.
    expect(
      attemptsWithoutResponse([
        { type: 'sms', direction: 'outbound', outcome: 'none', occurredAt: '' },
        { type: 'call', direction: 'outbound', outcome: 'no_answer', occurredAt: '' },
        { type: 'email', direction: 'inbound', outcome: 'none', occurredAt: '' },
        { type: 'call', direction: 'outbound', outcome: 'no_answer', occurredAt: '' },
      ]),
    ).toBe(2);
  });
});

describe('access', () => {
  it('answers 404 for a lead that does not exist and lets a viewer read insights', async () => {
    const { admin } = await aSalesDesk(t);
    const viewer = await aMember(t, admin, 'viewer');
    const lead = await aLead(t, admin);
    expect((await insightsOf(viewer, lead.id)).nextAction.kind).toBe('call_now');
    const unknown = await t.app.inject({
      method: 'GET',
      url: '/api/leads/00000000-0000-4000-8000-000000000000/insights',
      headers: as(admin),
    });
    expect(unknown.statusCode).toBe(404);
  });
});
