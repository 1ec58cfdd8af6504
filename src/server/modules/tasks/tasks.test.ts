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

interface Task {
  id: string;
  title: string;
  status: string;
  dueAt: string | null;
  assigneeId: string | null;
  version: number;
  isOverdue: boolean;
}

const HOUR = 3_600_000;
/** An instant relative to the test clock. */
const inHours = (hours: number) => new Date(t.clock.now().getTime() + hours * HOUR).toISOString();

const addTask = (session: Session, lead: { id: string }, payload: Record<string, unknown>) => {
  t.clock.advance(1000);
  return t.app.inject({
    method: 'POST',
    url: `/api/leads/${lead.id}/tasks`,
    headers: as(session),
    payload,
  });
};

const getLead = async (session: Session, lead: { id: string }) =>
  (
    await t.app.inject({ method: 'GET', url: `/api/leads/${lead.id}`, headers: as(session) })
  ).json<Lead>();

const listTasks = async (session: Session, query: string) => {
  const response = await t.app.inject({
    method: 'GET',
    url: `/api/tasks?${query}`,
    headers: as(session),
  });
  expect(response.statusCode).toBe(200);
  return response.json<{ items: Task[] }>().items;
};

describe('tasks and the next follow-up', () => {
  it("keeps the lead's next follow-up on its earliest open task through create, snooze, complete and cancel", async () => {
    const { admin } = await aSalesDesk(t);
    const lead = await aLead(t, admin);
    const later = (
      await addTask(admin, lead, { title: 'Send brochure', type: 'email', dueAt: inHours(48) })
    ).json<Task>();
    const sooner = (
      await addTask(admin, lead, { title: 'Call back', type: 'call', dueAt: inHours(2) })
    ).json<Task>();
    expect(await getLead(admin, lead)).toMatchObject({
      nextFollowUpAt: sooner.dueAt,
      nextFollowUpType: 'call',
    });

    // Snoozing the call past the brochure makes the brochure next.
    t.clock.advance(1000);
    const snoozed = await t.app.inject({
      method: 'PATCH',
      url: `/api/tasks/${sooner.id}`,
      headers: { ...as(admin), 'if-match': `"${sooner.version}"` },
      payload: { dueAt: inHours(72) },
    });
    expect(snoozed.statusCode).toBe(200);
    expect((await getLead(admin, lead)).nextFollowUpAt).toBe(later.dueAt);

    t.clock.advance(1000);
    const done = await t.app.inject({
      method: 'POST',
      url: `/api/tasks/${later.id}/complete`,
      headers: as(admin),
      payload: { notes: 'Sent by post' },
    });
    expect(done.json()).toMatchObject({ status: 'completed', completedBy: admin.userId });
    expect((await getLead(admin, lead)).nextFollowUpAt).toBe(snoozed.json<Task>().dueAt);

    t.clock.advance(1000);
    const cancelled = await t.app.inject({
      method: 'DELETE',
      url: `/api/tasks/${sooner.id}`,
      headers: as(admin),
    });
    expect(cancelled.json()).toMatchObject({ status: 'cancelled' });
    // A cancelled task can be reopened (and reopened, it is the next follow-up again).
    t.clock.advance(1000);
    const reopened = await t.app.inject({
      method: 'PATCH',
      url: `/api/tasks/${sooner.id}`,
      headers: as(admin),
      payload: { status: 'pending' },
    });
    expect(reopened.json()).toMatchObject({ status: 'pending' });
    expect((await getLead(admin, lead)).nextFollowUpAt).toBe(snoozed.json<Task>().dueAt);
    t.clock.advance(1000);
    await t.app.inject({ method: 'DELETE', url: `/api/tasks/${sooner.id}`, headers: as(admin) });
    expect(await getLead(admin, lead)).toMatchObject({
      nextFollowUpAt: null,
      nextFollowUpType: null,
    });

    // Completing shows on the timeline; the task log is in the audit trail.
    const timeline = await t.app.inject({
      method: 'GET',
      url: `/api/leads/${lead.id}/activities?type=task_completed`,
      headers: as(admin),
    });
    expect(timeline.json().items).toMatchObject([
      { subject: 'Completed: Send brochure', details: { taskId: later.id, notes: 'Sent by post' } },
    ]);
    const audit = await t.app.inject({
      method: 'GET',
      url: `/api/audit-log?entityType=task&entityId=${sooner.id}`,
      headers: as(admin),
    });
    expect(audit.json<{ items: { action: string }[] }>().items.map((e) => e.action)).toEqual([
      'task.cancelled',
      'task.reopened',
      'task.cancelled',
      'task.snoozed',
      'task.created',
    ]);
  });

  it('refuses to complete a task twice and a stale If-Match', async () => {
    const { admin } = await aSalesDesk(t);
    const lead = await aLead(t, admin);
    const task = (await addTask(admin, lead, { title: 'Call', dueAt: inHours(1) })).json<Task>();
    const complete = () =>
      t.app.inject({ method: 'POST', url: `/api/tasks/${task.id}/complete`, headers: as(admin) });
    expect((await complete()).statusCode).toBe(200);
    expect((await complete()).statusCode).toBe(409);
    // Nor can a completed task be cancelled, which would drop when and by whom it was done.
    const cancel = await t.app.inject({
      method: 'DELETE',
      url: `/api/tasks/${task.id}`,
      headers: as(admin),
    });
    expect(cancel.statusCode).toBe(409);
    const after = await t.app.inject({
      method: 'GET',
      url: `/api/tasks/${task.id}`,
      headers: as(admin),
    });
    expect(after.json()).toMatchObject({ status: 'completed', completedBy: admin.userId });
    const stale = await t.app.inject({
      method: 'PATCH',
      url: `/api/tasks/${task.id}`,
      headers: { ...as(admin), 'if-match': `"${task.version}"` },
      payload: { title: 'Call again' },
    });
    expect(stale.statusCode).toBe(412);
  });

  it("assigns a lead's task to the lead's assignee unless told otherwise", async () => {
    const { admin } = await aSalesDesk(t);
    const agent = await aMember(t, admin, 'agent');
    const lead = await aLead(t, admin, { assigneeId: agent.userId });
    const task = (await addTask(admin, lead, { title: 'Call' })).json<Task>();
    expect(task.assigneeId).toBe(agent.userId);
    const mine = (
      await addTask(admin, lead, { title: 'Check', assigneeId: admin.userId })
    ).json<Task>();
    expect(mine.assigneeId).toBe(admin.userId);
    const stranger = await addTask(admin, lead, {
      title: 'X',
      assigneeId: '00000000-0000-4000-8000-000000000000',
    });
    expect(stranger.statusCode).toBe(422);
    expect(stranger.json().errors).toEqual([
      { field: 'assigneeId', message: 'No such active person in this workspace.' },
    ]);
  });

  it('creates tasks on a contact or for oneself, and refuses a lead and a contact at once', async () => {
    const { admin } = await aSalesDesk(t);
    const lead = await aLead(t, admin);
    const post = (payload: Record<string, unknown>) =>
      t.app.inject({ method: 'POST', url: '/api/tasks', headers: as(admin), payload });
    const onContact = await post({ title: 'Birthday card', contactId: lead.contactId });
    expect(onContact.statusCode).toBe(201);
    expect(onContact.json()).toMatchObject({ leadId: null, contactId: lead.contactId });
    const own = await post({ title: 'Tidy my pipeline' });
    expect(own.json()).toMatchObject({ leadId: null, contactId: null, assigneeId: admin.userId });
    const both = await post({ title: 'X', leadId: lead.id, contactId: lead.contactId });
    expect(both.statusCode).toBe(422);
  });
});

