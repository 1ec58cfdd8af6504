import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aLead, switchOffAutomation, type Stage } from '../../../../test/support/sales-desk.js';
import { startSmtpSink } from '../../../../test/support/smtp-sink.js';
import {
  aMember,
  aWorkspace,
  as,
  createTestApp,
  signIn,
  type Session,
  type TestApp,
} from '../../../../test/support/test-app.js';

let t: TestApp;
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
beforeAll(async () => {
  sink = await startSmtpSink();
  t = await createTestApp({ env: { LOGIN_MAX_PER_IP: '1000', SMTP_URL: sink.url } });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

const mailTo = (address: string) => sink.received.filter((mail) => mail.to.includes(address));

async function emailOf(session: Session, contactId: string | null) {
  const contact = await t.app.inject({
    method: 'GET',
    url: `/api/contacts/${contactId}`,
    headers: as(session),
  });
  return contact.json<{ emails: { value: string }[] }>().emails[0]!.value;
}

async function sequenceMessages(session: Session, leadId: string) {
  const outbox = await t.app.inject({
    method: 'GET',
    url: `/api/outbox?leadId=${leadId}`,
    headers: as(session),
  });
  expect(outbox.statusCode, outbox.body).toBe(200);
  return outbox
    .json<{ items: { id: string; status: string; subject: string; origin: { kind: string } }[] }>()
    .items.filter((message) => message.origin.kind === 'sequence');
}

const HOUR_MS = 3_600_000;

/**
 * A b2b workspace whose admin can sign in again after the clock has moved past the session; its
 * default automation rules are off, so the tasks a lead has are the sequence's.
 */
async function aSalesDesk(testApp: TestApp) {
  const { admin, adminEmail } = await aWorkspace(testApp);
  await testApp.app.inject({ method: 'POST', url: '/api/presets/b2b/apply', headers: as(admin) });
  await switchOffAutomation(testApp, admin);
  const pipelines = await testApp.app.inject({
    method: 'GET',
    url: '/api/pipelines',
    headers: as(admin),
  });
  const stages = pipelines.json<{ items: { stages: Stage[] }[] }>().items[0]!.stages;
  const reasons = await testApp.app.inject({
    method: 'GET',
    url: '/api/lost-reasons',
    headers: as(admin),
  });
  const desk = {
    admin,
    wonStageId: stages.find((stage) => stage.kind === 'won')!.id,
    lostReasonId: reasons.json<{ items: { id: string }[] }>().items[0]!.id,
    /** Signs in again (after moving the clock by days). */
    async refresh() {
      desk.admin = await signIn(testApp, adminEmail);
    },
  };
  return desk;
}
const DAY_MS = 24 * HOUR_MS;

interface Enrolment {
  id: string;
  status: string;
  nextStep: number;
  nextRunAt: string | null;
  exitReason: string | null;
}

async function createSequence(session: Session, body: Record<string, unknown>) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/sequences',
    headers: as(session),
    payload: { name: 'Nurture', ...body },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string; version: number; steps: { id: string; type: string }[] }>();
}

