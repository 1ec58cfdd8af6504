import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { actorOf } from '../../platform/auth/authenticate.js';
import type { App } from '../../platform/http/types.js';
import { listCompaniesQuerySchema } from '../companies/companies.schemas.js';
import { listContactsQuerySchema } from '../contacts/contacts.schemas.js';
import { exportLeadsQuerySchema } from '../leads/leads.schemas.js';
import { listTasksQuerySchema } from '../tasks/tasks.schemas.js';
import { exportActivitiesQuerySchema } from '../activities/activities.schemas.js';
import type { ExportsService } from './exports.service.js';

const tags = ['exports'];

function sendCsv(reply: FastifyReply, name: string, csv: Readable) {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}.csv"`)
    .send(csv);
}

export function registerExportsRoutes(app: App, exports: ExportsService): void {
  app.get(
    '/api/exports/leads.csv',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'The filtered leads list as CSV (streamed; UTF-8 with BOM)',
        description:
          "Takes GET /api/leads's filters and sort, and ids to export chosen leads. Sensitive " +
          'custom fields come masked, as in lists; formula-like cells are prefixed with a quote.',
        querystring: exportLeadsQuerySchema,
        // A stream, not JSON: no response schema to serialize through.
        produces: ['text/csv'],
      },
    },
    async (request, reply) =>
      sendCsv(reply, 'leads', await exports.exportLeads(actorOf(request), request.query)),
  );

  app.get(
    '/api/exports/contacts.csv',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'The filtered contacts list as CSV (streamed; UTF-8 with BOM)',
        description: "Takes GET /api/contacts's filters.",
        querystring: listContactsQuerySchema.omit({ cursor: true, limit: true }),
        produces: ['text/csv'],
      },
    },
    async (request, reply) =>
      sendCsv(reply, 'contacts', await exports.exportContacts(actorOf(request), request.query)),
  );

  app.get(
    '/api/exports/companies.csv',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'The filtered companies list as CSV (streamed; UTF-8 with BOM)',
        description: "Takes GET /api/companies's filters.",
        querystring: listCompaniesQuerySchema.omit({ cursor: true, limit: true }),
        produces: ['text/csv'],
      },
    },
    async (request, reply) =>
      sendCsv(reply, 'companies', await exports.exportCompanies(actorOf(request), request.query)),
  );

  app.get(
    '/api/exports/tasks.csv',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'The filtered tasks list as CSV (streamed; UTF-8 with BOM)',
        description: "Takes GET /api/tasks's filters (open tasks unless status says otherwise).",
        querystring: listTasksQuerySchema.omit({ cursor: true, limit: true }),
        produces: ['text/csv'],
      },
    },
    async (request, reply) =>
      sendCsv(reply, 'tasks', await exports.exportTasks(actorOf(request), request.query)),
  );

  app.get(
    '/api/exports/activities.csv',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'The timeline as CSV (streamed; UTF-8 with BOM), newest first',
        description:
          'The whole workspace, or one lead (leadId) or contact (contactId); type and an ' +
          'occurred-at range (from, to) narrow it. Agents limited to their own leads get those.',
        querystring: exportActivitiesQuerySchema,
        produces: ['text/csv'],
      },
    },
    async (request, reply) =>
      sendCsv(reply, 'activities', await exports.exportActivities(actorOf(request), request.query)),
  );
}
