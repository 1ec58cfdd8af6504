import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aSalesDesk, type Stage } from '../../../../test/support/sales-desk.js';
import {
  aMember,
  as,
  createTestApp,
  type Session,
  type TestApp,
} from '../../../../test/support/test-app.js';
import { monthsIn, slope } from './analytics.service.js';
import { writeScore } from '../scoring/scoring.repository.js';
import { vacuumReadModel } from './analytics.facts.js';
import {
  bucketOf,
  bucketSeconds,
  HISTOGRAM_ACCURACY,
  percentileOf,
} from './analytics.histogram.js';
import {
  percentiles,
  rollupMonths,
  nearestMonths,
  touchesByMember,
  type DurationMeasure,
  type ReportScope,
} from './analytics.repository.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const DAY_MS = 86_400_000;
const MARCH = 'from=2026-03-01&to=2026-03-31';

interface Desk {
  admin: Session;
  pipelineId: string;
  stage: Record<string, Stage>;
  lostReasonId: string;
}

interface LeadFixture {
  /** The stages the lead went through, by slug, the first on creation. */
  path: string[];
  createdAt: string;
  /** Days between one move and the next (one number for every move, or one per move). */
  stepDays?: number | number[];
  value?: number;
  currency?: string;
  sourceId?: string | null;
  assigneeId?: string | null;
  contactId?: string | null;
  lostReasonId?: string | null;
  expectedCloseDate?: string | null;
  pipelineId?: string;
  isArchived?: boolean;
}

/**
 * Writes a lead and its stage history straight into the tables: the reports only read them,
 * and hand-made timestamps make every figure computable by hand.
 */
async function insertLead(desk: Desk, fixture: LeadFixture): Promise<string> {
  const created = new Date(fixture.createdAt).getTime();
  const steps = fixture.path.map((_, i) => {
    const step = fixture.stepDays ?? 1;
    const days = Array.isArray(step) ? step.slice(0, i).reduce((a, b) => a + b, 0) : step * i;
    return new Date(created + days * DAY_MS);
  });
  const last = desk.stage[fixture.path.at(-1)!]!;
  const enteredAt = steps.at(-1)!;
  const { rows } = await sql<{ id: string }>`
    insert into leads (workspace_id, title, pipeline_id, stage_id, stage_entered_at, status,
      value, currency, probability, source_id, assignee_id, contact_id, lost_reason_id,
      expected_close_date, custom_fields, created_at, updated_at, archived_at)
    values (${desk.admin.workspaceId}, 'Fixture', ${fixture.pipelineId ?? desk.pipelineId},
      ${last.id}, ${enteredAt}, ${last.kind}, ${fixture.value ?? 0}, ${fixture.currency ?? 'EUR'},
      ${last.probability}, ${fixture.sourceId ?? null}, ${fixture.assigneeId ?? null},
      ${fixture.contactId ?? null}, ${fixture.lostReasonId ?? null},
      ${fixture.expectedCloseDate ?? null}, '{}'::jsonb, ${new Date(created)}, ${enteredAt},
      ${fixture.isArchived ? enteredAt : null})
    returning id`.execute(t.db);
  const id = rows[0]!.id;
  let from: string | null = null;
  for (const [i, slug] of fixture.path.entries()) {
    const to = desk.stage[slug]!.id;
    await sql`
      insert into stage_history (workspace_id, lead_id, from_stage_id, to_stage_id, moved_at)
      values (${desk.admin.workspaceId}, ${id}, ${from}, ${to}, ${steps[i]!})`.execute(t.db);
    from = to;
  }
  return id;
}

async function insertActivity(
  desk: Desk,
  activity: {
    leadId: string;
    type: string;
    occurredAt: string;
    direction?: string | null;
    outcome?: string;
    createdBy?: string | null;
  },
) {
  await sql`
    insert into activities (workspace_id, lead_id, type, direction, outcome, occurred_at, details,
      created_by, created_at)
    values (${desk.admin.workspaceId}, ${activity.leadId}, ${activity.type},
      ${activity.direction ?? null}, ${activity.outcome ?? 'none'}, ${activity.occurredAt},
      '{}'::jsonb, ${activity.createdBy ?? null}, ${activity.occurredAt})`.execute(t.db);
}

