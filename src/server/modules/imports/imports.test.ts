import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aMember,
  aWorkspace,
  as,
  createTestApp,
  type Session,
  type TestApp,
} from '../../../../test/support/test-app.js';
import { aLead, aSalesDesk, type Stage } from '../../../../test/support/sales-desk.js';
import { runImport, uploadImport } from './imports.test-support.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

interface LeadItem {
  id: string;
  title: string;
  contactId: string | null;
  stageId: string;
  status: string;
  companyName: string;
  sourceId: string | null;
  value: number;
  customFields: Record<string, unknown>;
  contactName: string | null;
  archived: boolean;
}

async function leadsOf(session: Session, query = '') {
  const response = await t.app.inject({
    method: 'GET',
    url: `/api/leads?limit=200${query}`,
    headers: as(session),
  });
  return response.json<{ items: LeadItem[] }>().items;
}

async function contactsOf(session: Session, q = '') {
  const response = await t.app.inject({
    method: 'GET',
    url: `/api/contacts?limit=200${q ? `&q=${encodeURIComponent(q)}` : ''}`,
    headers: as(session),
  });
  return response.json<{
    items: {
      id: string;
      firstName: string;
      lastName: string;
      emails: { value: string }[];
      phones: { e164: string }[];
      notes: string;
    }[];
  }>().items;
}

const HUBSPOT = [
  'First Name,Last Name,Email Address,Mobile Phone,Company Name,Lead Source,Lead Status,Amount',
  'Greta,Holm,Greta@Holm-Bau.de,+49 170 1234567,Holm Bau,Website,New,"1.250,50"',
  'Jon,Miller,jon@miller.example,,Miller AG,Trade fair,Closed - Converted,',
  'Ina,Berg,ina@berg.example,,Berg GmbH,,Closed - Not Converted,',
].join('\r\n');

