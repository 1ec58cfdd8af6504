import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aLead, aSalesDesk, type Lead } from '../../../../test/support/sales-desk.js';
import {
  aMember,
  as,
  createTestApp,
  type Session,
  type TestApp,
} from '../../../../test/support/test-app.js';
import { nextContactStatus, type Touch } from './activities.touch.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

interface Activity {
  id: string;
  type: string;
  direction: string | null;
  outcome: string;
  subject: string;
  details: Record<string, unknown>;
  leadId: string | null;
  contactId: string | null;
}

const log = (session: Session, lead: { id: string }, payload: Record<string, unknown>) => {
  t.clock.advance(60_000);
  return t.app.inject({
    method: 'POST',
    url: `/api/leads/${lead.id}/activities`,
    headers: as(session),
    payload,
  });
};

const getLead = async (session: Session, lead: { id: string }) =>
  (
    await t.app.inject({ method: 'GET', url: `/api/leads/${lead.id}`, headers: as(session) })
  ).json<Lead>();

const timeline = async (session: Session, lead: { id: string }) =>
  (
    await t.app.inject({
      method: 'GET',
      url: `/api/leads/${lead.id}/activities`,
      headers: as(session),
    })
  ).json<{ items: Activity[] }>().items;

describe('contact status after a touch', () => {
  const call = (outcome: Touch['outcome']): Touch => ({
    type: 'call',
    direction: 'outbound',
    outcome,
  });

  it.each([
    ['not_contacted', call('spoke'), 1, 'contacted'],
    ['contacted', call('spoke'), 1, 'in_discussion'],
    ['not_contacted', call('no_answer'), 1, 'not_contacted'],
    ['not_contacted', call('left_voicemail'), 1, 'contacted'],
    ['not_contacted', call('no_answer'), 3, 'no_response'],
    ['contacted', call('left_voicemail'), 3, 'no_response'],
    ['in_discussion', call('no_answer'), 1, 'follow_up_needed'],
    ['no_response', { type: 'email', direction: 'inbound', outcome: 'none' }, 0, 'contacted'],
    ['in_discussion', call('sent_proposal'), 0, 'proposal_sent'],
    ['proposal_sent', call('accepted_proposal'), 0, 'in_discussion'],
    ['contacted', { type: 'meeting', direction: null, outcome: 'no_show' }, 0, 'follow_up_needed'],
    ['contacted', { type: 'note', direction: null, outcome: 'none' }, 0, 'contacted'],
  ] as const)('%s + %o (%i unanswered in a row) → %s', (current, touch, inARow, expected) => {
    expect(nextContactStatus(current, touch, inARow)).toBe(expected);
  });
});

