import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aLead, aSalesDesk } from '../../../../test/support/sales-desk.js';
import {
  aMember,
  as,
  createTestApp,
  type Session,
  type TestApp,
} from '../../../../test/support/test-app.js';
import * as repo from './workspace-export.repository.js';
import { EXPORTED_TABLES, LEFT_OUT_TABLES } from './workspace-export.tables.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

type Line = { table: string; row: Record<string, unknown> };
type Header = { format: string; version: number; exportedAt: string; schemaVersion: string };

const post = (session: Session, url: string, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url, headers: as(session), payload });

async function exportOf(session: Session) {
  const response = await t.app.inject({
    method: 'GET',
    url: '/api/exports/workspace.jsonl',
    headers: as(session),
  });
  expect(response.statusCode, response.body).toBe(200);
  expect(response.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
  const [header, ...lines] = response.body
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as unknown);
  return { body: response.body, header: header as Header, lines: lines as Line[] };
}

const importFile = (session: Session, body: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/workspaces/import',
    headers: { ...as(session), 'content-type': 'application/x-ndjson' },
    payload: body,
  });

async function switchTo(session: Session, workspaceId: string): Promise<Session> {
  const response = await post(session, '/api/me/workspace', { workspaceId });
  expect(response.statusCode, response.body).toBe(200);
  return { ...session, workspaceId };
}

const workspaceCount = async () =>
  Number(
    (
      await t.db
        .selectFrom('workspaces')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst()
    )?.n,
  );

/** A workspace with one of everything: the round trip must carry each kind of row. */
async function aSeededWorkspace() {
  const { admin, stage } = await aSalesDesk(t);
  const agent = await aMember(t, admin, 'agent', 'Ana Agent');
  const field = (payload: Record<string, unknown>) => post(admin, '/api/custom-fields', payload);
  expect(
    (await field({ recordType: 'lead', key: 'budget_note', label: 'Budget', type: 'text' }))
      .statusCode,
  ).toBe(201);
  expect(
    (
      await field({
        recordType: 'contact',
        key: 'date_of_birth',
        label: 'Date of birth',
        type: 'date',
        sensitive: true,
      })
    ).statusCode,
  ).toBe(201);
  const company = (await post(admin, '/api/companies', { name: 'Holm Bau GmbH' })).json<{
    id: string;
    version: number;
  }>();
  const contact = await post(admin, '/api/contacts', {
    firstName: 'Greta',
    lastName: 'Holm',
    emails: ['greta@holm-bau.example'],
    phones: ['+49 30 1234567'],
    companyId: company.id,
    customFields: { date_of_birth: '1984-05-06' },
  });
  expect(contact.statusCode, contact.body).toBe(201);
  const contactId = contact.json<{ id: string }>().id;
  const linked = await t.app.inject({
    method: 'PATCH',
    url: `/api/companies/${company.id}`,
    headers: { ...as(admin), 'if-match': `"${company.version}"` },
    payload: { primaryContactId: contactId },
  });
  expect(linked.statusCode, linked.body).toBe(200);
  // A duplicate merged into Greta: a row that points at another row of its own table.
  const twin = (await post(admin, '/api/contacts', { firstName: 'G.', lastName: 'Holm' })).json<{
    id: string;
  }>();
  expect(
    (await post(admin, `/api/contacts/${twin.id}/merge`, { intoId: contactId })).statusCode,
  ).toBe(200);

  const lead = await aLead(t, admin, {
    contact: undefined,
    contactId,
    companyId: company.id,
    title: 'Roof renovation',
    value: 1_250_000,
    assigneeId: agent.userId,
    customFields: { budget_note: 'flexible' },
  });
  expect(
    (await post(admin, `/api/leads/${lead.id}/stage`, { stageId: stage.contacted!.id })).statusCode,
  ).toBe(200);
  expect(
    (
      await post(admin, `/api/leads/${lead.id}/activities`, {
        type: 'call',
        outcome: 'spoke',
        body: 'Wants a quote',
      })
    ).statusCode,
  ).toBe(201);
  expect(
    (
      await post(admin, `/api/leads/${lead.id}/tasks`, {
        title: 'Send quote',
        dueAt: '2026-03-05T09:00:00Z',
      })
    ).statusCode,
  ).toBe(201);
  expect(
    (
      await post(admin, '/api/saved-views', {
        name: 'Big roofs',
        filters: { priority: 'high' },
        shared: true,
      })
    ).statusCode,
  ).toBe(201);
  return { admin, agent, contactId, leadId: lead.id };
}

