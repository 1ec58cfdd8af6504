import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aLead, aSalesDesk } from '../../../../test/support/sales-desk.js';
import {
  aMember,
  as,
  createTestApp,
  type Session,
  type TestApp,
} from '../../../../test/support/test-app.js';
import type { DomainEvent } from '../../platform/events.js';
import { systemActorFor } from '../users/users.service.js';

let t: TestApp;

beforeEach(async () => {
  t = await createTestApp({
    // The clock moves by days: sessions must outlive it.
    // Loopback webhook receivers are allowed (WEBHOOKS_ALLOW_PRIVATE).
    env: {
      LOGIN_MAX_PER_IP: '1000',
      SESSION_IDLE_MINUTES: '100000',
      SESSION_MAX_DAYS: '365',
      WEBHOOKS_ALLOW_PRIVATE: 'true',
    },
  });
});

afterEach(async () => {
  await t.close();
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Rule {
  id: string;
  name: string;
  defaultKey: string | null;
  active: boolean;
  version: number;
  trigger: { type: string };
}
interface Run {
  ruleId: string;
  ruleName: string;
  leadId: string | null;
  status: string;
  attempts: number;
  reason: string;
  eventType: string;
  causedByRules: string[];
  results: { action: string; outcome: string }[];
  errors: { attempt: number; action: string | null; message: string }[];
}
interface Task {
  id: string;
  title: string;
  type: string;
  dueAt: string | null;
  assigneeId: string | null;
}

/** The b2b preset (its default rules included), Mon–Fri 09:00–17:00 Berlin, with a team. */
async function aTeam() {
  const desk = await aSalesDesk(t);
  const hours = Object.fromEntries(
    ['1', '2', '3', '4', '5'].map((day) => [day, [{ start: '09:00', end: '17:00' }]]),
  );
  const patched = await t.app.inject({
    method: 'PATCH',
    url: `/api/workspaces/${desk.admin.workspaceId}`,
    headers: as(desk.admin),
    payload: { businessHours: hours },
  });
  expect(patched.statusCode).toBe(200);
  const manager = await aMember(t, desk.admin, 'manager', 'Mia Manager');
  const agent = await aMember(t, desk.admin, 'agent', 'Alex Agent');
  return { ...desk, manager, agent };
}
type Team = Awaited<ReturnType<typeof aTeam>>;

async function listRules(session: Session) {
  const response = await t.app.inject({
    method: 'GET',
    url: '/api/automation-rules',
    headers: as(session),
  });
  expect(response.statusCode).toBe(200);
  return response.json<{ items: Rule[] }>().items;
}

/** Switches off every rule but the shipped default `key` (all of them for null). */
async function onlyDefault(team: Team, key: string | null) {
  for (const rule of await listRules(team.admin)) {
    if (rule.defaultKey === key) continue;
    const response = await t.app.inject({
      method: 'PATCH',
      url: `/api/automation-rules/${rule.id}`,
      headers: { ...as(team.admin), 'if-match': `"${rule.version}"` },
      payload: { active: false },
    });
    expect(response.statusCode).toBe(200);
  }
}

async function createRule(session: Session, body: Record<string, unknown>) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/automation-rules',
    headers: as(session),
    payload: body,
  });
  if (response.statusCode !== 201) throw new Error(`createRule: ${response.body}`);
  return response.json<Rule>();
}

async function runs(session: Session, ruleId?: string) {
  const response = await t.app.inject({
    method: 'GET',
    url: ruleId ? `/api/automation-rules/${ruleId}/runs` : '/api/automation-runs',
    headers: as(session),
  });
  expect(response.statusCode).toBe(200);
  return response.json<{ items: Run[] }>().items;
}

async function deactivate(admin: Session, userId: string) {
  const response = await t.app.inject({
    method: 'PATCH',
    url: `/api/users/${userId}`,
    headers: as(admin),
    payload: { active: false },
  });
  expect(response.statusCode).toBe(200);
}

async function tasksOf(session: Session, leadId: string) {
  const response = await t.app.inject({
    method: 'GET',
    url: `/api/tasks?leadId=${leadId}`,
    headers: as(session),
  });
  expect(response.statusCode).toBe(200);
  return response.json<{ items: Task[] }>().items;
}

/** What automation told a member (not the scheduled reviews that arrive as the clock moves). */
async function notificationsOf(session: Session) {
  const response = await t.app.inject({
    method: 'GET',
    url: '/api/notifications',
    headers: as(session),
  });
  expect(response.statusCode).toBe(200);
  return response
    .json<{ items: { title: string; kind: string; leadId: string | null }[] }>()
    .items.filter((item) => item.kind.startsWith('automation'));
}

