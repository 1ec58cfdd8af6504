// Builds the Fastify app: platform plugins (errors, security headers, cookies, auth, OpenAPI)
// and every module's routes, wired to services made from one database and one clock.
import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyServerOptions } from 'fastify';
import {
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { registerApiTokensRoutes } from './modules/api-tokens/api-tokens.routes.js';
import { createApiTokensService } from './modules/api-tokens/api-tokens.service.js';
import { registerAuditLogRoutes } from './modules/audit-log/audit-log.routes.js';
import { createAuditLogService } from './modules/audit-log/audit-log.service.js';
import { registerAuthRoutes } from './modules/auth/auth.routes.js';
import { createAuthService } from './modules/auth/auth.service.js';
import { createDemoService } from './modules/demo/demo.service.js';
import { registerHealthRoutes } from './modules/health/health.routes.js';
import { registerCompaniesRoutes } from './modules/companies/companies.routes.js';
import { createCompaniesService } from './modules/companies/companies.service.js';
import { registerContactsRoutes } from './modules/contacts/contacts.routes.js';
import { createContactsService } from './modules/contacts/contacts.service.js';
import { registerLeadSourcesRoutes } from './modules/lead-sources/lead-sources.routes.js';
import { createLeadSourcesService } from './modules/lead-sources/lead-sources.service.js';
import { registerLeadsRoutes } from './modules/leads/leads.routes.js';
import { createLeadsService } from './modules/leads/leads.service.js';
import { registerLostReasonsRoutes } from './modules/lost-reasons/lost-reasons.routes.js';
import { createLostReasonsService } from './modules/lost-reasons/lost-reasons.service.js';
import { registerPipelinesRoutes } from './modules/pipelines/pipelines.routes.js';
import { createPipelinesService } from './modules/pipelines/pipelines.service.js';
import { registerPresetsRoutes } from './modules/presets/presets.routes.js';
import { createPresetsService } from './modules/presets/presets.service.js';
import { registerSetupRoutes } from './modules/setup/setup.routes.js';
import { createSetupService } from './modules/setup/setup.service.js';
import { registerUsersRoutes } from './modules/users/users.routes.js';
import { createUsersService } from './modules/users/users.service.js';
import { registerWorkspacesRoutes } from './modules/workspaces/workspaces.routes.js';
import { createWorkspacesService } from './modules/workspaces/workspaces.service.js';
import { registerAuthentication } from './platform/auth/authenticate.js';
import { systemClock, type Clock } from './platform/clock.js';
import type { Config } from './platform/config.js';
import type { Database } from './platform/db/database.js';
import type { ServiceDeps } from './platform/deps.js';
import { registerIdempotency } from './platform/http/idempotency.js';
import { registerOpenApi } from './platform/http/openapi.js';
import { registerProblemHandlers } from './platform/http/problem.js';
import { VERSION } from './platform/version.js';

export interface BuildAppOptions {
  config: Config;
  database: Database;
  clock?: Clock;
  logger?: FastifyServerOptions['logger'];
}

const SAFE_REQUEST_ID = /^[\w.:-]{1,128}$/;

export function createServices(deps: ServiceDeps) {
  const users = createUsersService(deps);
  const pipelines = createPipelinesService(deps);
  const leadSources = createLeadSourcesService(deps);
  const lostReasons = createLostReasonsService(deps);
  const presets = createPresetsService(deps, pipelines, leadSources, lostReasons);
  const workspaces = createWorkspacesService(deps, users, presets);
  const apiTokens = createApiTokensService(deps);
  const auth = createAuthService(deps, users, workspaces, apiTokens);
  const companies = createCompaniesService(deps, workspaces);
  const contacts = createContactsService(deps, workspaces);
  const leads = createLeadsService(deps, { pipelines, contacts, companies, users, workspaces });
  return {
    companies,
    contacts,
    leads,
    users,
    workspaces,
    apiTokens,
    auth,
    auditLog: createAuditLogService(deps),
    pipelines,
    leadSources,
    lostReasons,
    presets,
    setup: createSetupService(deps, users, workspaces),
    demo: createDemoService(deps, users, workspaces, {
      pipelines,
      leadSources,
      lostReasons,
      leads,
    }),
  };
}

export type Services = ReturnType<typeof createServices>;

export async function buildApp(options: BuildAppOptions) {
  const { config, database } = options;
  const clock = options.clock ?? systemClock;
  const services = createServices({ db: database.db, clock, config });

  const app = Fastify({
    logger: options.logger ?? {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    },
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    // Keep a caller's X-Request-Id when it is harmless, so logs can be joined across systems.
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
    },
  }).withTypeProvider<ZodTypeProvider>();

  // Every route, as registered (for the OpenAPI completeness check and the docs).
  const routes: { method: string; url: string; hidden: boolean }[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD')
        routes.push({ method, url: route.url, hidden: route.schema?.hide === true });
    }
  });

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // The API speaks JSON only; anything else is 415.
  app.removeContentTypeParser('text/plain');

  registerProblemHandlers(app);
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: { 'form-action': ["'self'"], 'upgrade-insecure-requests': null },
    },
  });
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  if (config.corsOrigins.length > 0) {
    await app.register(cors, { origin: config.corsOrigins, credentials: true });
  }

  registerAuthentication(app, (credentials) => services.auth.resolveActor(credentials));
  registerIdempotency(app, database.db, clock);
  await registerOpenApi(app, VERSION);

  registerHealthRoutes(app, database.kind, VERSION);
  registerAuthRoutes(app, services.auth, config);
  registerWorkspacesRoutes(app, services.workspaces);
  registerUsersRoutes(app, services.users);
  registerApiTokensRoutes(app, services.apiTokens);
  registerAuditLogRoutes(app, services.auditLog);
  registerPipelinesRoutes(app, services.pipelines);
  registerLeadSourcesRoutes(app, services.leadSources);
  registerLostReasonsRoutes(app, services.lostReasons);
  registerPresetsRoutes(app, services.presets);
  registerCompaniesRoutes(app, services.companies);
  registerContactsRoutes(app, services.contacts);
  registerLeadsRoutes(app, services.leads);
  registerSetupRoutes(app, services.setup, services.auth);

  return { app, services, routes };
}