describe('logging activities on a lead', () => {
  it('updates last contact, attempts and status from a call, and lists the timeline newest first', async () => {
    const { admin } = await aSalesDesk(t);
    const lead = await aLead(t, admin);
    const response = await log(admin, lead, {
      type: 'call',
      outcome: 'spoke',
      body: 'Wants a quote for 12 seats',
      durationMinutes: 7,
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      type: 'call',
      direction: 'outbound',
      outcome: 'spoke',
      leadId: lead.id,
      contactId: lead.contactId,
    });
    const after = await getLead(admin, lead);
    expect(after).toMatchObject({
      contactStatus: 'contacted',
      contactAttempts: 1,
      lastContactMethod: 'call',
      lastContactNotes: 'Wants a quote for 12 seats',
      lastContactAt: response.json<{ occurredAt: string }>().occurredAt,
      version: lead.version + 1,
    });
    await log(admin, lead, { type: 'note', body: 'Prefers mornings' });
    const items = await timeline(admin, lead);
    expect(items.map((a) => a.type)).toEqual(['note', 'call', 'system']);
    // A note is not a touch: the last contact stays the call.
    expect((await getLead(admin, lead)).lastContactMethod).toBe('call');
  });

  it('marks a lead "no response" after three unanswered attempts in a row', async () => {
    const { admin } = await aSalesDesk(t);
    const lead = await aLead(t, admin);
    await log(admin, lead, { type: 'call', outcome: 'no_answer' });
    await log(admin, lead, { type: 'call', outcome: 'no_answer' });
    expect((await getLead(admin, lead)).contactStatus).toBe('not_contacted');
    await log(admin, lead, { type: 'sms', body: 'Tried to reach you' });
    const after = await getLead(admin, lead);
    expect(after).toMatchObject({ contactStatus: 'no_response', contactAttempts: 3 });
    // They write back: contacted again, and the count of attempts stays.
    await log(admin, lead, { type: 'email', direction: 'inbound', subject: 'Re: your call' });
    expect(await getLead(admin, lead)).toMatchObject({
      contactStatus: 'contacted',
      contactAttempts: 3,
    });
  });

  it('keeps the latest touch as last contact when an older one is logged afterwards', async () => {
    const { admin } = await aSalesDesk(t);
    const lead = await aLead(t, admin);
    const recent = await log(admin, lead, { type: 'call', outcome: 'spoke', body: 'recent' });
    await log(admin, lead, {
      type: 'meeting',
      body: 'last week',
      occurredAt: new Date(t.clock.now().getTime() - 7 * 86_400_000).toISOString(),
    });
    expect(await getLead(admin, lead)).toMatchObject({
      lastContactAt: recent.json<{ occurredAt: string }>().occurredAt,
      lastContactNotes: 'recent',
    });
  });

  it('schedules the next step as a task that becomes the lead’s next follow-up', async () => {
    const { admin } = await aSalesDesk(t);
    const lead = await aLead(t, admin);
    const dueAt = '2026-03-05T08:00:00.000Z';
    await log(admin, lead, {
      type: 'call',
      outcome: 'spoke',
      nextStep: 'Send the price list',
      followUp: { dueAt, type: 'email' },
    });
    expect(await getLead(admin, lead)).toMatchObject({
      nextFollowUpAt: dueAt,
      nextFollowUpType: 'email',
    });
    const tasks = await t.app.inject({
      method: 'GET',
      url: `/api/leads/${lead.id}/tasks`,
      headers: as(admin),
    });
    expect(tasks.json().items).toMatchObject([
      { title: 'Send the price list', type: 'email', dueAt, assigneeId: admin.userId },
    ]);
  });

  it('writes stage changes and assignments on the timeline by itself', async () => {
    const { admin, stage } = await aSalesDesk(t);
    const agent = await aMember(t, admin, 'agent', 'Alex Agent');
    const lead = await aLead(t, admin);
    t.clock.advance(1000);
    await t.app.inject({
      method: 'POST',
      url: `/api/leads/${lead.id}/stage`,
      headers: as(admin),
      payload: { stageId: stage.contacted!.id },
    });
    t.clock.advance(1000);
    await t.app.inject({
      method: 'POST',
      url: `/api/leads/${lead.id}/assign`,
      headers: as(admin),
      payload: { userId: agent.userId },
    });
    const items = await timeline(admin, lead);
    expect(items.slice(0, 2)).toMatchObject([
      {
        type: 'assignment_change',
        details: { fromUserId: null, toUserId: agent.userId },
      },
      {
        type: 'stage_change',
        subject: `${stage.new!.name} → ${stage.contacted!.name}`,
        details: { fromStageId: stage.new!.id, toStageId: stage.contacted!.id },
      },
    ]);
  });

  it('refuses server-only types, unknown outcomes, and logging on an archived lead', async () => {
    const { admin } = await aSalesDesk(t);
    const lead = await aLead(t, admin);
    const systemType = await log(admin, lead, { type: 'stage_change' });
    expect(systemType.statusCode).toBe(422);
    const outcome = await log(admin, lead, { type: 'call', outcome: 'maybe' });
    expect(outcome.statusCode).toBe(422);
    await t.app.inject({
      method: 'POST',
      url: `/api/leads/${lead.id}/archive`,
      headers: as(admin),
    });
    const archived = await log(admin, lead, { type: 'call', outcome: 'spoke' });
    expect(archived.statusCode).toBe(409);
    expect(await timeline(admin, lead)).toHaveLength(1);
  });

  it('lets a viewer read the timeline but not write to it', async () => {
    const { admin } = await aSalesDesk(t);
    const viewer = await aMember(t, admin, 'viewer');
    const lead = await aLead(t, admin);
    expect((await log(viewer, lead, { type: 'note', body: 'x' })).statusCode).toBe(403);
    expect(await timeline(viewer, lead)).toHaveLength(1);
  });
});

describe('contact timelines', () => {
  it('shows a contact’s own notes and its leads’ activities', async () => {
    const { admin } = await aSalesDesk(t);
    const lead = await aLead(t, admin);
    await log(admin, lead, { type: 'call', outcome: 'spoke' });
    t.clock.advance(1000);
    const note = await t.app.inject({
      method: 'POST',
      url: `/api/contacts/${lead.contactId}/activities`,
      headers: as(admin),
      payload: { type: 'note', body: 'Met at the fair' },
    });
    expect(note.statusCode).toBe(201);
    expect(note.json()).toMatchObject({ leadId: null, contactId: lead.contactId });
    const items = (
      await t.app.inject({
        method: 'GET',
        url: `/api/contacts/${lead.contactId}/activities?limit=2`,
        headers: as(admin),
      })
    ).json<{ items: Activity[]; nextCursor: string }>();
    expect(items.items.map((a) => a.type)).toEqual(['note', 'call']);
    const next = await t.app.inject({
      method: 'GET',
      url: `/api/contacts/${lead.contactId}/activities?limit=2&cursor=${items.nextCursor}`,
      headers: as(admin),
    });
    expect(next.json<{ items: Activity[] }>().items.map((a) => a.type)).toEqual(['system']);
  });
});