async function report<T>(session: Session, path: string): Promise<T> {
  const response = await t.app.inject({ method: 'GET', url: path, headers: as(session) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<T>();
}

/** Inserts `count` leads built by `fixture(i)`, i = 0 … count − 1. */
async function insertLeads(desk: Desk, count: number, fixture: (i: number) => LeadFixture) {
  for (let i = 0; i < count; i += 1) await insertLead(desk, fixture(i));
}

describe('conversion funnel', () => {
  it('counts a hand-computed funnel of 100 leads: reached stages, conversions, lost', async () => {
    const desk = await aSalesDesk(t);
    // Berlin time: the period starts at 2026-02-28T23:00Z.
    const march = (i: number) => new Date(Date.UTC(2026, 2, 1 + (i % 28), 10)).toISOString();
    await insertLeads(desk, 39, (i) => ({ path: ['new'], createdAt: march(i) }));
    // 00:30 on 1 March in Berlin: inside the period.
    await insertLead(desk, { path: ['new'], createdAt: '2026-02-28T23:30:00Z' });
    await insertLeads(desk, 25, (i) => ({ path: ['new', 'contacted'], createdAt: march(i) }));
    // Skipped "contacted": reaching a later stage counts for the ones before it.
    await insertLeads(desk, 10, (i) => ({
      path: ['new', 'qualified', 'lost'],
      createdAt: march(i),
      lostReasonId: desk.lostReasonId,
    }));
    await insertLeads(desk, 10, (i) => ({
      path: ['new', 'contacted', 'qualified', 'proposal'],
      createdAt: march(i),
    }));
    await insertLeads(desk, 5, (i) => ({
      path: ['new', 'contacted', 'qualified', 'proposal', 'negotiation', 'lost'],
      createdAt: march(i),
    }));
    await insertLeads(desk, 6, (i) => ({
      path: ['new', 'contacted', 'qualified', 'proposal', 'negotiation', 'won'],
      createdAt: march(i),
    }));
    await insertLeads(desk, 4, (i) => ({ path: ['new', 'won'], createdAt: march(i) }));
    // Not counted: before the period (23:30 on 28 February in Berlin), archived, another
    // pipeline, another workspace.
    await insertLead(desk, { path: ['new', 'won'], createdAt: '2026-02-28T22:30:00Z' });
    await insertLead(desk, { path: ['new', 'won'], createdAt: march(3), isArchived: true });
    const other = await t.app.inject({
      method: 'POST',
      url: '/api/pipelines',
      headers: as(desk.admin),
      payload: {
        name: 'Other',
        stages: [
          { name: 'Start', kind: 'open' },
          { name: 'Done', kind: 'won' },
          { name: 'Gone', kind: 'lost' },
        ],
      },
    });
    expect(other.statusCode, other.body).toBe(201);
    const otherPipeline = other.json<{ id: string; stages: Stage[] }>();
    await insertLead(
      { ...desk, pipelineId: otherPipeline.id, stage: { start: otherPipeline.stages[0]! } },
      { path: ['start'], createdAt: march(1) },
    );
    const elsewhere = await aSalesDesk(t);
    await insertLead(elsewhere, { path: ['new', 'won'], createdAt: march(2) });

    const funnel = await report<{
      leads: number;
      lost: number;
      stages: { name: string; reached: number; conversionFromPrevious: number | null }[];
    }>(desk.admin, `/api/analytics/funnel?${MARCH}`);

    expect(funnel.leads).toBe(100);
    expect(funnel.lost).toBe(15);
    expect(funnel.stages.map((s) => [s.name, s.reached])).toEqual([
      ['New', 100],
      ['Contacted', 60],
      ['Qualified', 35],
      ['Proposal', 25],
      ['Negotiation', 15],
      ['Won', 10],
    ]);
    expect(funnel.stages.map((s) => s.conversionFromPrevious)).toEqual([
      null,
      60 / 100,
      35 / 60,
      25 / 35,
      15 / 25,
      10 / 15,
    ]);

    const csv = await t.app.inject({
      method: 'GET',
      url: `/api/analytics/funnel.csv?${MARCH}`,
      headers: as(desk.admin),
    });
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(parse(csv.body, { bom: true })).toEqual([
      ['Stage', 'Reached', 'Conversion from previous %', 'Conversion from start %'],
      ['New', '100', '', '100'],
      ['Contacted', '60', '60', '60'],
      ['Qualified', '35', '58.3', '35'],
      ['Proposal', '25', '71.4', '25'],
      ['Negotiation', '15', '60', '15'],
      ['Won', '10', '66.7', '10'],
    ]);
  });

  it('gives the consultation show rate and the proposal acceptance rate', async () => {
    const desk = await aSalesDesk(t);
    const lead = await insertLead(desk, { path: ['new'], createdAt: '2026-03-02T10:00:00Z' });
    const at = '2026-03-10T10:00:00Z';
    for (const outcome of ['spoke', 'spoke', 'spoke', 'no_show']) {
      await insertActivity(desk, { leadId: lead, type: 'meeting', occurredAt: at, outcome });
    }
    for (const outcome of ['accepted_proposal', 'rejected_proposal', 'rejected_proposal']) {
      await insertActivity(desk, { leadId: lead, type: 'note', occurredAt: at, outcome });
    }
    // Outside the period: not counted.
    await insertActivity(desk, {
      leadId: lead,
      type: 'meeting',
      occurredAt: '2026-04-02T10:00:00Z',
      outcome: 'no_show',
    });

    const { consultations } = await report<{ consultations: Record<string, number> }>(
      desk.admin,
      `/api/analytics/funnel?${MARCH}`,
    );
    expect(consultations).toEqual({
      meetings: 4,
      showRate: 0.75,
      proposalsDecided: 3,
      acceptanceRate: 1 / 3,
    });
  });
});

describe('source performance', () => {
  it('computes conversion, won value, cost per lead and acquisition, ROI and first touch', async () => {
    const desk = await aSalesDesk(t);
    const addSource = async (name: string, monthlyCost: number) => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/lead-sources',
        headers: as(desk.admin),
        payload: { name, category: 'ad', monthlyCost },
      });
      expect(response.statusCode, response.body).toBe(201);
      return response.json<{ id: string }>().id;
    };
    const ads = await addSource('Search ads', 30_000);
    const referral = await addSource('Referrals', 0);
    const contact = await t.app.inject({
      method: 'POST',
      url: '/api/contacts',
      headers: as(desk.admin),
      payload: { firstName: 'Ida', lastName: 'Kern' },
    });
    const contactId = contact.json<{ id: string }>().id;
    // Ida first came through a referral in January; she was won in March through an ad.
    await insertLead(desk, {
      path: ['new', 'lost'],
      createdAt: '2026-01-10T10:00:00Z',
      sourceId: referral,
      contactId,
    });
    await insertLead(desk, {
      path: ['new', 'won'],
      createdAt: '2026-03-05T10:00:00Z',
      sourceId: ads,
      contactId,
      value: 100_000,
    });
    await insertLeads(desk, 3, (i) => ({
      path: ['new'],
      createdAt: `2026-03-1${i}T10:00:00Z`,
      sourceId: ads,
    }));
    await insertLeads(desk, 2, (i) => ({
      path: ['new', 'lost'],
      createdAt: `2026-03-2${i}T10:00:00Z`,
      sourceId: referral,
    }));
    await insertLead(desk, { path: ['new'], createdAt: '2026-03-25T10:00:00Z' });

    const sources = await report<{ months: number; items: Record<string, unknown>[] }>(
      desk.admin,
      `/api/analytics/sources?${MARCH}`,
    );
    expect(sources.months).toBe(1);
    const byName = Object.fromEntries(sources.items.map((item) => [item.name, item]));
    expect(byName['Search ads']).toEqual({
      sourceId: ads,
      name: 'Search ads',
      leads: 4,
      won: 1,
      lost: 0,
      conversionRate: 0.25,
      wonValue: 100_000,
      cost: 30_000,
      costPerLead: 7_500,
      costPerAcquisition: 30_000,
      roi: 2.33,
      firstTouchWon: 0,
      firstTouchWonValue: 0,
    });
    expect(byName.Referrals).toMatchObject({
      leads: 2,
      won: 0,
      lost: 2,
      conversionRate: 0,
      cost: 0,
      costPerLead: 0,
      costPerAcquisition: null,
      roi: null,
      firstTouchWon: 1,
      firstTouchWonValue: 100_000,
    });
    expect(byName['No source']).toMatchObject({ sourceId: null, leads: 1, cost: 0 });

    // Filtered by a source: that source, and where its won leads first came from.
    const filtered = await report<{ items: { name: string }[] }>(
      desk.admin,
      `/api/analytics/sources?${MARCH}&sourceId=${ads}`,
    );
    expect(filtered.items.map((item) => item.name).sort()).toEqual(['Referrals', 'Search ads']);
  });

  it('prorates a source’s monthly cost by the days of each month in the period', () => {
    expect(monthsIn('2026-03-01', '2026-03-31')).toBe(1);
    expect(monthsIn('2026-02-15', '2026-03-31')).toBeCloseTo(14 / 28 + 1, 10);
    expect(monthsIn('2026-01-01', '2026-12-31')).toBeCloseTo(12, 10);
  });
});

