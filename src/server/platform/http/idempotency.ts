// Idempotency-Key on POST: a retried request with the same key gets the first response again
// (header Idempotent-Replayed: true) instead of doing the work twice. Keys are scoped to the
// caller (workspace + user) and kept for 24 hours; only successful (2xx) responses are kept,
// so a corrected retry after an error runs anew.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';

const HEADER = 'idempotency-key';
const KEEP_MS = 24 * 60 * 60_000;
// A reservation whose request never finished (the process died) is given up after this.
const ABANDONED_MS = 5 * 60_000;
const VALID_KEY = /^[\x21-\x7e]{1,200}$/;

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyKey: { workspaceId: string; userId: string; key: string } | null;
  }
}

function fingerprintOf(request: FastifyRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
    .digest('hex');
}

export function registerIdempotency(app: FastifyInstance, db: Kysely<DB>, clock: Clock): void {
  app.decorateRequest('idempotencyKey', null);

  app.addHook('preHandler', async (request, reply) => {
    const key = request.headers[HEADER];
    if (request.method !== 'POST' || key === undefined || !request.actor) return;
    if (typeof key !== 'string' || !VALID_KEY.test(key)) {
      throw new AppError('bad_request', {
        message: 'Idempotency-Key must be 1–200 visible ASCII characters.',
      });
    }
    const scope = { workspaceId: request.actor.workspaceId, userId: request.actor.userId, key };
    const fingerprint = fingerprintOf(request);
    const now = clock.now();

    const reserved = await db
      .insertInto('idempotency_keys')
      .values({
        workspace_id: scope.workspaceId,
        user_id: scope.userId,
        key,
        fingerprint,
        created_at: now,
      })
      .onConflict((oc) =>
        oc
          .columns(['workspace_id', 'user_id', 'key'])
          .doUpdateSet({
            fingerprint,
            created_at: now,
            status_code: null,
            response_body: null,
            completed_at: null,
          })
          // Take over only an expired key or an abandoned reservation.
          .where((eb) =>
            eb.or([
              eb('idempotency_keys.created_at', '<', new Date(now.getTime() - KEEP_MS)),
              eb.and([
                eb('idempotency_keys.completed_at', 'is', null),
                eb('idempotency_keys.created_at', '<', new Date(now.getTime() - ABANDONED_MS)),
              ]),
            ]),
          ),
      )
      .returning('key')
      .executeTakeFirst();
    if (reserved) {
      request.idempotencyKey = scope;
      return;
    }

    const existing = await db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('workspace_id', '=', scope.workspaceId)
      .where('user_id', '=', scope.userId)
      .where('key', '=', key)
      .executeTakeFirstOrThrow();
    if (existing.fingerprint !== fingerprint) {
      throw new AppError('validation_failed', {
        message: 'This Idempotency-Key was already used for a different request.',
        fields: [{ field: 'Idempotency-Key', message: 'Use a new key for a new request' }],
      });
    }
    if (existing.completed_at === null || existing.status_code === null) {
      throw new AppError('conflict', {
        message: 'A request with this Idempotency-Key is still being processed; retry shortly.',
      });
    }
    return reply
      .code(existing.status_code)
      .header('idempotent-replayed', 'true')
      .type('application/json; charset=utf-8')
      .send(existing.response_body);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const scope = request.idempotencyKey;
    if (!scope) return payload;
    if (reply.statusCode >= 200 && reply.statusCode < 300) {
      await db
        .updateTable('idempotency_keys')
        .set({
          status_code: reply.statusCode,
          response_body: typeof payload === 'string' ? payload : null,
          completed_at: clock.now(),
        })
        .where('workspace_id', '=', scope.workspaceId)
        .where('user_id', '=', scope.userId)
        .where('key', '=', scope.key)
        .execute();
    } else {
      await db
        .deleteFrom('idempotency_keys')
        .where('workspace_id', '=', scope.workspaceId)
        .where('user_id', '=', scope.userId)
        .where('key', '=', scope.key)
        .execute();
    }
    return payload;
  });
}
