import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aMember,
  aWorkspace,
  as,
  createTestApp,
  type Session,
  type TestApp,
} from '../../../../test/support/test-app.js';
import { isPrivateAddress, outboundUrlProblem } from '../../platform/outbound-http.js';
import { systemActorFor } from '../users/users.service.js';
import { startReceiver } from './webhooks.test-support.js';
import { verifySignature } from './webhooks.signing.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { WEBHOOKS_ALLOW_PRIVATE: 'true' } });
});
afterAll(async () => t.close());

interface Delivery {
  id: string;
  status: string;
  attempts: number;
  event: string;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  redeliveryOf: string | null;
  payload: Record<string, unknown>;
}

async function subscribe(admin: Session, url: string, events: string[]) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/webhooks',
    headers: as(admin),
    payload: { url, events },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string; secret: string; version: number }>();
}

const withPipeline = new Set<string>();
async function newLead(session: Session, title = 'Kitchen remodel') {
  if (!withPipeline.has(session.workspaceId)) {
    withPipeline.add(session.workspaceId);
    const pipeline = await t.app.inject({
      method: 'POST',
      url: '/api/pipelines',
      headers: as(session),
      payload: {
        name: 'Sales',
        stages: [{ name: 'New' }, { name: 'Won', kind: 'won' }, { name: 'Lost', kind: 'lost' }],
      },
    });
    expect(pipeline.statusCode, pipeline.body).toBe(201);
  }
  t.clock.advance(1000);
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/leads',
    headers: as(session),
    payload: { title },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string }>();
}

