// Reading the audit log of the current workspace, for those with audit:read.
import { z } from 'zod';
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import type { AuditLogRow } from '../../platform/db/schema.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import * as repo from './audit-log.repository.js';
import type { AuditEntryDto, ListAuditQuery } from './audit-log.schemas.js';

function toAuditEntryDto(row: AuditLogRow): AuditEntryDto {
  return {
    id: row.id,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    actorUserId: row.actor_user_id,
    actorTokenId: row.actor_token_id,
    changes: row.changes,
    requestId: row.request_id,
    ip: row.ip,
    createdAt: row.created_at.toISOString(),
  };
}

export function createAuditLogService({ db }: ServiceDeps) {
  return {
    async listAuditEntries(actor: Actor, query: ListAuditQuery) {
      requirePermission(actor, 'audit:read');
      const before = query.cursor
        ? decodeCursor(query.cursor, z.tuple([z.coerce.date(), z.uuid()]))
        : undefined;
      const rows = await repo.listAuditEntries(db, actor.workspaceId, {
        ...query,
        from: query.from ? new Date(query.from) : undefined,
        to: query.to ? new Date(query.to) : undefined,
        before,
      });
      return toPage(rows, query.limit, toAuditEntryDto, (row) => [
        row.created_at.toISOString(),
        row.id,
      ]);
    },
  };
}

export type AuditLogService = ReturnType<typeof createAuditLogService>;
