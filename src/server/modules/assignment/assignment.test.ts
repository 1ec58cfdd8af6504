import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aSalesDesk } from '../../../../test/support/sales-desk.js';
import {
  aMember,
  as,
  createTestApp,
  type Session,
  type TestApp,
} from '../../../../test/support/test-app.js';
import { runImport } from '../imports/imports.test-support.js';
import { inTurn } from './assignment.service.js';

let t: TestApp;
beforeAll(async () => {
  // Every test signs in a team of four: more than the default sign-ins per IP.
  t = await createTestApp({ env: { LOGIN_MAX_PER_IP: '1000' } });
});
afterAll(async () => t.close());

const HOUR_MS = 3_600_000;

async function aTeam() {
  const desk = await aSalesDesk(t);
  const ana = await aMember(t, desk.admin, 'agent', 'Ana Agent');
  const ben = await aMember(t, desk.admin, 'agent', 'Ben Agent');
  const cleo = await aMember(t, desk.admin, 'manager', 'Cleo Closer');
  return { ...desk, ana, ben, cleo };
}

async function addRule(admin: Session, rule: Record<string, unknown>) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/assignment-rules',
    headers: as(admin),
    payload: rule,
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string; version: number; order: number }>();
}

/** Each lead's assignee, by the lead's title. */
async function ownersByTitle(session: Session) {
  const listed = await t.app.inject({
    method: 'GET',
    url: '/api/leads?limit=50',
    headers: as(session),
  });
  return Object.fromEntries(
    listed
      .json<{ items: { title: string; assigneeId: string | null }[] }>()
      .items.map((lead) => [lead.title, lead.assigneeId]),
  );
}

async function newLead(session: Session, payload: Record<string, unknown> = {}) {
  t.clock.advance(1000);
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/leads',
    headers: as(session),
    payload: { title: 'Inquiry', ...payload },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string; assigneeId: string | null }>();
}

