// OpenAPI 3.1 generated from the routes' zod schemas, served at /api/openapi.json and /api/docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemSchema } from './problem.js';

export const OPENAPI_ROUTE = '/api/openapi.json';

// One schema object each, so their compiled serializers are shared by every route.
const clientProblem = problemSchema.describe('Client error (problem+json)');
const serverProblem = problemSchema.describe('Server error (problem+json)');

export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Leadkeeper API',
        version,
        description:
          'Lead-management CRM API. Errors are RFC 9457 problem+json. Cookie-authenticated ' +
          'writes need the X-CSRF-Token header; API tokens are sent as "Authorization: Bearer".',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'lk_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  // Every documented route may answer with a problem; list it once per route.
  app.addHook('onRoute', (route) => {
    if (!route.schema || route.schema.hide || !route.url.startsWith('/api/')) return;
    const response = (route.schema.response ?? {}) as Record<string, unknown>;
    response['4XX'] ??= clientProblem;
    response['5XX'] ??= serverProblem;
    route.schema.response = response;
  });

  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    // Helmet's policy covers the docs too (swagger-ui's own would force https and block styles).
    staticCSP: false,
    uiConfig: { docExpansion: 'list', deepLinking: true },
  });

  app.get(OPENAPI_ROUTE, { schema: { hide: true }, config: { access: 'public' } }, () =>
    app.swagger(),
  );
}

export const emptyResponse = z.null().describe('No content');
