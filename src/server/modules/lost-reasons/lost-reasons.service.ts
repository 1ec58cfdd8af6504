// The workspace's list of reasons a lead is lost: list, create, read, update, archive.
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { recordAudit, type Executor } from '../../platform/audit.js';
import type { DB, LostReasonRow } from '../../platform/db/schema.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { inTransaction } from '../../platform/db/transaction.js';
import type { Transaction } from 'kysely';
import { notFound } from '../../platform/errors.js';
import { assertVersion } from '../../platform/http/versioning.js';
import * as repo from './lost-reasons.repository.js';
import type { LostReasonDto, UpdateLostReasonInput } from './lost-reasons.schemas.js';

function toLostReasonDto(row: LostReasonRow): LostReasonDto {
  return {
    id: row.id,
    name: row.name,
    position: row.position,
    active: row.is_active,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const auditView = (dto: LostReasonDto) => ({
  name: dto.name,
  position: dto.position,
  active: dto.active,
});

export function createLostReasonsService({ db, clock }: ServiceDeps) {
  async function update(
    actor: Actor,
    reasonId: string,
    patch: UpdateLostReasonInput,
    ifMatch?: number,
  ) {
    requirePermission(actor, 'lead:configure');
    return db.transaction().execute(async (trx) => {
      const before = await repo.findLostReason(trx, actor.workspaceId, reasonId);
      if (!before) throw notFound('Lost reason');
      assertVersion(before.version, ifMatch);
      const after = toLostReasonDto(
        await repo.updateLostReasonRow(trx, actor.workspaceId, reasonId, patch, clock.now()),
      );
      await recordAudit(trx, clock, actor, {
        action:
          patch.active === false && before.is_active
            ? 'lost_reason.archived'
            : 'lost_reason.updated',
        entityType: 'lost_reason',
        entityId: reasonId,
        before: auditView(toLostReasonDto(before)),
        after: auditView(after),
      });
      return after;
    });
  }

  return {
    async listLostReasons(actor: Actor, active: boolean | undefined, executor: Executor = db) {
      requirePermission(actor, 'lead:read');
      const rows = await repo.listLostReasons(executor, actor.workspaceId, active);
      return { items: rows.map(toLostReasonDto), nextCursor: null };
    },

    async getLostReason(actor: Actor, reasonId: string) {
      requirePermission(actor, 'lead:read');
      const row = await repo.findLostReason(db, actor.workspaceId, reasonId);
      if (!row) throw notFound('Lost reason');
      return toLostReasonDto(row);
    },

    async createLostReason(actor: Actor, name: string, outer?: Transaction<DB>) {
      requirePermission(actor, 'lead:configure');
      return inTransaction(db, outer, async (trx) => {
        const created = toLostReasonDto(
          await repo.insertLostReason(trx, actor.workspaceId, name, clock.now()),
        );
        await recordAudit(trx, clock, actor, {
          action: 'lost_reason.created',
          entityType: 'lost_reason',
          entityId: created.id,
          after: auditView(created),
        });
        return created;
      });
    },

    updateLostReason: update,

    archiveLostReason(actor: Actor, reasonId: string, ifMatch?: number) {
      return update(actor, reasonId, { active: false }, ifMatch);
    },
  };
}

export type LostReasonsService = ReturnType<typeof createLostReasonsService>;