async function deliveries(admin: Session, webhookId: string) {
  const response = await t.app.inject({
    method: 'GET',
    url: `/api/webhooks/${webhookId}/deliveries`,
    headers: as(admin),
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ items: Delivery[] }>().items;
}

describe('outbound webhooks', () => {
  it('POSTs subscribed events signed with the secret shown once, and logs the delivery', async () => {
    const receiver = await startReceiver();
    try {
      const { admin } = await aWorkspace(t);
      const hook = await subscribe(admin, `${receiver.url}/hooks`, ['lead.created']);
      expect(hook.secret).toMatch(/^whsec_/);
      const read = await t.app.inject({
        method: 'GET',
        url: `/api/webhooks/${hook.id}`,
        headers: as(admin),
      });
      expect(read.json()).not.toHaveProperty('secret');
      const stored = await t.db
        .selectFrom('webhooks')
        .select('secret')
        .where('id', '=', hook.id)
        .executeTakeFirstOrThrow();
      expect(stored.secret).not.toContain(hook.secret);

      const lead = await newLead(admin);
      await t.runJobs();

      expect(receiver.received).toHaveLength(1);
      const call = receiver.received[0]!;
      expect(call.path).toBe('/hooks');
      expect(call.headers['leadkeeper-event']).toBe('lead.created');
      const timestamp = String(call.headers['leadkeeper-timestamp']);
      const signature = String(call.headers['leadkeeper-signature']);
      expect(verifySignature(hook.secret, timestamp, call.body, signature)).toBe(true);
      expect(verifySignature('whsec_wrong', timestamp, call.body, signature)).toBe(false);
      const body = JSON.parse(call.body) as {
        type: string;
        leadId: string;
        data: { lead: { title: string } };
      };
      expect(body.type).toBe('lead.created');
      expect(body.leadId).toBe(lead.id);
      expect(body.data.lead.title).toBe('Kitchen remodel');

      const log = await deliveries(admin, hook.id);
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({ status: 'succeeded', attempts: 1, lastStatusCode: 200 });
      expect(call.headers['leadkeeper-delivery']).toBe(log[0]!.id);

      // An event it did not subscribe to is not sent; a job run twice makes no second call.
      await t.app.inject({
        method: 'PATCH',
        url: `/api/leads/${lead.id}`,
        headers: { ...as(admin), 'if-match': '"1"' },
        payload: { title: 'Kitchen and bath' },
      });
      await t.runJobs();
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('retries a failed delivery with exponential backoff until it succeeds, then redelivers on request', async () => {
    const receiver = await startReceiver({ statuses: [500, 503] });
    try {
      const { admin } = await aWorkspace(t);
      const hook = await subscribe(admin, receiver.url, ['lead.created']);
      await newLead(admin);
      await t.runJobs();

      let [delivery] = await deliveries(admin, hook.id);
      expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500 });
      const firstFailure = t.clock.now().getTime();
      expect(Date.parse(delivery!.nextAttemptAt!)).toBe(firstFailure + 60_000);

      // Not due yet: nothing is sent.
      t.clock.advance(30_000);
      await t.runSchedules();
      expect(receiver.received).toHaveLength(1);

      t.clock.advance(30_000);
      await t.runSchedules();
      expect(receiver.received).toHaveLength(2);
      [delivery] = await deliveries(admin, hook.id);
      expect(delivery).toMatchObject({ status: 'pending', attempts: 2, lastStatusCode: 503 });
      // The wait doubles.
      expect(Date.parse(delivery!.nextAttemptAt!)).toBe(t.clock.now().getTime() + 120_000);

      t.clock.advance(120_000);
      await t.runSchedules();
      [delivery] = await deliveries(admin, hook.id);
      expect(delivery).toMatchObject({ status: 'succeeded', attempts: 3, lastStatusCode: 200 });
      expect(receiver.received).toHaveLength(3);
      // Every attempt carries the same body and delivery id.
      expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);

      const redelivered = await t.app.inject({
        method: 'POST',
        url: `/api/webhooks/deliveries/${delivery!.id}/redeliver`,
        headers: as(admin),
      });
      expect(redelivered.statusCode, redelivered.body).toBe(201);
      await t.runJobs();
      expect(receiver.received).toHaveLength(4);
      expect(receiver.received[3]!.body).toBe(receiver.received[0]!.body);
      expect(receiver.received[3]!.headers['leadkeeper-delivery']).toBe(
        redelivered.json<{ id: string }>().id,
      );
      const log = await deliveries(admin, hook.id);
      expect(log.map((d) => [d.status, d.redeliveryOf])).toEqual([
        ['succeeded', delivery!.id],
        ['succeeded', null],
      ]);
    } finally {
      await receiver.close();
    }
  });

  it('marks a delivery failed after the last attempt', async () => {
    const receiver = await startReceiver({ respond: () => ({ status: 500 }) });
    try {
      const { admin } = await aWorkspace(t);
      const hook = await subscribe(admin, receiver.url, ['lead.created']);
      await newLead(admin);
      await t.runJobs();
      for (let attempt = 1; attempt < 8; attempt += 1) {
        t.clock.advance(2 ** (attempt - 1) * 60_000);
        await t.runSchedules();
      }
      const [delivery] = await deliveries(admin, hook.id);
      expect(delivery).toMatchObject({ status: 'failed', attempts: 8, nextAttemptAt: null });
      expect(receiver.received).toHaveLength(8);
    } finally {
      await receiver.close();
    }
  });

  it('makes one-off signed deliveries for automation actions', async () => {
    const receiver = await startReceiver();
    try {
      const { workspaceId } = await aWorkspace(t);
      const delivery = await t.db.transaction().execute((trx) =>
        t.services.webhooks.deliverIn(trx, systemActorFor(workspaceId, ''), {
          url: `${receiver.url}/rule`,
          secret: 'shared-secret',
          event: 'automation.rule_fired',
          payload: { rule: 'Speed to lead' },
        }),
      );
      expect(delivery.status).toBe('pending');
      await t.runJobs();
      const call = receiver.received[0]!;
      expect(JSON.parse(call.body)).toEqual({ rule: 'Speed to lead' });
      expect(call.headers['leadkeeper-event']).toBe('automation.rule_fired');
      expect(
        verifySignature(
          'shared-secret',
          String(call.headers['leadkeeper-timestamp']),
          call.body,
          String(call.headers['leadkeeper-signature']),
        ),
      ).toBe(true);
    } finally {
      await receiver.close();
    }
  });

  it('is for admins, validates events, and versions edits', async () => {
    const { admin } = await aWorkspace(t);
    const manager = await aMember(t, admin, 'manager');
    const denied = await t.app.inject({
      method: 'GET',
      url: '/api/webhooks',
      headers: as(manager),
    });
    expect(denied.statusCode).toBe(403);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/webhooks',
      headers: as(admin),
      payload: { url: 'ftp://example.com/x', events: ['lead.created'] },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json<{ errors: { field: string }[] }>().errors[0]!.field).toBe('url');
    const noEvents = await t.app.inject({
      method: 'POST',
      url: '/api/webhooks',
      headers: as(admin),
      payload: { url: 'https://example.com/x', events: ['lead.archived'] },
    });
    expect(noEvents.statusCode).toBe(422);

    const hook = await subscribe(admin, 'https://example.com/x', ['lead.won']);
    const stale = await t.app.inject({
      method: 'PATCH',
      url: `/api/webhooks/${hook.id}`,
      headers: { ...as(admin), 'if-match': '"7"' },
      payload: { active: false },
    });
    expect(stale.statusCode).toBe(412);
    const rotated = await t.app.inject({
      method: 'PATCH',
      url: `/api/webhooks/${hook.id}`,
      headers: { ...as(admin), 'if-match': '"1"' },
      payload: { rotateSecret: true, events: ['lead.won', 'lead.lost'] },
    });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const body = rotated.json<{ secret: string; events: string[]; version: number }>();
    expect(body.secret).toMatch(/^whsec_/);
    expect(body.secret).not.toBe(hook.secret);
    expect(body.events).toEqual(['lead.won', 'lead.lost']);
    const removed = await t.app.inject({
      method: 'DELETE',
      url: `/api/webhooks/${hook.id}`,
      headers: { ...as(admin), 'if-match': `"${body.version}"` },
    });
    expect(removed.statusCode).toBe(204);
    const audit = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', hook.id)
      .orderBy('created_at')
      .execute();
    expect(audit.map((row) => row.action)).toEqual([
      'webhook.created',
      'webhook.updated',
      'webhook.deleted',
    ]);
  });
});

