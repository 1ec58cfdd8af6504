import { z } from 'zod';
import { pageQuerySchema } from '../../platform/http/pagination.js';

export const notificationSchema = z
  .object({
    id: z.uuid(),
    kind: z.string().describe('What happened, e.g. new_inquiry'),
    title: z.string(),
    body: z.string(),
    leadId: z.uuid().nullable(),
    read: z.boolean(),
    readAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Notification' });
export type NotificationDto = z.infer<typeof notificationSchema>;

export const listNotificationsQuerySchema = pageQuerySchema.extend({
  unread: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .default(false)
    .describe('Only the ones not read yet'),
});
export type ListNotificationsQuery = z.infer<typeof listNotificationsQuerySchema>;

export const notificationsPageSchema = z.object({
  items: z.array(notificationSchema),
  nextCursor: z.string().nullable(),
  unreadCount: z.number().int().describe("The caller's unread notifications, for the bell"),
});

export const notificationIdParamsSchema = z.object({ id: z.uuid() });

export const readAllResponseSchema = z.object({ marked: z.number().int() });
