import { Readable } from 'node:stream';
import { z } from 'zod';
import { actorOf } from '../../platform/auth/authenticate.js';
import { AppError } from '../../platform/errors.js';
import type { App } from '../../platform/http/types.js';
import { linesOf, type WorkspaceExportService } from './workspace-export.service.js';

const tags = ['workspaces'];
const NDJSON = 'application/x-ndjson';

export function registerWorkspaceExportRoutes(app: App, service: WorkspaceExportService): void {
  app.get(
    '/api/exports/workspace.jsonl',
    {
      config: { access: 'workspace:export' },
      schema: {
        tags,
        summary: 'The whole current workspace as JSON Lines (streamed)',
        description:
          'A header line {format, version, exportedAt, schemaVersion}, then {table, row} lines, ' +
          'referenced rows first. Sensitive custom values come decrypted; password hashes, ' +
          'sessions, API tokens and invites are left out (docs/data-portability.md).',
        produces: [NDJSON],
      },
    },
    async (request, reply) => {
      const file = await service.exportWorkspace(actorOf(request));
      const day = new Date().toISOString().slice(0, 10);
      return reply
        .type(`${NDJSON}; charset=utf-8`)
        .header('content-disposition', `attachment; filename="workspace-${day}.jsonl"`)
        .send(file);
    },
  );

  // The body is read as a stream of lines: an export can be far larger than a JSON body may be.
  // The parser is registered in this route's own scope so no other route accepts the type.
  void app.register((scope: App, _options, done) => {
    scope.addContentTypeParser(NDJSON, (_request, payload, parsed) => parsed(null, payload));
    scope.post(
      '/api/workspaces/import',
      {
        config: { access: 'workspace:import' },
        schema: {
          tags,
          summary: 'Import a workspace export as a new workspace (you become its admin)',
          description:
            `Send the file as ${NDJSON}. One transaction: all of it or nothing. Ids are kept; ` +
            "the workspace gets a new id. 422 for a file from a newer Leadkeeper's schema.",
          response: {
            201: z.object({
              workspaceId: z.uuid(),
              counts: z.record(z.string(), z.number().int()),
            }),
          },
        },
      },
      async (request, reply) => {
        if (!(request.body instanceof Readable)) {
          throw new AppError('unsupported_media_type', {
            message: `Send the export file as ${NDJSON}.`,
          });
        }
        const lines = linesOf(request.body);
        const result = await service.importWorkspace(actorOf(request), lines);
        return reply.code(201).send(result);
      },
    );
    done();
  });
}