async function logCall(session: Session, leadId: string, outcome: string) {
  t.clock.advance(60_000);
  const response = await t.app.inject({
    method: 'POST',
    url: `/api/leads/${leadId}/activities`,
    headers: as(session),
    payload: { type: 'call', outcome },
  });
  expect(response.statusCode).toBe(201);
}

async function patchLead(session: Session, leadId: string, payload: Record<string, unknown>) {
  const response = await t.app.inject({
    method: 'PATCH',
    url: `/api/leads/${leadId}`,
    headers: as(session),
    payload,
  });
  expect(response.statusCode, response.body).toBe(200);
}

/** Moves the test clock and runs the scan's slot and every job it leads to. */
async function later(ms: number) {
  t.clock.advance(ms);
  await t.runSchedules();
  await t.runJobs();
}

describe('automation rules API', () => {
  it('ships the default rules with the preset, once, and lets an admin edit and archive them', async () => {
    const team = await aTeam();
    const rules = await listRules(team.admin);
    expect(rules.map((rule) => rule.defaultKey).sort()).toEqual([
      'consultation-follow-up',
      'no-response-break-up',
      'not-contacted-escalation',
      'pending-decision-check-in',
      'speed-to-lead',
      'stale-lead-alert',
    ]);
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/presets/b2b/apply',
      headers: as(team.admin),
    });
    expect(again.statusCode).toBe(200);
    expect(await listRules(team.admin)).toHaveLength(6);

    const rule = rules[0]!;
    const stale = await t.app.inject({
      method: 'PATCH',
      url: `/api/automation-rules/${rule.id}`,
      headers: { ...as(team.admin), 'if-match': `"${rule.version + 1}"` },
      payload: { name: 'Renamed' },
    });
    expect(stale.statusCode).toBe(412);
    const renamed = await t.app.inject({
      method: 'PATCH',
      url: `/api/automation-rules/${rule.id}`,
      headers: { ...as(team.admin), 'if-match': `"${rule.version}"` },
      payload: { name: 'Renamed' },
    });
    expect(renamed.json()).toMatchObject({ name: 'Renamed', version: rule.version + 1 });

    const archived = await t.app.inject({
      method: 'DELETE',
      url: `/api/automation-rules/${rule.id}`,
      headers: as(team.admin),
    });
    expect(archived.json()).toMatchObject({ archived: true });
    expect((await listRules(team.admin)).map((r) => r.id)).not.toContain(rule.id);

    const audit = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', rule.id)
      .execute();
    expect(audit.map((row) => row.action)).toEqual([
      'automation_rule.created',
      'automation_rule.updated',
      'automation_rule.archived',
    ]);
  });

  it('refuses agents, unknown stages and members, and a move to lost, naming the field', async () => {
    const team = await aTeam();
    const body = {
      name: 'To proposal',
      trigger: { type: 'stage_changed', toStageIds: [team.stage.proposal!.id] },
      actions: [{ type: 'add_tag', tag: 'hot' }],
    };
    const forbidden = await t.app.inject({
      method: 'POST',
      url: '/api/automation-rules',
      headers: as(team.agent),
      payload: body,
    });
    expect(forbidden.statusCode).toBe(403);

    const cases: [Record<string, unknown>, string][] = [
      [
        { ...body, trigger: { type: 'stage_changed', toStageIds: [crypto.randomUUID()] } },
        'trigger.toStageIds',
      ],
      [
        { ...body, actions: [{ type: 'move_stage', stageId: team.stage.lost!.id }] },
        'actions.0.stageId',
      ],
      [
        {
          ...body,
          actions: [{ type: 'notify', to: 'user', userId: crypto.randomUUID(), title: 'Hi' }],
        },
        'actions.0.userId',
      ],
      [{ ...body, actions: [{ type: 'notify', to: 'user', title: 'Hi' }] }, 'actions.0.userId'],
      [
        { ...body, actions: [{ type: 'set_field', field: 'priority', value: 'whenever' }] },
        'actions.0.value',
      ],
      [{ ...body, actions: [] }, 'actions'],
    ];
    for (const [payload, field] of cases) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/automation-rules',
        headers: as(team.admin),
        payload,
      });
      // 400 when the body's shape is wrong, 422 when it points at what doesn't exist.
      expect([400, 422], JSON.stringify(payload)).toContain(response.statusCode);
      expect(response.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toContain(
        field,
      );
    }
    expect(await listRules(team.admin)).toHaveLength(6);
  });
});

