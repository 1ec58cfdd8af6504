import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

interface View {
  id: string;
  name: string;
  filters: Record<string, string | string[]>;
  columns: string[];
  sort: string | null;
  shared: boolean;
  ownerId: string;
  version: number;
}

const saveView = (session: Session, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: '/api/saved-views', headers: as(session), payload });
const listViews = async (session: Session) =>
  (await t.app.inject({ method: 'GET', url: '/api/saved-views', headers: as(session) }))
    .json<{ items: View[] }>()
    .items.map((view) => view.name);

describe('saved views of the leads list', () => {
  it("keeps a member's own views to themselves and shows shared ones to everyone", async () => {
    const { admin } = await aWorkspace(t);
    const agent = await aMember(t, admin, 'agent');
    const other = await aMember(t, admin, 'agent');
    const mine = await saveView(agent, {
      name: 'My hot leads',
      filters: { priority: 'urgent', assigneeId: 'me', cf: ['budget:high', 'plan:gold'] },
      columns: ['title', 'contact', 'value'],
      sort: '-value',
    });
    expect(mine.statusCode).toBe(201);
    expect(mine.json<View>()).toMatchObject({
      name: 'My hot leads',
      filters: { priority: 'urgent', assigneeId: 'me', cf: ['budget:high', 'plan:gold'] },
      columns: ['title', 'contact', 'value'],
      sort: '-value',
      shared: false,
      ownerId: agent.userId,
      version: 1,
    });
    expect(
      (
        await saveView(admin, {
          name: 'Team: overdue',
          filters: { followUp: 'overdue' },
          shared: true,
        })
      ).statusCode,
    ).toBe(201);

    expect(await listViews(agent)).toEqual(['My hot leads', 'Team: overdue']);
    expect(await listViews(other)).toEqual(['Team: overdue']);
    // Another member's own view is not found, not forbidden.
    const view = mine.json<View>();
    const foreign = await t.app.inject({
      method: 'PATCH',
      url: `/api/saved-views/${view.id}`,
      headers: as(other),
      payload: { name: 'Taken' },
    });
    expect(foreign.statusCode).toBe(404);
  });

  it('lets only lead:configure share a view or change a shared one', async () => {
    const { admin } = await aWorkspace(t);
    const agent = await aMember(t, admin, 'agent');
    expect((await saveView(agent, { name: 'For all', shared: true })).statusCode).toBe(403);
    const shared = (await saveView(admin, { name: 'Pipeline review', shared: true })).json<View>();
    const change = (session: Session) =>
      t.app.inject({
        method: 'PATCH',
        url: `/api/saved-views/${shared.id}`,
        headers: { ...as(session), 'if-match': `"${shared.version}"` },
        payload: { columns: ['title'] },
      });
    expect((await change(agent)).statusCode).toBe(403);
    const removed = await t.app.inject({
      method: 'DELETE',
      url: `/api/saved-views/${shared.id}`,
      headers: as(agent),
    });
    expect(removed.statusCode).toBe(403);
    expect((await change(admin)).json<View>()).toMatchObject({ columns: ['title'], version: 2 });
  });

  it('updates with If-Match, refuses a stale version, and deletes with an audit row', async () => {
    const { admin } = await aWorkspace(t);
    const view = (await saveView(admin, { name: 'New this week' })).json<View>();
    const update = (version: number, payload: Record<string, unknown>) =>
      t.app.inject({
        method: 'PATCH',
        url: `/api/saved-views/${view.id}`,
        headers: { ...as(admin), 'if-match': `"${version}"` },
        payload,
      });
    expect((await update(1, { name: 'New this month' })).statusCode).toBe(200);
    expect((await update(1, { name: 'Stale' })).statusCode).toBe(412);
    const removed = await t.app.inject({
      method: 'DELETE',
      url: `/api/saved-views/${view.id}`,
      headers: as(admin),
    });
    expect(removed.statusCode).toBe(204);
    expect(await listViews(admin)).toEqual([]);
    const audit = await t.app.inject({
      method: 'GET',
      url: `/api/audit-log?entityId=${view.id}`,
      headers: as(admin),
    });
    expect(audit.json<{ items: { action: string }[] }>().items.map((row) => row.action)).toEqual(
      expect.arrayContaining(['saved_view.created', 'saved_view.updated', 'saved_view.deleted']),
    );
  });

  it('refuses filters the leads list would refuse, a bad sort and a name used twice', async () => {
    const { admin } = await aWorkspace(t);
    const bad = await saveView(admin, {
      name: 'Broken',
      filters: { stageId: 'not-a-uuid', priority: 'someday', colour: 'red' },
      sort: 'colour',
    });
    expect(bad.statusCode).toBe(422);
    const fields = bad.json<{ errors: { field: string }[] }>().errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['filters.stageId', 'filters.priority', 'sort']));
    console.log(JSON.stringify(bad.json()));
    expect((await saveView(admin, { name: 'Twice' })).statusCode).toBe(201);
    expect((await saveView(admin, { name: 'twice' })).statusCode).toBe(409);
    expect(await listViews(admin)).toEqual(['Twice']);
  });
});
