import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aMember,
  aWorkspace,
  as,
  createTestApp,
  PASSWORD,
  testConfig,
  type Session,
  type TestApp,
} from '../../../../test/support/test-app.js';
import { buildApp } from '../../app.js';
import { decryptText } from '../../platform/crypto.js';
import { openDatabase } from '../../platform/db/database.js';
import { migrateToLatest } from '../../platform/db/migrate.js';
import { systemActorFor } from '../users/users.service.js';

const KEY = randomBytes(32);

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { ENCRYPTION_KEY: KEY.toString('base64') } });
});
afterAll(async () => t.close());

interface Field {
  id: string;
  key: string;
  label: string;
  type: string;
  recordType: string;
  required: boolean;
  sensitive: boolean;
  archived: boolean;
  version: number;
  options: { value: string; label: string }[];
}
interface Lead {
  id: string;
  version: number;
  customFields: Record<string, unknown>;
}

/** A workspace with one pipeline, so leads can be made. */
async function aDesk() {
  const { admin } = await aWorkspace(t);
  const pipeline = await t.app.inject({
    method: 'POST',
    url: '/api/pipelines',
    headers: as(admin),
    payload: {
      name: 'Sales',
      stages: [{ name: 'New' }, { name: 'Won', kind: 'won' }, { name: 'Lost', kind: 'lost' }],
    },
  });
  expect(pipeline.statusCode).toBe(201);
  return admin;
}

async function aField(session: Session, payload: Record<string, unknown>): Promise<Field> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/custom-fields',
    headers: as(session),
    payload: { recordType: 'lead', label: String(payload.key), type: 'text', ...payload },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<Field>();
}

const options = (...values: string[]) => values.map((value) => ({ value, label: value }));

const createLead = (session: Session, customFields?: Record<string, unknown>) =>
  t.app.inject({
    method: 'POST',
    url: '/api/leads',
    headers: as(session),
    payload: { title: 'Inquiry', ...(customFields ? { customFields } : {}) },
  });

const patchLead = (session: Session, lead: { id: string }, payload: Record<string, unknown>) =>
  t.app.inject({
    method: 'PATCH',
    url: `/api/leads/${lead.id}`,
    headers: as(session),
    payload,
  });

const getLead = (session: Session, lead: { id: string }) =>
  t.app.inject({ method: 'GET', url: `/api/leads/${lead.id}`, headers: as(session) });

async function storedValues(table: 'leads' | 'contacts' | 'companies', id: string) {
  const row = await t.db
    .selectFrom(table)
    .select('custom_fields')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row.custom_fields;
}