describe('coordinator leaderboard', () => {
  it('measures speed to first contact, conversion, time to convert and touches per assignee', async () => {
    const desk = await aSalesDesk(t);
    const ana = await aMember(t, desk.admin, 'agent', 'Ana Agent');
    const ben = await aMember(t, desk.admin, 'agent', 'Ben Agent');
    const first = await insertLead(desk, {
      path: ['new', 'won'],
      createdAt: '2026-03-02T10:00:00Z',
      stepDays: 4,
      assigneeId: ana.userId,
    });
    const second = await insertLead(desk, {
      path: ['new'],
      createdAt: '2026-03-03T10:00:00Z',
      assigneeId: ana.userId,
    });
    const third = await insertLead(desk, {
      path: ['new'],
      createdAt: '2026-03-04T10:00:00Z',
      assigneeId: ben.userId,
    });
    // Ana called the first lead after 3 minutes (an inbound email before does not count) and
    // wrote to the second after 10.
    await insertActivity(desk, {
      leadId: first,
      type: 'email',
      direction: 'inbound',
      occurredAt: '2026-03-02T10:01:00Z',
    });
    await insertActivity(desk, {
      leadId: first,
      type: 'call',
      direction: 'outbound',
      occurredAt: '2026-03-02T10:03:00Z',
      createdBy: ana.userId,
    });
    await insertActivity(desk, {
      leadId: second,
      type: 'email',
      direction: 'outbound',
      occurredAt: '2026-03-03T10:10:00Z',
      createdBy: ana.userId,
    });
    // A note is not a touch; Ben logged nothing but a note (and a call dated before the lead
    // existed, which is no first contact of it).
    await insertActivity(desk, {
      leadId: third,
      type: 'note',
      occurredAt: '2026-03-04T11:00:00Z',
      createdBy: ben.userId,
    });
    await insertActivity(desk, {
      leadId: third,
      type: 'call',
      direction: 'outbound',
      occurredAt: '2026-02-20T11:00:00Z',
    });

    const { items } = await report<{ items: Record<string, unknown>[] }>(
      desk.admin,
      `/api/analytics/coordinators?${MARCH}`,
    );
    expect(items).toEqual([
      {
        userId: ana.userId,
        name: 'Ana Agent',
        leads: 2,
        contactedWithin5MinutesRate: 0.5,
        medianMinutesToFirstContact: 6.5,
        won: 1,
        conversionRate: 0.5,
        medianDaysToConvert: 4,
        activities: 2,
      },
      {
        userId: ben.userId,
        name: 'Ben Agent',
        leads: 1,
        contactedWithin5MinutesRate: 0,
        medianMinutesToFirstContact: null,
        won: 0,
        conversionRate: 0,
        medianDaysToConvert: null,
        activities: 0,
      },
    ]);
    // Filtered by assignee: only Ben's row.
    const filtered = await report<{ items: { userId: string }[] }>(
      desk.admin,
      `/api/analytics/coordinators?${MARCH}&assigneeId=${ben.userId}`,
    );
    expect(filtered.items.map((item) => item.userId)).toEqual([ben.userId]);
  });
});