async function enrol(session: Session, sequenceId: string, leadId: string) {
  const response = await t.app.inject({
    method: 'POST',
    url: `/api/sequences/${sequenceId}/enrolments`,
    headers: as(session),
    payload: { leadId },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<Enrolment>();
}

async function enrolmentsOf(session: Session, leadId: string) {
  const response = await t.app.inject({
    method: 'GET',
    url: `/api/leads/${leadId}/enrolments`,
    headers: as(session),
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ items: Enrolment[] }>().items;
}

async function taskTitles(session: Session, leadId: string) {
  const response = await t.app.inject({
    method: 'GET',
    url: `/api/leads/${leadId}/tasks`,
    headers: as(session),
  });
  expect(response.statusCode, response.body).toBe(200);
  return response
    .json<{ items: { title: string; createdAt: string }[] }>()
    .items.sort((a, b) => a.createdAt.localeCompare(b.createdAt))
    .map((task) => task.title);
}

async function stats(session: Session, sequenceId: string) {
  const response = await t.app.inject({
    method: 'GET',
    url: `/api/sequences/${sequenceId}/stats`,
    headers: as(session),
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{
    enrolled: number;
    completed: number;
    exited: number;
    exitedByReason: Record<string, number>;
    steps: { reached: number; tasksCreated: number; repliedAfter: number }[];
  }>();
}

const callThenWaitThenCall = {
  steps: [
    { type: 'task', title: 'First call', taskType: 'call' },
    { type: 'wait', amount: 1, unit: 'days' },
    { type: 'task', title: 'Second call', taskType: 'call' },
  ],
};

describe('sequences', () => {
  it('runs steps in order with their waits, waiting for business hours across a weekend', async () => {
    const desk = await aSalesDesk(t);
    const workspace = await t.app.inject({
      method: 'PATCH',
      url: `/api/workspaces/${desk.admin.workspaceId}`,
      headers: as(desk.admin),
      payload: {
        businessHours: Object.fromEntries(
          ['1', '2', '3', '4', '5'].map((day) => [day, [{ start: '09:00', end: '17:00' }]]),
        ),
      },
    });
    expect(workspace.statusCode, workspace.body).toBe(200);
    const sequence = await createSequence(desk.admin, {
      steps: [
        {
          type: 'task',
          title: 'Welcome call',
          taskType: 'call',
          dueIn: { amount: 2, unit: 'hours' },
        },
        { type: 'wait', amount: 4, unit: 'days' },
        { type: 'wait', amount: 8, unit: 'hours' },
        { type: 'wait_business_hours' },
        { type: 'task', title: 'Check-in call', taskType: 'call' },
      ],
    });
    // The first test: the clock still stands on Monday 2 March 2026, 10:00 in Berlin.
    expect(t.clock.now().toISOString().slice(0, 13)).toBe('2026-03-02T09');
    const lead = await aLead(t, desk.admin);
    await enrol(desk.admin, sequence.id, lead.id);
    await t.runJobs();
    expect(await taskTitles(desk.admin, lead.id)).toEqual(['Welcome call']);
    const [started] = await enrolmentsOf(desk.admin, lead.id);
    expect(started).toMatchObject({ status: 'active', nextStep: 2 });
    expect(Date.parse(started!.nextRunAt!)).toBe(t.clock.now().getTime() + 4 * DAY_MS);

    // Friday 10:00 Berlin: the 8-hour wait begins; at 18:00 the office is closed.
    t.clock.advance(4 * DAY_MS);
    await t.runSchedules();
    t.clock.advance(8 * HOUR_MS);
    await t.runSchedules();
    await desk.refresh();
    const [weekend] = await enrolmentsOf(desk.admin, lead.id);
    expect(weekend).toMatchObject({ status: 'active', nextStep: 4 });
    // Monday 9 March, 09:00 in Berlin (UTC+1).
    expect(weekend!.nextRunAt).toBe('2026-03-09T08:00:00.000Z');
    expect(await taskTitles(desk.admin, lead.id)).toEqual(['Welcome call']);

    t.clock.advance(Date.parse('2026-03-09T08:00:00Z') - t.clock.now().getTime());
    await t.runSchedules();
    await desk.refresh();
    expect(await taskTitles(desk.admin, lead.id)).toEqual(['Welcome call', 'Check-in call']);
    const [done] = await enrolmentsOf(desk.admin, lead.id);
    expect(done).toMatchObject({ status: 'completed', nextRunAt: null });
    const numbers = await stats(desk.admin, sequence.id);
    expect(numbers).toMatchObject({ enrolled: 1, completed: 1, exited: 0 });
    expect(numbers.steps.map((step) => step.reached)).toEqual([1, 1, 1, 1, 1]);
    expect(numbers.steps.map((step) => step.tasksCreated)).toEqual([1, 0, 0, 0, 1]);
  });

  it('stops a sequence when the lead replies, and counts the reply on the step reached', async () => {
    const desk = await aSalesDesk(t);
    const sequence = await createSequence(desk.admin, callThenWaitThenCall);
    const lead = await aLead(t, desk.admin);
    await enrol(desk.admin, sequence.id, lead.id);
    await t.runJobs();

    // An outbound touch is no reply.
    const outbound = await t.app.inject({
      method: 'POST',
      url: `/api/leads/${lead.id}/activities`,
      headers: as(desk.admin),
      payload: { type: 'email', direction: 'outbound', subject: 'Hello', body: 'Any news?' },
    });
    expect(outbound.statusCode, outbound.body).toBe(201);
    await t.runJobs();
    expect((await enrolmentsOf(desk.admin, lead.id))[0]).toMatchObject({ status: 'active' });

    const reply = await t.app.inject({
      method: 'POST',
      url: `/api/leads/${lead.id}/activities`,
      headers: as(desk.admin),
      payload: { type: 'email', direction: 'inbound', subject: 'Re: Hello', body: 'Yes please' },
    });
    expect(reply.statusCode, reply.body).toBe(201);
    await t.runJobs();
    expect((await enrolmentsOf(desk.admin, lead.id))[0]).toMatchObject({
      status: 'exited',
      exitReason: 'replied',
      nextRunAt: null,
    });

    t.clock.advance(2 * DAY_MS);
    await t.runSchedules();
    await desk.refresh();
    expect(await taskTitles(desk.admin, lead.id)).toEqual(['First call']);
    const numbers = await stats(desk.admin, sequence.id);
    expect(numbers.exitedByReason).toEqual({ replied: 1 });
    expect(numbers.steps.map((step) => step.repliedAfter)).toEqual([0, 1, 0]);
    expect(numbers.steps.map((step) => step.reached)).toEqual([1, 1, 0]);
  });

  it('stops when the lead is won or lost, and when the contact is marked do-not-contact', async () => {
    const desk = await aSalesDesk(t);
    const sequence = await createSequence(desk.admin, callThenWaitThenCall);
    const lost = await aLead(t, desk.admin);
    const won = await aLead(t, desk.admin);
    const blocked = await aLead(t, desk.admin);
    for (const lead of [lost, won, blocked]) await enrol(desk.admin, sequence.id, lead.id);
    await t.runJobs();

    const lostResponse = await t.app.inject({
      method: 'POST',
      url: `/api/leads/${lost.id}/lost`,
      headers: as(desk.admin),
      payload: { reasonId: desk.lostReasonId },
    });
    expect(lostResponse.statusCode, lostResponse.body).toBe(200);
    const wonResponse = await t.app.inject({
      method: 'POST',
      url: `/api/leads/${won.id}/stage`,
      headers: as(desk.admin),
      payload: { stageId: desk.wonStageId },
    });
    expect(wonResponse.statusCode, wonResponse.body).toBe(200);
    const contact = await t.app.inject({
      method: 'PATCH',
      url: `/api/contacts/${blocked.contactId}`,
      headers: as(desk.admin),
      payload: { doNotContact: true },
    });
    expect(contact.statusCode, contact.body).toBe(200);
    await t.runJobs();

    expect((await enrolmentsOf(desk.admin, lost.id))[0]).toMatchObject({
      status: 'exited',
      exitReason: 'lost',
    });
    expect((await enrolmentsOf(desk.admin, won.id))[0]).toMatchObject({
      status: 'exited',
      exitReason: 'won',
    });
    // Do-not-contact ends it at once (and is checked again whenever a step is due).
    t.clock.advance(DAY_MS);
    await t.runSchedules();
    await desk.refresh();
    expect((await enrolmentsOf(desk.admin, blocked.id))[0]).toMatchObject({
      status: 'exited',
      exitReason: 'do_not_contact',
    });
    expect(await taskTitles(desk.admin, blocked.id)).toEqual(['First call']);
    expect((await stats(desk.admin, sequence.id)).exitedByReason).toEqual({
      lost: 1,
      won: 1,
      do_not_contact: 1,
    });
  });

  it('pauses and resumes an enrolment where it stopped, and stops it by hand', async () => {
    const desk = await aSalesDesk(t);
    const sequence = await createSequence(desk.admin, callThenWaitThenCall);
    const lead = await aLead(t, desk.admin);
    const enrolment = await enrol(desk.admin, sequence.id, lead.id);
    await t.runJobs();

    const action = (name: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/sequence-enrolments/${enrolment.id}/${name}`,
        headers: as(desk.admin),
      });
    const paused = await action('pause');
    expect(paused.statusCode, paused.body).toBe(200);
    expect(paused.json()).toMatchObject({ status: 'paused', nextRunAt: null });
    expect((await action('pause')).statusCode).toBe(409);

    t.clock.advance(2 * DAY_MS);
    await t.runSchedules();
    await desk.refresh();
    expect(await taskTitles(desk.admin, lead.id)).toEqual(['First call']);

    const resumed = await action('resume');
    expect(resumed.statusCode, resumed.body).toBe(200);
    await t.runJobs();
    expect(await taskTitles(desk.admin, lead.id)).toEqual(['First call', 'Second call']);
    expect((await enrolmentsOf(desk.admin, lead.id))[0]).toMatchObject({ status: 'completed' });
    expect((await action('stop')).statusCode).toBe(409);

    // Stopping by hand, and enrolling again afterwards.
    const again = await enrol(desk.admin, sequence.id, lead.id);
    const stopped = await t.app.inject({
      method: 'POST',
      url: `/api/sequence-enrolments/${again.id}/stop`,
      headers: as(desk.admin),
    });
    expect(stopped.json()).toMatchObject({ status: 'exited', exitReason: 'stopped' });
  });

  it('never runs a step twice when the same enrolment is advanced twice', async () => {
    const desk = await aSalesDesk(t);
    const sequence = await createSequence(desk.admin, callThenWaitThenCall);
    const lead = await aLead(t, desk.admin);
    const enrolment = await enrol(desk.admin, sequence.id, lead.id);
    // A duplicate (a retried job, a tick racing the enrolment's own job).
    await t.db.transaction().execute((trx) =>
      t.services.jobs.send(trx, 'sequence-advance', {
        workspaceId: desk.admin.workspaceId,
        enrolmentId: enrolment.id,
      }),
    );
    await t.runSchedules();
    await t.runJobs();
    expect(await taskTitles(desk.admin, lead.id)).toEqual(['First call']);
    expect((await stats(desk.admin, sequence.id)).steps[0]!.reached).toBe(1);
  });

  it('enrols in bulk with a result per lead, once at a time per sequence', async () => {
    const desk = await aSalesDesk(t);
    const other = await aSalesDesk(t);
    const sequence = await createSequence(desk.admin, callThenWaitThenCall);
    const first = await aLead(t, desk.admin);
    const second = await aLead(t, desk.admin);
    const closed = await aLead(t, desk.admin);
    const theirs = await aLead(t, other.admin);
    await t.app.inject({
      method: 'POST',
      url: `/api/leads/${closed.id}/lost`,
      headers: as(desk.admin),
      payload: { reasonId: desk.lostReasonId },
    });
    await enrol(desk.admin, sequence.id, first.id);
    const single = await t.app.inject({
      method: 'POST',
      url: `/api/sequences/${sequence.id}/enrolments`,
      headers: as(desk.admin),
      payload: { leadId: first.id },
    });
    expect(single.statusCode).toBe(409);

    const bulk = await t.app.inject({
      method: 'POST',
      url: `/api/sequences/${sequence.id}/enrolments`,
      headers: as(desk.admin),
      payload: { leadIds: [first.id, second.id, closed.id, theirs.id] },
    });
    expect(bulk.statusCode, bulk.body).toBe(200);
    const result = bulk.json<{
      enrolled: number;
      results: { leadId: string; outcome: string }[];
    }>();
    expect(result.enrolled).toBe(1);
    expect(result.results.map(({ leadId, outcome }) => ({ leadId, outcome }))).toEqual([
      { leadId: first.id, outcome: 'already_enrolled' },
      { leadId: second.id, outcome: 'enrolled' },
      { leadId: closed.id, outcome: 'refused' },
      { leadId: theirs.id, outcome: 'not_found' },
    ]);
    const list = await t.app.inject({
      method: 'GET',
      url: `/api/sequences/${sequence.id}/enrolments?status=active`,
      headers: as(desk.admin),
    });
    expect(
      list
        .json<{ items: { leadId: string }[] }>()
        .items.map((item) => item.leadId)
        .sort(),
    ).toEqual([first.id, second.id].sort());
  });

  it('edits steps with If-Match, keeps step ids, audits, and archives with its enrolments', async () => {
    const desk = await aSalesDesk(t);
    const sequence = await createSequence(desk.admin, callThenWaitThenCall);
    const lead = await aLead(t, desk.admin);
    await enrol(desk.admin, sequence.id, lead.id);
    await t.runJobs();

    const stale = await t.app.inject({
      method: 'PATCH',
      url: `/api/sequences/${sequence.id}`,
      headers: { ...as(desk.admin), 'if-match': '"99"' },
      payload: { name: 'Renamed' },
    });
    expect(stale.statusCode).toBe(412);
    const [first, , last] = sequence.steps;
    const edited = await t.app.inject({
      method: 'PATCH',
      url: `/api/sequences/${sequence.id}`,
      headers: { ...as(desk.admin), 'if-match': `"${sequence.version}"` },
      payload: {
        name: 'Renamed',
        steps: [
          { id: first!.id, type: 'task', title: 'First call', taskType: 'call' },
          { type: 'wait', amount: 2, unit: 'days' },
          { id: last!.id, type: 'task', title: 'Last call', taskType: 'call' },
        ],
      },
    });
    expect(edited.statusCode, edited.body).toBe(200);
    const body = edited.json<{ version: number; steps: { id: string }[] }>();
    expect(body.version).toBe(sequence.version + 1);
    expect(body.steps[0]!.id).toBe(first!.id);
    expect(body.steps[2]!.id).toBe(last!.id);
    expect(body.steps[1]!.id).not.toBe(sequence.steps[1]!.id);

    const invalid = await t.app.inject({
      method: 'PATCH',
      url: `/api/sequences/${sequence.id}`,
      headers: as(desk.admin),
      payload: { steps: [{ type: 'email', subject: 'No body' }] },
    });
    expect(invalid.statusCode).toBe(422);

    const audit = await t.app.inject({
      method: 'GET',
      url: `/api/audit-log?entityType=sequence&entityId=${sequence.id}`,
      headers: as(desk.admin),
    });
    expect(audit.json<{ items: { action: string }[] }>().items.map((i) => i.action)).toEqual(
      expect.arrayContaining(['sequence.created', 'sequence.updated']),
    );

    const archived = await t.app.inject({
      method: 'POST',
      url: `/api/sequences/${sequence.id}/archive`,
      headers: as(desk.admin),
    });
    expect(archived.statusCode, archived.body).toBe(200);
    expect((await enrolmentsOf(desk.admin, lead.id))[0]).toMatchObject({
      status: 'exited',
      exitReason: 'sequence_archived',
    });
    const listed = await t.app.inject({
      method: 'GET',
      url: '/api/sequences',
      headers: as(desk.admin),
    });
    expect(listed.json<{ items: { id: string }[] }>().items.map((s) => s.id)).not.toContain(
      sequence.id,
    );
  });

  it('drafts an email step into the outbox and sends nothing until it is approved', async () => {
    const desk = await aSalesDesk(t);
    const sequence = await createSequence(desk.admin, {
      purpose: 'transactional',
      steps: [
        {
          type: 'email',
          subject: 'Your visit to {{lead.title}}',
          body: 'Hello {{contact.firstName}}',
        },
        { type: 'wait', amount: 2, unit: 'days' },
      ],
    });
    const lead = await aLead(t, desk.admin, { title: 'Invisalign consult' });
    const address = await emailOf(desk.admin, lead.contactId);
    const enrolment = await enrol(desk.admin, sequence.id, lead.id);
    // A retried run of the same step drafts nothing more.
    await t.db.transaction().execute((trx) =>
      t.services.jobs.send(trx, 'sequence-advance', {
        workspaceId: desk.admin.workspaceId,
        enrolmentId: enrolment.id,
      }),
    );
    await t.runJobs();
    const drafts = await sequenceMessages(desk.admin, lead.id);
    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({
      status: 'draft',
      subject: 'Your visit to Invisalign consult',
    });
    await t.runJobs();
    expect(mailTo(address)).toHaveLength(0);
    expect((await stats(desk.admin, sequence.id)).steps[0]).toMatchObject({
      reached: 1,
      drafted: 1,
      sent: 0,
    });

    const approved = await t.app.inject({
      method: 'POST',
      url: `/api/outbox/${drafts[0]!.id}/approve`,
      headers: as(desk.admin),
    });
    expect(approved.statusCode, approved.body).toBe(200);
    await t.runJobs();
    expect(mailTo(address).map((mail) => mail.subject)).toEqual([
      'Your visit to Invisalign consult',
    ]);
  });

  it('sends at once when the sequence has auto-send on, and reaches the SMTP server', async () => {
    const desk = await aSalesDesk(t);
    const sequence = await createSequence(desk.admin, {
      purpose: 'transactional',
      autoSend: true,
      steps: [{ type: 'email', subject: 'Welcome aboard', body: 'Hello {{contact.firstName}}' }],
    });
    const lead = await aLead(t, desk.admin);
    const address = await emailOf(desk.admin, lead.contactId);
    await enrol(desk.admin, sequence.id, lead.id);
    await t.runJobs();
    const [mail] = mailTo(address);
    expect(mail?.subject).toBe('Welcome aboard');
    expect(mail?.raw).toContain('Hello Lena');
    expect((await sequenceMessages(desk.admin, lead.id))[0]).toMatchObject({ status: 'sent' });
    expect((await enrolmentsOf(desk.admin, lead.id))[0]).toMatchObject({ status: 'completed' });
    expect((await stats(desk.admin, sequence.id)).steps[0]).toMatchObject({ sent: 1, drafted: 0 });
  });

  it('holds back marketing email without the opt-in, and ends when the contact opts out', async () => {
    const desk = await aSalesDesk(t);
    const sequence = await createSequence(desk.admin, {
      autoSend: true,
      steps: [
        { type: 'email', subject: 'Our spring offer', body: 'Hello' },
        { type: 'wait', amount: 1, unit: 'days' },
        { type: 'email', subject: 'Last chance', body: 'Hello again' },
      ],
    });
    const lead = await aLead(t, desk.admin);
    const address = await emailOf(desk.admin, lead.contactId);
    await enrol(desk.admin, sequence.id, lead.id);
    await t.runJobs();
    expect(mailTo(address)).toHaveLength(0);
    expect((await sequenceMessages(desk.admin, lead.id))[0]).toMatchObject({
      status: 'suppressed',
    });
    expect((await stats(desk.admin, sequence.id)).steps[0]).toMatchObject({ suppressed: 1 });

    const suppressed = await t.app.inject({
      method: 'POST',
      url: '/api/suppressions',
      headers: as(desk.admin),
      payload: { channel: 'email', address },
    });
    expect(suppressed.statusCode, suppressed.body).toBe(201);
    await t.runJobs();
    expect((await enrolmentsOf(desk.admin, lead.id))[0]).toMatchObject({
      status: 'exited',
      exitReason: 'unsubscribed',
    });
    t.clock.advance(2 * DAY_MS);
    await t.runSchedules();
    await desk.refresh();
    expect(await sequenceMessages(desk.admin, lead.id)).toHaveLength(1);
  });

  it('lets only admins turn on auto-send, and agents enrol but not edit', async () => {
    const { admin } = await aWorkspace(t);
    const manager = await aMember(t, admin, 'manager');
    const agent = await aMember(t, admin, 'agent');
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/sequences',
      headers: as(manager),
      payload: { name: 'Auto', autoSend: true },
    });
    expect(refused.statusCode).toBe(403);
    const created = await createSequence(manager, {
      name: 'Manual',
      steps: callThenWaitThenCall.steps,
    });
    const turnOn = await t.app.inject({
      method: 'PATCH',
      url: `/api/sequences/${created.id}`,
      headers: as(manager),
      payload: { autoSend: true },
    });
    expect(turnOn.statusCode).toBe(403);
    const byAdmin = await t.app.inject({
      method: 'PATCH',
      url: `/api/sequences/${created.id}`,
      headers: as(admin),
      payload: { autoSend: true },
    });
    expect(byAdmin.statusCode, byAdmin.body).toBe(200);
    const byAgent = await t.app.inject({
      method: 'PATCH',
      url: `/api/sequences/${created.id}`,
      headers: as(agent),
      payload: { name: 'Mine' },
    });
    expect(byAgent.statusCode).toBe(403);
  });
});