describe('shipped default rules', () => {
  it('speed to lead: a call task for the assignee due 5 minutes into business hours', async () => {
    const team = await aTeam();
    await onlyDefault(team, 'speed-to-lead');
    // Monday 10:00 in Berlin: open, so due at 10:05.
    const lead = await aLead(t, team.admin, { assigneeId: team.agent.userId });
    const createdAt = t.clock.now().getTime();
    await t.runJobs();
    const [task] = await tasksOf(team.admin, lead.id);
    expect(task).toMatchObject({ type: 'call', assigneeId: team.agent.userId });
    expect(task!.title).toBe(`Call ${lead.title}`);
    expect(Date.parse(task!.dueAt!) - createdAt).toBe(5 * 60_000);

    // Friday 18:00 Berlin (17:00 UTC): due Monday 09:05 (08:05 UTC).
    t.clock.advance(4 * DAY + 8 * HOUR - 2000);
    const evening = await aLead(t, team.admin, { assigneeId: team.agent.userId });
    await t.runJobs();
    const [late] = await tasksOf(team.admin, evening.id);
    expect(late!.dueAt).toBe('2026-03-09T08:05:00.000Z');

    const [run] = await runs(team.admin);
    expect(run).toMatchObject({ status: 'succeeded', eventType: 'lead.created', attempts: 1 });
    expect(run!.results[0]!.outcome).toMatch(/^Created the task/);
  });

  it('drafts an email from a template, enrols in a sequence and calls a webhook', async () => {
    const team = await aTeam();
    await onlyDefault(team, null);
    const received: { event: string | undefined; body: { lead: { id: string } } }[] = [];
    const receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({
          event: request.headers['leadkeeper-event'] as string | undefined,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as { lead: { id: string } },
        });
        response.end('ok');
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const post = async (url: string, payload: Record<string, unknown>) => {
      const response = await t.app.inject({
        method: 'POST',
        url,
        headers: as(team.admin),
        payload,
      });
      expect(response.statusCode, response.body).toBe(201);
      return response.json<{ id: string }>();
    };
    try {
      const template = await post('/api/templates', {
        name: 'Welcome',
        channel: 'email',
        subject: 'Thanks, {{contact.firstName}}',
        body: 'We will call you about {{lead.title}}.',
      });
      const sequence = await post('/api/sequences', {
        name: 'Nurture',
        steps: [
          { type: 'task', title: 'Check in', taskType: 'call', dueIn: { amount: 1, unit: 'days' } },
        ],
      });
      const { port } = receiver.address() as AddressInfo;
      const rule = await createRule(team.admin, {
        name: 'Welcome new leads',
        trigger: { type: 'lead_created' },
        actions: [
          { type: 'send_message', channel: 'email', templateId: template.id },
          { type: 'enrol_in_sequence', sequenceId: sequence.id },
          { type: 'call_webhook', url: `http://127.0.0.1:${port}/hook` },
        ],
      });
      const lead = await aLead(t, team.admin, { title: 'Roof repair' });
      await t.runJobs();

      const [run] = await runs(team.admin, rule.id);
      expect(run, JSON.stringify(run)).toMatchObject({ status: 'succeeded' });
      expect(run!.results.map((result) => result.outcome)).toEqual([
        expect.stringMatching(/^Drafted an email \(.+\) in the outbox for approval$/),
        expect.stringMatching(/^Enrolled in the sequence /),
        expect.stringMatching(/^Queued a call to http:\/\/127\.0\.0\.1/),
      ]);
      const outbox = await t.app.inject({
        method: 'GET',
        url: '/api/outbox?status=draft',
        headers: as(team.admin),
      });
      expect(outbox.json<{ items: { leadId: string; subject: string }[] }>().items).toEqual([
        expect.objectContaining({ leadId: lead.id, subject: 'Thanks, Lena' }),
      ]);
      const enrolments = await t.app.inject({
        method: 'GET',
        url: `/api/leads/${lead.id}/enrolments`,
        headers: as(team.admin),
      });
      expect(enrolments.json<{ items: { sequenceId: string }[] }>().items).toEqual([
        expect.objectContaining({ sequenceId: sequence.id }),
      ]);
      expect(received).toEqual([
        { event: 'automation.rule_fired', body: expect.objectContaining({ ruleId: rule.id }) },
      ]);
      expect(received[0]!.body.lead.id).toBe(lead.id);
    } finally {
      receiver.close();
    }
  });

  it('refuses an auto-sending message action from a manager, and unknown templates and sequences', async () => {
    const team = await aTeam();
    const template = await t.app.inject({
      method: 'POST',
      url: '/api/templates',
      headers: as(team.admin),
      payload: { name: 'Hi', channel: 'email', subject: 'Hi', body: 'Hello' },
    });
    expect(template.statusCode, template.body).toBe(201);
    const attempt = (session: Session, action: Record<string, unknown>) =>
      t.app.inject({
        method: 'POST',
        url: '/api/automation-rules',
        headers: as(session),
        payload: { name: 'X', trigger: { type: 'lead_created' }, actions: [action] },
      });
    const templateId = template.json<{ id: string }>().id;
    const autoSend = { type: 'send_message', channel: 'email', templateId, autoSend: true };
    expect((await attempt(team.manager, autoSend)).statusCode).toBe(403);
    const allowed = await attempt(team.admin, autoSend);
    expect(allowed.statusCode, allowed.body).toBe(201);
    const wrongChannel = await attempt(team.admin, { ...autoSend, channel: 'sms' });
    expect(wrongChannel.statusCode).toBe(422);
    expect(wrongChannel.body).toContain('actions.0.templateId');
    const noSequence = await attempt(team.admin, {
      type: 'enrol_in_sequence',
      sequenceId: '00000000-0000-4000-8000-000000000000',
    });
    expect(noSequence.statusCode).toBe(422);
    expect(noSequence.body).toContain('actions.0.sequenceId');
  });

  it('speed to lead does nothing when switched off', async () => {
    const team = await aTeam();
    await onlyDefault(team, null);
    const lead = await aLead(t, team.admin, { assigneeId: team.agent.userId });
    await t.runJobs();
    expect(await tasksOf(team.admin, lead.id)).toEqual([]);
    expect(await runs(team.admin)).toEqual([]);
  });

  it('escalates a lead nobody contacted in 24 hours to the managers, once', async () => {
    const team = await aTeam();
    await onlyDefault(team, 'not-contacted-escalation');
    const lead = await aLead(t, team.admin, { assigneeId: team.agent.userId });
    const reached = await aLead(t, team.admin, { assigneeId: team.agent.userId });
    await logCall(team.agent, reached.id, 'spoke');
    await later(23 * HOUR);
    expect(await notificationsOf(team.manager)).toEqual([]);
    await later(2 * HOUR);
    const notes = await notificationsOf(team.manager);
    expect(notes.map((n) => [n.kind, n.leadId])).toEqual([['automation', lead.id]]);
    expect(notes[0]!.title).toBe(`Not contacted in 24 h: ${lead.title}`);
    await later(6 * HOUR);
    expect(await notificationsOf(team.manager)).toHaveLength(1);
  });

  it('follows up 3 business days after the consultation stage, over a weekend', async () => {
    const team = await aTeam();
    await onlyDefault(team, 'consultation-follow-up');
    // Thursday 2026-03-05 10:00 Berlin.
    t.clock.advance(3 * DAY);
    const lead = await aLead(t, team.admin, { assigneeId: team.agent.userId });
    const contacted = await t.app.inject({
      method: 'POST',
      url: `/api/leads/${lead.id}/stage`,
      headers: as(team.admin),
      payload: { stageId: team.stage.contacted!.id },
    });
    expect(contacted.statusCode).toBe(200);
    await t.runJobs();
    expect(await tasksOf(team.admin, lead.id)).toEqual([]);
    const moved = await t.app.inject({
      method: 'POST',
      url: `/api/leads/${lead.id}/stage`,
      headers: as(team.admin),
      payload: { stageId: team.stage.qualified!.id },
    });
    expect(moved.statusCode).toBe(200);
    await t.runJobs();
    const [task] = await tasksOf(team.admin, lead.id);
    expect(task).toMatchObject({ type: 'follow_up', assigneeId: team.agent.userId });
    // Thursday + 3 business days = Tuesday, same local time.
    expect(task!.dueAt!.slice(0, 16)).toBe('2026-03-10T09:00');
  });

  it('books a check-in call when a lead stays in the decision stage longer than allowed', async () => {
    const team = await aTeam();
    await onlyDefault(team, 'pending-decision-check-in');
    const lead = await aLead(t, team.admin, { assigneeId: team.agent.userId });
    const other = await aLead(t, team.admin, { assigneeId: team.agent.userId });
    for (const id of [lead.id, other.id]) {
      const moved = await t.app.inject({
        method: 'POST',
        url: `/api/leads/${id}/stage`,
        headers: as(team.admin),
        payload: { stageId: team.stage.proposal!.id },
      });
      expect(moved.statusCode).toBe(200);
    }
    const limit = team.stage.proposal!.maxDaysInStage!;
    await later((limit - 1) * DAY);
    expect(await tasksOf(team.admin, lead.id)).toEqual([]);
    // The other lead moves on before the limit.
    const onward = await t.app.inject({
      method: 'POST',
      url: `/api/leads/${other.id}/stage`,
      headers: as(team.admin),
      payload: { stageId: team.stage.negotiation!.id },
    });
    expect(onward.statusCode).toBe(200);
    await later(2 * DAY);
    const tasks = await tasksOf(team.admin, lead.id);
    expect(tasks.map((task) => [task.type, task.title])).toEqual([
      ['call', `Check-in call: ${lead.title}`],
    ]);
    expect(await tasksOf(team.admin, other.id)).toEqual([]);
    await later(DAY);
    expect(await tasksOf(team.admin, lead.id)).toHaveLength(1);
  });

  it('after 3 unanswered attempts in a row drafts a break-up email and asks about lost, once', async () => {
    const team = await aTeam();
    await onlyDefault(team, 'no-response-break-up');
    const lead = await aLead(t, team.admin, { assigneeId: team.agent.userId });
    await logCall(team.agent, lead.id, 'no_answer');
    await logCall(team.agent, lead.id, 'left_voicemail');
    await logCall(team.agent, lead.id, 'spoke');
    await logCall(team.agent, lead.id, 'no_answer');
    await logCall(team.agent, lead.id, 'no_answer');
    await t.runJobs();
    expect(await notificationsOf(team.agent)).toEqual([]);
    await logCall(team.agent, lead.id, 'no_answer');
    await t.runJobs();
    const notes = await notificationsOf(team.agent);
    expect(notes.map((n) => n.title)).toEqual([`No response after 3 attempts: ${lead.title}`]);
    const tasks = await tasksOf(team.admin, lead.id);
    expect(tasks.map((task) => task.type)).toEqual(['email']);
    const drafts = async () => {
      const outbox = await t.app.inject({
        method: 'GET',
        url: '/api/outbox?status=draft',
        headers: as(team.admin),
      });
      expect(outbox.statusCode).toBe(200);
      return outbox.json<{ items: { leadId: string; subject: string; status: string }[] }>().items;
    };
    // A draft only: nothing goes to the customer until someone approves it.
    expect(await drafts()).toEqual([
      expect.objectContaining({
        leadId: lead.id,
        status: 'draft',
        subject: 'Shall I close your inquiry, Lena?',
      }),
    ]);
    await logCall(team.agent, lead.id, 'no_answer');
    await t.runJobs();
    expect(await notificationsOf(team.agent)).toHaveLength(1);
    expect(await drafts()).toHaveLength(1);
  });

  it('alerts the owner after 3 business days without activity, counting from the last one', async () => {
    const team = await aTeam();
    await onlyDefault(team, 'stale-lead-alert');
    // Wednesday 2026-03-04 10:00 Berlin.
    t.clock.advance(2 * DAY);
    const lead = await aLead(t, team.admin, { assigneeId: team.agent.userId });
    // Friday: a note restarts the count (3 business days from Friday 10:00 is Wednesday 10:00).
    t.clock.advance(2 * DAY);
    const note = await t.app.inject({
      method: 'POST',
      url: `/api/leads/${lead.id}/activities`,
      headers: as(team.agent),
      payload: { type: 'note', body: 'Waiting for their budget.' },
    });
    expect(note.statusCode).toBe(201);
    // Tuesday: 4 calendar days, 2 business days.
    await later(4 * DAY);
    expect(await notificationsOf(team.agent)).toEqual([]);
    await later(DAY + HOUR);
    const notes = await notificationsOf(team.agent);
    expect(notes.map((n) => n.title)).toEqual([`Stale lead: ${lead.title}`]);
    await later(DAY);
    expect(await notificationsOf(team.agent)).toHaveLength(1);
  });
});