async function auditRows(entityId: string) {
  return t.db
    .selectFrom('audit_log')
    .select(['action', 'changes', 'actor_user_id'])
    .where('entity_id', '=', entityId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

describe('custom field definitions', () => {
  it('are created, listed by record type, read, changed with If-Match, archived and restored', async () => {
    const admin = await aDesk();
    const interest = await aField(admin, {
      key: 'treatment_interest',
      label: 'Treatment interest',
      type: 'select',
      options: options('braces', 'clear_aligners'),
    });
    expect(interest).toMatchObject({
      recordType: 'lead',
      key: 'treatment_interest',
      type: 'select',
      required: false,
      sensitive: false,
      archived: false,
      version: 1,
    });
    await aField(admin, { key: 'insurance' });
    await aField(admin, { recordType: 'contact', key: 'insurance' });

    const list = async (query: string) =>
      (await t.app.inject({ method: 'GET', url: `/api/custom-fields${query}`, headers: as(admin) }))
        .json<{ items: Field[] }>()
        .items.map((f) => `${f.recordType}:${f.key}`);
    expect(await list('?recordType=lead')).toEqual(['lead:treatment_interest', 'lead:insurance']);
    expect(await list('')).toHaveLength(3);

    const read = await t.app.inject({
      method: 'GET',
      url: `/api/custom-fields/${interest.id}`,
      headers: as(admin),
    });
    expect(read.headers.etag).toBe('"1"');

    t.clock.advance(1000);
    const changed = await t.app.inject({
      method: 'PATCH',
      url: `/api/custom-fields/${interest.id}`,
      headers: { ...as(admin), 'if-match': '"1"' },
      payload: {
        label: 'Interested in',
        required: true,
        options: options('braces', 'clear_aligners', 'retainer'),
        key: 'treatment_interest',
      },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json<Field>()).toMatchObject({ label: 'Interested in', version: 2 });
    expect(changed.json<Field>().options).toHaveLength(3);
    const stale = await t.app.inject({
      method: 'PATCH',
      url: `/api/custom-fields/${interest.id}`,
      headers: { ...as(admin), 'if-match': '"1"' },
      payload: { label: 'Again' },
    });
    expect(stale.statusCode).toBe(412);

    t.clock.advance(1000);
    const archived = await t.app.inject({
      method: 'POST',
      url: `/api/custom-fields/${interest.id}/archive`,
      headers: as(admin),
    });
    expect(archived.json<Field>().archived).toBe(true);
    expect(await list('?recordType=lead')).toEqual(['lead:insurance']);
    expect(await list('?recordType=lead&includeArchived=true')).toHaveLength(2);
    t.clock.advance(1000);
    const restored = await t.app.inject({
      method: 'POST',
      url: `/api/custom-fields/${interest.id}/restore`,
      headers: as(admin),
    });
    expect(restored.json<Field>().archived).toBe(false);
    t.clock.advance(1000);
    const deleted = await t.app.inject({
      method: 'DELETE',
      url: `/api/custom-fields/${interest.id}`,
      headers: as(admin),
    });
    expect(deleted.json<Field>().archived).toBe(true);

    const audit = await auditRows(interest.id);
    expect(audit.map((row) => row.action)).toEqual([
      'custom_field.created',
      'custom_field.updated',
      'custom_field.archived',
      'custom_field.restored',
      'custom_field.archived',
    ]);
  });

  it('keeps key, type and sensitivity as they were created', async () => {
    const admin = await aDesk();
    const field = await aField(admin, { key: 'budget', type: 'money' });
    for (const [payload, field_] of [
      [{ key: 'budget_eur' }, 'key'],
      [{ type: 'number' }, 'type'],
      [{ sensitive: true }, 'sensitive'],
    ] as const) {
      const response = await t.app.inject({
        method: 'PATCH',
        url: `/api/custom-fields/${field.id}`,
        headers: as(admin),
        payload,
      });
      expect(response.statusCode).toBe(422);
      expect(response.json().errors).toEqual([{ field: field_, message: expect.any(String) }]);
    }
  });

  it('refuses a taken key (archived ones too), bad keys and options that do not fit the type', async () => {
    const admin = await aDesk();
    const first = await aField(admin, { key: 'insurance' });
    const post = (payload: Record<string, unknown>) =>
      t.app.inject({
        method: 'POST',
        url: '/api/custom-fields',
        headers: as(admin),
        payload: { recordType: 'lead', label: 'X', type: 'text', ...payload },
      });
    expect((await post({ key: 'insurance' })).statusCode).toBe(409);
    await t.app.inject({
      method: 'DELETE',
      url: `/api/custom-fields/${first.id}`,
      headers: as(admin),
    });
    const again = await post({ key: 'insurance' });
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toContain('archived');
    expect((await post({ key: 'insurance', recordType: 'company' })).statusCode).toBe(201);

    for (const key of ['Insurance', '1st', 'with-dash', `a${'b'.repeat(63)}`]) {
      const bad = await post({ key });
      expect([key, bad.statusCode]).toEqual([key, 422]);
    }
    const noOptions = await post({ key: 'kind', type: 'select' });
    expect(noOptions.json().errors).toEqual([{ field: 'options', message: expect.any(String) }]);
    const textWithOptions = await post({ key: 'note', options: options('a') });
    expect(textWithOptions.statusCode).toBe(422);
    const twice = await post({ key: 'kind', type: 'multiselect', options: options('a', 'a') });
    expect(twice.statusCode).toBe(422);
  });

  it('may be read by every role but changed only with lead:configure', async () => {
    const admin = await aDesk();
    const field = await aField(admin, { key: 'insurance' });
    const viewer = await aMember(t, admin, 'viewer');
    const read = await t.app.inject({
      method: 'GET',
      url: `/api/custom-fields/${field.id}`,
      headers: as(viewer),
    });
    expect(read.statusCode).toBe(200);
    const agent = await aMember(t, admin, 'agent');
    const write = await t.app.inject({
      method: 'POST',
      url: '/api/custom-fields',
      headers: as(agent),
      payload: { recordType: 'lead', key: 'mine', label: 'Mine', type: 'text' },
    });
    expect(write.statusCode).toBe(403);
  });
});

describe('custom field values', () => {
  // Per type: a value that is accepted with how it is stored, and values that are refused.
  const CASES: {
    type: string;
    options?: string[];
    good: [unknown, unknown][];
    bad: unknown[];
  }[] = [
    { type: 'text', good: [['  Ana Silva ', 'Ana Silva']], bad: [42, 'x'.repeat(1001)] },
    { type: 'long_text', good: [['line 1\nline 2', 'line 1\nline 2']], bad: [true] },
    {
      type: 'number',
      good: [
        [2.5, 2.5],
        [-3, -3],
      ],
      bad: ['12'],
    },
    { type: 'money', good: [[450_000, 450_000]], bad: [12.5, -1, '100'] },
    { type: 'date', good: [['2024-02-29', '2024-02-29']], bad: ['2026-02-30', '02.03.2026'] },
    { type: 'boolean', good: [[false, false]], bad: ['yes', 1] },
    {
      type: 'select',
      options: ['braces', 'clear_aligners'],
      good: [['braces', 'braces']],
      bad: ['veneers', ['braces']],
    },
    {
      type: 'multiselect',
      options: ['seo', 'ppc', 'web'],
      good: [
        [
          ['seo', 'web', 'seo'],
          ['seo', 'web'],
        ],
      ],
      bad: ['seo', ['seo', 'tv']],
    },
    { type: 'email', good: [[' Ana@Example.COM ', 'ana@example.com']], bad: ['ana@', 5] },
    { type: 'phone', good: [['030 1234567', '+49301234567']], bad: ['12', true] },
    {
      type: 'url',
      good: [['https://example.com/a', 'https://example.com/a']],
      bad: ['ftp://example.com', 'example'],
    },
  ];

  it('are checked against the type of each field', async () => {
    const admin = await aDesk();
    for (const c of CASES) {
      await aField(admin, {
        key: `f_${c.type}`,
        type: c.type,
        ...(c.options ? { options: options(...c.options) } : {}),
      });
    }
    for (const c of CASES) {
      const key = `f_${c.type}`;
      for (const [input, stored] of c.good) {
        const created = await createLead(admin, { [key]: input });
        expect([key, created.statusCode]).toEqual([key, 201]);
        expect(created.json<Lead>().customFields).toEqual({ [key]: stored });
        expect(await storedValues('leads', created.json<Lead>().id)).toEqual({ [key]: stored });
      }
      for (const input of c.bad) {
        const refused = await createLead(admin, { [key]: input });
        expect([key, input, refused.statusCode]).toEqual([key, input, 422]);
        expect(refused.json().errors).toEqual([
          { field: `customFields.${key}`, message: expect.any(String) },
        ]);
      }
    }
    // No field type holds an object.
    const nested = await createLead(admin, { f_text: { nested: true } });
    expect(nested.statusCode).toBe(422);
  });

  it('need the required ones on create, merge on PATCH, and refuse unknown keys', async () => {
    const admin = await aDesk();
    await aField(admin, { key: 'patient_name', required: true });
    await aField(admin, { key: 'insurance' });
    const missing = await createLead(admin, { insurance: 'AOK' });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().errors).toEqual([
      { field: 'customFields.patient_name', message: 'Required' },
    ]);
    const unknown = await createLead(admin, { patient_name: 'Mia', shoe_size: '38' });
    expect(unknown.json().errors).toEqual([
      { field: 'customFields.shoe_size', message: 'No such lead field' },
    ]);

    const lead = (await createLead(admin, { patient_name: 'Mia', insurance: 'AOK' })).json<Lead>();
    const renamed = await patchLead(admin, lead, { customFields: { patient_name: 'Mia K.' } });
    expect(renamed.json<Lead>().customFields).toEqual({ patient_name: 'Mia K.', insurance: 'AOK' });
    const cleared = await patchLead(admin, lead, { customFields: { insurance: null } });
    expect(cleared.json<Lead>().customFields).toEqual({ patient_name: 'Mia K.' });
    const clearRequired = await patchLead(admin, lead, { customFields: { patient_name: '' } });
    expect(clearRequired.statusCode).toBe(422);
    expect(clearRequired.json().errors).toEqual([
      { field: 'customFields.patient_name', message: 'Required' },
    ]);
    // Other fields can change without touching custom fields.
    expect((await patchLead(admin, lead, { title: 'Mia, braces' })).statusCode).toBe(200);

    const audit = await auditRows(lead.id);
    expect(audit.map((row) => row.changes)).toContainEqual({
      'customFields.patient_name': { before: 'Mia', after: 'Mia K.' },
    });
  });

  it('of an archived field stay stored but are neither shown nor accepted', async () => {
    const admin = await aDesk();
    const field = await aField(admin, { key: 'insurance', required: true });
    const lead = (await createLead(admin, { insurance: 'AOK' })).json<Lead>();
    await t.app.inject({
      method: 'POST',
      url: `/api/custom-fields/${field.id}/archive`,
      headers: as(admin),
    });
    expect((await getLead(admin, lead)).json<Lead>().customFields).toEqual({});
    expect((await createLead(admin)).statusCode).toBe(201);
    const write = await patchLead(admin, lead, { customFields: { insurance: 'TK' } });
    expect(write.statusCode).toBe(422);
    expect(await storedValues('leads', lead.id)).toEqual({ insurance: 'AOK' });
    await t.app.inject({
      method: 'POST',
      url: `/api/custom-fields/${field.id}/restore`,
      headers: as(admin),
    });
    expect((await getLead(admin, lead)).json<Lead>().customFields).toEqual({ insurance: 'AOK' });
  });

  it('live on contacts and companies too', async () => {
    const admin = await aDesk();
    await aField(admin, { recordType: 'contact', key: 'job_title' });
    await aField(admin, {
      recordType: 'company',
      key: 'employees',
      type: 'number',
      required: true,
    });
    const contact = await t.app.inject({
      method: 'POST',
      url: '/api/contacts',
      headers: as(admin),
      payload: { firstName: 'Ana', customFields: { job_title: 'CFO' } },
    });
    expect(contact.json()).toMatchObject({ customFields: { job_title: 'CFO' } });
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/contacts/${contact.json<{ id: string }>().id}`,
      headers: as(admin),
      payload: { customFields: { job_title: 'CEO' } },
    });
    expect(patched.json()).toMatchObject({ customFields: { job_title: 'CEO' } });
    const withoutEmployees = await t.app.inject({
      method: 'POST',
      url: '/api/companies',
      headers: as(admin),
      payload: { name: 'Acme' },
    });
    expect(withoutEmployees.json().errors).toEqual([
      { field: 'customFields.employees', message: 'Required' },
    ]);
    const company = await t.app.inject({
      method: 'POST',
      url: '/api/companies',
      headers: as(admin),
      payload: { name: 'Acme', customFields: { employees: 40 } },
    });
    expect(company.statusCode).toBe(201);
    const companies = await t.app.inject({
      method: 'GET',
      url: '/api/companies',
      headers: as(admin),
    });
    expect(companies.json().items[0].customFields).toEqual({ employees: 40 });
    // A contact made with a lead gets its custom fields too.
    const lead = await t.app.inject({
      method: 'POST',
      url: '/api/leads',
      headers: as(admin),
      payload: { contact: { firstName: 'Ben', customFields: { job_title: 'CTO' } } },
    });
    expect(lead.statusCode).toBe(201);
    expect(await storedValues('contacts', lead.json<{ contactId: string }>().contactId)).toEqual({
      job_title: 'CTO',
    });
  });
});

describe('sensitive custom fields', () => {
  async function aClinic() {
    const admin = await aDesk();
    await aField(admin, { key: 'patient_name' });
    await aField(admin, { key: 'date_of_birth', type: 'date', sensitive: true });
    const agent = await aMember(t, admin, 'agent');
    const frontDesk = await aMember(t, admin, 'front_desk');
    return { admin, agent, frontDesk };
  }

  it('are stored encrypted and never in plain text, in the record or in the audit log', async () => {
    const { frontDesk } = await aClinic();
    const created = await createLead(frontDesk, {
      patient_name: 'Mia',
      date_of_birth: '2014-05-06',
    });
    expect(created.statusCode).toBe(201);
    const lead = created.json<Lead>();
    expect(lead.customFields).toEqual({ patient_name: 'Mia', date_of_birth: { masked: true } });

    const stored = await storedValues('leads', lead.id);
    expect(JSON.stringify(stored)).not.toContain('2014');
    const envelope = (stored.date_of_birth as { $enc: string }).$enc;
    expect(envelope).toMatch(/^v1:/);
    expect(decryptText(KEY, envelope)).toBe('"2014-05-06"');

    // The front desk may enter a new date of birth it cannot read back.
    const changed = await patchLead(frontDesk, lead, {
      customFields: { date_of_birth: '2014-06-05' },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json<Lead>().customFields.date_of_birth).toEqual({ masked: true });

    const audit = await auditRows(lead.id);
    expect(JSON.stringify(audit)).not.toMatch(/2014-0[56]-0[56]/);
    expect(audit.find((row) => row.action === 'lead.created')?.changes).toMatchObject({
      'customFields.date_of_birth': { before: null, after: '[sensitive]' },
    });
    expect(audit.find((row) => row.action === 'lead.sensitive_updated')?.changes).toEqual({
      fields: { before: null, after: ['date_of_birth'] },
    });
  });

  it('are shown and audited in a single-lead read for lead:read_sensitive, masked for others and in lists', async () => {
    const { agent, frontDesk } = await aClinic();
    const lead = (
      await createLead(frontDesk, { patient_name: 'Mia', date_of_birth: '2014-05-06' })
    ).json<Lead>();

    const forAgent = await getLead(agent, lead);
    expect(forAgent.json<Lead>().customFields).toEqual({
      patient_name: 'Mia',
      date_of_birth: '2014-05-06',
    });
    const reads = (await auditRows(lead.id)).filter((row) => row.action === 'lead.sensitive_read');
    expect(reads).toEqual([
      {
        action: 'lead.sensitive_read',
        actor_user_id: agent.userId,
        changes: { fields: { before: null, after: ['date_of_birth'] } },
      },
    ]);

    const forFrontDesk = await getLead(frontDesk, lead);
    expect(forFrontDesk.json<Lead>().customFields.date_of_birth).toEqual({ masked: true });
    const list = await t.app.inject({ method: 'GET', url: '/api/leads', headers: as(agent) });
    expect(list.json<{ items: Lead[] }>().items[0]!.customFields).toEqual({
      patient_name: 'Mia',
      date_of_birth: { masked: true },
    });
    const allReads = (await auditRows(lead.id)).filter(
      (row) => row.action === 'lead.sensitive_read',
    );
    expect(allReads).toHaveLength(1);
  });

  it('work the same on contacts and companies', async () => {
    const { admin, agent, frontDesk } = await aClinic();
    await aField(admin, { recordType: 'contact', key: 'ssn', sensitive: true });
    await aField(admin, { recordType: 'company', key: 'tax_id', sensitive: true });
    const contact = (
      await t.app.inject({
        method: 'POST',
        url: '/api/contacts',
        headers: as(frontDesk),
        payload: { firstName: 'Ana', customFields: { ssn: '123-45-6789' } },
      })
    ).json<{ id: string; customFields: Record<string, unknown> }>();
    expect(contact.customFields).toEqual({ ssn: { masked: true } });
    expect(JSON.stringify(await storedValues('contacts', contact.id))).not.toContain('6789');
    const read = (who: Session) =>
      t.app.inject({ method: 'GET', url: `/api/contacts/${contact.id}`, headers: as(who) });
    expect((await read(agent)).json().customFields).toEqual({ ssn: '123-45-6789' });
    expect((await read(frontDesk)).json().customFields).toEqual({ ssn: { masked: true } });
    expect((await auditRows(contact.id)).map((row) => row.action).sort()).toEqual([
      'contact.created',
      'contact.sensitive_read',
    ]);
    const contacts = await t.app.inject({
      method: 'GET',
      url: '/api/contacts',
      headers: as(agent),
    });
    expect(contacts.json().items[0].customFields).toEqual({ ssn: { masked: true } });

    const company = (
      await t.app.inject({
        method: 'POST',
        url: '/api/companies',
        headers: as(agent),
        payload: { name: 'Acme', customFields: { tax_id: 'DE123' } },
      })
    ).json<{ id: string }>();
    const companyRead = await t.app.inject({
      method: 'GET',
      url: `/api/companies/${company.id}`,
      headers: as(agent),
    });
    expect(companyRead.json().customFields).toEqual({ tax_id: 'DE123' });
    expect((await auditRows(company.id)).map((row) => row.action)).toContain(
      'company.sensitive_read',
    );
    // A lead's embedded contact is masked: read the contact itself to see its sensitive values.
    const lead = (
      await t.app.inject({
        method: 'POST',
        url: '/api/leads',
        headers: as(agent),
        payload: { contactId: contact.id },
      })
    ).json<Lead>();
    const detail = await getLead(agent, lead);
    expect(detail.json().contact.customFields).toEqual({ ssn: { masked: true } });
  });

  it('cannot be written when the server has no encryption key (PostgreSQL without ENCRYPTION_KEY)', async () => {
    // The database is the test one; DATABASE_URL only makes the configuration look like PostgreSQL.
    const noKey = await createTestApp({ env: { DATABASE_URL: 'postgres://leadkeeper@db/lk' } });
    try {
      const { admin } = await aWorkspace(noKey);
      await noKey.app.inject({
        method: 'POST',
        url: '/api/pipelines',
        headers: as(admin),
        payload: {
          name: 'Sales',
          stages: [{ name: 'New' }, { name: 'Won', kind: 'won' }, { name: 'Lost', kind: 'lost' }],
        },
      });
      const field = await noKey.app.inject({
        method: 'POST',
        url: '/api/custom-fields',
        headers: as(admin),
        payload: { recordType: 'lead', key: 'dob', label: 'DOB', type: 'date', sensitive: true },
      });
      expect(field.statusCode).toBe(201);
      const refused = await noKey.app.inject({
        method: 'POST',
        url: '/api/leads',
        headers: as(admin),
        payload: { title: 'Mia', customFields: { dob: '2014-05-06' } },
      });
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({
        detail: expect.stringContaining('Set ENCRYPTION_KEY to store sensitive fields'),
        errors: [{ field: 'customFields.dob', message: expect.any(String) }],
      });
      const withoutIt = await noKey.app.inject({
        method: 'POST',
        url: '/api/leads',
        headers: as(admin),
        payload: { title: 'Mia' },
      });
      expect(withoutIt.statusCode).toBe(201);
    } finally {
      await noKey.close();
    }
  });

  it('stay readable after a restart on an embedded data directory (the key file is reused)', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'lk-data-'));
    const boot = async () => {
      const config = testConfig({ DATA_DIR: dataDir });
      const database = await openDatabase(config);
      await migrateToLatest(database.db);
      const { app, services } = await buildApp({ config, database, logger: false });
      return { app, services, database };
    };
    try {
      const first = await boot();
      const user = await first.services.users.insertUserWithPassword(first.database.db, {
        email: 'owner@clinic.test',
        name: 'Owner',
        password: PASSWORD,
      });
      const workspace = await first.database.db.transaction().execute((trx) =>
        first.services.workspaces.createWorkspaceFor(trx, user.id, {
          name: 'Clinic',
          timeZone: 'Europe/Berlin',
          locale: 'de-DE',
          currency: 'EUR',
          country: 'DE',
          businessHours: {},
          preset: 'orthodontics',
        }),
      );
      const actor = systemActorFor(workspace.id, user.id);
      const lead = await first.services.leads.createLead(actor, {
        title: 'Mia',
        description: '',
        allowDuplicate: false,
        companyName: '',
        sourceCampaign: '',
        sourceDetail: '',
        value: 0,
        priority: 'normal',
        tags: [],
        customFields: { date_of_birth: '2014-05-06' },
      });
      await first.app.close();
      await first.database.close();

      const second = await boot();
      try {
        const read = await second.services.leads.getLead(actor, lead.id);
        expect(read.customFields.date_of_birth).toBe('2014-05-06');
      } finally {
        await second.app.close();
        await second.database.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('filtering leads by custom field', () => {
  it('matches equality, multiselect containment and several filters at once', async () => {
    const admin = await aDesk();
    await aField(admin, {
      key: 'services',
      type: 'multiselect',
      options: options('seo', 'ppc', 'web'),
    });
    await aField(admin, { key: 'budget_confirmed', type: 'boolean' });
    await aField(admin, { key: 'seats', type: 'number' });
    await aField(admin, { key: 'decision_maker' });
    await aField(admin, { key: 'dob', type: 'date', sensitive: true });
    const make = async (title: string, customFields: Record<string, unknown>) => {
      t.clock.advance(1000);
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/leads',
        headers: as(admin),
        payload: { title, customFields },
      });
      expect(response.statusCode).toBe(201);
    };
    await make('A', { services: ['seo', 'web'], budget_confirmed: true, seats: 10 });
    await make('B', { services: ['ppc'], budget_confirmed: false, decision_maker: 'Ana' });
    await make('C', { services: ['seo'], budget_confirmed: false, seats: 10 });

    const titles = async (query: string) => {
      const response = await t.app.inject({
        method: 'GET',
        url: `/api/leads?${query}`,
        headers: as(admin),
      });
      expect(response.statusCode, response.body).toBe(200);
      return response.json<{ items: { title: string }[] }>().items.map((l) => l.title);
    };
    expect(await titles('cf=services:seo')).toEqual(['C', 'A']);
    expect(await titles('cf=services:seo&cf=services:web')).toEqual(['A']);
    expect(await titles('cf=budget_confirmed:false')).toEqual(['C', 'B']);
    expect(await titles('cf=seats:10&cf=budget_confirmed:false')).toEqual(['C']);
    expect(await titles(`cf=${encodeURIComponent('decision_maker:Ana')}`)).toEqual(['B']);

    for (const [query, message] of [
      ['cf=dob:2014-05-06', 'sensitive'],
      ['cf=shoe_size:38', 'No such lead field'],
      ['cf=services:tv', 'Expected one of'],
      ['cf=seats:many', 'Expected a number'],
      ['cf=services', 'Use <key>:<value>'],
    ] as const) {
      const refused = await t.app.inject({
        method: 'GET',
        url: `/api/leads?${query}`,
        headers: as(admin),
      });
      expect([query, refused.statusCode]).toEqual([query, 422]);
      expect(refused.json().errors).toEqual([
        { field: 'cf', message: expect.stringContaining(message) },
      ]);
    }
  });
});
