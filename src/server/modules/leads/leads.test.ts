import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as repo from './leads.repository.js';
import {
  aMember,
  aWorkspace,
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

interface Stage {
  id: string;
  slug: string;
  kind: string;
  probability: number;
}
interface Lead {
  id: string;
  title: string;
  version: number;
  stageId: string;
  status: string;
  probability: number;
  currency: string;
  contactId: string | null;
  assigneeId: string | null;
  archived: boolean;
  lostReasonId: string | null;
}

/** A workspace with the b2b preset (Sales: new → … → won / lost), its stages by slug. */
async function aSalesDesk() {
  const { admin } = await aWorkspace(t);
  await t.app.inject({ method: 'POST', url: '/api/presets/b2b/apply', headers: as(admin) });
  const pipelines = await t.app.inject({
    method: 'GET',
    url: '/api/pipelines',
    headers: as(admin),
  });
  const pipeline = pipelines.json<{ items: { id: string; stages: Stage[] }[] }>().items[0]!;
  const stage = Object.fromEntries(pipeline.stages.map((s) => [s.slug, s])) as Record<
    string,
    Stage
  >;
  const reasons = await t.app.inject({
    method: 'GET',
    url: '/api/lost-reasons',
    headers: as(admin),
  });
  const lostReasonId = reasons.json<{ items: { id: string }[] }>().items[0]!.id;
  return { admin, pipelineId: pipeline.id, stage, lostReasonId };
}

const createLead = (session: Session, payload: Record<string, unknown>) => {
  t.clock.advance(1000);
  return t.app.inject({ method: 'POST', url: '/api/leads', headers: as(session), payload });
};

// The test clock stands still; each action moves it a second on, so histories have an order.
const act = (
  session: Session,
  lead: { id: string },
  action: string,
  payload: Record<string, unknown>,
) => {
  t.clock.advance(1000);
  return t.app.inject({
    method: 'POST',
    url: `/api/leads/${lead.id}/${action}`,
    headers: as(session),
    payload,
  });
};

describe('creating leads', () => {
  it('creates a lead with a new contact at the first stage of the default pipeline', async () => {
    const { admin, pipelineId, stage } = await aSalesDesk();
    const response = await createLead(admin, {
      contact: {
        firstName: 'Greta',
        lastName: 'Holm',
        emails: ['greta@holm.example'],
        phones: ['040 1234567'],
      },
      value: 1_250_000,
    });
    expect(response.statusCode).toBe(201);
    const lead = response.json<Lead>();
    expect(lead).toMatchObject({
      title: 'Greta Holm',
      stageId: stage.new!.id,
      status: 'open',
      probability: stage.new!.probability,
      currency: 'EUR',
      version: 1,
    });
    expect(response.headers.etag).toBe('"1"');
    const detail = await t.app.inject({
      method: 'GET',
      url: `/api/leads/${lead.id}`,
      headers: as(admin),
    });
    expect(detail.json()).toMatchObject({
      pipelineId,
      contact: { name: 'Greta Holm', phones: [{ e164: '+49401234567' }] },
      stage: { slug: 'new' },
      stageHistory: [{ fromStageId: null, toStageId: stage.new!.id }],
      daysInStage: 0,
    });
  });

  it('answers a known contact email with 409 and candidates; linking the contact works', async () => {
    const { admin } = await aSalesDesk();
    const first = (
      await createLead(admin, { contact: { firstName: 'Ida', emails: ['ida@example.de'] } })
    ).json<Lead>();
    const again = await createLead(admin, {
      contact: { firstName: 'Ida B.', emails: ['IDA@example.de'] },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().candidates).toEqual([
      { id: first.contactId, name: 'Ida', matchedOn: ['email:ida@example.de'] },
    ]);
    const linked = await createLead(admin, { contactId: first.contactId, title: 'Second inquiry' });
    expect(linked.json<Lead>().contactId).toBe(first.contactId);
    const leads = await t.app.inject({ method: 'GET', url: '/api/leads', headers: as(admin) });
    expect(leads.json().items).toHaveLength(2);
  });

  it('refuses a stage of another pipeline, an unknown assignee and a fraction of a cent', async () => {
    const { admin } = await aSalesDesk();
    const response = await createLead(admin, {
      title: 'X',
      stageId: '00000000-0000-4000-8000-000000000000',
      assigneeId: '00000000-0000-4000-8000-000000000001',
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors[0].field).toBe('assigneeId');
    const stage = await createLead(admin, {
      title: 'X',
      stageId: '00000000-0000-4000-8000-000000000000',
    });
    expect(stage.json().errors).toEqual([{ field: 'stageId', message: expect.any(String) }]);
    const cents = await createLead(admin, { title: 'X', value: 10.5 });
    expect(cents.statusCode).toBe(422);
  });
});

describe('moving leads through the pipeline', () => {
  it('moves forward freely, back only with a reason, and to lost only with a lost reason', async () => {
    const { admin, stage, lostReasonId } = await aSalesDesk();
    const lead = (await createLead(admin, { title: 'Fleet renewal' })).json<Lead>();
    const forward = await act(admin, lead, 'stage', { stageId: stage.proposal!.id });
    expect(forward.json<Lead>()).toMatchObject({
      stageId: stage.proposal!.id,
      probability: stage.proposal!.probability,
    });
    const back = await act(admin, lead, 'stage', { stageId: stage.contacted!.id });
    expect(back.statusCode).toBe(422);
    expect(back.json().errors[0].field).toBe('reason');
    const backWithReason = await act(admin, lead, 'stage', {
      stageId: stage.contacted!.id,
      reason: 'Budget not approved yet',
    });
    expect(backWithReason.statusCode).toBe(200);
    const lostNoReason = await act(admin, lead, 'stage', { stageId: stage.lost!.id });
    expect(lostNoReason.json().errors[0].field).toBe('lostReasonId');
    const lost = await act(admin, lead, 'stage', { stageId: stage.lost!.id, lostReasonId });
    expect(lost.json<Lead>()).toMatchObject({ status: 'lost', probability: 0, lostReasonId });
    const detail = await t.app.inject({
      method: 'GET',
      url: `/api/leads/${lead.id}`,
      headers: as(admin),
    });
    expect(detail.json().stageHistory.map((h: { reason: string }) => h.reason)).toEqual([
      '',
      '',
      'Budget not approved yet',
      '',
    ]);
  });

  it('never moves back in a forward-only pipeline, except to lost', async () => {
    const { admin } = await aWorkspace(t);
    await t.app.inject({
      method: 'POST',
      url: '/api/presets/orthodontics/apply',
      headers: as(admin),
    });
    const pipeline = (
      await t.app.inject({ method: 'GET', url: '/api/pipelines', headers: as(admin) })
    ).json().items[0];
    const stages: Stage[] = pipeline.stages;
    const lead = (
      await createLead(admin, { contact: { firstName: 'Tim', lastName: 'Kind' } })
    ).json<Lead>();
    await act(admin, lead, 'stage', { stageId: stages[3]!.id });
    const back = await act(admin, lead, 'stage', { stageId: stages[1]!.id, reason: 'Please' });
    expect(back.statusCode).toBe(422);
    expect(back.json().errors[0].message).toContain('only moves forward');
    const reasons = await t.app.inject({
      method: 'GET',
      url: '/api/lost-reasons',
      headers: as(admin),
    });
    const lost = await act(admin, lead, 'lost', {
      reasonId: reasons.json().items[0].id,
      notes: 'Chose Dr. Z',
    });
    expect(lost.json<Lead>().status).toBe('lost');
  });

  it('keeps an overridden probability across stage moves until it is reset', async () => {
    const { admin, stage } = await aSalesDesk();
    const lead = (await createLead(admin, { title: 'Big one', probability: 33 })).json<Lead>();
    const moved = (await act(admin, lead, 'stage', { stageId: stage.qualified!.id })).json<Lead>();
    expect(moved.probability).toBe(33);
    const reset = await t.app.inject({
      method: 'PATCH',
      url: `/api/leads/${lead.id}`,
      headers: as(admin),
      payload: { probability: null },
    });
    expect(reset.json<Lead>().probability).toBe(stage.qualified!.probability);
  });

  it('will not archive a stage that still has leads', async () => {
    const { admin, pipelineId, stage } = await aSalesDesk();
    await createLead(admin, { title: 'Holding the stage' });
    const response = await t.app.inject({
      method: 'DELETE',
      url: `/api/pipelines/${pipelineId}/stages/${stage.new!.id}`,
      headers: as(admin),
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().detail).toContain('1 lead(s)');
  });
});

describe('changing leads', () => {
  it('catches a stale If-Match with 412 and archives instead of deleting', async () => {
    const { admin } = await aSalesDesk();
    const lead = (await createLead(admin, { title: 'Kitchen remodel' })).json<Lead>();
    const first = await t.app.inject({
      method: 'PATCH',
      url: `/api/leads/${lead.id}`,
      headers: { ...as(admin), 'if-match': '"1"' },
      payload: { value: 500_000, priority: 'high' },
    });
    expect(first.statusCode).toBe(200);
    expect(first.headers.etag).toBe('"2"');
    const stale = await t.app.inject({
      method: 'PATCH',
      url: `/api/leads/${lead.id}`,
      headers: { ...as(admin), 'if-match': '"1"' },
      payload: { value: 1 },
    });
    expect(stale.statusCode).toBe(412);
    const deleted = await t.app.inject({
      method: 'DELETE',
      url: `/api/leads/${lead.id}`,
      headers: as(admin),
    });
    expect(deleted.json<Lead>().archived).toBe(true);
    const list = await t.app.inject({ method: 'GET', url: '/api/leads', headers: as(admin) });
    expect(list.json().items).toEqual([]);
    const edit = await t.app.inject({
      method: 'PATCH',
      url: `/api/leads/${lead.id}`,
      headers: as(admin),
      payload: { title: 'Y' },
    });
    expect(edit.statusCode).toBe(409);
    const restored = await act(admin, lead, 'restore', {});
    expect(restored.json<Lead>()).toMatchObject({
      archived: false,
      title: 'Kitchen remodel',
      version: 4,
    });
  });

  it('shows an archived contact as a placeholder on the lead', async () => {
    const { admin } = await aSalesDesk();
    const lead = (
      await createLead(admin, { contact: { firstName: 'Old', lastName: 'Contact' } })
    ).json<Lead>();
    await t.app.inject({
      method: 'DELETE',
      url: `/api/contacts/${lead.contactId}`,
      headers: as(admin),
    });
    const detail = await t.app.inject({
      method: 'GET',
      url: `/api/leads/${lead.id}`,
      headers: as(admin),
    });
    expect(detail.json().contact).toEqual({ id: lead.contactId, deleted: true });
  });
});

describe('assignment and who sees what', () => {
  it('assigns with lead:assign only, to active members only', async () => {
    const { admin } = await aSalesDesk();
    const agent = await aMember(t, admin, 'agent');
    const lead = (await createLead(admin, { title: 'Inbound call' })).json<Lead>();
    expect((await act(agent, lead, 'assign', { userId: agent.userId })).statusCode).toBe(403);
    const assigned = await act(admin, lead, 'assign', { userId: agent.userId });
    expect(assigned.json<Lead>().assigneeId).toBe(agent.userId);
    const stranger = await act(admin, lead, 'assign', {
      userId: '00000000-0000-4000-8000-000000000000',
    });
    expect(stranger.statusCode).toBe(422);
    const audit = await t.app.inject({
      method: 'GET',
      url: `/api/audit-log?entityType=lead&entityId=${lead.id}&action=lead.assigned`,
      headers: as(admin),
    });
    expect(audit.json().items[0].changes.assigneeId).toEqual({ before: null, after: agent.userId });
  });

  it('filters by assignee (me, none) and stage, and searches by phone as typed', async () => {
    const { admin, stage } = await aSalesDesk();
    const mine = (
      await createLead(admin, {
        title: 'Mine',
        assigneeId: admin.userId,
        contact: { firstName: 'P', phones: ['0151 22223333'] },
      })
    ).json<Lead>();
    const open = (await createLead(admin, { title: 'Nobody' })).json<Lead>();
    await act(admin, open, 'stage', { stageId: stage.qualified!.id });
    const titles = async (query: string) =>
      (await t.app.inject({ method: 'GET', url: `/api/leads?${query}`, headers: as(admin) }))
        .json<{ items: Lead[] }>()
        .items.map((l) => l.title);
    expect(await titles('assigneeId=me')).toEqual(['Mine']);
    expect(await titles('assigneeId=none')).toEqual(['Nobody']);
    expect(await titles(`stageId=${stage.qualified!.id}`)).toEqual(['Nobody']);
    expect(await titles(`q=${encodeURIComponent('+49 151 22223333')}`)).toEqual(['Mine']);
    expect(await titles('limit=1')).toEqual(['Nobody']);
    void mine;
  });

  it('limits agents to their own leads when the workspace says so', async () => {
    const { admin } = await aSalesDesk();
    const agent = await aMember(t, admin, 'agent');
    const theirs = (
      await createLead(admin, { title: 'For the agent', assigneeId: agent.userId })
    ).json<Lead>();
    const other = (await createLead(admin, { title: 'Someone else' })).json<Lead>();
    await t.app.inject({
      method: 'PATCH',
      url: `/api/workspaces/${admin.workspaceId}`,
      headers: as(admin),
      payload: { agentsOwnLeadsOnly: true },
    });
    const list = await t.app.inject({ method: 'GET', url: '/api/leads', headers: as(agent) });
    expect(list.json<{ items: Lead[] }>().items.map((l) => l.id)).toEqual([theirs.id]);
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/leads/${other.id}`, headers: as(agent) }))
        .statusCode,
    ).toBe(404);
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/leads/${theirs.id}`, headers: as(agent) }))
        .statusCode,
    ).toBe(200);
  });
});

