// Accounting handoff: when a lead is won, its customer (the lead's company, else its contact) is
// created in the accounting system on explicit confirmation only, through an accounting
// connector (accounting.connector.ts), and the external customer id is stored on the company or
// contact. A second confirmation finds the stored id and sends nothing.
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { recordAudit } from '../../platform/audit.js';
import { decryptText, encryptText } from '../../platform/crypto.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { AppError, fieldError } from '../../platform/errors.js';
import { outboundUrlProblem } from '../../platform/outbound-http.js';
import type { LeadsService } from '../leads/leads.service.js';
import { newSigningSecret } from '../webhooks/webhooks.signing.js';
import {
  ConnectorError,
  webhookConnector,
  type AccountingConnector,
  type AccountingCustomer,
} from './accounting.connector.js';
import * as repo from './accounting.repository.js';
import type {
  ConnectorDto,
  HandoffResultDto,
  HandoffStatusDto,
  PutConnectorInput,
} from './accounting.schemas.js';

type LeadDetail = Awaited<ReturnType<LeadsService['getLead']>>;

interface Target {
  type: 'company' | 'contact';
  id: string;
  name: string;
  table: repo.CustomerTable;
  customer: AccountingCustomer;
}

/** The company of the lead, else its contact (archived ones don't count). */
function targetOf(lead: LeadDetail): Target | null {
  const leadInfo = { id: lead.id, title: lead.title, value: lead.value, currency: lead.currency };
  const company = lead.company && !('deleted' in lead.company) ? lead.company : null;
  const contact = lead.contact && !('deleted' in lead.contact) ? lead.contact : null;
  if (company) {
    return {
      type: 'company',
      id: company.id,
      name: company.name,
      table: 'companies',
      customer: {
        kind: 'company',
        reference: `company:${company.id}`,
        name: company.name,
        email: contact?.emails[0]?.value ?? null,
        phone: company.mainPhoneE164 ?? company.mainPhone,
        address: company.billingAddress,
        website: company.website,
        lead: leadInfo,
      },
    };
  }
  if (contact) {
    return {
      type: 'contact',
      id: contact.id,
      name: contact.name,
      table: 'contacts',
      customer: {
        kind: 'person',
        reference: `contact:${contact.id}`,
        name: contact.name,
        email: contact.emails[0]?.value ?? null,
        phone: contact.phones[0]?.e164 ?? contact.phones[0]?.value ?? null,
        address: contact.address,
        website: null,
        lead: leadInfo,
      },
    };
  }
  return null;
}