describe('lost reasons, time in stage and velocity', () => {
  it('shares lost leads out by reason with their value', async () => {
    const desk = await aSalesDesk(t);
    const reasons = await t.app.inject({
      method: 'GET',
      url: '/api/lost-reasons',
      headers: as(desk.admin),
    });
    const [first, second] = reasons.json<{ items: { id: string; name: string }[] }>().items;
    const lost = (lostReasonId: string, value: number) =>
      insertLead(desk, {
        path: ['new', 'lost'],
        createdAt: '2026-03-05T10:00:00Z',
        lostReasonId,
        value,
      });
    await lost(first!.id, 50_000);
    await lost(first!.id, 30_000);
    await lost(second!.id, 10_000);

    const result = await report<{ lost: number; items: Record<string, unknown>[] }>(
      desk.admin,
      `/api/analytics/lost-reasons?${MARCH}`,
    );
    expect(result.lost).toBe(3);
    expect(result.items).toEqual([
      { lostReasonId: first!.id, name: first!.name, leads: 2, share: 2 / 3, value: 80_000 },
      { lostReasonId: second!.id, name: second!.name, leads: 1, share: 1 / 3, value: 10_000 },
    ]);
  });

  it('gives median and p90 days per stage, leads past the limit, the bottleneck and time to convert', async () => {
    const desk = await aSalesDesk(t);
    // Stays in "contacted": 2, 4 and 10 days (median 4, p90 8.8); in "new": 1 day each.
    for (const days of [2, 4, 10]) {
      await insertLead(desk, {
        path: ['new', 'contacted', 'qualified'],
        createdAt: '2026-03-02T10:00:00Z',
        stepDays: [1, days],
      });
    }
    // Won after 6 and 12 days.
    await insertLead(desk, {
      path: ['new', 'won'],
      createdAt: '2026-03-03T10:00:00Z',
      stepDays: 6,
    });
    await insertLead(desk, {
      path: ['new', 'won'],
      createdAt: '2026-03-03T10:00:00Z',
      stepDays: 12,
    });
    // Open in "new" (limit 2 days) for 5 days and for 1 day, as of the app's clock.
    const now = t.clock.now().getTime();
    await insertLead(desk, { path: ['new'], createdAt: new Date(now - 5 * DAY_MS).toISOString() });
    await insertLead(desk, { path: ['new'], createdAt: new Date(now - 1 * DAY_MS).toISOString() });

    const result = await report<{
      timeToConvert: unknown;
      stages: Record<string, unknown>[];
    }>(desk.admin, '/api/analytics/time-in-stage?from=2026-02-01&to=2026-03-31');
    expect(result.timeToConvert).toEqual({ won: 2, medianDays: 9, p90Days: 11.4 });
    const bySlug = Object.fromEntries(
      result.stages.map((stage) => [
        Object.values(desk.stage).find((s) => s.id === stage.stageId)!.slug,
        stage,
      ]),
    );
    expect(bySlug.new).toMatchObject({
      stays: 5,
      medianDays: 1,
      openNow: 2,
      maxDaysInStage: 2,
      pastLimit: 1,
      isBottleneck: false,
    });
    expect(bySlug.contacted).toMatchObject({
      stays: 3,
      medianDays: 4,
      p90Days: 8.8,
      openNow: 0,
      isBottleneck: true,
    });
    expect(bySlug.qualified).toMatchObject({ stays: 0, medianDays: null, openNow: 3 });
  });

  it('counts new leads per week and the trend', async () => {
    const desk = await aSalesDesk(t);
    // Weeks starting Monday 2, 9, 16 and 23 March: 1, 2, 3 and 4 new leads.
    for (const [week, count] of [
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
    ] as const) {
      await insertLeads(desk, count, () => ({
        path: ['new'],
        createdAt: new Date(Date.UTC(2026, 2, 3 + week * 7, 10)).toISOString(),
      }));
    }
    const result = await report<{ weeks: unknown[]; trend: unknown }>(
      desk.admin,
      '/api/analytics/velocity?from=2026-03-02&to=2026-03-29',
    );
    expect(result.weeks).toEqual([
      { weekStart: '2026-03-02', leads: 1 },
      { weekStart: '2026-03-09', leads: 2 },
      { weekStart: '2026-03-16', leads: 3 },
      { weekStart: '2026-03-23', leads: 4 },
    ]);
    expect(result.trend).toEqual({
      slopePerWeek: 1,
      lastFourWeeks: 10,
      previousFourWeeks: 0,
      change: null,
    });
    expect(slope([4, 2])).toBe(-2);
  });
});

