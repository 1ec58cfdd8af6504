import { actorOf } from '../../platform/auth/authenticate.js';
import type { App } from '../../platform/http/types.js';
import { exportLeadsQuerySchema } from '../leads/leads.schemas.js';
import type { ExportsService } from './exports.service.js';

const tags = ['exports'];

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
    async (request, reply) => {
      const csv = await exports.exportLeads(actorOf(request), request.query);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="leads.csv"')
        .send(csv);
    },
  );
}
