import { PassThrough } from 'node:stream';
import { z } from 'zod';
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

  app.get(
    '/api/notifications/stream',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary:
          'Live stream of your new notifications (server-sent events: ready, notification, unread)',
        response: {
          200: z
            .string()
            .describe(
              "text/event-stream; each event's data is JSON with unreadCount " +
                '(and the notification for "notification")',
            ),
        },
      },
    },
    async (request, reply) => {
      const stream = new PassThrough();
      const write = (text: string) => {
        if (!stream.destroyed) stream.write(text);
      };
      const stop = await notifications.watchNotifications(
        actorOf(request),
        (message) => {
          const { type, ...data } = message;
          write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
        },
        (error) => request.log.warn({ err: error }, 'notification stream poll failed'),
      );
      // A comment line now and then keeps proxies from closing a quiet stream.
      const heartbeat = setInterval(() => write(': ping\n\n'), 25_000);
      request.raw.on('close', () => {
        clearInterval(heartbeat);
        stop();
        stream.end();
      });
      return (
        reply
          .header('content-type', 'text/event-stream; charset=utf-8')
          .header('cache-control', 'no-cache, no-transform')
          .header('x-accel-buffering', 'no')
          // Fastify pipes a stream as it is (no serializer); the schema above documents it.
          .send(stream as unknown as string)
      );
    },
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
