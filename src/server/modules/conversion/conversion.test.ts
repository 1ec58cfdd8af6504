import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aLead, aSalesDesk, type Lead } from '../../../../test/support/sales-desk.js';
import {
  aMember,
  as,
  createTestApp,
  type Session,
  type TestApp,
} from '../../../../test/support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const DAY = 86_400_000;

const post = (session: Session, url: string, payload?: Record<string, unknown>) => {
  t.clock.advance(1000);
  return t.app.inject({
    method: 'POST',
    url,
    headers: as(session),
    ...(payload ? { payload } : {}),
  });
};
const get = (session: Session, url: string) =>
  t.app.inject({ method: 'GET', url, headers: as(session) });

/** A sales desk (b2b: value, expected close date and a company are required to convert). */
async function aReadyLead() {
  const desk = await aSalesDesk(t);
  const agent = await aMember(t, desk.admin, 'agent', 'Alex Agent');
  const company = (await post(desk.admin, '/api/companies', { name: 'Brightside Ltd' })).json<{
    id: string;
  }>();
  const lead = await aLead(t, desk.admin, {
    title: 'Annual licence',
    value: 1_200_000,
    expectedCloseDate: '2026-04-30',
    companyId: company.id,
    assigneeId: agent.userId,
  });
  return { ...desk, agent, company, lead };
}

describe('converting a lead', () => {
  it('lists the missing required fields with 422 and changes nothing', async () => {
    const { admin } = await aSalesDesk(t);
    const lead = await aLead(t, admin, { title: 'Bare inquiry' });
    const response = await post(admin, `/api/leads/${lead.id}/convert`);
    expect(response.statusCode).toBe(422);
    expect(response.json().errors.map((e: { field: string }) => e.field)).toEqual([
      'value',
      'expectedCloseDate',
      'companyId',
    ]);
    expect((await get(admin, `/api/leads/${lead.id}`)).json()).toMatchObject({
      status: 'open',
      converted: false,
      version: lead.version,
    });
  });

  it('moves the lead to won, makes the contact a customer and the company active, and creates onboarding tasks', async () => {
    const { admin, agent, company, lead, stage } = await aReadyLead();
    const convertedAt = new Date(t.clock.now().getTime() + 1000).toISOString();
    const response = await post(agent, `/api/leads/${lead.id}/convert`);
    expect(response.statusCode, response.body).toBe(200);
    const converted = response.json<Lead & { convertedAt: string; convertedBy: string }>();
    expect(converted).toMatchObject({
      status: 'won',
      stageId: stage.won!.id,
      converted: true,
      convertedAt,
      convertedBy: agent.userId,
      nextFollowUpType: 'email',
      nextFollowUpAt: new Date(Date.parse(convertedAt) + DAY).toISOString(),
    });
    expect(response.headers.etag).toBe(`"${converted.version}"`);
    const contact = await get(admin, `/api/contacts/${lead.contactId}`);
    expect(contact.json()).toMatchObject({ lifecycleStage: 'customer' });
    expect((await get(admin, `/api/companies/${company.id}`)).json()).toMatchObject({
      status: 'active_customer',
    });
    const tasks = await get(admin, `/api/leads/${lead.id}/tasks`);
    expect(tasks.json().items).toMatchObject([
      { title: 'Send the welcome email', type: 'email', assigneeId: agent.userId },
      { title: 'Hold the kick-off meeting', type: 'meeting', assigneeId: agent.userId },
    ]);
    const detail = (await get(admin, `/api/leads/${lead.id}`)).json<{
      stageHistory: { toStageId: string; reason: string }[];
    }>();
    expect(detail.stageHistory.at(-1)).toEqual(
      expect.objectContaining({ toStageId: stage.won!.id, reason: 'Converted' }),
    );
  });

  it('locks a converted lead against edits but still takes activities and tasks', async () => {
    const { admin, lead, stage } = await aReadyLead();
    await post(admin, `/api/leads/${lead.id}/convert`);
    const edit = await t.app.inject({
      method: 'PATCH',
      url: `/api/leads/${lead.id}`,
      headers: as(admin),
      payload: { title: 'Changed' },
    });
    expect(edit.statusCode).toBe(409);
    expect(
      (await post(admin, `/api/leads/${lead.id}/stage`, { stageId: stage.new!.id })).statusCode,
    ).toBe(409);
    expect((await post(admin, `/api/leads/${lead.id}/assign`, { userId: null })).statusCode).toBe(
      409,
    );
    expect((await post(admin, `/api/leads/${lead.id}/archive`)).statusCode).toBe(409);
    expect((await post(admin, `/api/leads/${lead.id}/convert`)).statusCode).toBe(409);
    const call = await post(admin, `/api/leads/${lead.id}/activities`, {
      type: 'call',
      outcome: 'spoke',
      body: 'Kick-off booked',
    });
    expect(call.statusCode).toBe(201);
    expect(
      (await post(admin, `/api/leads/${lead.id}/tasks`, { title: 'Invoice' })).statusCode,
    ).toBe(201);
  });

  it('refuses a lost lead, a stale version and a role without lead:convert', async () => {
    const { admin, lead, lostReasonId } = await aReadyLead();
    const frontDesk = await aMember(t, admin, 'front_desk');
    expect((await post(frontDesk, `/api/leads/${lead.id}/convert`)).statusCode).toBe(403);
    const stale = await t.app.inject({
      method: 'POST',
      url: `/api/leads/${lead.id}/convert`,
      headers: { ...as(admin), 'if-match': '"999"' },
    });
    expect(stale.statusCode).toBe(412);
    await post(admin, `/api/leads/${lead.id}/lost`, { reasonId: lostReasonId });
    const lost = await post(admin, `/api/leads/${lead.id}/convert`);
    expect(lost.statusCode).toBe(409);
  });

  it('checks required custom fields of the pipeline', async () => {
    const { admin, lead, pipelineId } = await aReadyLead();
    const pipeline = (await get(admin, `/api/pipelines/${pipelineId}`)).json<{
      version: number;
      requiredForConversion: string[];
    }>();
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/pipelines/${pipelineId}`,
      headers: { ...as(admin), 'if-match': `"${pipeline.version}"` },
      payload: {
        requiredForConversion: [...pipeline.requiredForConversion, 'custom.decision_maker'],
      },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const missing = await post(admin, `/api/leads/${lead.id}/convert`);
    expect(missing.statusCode).toBe(422);
    expect(missing.json().errors).toMatchObject([{ field: 'customFields.decision_maker' }]);
    await t.app.inject({
      method: 'PATCH',
      url: `/api/leads/${lead.id}`,
      headers: as(admin),
      payload: { customFields: { decision_maker: 'Dana, CFO' } },
    });
    expect((await post(admin, `/api/leads/${lead.id}/convert`)).statusCode).toBe(200);
  });
});
