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

interface Warning {
  kind: string;
  candidates: { id: string; name: string; similarity: number }[];
}

const post = (session: Session, url: string, payload: Record<string, unknown>) => {
  t.clock.advance(1000);
  return t.app.inject({ method: 'POST', url, headers: as(session), payload });
};
const get = (session: Session, url: string) =>
  t.app.inject({ method: 'GET', url, headers: as(session) });

describe('duplicate warnings on creation', () => {
  it('warns about a contact with a similar name and still creates the new one', async () => {
    const { admin } = await aSalesDesk(t);
    const first = await post(admin, '/api/contacts', {
      firstName: 'Katharina',
      lastName: 'Schulze',
    });
    expect(first.json().warnings).toEqual([]);
    const second = await post(admin, '/api/contacts', {
      firstName: 'Katarina',
      lastName: 'Schulze',
    });
    expect(second.statusCode).toBe(201);
    const [warning] = second.json<{ warnings: Warning[] }>().warnings;
    expect(warning).toMatchObject({
      kind: 'similar_contact',
      candidates: [{ id: first.json().id, name: 'Katharina Schulze' }],
    });
    expect(warning!.candidates[0]!.similarity).toBeGreaterThanOrEqual(0.6);
    // A different person is no warning.
    const other = await post(admin, '/api/contacts', { firstName: 'Otto', lastName: 'Brenner' });
    expect(other.json().warnings).toEqual([]);
  });

  it('finds a typo in the last name, and lists the same full name first', async () => {
    const { admin } = await aSalesDesk(t);
    const becker = await post(admin, '/api/contacts', { firstName: 'Anna', lastName: 'Becker' });
    const beker = await post(admin, '/api/contacts', { firstName: 'Anna', lastName: 'Beker' });
    expect(beker.json<{ warnings: Warning[] }>().warnings[0]!.candidates).toEqual([
      expect.objectContaining({ id: becker.json().id, name: 'Anna Becker' }),
    ]);
    const again = await post(admin, '/api/contacts', { firstName: 'anna', lastName: 'BECKER' });
    expect(again.json<{ warnings: Warning[] }>().warnings[0]!.candidates).toEqual([
      { id: becker.json().id, name: 'Anna Becker', similarity: 1 },
      expect.objectContaining({ id: beker.json().id, name: 'Anna Beker' }),
    ]);
  });

  it('follows the workspace threshold', async () => {
    const { admin } = await aSalesDesk(t);
    await post(admin, '/api/contacts', { firstName: 'Jon', lastName: 'Miller' });
    const loose = await post(admin, '/api/contacts', { firstName: 'John', lastName: 'Millers' });
    expect(loose.json().warnings).toEqual([]);
    await t.app.inject({
      method: 'PATCH',
      url: `/api/workspaces/${admin.workspaceId}`,
      headers: as(admin),
      payload: { duplicateSimilarity: 0.3 },
    });
    const strict = await post(admin, '/api/contacts', { firstName: 'Jonny', lastName: 'Miller' });
    expect(strict.json<{ warnings: Warning[] }>().warnings[0]!.candidates).toHaveLength(2);
  });

  it('warns on a new lead for a contact with an open lead, and on a similar company name', async () => {
    const { admin } = await aSalesDesk(t);
    const lead = await aLead(t, admin, { title: 'First inquiry' });
    const again = await post(admin, '/api/leads', { contactId: lead.contactId, title: 'Again' });
    expect(again.statusCode).toBe(201);
    expect(again.json().warnings).toEqual([
      expect.objectContaining({
        kind: 'contact_has_open_lead',
        candidates: [{ id: lead.id, name: 'First inquiry', similarity: 1 }],
      }),
    ]);
    const company = await post(admin, '/api/companies', { name: 'Müller Haustechnik GmbH' });
    const similar = await post(admin, '/api/leads', {
      title: 'Heating',
      companyName: 'Mueller Haustechnik GmbH',
    });
    expect(similar.json<{ warnings: Warning[] }>().warnings).toMatchObject([
      { kind: 'similar_company', candidates: [{ id: company.json().id }] },
    ]);
  });
});

