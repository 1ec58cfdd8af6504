import { actorOf } from '../../platform/auth/authenticate.js';
import type { App } from '../../platform/http/types.js';
import type { NotificationsService } from './notifications.service.js';
import {
  listNotificationsQuerySchema,
  notificationIdParamsSchema,
  notificationSchema,
  notificationsPageSchema,
  readAllResponseSchema,
} from './notifications.schemas.js';

const tags = ['notifications'];

export function registerNotificationsRoutes(app: App, notifications: NotificationsService): void {
  app.get(
    '/api/notifications',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: "The caller's own in-app notifications, newest first, with the unread count",
        querystring: listNotificationsQuerySchema,
        response: { 200: notificationsPageSchema },
      },
    },
    (request) => notifications.listNotifications(actorOf(request), request.query),
  );

  app.post(
    '/api/notifications/:id/read',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'Mark one of your notifications read',
        params: notificationIdParamsSchema,
        response: { 200: notificationSchema },
      },
    },
    (request) => notifications.markRead(actorOf(request), request.params.id),
  );

  app.post(
    '/api/notifications/read-all',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'Mark all your notifications read',
        response: { 200: readAllResponseSchema },
      },
    },
    (request) => notifications.markAllRead(actorOf(request)),
  );
}
