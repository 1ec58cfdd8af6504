// Unit tests of the pure parts of an import: header mapping, value parsing, format detection.
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { detectDelimiter, detectEncoding } from './imports.csv.js';
import { customFieldKeyOf, detectMapping, normaliseHeader } from './imports.mapping.js';
import { parseAmount, parseDateTime, readOutcome, splitList, unguard } from './imports.rows.js';

const targets = (entity: 'leads' | 'contacts' | 'companies', headers: string[]) =>
  detectMapping(entity, headers, []).map((c) => c.target);

describe('header mapping', () => {
  it('normalises case, accents, spaces and punctuation', () => {
    expect(['First Name', 'first_name', 'FirstName', 'FIRST-NAME'].map(normaliseHeader)).toEqual([
      'firstname',
      'firstname',
      'firstname',
      'firstname',
    ]);
    expect(normaliseHeader('Prénom')).toBe('prenom');
  });

  it('knows HubSpot, Salesforce, Pipedrive and Zoho column names', () => {
    expect(
      targets('leads', [
        'First Name',
        'Last Name',
        'Email Address',
        'Mobile Phone',
        'Company Name',
        'Lead Source',
        'Lead Status',
        'Deal value',
        'Owner',
        'Expected close date',
      ]),
    ).toEqual([
      'firstName',
      'lastName',
      'email',
      'mobilePhone',
      'companyName',
      'source',
      'outcome',
      'value',
      'assignee',
      'expectedCloseDate',
    ]);
    expect(targets('leads', ['FirstName', 'LastName', 'Company', 'Status', 'LeadSource'])).toEqual([
      'firstName',
      'lastName',
      'companyName',
      'outcome',
      'source',
    ]);
  });

  it("knows our own exports' headers", () => {
    expect(
      targets('leads', [
        'ID',
        'Title',
        'Contact',
        'Company',
        'Stage',
        'Status',
        'Converted',
        'Created',
      ]),
    ).toEqual([
      'externalId',
      'title',
      'fullName',
      'companyName',
      'stage',
      'outcome',
      'converted',
      'createdAt',
    ]);
    expect(
      targets('contacts', [
        'First Name',
        'Last Name',
        'Email Address',
        'Other Emails',
        'Phone (E.164)',
      ]),
    ).toEqual(['firstName', 'lastName', 'email', 'email', 'phone']);
    expect(targets('companies', ['Company Name', 'Type', 'Website', 'Industry'])).toEqual([
      'name',
      'type',
      'website',
      'industry',
    ]);
  });

  it('gives a single-value field to its first column only, and several to a list field', () => {
    expect(targets('leads', ['Email', 'Email 2', 'Company', 'Account Name'])).toEqual([
      'email',
      'email',
      'companyName',
      'ignore',
    ]);
  });

  it("reads a leads file's name as the contact's, unless a contact name column exists", () => {
    expect(targets('leads', ['name', 'email'])).toEqual(['fullName', 'email']);
    expect(targets('leads', ['name', 'contact_name'])).toEqual(['title', 'fullName']);
  });

  it('maps a custom field by key or label, once, before the built-in names', () => {
    const fields = [
      { key: 'shoe_size', label: 'Shoe size' },
      { key: 'source_detail_x', label: 'Lead Source' },
    ];
    expect(detectMapping('leads', ['Shoe Size', 'shoe_size', 'Lead Source'], fields)).toEqual([
      { header: 'Shoe Size', target: 'custom:shoe_size' },
      { header: 'shoe_size', target: 'ignore' },
      { header: 'Lead Source', target: 'custom:source_detail_x' },
    ]);
  });

  it('makes valid, unique custom field keys from headers', () => {
    const taken = new Set(['budget']);
    expect(customFieldKeyOf('Budget', taken)).toBe('budget_2');
    expect(customFieldKeyOf('2nd Größe!', taken)).toBe('f_2nd_grosse');
    expect(customFieldKeyOf('???', taken)).toBe('field');
  });
});