describe('the duplicate scan', () => {
  it('pairs contacts sharing an email or phone (score 1) before similar names, paged', async () => {
    const { admin } = await aSalesDesk(t);
    const a = await post(admin, '/api/contacts', {
      firstName: 'Ana',
      lastName: 'Lopez',
      emails: ['ana@lopez.example'],
    });
    const b = await post(admin, '/api/contacts', {
      firstName: 'A.',
      lastName: 'L.',
      emails: ['ANA@lopez.example'],
      allowDuplicate: true,
    });
    const c = await post(admin, '/api/contacts', { firstName: 'Bernhard', lastName: 'Kowalski' });
    const d = await post(admin, '/api/contacts', { firstName: 'Bernd', lastName: 'Kowalski' });
    const page1 = await get(admin, '/api/duplicates?limit=1');
    expect(page1.statusCode).toBe(200);
    const first = page1.json<{
      items: { score: number; reasons: string[]; records: { id: string }[] }[];
      nextCursor: string;
    }>();
    expect(first.items[0]).toMatchObject({ score: 1, reasons: ['email:ana@lopez.example'] });
    expect(first.items[0]!.records.map((r) => r.id).sort()).toEqual(
      [a.json().id, b.json().id].sort(),
    );
    const page2 = await get(admin, `/api/duplicates?limit=1&cursor=${first.nextCursor}`);
    const second = page2.json<{
      items: { score: number; reasons: string[]; records: { id: string }[] }[];
      nextCursor: string | null;
    }>();
    expect(second.items[0]!.reasons).toEqual(['name']);
    expect(second.items[0]!.records.map((r) => r.id).sort()).toEqual(
      [c.json().id, d.json().id].sort(),
    );
    expect(second.items[0]!.score).toBeLessThan(1);
    expect(second.nextCursor).toBeNull();
  });

  it('pairs open leads of the same contact', async () => {
    const { admin } = await aSalesDesk(t);
    const lead = await aLead(t, admin);
    const again = await post(admin, '/api/leads', { contactId: lead.contactId, title: 'Again' });
    const scan = await get(admin, '/api/duplicates?recordType=lead');
    expect(scan.json().items).toEqual([
      {
        recordType: 'lead',
        score: 1,
        reasons: ['same_contact'],
        records: expect.arrayContaining([
          { id: lead.id, name: lead.title },
          { id: again.json().id, name: 'Again' },
        ]),
      },
    ]);
  });
});

describe('the duplicate scan for an agent limited to own leads', () => {
  it('pairs only leads assigned to them', async () => {
    const { admin } = await aSalesDesk(t);
    await t.app.inject({
      method: 'PATCH',
      url: `/api/workspaces/${admin.workspaceId}`,
      headers: as(admin),
      payload: { agentsOwnLeadsOnly: true },
    });
    const agent = await aMember(t, admin, 'agent');
    const theirs = await aLead(t, admin, { assigneeId: agent.userId });
    await post(admin, '/api/leads', {
      contactId: theirs.contactId,
      title: 'Theirs again',
      assigneeId: agent.userId,
    });
    const other = await aLead(t, admin);
    await post(admin, '/api/leads', { contactId: other.contactId, title: 'Someone else again' });
    expect((await get(admin, '/api/duplicates?recordType=lead')).json().items).toHaveLength(2);
    const mine = (await get(agent, '/api/duplicates?recordType=lead')).json<{
      items: { records: { name: string }[] }[];
    }>();
    expect(mine.items.map((pair) => pair.records.map((r) => r.name).sort())).toEqual([
      [theirs.title, 'Theirs again'].sort(),
    ]);
  });
});

