// Lead sources ("how did you hear about us?"): list, create, read, update, archive.
// Archiving deactivates a source: it leaves the pickers but keeps its history for reports.
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { recordAudit, type Executor } from '../../platform/audit.js';
import type { DB, LeadSourceRow } from '../../platform/db/schema.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { inTransaction } from '../../platform/db/transaction.js';
import type { Transaction } from 'kysely';
import { notFound } from '../../platform/errors.js';
import { assertVersion } from '../../platform/http/versioning.js';
import * as repo from './lead-sources.repository.js';
import type {
  CreateLeadSourceInput,
  LeadSourceDto,
  UpdateLeadSourceInput,
} from './lead-sources.schemas.js';

function toLeadSourceDto(row: LeadSourceRow): LeadSourceDto {
  return {
    id: row.id,
    name: row.name,
    category: row.category,
    monthlyCost: row.monthly_cost,
    active: row.is_active,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function auditView(dto: LeadSourceDto) {
  return {
    name: dto.name,
    category: dto.category,
    monthlyCost: dto.monthlyCost,
    active: dto.active,
  };
}

export function createLeadSourcesService({ db, clock }: ServiceDeps) {
  async function update(
    actor: Actor,
    sourceId: string,
    patch: UpdateLeadSourceInput,
    ifMatch?: number,
  ) {
    requirePermission(actor, 'lead:configure');
    return db.transaction().execute(async (trx) => {
      const before = await repo.findLeadSource(trx, actor.workspaceId, sourceId);
      if (!before) throw notFound('Lead source');
      assertVersion(before.version, ifMatch);
      const after = toLeadSourceDto(
        await repo.updateLeadSourceRow(trx, actor.workspaceId, sourceId, patch, clock.now()),
      );
      await recordAudit(trx, clock, actor, {
        action:
          patch.active === false && before.is_active
            ? 'lead_source.archived'
            : 'lead_source.updated',
        entityType: 'lead_source',
        entityId: sourceId,
        before: auditView(toLeadSourceDto(before)),
        after: auditView(after),
      });
      return after;
    });
  }

  return {
    async listLeadSources(actor: Actor, active: boolean | undefined, executor: Executor = db) {
      requirePermission(actor, 'lead:read');
      const rows = await repo.listLeadSources(executor, actor.workspaceId, active);
      return { items: rows.map(toLeadSourceDto), nextCursor: null };
    },

    async getLeadSource(actor: Actor, sourceId: string) {
      requirePermission(actor, 'lead:read');
      const row = await repo.findLeadSource(db, actor.workspaceId, sourceId);
      if (!row) throw notFound('Lead source');
      return toLeadSourceDto(row);
    },

    async createLeadSource(actor: Actor, input: CreateLeadSourceInput, outer?: Transaction<DB>) {
      requirePermission(actor, 'lead:configure');
      return inTransaction(db, outer, async (trx) => {
        const created = toLeadSourceDto(
          await repo.insertLeadSource(trx, {
            workspaceId: actor.workspaceId,
            ...input,
            now: clock.now(),
          }),
        );
        await recordAudit(trx, clock, actor, {
          action: 'lead_source.created',
          entityType: 'lead_source',
          entityId: created.id,
          after: auditView(created),
        });
        return created;
      });
    },

    updateLeadSource: update,

    archiveLeadSource(actor: Actor, sourceId: string, ifMatch?: number) {
      return update(actor, sourceId, { active: false }, ifMatch);
    },
  };
}

export type LeadSourcesService = ReturnType<typeof createLeadSourcesService>;
