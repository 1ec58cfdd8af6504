import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { actorOf } from '../../platform/auth/authenticate.js';
import { AppError } from '../../platform/errors.js';
import type { App } from '../../platform/http/types.js';
import {
  importIdParamsSchema,
  importPreviewSchema,
  importSchema,
  listImportsQuerySchema,
  saveMappingBodySchema,
  savedMappingSchema,
  undoResultSchema,
} from './imports.schemas.js';
import type { ImportsService, UploadPart } from './imports.service.js';

const tags = ['imports'];

const MULTIPART_DESCRIPTION =
  'multipart/form-data with the parts `file` (the CSV, up to 100 MB / 1,000,000 rows), ' +
  '`entity` (leads | contacts | companies), `mapping` (JSON: {"Header": "field"}), ' +
  '`duplicatePolicy` (skip | update | create), `dryRun`, `allOrNothing` and `createFields` ' +
  '(true/false). docs/import.md lists the fields a column can map to.';

/** The request's multipart parts as the service takes them (415 when it isn't multipart). */
async function* partsOf(request: FastifyRequest): AsyncGenerator<UploadPart> {
  if (!request.isMultipart()) {
    throw new AppError('unsupported_media_type', {
      message: 'Send the file as multipart/form-data.',
    });
  }
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      yield { type: 'file', fieldname: part.fieldname, filename: part.filename, file: part.file };
    } else {
      yield { type: 'field', fieldname: part.fieldname, value: part.value };
    }
  }
}

export function registerImportsRoutes(app: App, imports: ImportsService): void {
  app.post(
    '/api/imports',
    {
      config: { access: 'lead:create' },
      schema: {
        tags,
        summary: 'Upload a CSV and queue its import (a background job)',
        description: MULTIPART_DESCRIPTION,
        consumes: ['multipart/form-data'],
        response: { 202: z.object({ id: z.uuid() }) },
      },
    },
    async (request, reply) =>
      reply.code(202).send(await imports.createImport(actorOf(request), partsOf(request))),
  );

  app.post(
    '/api/imports/preview',
    {
      config: { access: 'lead:create' },
      schema: {
        tags,
        summary: 'The first rows, detected format and detected mapping of a CSV (nothing stored)',
        description: `${MULTIPART_DESCRIPTION} Only the first megabyte is read.`,
        consumes: ['multipart/form-data'],
        response: { 200: importPreviewSchema },
      },
    },
    async (request) => imports.previewImport(actorOf(request), partsOf(request)),
  );

  app.get(
    '/api/imports',
    {
      config: { access: 'lead:create' },
      schema: {
        tags,
        summary: 'Past and running imports, newest first',
        querystring: listImportsQuerySchema,
        response: {
          200: z.object({ items: z.array(importSchema), nextCursor: z.string().nullable() }),
        },
      },
    },
    (request) => imports.listImports(actorOf(request), request.query),
  );

  app.get(
    '/api/imports/:id',
    {
      config: { access: 'lead:create' },
      schema: {
        tags,
        summary: 'An import: status, progress (rows, rate, ETA), counts and the first errors',
        params: importIdParamsSchema,
        response: { 200: importSchema },
      },
    },
    (request) => imports.getImport(actorOf(request), request.params.id),
  );

  app.get(
    '/api/imports/:id/report.csv',
    {
      config: { access: 'lead:create' },
      schema: {
        tags,
        summary: 'Every problem of the import as CSV: row, column, value, message',
        params: importIdParamsSchema,
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const csv = await imports.importReport(actorOf(request), request.params.id);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="import-report.csv"')
        .send(csv);
    },
  );

  app.post(
    '/api/imports/:id/cancel',
    {
      config: { access: 'lead:create' },
      schema: {
        tags,
        summary: 'Stop an import after its current batch (its member, or lead:configure)',
        params: importIdParamsSchema,
        response: { 200: importSchema },
      },
    },
    (request) => imports.cancelImport(actorOf(request), request.params.id),
  );

  app.post(
    '/api/imports/:id/undo',
    {
      config: { access: 'lead:update' },
      schema: {
        tags,
        summary: 'Archive every record the import created (its member, or lead:configure)',
        params: importIdParamsSchema,
        response: { 200: undoResultSchema },
      },
    },
    (request) => imports.undoImport(actorOf(request), request.params.id),
  );

  app.get(
    '/api/import-mappings',
    {
      config: { access: 'lead:create' },
      schema: {
        tags,
        summary: "The workspace's saved column mappings",
        response: {
          200: z.object({ items: z.array(savedMappingSchema), nextCursor: z.null() }),
        },
      },
    },
    (request) => imports.listMappings(actorOf(request)),
  );

  app.post(
    '/api/import-mappings',
    {
      config: { access: 'lead:create' },
      schema: {
        tags,
        summary: 'Save a column mapping under a name (the same name replaces it)',
        body: saveMappingBodySchema,
        response: { 200: savedMappingSchema },
      },
    },
    (request) => imports.saveMapping(actorOf(request), request.body),
  );
}
