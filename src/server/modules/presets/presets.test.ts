import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aMember,
  aWorkspace,
  as,
  createTestApp,
  type TestApp,
} from '../../../../test/support/test-app.js';
import { PRESETS, PRESET_KEYS } from './presets.data.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

interface Pipeline {
  name: string;
  policy: string;
  isDefault: boolean;
  stages: { name: string; kind: string; probability: number; maxDaysInStage: number | null }[];
}

describe('presets', () => {
  it('creates a workspace from a preset with its pipeline, sources and lost reasons', async () => {
    const { admin } = await aWorkspace(t);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/workspaces',
      headers: as(admin),
      payload: { name: 'Coastal Homes', preset: 'real_estate' },
    });
    expect(created.statusCode).toBe(201);
    await t.app.inject({
      method: 'POST',
      url: '/api/me/workspace',
      headers: as(admin),
      payload: { workspaceId: created.json<{ id: string }>().id },
    });
    const pipelines = (
      await t.app.inject({ method: 'GET', url: '/api/pipelines', headers: as(admin) })
    ).json<{ items: Pipeline[] }>().items;
    expect(pipelines).toHaveLength(1);
    expect(pipelines[0]).toMatchObject({
      name: 'Buyers',
      policy: 'backward_with_reason',
      isDefault: true,
    });
    expect(pipelines[0]!.stages.map((s) => `${s.name} ${s.probability}%`)).toEqual([
      'New Lead 10%',
      'Qualified 25%',
      'Appointment Set 40%',
      'Property Shown 60%',
      'Offer Prepared 80%',
      'Under Contract 90%',
      'Closed 100%',
      'Lost 0%',
    ]);
    const sources = await t.app.inject({
      method: 'GET',
      url: '/api/lead-sources',
      headers: as(admin),
    });
    expect(
      sources.json<{ items: { category: string }[] }>().items.map((s) => s.category),
    ).toContain('open_house');
    const reasons = await t.app.inject({
      method: 'GET',
      url: '/api/lost-reasons',
      headers: as(admin),
    });
    expect(reasons.json<{ items: { name: string }[] }>().items[0]!.name).toBe(
      'Chose another agent',
    );
  });

  it('applies a preset later without adding anything twice', async () => {
    const { admin } = await aWorkspace(t);
    const apply = () =>
      t.app.inject({ method: 'POST', url: '/api/presets/orthodontics/apply', headers: as(admin) });
    const first = await apply();
    expect(first.json()).toEqual({
      preset: 'orthodontics',
      added: {
        pipelines: 1,
        sources: PRESETS.orthodontics.sources.length,
        lostReasons: PRESETS.orthodontics.lostReasons.length,
        customFields: PRESETS.orthodontics.customFields.length,
        templates: 4,
      },
    });
    expect((await apply()).json().added).toEqual({
      pipelines: 0,
      sources: 0,
      lostReasons: 0,
      customFields: 0,
      templates: 0,
    });
    const pipeline = (
      await t.app.inject({ method: 'GET', url: '/api/pipelines', headers: as(admin) })
    ).json<{ items: Pipeline[] }>().items[0]!;
    expect(pipeline.policy).toBe('forward_only');
    expect(pipeline.stages.find((s) => s.name === 'Treatment Started')?.kind).toBe('won');
  });

  it('sets up custom fields, required-for-conversion fields and onboarding tasks', async () => {
    const { admin } = await aWorkspace(t);
    await t.app.inject({
      method: 'POST',
      url: '/api/presets/orthodontics/apply',
      headers: as(admin),
    });
    const fields = (
      await t.app.inject({
        method: 'GET',
        url: '/api/custom-fields?recordType=lead',
        headers: as(admin),
      })
    ).json<{ items: { key: string; type: string; sensitive: boolean; options: unknown[] }[] }>()
      .items;
    expect(fields.map((f) => f.key)).toEqual([
      'patient_name',
      'date_of_birth',
      'relationship',
      'treatment_interest',
      'insurance',
    ]);
    expect(fields.find((f) => f.key === 'date_of_birth')).toMatchObject({
      type: 'date',
      sensitive: true,
    });
    expect(fields.find((f) => f.key === 'relationship')?.options).toHaveLength(4);
    const pipeline = (
      await t.app.inject({ method: 'GET', url: '/api/pipelines', headers: as(admin) })
    ).json<{
      items: { requiredForConversion: string[]; onboardingTasks: { title: string }[] }[];
    }>().items[0]!;
    expect(pipeline.requiredForConversion).toEqual([
      'custom.patient_name',
      'custom.date_of_birth',
      'contact.phone',
    ]);
    expect(pipeline.onboardingTasks).toContainEqual({
      title: 'Schedule the bonding appointment',
      type: 'call',
      dueInDays: 2,
    });
  });

  it('keeps a field the workspace already has under a preset key', async () => {
    const { admin } = await aWorkspace(t);
    const mine = await t.app.inject({
      method: 'POST',
      url: '/api/custom-fields',
      headers: as(admin),
      payload: { recordType: 'lead', key: 'budget', label: 'Our budget', type: 'number' },
    });
    expect(mine.statusCode).toBe(201);
    const applied = await t.app.inject({
      method: 'POST',
      url: '/api/presets/real_estate/apply',
      headers: as(admin),
    });
    expect(applied.statusCode).toBe(200);
    expect(applied.json().added.customFields).toBe(PRESETS.real_estate.customFields.length - 1);
    const budget = await t.app.inject({
      method: 'GET',
      url: `/api/custom-fields/${mine.json<{ id: string }>().id}`,
      headers: as(admin),
    });
    expect(budget.json()).toMatchObject({ label: 'Our budget', type: 'number' });
  });

  it('lists every preset, refuses an unknown one and needs lead:configure to apply', async () => {
    const { admin } = await aWorkspace(t);
    const list = await t.app.inject({ method: 'GET', url: '/api/presets', headers: as(admin) });
    expect(list.json<{ items: { key: string }[] }>().items.map((p) => p.key)).toEqual([
      ...PRESET_KEYS,
    ]);
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/presets/bakery/apply',
      headers: as(admin),
    });
    expect(unknown.statusCode).toBe(422);
    const agent = await aMember(t, admin, 'agent');
    const denied = await t.app.inject({
      method: 'POST',
      url: '/api/presets/b2b/apply',
      headers: as(agent),
    });
    expect(denied.statusCode).toBe(403);
  });

  it('every preset is a valid set of pipelines', () => {
    for (const key of PRESET_KEYS) {
      for (const pipeline of PRESETS[key].pipelines) {
        const kinds = new Set(pipeline.stages.map((s) => s.kind ?? 'open'));
        expect([key, [...kinds].sort()]).toEqual([key, ['lost', 'open', 'won']]);
      }
    }
  });

  it('every preset applies to a fresh workspace', async () => {
    for (const key of PRESET_KEYS) {
      const { admin } = await aWorkspace(t);
      const applied = await t.app.inject({
        method: 'POST',
        url: `/api/presets/${key}/apply`,
        headers: as(admin),
      });
      expect([key, applied.statusCode]).toEqual([key, 200]);
      expect(applied.json().added.customFields).toBe(PRESETS[key].customFields.length);
    }
  });
});
