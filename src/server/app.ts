// Builds the Fastify app: platform plugins (errors, security headers, cookies, auth, OpenAPI)
// and every module's routes, wired to services made from one database and one clock.
import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { registerAccountingRoutes } from './modules/accounting/accounting.routes.js';
import { createAccountingService } from './modules/accounting/accounting.service.js';
import { registerActivitiesRoutes } from './modules/activities/activities.routes.js';
import { registerAnalyticsRoutes } from './modules/analytics/analytics.routes.js';
import { createAnalyticsService } from './modules/analytics/analytics.service.js';
import {
  createActivitiesService,
  createTimeline,
} from './modules/activities/activities.service.js';
import { registerAssignmentRoutes } from './modules/assignment/assignment.routes.js';
import { registerAutomationRoutes } from './modules/automation/automation.routes.js';
import { createAutomationService } from './modules/automation/automation.service.js';
import { createAssignmentService } from './modules/assignment/assignment.service.js';
import { registerApiTokensRoutes } from './modules/api-tokens/api-tokens.routes.js';
import { createApiTokensService } from './modules/api-tokens/api-tokens.service.js';
import { registerAuditLogRoutes } from './modules/audit-log/audit-log.routes.js';
import { createAuditLogService } from './modules/audit-log/audit-log.service.js';
import { registerAuthRoutes } from './modules/auth/auth.routes.js';
import { createAuthService } from './modules/auth/auth.service.js';
import { registerConversionRoutes } from './modules/conversion/conversion.routes.js';
import { createConversionService } from './modules/conversion/conversion.service.js';
import { registerDuplicatesRoutes } from './modules/duplicates/duplicates.routes.js';
import { createDuplicatesService } from './modules/duplicates/duplicates.service.js';
import { createDemoService } from './modules/demo/demo.service.js';
import { registerHealthRoutes } from './modules/health/health.routes.js';
import { registerImportsRoutes } from './modules/imports/imports.routes.js';
import { createImportsService } from './modules/imports/imports.service.js';
import { registerCompaniesRoutes } from './modules/companies/companies.routes.js';
import { createCompaniesService } from './modules/companies/companies.service.js';
import { registerContactsRoutes } from './modules/contacts/contacts.routes.js';
import { createContactsService } from './modules/contacts/contacts.service.js';
import { registerCustomFieldsRoutes } from './modules/custom-fields/custom-fields.routes.js';
import { createCustomFieldsService } from './modules/custom-fields/custom-fields.service.js';
import { registerLeadSourcesRoutes } from './modules/lead-sources/lead-sources.routes.js';
import { createLeadSourcesService } from './modules/lead-sources/lead-sources.service.js';
import { registerLeadsRoutes } from './modules/leads/leads.routes.js';
import { registerMessagingRoutes } from './modules/messaging/messaging.routes.js';
import { createMessagingService } from './modules/messaging/messaging.service.js';
import { createTemplatesService } from './modules/messaging/templates.service.js';
import { createLeadsService } from './modules/leads/leads.service.js';
import { registerExportsRoutes } from './modules/exports/exports.routes.js';
import { createExportsService } from './modules/exports/exports.service.js';
import { registerPrivacyRoutes } from './modules/privacy/privacy.routes.js';
import { createPrivacyService } from './modules/privacy/privacy.service.js';
import { registerWorkspaceExportRoutes } from './modules/workspace-export/workspace-export.routes.js';
import { createWorkspaceExportService } from './modules/workspace-export/workspace-export.service.js';
import { registerLostReasonsRoutes } from './modules/lost-reasons/lost-reasons.routes.js';
import { registerScoringRoutes } from './modules/scoring/scoring.routes.js';
import { createScoringService } from './modules/scoring/scoring.service.js';
import { registerReviewsRoutes } from './modules/reviews/reviews.routes.js';
import { createReviewsService } from './modules/reviews/reviews.service.js';
import { registerSequencesRoutes } from './modules/sequences/sequences.routes.js';
import { createSequencesService } from './modules/sequences/sequences.service.js';
import { registerSavedViewsRoutes } from './modules/saved-views/saved-views.routes.js';
import { createSavedViewsService } from './modules/saved-views/saved-views.service.js';
import { createLostReasonsService } from './modules/lost-reasons/lost-reasons.service.js';
import { registerPipelinesRoutes } from './modules/pipelines/pipelines.routes.js';
import { createPipelinesService } from './modules/pipelines/pipelines.service.js';
import { registerPresetsRoutes } from './modules/presets/presets.routes.js';
import { createPresetsService } from './modules/presets/presets.service.js';
import { registerSetupRoutes } from './modules/setup/setup.routes.js';
import { createSetupService } from './modules/setup/setup.service.js';
import { registerFormsRoutes } from './modules/forms/forms.routes.js';
import { createFormsService } from './modules/forms/forms.service.js';
import { registerNotificationsRoutes } from './modules/notifications/notifications.routes.js';
import { createNotificationsService } from './modules/notifications/notifications.service.js';
import { registerTasksRoutes } from './modules/tasks/tasks.routes.js';
import { createTasksService } from './modules/tasks/tasks.service.js';
import { registerUsersRoutes } from './modules/users/users.routes.js';
import { createUsersService } from './modules/users/users.service.js';
import { registerWebhooksRoutes } from './modules/webhooks/webhooks.routes.js';
import { createWebhooksService } from './modules/webhooks/webhooks.service.js';
import { registerWorkRoutes } from './modules/work/work.routes.js';
import { createInsightsService } from './modules/insights/insights.service.js';
import { registerInsightsRoutes } from './modules/insights/insights.routes.js';
import { createWorkService } from './modules/work/work.service.js';
import { registerWorkspacesRoutes } from './modules/workspaces/workspaces.routes.js';
import { createWorkspacesService } from './modules/workspaces/workspaces.service.js';
import { registerAuthentication } from './platform/auth/authenticate.js';
import { systemClock, type Clock } from './platform/clock.js';
import type { Config } from './platform/config.js';
import { resolveEncryptionKey, type ResolvedEncryptionKey } from './platform/crypto.js';
import type { Database } from './platform/db/database.js';
import type { ServiceDeps } from './platform/deps.js';
import { createEvents } from './platform/events.js';
import { createJobs } from './platform/jobs.js';
import { createMailer } from './platform/mailer.js';
import { createSchedules } from './platform/schedules.js';
import { createTwilioSms } from './platform/sms.js';
import { createCredentialCache } from './platform/auth/credential-cache.js';
import { registerIdempotency } from './platform/http/idempotency.js';
import { registerOpenApi } from './platform/http/openapi.js';
import { registerProblemHandlers } from './platform/http/problem.js';
import { registerWebApp } from './platform/http/web-app.js';
import { serializerCompiler } from './platform/http/serializer.js';
import { VERSION } from './platform/version.js';