describe('listing tasks', () => {
  it("filters by assignee and due (overdue, today and this week in the workspace's time zone)", async () => {
    // The test clock reads Monday 2026-03-02 09:00 UTC = 10:00 in Berlin.
    const { admin } = await aSalesDesk(t);
    const agent = await aMember(t, admin, 'agent');
    const lead = await aLead(t, admin);
    const at = (iso: string) => ({ dueAt: iso });
    const now = t.clock.now().getTime();
    const base = { assigneeId: agent.userId };
    await addTask(admin, lead, { ...base, title: 'yesterday', ...at('2026-03-01T12:00:00Z') });
    await addTask(admin, lead, { ...base, title: 'late tonight', ...at('2026-03-02T22:30:00Z') });
    await addTask(admin, lead, { ...base, title: 'after midnight', ...at('2026-03-02T23:30:00Z') });
    await addTask(admin, lead, { ...base, title: 'friday', ...at('2026-03-06T10:00:00Z') });
    await addTask(admin, lead, { ...base, title: 'next month', ...at('2026-04-01T10:00:00Z') });
    await addTask(admin, lead, { ...base, title: 'someday' });
    await addTask(admin, lead, {
      title: 'admin’s own',
      assigneeId: admin.userId,
      ...at('2026-03-02T12:00:00Z'),
    });
    expect(now).toBe(t.clock.now().getTime() - 7000);

    const titles = async (query: string) =>
      (await listTasks(agent, query)).map((task) => task.title);
    expect(await titles('assigneeId=me&due=overdue')).toEqual(['yesterday']);
    // 22:30 UTC is 23:30 in Berlin (today); 23:30 UTC is already tomorrow there.
    expect(await titles('assigneeId=me&due=today')).toEqual(['late tonight']);
    expect(await titles('assigneeId=me&due=week')).toEqual([
      'late tonight',
      'after midnight',
      'friday',
    ]);
    expect(await titles('assigneeId=me')).toEqual([
      'yesterday',
      'late tonight',
      'after midnight',
      'friday',
      'next month',
      'someday',
    ]);
    const overdue = await listTasks(agent, 'assigneeId=me&due=overdue');
    expect(overdue[0]!.isOverdue).toBe(true);
  });

  it('pages through tasks soonest first, undated last', async () => {
    const { admin } = await aSalesDesk(t);
    const lead = await aLead(t, admin);
    for (const hours of [5, 1, 3])
      await addTask(admin, lead, { title: `in ${hours}h`, dueAt: inHours(hours) });
    await addTask(admin, lead, { title: 'undated A' });
    await addTask(admin, lead, { title: 'undated B' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response: { json: () => unknown } = await t.app.inject({
        method: 'GET',
        url: `/api/leads/${lead.id}/tasks?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        headers: as(admin),
      });
      const page = response.json() as { items: Task[]; nextCursor: string | null };
      seen.push(...page.items.map((task) => task.title));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.slice(0, 3)).toEqual(['in 1h', 'in 3h', 'in 5h']);
    expect(seen.slice(3).sort()).toEqual(['undated A', 'undated B']);
  });

  it('shows an agent limited to own leads only tasks of their leads or their own', async () => {
    const { admin } = await aSalesDesk(t);
    await t.app.inject({
      method: 'PATCH',
      url: `/api/workspaces/${admin.workspaceId}`,
      headers: as(admin),
      payload: { agentsOwnLeadsOnly: true },
    });
    const agent = await aMember(t, admin, 'agent');
    const theirs = await aLead(t, admin, { assigneeId: agent.userId });
    const other = await aLead(t, admin);
    await addTask(admin, theirs, { title: 'on their lead', assigneeId: admin.userId });
    const hidden = (await addTask(admin, other, { title: 'on another lead' })).json<Task>();
    expect((await listTasks(agent, '')).map((task) => task.title)).toEqual(['on their lead']);
    const direct = await t.app.inject({
      method: 'GET',
      url: `/api/tasks/${hidden.id}`,
      headers: as(agent),
    });
    expect(direct.statusCode).toBe(404);
    const otherLead = await t.app.inject({
      method: 'GET',
      url: `/api/leads/${other.id}/tasks`,
      headers: as(agent),
    });
    expect(otherLead.statusCode).toBe(404);
  });
});