describe('forecast', () => {
  it('weights open leads by probability per expected close month, and backtests past months', async () => {
    const desk = await aSalesDesk(t);
    await insertLead(desk, {
      path: ['new', 'contacted', 'qualified', 'proposal'],
      createdAt: '2026-03-01T10:00:00Z',
      value: 100_000,
      expectedCloseDate: '2026-04-15',
    });
    await insertLead(desk, {
      path: ['new', 'contacted', 'qualified'],
      createdAt: '2026-03-01T10:00:00Z',
      value: 20_000,
      expectedCloseDate: '2026-04-20',
    });
    // In another currency: counted as a lead, not in the value.
    await insertLead(desk, {
      path: ['new', 'contacted', 'qualified'],
      createdAt: '2026-03-01T10:00:00Z',
      value: 99_000,
      currency: 'USD',
      expectedCloseDate: '2026-04-21',
    });
    // On 1 March this one was in "proposal" (50 %) expecting to close in March; it was won on
    // 15 March for 1,000.00: the forecast said 500.00.
    await insertLead(desk, {
      path: ['new', 'proposal', 'won'],
      createdAt: '2026-02-10T10:00:00Z',
      stepDays: [5, 28],
      value: 100_000,
      expectedCloseDate: '2026-03-20',
    });

    const result = await report<{ months: unknown[]; backtest: unknown[] }>(
      desk.admin,
      `/api/analytics/forecast?${MARCH}`,
    );
    expect(result.months).toEqual([
      { month: '2026-04', openLeads: 3, value: 120_000, weightedValue: 55_000 },
    ]);
    expect(result.backtest).toEqual([
      { month: '2026-03', forecastWeightedValue: 50_000, wonValue: 100_000, accuracy: 2 },
    ]);
  });
});

describe('access and input', () => {
  it('needs lead:analytics and refuses a period that ends before it starts', async () => {
    const desk = await aSalesDesk(t);
    const agent = await aMember(t, desk.admin, 'agent');
    const denied = await t.app.inject({
      method: 'GET',
      url: '/api/analytics/funnel',
      headers: as(agent),
    });
    expect(denied.statusCode).toBe(403);
    const viewer = await aMember(t, desk.admin, 'viewer');
    const allowed = await t.app.inject({
      method: 'GET',
      url: '/api/analytics/velocity',
      headers: as(viewer),
    });
    expect(allowed.statusCode).toBe(200);
    const backwards = await t.app.inject({
      method: 'GET',
      url: '/api/analytics/sources?from=2026-03-31&to=2026-03-01',
      headers: as(desk.admin),
    });
    expect(backwards.statusCode).toBe(422);
    expect(backwards.json()).toMatchObject({ errors: [{ field: 'from' }] });
  });
});

