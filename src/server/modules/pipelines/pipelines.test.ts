import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aMember,
  aWorkspace,
  as,
  createTestApp,
  type Session,
  type TestApp,
} from '../../../../test/support/test-app.js';
import { findMissingForConversion, slugify } from './pipelines.service.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

interface Pipeline {
  id: string;
  name: string;
  isDefault: boolean;
  archived: boolean;
  version: number;
  policy: string;
  stages: {
    id: string;
    slug: string;
    kind: string;
    position: number;
    probability: number;
    color: string;
  }[];
}

const SALES_STAGES = [
  { name: 'New' },
  { name: 'Contacted', maxDaysInStage: 3 },
  { name: 'Proposal', probability: 60, color: '#FAB005' },
  { name: 'Won', kind: 'won' },
  { name: 'Lost', kind: 'lost' },
];

async function createPipeline(session: Session, payload: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url: '/api/pipelines', headers: as(session), payload });
}

async function aPipeline(session: Session, name = 'Sales'): Promise<Pipeline> {
  const response = await createPipeline(session, { name, stages: SALES_STAGES });
  expect(response.statusCode).toBe(201);
  return response.json<Pipeline>();
}

describe('pipelines', () => {
  it('creates a pipeline with ordered stages, slugs, defaults per kind, and makes the first one default', async () => {
    const { admin } = await aWorkspace(t);
    const pipeline = await aPipeline(admin);
    expect(pipeline).toMatchObject({
      name: 'Sales',
      isDefault: true,
      policy: 'backward_with_reason',
      version: 1,
    });
    expect(pipeline.stages.map((s) => [s.slug, s.kind, s.position, s.probability])).toEqual([
      ['new', 'open', 0, 10],
      ['contacted', 'open', 1, 10],
      ['proposal', 'open', 2, 60],
      ['won', 'won', 3, 100],
      ['lost', 'lost', 4, 0],
    ]);
    expect(pipeline.stages[2]?.color).toBe('#fab005');
    const second = await aPipeline(admin, 'Renovations');
    expect(second.isDefault).toBe(false);
    const list = await t.app.inject({ method: 'GET', url: '/api/pipelines', headers: as(admin) });
    expect(list.json<{ items: Pipeline[] }>().items.map((p) => p.name)).toEqual([
      'Sales',
      'Renovations',
    ]);
  });

  it('refuses a pipeline without an open, a won and a lost stage', async () => {
    const { admin } = await aWorkspace(t);
    const response = await createPipeline(admin, {
      name: 'Broken',
      stages: [{ name: 'A' }, { name: 'B' }, { name: 'Done', kind: 'won' }],
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors).toEqual([
      { field: 'stages', message: expect.stringContaining('lost') },
    ]);
  });

  it('keeps exactly one default pipeline', async () => {
    const { admin } = await aWorkspace(t);
    const first = await aPipeline(admin, 'First');
    const second = await aPipeline(admin, 'Second');
    const made = await t.app.inject({
      method: 'PATCH',
      url: `/api/pipelines/${second.id}`,
      headers: as(admin),
      payload: { isDefault: true },
    });
    expect(made.json<Pipeline>().isDefault).toBe(true);
    const reloaded = await t.app.inject({
      method: 'GET',
      url: `/api/pipelines/${first.id}`,
      headers: as(admin),
    });
    expect(reloaded.json<Pipeline>().isDefault).toBe(false);
    const archiveDefault = await t.app.inject({
      method: 'DELETE',
      url: `/api/pipelines/${second.id}`,
      headers: as(admin),
    });
    expect(archiveDefault.statusCode).toBe(409);
    const archived = await t.app.inject({
      method: 'DELETE',
      url: `/api/pipelines/${first.id}`,
      headers: as(admin),
    });
    expect(archived.json<Pipeline>().archived).toBe(true);
    const active = await t.app.inject({ method: 'GET', url: '/api/pipelines', headers: as(admin) });
    expect(active.json<{ items: Pipeline[] }>().items.map((p) => p.name)).toEqual(['Second']);
    const all = await t.app.inject({
      method: 'GET',
      url: '/api/pipelines?includeArchived=true',
      headers: as(admin),
    });
    expect(all.json<{ items: Pipeline[] }>().items).toHaveLength(2);
  });

  it('adds, edits, reorders and archives stages with If-Match on the pipeline version', async () => {
    const { admin } = await aWorkspace(t);
    const pipeline = await aPipeline(admin);
    const added = await t.app.inject({
      method: 'POST',
      url: `/api/pipelines/${pipeline.id}/stages`,
      headers: { ...as(admin), 'if-match': `"${pipeline.version}"` },
      payload: { name: 'Negotiation', probability: 80 },
    });
    expect(added.statusCode).toBe(201);
    const withNegotiation = added.json<Pipeline>();
    expect(withNegotiation.version).toBe(pipeline.version + 1);
    expect(withNegotiation.stages.at(-1)?.slug).toBe('negotiation');

    const stale = await t.app.inject({
      method: 'PATCH',
      url: `/api/pipelines/${pipeline.id}/stages/${pipeline.stages[0]!.id}`,
      headers: { ...as(admin), 'if-match': `"${pipeline.version}"` },
      payload: { name: 'Fresh' },
    });
    expect(stale.statusCode).toBe(412);

    const ids = withNegotiation.stages.map((s) => s.id);
    const negotiation = ids.at(-1)!;
    const order = [ids[0]!, ids[1]!, ids[2]!, negotiation, ids[3]!, ids[4]!];
    const reordered = await t.app.inject({
      method: 'PUT',
      url: `/api/pipelines/${pipeline.id}/stages/reorder`,
      headers: { ...as(admin), 'if-match': `"${withNegotiation.version}"` },
      payload: { stageIds: order },
    });
    expect(reordered.statusCode).toBe(200);
    expect(reordered.headers.etag).toBe(`"${withNegotiation.version + 1}"`);
    expect(reordered.json<Pipeline>().stages.map((s) => s.slug)).toEqual([
      'new',
      'contacted',
      'proposal',
      'negotiation',
      'won',
      'lost',
    ]);

    const incomplete = await t.app.inject({
      method: 'PUT',
      url: `/api/pipelines/${pipeline.id}/stages/reorder`,
      headers: as(admin),
      payload: { stageIds: order.slice(1) },
    });
    expect(incomplete.statusCode).toBe(422);

    const archived = await t.app.inject({
      method: 'DELETE',
      url: `/api/pipelines/${pipeline.id}/stages/${ids[1]}`,
      headers: as(admin),
    });
    const after = archived.json<Pipeline>();
    expect(after.stages.map((s) => [s.slug, s.position])).toEqual([
      ['new', 0],
      ['proposal', 1],
      ['negotiation', 2],
      ['won', 3],
      ['lost', 4],
    ]);
    const lastLost = await t.app.inject({
      method: 'DELETE',
      url: `/api/pipelines/${pipeline.id}/stages/${ids[4]}`,
      headers: as(admin),
    });
    expect(lastLost.statusCode).toBe(422);
    const noWon = await t.app.inject({
      method: 'PATCH',
      url: `/api/pipelines/${pipeline.id}/stages/${ids[3]}`,
      headers: as(admin),
      payload: { kind: 'open' },
    });
    expect(noWon.statusCode).toBe(422);
  });

  it('refuses a duplicate slug and records every change in the audit log', async () => {
    const { admin } = await aWorkspace(t);
    const pipeline = await aPipeline(admin);
    const duplicate = await t.app.inject({
      method: 'POST',
      url: `/api/pipelines/${pipeline.id}/stages`,
      headers: as(admin),
      payload: { name: 'Also new', slug: 'new' },
    });
    expect(duplicate.statusCode).toBe(422);
    t.clock.advance(1000);
    await t.app.inject({
      method: 'PATCH',
      url: `/api/pipelines/${pipeline.id}`,
      headers: as(admin),
      payload: { name: 'Sales (EU)', policy: 'forward_only' },
    });
    const audit = await t.app.inject({
      method: 'GET',
      url: `/api/audit-log?entityType=pipeline&entityId=${pipeline.id}`,
      headers: as(admin),
    });
    const entries = audit.json<{ items: { action: string; changes: Record<string, unknown> }[] }>()
      .items;
    expect(entries.map((e) => e.action)).toEqual(['pipeline.updated', 'pipeline.created']);
    expect(entries[0]!.changes).toEqual({
      name: { before: 'Sales', after: 'Sales (EU)' },
      policy: { before: 'backward_with_reason', after: 'forward_only' },
    });
  });

  it('lets everyone read pipelines but only configurers change them', async () => {
    const { admin } = await aWorkspace(t);
    const pipeline = await aPipeline(admin);
    const agent = await aMember(t, admin, 'agent');
    const read = await t.app.inject({
      method: 'GET',
      url: `/api/pipelines/${pipeline.id}`,
      headers: as(agent),
    });
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe(`"${pipeline.version}"`);
    const write = await t.app.inject({
      method: 'PATCH',
      url: `/api/pipelines/${pipeline.id}`,
      headers: as(agent),
      payload: { name: 'Mine' },
    });
    expect(write.statusCode).toBe(403);
  });
});

describe('required-for-conversion fields and onboarding tasks', () => {
  it('are kept on the pipeline, and an unknown field key is 422', async () => {
    const { admin } = await aWorkspace(t);
    await t.app.inject({
      method: 'POST',
      url: '/api/custom-fields',
      headers: as(admin),
      payload: { recordType: 'lead', key: 'patient_name', label: 'Patient', type: 'text' },
    });
    const created = await createPipeline(admin, {
      name: 'Patients',
      stages: SALES_STAGES,
      requiredForConversion: ['contact.phone', 'custom.patient_name'],
      onboardingTasks: [{ title: 'Send the financial agreement', type: 'email', dueInDays: 1 }],
    });
    expect(created.statusCode).toBe(201);
    const pipeline = created.json<
      Pipeline & { requiredForConversion: string[]; onboardingTasks: unknown[] }
    >();
    expect(pipeline.requiredForConversion).toEqual(['contact.phone', 'custom.patient_name']);
    expect(pipeline.onboardingTasks).toEqual([
      { title: 'Send the financial agreement', type: 'email', dueInDays: 1 },
    ]);

    const patch = (payload: Record<string, unknown>) =>
      t.app.inject({
        method: 'PATCH',
        url: `/api/pipelines/${pipeline.id}`,
        headers: as(admin),
        payload,
      });
    const unknown = await patch({ requiredForConversion: ['value', 'custom.shoe_size', 'budget'] });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors).toEqual([
      { field: 'requiredForConversion.1', message: expect.stringContaining('custom.shoe_size') },
      { field: 'requiredForConversion.2', message: expect.stringContaining('budget') },
    ]);
    const twice = await patch({ requiredForConversion: ['value', 'value'] });
    expect(twice.statusCode).toBe(422);
    const badTask = await patch({ onboardingTasks: [{ title: 'x', type: 'fax', dueInDays: 1 }] });
    expect(badTask.statusCode).toBe(422);

    const changed = await patch({
      requiredForConversion: ['value', 'expectedCloseDate'],
      onboardingTasks: [],
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({
      requiredForConversion: ['value', 'expectedCloseDate'],
      onboardingTasks: [],
      version: pipeline.version + 1,
    });
    const refusedOnCreate = await createPipeline(admin, {
      name: 'Other',
      stages: SALES_STAGES,
      requiredForConversion: ['custom.nope'],
    });
    expect(refusedOnCreate.statusCode).toBe(422);
  });
});

describe('findMissingForConversion', () => {
  const lead = {
    value: 0,
    expectedCloseDate: null,
    companyId: null,
    companyName: '',
    contactId: null,
    sourceId: null,
  };
  const every = {
    requiredForConversion: [
      'value',
      'expectedCloseDate',
      'companyId',
      'contactId',
      'sourceId',
      'contact.email',
      'contact.phone',
      'custom.patient_name',
      'custom.date_of_birth',
    ],
  };

  it('lists every required field a lead lacks, custom ones as customFields.<key>', () => {
    expect(findMissingForConversion(every, lead, null, {}).map((m) => m.field)).toEqual([
      'value',
      'expectedCloseDate',
      'companyId',
      'contactId',
      'sourceId',
      'contact.email',
      'contact.phone',
      'customFields.patient_name',
      'customFields.date_of_birth',
    ]);
  });

  it('is satisfied by set values; a company name will do, an encrypted value counts as set', () => {
    const complete = {
      ...lead,
      value: 450_000,
      expectedCloseDate: '2026-04-01',
      companyName: 'Acme',
      contactId: '00000000-0000-4000-8000-000000000001',
      sourceId: '00000000-0000-4000-8000-000000000002',
    };
    const contact = { emails: [{ value: 'a@b.test' }], phones: [{ e164: '+4930123456' }] };
    expect(
      findMissingForConversion(every, complete, contact, {
        patient_name: 'Mia',
        date_of_birth: { $enc: 'v1:…' },
      }),
    ).toEqual([]);
  });

  it('treats empty text and lists as missing, false and 0 as set', () => {
    const pipeline = {
      requiredForConversion: ['custom.a', 'custom.b', 'custom.c', 'custom.d', 'custom.e'],
    };
    const missing = findMissingForConversion(pipeline, lead, null, {
      a: '  ',
      b: [],
      c: false,
      d: 0,
    });
    expect(missing.map((m) => m.field)).toEqual([
      'customFields.a',
      'customFields.b',
      'customFields.e',
    ]);
  });

  it('skips fields that are no longer active and names the others by label', () => {
    const missing = findMissingForConversion(
      { requiredForConversion: ['custom.patient_name', 'custom.old_field'] },
      lead,
      null,
      {},
      [{ key: 'patient_name', label: 'Patient name' }],
    );
    expect(missing).toEqual([
      { field: 'customFields.patient_name', message: 'Fill in "Patient name" before converting' },
    ]);
  });
});

describe('slugify', () => {
  it('makes stage slugs from names in any language', () => {
    expect(slugify('Consultation Scheduled')).toBe('consultation_scheduled');
    expect(slugify('Angebot verschickt – Prüfung')).toBe('angebot_verschickt_prufung');
    expect(slugify('!!!')).toBe('stage');
  });
});
