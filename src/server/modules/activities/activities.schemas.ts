import { z } from 'zod';
import {
  ACTIVITY_DIRECTIONS,
  ACTIVITY_OUTCOMES,
  ACTIVITY_TYPES,
  TASK_TYPES,
} from '../../platform/db/schema.js';
import { pageQuerySchema } from '../../platform/http/pagination.js';

/** What a person logs by hand; the other types are written by the server itself. */
export const LOGGABLE_TYPES = ['call', 'email', 'sms', 'meeting', 'note', 'document_sent'] as const;

export const activitySchema = z
  .object({
    id: z.uuid(),
    leadId: z.uuid().nullable(),
    contactId: z.uuid().nullable(),
    type: z.enum(ACTIVITY_TYPES),
    direction: z.enum(ACTIVITY_DIRECTIONS).nullable(),
    outcome: z.enum(ACTIVITY_OUTCOMES),
    subject: z.string(),
    body: z.string(),
    occurredAt: z.iso.datetime(),
    durationMinutes: z.number().int().nullable(),
    nextStep: z.string(),
    details: z
      .record(z.string(), z.unknown())
      .describe('What a server-written entry records, e.g. fromStageId/toStageId'),
    createdBy: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Activity' });
export type ActivityDto = z.infer<typeof activitySchema>;

export const logActivityBodySchema = z.object({
  type: z.enum(LOGGABLE_TYPES),
  direction: z
    .enum(ACTIVITY_DIRECTIONS)
    .optional()
    .describe('Defaults to outbound for calls, emails, messages and documents'),
  outcome: z.enum(ACTIVITY_OUTCOMES).default('none'),
  subject: z.string().trim().max(300).default(''),
  body: z.string().max(20_000).default(''),
  occurredAt: z.iso.datetime({ offset: true }).optional().describe('Defaults to now'),
  durationMinutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .optional(),
  nextStep: z.string().trim().max(1000).default(''),
  followUp: z
    .object({
      dueAt: z.iso.datetime({ offset: true }),
      type: z.enum(TASK_TYPES).default('follow_up'),
      title: z.string().trim().min(1).max(300).optional().describe('Defaults to the next step'),
    })
    .optional()
    .describe('Schedules the next step as a task in the same transaction'),
});
export type LogActivityInput = z.infer<typeof logActivityBodySchema>;

export const listActivitiesQuerySchema = pageQuerySchema.extend({
  type: z.enum(ACTIVITY_TYPES).optional(),
});
export type ListActivitiesQuery = z.infer<typeof listActivitiesQuerySchema>;

export const recordIdParamsSchema = z.object({ id: z.uuid() });

/** Filters of the activities CSV export (GET /api/exports/activities.csv): the whole timeline. */
export const exportActivitiesQuerySchema = z.object({
  leadId: z.uuid().optional().describe("One lead's timeline"),
  contactId: z.uuid().optional().describe("One contact's timeline (with its leads' entries)"),
  type: z.enum(ACTIVITY_TYPES).optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('Occurred at or after'),
  to: z.iso.datetime({ offset: true }).optional().describe('Occurred before'),
});
export type ExportActivitiesQuery = z.infer<typeof exportActivitiesQuerySchema>;