describe('duration histograms', () => {
  /** percentile_cont of a list of values (sorted copy, interpolated). */
  function exactPercentile(values: number[], fraction: number) {
    const sorted = [...values].sort((a, b) => a - b);
    const position = fraction * (sorted.length - 1);
    const lower = sorted[Math.floor(position)]!;
    const upper = sorted[Math.ceil(position)]!;
    return lower + (upper - lower) * (position - Math.floor(position));
  }

  async function bucketsOf(values: number[]): Promise<number[]> {
    const { rows } = await sql<{ bucket: number }>`
      select ${bucketOf(sql`v`)} as bucket
      from unnest(${values}::float8[]) with ordinality as u(v, i) order by i`.execute(t.db);
    return rows.map((row) => row.bucket);
  }

  it('put every duration in a bucket that stands for it within 1%, and sort as the values do', async () => {
    const values = [0, 0.4, -0.9, 1, 1.5, 59, 60, 61, 300, 3_600, 86_400 * 3.7, 31_536_000, -120];
    const buckets = await bucketsOf(values);
    values.forEach((value, i) => {
      const stands = bucketSeconds(buckets[i]!);
      if (Math.abs(value) < 1) expect(stands).toBe(0);
      else
        expect(Math.abs(stands - value) / Math.abs(value)).toBeLessThanOrEqual(HISTOGRAM_ACCURACY);
    });
    const byValue = values.map((value, i) => ({ value, bucket: buckets[i]! }));
    byValue.sort((a, b) => a.value - b.value);
    for (let i = 1; i < byValue.length; i += 1) {
      expect(byValue[i]!.bucket).toBeGreaterThanOrEqual(byValue[i - 1]!.bucket);
    }
  });

  it('give percentiles within 1% of the exact ones', async () => {
    // 1,000 durations from 30 seconds to about 40 days, unevenly spread.
    const values = Array.from({ length: 1000 }, (_, i) => 30 * 1.012 ** i + (i % 7) * 11);
    const buckets = await bucketsOf(values);
    const counts = new Map<number, number>();
    for (const bucket of buckets) counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
    const histogram = [...counts].map(([bucket, n]) => ({ bucket, n }));
    for (const fraction of [0, 0.1, 0.5, 0.9, 1]) {
      const exact = exactPercentile(values, fraction);
      const read = percentileOf(histogram, fraction)!;
      expect(Math.abs(read - exact) / exact).toBeLessThanOrEqual(HISTOGRAM_ACCURACY);
    }
    expect(percentileOf([], 0.5)).toBeNull();
    expect(percentileOf([{ bucket: 0, n: 3 }], 0.5)).toBe(0);
  });

  it('answer for whole months and the days around them as the exact rows do, also after a change', async () => {
    const desk = await aSalesDesk(t);
    const ana = await aMember(t, desk.admin, 'agent', 'Ana Histogram');
    const ben = await aMember(t, desk.admin, 'agent', 'Ben Histogram');
    // 60 leads from 18 February to 12 April: first contact after 1 to 60 minutes (some never),
    // won after 1 to 30 days or still in "contacted" after 1 to 9 days.
    const won: string[] = [];
    for (let i = 0; i < 60; i += 1) {
      const createdAt = new Date(Date.parse('2026-02-18T09:00:00Z') + i * 0.9 * DAY_MS);
      const isWon = i % 3 === 0;
      const id = await insertLead(desk, {
        path: isWon ? ['new', 'won'] : ['new', 'contacted', 'qualified'],
        createdAt: createdAt.toISOString(),
        stepDays: isWon ? 1 + (i % 30) : [1 + (i % 9), 2],
        assigneeId: i % 2 === 0 ? ana.userId : ben.userId,
      });
      if (isWon) won.push(id);
      if (i % 5 !== 4) {
        await insertActivity(desk, {
          leadId: id,
          type: 'call',
          direction: 'outbound',
          occurredAt: new Date(createdAt.getTime() + (1 + ((i * 7) % 60)) * 60_000).toISOString(),
        });
      }
    }
    const { rows } = await sql<{ time_zone: string }>`
      select time_zone from workspaces where id = ${desk.admin.workspaceId}`.execute(t.db);
    const scope: ReportScope = {
      workspaceId: desk.admin.workspaceId,
      from: '2026-02-20',
      to: '2026-04-10',
      timeZone: rows[0]!.time_zone,
      currency: 'EUR',
      pipelineId: desk.pipelineId,
    };
    const compare = async (to = '2026-04-10') => {
      // A report brings the facts (and their histograms) up to date first.
      await report(desk.admin, `/api/analytics/time-in-stage?from=${scope.from}&to=${to}`);
      scope.to = to;
      scope.months = await rollupMonths(t.db, scope);
      // Up to 10 April: 10 days after March per lead. Up to 25 March: March less its last 6 days.
      expect(scope.months).toEqual({ start: '2026-03-01', end: '2026-04-01' });
      const cases: [DurationMeasure, boolean][] = [
        ['first_contact', true],
        ['convert', true],
        ['convert', false],
        ['stay', true],
      ];
      for (const [measure, grouped] of cases) {
        const exact = await percentiles(t.db, scope, measure, { grouped, exact: true });
        const read = await percentiles(t.db, scope, measure, { grouped, exact: false });
        expect([...read.keys()].sort(), measure).toEqual([...exact.keys()].sort());
        expect(exact.size, measure).toBeGreaterThan(0);
        for (const [group, want] of exact) {
          const got = read.get(group)!;
          expect(got.n, measure).toBe(want.n);
          for (const key of ['median', 'p90'] as const) {
            expect(Math.abs(got[key]! - want[key]!), `${measure} ${key}`).toBeLessThanOrEqual(
              want[key]! * HISTOGRAM_ACCURACY,
            );
          }
        }
      }
      return percentiles(t.db, scope, 'convert', { grouped: false, exact: false });
    };
    const before = (await compare()).get(null)!.n;
    // Archived, a won lead leaves the histogram of its month.
    await sql`update leads set archived_at = now() where id = ${won[8]!}`.execute(t.db);
    expect((await compare()).get(null)!.n).toBe(before - 1);
    expect((await compare('2026-03-25')).get(null)!.n).toBeLessThan(before - 1);
  });
});

