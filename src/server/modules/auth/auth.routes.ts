import type {} from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, SESSION_COOKIE } from '../../platform/auth/authenticate.js';
import type { Config } from '../../platform/config.js';
import { AppError } from '../../platform/errors.js';
import { emptyResponse } from '../../platform/http/openapi.js';
import type { App } from '../../platform/http/types.js';
import type { AuthService, NewSession } from './auth.service.js';
import {
  acceptInviteBodySchema,
  loginBodySchema,
  loginResponseSchema,
  meResponseSchema,
  switchWorkspaceBodySchema,
} from './auth.schemas.js';

const tags = ['auth'];

/** Sets the session cookie and returns the sign-in response body. */
export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  session: NewSession,
) {
  void reply.setCookie(SESSION_COOKIE, session.sessionToken, {
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    path: '/',
    expires: session.expiresAt,
  });
  return { user: session.user, workspace: session.workspace, csrfToken: session.csrfToken };
}

export function clientOf(request: FastifyRequest) {
  return { ip: request.ip, userAgent: request.headers['user-agent'] ?? null };
}

export function registerAuthRoutes(app: App, auth: AuthService, config: Config): void {
  const windowMs = config.loginThrottle.windowMinutes * 60_000;
  // Attempts per IP count every try; attempts per account count only failures.
  const ipLimit = app.createRateLimit({
    max: config.loginThrottle.maxPerIp,
    timeWindow: windowMs,
    keyGenerator: (request) => `login-ip:${request.ip}`,
  });
  const accountLimit = app.createRateLimit({
    max: config.loginThrottle.maxPerAccount,
    timeWindow: windowMs,
    keyGenerator: (request) => `login-account:${(request.body as { email: string }).email}`,
  });

  function throttled(ttlMs: number) {
    const seconds = Math.max(1, Math.ceil(ttlMs / 1000));
    return new AppError('rate_limited', {
      message: `Too many sign-in attempts; try again in ${Math.ceil(seconds / 60)} minute(s).`,
      headers: { 'retry-after': String(seconds) },
    });
  }

  app.post(
    '/api/auth/login',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Sign in with email and password; sets the session cookie',
        security: [],
        body: loginBodySchema,
        response: { 200: loginResponseSchema },
      },
    },
    async (request, reply) => {
      const byIp = await ipLimit(request);
      if (!byIp.isAllowed && byIp.isExceeded) throw throttled(byIp.ttl);
      const byAccount = await accountLimit(request, { increment: false });
      // A peek: the account is blocked once its failures have used up the allowance.
      if (!byAccount.isAllowed && byAccount.remaining <= 0) throw throttled(byAccount.ttl);
      try {
        const session = await auth.login(
          request.body.email,
          request.body.password,
          clientOf(request),
        );
        return setSessionCookie(request, reply, session);
      } catch (error) {
        if (error instanceof AppError && error.code === 'unauthenticated')
          await accountLimit(request);
        throw error;
      }
    },
  );

  app.post(
    '/api/auth/logout',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Sign out: the session stops working at once',
        response: { 204: emptyResponse },
      },
    },
    async (request, reply) => {
      await auth.logout(actorOf(request));
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/auth/accept-invite',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Set a password from a one-time invite link and sign in',
        security: [],
        body: acceptInviteBodySchema,
        response: { 200: loginResponseSchema },
      },
    },
    async (request, reply) => {
      const session = await auth.acceptInvite(request.body, clientOf(request));
      return setSessionCookie(request, reply, session);
    },
  );

  app.get(
    '/api/me',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'The signed-in user, current workspace, role and permissions',
        response: { 200: meResponseSchema },
      },
    },
    (request) => auth.me(actorOf(request), request.csrfToken),
  );

  app.post(
    '/api/me/workspace',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: "Switch the session's current workspace",
        body: switchWorkspaceBodySchema,
        response: { 200: meResponseSchema },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      await auth.switchWorkspace(actor, request.body.workspaceId);
      const switched = await auth.resolveActor({
        bearerToken: undefined,
        sessionToken: request.cookies[SESSION_COOKIE],
        requestId: request.id,
        ip: request.ip,
      });
      if (!switched) throw new AppError('unauthenticated');
      return auth.me(switched.actor, switched.csrfToken);
    },
  );
}
