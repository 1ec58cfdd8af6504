import { z } from 'zod';
import type { DatabaseKind } from '../../platform/db/database.js';
import type { App } from '../../platform/http/types.js';

const healthSchema = z
  .object({ status: z.literal('ok'), db: z.enum(['pglite', 'postgres']), version: z.string() })
  .meta({ id: 'Health' });

export function registerHealthRoutes(app: App, db: DatabaseKind, version: string): void {
  const body = { status: 'ok' as const, db, version };
  app.get(
    '/api/health',
    {
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Liveness: the server answers and which database it runs on',
        security: [],
        response: { 200: healthSchema },
      },
    },
    () => body,
  );
}