describe('importing leads', () => {
  let desk: Awaited<ReturnType<typeof aSalesDesk>>;
  let stages: Record<string, Stage>;
  beforeAll(async () => {
    desk = await aSalesDesk(t);
    stages = desk.stage;
  });

  it('maps CRM headers, creates contacts and leads with their outcome, and tags them with the import', async () => {
    const result = await runImport(t, desk.admin, HUBSPOT);
    expect(result).toMatchObject({
      status: 'completed',
      totalRows: 3,
      processedRows: 3,
      created: 3,
      skipped: 0,
      failed: 0,
    });
    expect(result.mapping.map((c) => c.target)).toEqual([
      'firstName',
      'lastName',
      'email',
      'mobilePhone',
      'companyName',
      'source',
      'outcome',
      'value',
    ]);
    const leads = await leadsOf(desk.admin, '&q=Holm');
    const greta = leads.find((l) => l.title === 'Greta Holm');
    expect(greta).toMatchObject({ companyName: 'Holm Bau', value: 125050, status: 'open' });
    expect(greta?.contactName).toBe('Greta Holm');
    // "Website" is a source of the preset; "Trade fair" is not and is kept as the source detail.
    expect(greta?.sourceId).not.toBeNull();
    const all = await leadsOf(desk.admin);
    const won = all.find((l) => l.title === 'Jon Miller');
    const lost = all.find((l) => l.title === 'Ina Berg');
    expect(won?.status).toBe('won');
    expect(won?.stageId).toBe(Object.values(stages).find((s) => s.kind === 'won')?.id);
    expect(lost?.status).toBe('lost');
    const contact = (await contactsOf(desk.admin, 'Holm')).find((c) => c.lastName === 'Holm');
    expect(contact?.emails).toEqual([{ value: 'greta@holm-bau.de', label: '' }]);
    expect(contact?.phones[0]?.e164).toBe('+491701234567');
    const tagged = await t.db
      .selectFrom('leads')
      .select(['id', 'import_id'])
      .where('workspace_id', '=', desk.admin.workspaceId)
      .where('import_id', '=', result.id)
      .execute();
    expect(tagged).toHaveLength(3);
    const history = await t.db
      .selectFrom('stage_history')
      .select('lead_id')
      .where(
        'lead_id',
        'in',
        tagged.map((l) => l.id),
      )
      .execute();
    expect(history).toHaveLength(3);
  });

  it('creates nothing when the same file is imported again', async () => {
    const before = (await leadsOf(desk.admin)).length;
    const again = await runImport(t, desk.admin, HUBSPOT);
    expect(again).toMatchObject({ status: 'completed', created: 0, skipped: 3 });
    expect(await leadsOf(desk.admin)).toHaveLength(before);
  });

  it('skips, updates or duplicates a row whose email matches a contact, as the policy says', async () => {
    const existing = await aLead(t, desk.admin, {
      contact: { firstName: 'Olga', lastName: 'Old', emails: ['olga@example.test'] },
      title: 'Olga from the phone',
    });
    const csv =
      'Email,First Name,Last Name,Notes,Amount\nOLGA@example.test,Olga,Neu,Wants a quote,99\n';
    const skipped = await runImport(t, desk.admin, csv);
    expect(skipped).toMatchObject({ created: 0, skipped: 1 });

    const updated = await runImport(t, desk.admin, csv, { duplicatePolicy: 'update' });
    expect(updated).toMatchObject({ created: 0, updated: 1 });
    const lead = await t.app.inject({
      method: 'GET',
      url: `/api/leads/${existing.id}`,
      headers: as(desk.admin),
    });
    expect(lead.json()).toMatchObject({
      title: 'Olga from the phone',
      description: 'Wants a quote',
      value: 9900,
      contact: { lastName: 'Neu' },
    });

    const duplicated = await runImport(t, desk.admin, csv, { duplicatePolicy: 'create' });
    expect(duplicated).toMatchObject({ created: 1 });
    const olgas = (await contactsOf(desk.admin, 'olga')).filter((c) =>
      c.emails.some((e) => e.value === 'olga@example.test'),
    );
    expect(olgas).toHaveLength(2);
  });

  it('treats two rows of one file with the same email as one person', async () => {
    const csv = 'Name,Email\nPia Paul,pia@example.test\nPia P.,pia@example.test\n';
    const result = await runImport(t, desk.admin, csv);
    expect(result).toMatchObject({ created: 1, skipped: 1 });
  });

  it('reports bad rows (row, column, value, message), imports the rest, and serves the report as CSV', async () => {
    const csv = [
      'First Name,Last Name,Email,Phone,Expected Close Date',
      'Good,One,good.one@example.test,,2026-05-01',
      'Bad,Mail,not-an-email,,',
      'Bad,Phone,,12,',
      'Bad,Date,,,31.02.2026',
      'Good,Two,good.two@example.test,,',
    ].join('\n');
    const result = await runImport(t, desk.admin, csv);
    expect(result).toMatchObject({ status: 'completed', created: 2, failed: 3, errorCount: 3 });
    expect(result.errors).toEqual([
      { row: 3, column: 'Email', value: 'not-an-email', message: expect.any(String) },
      { row: 4, column: 'Phone', value: '12', message: 'Not a valid phone number' },
      { row: 5, column: 'Expected Close Date', value: '31.02.2026', message: 'Not a date' },
    ]);
    const report = await t.app.inject({
      method: 'GET',
      url: `/api/imports/${result.id}/report.csv`,
      headers: as(desk.admin),
    });
    expect(report.statusCode).toBe(200);
    expect(report.headers['content-type']).toMatch(/^text\/csv/);
    const rows: string[][] = parse(report.body, { bom: true });
    expect(rows[0]).toEqual(['row', 'column', 'value', 'message']);
    expect(rows.slice(1).map((r) => r[0])).toEqual(['3', '4', '5']);
  });

  it('validates every row in a dry run and writes nothing', async () => {
    const before = (await leadsOf(desk.admin)).length;
    const csv = 'Name,Email\nDry Run,dry@example.test\nNo Mail,nope\n';
    const result = await runImport(t, desk.admin, csv, { dryRun: 'true' });
    expect(result).toMatchObject({ status: 'completed', created: 1, failed: 1 });
    expect(result.message).toContain('would be created');
    expect(await leadsOf(desk.admin)).toHaveLength(before);
    const undo = await t.app.inject({
      method: 'POST',
      url: `/api/imports/${result.id}/undo`,
      headers: as(desk.admin),
    });
    expect(undo.statusCode).toBe(409);
  });

  it('imports nothing when all-or-nothing meets a bad row, and everything when all rows are good', async () => {
    const before = (await leadsOf(desk.admin)).length;
    const bad = 'Name,Email\nAll One,all.one@example.test\nAll Two,broken\n';
    const failed = await runImport(t, desk.admin, bad, { allOrNothing: 'true' });
    expect(failed).toMatchObject({ status: 'failed', failed: 1, created: 0 });
    expect(failed.message).toContain('nothing was imported');
    expect(await leadsOf(desk.admin)).toHaveLength(before);
    const good = 'Name,Email\nAll One,all.one@example.test\nAll Two,all.two@example.test\n';
    const done = await runImport(t, desk.admin, good, { allOrNothing: 'true' });
    expect(done).toMatchObject({ status: 'completed', created: 2, failed: 0 });
    expect(await leadsOf(desk.admin)).toHaveLength(before + 2);
  });

  it('undoes an import by archiving what it created, once, with an audit row', async () => {
    const csv = 'Name,Email\nUndo Me,undo.me@example.test\nUndo You,undo.you@example.test\n';
    const result = await runImport(t, desk.admin, csv);
    expect(result.created).toBe(2);
    const undo = await t.app.inject({
      method: 'POST',
      url: `/api/imports/${result.id}/undo`,
      headers: as(desk.admin),
    });
    expect(undo.statusCode).toBe(200);
    expect(undo.json()).toEqual({ leads: 2, contacts: 2, companies: 0 });
    const archived = await leadsOf(desk.admin, '&q=Undo&includeArchived=true');
    expect(archived.map((l) => l.archived)).toEqual([true, true]);
    expect(await leadsOf(desk.admin, '&q=Undo')).toHaveLength(0);
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/imports/${result.id}/undo`,
      headers: as(desk.admin),
    });
    expect(again.statusCode).toBe(409);
    const audit = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', result.id)
      .execute();
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        'import.created',
        'import.batch_written',
        'import.completed',
        'import.undone',
      ]),
    );
    // After an undo, the same file can be imported again.
    const redo = await runImport(t, desk.admin, csv);
    expect(redo.created).toBe(2);
  });

  it('cancels a queued import before it writes anything', async () => {
    const response = await uploadImport(t, desk.admin, 'Name\nNever Imported\n');
    const { id } = response.json<{ id: string }>();
    const cancel = await t.app.inject({
      method: 'POST',
      url: `/api/imports/${id}/cancel`,
      headers: as(desk.admin),
    });
    expect(cancel.statusCode).toBe(200);
    expect(cancel.json()).toMatchObject({ status: 'cancelled' });
    await t.runJobs();
    expect(await leadsOf(desk.admin, '&q=Never')).toHaveLength(0);
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/imports/${id}/cancel`,
      headers: as(desk.admin),
    });
    expect(again.statusCode).toBe(409);
  });

  it('stops a running import at the end of a batch when cancelled', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => `Stop ${i},stop${i}@example.test`);
    const response = await uploadImport(t, desk.admin, ['Name,Email', ...rows].join('\n'));
    const { id } = response.json<{ id: string }>();
    // As if the job had started and a member pressed cancel while it ran.
    await t.db
      .updateTable('imports')
      .set({
        status: 'running',
        is_cancel_requested: true,
        updated_at: new Date('2026-03-02T08:00:00Z'),
      })
      .where('id', '=', id)
      .execute();
    await t.services.imports.runImport(desk.admin.workspaceId, id);
    const state = await t.app.inject({
      method: 'GET',
      url: `/api/imports/${id}`,
      headers: as(desk.admin),
    });
    expect(state.json()).toMatchObject({ status: 'cancelled', processedRows: 1000, created: 1000 });
  });

  it('leaves an import alone while another runner is at it', async () => {
    const response = await uploadImport(t, desk.admin, 'Name\nBusy Runner\n');
    const { id } = response.json<{ id: string }>();
    await t.db.updateTable('imports').set({ status: 'running' }).where('id', '=', id).execute();
    await t.runJobs();
    const state = await t.app.inject({
      method: 'GET',
      url: `/api/imports/${id}`,
      headers: as(desk.admin),
    });
    expect(state.json()).toMatchObject({ status: 'running', processedRows: 0 });
  });

  it('goes on after the last committed batch when a crashed job is run again', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => `Resume ${i},resume${i}@example.test`);
    const response = await uploadImport(t, desk.admin, ['Name,Email', ...rows].join('\n'));
    const { id } = response.json<{ id: string }>();
    // As if a first run had committed one batch (the rows themselves are absent here, so a
    // re-read from the start would create 2,500) and then the process died.
    await t.db
      .updateTable('imports')
      .set({
        status: 'running',
        processed_rows: 1000,
        created_count: 1000,
        updated_at: new Date('2026-03-02T08:00:00Z'),
      })
      .where('id', '=', id)
      .execute();
    await t.runJobs();
    const state = await t.app.inject({
      method: 'GET',
      url: `/api/imports/${id}`,
      headers: as(desk.admin),
    });
    expect(state.json()).toMatchObject({ status: 'completed', processedRows: 2500, created: 2500 });
    const written = await t.db
      .selectFrom('leads')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('import_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(Number(written.n)).toBe(1500);
  });

  it('follows a manual mapping and turns unmapped columns into custom fields with createFields', async () => {
    const csv = 'Kunde,Mail,Shoe Size,Favourite Colour\nKarl Klein,karl@example.test,44,blue\n';
    const result = await runImport(t, desk.admin, csv, {
      mapping: JSON.stringify({ Kunde: 'fullName', Mail: 'email', 'Favourite Colour': 'ignore' }),
      createFields: 'true',
    });
    expect(result).toMatchObject({ status: 'completed', created: 1 });
    expect(result.mapping).toEqual([
      { header: 'Kunde', target: 'fullName' },
      { header: 'Mail', target: 'email' },
      { header: 'Shoe Size', target: 'custom:shoe_size' },
      { header: 'Favourite Colour', target: 'ignore' },
    ]);
    const [karl] = await leadsOf(desk.admin, '&q=Karl');
    expect(karl?.customFields).toEqual({ shoe_size: '44' });
  });

  it('refuses a mapping to an unknown field or column with 422', async () => {
    const response = await uploadImport(t, desk.admin, 'Name\nX\n', {
      mapping: JSON.stringify({ Name: 'shoeSize', Nope: 'email' }),
    });
    expect(response.statusCode).toBe(422);
    expect(response.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toEqual([
      'mapping.Name',
      'mapping.Nope',
    ]);
    const imports = await t.db
      .selectFrom('imports')
      .select('id')
      .where('workspace_id', '=', desk.admin.workspaceId)
      .where('file_name', '=', 'import.csv')
      .where('total_rows', 'is', null)
      .execute();
    expect(imports).toEqual([]);
  });

  it('reads Windows-1252, UTF-16 and semicolon- or tab-separated files', async () => {
    const latin = iconv.encode(
      'Vorname;Nachname;E-Mail\nJürgen;Größe;juergen@example.test\n',
      'windows-1252',
    );
    const r1 = await runImport(t, desk.admin, latin);
    expect(r1).toMatchObject({ encoding: 'windows-1252', delimiter: ';', created: 1 });
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      iconv.encode('First Name\tLast Name\tEmail\nÅsa\tÖberg\tasa@example.test\n', 'utf-16le'),
    ]);
    const r2 = await runImport(t, desk.admin, utf16);
    expect(r2).toMatchObject({ encoding: 'utf-16le', delimiter: '\t', created: 1 });
    const names = [
      ...(await contactsOf(desk.admin, 'Größe')),
      ...(await contactsOf(desk.admin, 'Öberg')),
    ].map((c) => `${c.firstName} ${c.lastName}`);
    expect(names).toEqual(expect.arrayContaining(['Jürgen Größe', 'Åsa Öberg']));
  });

  it('re-imports our own leads export into another workspace without a mapping', async () => {
    const source = await aSalesDesk(t);
    await aLead(t, source.admin, {
      title: '=HYPERLINK("evil")',
      companyName: 'Export GmbH',
      value: 4200,
      tags: ['vip'],
    });
    const exported = await t.app.inject({
      method: 'GET',
      url: '/api/exports/leads.csv',
      headers: as(source.admin),
    });
    const target = await aSalesDesk(t);
    const result = await runImport(t, target.admin, exported.rawPayload);
    expect(result).toMatchObject({ status: 'completed', created: 1, failed: 0 });
    const targets = Object.fromEntries(result.mapping.map((c) => [c.header, c.target]));
    expect(targets).toMatchObject({
      ID: 'externalId',
      Title: 'title',
      Contact: 'fullName',
      Company: 'companyName',
      Stage: 'stage',
      Status: 'outcome',
      Value: 'value',
      Currency: 'currency',
      Tags: 'tags',
      Created: 'createdAt',
    });
    const [lead] = await leadsOf(target.admin);
    // The export's formula guard is taken off again.
    expect(lead).toMatchObject({
      title: '=HYPERLINK("evil")',
      companyName: 'Export GmbH',
      value: 4200,
    });
  });
});