describe('assignment rules', () => {
  it('assigns new leads in turn, records why in the timeline, and leaves a given assignee alone', async () => {
    const team = await aTeam();
    await addRule(team.admin, {
      name: 'Everyone',
      type: 'round_robin',
      userIds: [team.ana.userId, team.ben.userId],
    });

    const first = await newLead(team.admin);
    const second = await newLead(team.admin);
    const third = await newLead(team.admin);
    expect([first, second, third].map((lead) => lead.assigneeId)).toEqual([
      team.ana.userId,
      team.ben.userId,
      team.ana.userId,
    ]);
    const chosen = await newLead(team.admin, { assigneeId: team.cleo.userId });
    expect(chosen.assigneeId).toBe(team.cleo.userId);
    // The turn is not used up by a lead that came with an assignee.
    expect((await newLead(team.admin)).assigneeId).toBe(team.ben.userId);

    const timeline = await t.app.inject({
      method: 'GET',
      url: `/api/leads/${first.id}/activities`,
      headers: as(team.admin),
    });
    expect(timeline.json<{ items: { type: string; subject: string }[] }>().items).toContainEqual(
      expect.objectContaining({
        type: 'assignment_change',
        subject: 'Assigned by the rule "Everyone"',
      }),
    );
    // Each member the rule picked hears of each of their leads, once.
    const inbox = await t.app.inject({
      method: 'GET',
      url: '/api/notifications',
      headers: as(team.ana),
    });
    expect(
      inbox
        .json<{ items: { kind: string; leadId: string; body: string }[] }>()
        .items.filter((item) => item.kind === 'assignment')
        .map((item) => [item.leadId, item.body])
        .sort(),
    ).toEqual([first.id, third.id].map((id) => [id, 'By the rule "Everyone"']).sort());
  });

  it('tries rules in order: source, territory and value range first, then the fallback', async () => {
    const team = await aTeam();
    const sources = await t.app.inject({
      method: 'GET',
      url: '/api/lead-sources',
      headers: as(team.admin),
    });
    const referral = sources
      .json<{ items: { id: string; name: string }[] }>()
      .items.find((source) => source.name === 'Referral')!;
    await addRule(team.admin, {
      name: 'Big deals',
      type: 'value_range',
      minValue: 1_000_000,
      userIds: [team.cleo.userId],
    });
    await addRule(team.admin, {
      name: 'Referrals',
      type: 'source',
      sourceIds: [referral.id],
      userIds: [team.ben.userId],
    });
    await addRule(team.admin, {
      name: 'Berlin',
      type: 'territory',
      postalCodes: ['10*'],
      cities: ['potsdam'],
      userIds: [team.ana.userId],
    });
    const fallback = await addRule(team.admin, {
      name: 'Fallback',
      type: 'round_robin',
      userIds: [team.cleo.userId],
    });
    expect(fallback.order).toBe(3);

    const contact = (postalCode: string, city: string) => ({
      firstName: 'Kim',
      lastName: `Lee ${postalCode}`,
      address: { postalCode, city },
    });
    expect(
      (await newLead(team.admin, { value: 2_000_000, sourceId: referral.id })).assigneeId,
    ).toBe(team.cleo.userId);
    expect((await newLead(team.admin, { sourceId: referral.id })).assigneeId).toBe(team.ben.userId);
    expect((await newLead(team.admin, { contact: contact('10115', 'Berlin') })).assigneeId).toBe(
      team.ana.userId,
    );
    expect((await newLead(team.admin, { contact: contact('14467', 'POTSDAM') })).assigneeId).toBe(
      team.ana.userId,
    );
    expect((await newLead(team.admin, { contact: contact('20095', 'Hamburg') })).assigneeId).toBe(
      team.cleo.userId,
    );

    // Paused, the fallback assigns nothing.
    const paused = await t.app.inject({
      method: 'PATCH',
      url: `/api/assignment-rules/${fallback.id}`,
      headers: { ...as(team.admin), 'if-match': `"${fallback.version}"` },
      payload: { active: false },
    });
    expect(paused.statusCode, paused.body).toBe(200);
    expect((await newLead(team.admin)).assigneeId).toBeNull();
    const stale = await t.app.inject({
      method: 'PATCH',
      url: `/api/assignment-rules/${fallback.id}`,
      headers: { ...as(team.admin), 'if-match': `"${fallback.version}"` },
      payload: { active: true },
    });
    expect(stale.statusCode).toBe(412);
  });

  it('gives a capacity rule’s lead to whoever has the fewest open leads, under the cap', async () => {
    const team = await aTeam();
    await newLead(team.admin, { assigneeId: team.ana.userId });
    await newLead(team.admin, { assigneeId: team.ana.userId });
    await newLead(team.admin, { assigneeId: team.ben.userId });
    await addRule(team.admin, {
      name: 'Least busy',
      type: 'capacity',
      maxOpenLeads: 3,
      userIds: [team.ana.userId, team.ben.userId],
    });
    await addRule(team.admin, {
      name: 'Overflow',
      type: 'round_robin',
      userIds: [team.cleo.userId],
    });

    // Ana 2, Ben 1 → Ben; then 2 and 2 → Ana (in turn after Ben); then 3 and 2 → Ben; then full.
    const picks = [];
    for (let i = 0; i < 4; i += 1) picks.push((await newLead(team.admin)).assigneeId);
    expect(picks).toEqual([team.ben.userId, team.ana.userId, team.ben.userId, team.cleo.userId]);
  });

  it('skips a member while they are out of office, and picks them again after', async () => {
    const team = await aTeam();
    await addRule(team.admin, {
      name: 'Everyone',
      type: 'round_robin',
      userIds: [team.ana.userId, team.ben.userId],
    });
    const now = t.clock.now().getTime();
    const away = await t.app.inject({
      method: 'PUT',
      url: `/api/users/${team.ana.userId}/availability`,
      headers: as(team.ana),
      payload: {
        outOfOffice: [
          {
            startsAt: new Date(now - HOUR_MS).toISOString(),
            endsAt: new Date(now + 10 * HOUR_MS).toISOString(),
            note: 'Holiday',
          },
        ],
      },
    });
    expect(away.statusCode, away.body).toBe(200);
    expect(away.json()).toMatchObject({ awayNow: true });

    expect((await newLead(team.admin)).assigneeId).toBe(team.ben.userId);
    expect((await newLead(team.admin)).assigneeId).toBe(team.ben.userId);
    const workload = await t.app.inject({
      method: 'GET',
      url: '/api/users/workload',
      headers: as(team.admin),
    });
    expect(workload.json<{ items: unknown[] }>().items).toContainEqual(
      expect.objectContaining({
        userId: team.ana.userId,
        openLeads: 0,
        awayNow: true,
        awayUntil: new Date(now + 10 * HOUR_MS).toISOString(),
      }),
    );
    expect(workload.json<{ items: unknown[] }>().items).toContainEqual(
      expect.objectContaining({ userId: team.ben.userId, openLeads: 2, awayNow: false }),
    );

    t.clock.advance(11 * HOUR_MS);
    expect((await newLead(team.admin)).assigneeId).toBe(team.ana.userId);
  });

  it('lets members set only their own absence unless they manage users', async () => {
    const team = await aTeam();
    const range = {
      startsAt: '2026-07-01T00:00:00Z',
      endsAt: '2026-07-15T00:00:00Z',
    };
    const forOther = await t.app.inject({
      method: 'PUT',
      url: `/api/users/${team.ben.userId}/availability`,
      headers: as(team.ana),
      payload: { outOfOffice: [range] },
    });
    expect(forOther.statusCode).toBe(403);
    const byAdmin = await t.app.inject({
      method: 'PUT',
      url: `/api/users/${team.ben.userId}/availability`,
      headers: as(team.admin),
      payload: { outOfOffice: [range] },
    });
    expect(byAdmin.statusCode).toBe(200);
    const read = await t.app.inject({
      method: 'GET',
      url: `/api/users/${team.ben.userId}/availability`,
      headers: as(team.ana),
    });
    expect(read.json()).toEqual({
      userId: team.ben.userId,
      outOfOffice: [
        { startsAt: '2026-07-01T00:00:00.000Z', endsAt: '2026-07-15T00:00:00.000Z', note: '' },
      ],
      awayNow: false,
    });
    const backwards = await t.app.inject({
      method: 'PUT',
      url: `/api/users/${team.ben.userId}/availability`,
      headers: as(team.admin),
      payload: { outOfOffice: [{ startsAt: range.endsAt, endsAt: range.startsAt }] },
    });
    expect(backwards.statusCode).toBe(422);
    expect(backwards.json()).toMatchObject({ errors: [{ field: 'outOfOffice.0.endsAt' }] });
    // Agents don't see the team's workload.
    const workload = await t.app.inject({
      method: 'GET',
      url: '/api/users/workload',
      headers: as(team.ana),
    });
    expect(workload.statusCode).toBe(403);
  });

  it('refuses rules that could never match or name people and sources from elsewhere', async () => {
    const team = await aTeam();
    const other = await aSalesDesk(t);
    const post = (payload: Record<string, unknown>) =>
      t.app.inject({
        method: 'POST',
        url: '/api/assignment-rules',
        headers: as(team.admin),
        payload: { name: 'Rule', userIds: [team.ana.userId], ...payload },
      });
    const cases: [Record<string, unknown>, string][] = [
      [{ type: 'source', sourceIds: [] }, 'sourceIds'],
      [{ type: 'territory' }, 'postalCodes'],
      [{ type: 'value_range' }, 'minValue'],
      [{ type: 'value_range', minValue: 10, maxValue: 5 }, 'maxValue'],
      [{ type: 'round_robin', userIds: [other.admin.userId] }, 'userIds'],
    ];
    for (const [payload, field] of cases) {
      const response = await post(payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(422);
      expect(response.json()).toMatchObject({ errors: [{ field }] });
    }
    const agentTries = await t.app.inject({
      method: 'POST',
      url: '/api/assignment-rules',
      headers: as(team.ana),
      payload: { name: 'Mine', type: 'round_robin', userIds: [team.ana.userId] },
    });
    expect(agentTries.statusCode).toBe(403);
  });

  it('assigns a web-form inquiry by the rules and notifies the member it went to', async () => {
    const team = await aTeam();
    await addRule(team.admin, { name: 'Web', type: 'round_robin', userIds: [team.ben.userId] });
    const form = await t.app.inject({
      method: 'POST',
      url: '/api/forms',
      headers: as(team.admin),
      payload: { name: 'Contact us' },
    });
    expect(form.statusCode, form.body).toBe(201);
    const captured = await t.app.inject({
      method: 'POST',
      url: `/api/capture/${form.json<{ key: string }>().key}`,
      payload: { name: 'Rosa Diaz', email: 'rosa@example.test', message: 'Call me' },
    });
    expect(captured.statusCode, captured.body).toBe(201);
    const lead = await t.app.inject({
      method: 'GET',
      url: `/api/leads/${captured.json<{ leadId: string }>().leadId}`,
      headers: as(team.admin),
    });
    expect(lead.json()).toMatchObject({ assigneeId: team.ben.userId });
    const inbox = await t.app.inject({
      method: 'GET',
      url: '/api/notifications',
      headers: as(team.ben),
    });
    const notices = inbox.json<{ items: { title: string; leadId: string }[] }>().items;
    expect(notices).toContainEqual(
      expect.objectContaining({ title: expect.stringContaining('Rosa Diaz') }),
    );
    // The inquiry notice is the one they get: no second "assigned to you" for the same lead.
    expect(
      notices.filter((notice) => notice.leadId === lead.json<{ id: string }>().id),
    ).toHaveLength(1);
  });

  it('tells both people when a lead is reassigned by hand', async () => {
    const team = await aTeam();
    const lead = await newLead(team.admin, { title: 'Roof repair', assigneeId: team.ana.userId });
    const current = await t.app.inject({
      method: 'GET',
      url: `/api/leads/${lead.id}`,
      headers: as(team.admin),
    });
    const moved = await t.app.inject({
      method: 'POST',
      url: `/api/leads/${lead.id}/assign`,
      headers: {
        ...as(team.admin),
        'if-match': `"${current.json<{ version: number }>().version}"`,
      },
      payload: { userId: team.ben.userId },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    const titles = async (session: Session) =>
      (await t.app.inject({ method: 'GET', url: '/api/notifications', headers: as(session) }))
        .json<{ items: { title: string }[] }>()
        .items.map((item) => item.title);
    expect(await titles(team.ben)).toContain('Assigned to you: Roof repair');
    expect(await titles(team.ana)).toContain('Reassigned from you: Roof repair');
    // Whoever made the change is not told about it.
    expect(await titles(team.admin)).not.toContain('Assigned to you: Roof repair');
  });

  it('assigns the open leads of a CSV import by the rules, in turn across the file, and keeps the file’s owners', async () => {
    const team = await aTeam();
    await addRule(team.admin, {
      name: 'Berlin',
      type: 'territory',
      cities: ['Berlin'],
      userIds: [team.cleo.userId],
    });
    await addRule(team.admin, {
      name: 'Agents in turn',
      type: 'round_robin',
      userIds: [team.ana.userId, team.ben.userId],
    });
    const csv = [
      'First Name,Last Name,Email,City,Lead Owner,Lead Status',
      'Imke,One,imke@one.example,Hamburg,,New',
      'Jan,Two,jan@two.example,Berlin,,New',
      'Kai,Three,kai@three.example,Munich,,New',
      `Lea,Four,lea@four.example,Hamburg,${team.cleo.email},New`,
      'Mia,Five,mia@five.example,Hamburg,,Closed - Converted',
      'Nils,Six,nils@six.example,Cologne,,New',
    ].join('\n');
    const result = await runImport(t, team.admin, csv);
    expect(result).toMatchObject({ status: 'completed', created: 6, failed: 0 });
    const owners = await ownersByTitle(team.admin);
    expect(owners).toEqual({
      'Imke One': team.ana.userId,
      // The territory rule comes first.
      'Jan Two': team.cleo.userId,
      'Kai Three': team.ben.userId,
      // The file's owner stays.
      'Lea Four': team.cleo.userId,
      // A closed lead gets no one.
      'Mia Five': null,
      'Nils Six': team.ana.userId,
    });
    // The rule's turn moved with the file: the next lead from the API goes to Ben.
    expect((await newLead(team.admin)).assigneeId).toBe(team.ben.userId);
  });

  it('balances a capacity rule across the rows of one import', async () => {
    const team = await aTeam();
    await newLead(team.admin, { assigneeId: team.ana.userId });
    await addRule(team.admin, {
      name: 'Least loaded',
      type: 'capacity',
      userIds: [team.ana.userId, team.ben.userId],
    });
    const csv = [
      'First Name,Last Name,Email',
      'Olga,One,olga@one.example',
      'Paul,Two,paul@two.example',
      'Rita,Three,rita@three.example',
    ].join('\n');
    expect(await runImport(t, team.admin, csv)).toMatchObject({ created: 3, failed: 0 });
    const owners = await ownersByTitle(team.admin);
    // Ben has none, then both have one (Ana's turn), then Ana has two.
    expect(owners).toMatchObject({
      'Olga One': team.ben.userId,
      'Paul Two': team.ana.userId,
      'Rita Three': team.ben.userId,
    });
  });

  it('turns the member list so the one after the last assigned comes first', () => {
    expect(inTurn(['a', 'b', 'c'], null)).toEqual(['a', 'b', 'c']);
    expect(inTurn(['a', 'b', 'c'], 'b')).toEqual(['c', 'a', 'b']);
    // Someone removed from the rule since: start from the top.
    expect(inTurn(['a', 'b', 'c'], 'x')).toEqual(['a', 'b', 'c']);
  });
});
