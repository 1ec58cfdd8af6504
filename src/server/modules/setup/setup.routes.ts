import formbody from '@fastify/formbody';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError, ERROR_STATUS } from '../../platform/errors.js';
import type { App } from '../../platform/http/types.js';
import { acceptInviteBodySchema, loginResponseSchema } from '../auth/auth.schemas.js';
import { clientOf, setSessionCookie } from '../auth/auth.routes.js';
import type { AuthService } from '../auth/auth.service.js';
import {
  renderDonePage,
  renderHomePage,
  renderInvitePage,
  renderSetupPage,
  renderAlreadySetUpPage,
  type FormProblem,
} from './setup.pages.js';
import { completeSetupBodySchema } from './setup.schemas.js';
import type { SetupService } from './setup.service.js';

const tokenQuerySchema = z.object({ token: z.string().max(200).default('') });
const formSchema = z.record(z.string(), z.string());

function toFormProblem(error: unknown): { status: number; problem: FormProblem } {
  if (error instanceof z.ZodError) {
    return {
      status: ERROR_STATUS.validation_failed,
      problem: {
        detail: 'Please correct these fields.',
        fields: error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
      },
    };
  }
  if (error instanceof AppError && error.status < 500) {
    return { status: error.status, problem: { detail: error.message, fields: error.fields ?? [] } };
  }
  throw error;
}

export function registerSetupRoutes(app: App, setup: SetupService, auth: AuthService): void {
  async function completeSetup(
    request: FastifyRequest,
    input: z.infer<typeof completeSetupBodySchema>,
  ) {
    const { user, workspace } = await setup.completeSetup(input);
    return auth.startSession(user, workspace.id, clientOf(request));
  }

  app.post(
    '/api/setup',
    {
      config: { access: 'public' },
      schema: {
        tags: ['setup'],
        summary: 'First-run setup from the one-time link: create the workspace and its admin',
        security: [],
        body: completeSetupBodySchema,
        response: { 200: loginResponseSchema },
      },
    },
    async (request, reply) => {
      const session = await completeSetup(request, request.body);
      return setSessionCookie(request, reply, session);
    },
  );

  // The HTML pages post plain forms, so form bodies are accepted here and nowhere else.
  void app.register(async (pages: App) => {
    await pages.register(formbody);
    const html = { config: { access: 'public' as const }, schema: { hide: true } };

    pages.get('/', html, (_request, reply) => reply.type('text/html').send(renderHomePage()));

    pages.get(
      '/setup',
      { ...html, schema: { hide: true, querystring: tokenQuerySchema } },
      async (request, reply) =>
        (await setup.isSetUp())
          ? reply.code(409).type('text/html').send(renderAlreadySetUpPage())
          : reply.type('text/html').send(renderSetupPage(request.query.token)),
    );

    pages.post(
      '/setup',
      { ...html, schema: { hide: true, body: formSchema } },
      async (request, reply) => {
        try {
          const session = await completeSetup(request, completeSetupBodySchema.parse(request.body));
          setSessionCookie(request, reply, session);
          return reply
            .type('text/html')
            .send(renderDonePage('Your workspace is ready', session.workspace.name));
        } catch (error) {
          const { status, problem } = toFormProblem(error);
          const values = request.body;
          return reply
            .code(status)
            .type('text/html')
            .send(renderSetupPage(values.token ?? '', values, problem));
        }
      },
    );

    pages.get(
      '/invite',
      { ...html, schema: { hide: true, querystring: tokenQuerySchema } },
      (request, reply) => reply.type('text/html').send(renderInvitePage(request.query.token)),
    );

    pages.post(
      '/invite',
      { ...html, schema: { hide: true, body: formSchema } },
      async (request, reply) => {
        const { name, ...rest } = request.body;
        try {
          const input = acceptInviteBodySchema.parse({ ...rest, name: name || undefined });
          const session = await auth.acceptInvite(input, clientOf(request));
          setSessionCookie(request, reply, session);
          return reply
            .type('text/html')
            .send(renderDonePage('Welcome aboard', session.workspace.name));
        } catch (error) {
          const { status, problem } = toFormProblem(error);
          return reply
            .code(status)
            .type('text/html')
            .send(renderInvitePage(rest.token ?? '', problem));
        }
      },
    );
  });
}
