// RFC 9457 problem+json: the one error handler, the 404/405 handler and the problem schema.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import Router from 'find-my-way';
import { z } from 'zod';
import {
  AppError,
  ERROR_STATUS,
  ERROR_TITLES,
  type ErrorCode,
  type FieldError,
} from '../errors.js';

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    requestId: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem' });

export type Problem = z.infer<typeof problemSchema>;

// Missing fields say "Required" rather than zod's "expected string, received undefined".
z.config({
  customError: (issue) => (issue.input === undefined ? 'Required' : undefined),
});

const CODE_BY_STATUS = new Map<number, ErrorCode>(
  Object.entries(ERROR_STATUS).map(([code, status]) => [status, code as ErrorCode]),
);

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  code: ErrorCode,
  detail: string,
  fields?: FieldError[],
  extra?: Record<string, unknown>,
): FastifyReply {
  const status = ERROR_STATUS[code];
  const problem: Problem = {
    ...extra,
    type: `urn:leadkeeper:problem:${code.replaceAll('_', '-')}`,
    title: ERROR_TITLES[code],
    status,
    detail,
    instance: request.url.split('?')[0],
    requestId: request.id,
    ...(fields && fields.length > 0 ? { errors: fields } : {}),
  };
  return reply.code(status).type('application/problem+json').send(JSON.stringify(problem));
}

interface ValidationIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params?: { expected?: string };
}

function toFieldErrors(issues: ValidationIssue[], context: string | undefined): FieldError[] {
  return issues.map((issue) => {
    const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
    return { field: path || context || 'body', message: issue.message ?? 'Invalid value' };
  });
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      if (error.headers) void reply.headers(error.headers);
      if (error.status >= 500) request.log.error({ err: error }, error.message);
      return sendProblem(request, reply, error.code, error.message, error.fields, error.extra);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issues = error.validation as ValidationIssue[];
      // Wrong JSON types are a malformed request (400); missing or out-of-rule values (a
      // fraction where a whole number is due included) are 422.
      const isWrongType = issues.some(
        (issue) =>
          issue.keyword === 'invalid_type' &&
          issue.message !== 'Required' &&
          issue.params?.expected !== 'int',
      );
      return sendProblem(
        request,
        reply,
        isWrongType ? 'bad_request' : 'validation_failed',
        isWrongType ? 'The request has values of the wrong type.' : 'Some fields are not valid.',
        toFieldErrors(issues, error.validationContext),
      );
    }
    const missingLink = referencedField(error);
    if (missingLink) {
      return sendProblem(request, reply, 'validation_failed', 'A linked record does not exist.', [
        { field: missingLink, message: 'No such record in this workspace' },
      ]);
    }
    if (isUniqueViolation(error)) {
      // Two requests raced to create the same thing; the loser learns it exists.
      return sendProblem(request, reply, 'conflict', 'This record already exists.');
    }
    const status = error.statusCode ?? 500;
    const code = status >= 500 ? undefined : CODE_BY_STATUS.get(status);
    if (code === undefined) {
      request.log.error({ err: error }, 'unhandled error');
      return sendProblem(request, reply, 'internal', 'Something went wrong on our side.');
    }
    return sendProblem(request, reply, code, describeFrameworkError(error, code));
  });

  // Remember every route's path and methods so an unknown method gets 405 with Allow.
  const knownRoutes = Router();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      try {
        knownRoutes.on(method as 'GET', route.url, () => undefined);
      } catch {
        // A path registered twice (for instance with and without a trailing slash) is fine.
      }
    }
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter(
      (method) => knownRoutes.find(method as 'GET', path) !== null,
    );
    if (allowed.length > 0) {
      void reply.header('allow', allowed.join(', '));
      return sendProblem(
        request,
        reply,
        'method_not_allowed',
        `${request.method} is not allowed here; use ${allowed.join(', ')}.`,
      );
    }
    return sendProblem(request, reply, 'not_found', `No route for ${request.method} ${path}.`);
  });
}

/**
 * The field behind a foreign_key_violation on a tenant table: constraint names are
 * "<table>_workspace_id_<column>_fkey", so companies_workspace_id_primary_contact_id_fkey
 * becomes primaryContactId.
 */
function referencedField(error: unknown): string | undefined {
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  if (code !== '23503' || typeof constraint !== 'string') return undefined;
  const column = /_workspace_id_(\w+)_fkey$/.exec(constraint)?.[1];
  return column?.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** PostgreSQL's unique_violation, from node-postgres or PGlite. */
function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown }).code === '23505';
}

function describeFrameworkError(error: FastifyError, code: ErrorCode): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'The request body is not valid JSON.';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'This content type is not accepted here; send application/json.';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'The request body is too large.';
    default:
      // Framework messages for client errors describe the request, never our internals.
      return code === 'bad_request' && error instanceof SyntaxError
        ? 'The request body is not valid JSON.'
        : error.message;
  }
}
