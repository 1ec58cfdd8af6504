// Bad input gets a report, not a crash, and loses no good row. Every file is made here.
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  as,
  createTestApp,
  type Session,
  type TestApp,
} from '../../../../test/support/test-app.js';
import { aSalesDesk } from '../../../../test/support/sales-desk.js';
import { runImport, uploadImport } from './imports.test-support.js';

let t: TestApp;
let admin: Session;
beforeAll(async () => {
  t = await createTestApp();
  admin = (await aSalesDesk(t)).admin;
});
afterAll(async () => t.close());

async function titles(q: string) {
  const response = await t.app.inject({
    method: 'GET',
    url: `/api/leads?limit=200&q=${encodeURIComponent(q)}`,
    headers: as(admin),
  });
  return response
    .json<{ items: { title: string }[] }>()
    .items.map((lead) => lead.title)
    .sort();
}

describe('bad CSV input', () => {
  it('skips a row whose quote never closes and reads on from the next line', async () => {
    const csv = [
      'Name,Email',
      'Quote Alpha,alpha@quote.test',
      '"Quote Broken,broken@quote.test',
      'Quote Gamma,gamma@quote.test',
      'Quote Delta,delta@quote.test',
    ].join('\n');
    const result = await runImport(t, admin, csv);
    expect(result).toMatchObject({ status: 'completed', created: 3, failed: 1 });
    expect(result.errors).toEqual([
      { row: 3, column: '', value: '', message: expect.stringContaining('never closed') },
    ]);
    expect(await titles('Quote')).toEqual(['Quote Alpha', 'Quote Delta', 'Quote Gamma']);
  });

  it('keeps stray quotes inside a field as text', async () => {
    const result = await runImport(t, admin, 'Name,Notes\nStray "the" Quote,5" screen\n');
    expect(result).toMatchObject({ created: 1, failed: 0 });
    expect(await titles('Stray')).toEqual(['Stray "the" Quote']);
  });

  it('reports a row with more cells than the header and takes a short row as is', async () => {
    const csv =
      'Name,Email\nRagged Long,long@ragged.test,extra\nRagged Short\nRagged Fine,fine@ragged.test\n';
    const result = await runImport(t, admin, csv);
    expect(result).toMatchObject({ created: 2, failed: 1 });
    expect(result.errors[0]).toMatchObject({ row: 2, value: 'extra' });
    expect(result.errors[0]?.message).toContain('has 3 cells but the header has 2');
    expect(await titles('Ragged')).toEqual(['Ragged Fine', 'Ragged Short']);
  });

  it('refuses a binary file with a 422 and keeps nothing of it', async () => {
    const png = Buffer.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 1, 2, 0, 0, 9,
    ]);
    const response = await uploadImport(t, admin, png);
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      errors: [{ field: 'file', message: expect.stringContaining('not a text file') }],
    });
    const rows = await t.db.selectFrom('import_file_chunks').select('import_id').execute();
    const imports = await t.db.selectFrom('imports').select('id').execute();
    expect(rows.every((row) => imports.some((i) => i.id === row.import_id))).toBe(true);
  });

  it('reads a file in a legacy encoding (Windows-1252) and UTF-16 without a BOM', async () => {
    const latin = iconv.encode('Name\nEncoding Müller-Lüdenscheidt\n', 'windows-1252');
    const r1 = await runImport(t, admin, latin);
    expect(r1).toMatchObject({ encoding: 'windows-1252', created: 1 });
    const utf16 = iconv.encode('Name\nEncoding Sixteen\n', 'utf-16le');
    const r2 = await runImport(t, admin, utf16);
    expect(r2).toMatchObject({ encoding: 'utf-16le', created: 1 });
    expect(await titles('Encoding')).toEqual(['Encoding Müller-Lüdenscheidt', 'Encoding Sixteen']);
  });

  it('answers an empty file, or one with only a BOM, with a 422', async () => {
    for (const content of [Buffer.alloc(0), Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('\n\n')]) {
      const response = await uploadImport(t, admin, content);
      expect(response.statusCode).toBe(422);
      expect(response.json()).toMatchObject({
        errors: [{ field: 'file', message: 'The file is empty.' }],
      });
    }
  });

  it('completes a header-only file with no rows and says so', async () => {
    const result = await runImport(t, admin, 'First Name,Last Name,Email\n');
    expect(result).toMatchObject({
      status: 'completed',
      totalRows: 0,
      processedRows: 0,
      created: 0,
      message: 'The file has a header but no rows.',
    });
  });

  it('reports a 10 MB cell as too long and imports the other rows', async () => {
    const big = 'x'.repeat(10 * 1024 * 1024);
    const csv = `Name,Description\nHuge Cell,"${big}"\nHuge Neighbour,fine\n`;
    const result = await runImport(t, admin, csv);
    expect(result).toMatchObject({ status: 'completed', created: 1, failed: 1 });
    expect(result.errors[0]).toMatchObject({ row: 2, column: 'Description' });
    expect(result.errors[0]?.value).toHaveLength(200);
    expect(await titles('Huge')).toEqual(['Huge Neighbour']);
  }, 120_000);

  it('imports a file of 1,000 columns, mapping the ones it knows', async () => {
    const header = ['Name', 'Email', ...Array.from({ length: 998 }, (_, i) => `Extra ${i}`)];
    const row = (n: number) => [
      `Wide ${n}`,
      `wide${n}@wide.test`,
      ...header.slice(2).map(() => 'v'),
    ];
    const csv = [header, row(1), row(2)].map((cells) => cells.join(',')).join('\n');
    const result = await runImport(t, admin, csv);
    expect(result).toMatchObject({ status: 'completed', created: 2, failed: 0 });
    expect(result.mapping).toHaveLength(1000);
    expect(result.mapping.filter((c) => c.target !== 'ignore')).toEqual([
      { header: 'Name', target: 'fullName' },
      { header: 'Email', target: 'email' },
    ]);
    // Turning 998 columns into custom fields is refused with a reason, not attempted.
    const fields = await uploadImport(t, admin, csv, { createFields: 'true' });
    expect(fields.statusCode).toBe(422);
    expect(fields.json()).toMatchObject({ errors: [{ field: 'createFields' }] });
  });

  it('answers a request without a file, or not multipart, with a report', async () => {
    const noFile = await t.app.inject({
      method: 'POST',
      url: '/api/imports',
      headers: { ...as(admin), 'content-type': 'multipart/form-data; boundary=x' },
      payload: '--x\r\nContent-Disposition: form-data; name="entity"\r\n\r\nleads\r\n--x--\r\n',
    });
    expect(noFile.statusCode).toBe(422);
    expect(noFile.json()).toMatchObject({ errors: [{ field: 'file' }] });
    const json = await t.app.inject({
      method: 'POST',
      url: '/api/imports',
      headers: as(admin),
      payload: { file: 'x' },
    });
    expect(json.statusCode).toBe(415);
  });
});