describe('importing contacts and companies', () => {
  it('imports contacts, linking each to its company by name', async () => {
    const { admin } = await aWorkspace(t, 'Contacts Co');
    const companies = await runImport(
      t,
      admin,
      'Company Name,Website,Industry,Phone\nAcme AG,acme.example,Retail,+49 30 1234567\n',
      { entity: 'companies' },
    );
    expect(companies).toMatchObject({ status: 'completed', created: 1 });
    const again = await runImport(t, admin, 'Account Name\nACME AG\n', { entity: 'companies' });
    expect(again).toMatchObject({ created: 0, skipped: 1 });
    const contacts = await runImport(
      t,
      admin,
      'First Name,Last Name,Email Address,Other Emails,Company Name,Notes,Tags\n' +
        'Cora,Cole,cora@acme.example,cora.private@example.test; c@example.test,Acme AG,Met at fair,a; b\n',
      { entity: 'contacts' },
    );
    expect(contacts).toMatchObject({ status: 'completed', created: 1 });
    const list = await contactsOf(admin);
    const cora = list.find((c) => c.firstName === 'Cora');
    expect(cora?.emails.map((e) => e.value)).toEqual([
      'cora@acme.example',
      'cora.private@example.test',
      'c@example.test',
    ]);
    expect(cora?.notes).toBe('Met at fair');
    const detail = await t.app.inject({
      method: 'GET',
      url: `/api/contacts/${cora?.id}`,
      headers: as(admin),
    });
    expect(detail.json<{ companyId: string | null; tags: string[] }>()).toMatchObject({
      companyId: expect.any(String),
      tags: ['a', 'b'],
    });
  });
});