describe('finding leads', () => {
  type Listed = { items: (Lead & { value: number })[]; nextCursor: string | null; total?: number };
  const list = async (session: Session, query: string) => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/leads?${query}`,
      headers: as(session),
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<Listed>();
  };
  const titles = async (session: Session, query: string) =>
    (await list(session, query)).items.map((lead) => lead.title);

  it('searches words as prefixes over title, company, contact names and email, and phone numbers', async () => {
    const { admin } = await aSalesDesk();
    const company = await t.app.inject({
      method: 'POST',
      url: '/api/companies',
      headers: as(admin),
      payload: { name: 'Nordlicht Logistik' },
    });
    await createLead(admin, {
      title: 'Fleet renewal',
      contact: { firstName: 'Jonas', lastName: 'Brandt', emails: ['j.brandt@kuestenbau.de'] },
    });
    await createLead(admin, { title: 'Warehouse scanners', companyName: 'Hafenwerk GmbH' });
    await createLead(admin, {
      title: 'Office move',
      companyId: company.json<{ id: string }>().id,
      contact: { firstName: 'Mira', lastName: 'Sommer', phones: ['040 555 1234'] },
    });
    expect(await titles(admin, 'q=bran')).toEqual(['Fleet renewal']);
    expect(await titles(admin, 'q=kuestenbau')).toEqual(['Fleet renewal']);
    expect(await titles(admin, 'q=jonas%20brandt')).toEqual(['Fleet renewal']);
    expect(await titles(admin, 'q=hafen')).toEqual(['Warehouse scanners']);
    expect(await titles(admin, 'q=nordlicht')).toEqual(['Office move']);
    expect(await titles(admin, 'q=%2B49%2040%205551234')).toEqual(['Office move']);
    expect(await titles(admin, 'q=040-555-1234')).toEqual(['Office move']);
    expect(await titles(admin, 'q=jonas%20sommer')).toEqual([]);
    // One or two letters match whole words only; from three letters on, beginnings of words.
    expect(await titles(admin, 'q=jo')).toEqual([]);
    expect(await titles(admin, 'q=jon')).toEqual(['Fleet renewal']);

    // A page filled within the walked window, and one that needs every match from the index.
    await createLead(admin, { title: 'Solar roof north' });
    await createLead(admin, { title: 'Solar roof south' });
    const page = async (words: string[], limit: number) =>
      (
        await repo.listLeads(
          t.db,
          admin.workspaceId,
          { words, includeArchived: false, now: t.clock.now(), timeZone: 'UTC' },
          { sort: { key: 'createdAt', isDescending: true }, limit },
        )
      ).map((lead) => lead.title);
    expect(await page(['sol'], 1)).toEqual(['Solar roof south', 'Solar roof north']);
    expect(await page(['sol'], 5)).toEqual(['Solar roof south', 'Solar roof north']);
    expect(await page(['roof', 'nor'], 5)).toEqual(['Solar roof north']);
    expect(await page(['nobody'], 5)).toEqual([]);
  });

  it("finds a lead by its contact's and company's new names once they change", async () => {
    const { admin } = await aSalesDesk();
    const company = (
      await t.app.inject({
        method: 'POST',
        url: '/api/companies',
        headers: as(admin),
        payload: { name: 'Alpenblick Hotels' },
      })
    ).json<{ id: string; version: number }>();
    const lead = (
      await createLead(admin, {
        title: 'Spa renovation',
        companyId: company.id,
        contact: { firstName: 'Greta', lastName: 'Holm', emails: ['greta@holm.example'] },
      })
    ).json<{ contactId: string }>();
    const contact = (
      await t.app.inject({
        method: 'GET',
        url: `/api/contacts/${lead.contactId}`,
        headers: as(admin),
      })
    ).json<{ version: number }>();
    const renamed = await t.app.inject({
      method: 'PATCH',
      url: `/api/contacts/${lead.contactId}`,
      headers: { ...as(admin), 'if-match': `"${contact.version}"` },
      payload: { lastName: 'Lindqvist', emails: ['greta@lindqvist.example'] },
    });
    expect(renamed.statusCode).toBe(200);
    expect(await titles(admin, 'q=lindqvist')).toEqual(['Spa renovation']);
    expect(await titles(admin, 'q=holm')).toEqual([]);
    expect(await titles(admin, 'q=greta')).toEqual(['Spa renovation']);

    const companyRenamed = await t.app.inject({
      method: 'PATCH',
      url: `/api/companies/${company.id}`,
      headers: { ...as(admin), 'if-match': `"${company.version}"` },
      payload: { name: 'Seeblick Resorts' },
    });
    expect(companyRenamed.statusCode).toBe(200);
    expect(await titles(admin, 'q=seeblick')).toEqual(['Spa renovation']);
    expect(await titles(admin, 'q=alpenblick')).toEqual([]);
  });

  it('sorts by value, expected close date (empty last) and days in stage, paging with the sort', async () => {
    const { admin } = await aSalesDesk();
    await createLead(admin, { title: 'small', value: 100, expectedCloseDate: '2026-06-01' });
    await createLead(admin, { title: 'big', value: 90_000 });
    await createLead(admin, { title: 'medium', value: 5_000, expectedCloseDate: '2026-04-01' });
    await createLead(admin, { title: 'medium too', value: 6_000 });
    expect(await titles(admin, 'sort=-value')).toEqual(['big', 'medium too', 'medium', 'small']);
    // Ties (no date on either) are broken by id.
    const byDate = await titles(admin, 'sort=expectedCloseDate');
    expect(byDate.slice(0, 2)).toEqual(['medium', 'small']);
    expect(byDate.slice(2).sort()).toEqual(['big', 'medium too']);
    expect((await titles(admin, 'sort=-expectedCloseDate')).slice(0, 2)).toEqual([
      'small',
      'medium',
    ]);
    // The first lead has been in its stage longest.
    expect(await titles(admin, 'sort=-daysInStage')).toEqual([
      'small',
      'big',
      'medium',
      'medium too',
    ]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Listed = await list(
        admin,
        `sort=expectedCloseDate&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.items.map((lead) => lead.title));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(byDate);

    const first = await list(admin, 'sort=value&limit=1');
    const mixed = await t.app.inject({
      method: 'GET',
      url: `/api/leads?sort=score&cursor=${first.nextCursor}`,
      headers: as(admin),
    });
    expect(mixed.statusCode).toBe(400);
  });

  it('filters by creation dates in the workspace time zone, follow-up, staleness, and counts', async () => {
    const { admin } = await aSalesDesk();
    const backdate = (lead: Lead, createdAt: string) =>
      t.db
        .updateTable('leads')
        .set({ created_at: new Date(createdAt) })
        .where('workspace_id', '=', admin.workspaceId)
        .where('id', '=', lead.id)
        .execute();
    // 23:30 and 00:30 in Berlin: on either side of midnight there.
    const late = (await createLead(admin, { title: 'late on the 2nd' })).json<Lead>();
    await backdate(late, '2026-03-02T22:30:00Z');
    const early = (await createLead(admin, { title: 'early on the 3rd' })).json<Lead>();
    await backdate(early, '2026-03-02T23:30:00Z');
    const old = (await createLead(admin, { title: 'old and untouched' })).json<Lead>();
    await backdate(old, '2026-02-20T10:00:00Z');
    expect(await titles(admin, 'createdFrom=2026-03-02&createdTo=2026-03-02')).toEqual([
      'late on the 2nd',
    ]);
    expect(await titles(admin, 'createdFrom=2026-03-03')).toEqual(['early on the 3rd']);
    expect(await titles(admin, 'createdFrom=2026-03-02T23:00:00Z')).toEqual(['early on the 3rd']);

    const now = t.clock.now().getTime();
    const task = (lead: Lead, dueAt: number) =>
      t.app.inject({
        method: 'POST',
        url: `/api/leads/${lead.id}/tasks`,
        headers: as(admin),
        payload: { title: 'Call', dueAt: new Date(dueAt).toISOString() },
      });
    await task(late, now - 86_400_000);
    await task(early, now + 3_600_000);
    expect(await titles(admin, 'followUp=overdue')).toEqual(['late on the 2nd']);
    expect(await titles(admin, 'followUp=today')).toEqual(['early on the 3rd']);
    expect(await titles(admin, 'followUp=none')).toEqual(['old and untouched']);

    expect(await titles(admin, 'staleDays=3')).toEqual(['old and untouched']);
    await t.app.inject({
      method: 'POST',
      url: `/api/leads/${old.id}/activities`,
      headers: as(admin),
      payload: { type: 'call', outcome: 'spoke' },
    });
    expect(await titles(admin, 'staleDays=3')).toEqual([]);

    const counted = await list(admin, 'count=true&limit=1&sort=createdAt');
    expect(counted.total).toBe(3);
    expect(counted.items.map((lead) => lead.title)).toEqual(['old and untouched']);
  });
});