describe('keeping the read model fresh', () => {
  it('can vacuum the read model outside a transaction, on either database', async () => {
    await expect(vacuumReadModel(t.db)).resolves.toBeUndefined();
  });

  it('rounds a period to its nearest months', () => {
    const near = (from: string, to: string, freeAfter = false) =>
      nearestMonths(from, to, { freeAfter });
    const months = (start: string, end: string) => ({ start, end });
    expect(near('2026-02-20', '2026-04-10')).toEqual(months('2026-03-01', '2026-04-01'));
    expect(near('2026-03-01', '2026-03-31')).toEqual(months('2026-03-01', '2026-04-01'));
    expect(near('2025-11-22', '2026-11-21')).toEqual(months('2025-12-01', '2026-12-01'));
    expect(near('2026-01-31', '2026-03-01')).toEqual(months('2026-02-01', '2026-03-01'));
    // Rounded out: 2 March less a day, 5 March less 4 days and 20 April plus 10.
    expect(near('2026-03-02', '2026-03-31')).toEqual(months('2026-03-01', '2026-04-01'));
    expect(near('2026-03-05', '2026-04-20')).toEqual(months('2026-03-01', '2026-05-01'));
    // A week: 4 days less and 19 after would read more than the 8 days themselves, unless
    // nothing came after the period.
    expect(near('2026-03-05', '2026-03-12')).toBeUndefined();
    expect(near('2026-03-05', '2026-03-12', true)).toEqual(months('2026-03-01', '2026-04-01'));
  });

  it('counts whole months from the monthly rollup and the days around them per lead, in the workspace’s time zone', async () => {
    const desk = await aSalesDesk(t);
    const at = (createdAt: string, path = ['new']) => insertLead(desk, { path, createdAt });
    await at('2026-02-19T12:00:00Z'); // before the period
    await at('2026-02-20T12:00:00Z', ['new', 'won']); // first day (before the whole month)
    await at('2026-02-28T23:30:00Z'); // 1 March 00:30 in Berlin: the whole month
    const lost = await at('2026-03-15T12:00:00Z', ['new', 'lost']);
    await at('2026-03-31T22:30:00Z'); // 1 April 00:30 in Berlin (summer time): after it
    await at('2026-04-10T21:30:00Z'); // 10 April 23:30 in Berlin: last day
    await at('2026-04-10T22:30:00Z'); // 11 April in Berlin: after the period
    type Funnel = { leads: number; lost: number };
    const period = 'from=2026-02-20&to=2026-04-10';
    expect(await report<Funnel>(desk.admin, `/api/analytics/funnel?${period}`)).toMatchObject({
      leads: 5,
      lost: 1,
    });
    expect(await report<Funnel>(desk.admin, `/api/analytics/funnel?${MARCH}`)).toMatchObject({
      leads: 2,
      lost: 1,
    });
    const sources = await report<{ items: { leads: number; won: number }[] }>(
      desk.admin,
      `/api/analytics/sources?${period}`,
    );
    expect(sources.items.reduce((sum, item) => sum + item.leads, 0)).toBe(5);
    expect(sources.items.reduce((sum, item) => sum + item.won, 0)).toBe(1);
    const velocity = await report<{ weeks: { weekStart: string; leads: number }[] }>(
      desk.admin,
      `/api/analytics/velocity?${period}`,
    );
    // Open in "new": 1 March (the whole month, from the rollup), 1 and 10 April (per lead).
    const stages = await report<{
      stages: { stageId: string; openNow: number; pastLimit: number }[];
    }>(desk.admin, `/api/analytics/time-in-stage?${period}`);
    expect(stages.stages.find((stage) => stage.stageId === desk.stage.new!.id)).toMatchObject({
      openNow: 3,
      pastLimit: 0,
    });
    expect(velocity.weeks.filter((week) => week.leads > 0)).toEqual([
      { weekStart: '2026-02-16', leads: 1 },
      { weekStart: '2026-02-23', leads: 1 },
      { weekStart: '2026-03-09', leads: 1 },
      { weekStart: '2026-03-30', leads: 1 },
      { weekStart: '2026-04-06', leads: 1 },
    ]);
    // Archived, the lost lead leaves the month's rollup.
    await sql`update leads set archived_at = now() where id = ${lost}`.execute(t.db);
    expect(await report<Funnel>(desk.admin, `/api/analytics/funnel?${MARCH}`)).toMatchObject({
      leads: 1,
      lost: 0,
    });
    const lostReasons = await report<{ lost: number }>(
      desk.admin,
      `/api/analytics/lost-reasons?${period}`,
    );
    expect(lostReasons.lost).toBe(0);
  });

  it('counts activities of whole months from the monthly rollup and the days around them per day', async () => {
    const desk = await aSalesDesk(t);
    const ana = await aMember(t, desk.admin, 'agent', 'Ana Months');
    const lead = await insertLead(desk, {
      path: ['new'],
      createdAt: '2026-01-10T10:00:00Z',
      assigneeId: ana.userId,
    });
    const call = (occurredAt: string, outcome = 'none') =>
      insertActivity(desk, {
        leadId: lead,
        type: 'call',
        occurredAt,
        outcome,
        createdBy: ana.userId,
      });
    await call('2026-02-19T12:00:00Z'); // before the period
    await call('2026-02-20T12:00:00Z'); // first day, before the whole month
    await call('2026-02-28T23:30:00Z'); // 1 March 00:30 in Berlin: the whole month
    await call('2026-03-15T12:00:00Z');
    await call('2026-03-31T22:30:00Z'); // 1 April 00:30 in Berlin: after the whole month
    await call('2026-04-10T21:30:00Z'); // 10 April 23:30 in Berlin: last day
    await call('2026-04-10T22:30:00Z'); // 11 April in Berlin: after the period
    await call('2026-04-20T12:00:00Z'); // later in the month the period ends in
    const { rows: zone } = await sql<{ time_zone: string }>`
      select time_zone from workspaces where id = ${desk.admin.workspaceId}`.execute(t.db);
    const touches = async (from: string, to: string) => {
      await report(desk.admin, `/api/analytics/velocity?${MARCH}`); // refreshes the facts
      const scope = { workspaceId: desk.admin.workspaceId, from, to, currency: 'EUR' };
      const rows = await touchesByMember(t.db, { ...scope, timeZone: zone[0]!.time_zone });
      return rows.find((row) => row.created_by === ana.userId)?.activities;
    };
    expect(await touches('2026-02-20', '2026-04-10')).toBe(5);
    expect(await touches('2026-03-01', '2026-03-31')).toBe(2);
    expect(await touches('2026-02-01', '2026-04-30')).toBe(8);
    expect(await touches('2026-03-02', '2026-03-31')).toBe(1);
    // The show rate reads the same rows: a meeting in March that was held.
    await insertActivity(desk, {
      leadId: lead,
      type: 'meeting',
      outcome: 'spoke',
      occurredAt: '2026-03-20T10:00:00Z',
    });
    const funnel = async () =>
      (
        await report<{ consultations: { meetings: number } }>(
          desk.admin,
          `/api/analytics/funnel?from=2026-01-01&to=2026-04-10`,
        )
      ).consultations.meetings;
    expect(await funnel()).toBe(1);
    // Archived, the lead's activities leave both rollups.
    await sql`update leads set archived_at = now() where id = ${lead}`.execute(t.db);
    expect(await touches('2026-02-20', '2026-04-10')).toBeUndefined();
    expect(await funnel()).toBe(0);
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from analytics_activity_months
      where workspace_id = ${desk.admin.workspaceId}`.execute(t.db);
    expect(rows[0]!.n).toBe(0);
  });

  it('rounds each end of a period to the nearer month boundary and takes off the leads of the days rounded out', async () => {
    const desk = await aSalesDesk(t);
    for (const day of ['2026-02-03', '2026-02-25', '2026-03-02', '2026-03-10', '2026-03-20']) {
      await insertLead(desk, { path: ['new'], createdAt: `${day}T10:00:00Z` });
    }
    const { rows } = await sql<{ time_zone: string }>`
      select time_zone from workspaces where id = ${desk.admin.workspaceId}`.execute(t.db);
    const read = async (from: string, to: string) => {
      const funnel = await report<{ leads: number }>(
        desk.admin,
        `/api/analytics/funnel?from=${from}&to=${to}`,
      );
      const months = await rollupMonths(t.db, {
        workspaceId: desk.admin.workspaceId,
        from,
        to,
        timeZone: rows[0]!.time_zone,
        currency: 'EUR',
      });
      return { leads: funnel.leads, months };
    };
    const march = { start: '2026-03-01', end: '2026-04-01' };
    // Nothing after 20 March: March is read whole from the rollup, 20–28 February per lead.
    expect(await read('2026-02-20', '2026-03-20')).toEqual({ leads: 4, months: march });
    // From 5 February: all of February from the rollup, less the leads of 1–4 February.
    expect(await read('2026-02-05', '2026-03-20')).toEqual({
      leads: 4,
      months: { start: '2026-02-01', end: '2026-04-01' },
    });
    // A lead on 25 March: March is still read whole (11 days to take off are fewer than 20 to
    // add), less that lead.
    await insertLead(desk, { path: ['new'], createdAt: '2026-03-25T10:00:00Z' });
    expect(await read('2026-02-20', '2026-03-20')).toEqual({ leads: 4, months: march });
    // On 5 March a whole March less 24 days would read more than the 8 days lead by lead.
    expect(await read('2026-03-05', '2026-03-12')).toEqual({ leads: 1, months: undefined });
  });

  it('leaves a lead’s facts alone when only its score changes', async () => {
    const desk = await aSalesDesk(t);
    const workspaceId = desk.admin.workspaceId;
    const id = await insertLead(desk, { path: ['new'], createdAt: '2026-03-05T10:00:00Z' });
    const stale = async () => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from analytics_stale_leads
        where workspace_id = ${workspaceId}`.execute(t.db);
      return rows[0]!.n;
    };
    await report(desk.admin, `/api/analytics/funnel?${MARCH}`);
    expect(await stale()).toBe(0);
    // Rescoring (nightly, after a training) touches every open lead: no refresh for that.
    await writeScore(t.db, workspaceId, id, 42, [{ label: 'Referral', points: 42 }]);
    expect(await stale()).toBe(0);
    await sql`update leads set value = 500000 where id = ${id}`.execute(t.db);
    expect(await stale()).toBe(1);
  });

  it('answers from facts refreshed after leads, moves and activities change', async () => {
    const desk = await aSalesDesk(t);
    const path = `/api/analytics/funnel?${MARCH}`;
    const first = await insertLead(desk, { path: ['new'], createdAt: '2026-03-05T10:00:00Z' });
    expect((await report<{ leads: number }>(desk.admin, path)).leads).toBe(1);
    // A second lead, written after the facts were built, shows in the next answer.
    await insertLead(desk, { path: ['new', 'won'], createdAt: '2026-03-06T10:00:00Z' });
    const funnel = await report<{ leads: number; stages: { kind: string; reached: number }[] }>(
      desk.admin,
      path,
    );
    expect(funnel.leads).toBe(2);
    expect(funnel.stages.find((s) => s.kind === 'won')?.reached).toBe(1);
    // Archiving takes a lead out.
    await sql`update leads set archived_at = now() where id = ${first}`.execute(t.db);
    expect((await report<{ leads: number }>(desk.admin, path)).leads).toBe(1);
    // A meeting logged on the remaining lead moves the show rate (activity rollup).
    const [won] = (
      await sql<{ id: string }>`select id from leads where workspace_id = ${desk.admin.workspaceId}
        and archived_at is null`.execute(t.db)
    ).rows;
    await insertActivity(desk, {
      leadId: won!.id,
      type: 'meeting',
      outcome: 'spoke',
      occurredAt: '2026-03-07T10:00:00Z',
    });
    const withMeeting = await report<{ consultations: { meetings: number; showRate: number } }>(
      desk.admin,
      path,
    );
    expect(withMeeting.consultations).toMatchObject({ meetings: 1, showRate: 1 });
    // The periodic refresh leaves nothing stale behind.
    await insertLead(desk, { path: ['new'], createdAt: '2026-03-08T10:00:00Z' });
    t.clock.advance(60_000);
    await t.runSchedules();
    const stale = await sql<{ n: number }>`select count(*)::int as n from analytics_stale_leads
      where workspace_id = ${desk.admin.workspaceId}`.execute(t.db);
    expect(stale.rows[0]!.n).toBe(0);
  });
});