export function createAccountingService(
  deps: ServiceDeps,
  modules: {
    leads: LeadsService;
    /** Tests and native connectors replace the webhook connector. */
    connectorFor?: (settings: { url: string; secret: string }) => AccountingConnector;
  },
) {
  const { db, clock, config, encryptionKey } = deps;
  const connectorFor =
    modules.connectorFor ??
    ((settings: { url: string; secret: string }) =>
      webhookConnector({
        ...settings,
        allowPrivate: config.webhooksAllowPrivate,
        now: () => clock.now(),
      }));

  function toConnectorDto(row: Awaited<ReturnType<typeof repo.findConnector>>): ConnectorDto {
    return {
      configured: row !== undefined,
      url: row?.url ?? null,
      version: row?.version ?? null,
      updatedAt: row?.updated_at.toISOString() ?? null,
    };
  }

  async function describe(actor: Actor, leadId: string) {
    const lead = await modules.leads.getLead(actor, leadId);
    const target = targetOf(lead);
    const customerId = target
      ? await repo.findCustomerId(db, target.table, actor.workspaceId, target.id)
      : null;
    return { lead, target, customerId };
  }

  return {
    async getConnector(actor: Actor): Promise<ConnectorDto> {
      requirePermission(actor, 'webhook:manage');
      return toConnectorDto(await repo.findConnector(db, actor.workspaceId));
    },

    /** Sets the connector's URL; a new connector (or rotateSecret) gets a secret, shown once. */
    async putConnector(actor: Actor, input: PutConnectorInput) {
      requirePermission(actor, 'webhook:manage');
      const problem = outboundUrlProblem(input.url, config.webhooksAllowPrivate);
      if (problem) throw fieldError('url', problem);
      if (!encryptionKey) {
        throw new AppError('conflict', {
          message: 'This server has no encryption key. Set ENCRYPTION_KEY to store the secret.',
        });
      }
      return db.transaction().execute(async (trx) => {
        const before = await repo.findConnector(trx, actor.workspaceId);
        const secret = !before || input.rotateSecret ? newSigningSecret() : undefined;
        const row = await repo.upsertConnector(
          trx,
          actor.workspaceId,
          {
            url: input.url,
            secret: secret ? encryptText(encryptionKey, secret) : before!.secret,
          },
          clock.now(),
        );
        await recordAudit(trx, clock, actor, {
          action: 'accounting.connector_set',
          entityType: 'workspace',
          entityId: actor.workspaceId,
          before: before ? { url: before.url } : null,
          after: { url: row.url, ...(secret && before ? { secret: 'rotated' } : {}) },
        });
        return { ...toConnectorDto(row), ...(secret ? { secret } : {}) };
      });
    },

    /** What the lead page shows: whether the handoff can run, for whom, and its result. */
    async getHandoff(actor: Actor, leadId: string): Promise<HandoffStatusDto> {
      requirePermission(actor, 'lead:convert');
      const { lead, target, customerId } = await describe(actor, leadId);
      const connector = await repo.findConnector(db, actor.workspaceId);
      const reason =
        customerId !== null
          ? 'The customer exists in accounting already.'
          : lead.status !== 'won'
            ? 'Only a won lead can be handed to accounting.'
            : !target
              ? 'The lead has no company or contact to create as the customer.'
              : !connector
                ? 'No accounting connector is set up (Settings → Webhooks).'
                : null;
      return {
        available: reason === null,
        reason,
        target: target ? { type: target.type, id: target.id, name: target.name } : null,
        customerId,
      };
    },

    /** Runs the handoff (the caller confirmed); idempotent per company or contact. */
    async handOff(actor: Actor, leadId: string): Promise<HandoffResultDto> {
      requirePermission(actor, 'lead:convert');
      const { lead, target, customerId } = await describe(actor, leadId);
      if (!target) {
        throw new AppError('validation_failed', {
          message: 'The lead has no company or contact to create as the customer.',
        });
      }
      const targetDto = { type: target.type, id: target.id, name: target.name };
      if (customerId !== null) return { customerId, created: false, target: targetDto };
      if (lead.status !== 'won') {
        throw new AppError('validation_failed', {
          message: 'Only a won lead can be handed to accounting.',
        });
      }
      const settings = await repo.findConnector(db, actor.workspaceId);
      if (!settings || !encryptionKey) {
        throw new AppError('conflict', {
          message: 'No accounting connector is set up (Settings → Webhooks).',
        });
      }
      // Outside any transaction: the accounting system may take seconds to answer.
      let created: { customerId: string };
      try {
        created = await connectorFor({
          url: settings.url,
          secret: decryptText(encryptionKey, settings.secret),
        }).createCustomer(target.customer, `leadkeeper-${target.type}-${target.id}`);
      } catch (error) {
        if (error instanceof ConnectorError) {
          throw new AppError('service_unavailable', { message: error.message });
        }
        throw error;
      }
      return db.transaction().execute(async (trx) => {
        const stored = await repo.storeCustomerId(
          trx,
          target.table,
          actor.workspaceId,
          target.id,
          created.customerId,
        );
        if (!stored) {
          // Another confirmation stored its answer first (the same customer, by idempotency key).
          const existing = await repo.findCustomerId(
            trx,
            target.table,
            actor.workspaceId,
            target.id,
          );
          return { customerId: existing ?? created.customerId, created: false, target: targetDto };
        }
        await recordAudit(trx, clock, actor, {
          action: 'lead.accounting_handoff',
          entityType: 'lead',
          entityId: lead.id,
          after: { [target.type]: target.id, customerId: created.customerId },
        });
        return { customerId: created.customerId, created: true, target: targetDto };
      });
    },
  };
}

export type AccountingService = ReturnType<typeof createAccountingService>;
