import { actorOf } from '../../platform/auth/authenticate.js';
import type { App } from '../../platform/http/types.js';
import {
  connectorSchema,
  connectorWithSecretSchema,
  handoffBodySchema,
  handoffResultSchema,
  handoffStatusSchema,
  leadIdParamsSchema,
  putConnectorBodySchema,
} from './accounting.schemas.js';
import type { AccountingService } from './accounting.service.js';

const tags = ['accounting'];

export function registerAccountingRoutes(app: App, accounting: AccountingService): void {
  app.get(
    '/api/accounting/connector',
    {
      config: { access: 'webhook:manage' },
      schema: {
        tags,
        summary: 'The accounting connector (where won customers are sent)',
        response: { 200: connectorSchema },
      },
    },
    (request) => accounting.getConnector(actorOf(request)),
  );

  app.put(
    '/api/accounting/connector',
    {
      config: { access: 'webhook:manage' },
      schema: {
        tags,
        summary: 'Set the accounting connector URL; the answer shows a new secret once',
        body: putConnectorBodySchema,
        response: { 200: connectorWithSecretSchema },
      },
    },
    (request) => accounting.putConnector(actorOf(request), request.body),
  );

  app.get(
    '/api/leads/:id/accounting-handoff',
    {
      config: { access: 'lead:convert' },
      schema: {
        tags,
        summary: 'Whether "create customer in accounting" is offered for this lead, and its result',
        params: leadIdParamsSchema,
        response: { 200: handoffStatusSchema },
      },
    },
    (request) => accounting.getHandoff(actorOf(request), request.params.id),
  );

  app.post(
    '/api/leads/:id/accounting-handoff',
    {
      config: { access: 'lead:convert' },
      schema: {
        tags,
        summary:
          "Create the won lead's customer in accounting (confirm: true); a second call sends nothing",
        params: leadIdParamsSchema,
        body: handoffBodySchema,
        response: { 200: handoffResultSchema },
      },
    },
    (request) => accounting.handOff(actorOf(request), request.params.id),
  );
}
