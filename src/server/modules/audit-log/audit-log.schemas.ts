import { z } from 'zod';
import { pageQuerySchema } from '../../platform/http/pagination.js';

export const auditEntrySchema = z
  .object({
    id: z.uuid(),
    action: z.string(),
    entityType: z.string(),
    entityId: z.string(),
    actorUserId: z.uuid().nullable(),
    actorTokenId: z.uuid().nullable(),
    changes: z.record(z.string(), z.object({ before: z.unknown(), after: z.unknown() })),
    requestId: z.string().nullable(),
    ip: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntryDto = z.infer<typeof auditEntrySchema>;

export const listAuditQuerySchema = pageQuerySchema.extend({
  entityType: z.string().max(100).optional(),
  entityId: z.string().max(100).optional(),
  actorId: z.uuid().optional(),
  action: z.string().max(100).optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('Inclusive start (ISO 8601)'),
  to: z.iso.datetime({ offset: true }).optional().describe('Exclusive end (ISO 8601)'),
});
export type ListAuditQuery = z.infer<typeof listAuditQuerySchema>;