describe('workspace export (JSON Lines)', () => {
  it('lists every table with a workspace_id, or says why it is left out', async () => {
    const tables = await repo.listWorkspaceTables(t.db);
    const decided = new Set([
      ...EXPORTED_TABLES.map((table) => table.name),
      ...Object.keys(LEFT_OUT_TABLES),
    ]);
    expect(tables.filter((table) => !decided.has(table))).toEqual([]);
    // And nothing listed that the schema no longer has.
    expect([...decided].filter((table) => !tables.includes(table))).toEqual([]);
  });

  it('orders tables so that every reference (but the deferred ones) points backwards', async () => {
    const order = [
      'workspaces',
      'users',
      'memberships',
      ...EXPORTED_TABLES.map((table) => table.name),
    ];
    const { rows } = await import('kysely').then(({ sql }) =>
      sql<{ from_table: string; to_table: string; columns: string[] }>`
        select c.conrelid::regclass::text as from_table, c.confrelid::regclass::text as to_table,
          array(select attname from pg_attribute a
                where a.attrelid = c.conrelid and a.attnum = any(c.conkey)
                order by attname)::text[] as columns
        from pg_constraint c where c.contype = 'f'`.execute(t.db),
    );
    const deferred = new Map(EXPORTED_TABLES.map((table) => [table.name, table.deferred ?? []]));
    const forward = rows.filter((fk) => {
      const from = order.indexOf(fk.from_table);
      const to = order.indexOf(fk.to_table);
      if (from < 0 || to < 0) return false;
      const isDeferred = fk.columns.some((c) => (deferred.get(fk.from_table) ?? []).includes(c));
      return to >= from && !isDeferred && fk.from_table !== fk.to_table;
    });
    expect(forward).toEqual([]);
  });

  it('round-trips: export → import into a new workspace → export gives the same rows', async () => {
    const { admin, contactId } = await aSeededWorkspace();
    const before = await workspaceCount();
    const first = await exportOf(admin);
    expect(first.header).toMatchObject({ format: 'leadkeeper-workspace', version: 1 });
    expect(first.header.schemaVersion).toMatch(/^\d{4}-/);
    const tables = new Set(first.lines.map((line) => line.table));
    for (const table of [
      'workspaces',
      'users',
      'memberships',
      'pipelines',
      'stages',
      'companies',
      'contacts',
      'contact_points',
      'leads',
      'stage_history',
      'activities',
      'tasks',
      'custom_fields',
      'saved_views',
      'audit_log',
    ]) {
      expect(tables, table).toContain(table);
    }
    // No secrets: users without password hashes; no sessions or tokens.
    expect(first.body).not.toContain('password_hash');
    expect(first.body).not.toContain('token_hash');
    // The sensitive value leaves decrypted (another server has another key).
    const greta = first.lines.find((l) => l.table === 'contacts' && l.row.id === contactId)!;
    expect(greta.row.custom_fields).toEqual({ date_of_birth: { $sensitive: '1984-05-06' } });

    t.clock.advance(60_000);
    const imported = await importFile(admin, first.body);
    expect(imported.statusCode, imported.body).toBe(201);
    const { workspaceId, counts } = imported.json<{
      workspaceId: string;
      counts: Record<string, number>;
    }>();
    expect(workspaceId).not.toBe(admin.workspaceId);
    expect(counts.leads).toBe(1);
    expect(await workspaceCount()).toBe(before + 1);

    const mine = await switchTo(admin, workspaceId);
    const second = await exportOf(mine);
    // Every exported table holds as many rows in the copy (the audit log two more).
    for (const { name } of EXPORTED_TABLES) {
      const count = async (workspace: string) =>
        Number(
          (
            await t.db
              .selectFrom(name as 'leads')
              .select((eb) => eb.fn.countAll().as('n'))
              .where('workspace_id', '=', workspace)
              .executeTakeFirstOrThrow()
          ).n,
        );
      const extra = name === 'audit_log' ? 2 : 0;
      expect(await count(workspaceId), name).toBe((await count(admin.workspaceId)) + extra);
    }
    const key = (line: Line) => `${line.table} ${JSON.stringify(line.row)}`;
    const normalise = (lines: Line[]) =>
      lines.map((line) =>
        line.table === 'workspaces' ? { ...line, row: { ...line.row, id: 'x' } } : line,
      );
    const firstKeys = new Set(normalise(first.lines).map(key));
    const added = normalise(second.lines).filter((line) => !firstKeys.has(key(line)));
    // Only the import's own audit row and the second export's are new.
    expect(added.map((line) => `${line.table}:${String(line.row.action)}`).sort()).toEqual([
      'audit_log:workspace.exported',
      'audit_log:workspace.imported',
    ]);
    const secondKeys = new Set(normalise(second.lines).map(key));
    expect(normalise(first.lines).filter((line) => !secondKeys.has(key(line)))).toEqual([]);
    // Stored encrypted again, and readable.
    const stored = await t.db
      .selectFrom('contacts')
      .select('custom_fields')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', contactId)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored.custom_fields)).toContain('$enc');
    const read = await t.app.inject({
      method: 'GET',
      url: `/api/contacts/${contactId}`,
      headers: as(mine),
    });
    expect(read.json<{ customFields: Record<string, unknown> }>().customFields.date_of_birth).toBe(
      '1984-05-06',
    );
    // Search works on the imported leads (the search document was rebuilt).
    const search = await t.app.inject({
      method: 'GET',
      url: '/api/leads?q=greta',
      headers: as(mine),
    });
    expect(search.json<{ items: unknown[] }>().items).toHaveLength(1);

    // The same order too: referenced rows first, pages in key order.
    const firstTables = first.lines.map((line) => line.table);
    expect([...new Set(second.lines.map((line) => line.table))]).toEqual([...new Set(firstTables)]);
  });

  it('refuses a file from a newer schema, and a broken file, creating nothing', async () => {
    const { admin } = await aSalesDesk(t);
    await aLead(t, admin);
    const file = await exportOf(admin);
    const before = await workspaceCount();
    const newer = file.body.replace(file.header.schemaVersion, '9999-from-the-future');
    const refused = await importFile(admin, newer);
    expect(refused.statusCode).toBe(422);
    expect(refused.json<{ detail: string }>().detail).toContain('newer Leadkeeper');

    // A bad last line: everything before it was inserted in the transaction and is rolled back.
    const broken = await importFile(
      admin,
      `${file.body}{"table":"leads","row":{"id":"not-a-uuid"}}\n`,
    );
    expect(broken.statusCode).toBe(422);
    // A reference to a stage that isn't there: the database refuses it, and so does the import.
    const leadLine = file.body.split('\n').find((line) => line.startsWith('{"table":"leads"'))!;
    const stageId = (JSON.parse(leadLine) as Line).row.stage_id as string;
    const dangling = file.body.replace(
      leadLine,
      leadLine.replace(stageId, '5d9d2c8e-0000-4000-8000-000000000000'),
    );
    const refusedRow = await importFile(admin, dangling);
    expect(refusedRow.statusCode).toBe(422);
    expect(refusedRow.json<{ errors: { field: string }[] }>().errors[0]!.field).toBe('leads');
    const unknown = await importFile(admin, `${file.body}{"table":"secrets","row":{}}\n`);
    expect(unknown.statusCode).toBe(422);
    expect(await workspaceCount()).toBe(before);

    const asJson = await t.app.inject({
      method: 'POST',
      url: '/api/workspaces/import',
      headers: as(admin),
      payload: { table: 'workspaces' },
    });
    expect(asJson.statusCode).toBe(415);
  });

  it('creates members this server lacks without a password, and refuses a taken email', async () => {
    const { admin } = await aSalesDesk(t);
    const agent = await aMember(t, admin, 'agent', 'Ana Agent');
    await aLead(t, admin, { assigneeId: agent.userId });
    const file = await exportOf(admin);
    const agentRow = file.lines.find((l) => l.table === 'users' && l.row.id === agent.userId)!;
    // The same person under an id this server doesn't know, as from another server.
    const newId = '0b6c2a52-7a3e-4d4f-9d7e-3f1e2d9c8b7a';
    const moved = file.body.replaceAll(agent.userId, newId);
    const taken = await importFile(admin, moved);
    expect(taken.statusCode).toBe(409);
    expect(taken.json<{ detail: string }>().detail).toContain(String(agentRow.row.email));

    // Someone who is not a member of the exported workspace can't bring its members along.
    const stranger = (await aSalesDesk(t)).admin;
    const foreign = await importFile(stranger, file.body);
    expect(foreign.statusCode).toBe(409);
    expect(foreign.json<{ detail: string }>().detail).toContain('account on this server');

    const renamed = moved.replace(String(agentRow.row.email), 'ana.elsewhere@example.test');
    const imported = await importFile(admin, renamed);
    expect(imported.statusCode, imported.body).toBe(201);
    const user = await t.db
      .selectFrom('users')
      .select(['email', 'password_hash', 'is_instance_admin'])
      .where('id', '=', newId)
      .executeTakeFirstOrThrow();
    expect(user).toEqual({
      email: 'ana.elsewhere@example.test',
      password_hash: null,
      is_instance_admin: false,
    });
    const { workspaceId } = imported.json<{ workspaceId: string }>();
    const lead = await t.db
      .selectFrom('leads')
      .select('assignee_id')
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirstOrThrow();
    expect(lead.assignee_id).toBe(newId);
  });

  it('is for admins only', async () => {
    const { admin } = await aSalesDesk(t);
    for (const role of ['manager', 'agent', 'viewer'] as const) {
      const member = await aMember(t, admin, role);
      const response = await t.app.inject({
        method: 'GET',
        url: '/api/exports/workspace.jsonl',
        headers: as(member),
      });
      expect(response.statusCode, role).toBe(403);
      expect((await importFile(member, '{}\n')).statusCode, role).toBe(403);
    }
    const audit = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('workspace_id', '=', admin.workspaceId)
      .where('action', '=', 'workspace.exported')
      .execute();
    expect(audit).toEqual([]);
  });
});
