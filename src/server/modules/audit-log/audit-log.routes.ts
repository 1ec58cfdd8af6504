import { actorOf } from '../../platform/auth/authenticate.js';
import { pageSchema } from '../../platform/http/pagination.js';
import type { App } from '../../platform/http/types.js';
import type { AuditLogService } from './audit-log.service.js';
import { auditEntrySchema, listAuditQuerySchema } from './audit-log.schemas.js';

export function registerAuditLogRoutes(app: App, auditLog: AuditLogService): void {
  app.get(
    '/api/audit-log',
    {
      config: { access: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: 'The audit log of the current workspace, newest first',
        querystring: listAuditQuerySchema,
        response: { 200: pageSchema(auditEntrySchema) },
      },
    },
    (request) => auditLog.listAuditEntries(actorOf(request), request.query),
  );
}
