// The audit log writer: one row per change, written in the caller's transaction, with the
// before/after of the fields that changed. Rows can't be updated or deleted (a trigger refuses).
import type { Kysely, Transaction } from 'kysely';
import type { Actor } from './auth/actor.js';
import type { Clock } from './clock.js';
import type { DB } from './db/schema.js';

export type Executor = Kysely<DB> | Transaction<DB>;

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

const REDACTED_FIELDS = new Set(['passwordHash', 'password_hash', 'tokenHash', 'token_hash']);

/** The fields whose values differ, each with its before and after (secrets redacted). */
export function diffChanges(
  before: Record<string, unknown> | null | undefined,
  after: Record<string, unknown> | null | undefined,
): Record<string, { before: unknown; after: unknown }> {
  const changes: Record<string, { before: unknown; after: unknown }> = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const key of keys) {
    const a = before?.[key] ?? null;
    const b = after?.[key] ?? null;
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    changes[key] = REDACTED_FIELDS.has(key)
      ? { before: a === null ? null : '[redacted]', after: b === null ? null : '[redacted]' }
      : { before: a, after: b };
  }
  return changes;
}

export async function recordAudit(
  db: Executor,
  clock: Clock,
  actor: Actor,
  entry: AuditEntry,
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      workspace_id: actor.workspaceId,
      actor_user_id: actor.userId === '' ? null : actor.userId,
      actor_token_id: actor.tokenId,
      action: entry.action,
      entity_type: entry.entityType,
      entity_id: entry.entityId,
      changes: JSON.stringify(diffChanges(entry.before, entry.after)),
      request_id: actor.requestId,
      ip: actor.ip,
      created_at: clock.now(),
    })
    .execute();
}