describe('outbound addresses (SSRF)', () => {
  it('refuses private, loopback and link-local addresses unless the instance allows them', async () => {
    expect(isPrivateAddress('127.0.0.1')).toBe(true);
    expect(isPrivateAddress('10.1.2.3')).toBe(true);
    expect(isPrivateAddress('169.254.169.254')).toBe(true);
    expect(isPrivateAddress('::1')).toBe(true);
    expect(isPrivateAddress('::ffff:192.168.0.1')).toBe(true);
    expect(isPrivateAddress('fd00::1')).toBe(true);
    expect(isPrivateAddress('93.184.216.34')).toBe(false);
    expect(outboundUrlProblem('http://localhost:8080/x', false)).toMatch(/not allowed/);
    expect(outboundUrlProblem('http://[::1]/x', false)).toMatch(/not allowed/);
    expect(outboundUrlProblem('http://localhost:8080/x', true)).toBeNull();

    const strict = await createTestApp();
    try {
      const { admin } = await aWorkspace(strict);
      const refused = await strict.app.inject({
        method: 'POST',
        url: '/api/webhooks',
        headers: as(admin),
        payload: { url: 'http://127.0.0.1:9/hook', events: ['lead.created'] },
      });
      expect(refused.statusCode).toBe(422);
      expect(refused.json<{ errors: { message: string }[] }>().errors[0]!.message).toMatch(
        /Private, loopback/,
      );
    } finally {
      await strict.close();
    }
  });
});
