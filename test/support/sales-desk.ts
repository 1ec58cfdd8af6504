// A workspace set up like a sales team (the b2b preset) and a lead factory, for tests of the
// lead pipeline and what hangs off it (timeline, tasks, conversion, duplicates).
import { as, aWorkspace, type Session, type TestApp } from './test-app.js';

export interface Stage {
  id: string;
  slug: string;
  name: string;
  kind: string;
  probability: number;
  maxDaysInStage: number | null;
}

export interface Lead {
  id: string;
  title: string;
  version: number;
  stageId: string;
  status: string;
  contactId: string | null;
  assigneeId: string | null;
  contactStatus: string;
  contactAttempts: number;
  lastContactAt: string | null;
  lastContactMethod: string | null;
  lastContactNotes: string;
  nextFollowUpAt: string | null;
  nextFollowUpType: string | null;
  converted: boolean;
  archived: boolean;
}

/**
 * A workspace with the b2b preset (Sales: new → … → won / lost), its stages by slug. With
 * `automation: 'off'` the preset's default automation rules are switched off, for tests that
 * count tasks, notifications or versions the rules would add to.
 */
export async function aSalesDesk(t: TestApp, options: { automation?: 'on' | 'off' } = {}) {
  const { admin } = await aWorkspace(t);
  await t.app.inject({ method: 'POST', url: '/api/presets/b2b/apply', headers: as(admin) });
  if (options.automation === 'off') await switchOffAutomation(t, admin);
  const pipelines = await t.app.inject({
    method: 'GET',
    url: '/api/pipelines',
    headers: as(admin),
  });
  const pipeline = pipelines.json<{ items: { id: string; stages: Stage[] }[] }>().items[0]!;
  const stage = Object.fromEntries(pipeline.stages.map((s) => [s.slug, s])) as Record<
    string,
    Stage
  >;
  const reasons = await t.app.inject({
    method: 'GET',
    url: '/api/lost-reasons',
    headers: as(admin),
  });
  const lostReasonId = reasons.json<{ items: { id: string }[] }>().items[0]!.id;
  return { admin, pipelineId: pipeline.id, stage, lostReasonId };
}

/** Switches off every automation rule of the workspace (the preset's defaults included). */
export async function switchOffAutomation(t: TestApp, admin: Session) {
  const rules = await t.app.inject({
    method: 'GET',
    url: '/api/automation-rules',
    headers: as(admin),
  });
  for (const rule of rules.json<{ items: { id: string; version: number }[] }>().items) {
    const response = await t.app.inject({
      method: 'PATCH',
      url: `/api/automation-rules/${rule.id}`,
      headers: { ...as(admin), 'if-match': `"${rule.version}"` },
      payload: { active: false },
    });
    if (response.statusCode !== 200) throw new Error(`switchOffAutomation: ${response.body}`);
  }
}

let leadCounter = 0;

/** A lead with a new contact of its own (unique email), created a second after the last one. */
export async function aLead(
  t: TestApp,
  session: Session,
  overrides: Record<string, unknown> = {},
): Promise<Lead> {
  leadCounter += 1;
  t.clock.advance(1000);
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/leads',
    headers: as(session),
    payload: {
      contact: {
        firstName: 'Lena',
        lastName: `Lead${leadCounter}`,
        emails: [`lena.${leadCounter}.${Date.now()}@example.test`],
      },
      ...overrides,
    },
  });
  if (response.statusCode !== 201) throw new Error(`aLead failed: ${response.body}`);
  return response.json<Lead>();
}