describe('merging', () => {
  it('merges a contact: its leads, timeline and tasks move, empty fields fill, it is archived with a pointer', async () => {
    const { admin } = await aSalesDesk(t);
    const survivor = await post(admin, '/api/contacts', {
      firstName: 'Paula',
      lastName: 'Weber',
      emails: ['paula@weber.example'],
      tags: ['vip'],
    });
    const merged = await post(admin, '/api/contacts', {
      firstName: 'Paula',
      lastName: 'Weber',
      phones: ['030 1234567'],
      emails: ['p.weber@work.example'],
      preferredTime: 'mornings',
      tags: ['newsletter'],
      doNotContact: true,
    });
    const survivorId = survivor.json<{ id: string }>().id;
    const mergedId = merged.json<{ id: string }>().id;
    const lead = (
      await post(admin, '/api/leads', { contactId: mergedId, title: 'Kitchen' })
    ).json<Lead>();
    await post(admin, `/api/contacts/${mergedId}/activities`, {
      type: 'note',
      body: 'Met at fair',
    });
    await post(admin, '/api/tasks', { title: 'Send card', contactId: mergedId });

    const response = await post(admin, `/api/contacts/${mergedId}/merge`, { intoId: survivorId });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      id: survivorId,
      emails: [{ value: 'paula@weber.example' }, { value: 'p.weber@work.example' }],
      phones: [{ e164: '+49301234567' }],
      preferredTime: 'mornings',
      tags: ['vip', 'newsletter'],
      doNotContact: true,
    });
    expect((await get(admin, `/api/leads/${lead.id}`)).json().contactId).toBe(survivorId);
    const timeline = await get(admin, `/api/contacts/${survivorId}/activities`);
    expect(
      timeline
        .json<{ items: { subject: string; body: string }[] }>()
        .items.map((a) => a.subject || a.body),
    ).toEqual(
      expect.arrayContaining([
        'Merged Paula Weber into this contact',
        'Met at fair',
        'Lead created',
      ]),
    );
    const tasks = await get(admin, `/api/tasks?contactId=${survivorId}`);
    expect(tasks.json().items).toMatchObject([{ title: 'Send card' }]);
    const gone = await get(admin, `/api/contacts/${mergedId}`);
    expect(gone.json()).toMatchObject({ archived: true });
    const row = await t.db
      .selectFrom('contacts')
      .select('merged_into_id')
      .where('workspace_id', '=', admin.workspaceId)
      .where('id', '=', mergedId)
      .executeTakeFirstOrThrow();
    expect(row.merged_into_id).toBe(survivorId);
    const restore = await post(admin, `/api/contacts/${mergedId}/restore`, {});
    expect(restore.statusCode).toBe(409);
    expect(restore.json()).toMatchObject({ mergedIntoId: survivorId });
    const audit = await get(admin, `/api/audit-log?entityType=contact&entityId=${mergedId}`);
    expect(audit.json<{ items: { action: string }[] }>().items[0]!.action).toBe('contact.merged');
    // The merged contact's email now finds the survivor as the known contact.
    const again = await post(admin, '/api/contacts', {
      firstName: 'P',
      emails: ['p.weber@work.example'],
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().candidates).toMatchObject([{ id: survivorId }]);
  });

  it('merges a lead: timeline, tasks and stage history move; follow-up and fields are combined', async () => {
    const { admin, stage } = await aSalesDesk(t);
    const survivor = await aLead(t, admin, { title: 'Roof repair' });
    const merged = await aLead(t, admin, {
      title: 'Roof (web form)',
      value: 450_000,
      tags: ['web'],
      sourceCampaign: 'spring',
    });
    await post(admin, `/api/leads/${merged.id}/stage`, { stageId: stage.contacted!.id });
    await post(admin, `/api/leads/${merged.id}/activities`, { type: 'call', outcome: 'spoke' });
    const due = '2026-03-04T08:00:00.000Z';
    await post(admin, `/api/leads/${merged.id}/tasks`, { title: 'Send estimate', dueAt: due });

    const stale = await t.app.inject({
      method: 'POST',
      url: `/api/leads/${merged.id}/merge`,
      headers: { ...as(admin), 'if-match': '"1"' },
      payload: { intoId: survivor.id },
    });
    expect(stale.statusCode).toBe(412);
    const response = await post(admin, `/api/leads/${merged.id}/merge`, { intoId: survivor.id });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      id: survivor.id,
      title: 'Roof repair',
      value: 450_000,
      tags: ['web'],
      sourceCampaign: 'spring',
      nextFollowUpAt: due,
      contactAttempts: 1,
      contactStatus: 'contacted',
      stageId: survivor.stageId,
    });
    const detail = (await get(admin, `/api/leads/${survivor.id}`)).json<{
      stageHistory: unknown[];
    }>();
    expect(detail.stageHistory).toHaveLength(3);
    const timeline = await get(admin, `/api/leads/${survivor.id}/activities`);
    expect(timeline.json<{ items: { type: string }[] }>().items.map((a) => a.type)).toEqual(
      expect.arrayContaining(['call', 'stage_change', 'system']),
    );
    expect((await get(admin, `/api/leads/${merged.id}`)).json()).toMatchObject({ archived: true });
    const restore = await post(admin, `/api/leads/${merged.id}/restore`, {});
    expect(restore.statusCode).toBe(409);
    expect(restore.json()).toMatchObject({ mergedIntoId: survivor.id });
    // Merging again, or into itself, is refused.
    expect(
      (await post(admin, `/api/leads/${merged.id}/merge`, { intoId: survivor.id })).statusCode,
    ).toBe(409);
    expect(
      (await post(admin, `/api/leads/${survivor.id}/merge`, { intoId: survivor.id })).statusCode,
    ).toBe(422);
  });

  it('refuses a survivor in another workspace as a field error', async () => {
    const { admin } = await aSalesDesk(t);
    const other = await aSalesDesk(t);
    const mine = await aLead(t, admin);
    const theirs = await aLead(t, other.admin);
    const response = await post(admin, `/api/leads/${mine.id}/merge`, { intoId: theirs.id });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors).toEqual([
      { field: 'intoId', message: 'No such lead in this workspace.' },
    ]);
  });
});
