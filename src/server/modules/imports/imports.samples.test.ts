// Every lead file of ../shared/data/leads (other CRMs' exports and import templates) imports
// without a manual mapping: the columns that matter are recognised, and every row is either
// created or reported. Skipped, with a message, where that folder is absent.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  as,
  createTestApp,
  type Session,
  type TestApp,
} from '../../../../test/support/test-app.js';
import { aSalesDesk } from '../../../../test/support/sales-desk.js';
import { runImport } from './imports.test-support.js';

const DIR = path.resolve('..', 'shared', 'data', 'leads');
const HAS_DATA = existsSync(DIR);
if (!HAS_DATA) console.warn(`Skipping the sample-file imports: ${DIR} is absent.`);

/** Per file: the columns that must be recognised (header → field) and the expected counts. */
const EXPECTED: Record<
  string,
  {
    mapped: Record<string, string>;
    rows: number;
    created: number;
    failed: number;
    skipped: number;
  }
> = {
  'krayin_import_sample_leads.csv': {
    mapped: {
      id: 'externalId',
      title: 'title',
      description: 'description',
      lead_value: 'value',
      status: 'outcome',
      expected_close_date: 'expectedCloseDate',
    },
    rows: 2,
    created: 2,
    failed: 0,
    skipped: 0,
  },
  'krayin_import_sample_persons.csv': {
    mapped: { name: 'fullName', emails: 'email', contact_numbers: 'phone' },
    rows: 2,
    created: 0,
    failed: 2,
    skipped: 0,
  },
  'odoo15_crm_lead_demo_flat.csv': {
    mapped: {
      xml_id: 'externalId',
      name: 'title',
      contact_name: 'fullName',
      partner_name: 'companyName',
      email_from: 'email',
      phone: 'phone',
      stage: 'stage',
      tags: 'tags',
    },
    rows: 44,
    created: 33,
    failed: 8,
    skipped: 3,
  },
  'salesforce_api_names_Leads_499.csv': {
    mapped: {
      FirstName: 'firstName',
      LastName: 'lastName',
      Company: 'companyName',
      Status: 'outcome',
    },
    rows: 499,
    created: 484,
    failed: 0,
    skipped: 15,
  },
  'salesforce_import_wizard_labels_Leads_20.csv': {
    mapped: {
      'First Name': 'firstName',
      'Last Name': 'lastName',
      Company: 'companyName',
      Email: 'email',
      Phone: 'phone',
      'Lead Source': 'source',
      Status: 'outcome',
      City: 'city',
    },
    rows: 20,
    created: 20,
    failed: 0,
    skipped: 0,
  },
  'suitecrm8_leads_export_61col_1row.csv': {
    mapped: {
      'First Name': 'firstName',
      'Last Name': 'lastName',
      ID: 'externalId',
      'Account Name': 'companyName',
      'Email Address': 'email',
      Mobile: 'mobilePhone',
      'Office Phone': 'phone',
      Status: 'outcome',
      'Lead Source': 'source',
      Description: 'description',
      Converted: 'converted',
      'Date Created': 'createdAt',
    },
    rows: 1,
    created: 0,
    failed: 1,
    skipped: 0,
  },
  'xeducation_Leads_37col.csv': {
    mapped: {
      'Prospect ID': 'externalId',
      'Lead Source': 'source',
      Converted: 'converted',
      Tags: 'tags',
    },
    rows: 9240,
    created: 9240,
    failed: 0,
    skipped: 0,
  },
  'xeducation_Leads_data_dictionary.csv': {
    mapped: { Description: 'description' },
    rows: 37,
    created: 37,
    failed: 0,
    skipped: 0,
  },
  'zoho_crm_analytics_Leads_3900.csv': {
    mapped: {
      LEADID: 'externalId',
      'Last Name': 'lastName',
      Company: 'companyName',
      Email: 'email',
      Mobile: 'mobilePhone',
      'Lead Source': 'source',
      'Lead Status': 'outcome',
      'Created Time': 'createdAt',
      CONVERTED: 'converted',
    },
    rows: 3900,
    created: 3900,
    failed: 0,
    skipped: 0,
  },
  'zoho_reports_sample_Leads_1265.csv': {
    mapped: {
      LEADID: 'externalId',
      'Last Name': 'lastName',
      Company: 'companyName',
      Email: 'email',
      Mobile: 'mobilePhone',
      'Lead Status': 'outcome',
      'Created Time': 'createdAt',
    },
    rows: 1265,
    created: 92,
    failed: 0,
    skipped: 1173,
  },
};

const FILES = HAS_DATA ? readdirSync(DIR).filter((name) => name.endsWith('.csv')) : [];

/** The workspace each file went into (the outcome test below reads two of them). */
const imported = new Map<string, Session>();

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

async function usWorkspace(): Promise<Session> {
  const { admin } = await aSalesDesk(t);
  // The sample files' phone numbers are American without a country code.
  await t.app.inject({
    method: 'PATCH',
    url: `/api/workspaces/${admin.workspaceId}`,
    headers: as(admin),
    payload: { country: 'US', currency: 'USD' },
  });
  return admin;
}

describe.skipIf(!HAS_DATA)('the sample lead files of ../shared/data/leads', () => {
  it('has an expectation for every sample file', () => {
    expect(FILES.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const file of Object.keys(EXPECTED)) {
    it(`imports ${file} without a manual mapping`, async () => {
      const expected = EXPECTED[file]!;
      const admin = await usWorkspace();
      imported.set(file, admin);
      const result = await runImport(t, admin, readFileSync(path.join(DIR, file)));
      const mapped = Object.fromEntries(result.mapping.map((c) => [c.header, c.target]));
      expect(mapped).toMatchObject(expected.mapped);
      expect(result).toMatchObject({
        status: 'completed',
        processedRows: expected.rows,
        created: expected.created,
        failed: expected.failed,
        skipped: expected.skipped,
      });
      // Every row is created, reported or a duplicate (of an earlier row, by the API's rules).
      expect(expected.created + expected.failed + expected.skipped).toBe(expected.rows);
      expect(result.errorCount).toBeGreaterThanOrEqual(expected.failed);
      // A second run of the same file creates nothing.
      const again = await runImport(t, admin, readFileSync(path.join(DIR, file)));
      expect(again).toMatchObject({
        created: 0,
        skipped: expected.created + expected.skipped,
        failed: expected.failed,
      });
    }, 120_000);
  }

  it('imports closed leads as won or lost from a status or a converted flag', async () => {
    const count = async (admin: Session, status: string) => {
      const response = await t.app.inject({
        method: 'GET',
        url: `/api/leads?limit=1&count=true&status=${status}`,
        headers: as(admin),
      });
      return response.json<{ total: number }>().total;
    };
    // Zoho: "Lost Lead" and "Junk Lead" are lost; CONVERTED=Yes otherwise is won.
    const zoho = imported.get('zoho_crm_analytics_Leads_3900.csv')!;
    expect([
      await count(zoho, 'won'),
      await count(zoho, 'lost'),
      await count(zoho, 'open'),
    ]).toEqual([2895, 780, 225]);
    // X Education: Converted 1 is won, 0 stays open.
    const xed = imported.get('xeducation_Leads_37col.csv')!;
    expect([await count(xed, 'won'), await count(xed, 'open')]).toEqual([3561, 5679]);
  }, 120_000);
});
