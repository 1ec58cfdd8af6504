import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aMember,
  aWorkspace,
  as,
  createTestApp,
  type Session,
  type TestApp,
} from '../../../../test/support/test-app.js';
import { startReceiver } from '../webhooks/webhooks.test-support.js';
import { verifySignature } from '../webhooks/webhooks.signing.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { WEBHOOKS_ALLOW_PRIVATE: 'true' } });
});
afterAll(async () => t.close());

async function aWonLeadWorkspace() {
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
  expect(pipeline.statusCode, pipeline.body).toBe(201);
  const wonStageId = pipeline
    .json<{ stages: { id: string; kind: string }[] }>()
    .stages.find((stage) => stage.kind === 'won')!.id;
  const lead = await t.app.inject({
    method: 'POST',
    url: '/api/leads',
    headers: as(admin),
    payload: {
      title: 'Braces for Mia',
      value: 450_000,
      contact: { firstName: 'Mia', lastName: 'Lang', emails: ['mia@example.test'] },
    },
  });
  expect(lead.statusCode, lead.body).toBe(201);
  const { id, contactId } = lead.json<{ id: string; contactId: string }>();
  return { admin, leadId: id, contactId, wonStageId };
}

const status = (session: Session, leadId: string) =>
  t.app.inject({
    method: 'GET',
    url: `/api/leads/${leadId}/accounting-handoff`,
    headers: as(session),
  });

const handOff = (session: Session, leadId: string, payload: unknown = { confirm: true }) =>
  t.app.inject({
    method: 'POST',
    url: `/api/leads/${leadId}/accounting-handoff`,
    headers: as(session),
    payload: payload as Record<string, unknown>,
  });

describe('accounting handoff', () => {
  it("creates the won lead's customer once, on confirmation, and stores its id on the contact", async () => {
    let next = 100;
    const receiver = await startReceiver({
      respond: () => ({ status: 201, body: { customerId: `CUST-${(next += 1)}` } }),
    });
    try {
      const { admin, leadId, contactId, wonStageId } = await aWonLeadWorkspace();
      const connector = await t.app.inject({
        method: 'PUT',
        url: '/api/accounting/connector',
        headers: as(admin),
        payload: { url: `${receiver.url}/customers` },
      });
      expect(connector.statusCode, connector.body).toBe(200);
      const { secret } = connector.json<{ secret: string }>();
      expect(secret).toMatch(/^whsec_/);

      // Not won yet: not offered, and refused.
      expect((await status(admin, leadId)).json()).toMatchObject({
        available: false,
        reason: 'Only a won lead can be handed to accounting.',
      });
      expect((await handOff(admin, leadId)).statusCode).toBe(422);
      // No confirmation, no call.
      expect((await handOff(admin, leadId, {})).statusCode).toBe(422);
      expect(receiver.received).toHaveLength(0);

      const won = await t.app.inject({
        method: 'POST',
        url: `/api/leads/${leadId}/stage`,
        headers: as(admin),
        payload: { stageId: wonStageId },
      });
      expect(won.statusCode, won.body).toBe(200);
      expect((await status(admin, leadId)).json()).toMatchObject({
        available: true,
        target: { type: 'contact', id: contactId, name: 'Mia Lang' },
        customerId: null,
      });

      const first = await handOff(admin, leadId);
      expect(first.statusCode, first.body).toBe(200);
      expect(first.json()).toMatchObject({ customerId: 'CUST-101', created: true });
      expect(receiver.received).toHaveLength(1);
      const call = receiver.received[0]!;
      expect(call.path).toBe('/customers');
      expect(call.headers['idempotency-key']).toBe(`leadkeeper-contact-${contactId}`);
      expect(
        verifySignature(
          secret,
          String(call.headers['leadkeeper-timestamp']),
          call.body,
          String(call.headers['leadkeeper-signature']),
        ),
      ).toBe(true);
      expect(JSON.parse(call.body)).toMatchObject({
        customer: {
          kind: 'person',
          name: 'Mia Lang',
          email: 'mia@example.test',
          lead: { id: leadId, value: 450_000 },
        },
      });
      const stored = await t.db
        .selectFrom('contacts')
        .select('accounting_customer_id')
        .where('id', '=', contactId)
        .executeTakeFirstOrThrow();
      expect(stored.accounting_customer_id).toBe('CUST-101');

      const second = await handOff(admin, leadId);
      expect(second.json()).toMatchObject({ customerId: 'CUST-101', created: false });
      expect(receiver.received).toHaveLength(1);
      expect((await status(admin, leadId)).json()).toMatchObject({
        available: false,
        customerId: 'CUST-101',
      });
    } finally {
      await receiver.close();
    }
  });

  it('reports a failing accounting system and stores nothing', async () => {
    const receiver = await startReceiver({ respond: () => ({ status: 500, body: 'down' }) });
    try {
      const { admin, leadId, contactId, wonStageId } = await aWonLeadWorkspace();
      await t.app.inject({
        method: 'PUT',
        url: '/api/accounting/connector',
        headers: as(admin),
        payload: { url: receiver.url },
      });
      await t.app.inject({
        method: 'POST',
        url: `/api/leads/${leadId}/stage`,
        headers: as(admin),
        payload: { stageId: wonStageId },
      });
      const failed = await handOff(admin, leadId);
      expect(failed.statusCode).toBe(503);
      expect(failed.json<{ detail: string }>().detail).toMatch(/answered 500/);
      const stored = await t.db
        .selectFrom('contacts')
        .select('accounting_customer_id')
        .where('id', '=', contactId)
        .executeTakeFirstOrThrow();
      expect(stored.accounting_customer_id).toBeNull();

      const viewer = await aMember(t, admin, 'viewer');
      expect((await handOff(viewer, leadId)).statusCode).toBe(403);
      const agentConnector = await t.app.inject({
        method: 'GET',
        url: '/api/accounting/connector',
        headers: as(await aMember(t, admin, 'manager')),
      });
      expect(agentConnector.statusCode).toBe(403);
    } finally {
      await receiver.close();
    }
  });
});
