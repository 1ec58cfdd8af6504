// Optimistic concurrency: records carry a version, sent as ETag and checked from If-Match.
import type { FastifyReply } from 'fastify';
import { AppError } from '../errors.js';

export function etagOf(version: number): string {
  return `"${version}"`;
}

/** The version an If-Match header names, or undefined when the header is absent. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(header);
  if (!match?.[1]) {
    throw new AppError('bad_request', { message: 'If-Match must be a version such as "3".' });
  }
  return Number(match[1]);
}

export function assertVersion(current: number, expected: number | undefined): void {
  if (expected !== undefined && expected !== current) {
    throw new AppError('precondition_failed', {
      message: `This record was changed by someone else (now version ${current}); reload and try again.`,
    });
  }
}

/** Sends a versioned record's version as ETag (clients send it back as If-Match). */
export function withEtag<T extends { version: number }>(reply: FastifyReply, record: T): T {
  void reply.header('etag', etagOf(record.version));
  return record;
}