describe('preview, list and saved mappings', () => {
  it('previews the first rows with the detected format and mapping', async () => {
    const { admin } = await aWorkspace(t, 'Preview Co');
    const rows = Array.from({ length: 30 }, (_, i) => `P${i};p${i}@example.test`);
    const response = await uploadImport(
      t,
      admin,
      ['Full Name;E-mail', ...rows].join('\n'),
      {},
      '/api/imports/preview',
    );
    expect(response.statusCode).toBe(200);
    const preview = response.json<{
      delimiter: string;
      headers: string[];
      rows: string[][];
      mapping: { target: string }[];
      targets: { value: string }[];
    }>();
    expect(preview.delimiter).toBe(';');
    expect(preview.headers).toEqual(['Full Name', 'E-mail']);
    expect(preview.rows).toHaveLength(10);
    expect(preview.mapping.map((m) => m.target)).toEqual(['fullName', 'email']);
    expect(preview.targets.map((target) => target.value)).toContain('outcome');
    const none = await t.app.inject({ method: 'GET', url: '/api/imports', headers: as(admin) });
    expect(none.json()).toEqual({ items: [], nextCursor: null });
  });

  it('saves a mapping under a name and replaces it under the same name', async () => {
    const { admin } = await aWorkspace(t, 'Mapping Co');
    const save = (mapping: { header: string; target: string }[]) =>
      t.app.inject({
        method: 'POST',
        url: '/api/import-mappings',
        headers: as(admin),
        payload: { entity: 'leads', name: 'Trade fair list', mapping },
      });
    expect((await save([{ header: 'Kunde', target: 'fullName' }])).statusCode).toBe(200);
    await save([{ header: 'Kunde', target: 'companyName' }]);
    const list = await t.app.inject({
      method: 'GET',
      url: '/api/import-mappings',
      headers: as(admin),
    });
    expect(list.json()).toMatchObject({
      items: [{ name: 'Trade fair list', mapping: [{ header: 'Kunde', target: 'companyName' }] }],
    });
  });

  it('lists past imports newest first', async () => {
    const { admin } = await aWorkspace(t, 'List Co');
    await runImport(t, admin, 'Name\nOne\n');
    t.clock.advance(1000);
    await runImport(t, admin, 'Name\nTwo\n', { dryRun: 'true' });
    const list = await t.app.inject({
      method: 'GET',
      url: '/api/imports?limit=1',
      headers: as(admin),
    });
    const page = list.json<{ items: { dryRun: boolean }[]; nextCursor: string | null }>();
    expect(page.items.map((i) => i.dryRun)).toEqual([true]);
    const next = await t.app.inject({
      method: 'GET',
      url: `/api/imports?limit=1&cursor=${page.nextCursor}`,
      headers: as(admin),
    });
    expect(next.json<{ items: { dryRun: boolean }[] }>().items.map((i) => i.dryRun)).toEqual([
      false,
    ]);
  });
});

describe('import permissions', () => {
  it('needs lead:create to import and lead:configure to create fields', async () => {
    const { admin } = await aWorkspace(t, 'Perm Co');
    const viewer = await aMember(t, admin, 'viewer');
    expect((await uploadImport(t, viewer, 'Name\nX\n')).statusCode).toBe(403);
    const agent = await aMember(t, admin, 'agent');
    const fields = await uploadImport(t, agent, 'Name,Extra\nX,Y\n', { createFields: 'true' });
    expect(fields.statusCode).toBe(403);
    expect((await uploadImport(t, agent, 'Name\nX\n')).statusCode).toBe(202);
  });

  it('lets only the member who ran an import, or a manager, undo it', async () => {
    const { admin } = await aWorkspace(t, 'Undo Co');
    const agent = await aMember(t, admin, 'agent');
    const other = await aMember(t, admin, 'agent');
    const result = await runImport(t, agent, 'Name\nAgent Lead\n');
    const undo = (session: Session) =>
      t.app.inject({ method: 'POST', url: `/api/imports/${result.id}/undo`, headers: as(session) });
    expect((await undo(other)).statusCode).toBe(403);
    expect((await undo(agent)).statusCode).toBe(200);
  });
});