export interface BuildAppOptions {
  config: Config;
  database: Database;
  clock?: Clock;
  logger?: FastifyServerOptions['logger'];
  /** The key of sensitive fields; resolved from the configuration when left out. */
  encryptionKey?: ResolvedEncryptionKey;
}

const SAFE_REQUEST_ID = /^[\w.:-]{1,128}$/;

export function createServices(
  base: Omit<ServiceDeps, 'credentials' | 'jobs' | 'events' | 'schedules' | 'mailer' | 'sms'>,
) {
  const jobs = createJobs(base.db);
  const deps: ServiceDeps = {
    ...base,
    credentials: createCredentialCache(base.clock),
    jobs,
    events: createEvents(jobs, base.clock),
    schedules: createSchedules(base.db, jobs, base.clock),
    mailer: createMailer(base.config),
    sms: createTwilioSms(base.config),
  };
  const users = createUsersService(deps);
  const customFields = createCustomFieldsService(deps);
  const pipelines = createPipelinesService(deps, customFields);
  const leadSources = createLeadSourcesService(deps);
  const lostReasons = createLostReasonsService(deps);
  const savedViews = createSavedViewsService(deps);
  const templates = createTemplatesService(deps);
  const presets = createPresetsService(deps, pipelines, leadSources, lostReasons, customFields, {
    templates,
  });
  const workspaces = createWorkspacesService(deps, users, presets);
  const apiTokens = createApiTokensService(deps);
  const auth = createAuthService(deps, users, workspaces, apiTokens);
  const companies = createCompaniesService(deps, workspaces, customFields);
  const contacts = createContactsService(deps, workspaces, customFields);
  const timeline = createTimeline(deps);
  const notifications = createNotificationsService(deps);
  const assignment = createAssignmentService(deps, { users, leadSources });
  const leads = createLeadsService(deps, {
    assignment,
    notifications,
    pipelines,
    contacts,
    companies,
    users,
    workspaces,
    timeline,
    customFields,
  });
  const tasks = createTasksService(deps, { leads, contacts, users, workspaces, timeline });
  const activities = createActivitiesService(deps, { leads, contacts, tasks });
  const messaging = createMessagingService(deps, { templates, leads, contacts, activities });
  const forms = createFormsService(deps, {
    contacts,
    leads,
    activities,
    users,
    workspaces,
    pipelines,
    leadSources,
    notifications,
    customFields,
  });
  const insights = createInsightsService(deps, { workspaces });
  const scoring = createScoringService(deps, { customFields, leadSources, pipelines });
  const webhooks = createWebhooksService(deps);
  const sequences = createSequencesService(deps, {
    leads,
    contacts,
    tasks,
    workspaces,
    messaging,
  });
  const automation = createAutomationService(deps, {
    leads,
    contacts,
    tasks,
    assignment,
    notifications,
    users,
    workspaces,
    pipelines,
    presets,
    templates,
    messaging,
    sequences,
    webhooks,
  });
  return {
    automation,
    jobs: deps.jobs,
    scoring,
    webhooks,
    accounting: createAccountingService(deps, { leads }),
    reviews: createReviewsService(deps, { notifications }),
    events: deps.events,
    schedules: deps.schedules,
    mailer: deps.mailer,
    customFields,
    companies,
    contacts,
    leads,
    tasks,
    activities,
    insights,
    work: createWorkService(deps, { leads, tasks, insights }),
    conversion: createConversionService(deps, {
      leads,
      pipelines,
      contacts,
      companies,
      customFields,
      tasks,
    }),
    duplicates: createDuplicatesService(deps, {
      contacts,
      companies,
      leads,
      tasks,
      timeline,
      workspaces,
    }),
    users,
    workspaces,
    apiTokens,
    auth,
    assignment,
    auditLog: createAuditLogService(deps),
    analytics: createAnalyticsService(deps, {
      workspaces,
      pipelines,
      leadSources,
      lostReasons,
      users,
    }),
    pipelines,
    leadSources,
    lostReasons,
    savedViews,
    exports: createExportsService({
      leads,
      tasks,
      contacts,
      companies,
      pipelines,
      leadSources,
      users,
      customFields,
      activities,
    }),
    workspaceExport: createWorkspaceExportService(deps),
    privacy: createPrivacyService(deps, { customFields, forms, notifications, messaging }),
    presets,
    imports: createImportsService(deps, {
      assignment,
      customFields,
      pipelines,
      leadSources,
      lostReasons,
      users,
      workspaces,
    }),
    setup: createSetupService(deps, users, workspaces),
    notifications,
    forms,
    templates,
    messaging,
    sequences,
    demo: createDemoService(deps, users, workspaces, {
      pipelines,
      leadSources,
      lostReasons,
      leads,
      activities,
      tasks,
    }),
  };
}