describe('working on many leads at once', () => {
  it('assigns, tags and archives in bulk, reporting the leads it could not change', async () => {
    const { admin, stage } = await aSalesDesk();
    const agent = await aMember(t, admin, 'agent', 'Ana Agent');
    const leads: Lead[] = [];
    for (const title of ['Roof', 'Windows', 'Garden']) {
      leads.push((await createLead(admin, { title, tags: ['spring'] })).json<Lead>());
    }
    const [roof, windows, garden] = leads as [Lead, Lead, Lead];
    const bulk = (session: Session, leadIds: string[], action: Record<string, unknown>) =>
      t.app.inject({
        method: 'POST',
        url: '/api/leads/bulk',
        headers: as(session),
        payload: { leadIds, action },
      });

    const assigned = await bulk(admin, [roof.id, windows.id], {
      type: 'assign',
      userId: agent.userId,
    });
    expect(assigned.statusCode).toBe(200);
    expect(assigned.json()).toEqual({
      succeeded: [
        { id: roof.id, version: roof.version + 1 },
        { id: windows.id, version: windows.version + 1 },
      ],
      failed: [],
    });
    const mine = await t.app.inject({
      method: 'GET',
      url: '/api/leads?assigneeId=me',
      headers: as(agent),
    });
    expect(
      mine
        .json<{ items: Lead[] }>()
        .items.map((lead) => lead.title)
        .sort(),
    ).toEqual(['Roof', 'Windows']);
    // The assignee is checked once for the whole request.
    const unknown = await bulk(admin, [roof.id], {
      type: 'assign',
      userId: '00000000-0000-4000-8000-000000000009',
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors[0].field).toBe('action.userId');
    // Assigning needs lead:assign, which an agent lacks.
    expect((await bulk(agent, [roof.id], { type: 'assign', userId: null })).statusCode).toBe(403);

    // A move back needs a reason: the lead already further on is reported, the others move.
    await act(admin, garden, 'stage', { stageId: stage.proposal!.id });
    const moved = await bulk(admin, [roof.id, garden.id], {
      type: 'move_stage',
      stageId: stage.qualified!.id,
    });
    expect(moved.json().succeeded).toEqual([{ id: roof.id, version: roof.version + 2 }]);
    expect(moved.json().failed).toEqual([
      { id: garden.id, status: 422, title: 'Validation failed', detail: expect.any(String) },
    ]);

    const tagged = await bulk(admin, [roof.id, windows.id], { type: 'add_tag', tag: 'vip' });
    expect(tagged.json().failed).toEqual([]);
    await bulk(admin, [windows.id], { type: 'remove_tag', tag: 'spring' });
    const archived = await bulk(admin, [garden.id, '00000000-0000-4000-8000-000000000000'], {
      type: 'archive',
    });
    expect(archived.json().failed).toEqual([
      {
        id: '00000000-0000-4000-8000-000000000000',
        status: 404,
        title: 'Not found',
        detail: 'Lead not found.',
      },
    ]);

    const all = await t.app.inject({
      method: 'GET',
      url: '/api/leads?includeArchived=true',
      headers: as(admin),
    });
    const byTitle = Object.fromEntries(
      all.json<{ items: (Lead & { tags: string[] })[] }>().items.map((lead) => [lead.title, lead]),
    );
    expect(byTitle.Roof).toMatchObject({ tags: ['spring', 'vip'], stageId: stage.qualified!.id });
    expect(byTitle.Windows).toMatchObject({ tags: ['vip'], assigneeId: agent.userId });
    expect(byTitle.Garden).toMatchObject({ archived: true, tags: ['spring'] });
    // Each change is audited like its single-lead route.
    const audit = await t.app.inject({
      method: 'GET',
      url: `/api/audit-log?entityId=${roof.id}`,
      headers: as(admin),
    });
    expect(audit.json<{ items: { action: string }[] }>().items.map((row) => row.action)).toEqual(
      expect.arrayContaining(['lead.assigned', 'lead.stage_changed', 'lead.updated']),
    );
  });

  it('refuses an empty list, a repeated lead and more than 500 leads', async () => {
    const { admin } = await aSalesDesk();
    const lead = (await createLead(admin, { title: 'Once' })).json<Lead>();
    for (const leadIds of [[], [lead.id, lead.id], Array.from({ length: 501 }, () => lead.id)]) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/leads/bulk',
        headers: as(admin),
        payload: { leadIds, action: { type: 'archive' } },
      });
      expect(response.statusCode).toBe(422);
    }
  });
});