describe('rule engine', () => {
  it('assigns by the assignment rules, placing the contact by its address', async () => {
    const team = await aTeam();
    await onlyDefault(team, null);
    await createRule(team.admin, {
      name: 'Urgent: route by territory',
      trigger: { type: 'field_changed', fields: ['priority'] },
      conditions: [{ type: 'field', field: 'priority', op: 'eq', value: 'urgent' }],
      actions: [{ type: 'assign', userId: null }],
    });
    const leadIn = (postalCode: string) =>
      aLead(t, team.admin, {
        assigneeId: team.manager.userId,
        contact: {
          firstName: 'Kim',
          lastName: `Lee ${postalCode}`,
          emails: [`kim.${postalCode}@example.test`],
          address: { postalCode, city: 'Somewhere' },
        },
      });
    const berlin = await leadIn('10115');
    const hamburg = await leadIn('20095');
    const territory = await t.app.inject({
      method: 'POST',
      url: '/api/assignment-rules',
      headers: as(team.admin),
      payload: {
        name: 'Berlin',
        type: 'territory',
        postalCodes: ['10*'],
        userIds: [team.agent.userId],
      },
    });
    expect(territory.statusCode, territory.body).toBe(201);

    for (const lead of [berlin, hamburg]) {
      const urgent = await t.app.inject({
        method: 'PATCH',
        url: `/api/leads/${lead.id}`,
        headers: { ...as(team.admin), 'if-match': `"${lead.version}"` },
        payload: { priority: 'urgent' },
      });
      expect(urgent.statusCode).toBe(200);
    }
    await t.runJobs();
    const assigneeOf = async (id: string) =>
      (
        await t.app.inject({ method: 'GET', url: `/api/leads/${id}`, headers: as(team.admin) })
      ).json<{ assigneeId: string }>().assigneeId;
    expect(await assigneeOf(berlin.id)).toBe(team.agent.userId);
    // No rule covers Hamburg: the lead stays with whom it had.
    expect(await assigneeOf(hamburg.id)).toBe(team.manager.userId);
  });

  it('fires on a submission of the forms it names, and not of others', async () => {
    const team = await aTeam();
    await onlyDefault(team, null);
    const aForm = async (name: string) => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/forms',
        headers: as(team.admin),
        payload: { name },
      });
      expect(response.statusCode, response.body).toBe(201);
      return response.json<{ id: string; key: string }>();
    };
    const quote = await aForm('Quote request');
    const newsletter = await aForm('Newsletter');
    await createRule(team.admin, {
      name: 'Quote requests are hot',
      trigger: { type: 'form_submitted', formIds: [quote.id] },
      conditions: [],
      actions: [{ type: 'add_tag', tag: 'quote' }],
    });
    const submit = async (key: string, email: string) => {
      const response = await t.app.inject({
        method: 'POST',
        url: `/api/capture/${key}`,
        headers: { 'content-type': 'application/json' },
        payload: { name: 'Sam Field', email, message: 'Please call me.' },
      });
      expect(response.statusCode, response.body).toBe(201);
      return response.json<{ leadId: string }>().leadId;
    };
    const hot = await submit(quote.key, 'sam.quote@example.test');
    const cold = await submit(newsletter.key, 'sam.news@example.test');
    await t.runJobs();
    const tagsOf = async (id: string) =>
      (
        await t.app.inject({ method: 'GET', url: `/api/leads/${id}`, headers: as(team.admin) })
      ).json<{ tags: string[] }>().tags;
    expect(await tagsOf(hot)).toEqual(['quote']);
    expect(await tagsOf(cold)).toEqual([]);
  });

  it('checks conditions: source, tags and a field must all hold', async () => {
    const team = await aTeam();
    await onlyDefault(team, null);
    const rule = await createRule(team.admin, {
      name: 'Big inbound deals',
      trigger: { type: 'lead_created' },
      conditions: [
        { type: 'field', field: 'value', op: 'gt', value: 100_000 },
        { type: 'tags', op: 'has_none', values: ['spam'] },
        { type: 'assignee', op: 'is_set' },
      ],
      actions: [{ type: 'set_field', field: 'priority', value: 'urgent' }],
    });
    const big = await aLead(t, team.admin, { value: 500_000, assigneeId: team.agent.userId });
    const small = await aLead(t, team.admin, { value: 1_000, assigneeId: team.agent.userId });
    const spam = await aLead(t, team.admin, {
      value: 500_000,
      tags: ['spam'],
      assigneeId: team.agent.userId,
    });
    await t.runJobs();
    const priorities = await Promise.all(
      [big, small, spam].map(async (lead) => {
        const response = await t.app.inject({
          method: 'GET',
          url: `/api/leads/${lead.id}`,
          headers: as(team.admin),
        });
        return response.json<{ priority: string }>().priority;
      }),
    );
    expect(priorities).toEqual(['urgent', 'normal', 'normal']);
    expect((await runs(team.admin, rule.id)).map((run) => run.leadId)).toEqual([big.id]);
  });

  it('never lets a rule fire on its own work, and stops a chain that is too deep', async () => {
    const team = await aTeam();
    await onlyDefault(team, null);
    // value → priority → tag → contact status → value …: a loop through four rules.
    const byValue = await createRule(team.admin, {
      name: 'Value → priority',
      trigger: { type: 'field_changed', fields: ['value'] },
      actions: [{ type: 'set_field', field: 'priority', value: 'high' }],
    });
    const byPriority = await createRule(team.admin, {
      name: 'Priority → tag',
      trigger: { type: 'field_changed', fields: ['priority'] },
      actions: [{ type: 'add_tag', tag: 'vip' }],
    });
    const byTags = await createRule(team.admin, {
      name: 'Tag → status',
      trigger: { type: 'field_changed', fields: ['tags'] },
      actions: [{ type: 'set_field', field: 'contactStatus', value: 'follow_up_needed' }],
    });
    const byStatus = await createRule(team.admin, {
      name: 'Status → value',
      trigger: { type: 'field_changed', fields: ['contactStatus'] },
      actions: [{ type: 'set_field', field: 'value', value: 1 }],
    });
    const lead = await aLead(t, team.admin);
    await patchLead(team.admin, lead.id, { value: 42 });
    await t.runJobs();

    const all = await runs(team.admin);
    const byRule = (id: string) => all.filter((run) => run.ruleId === id);
    expect(byRule(byValue.id).map((run) => run.status)).toEqual(['succeeded']);
    expect(byRule(byPriority.id).map((run) => run.causedByRules)).toEqual([[byValue.id]]);
    expect(byRule(byTags.id).map((run) => run.causedByRules)).toEqual([
      [byValue.id, byPriority.id],
    ]);
    // The fourth link is three rules deep: logged as skipped, its action not run.
    expect(byRule(byStatus.id)).toMatchObject([
      { status: 'skipped', causedByRules: [byValue.id, byPriority.id, byTags.id] },
    ]);
    expect(byRule(byStatus.id)[0]!.errors[0]!.message).toMatch(/chain of 3 rules/);
    const after = await t.app.inject({
      method: 'GET',
      url: `/api/leads/${lead.id}`,
      headers: as(team.admin),
    });
    expect(after.json()).toMatchObject({
      value: 42,
      priority: 'high',
      tags: ['vip'],
      contactStatus: 'follow_up_needed',
    });

    // A rule whose action changes what triggers it runs once, not again on its own change.
    const echo = await createRule(team.admin, {
      name: 'Echo',
      trigger: { type: 'field_changed', fields: ['title', 'tags'] },
      actions: [{ type: 'add_tag', tag: 'echo' }],
    });
    await onlyRules(team, [echo.id]);
    await patchLead(team.admin, lead.id, { title: 'Renamed lead' });
    await t.runJobs();
    expect((await runs(team.admin, echo.id)).map((run) => run.causedByRules)).toEqual([[]]);
    const tagged = await t.app.inject({
      method: 'GET',
      url: `/api/leads/${lead.id}`,
      headers: as(team.admin),
    });
    expect(tagged.json<{ tags: string[] }>().tags).toEqual(['vip', 'echo']);
  });

  it('retries a failing action, logs each error, then marks the run failed and tells the admins', async () => {
    const team = await aTeam();
    await onlyDefault(team, null);
    const helper = await aMember(t, team.admin, 'agent', 'Hal Helper');
    const rule = await createRule(team.admin, {
      name: 'Task for the helper',
      trigger: { type: 'lead_created' },
      actions: [
        { type: 'add_tag', tag: 'new' },
        {
          type: 'create_task',
          title: 'Help out',
          due: { amount: 1, unit: 'hours' },
          assigneeId: helper.userId,
        },
      ],
    });
    // An inactive member can't be given a task: the rule's action fails.
    await deactivate(team.admin, helper.userId);
    const lead = await aLead(t, team.admin);
    await t.runJobs();
    let [run] = await runs(team.admin, rule.id);
    expect(run).toMatchObject({ status: 'queued', attempts: 1 });
    expect(run!.errors).toMatchObject([{ attempt: 1, action: 'create_task' }]);
    for (let i = 0; i < 2; i += 1) {
      // pg-boss waits before a retry (by the database clock): make the retry due now.
      await sql`update pgboss.job set start_after = now() where name = 'automation-run'`.execute(
        t.db,
      );
      await t.runJobs();
    }
    [run] = await runs(team.admin, rule.id);
    expect(run).toMatchObject({ status: 'failed', attempts: 3 });
    expect(run!.errors.map((e) => e.attempt)).toEqual([1, 2, 3]);
    expect(run!.errors[2]!.message).toMatch(/assigneeId/);
    // All or nothing: the tag of the first action was rolled back with the failed task.
    const after = await t.app.inject({
      method: 'GET',
      url: `/api/leads/${lead.id}`,
      headers: as(team.admin),
    });
    expect(after.json<{ tags: string[] }>().tags).toEqual([]);
    const notes = await notificationsOf(team.admin);
    expect(notes).toMatchObject([
      { kind: 'automation_failed', title: 'Automation rule failed: Task for the helper' },
    ]);
    await sql`update pgboss.job set start_after = now() where name = 'automation-run'`.execute(
      t.db,
    );
    await t.runJobs();
    expect(await notificationsOf(team.admin)).toHaveLength(1);
  });

  it('runs each rule an event fires on its own: when one fails, the others keep their work', async () => {
    const team = await aTeam();
    await onlyDefault(team, null);
    const helper = await aMember(t, team.admin, 'agent', 'Ida Idle');
    const tagger = await createRule(team.admin, {
      name: 'Tag new leads',
      trigger: { type: 'lead_created' },
      actions: [{ type: 'add_tag', tag: 'seen' }],
    });
    const caller = await createRule(team.admin, {
      name: 'Call task',
      trigger: { type: 'lead_created' },
      actions: [{ type: 'create_task', title: 'Call', due: { amount: 1, unit: 'hours' } }],
    });
    const first = await aLead(t, team.admin, { assigneeId: team.agent.userId });
    await t.runJobs();
    expect((await runs(team.admin, tagger.id))[0]).toMatchObject({ status: 'succeeded' });
    expect((await runs(team.admin, caller.id))[0]).toMatchObject({ status: 'succeeded' });
    const tagged = await t.app.inject({
      method: 'GET',
      url: `/api/leads/${first.id}`,
      headers: as(team.admin),
    });
    expect(tagged.json<{ tags: string[] }>().tags).toEqual(['seen']);

    // A third rule that fails (its task's assignee is no longer active): the other two keep
    // their work; only the failing one is recorded with its error and queued for a retry.
    const failing = await createRule(team.admin, {
      name: 'Task for the idle one',
      trigger: { type: 'lead_created' },
      actions: [
        {
          type: 'create_task',
          title: 'Help out',
          due: { amount: 1, unit: 'hours' },
          assigneeId: helper.userId,
        },
      ],
    });
    // An inactive member can't be given a task: the rule's action fails.
    await deactivate(team.admin, helper.userId);
    const second = await aLead(t, team.admin, { assigneeId: team.agent.userId });
    await t.runJobs();
    const runOf = async (ruleId: string) =>
      (await runs(team.admin, ruleId)).find((run) => run.leadId === second.id);
    expect(await runOf(tagger.id)).toMatchObject({ status: 'succeeded' });
    expect(await runOf(caller.id)).toMatchObject({ status: 'succeeded' });
    const failed = await runOf(failing.id);
    expect(failed).toMatchObject({ status: 'queued', attempts: 1 });
    expect(failed!.errors).toMatchObject([{ attempt: 1, action: 'create_task' }]);
    const after = await t.app.inject({
      method: 'GET',
      url: `/api/leads/${second.id}`,
      headers: as(team.admin),
    });
    expect(after.json<{ tags: string[] }>().tags).toEqual(['seen']);
    expect((await tasksOf(team.admin, second.id)).map((task) => task.title)).toEqual(['Call']);
  });

  it('publishes each overdue task once and fires task-overdue rules', async () => {
    const team = await aTeam();
    await onlyDefault(team, null);
    const seen: DomainEvent[] = [];
    t.services.events.subscribe({
      name: 'overdue-watcher',
      types: ['task.overdue'],
      handler: (event) => {
        seen.push(event);
        return Promise.resolve();
      },
    });
    await createRule(team.admin, {
      name: 'Overdue → manager',
      trigger: { type: 'task_overdue' },
      actions: [{ type: 'notify', to: 'managers', title: 'Overdue on {{lead.title}}' }],
    });
    const lead = await aLead(t, team.admin, { assigneeId: team.agent.userId });
    const created = await t.app.inject({
      method: 'POST',
      url: `/api/leads/${lead.id}/tasks`,
      headers: as(team.agent),
      payload: {
        title: 'Send the quote',
        dueAt: new Date(t.clock.now().getTime() + HOUR).toISOString(),
      },
    });
    expect(created.statusCode).toBe(201);
    await later(30 * 60_000);
    expect(seen).toEqual([]);
    await later(HOUR);
    expect(seen.map((event) => [event.leadId, event.data.title])).toEqual([
      [lead.id, 'Send the quote'],
    ]);
    await later(HOUR);
    expect(seen).toHaveLength(1);
    expect((await notificationsOf(team.manager)).map((n) => n.title)).toEqual([
      `Overdue on ${lead.title}`,
    ]);
  });

  it('fires when a score crosses its threshold upwards, not on a move below it', async () => {
    const team = await aTeam();
    await onlyDefault(team, null);
    const rule = await createRule(team.admin, {
      name: 'Hot lead',
      trigger: { type: 'score_crossed', threshold: 70 },
      actions: [{ type: 'add_tag', tag: 'hot' }],
    });
    const lead = await aLead(t, team.admin);
    const publish = (from: number, to: number) =>
      t.db.transaction().execute((trx) =>
        t.services.events.publish(trx, {
          type: 'lead.score_changed',
          actor: systemActorFor(team.admin.workspaceId, ''),
          leadId: lead.id,
          data: { from, to },
        }),
      );
    await publish(20, 60);
    await publish(75, 90);
    await t.runJobs();
    expect(await runs(team.admin, rule.id)).toEqual([]);
    await publish(60, 71);
    await t.runJobs();
    expect((await runs(team.admin, rule.id)).map((run) => run.reason)).toEqual([
      'The score went up from 60 to 71 (threshold 70)',
    ]);
  });
});

async function onlyRules(team: Team, ids: string[]) {
  for (const rule of await listRules(team.admin)) {
    if (ids.includes(rule.id) || !rule.active) continue;
    const response = await t.app.inject({
      method: 'PATCH',
      url: `/api/automation-rules/${rule.id}`,
      headers: as(team.admin),
      payload: { active: false },
    });
    expect(response.statusCode).toBe(200);
  }
}