export type Services = ReturnType<typeof createServices>;

export async function buildApp(options: BuildAppOptions) {
  const { config, database } = options;
  const clock = options.clock ?? systemClock;
  // Sensitive fields' key: ENCRYPTION_KEY, the data directory's key file, or a throwaway one.
  const encryption = options.encryptionKey ?? resolveEncryptionKey(config);
  const services = createServices({
    db: database.db,
    clock,
    config,
    encryptionKey: encryption.key,
  });

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
  services.jobs.onError(({ queue, error }) => app.log.error({ err: error, queue }, 'job failed'));
  await services.jobs.createQueues();
  // Workers run only where start() was called (the server); closing the app stops them.
  app.addHook('onClose', async () => {
    services.schedules.stop();
    // A training thread would hold the job (and so the shutdown) until it finished.
    await services.scoring.stopTraining();
    await services.jobs.stop();
    services.mailer.close();
  });
  if (!services.mailer.configured) {
    app.log.warn(
      'SMTP_URL is not set: scheduled reviews are delivered in-app only, without email.',
    );
  }
  if (!encryption.key) {
    app.log.warn(
      'ENCRYPTION_KEY is not set: sensitive custom fields cannot be stored until it is ' +
        '(32 bytes as base64 or 64 hex characters, e.g. `openssl rand -base64 32`).',
    );
  }

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
  // CSV uploads (imports): the file streams through, never buffered whole; 100 MB at most.
  await app.register(multipart, {
    limits: { fileSize: 100 * 1024 * 1024, files: 1, fields: 20, fieldSize: 1024 * 1024 },
  });
  if (config.corsOrigins.length > 0) {
    await app.register(cors, { origin: config.corsOrigins, credentials: true });
  }

  registerAuthentication(app, (credentials) => services.auth.resolveActor(credentials));
  registerIdempotency(app, database.db, clock);
  await registerOpenApi(app, VERSION);
  await registerWebApp(app);

  registerHealthRoutes(app, database.kind, VERSION);
  registerAuthRoutes(app, services.auth, config);
  registerWorkspacesRoutes(app, services.workspaces);
  registerUsersRoutes(app, services.users);
  registerApiTokensRoutes(app, services.apiTokens);
  registerAuditLogRoutes(app, services.auditLog);
  registerPipelinesRoutes(app, services.pipelines);
  registerLeadSourcesRoutes(app, services.leadSources);
  registerLostReasonsRoutes(app, services.lostReasons);
  registerSavedViewsRoutes(app, services.savedViews);
  registerExportsRoutes(app, services.exports);
  registerWorkspaceExportRoutes(app, services.workspaceExport);
  registerPrivacyRoutes(app, services.privacy);
  registerPresetsRoutes(app, services.presets);
  registerCompaniesRoutes(app, services.companies);
  registerContactsRoutes(app, services.contacts);
  registerLeadsRoutes(app, services.leads);
  registerCustomFieldsRoutes(app, services.customFields);
  registerActivitiesRoutes(app, services.activities);
  registerAnalyticsRoutes(app, services.analytics);
  registerAssignmentRoutes(app, services.assignment);
  registerAutomationRoutes(app, services.automation);
  registerScoringRoutes(app, services.scoring);
  registerTasksRoutes(app, services.tasks);
  registerWorkRoutes(app, services.work);
  registerInsightsRoutes(app, services.insights);
  registerDuplicatesRoutes(app, services.duplicates);
  registerConversionRoutes(app, services.conversion);
  registerImportsRoutes(app, services.imports);
  registerNotificationsRoutes(app, services.notifications);
  registerFormsRoutes(app, services.forms, config.publicUrl);
  registerWebhooksRoutes(app, services.webhooks);
  registerAccountingRoutes(app, services.accounting);
  registerReviewsRoutes(app, services.reviews);
  registerMessagingRoutes(app, services.templates, services.messaging);
  registerSequencesRoutes(app, services.sequences);
  registerSetupRoutes(app, services.setup, services.auth);

  return { app, services, routes };
}