describe('the board', () => {
  it('sums count, value and weighted value per stage over the filters, per currency', async () => {
    const { admin, pipelineId, stage } = await aSalesDesk();
    const agent = await aMember(t, admin, 'agent');
    await createLead(admin, { title: 'A', value: 100_000, probability: 50 });
    await createLead(admin, {
      title: 'B',
      value: 30_001,
      probability: 10,
      assigneeId: agent.userId,
    });
    await createLead(admin, { title: 'C', value: 5_000, currency: 'USD', probability: 100 });
    const moved = (await createLead(admin, { title: 'D', value: 7_000 })).json<Lead>();
    await act(admin, moved, 'stage', { stageId: stage.proposal!.id });

    const summary = async (query: string) => {
      const response = await t.app.inject({
        method: 'GET',
        url: `/api/leads/stage-summary?pipelineId=${pipelineId}${query}`,
        headers: as(admin),
      });
      expect(response.statusCode).toBe(200);
      const stages = response.json<{
        stages: { stageId: string; count: number; totals: unknown[] }[];
      }>().stages;
      return Object.fromEntries(stages.map((s) => [s.stageId, s]));
    };
    const all = await summary('');
    expect(Object.keys(all)).toHaveLength(Object.keys(stage).length);
    expect(all[stage.new!.id]).toEqual({
      stageId: stage.new!.id,
      count: 3,
      totals: [
        { currency: 'EUR', value: 130_001, weightedValue: 50_000 + 3_000 },
        { currency: 'USD', value: 5_000, weightedValue: 5_000 },
      ],
    });
    expect(all[stage.proposal!.id]).toMatchObject({ count: 1 });
    expect(all[stage.won!.id]).toEqual({ stageId: stage.won!.id, count: 0, totals: [] });

    const ofAgent = await summary(`&assigneeId=${agent.userId}`);
    expect(ofAgent[stage.new!.id]).toMatchObject({
      count: 1,
      totals: [{ currency: 'EUR', value: 30_001, weightedValue: 3_000 }],
    });
    expect((await summary('&q=Proposal%20nothing'))[stage.new!.id]).toMatchObject({ count: 0 });
  });

  it('lists leads with their contact names, and of one contact or company', async () => {
    const { admin } = await aSalesDesk();
    const withContact = (
      await createLead(admin, { contact: { firstName: 'Nora', lastName: 'Lind' } })
    ).json<Lead>();
    await createLead(admin, { contactId: withContact.contactId, title: 'Second inquiry' });
    await createLead(admin, { title: 'No contact' });
    const list = async (query = '') =>
      (await t.app.inject({ method: 'GET', url: `/api/leads${query}`, headers: as(admin) })).json<{
        items: (Lead & { contactName: string | null })[];
      }>().items;
    expect((await list()).map((lead) => [lead.title, lead.contactName])).toEqual([
      ['No contact', null],
      ['Second inquiry', 'Nora Lind'],
      ['Nora Lind', 'Nora Lind'],
    ]);
    // A word search reads its pages differently (a window of the list, then the index).
    expect((await list('?q=second')).map((lead) => [lead.title, lead.contactName])).toEqual([
      ['Second inquiry', 'Nora Lind'],
    ]);
    expect((await list('?q=nora&limit=1')).map((lead) => lead.contactName)).toEqual(['Nora Lind']);
    expect((await list(`?contactId=${withContact.contactId}`)).map((l) => l.title)).toEqual([
      'Second inquiry',
      'Nora Lind',
    ]);
    const company = await t.app.inject({
      method: 'POST',
      url: '/api/companies',
      headers: as(admin),
      payload: { name: 'Lind GmbH' },
    });
    await createLead(admin, { title: 'Company deal', companyId: company.json().id });
    expect((await list(`?companyId=${company.json().id}`)).map((l) => l.title)).toEqual([
      'Company deal',
    ]);
  });
});