describe('cell values', () => {
  it('reads amounts written the English or the German way in minor units', () => {
    expect(parseAmount('1,234.50', 2)).toBe(123450);
    expect(parseAmount('1.234,50', 2)).toBe(123450);
    expect(parseAmount('€ 12 500', 2)).toBe(1250000);
    expect(parseAmount('12,500', 2)).toBe(1250000);
    expect(parseAmount('99.9', 2)).toBe(9990);
    expect(parseAmount('500', 0)).toBe(500);
    expect(parseAmount('n/a', 2)).toBeUndefined();
  });

  it('reads the date formats CRMs export, as UTC', () => {
    expect(parseDateTime('2024-08-30 14:39:58', 'DE')?.toISOString()).toBe(
      '2024-08-30T14:39:58.000Z',
    );
    expect(parseDateTime('28-08-2022 17:00', 'DE')?.toISOString()).toBe('2022-08-28T17:00:00.000Z');
    expect(parseDateTime('30.08.2024', 'DE')?.toISOString()).toBe('2024-08-30T00:00:00.000Z');
    expect(parseDateTime('08/30/2024', 'US')?.toISOString()).toBe('2024-08-30T00:00:00.000Z');
    expect(parseDateTime('05/04/2024', 'DE')?.toISOString()).toBe('2024-04-05T00:00:00.000Z');
    expect(parseDateTime('15 Apr, 2021 00:03:00', 'US')?.toISOString()).toBe(
      '2021-04-15T00:03:00.000Z',
    );
    expect(parseDateTime('2026-03-02T09:00:00.000Z', 'US')?.toISOString()).toBe(
      '2026-03-02T09:00:00.000Z',
    );
    expect(parseDateTime('31.02.2026', 'DE')).toBeUndefined();
    expect(parseDateTime('DateTime.now()', 'DE')).toBeUndefined();
  });

  it('reads won, lost and contact statuses from status words', () => {
    expect(readOutcome('Closed - Converted')).toEqual({ outcome: 'won' });
    expect(readOutcome('Closed - Not Converted')).toEqual({ outcome: 'lost' });
    expect(readOutcome('Junk Lead')).toEqual({ outcome: 'lost' });
    expect(readOutcome('Open - Not Contacted')).toEqual({
      outcome: 'open',
      contactStatus: 'not_contacted',
    });
    expect(readOutcome('Attempted to Contact')).toEqual({
      outcome: 'open',
      contactStatus: 'contacted',
    });
    expect(readOutcome('Something else')).toEqual({});
  });

  it("splits lists, including Krayin's JSON cells", () => {
    expect(splitList('a@x.test; b@x.test,c@x.test')).toEqual([
      { value: 'a@x.test', label: '' },
      { value: 'b@x.test', label: '' },
      { value: 'c@x.test', label: '' },
    ]);
    expect(splitList('[{"label": "work", "value": "5454445454"}]')).toEqual([
      { value: '5454445454', label: 'work' },
    ]);
  });

  it("takes our export's formula guard off again", () => {
    expect(unguard("'=SUM(A1)")).toBe('=SUM(A1)');
    expect(unguard("'quoted")).toBe("'quoted");
  });
});

describe('format detection', () => {
  it('detects the delimiter from the first lines', () => {
    expect(detectDelimiter('a,b,c\n1,2,3\n')).toBe(',');
    expect(detectDelimiter('a;b;c\n1,5;2;3\n')).toBe(';');
    expect(detectDelimiter('a\tb\n1\t2\n')).toBe('\t');
    expect(detectDelimiter('a|b\n1|2\n')).toBe('|');
    expect(detectDelimiter('"x,y";b\n"1,2";3\n')).toBe(';');
    expect(detectDelimiter('name\nAda\n')).toBe(',');
  });

  it('detects UTF-8, BOMs, UTF-16 and Windows-1252', () => {
    expect(detectEncoding(Buffer.from('Name\nJürgen\n'))).toBe('utf-8');
    expect(detectEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x41]))).toBe('utf-8');
    expect(detectEncoding(Buffer.from([0xff, 0xfe, 0x41, 0]))).toBe('utf-16le');
    expect(detectEncoding(Buffer.from([0xfe, 0xff, 0, 0x41]))).toBe('utf-16be');
    expect(detectEncoding(iconv.encode('Name\nJürgen\n', 'utf-16be'))).toBe('utf-16be');
    expect(detectEncoding(iconv.encode('Name\nJürgen\n', 'windows-1252'))).toBe('windows-1252');
    expect(() => detectEncoding(Buffer.from([0x89, 0x50, 0, 0x47, 0, 0, 1]))).toThrow(/not a text/);
  });
});
