// Every route declares who may call it (config.access); this hook resolves the caller from a
// Bearer API token or the session cookie, checks CSRF on cookie-authenticated writes and the
// declared permission, and attaches request.actor. Undeclared /api routes refuse to register.
import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { safeEqual } from './secrets.js';
import { requirePermission, type Actor } from './actor.js';
import type { Permission } from './permissions.js';

export type RouteAccess = 'public' | 'authenticated' | Permission;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    actor: Actor | null;
    /** The session's CSRF token (null for API-token callers). */
    csrfToken: string | null;
  }
}

export const SESSION_COOKIE = 'lk_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface Credentials {
  bearerToken: string | undefined;
  sessionToken: string | undefined;
  requestId: string;
  ip: string;
}

export interface ResolvedActor {
  actor: Actor;
  /** The session's CSRF token, for cookie-authenticated callers. */
  csrfToken: string | null;
}

export type ResolveActor = (credentials: Credentials) => Promise<ResolvedActor | null>;

export function registerAuthentication(app: FastifyInstance, resolveActor: ResolveActor): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('csrfToken', null);

  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (route.url.startsWith('/api/') && !route.url.startsWith('/api/docs') && !access) {
      throw new Error(`Route ${String(route.method)} ${route.url} does not declare config.access`);
    }
    if (access && route.schema && !route.schema.hide) {
      const who =
        access === 'public'
          ? 'No sign-in needed.'
          : access === 'authenticated'
            ? 'Any signed-in member.'
            : `Requires permission \`${access}\`.`;
      route.schema.description = [route.schema.description, who].filter(Boolean).join('\n\n');
    }
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (access === undefined || access === 'public') return;
    const resolved = await resolveActor(readCredentials(request));
    if (!resolved) {
      throw new AppError('unauthenticated', {
        message: 'Sign in, or send a valid API token as "Authorization: Bearer <token>".',
      });
    }
    if (resolved.actor.via === 'session' && !SAFE_METHODS.has(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !resolved.csrfToken || !safeEqual(sent, resolved.csrfToken)) {
        throw new AppError('forbidden', {
          message: 'Missing or wrong X-CSRF-Token header for a signed-in write.',
        });
      }
    }
    if (access !== 'authenticated') requirePermission(resolved.actor, access);
    request.actor = resolved.actor;
    request.csrfToken = resolved.csrfToken;
  });
}

function readCredentials(request: FastifyRequest): Credentials {
  const authorization = request.headers.authorization;
  let bearerToken: string | undefined;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match?.[1]) {
      throw new AppError('unauthenticated', { message: 'Authorization must be "Bearer <token>".' });
    }
    bearerToken = match[1];
  }
  return {
    bearerToken,
    sessionToken: bearerToken ? undefined : request.cookies[SESSION_COOKIE],
    requestId: request.id,
    ip: request.ip,
  };
}

/** The actor of a route that declared non-public access (the hook guarantees it is set). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError('unauthenticated');
  return request.actor;
}
