// The accounting-connector interface: how a won lead's customer is created in an accounting
// system. The first connector is webhook-based (any system, or a small adapter in front of one,
// that takes a signed POST and answers with the customer's id); native ones (e.g. an API client
// for a specific product) implement the same interface.
import { z } from 'zod';
import { postJson } from '../../platform/outbound-http.js';
import { signedHeaders } from '../webhooks/webhooks.signing.js';

export interface AccountingCustomer {
  kind: 'company' | 'person';
  /** Our id of the company or contact ("company:<uuid>"), for the receiver's own matching. */
  reference: string;
  name: string;
  email: string | null;
  phone: string | null;
  address: Record<string, unknown> | null;
  website: string | null;
  lead: { id: string; title: string; value: number; currency: string };
}

export interface AccountingConnector {
  /**
   * Creates the customer and returns its id in the accounting system. `idempotencyKey` is the
   * same for every attempt for one company or contact, so a receiver that honours it never
   * creates two.
   */
  createCustomer(
    customer: AccountingCustomer,
    idempotencyKey: string,
  ): Promise<{ customerId: string }>;
}

export class ConnectorError extends Error {}

const answerSchema = z.object({ customerId: z.union([z.string().min(1), z.number()]) });

export function webhookConnector(options: {
  url: string;
  secret: string;
  allowPrivate: boolean;
  now: () => Date;
}): AccountingConnector {
  return {
    async createCustomer(customer, idempotencyKey) {
      const body = JSON.stringify({ type: 'accounting.customer.create', customer });
      let response;
      try {
        response = await postJson(options.url, body, {
          headers: {
            ...signedHeaders({
              secret: options.secret,
              body,
              event: 'accounting.customer.create',
              deliveryId: idempotencyKey,
              now: options.now(),
            }),
            'idempotency-key': idempotencyKey,
          },
          allowPrivate: options.allowPrivate,
          timeoutMs: 15_000,
        });
      } catch (error) {
        throw new ConnectorError(
          `The accounting system could not be reached: ${(error as Error).message}`,
        );
      }
      if (response.status < 200 || response.status >= 300) {
        throw new ConnectorError(
          `The accounting system answered ${response.status}: ${response.body.slice(0, 200)}`,
        );
      }
      let parsed;
      try {
        parsed = answerSchema.safeParse(JSON.parse(response.body));
      } catch {
        parsed = undefined;
      }
      if (!parsed?.success) {
        throw new ConnectorError('The accounting system did not answer with { "customerId": … }.');
      }
      return { customerId: String(parsed.data.customerId) };
    },
  };
}
