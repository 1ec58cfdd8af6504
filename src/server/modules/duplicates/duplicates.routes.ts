import { actorOf } from '../../platform/auth/authenticate.js';
import { pageSchema } from '../../platform/http/pagination.js';
import { parseIfMatch, withEtag } from '../../platform/http/versioning.js';
import type { App } from '../../platform/http/types.js';
import { contactSchema } from '../contacts/contacts.schemas.js';
import { leadSchema } from '../leads/leads.schemas.js';
import type { DuplicatesService } from './duplicates.service.js';
import {
  duplicatePairSchema,
  listDuplicatesQuerySchema,
  mergeBodySchema,
  mergeParamsSchema,
} from './duplicates.schemas.js';

const tags = ['duplicates'];
const MERGE_DESCRIPTION =
  'Moves every lead, activity, task, stage-history row and link to `intoId`, fills its empty ' +
  'fields from this record, archives this one with a pointer (mergedIntoId) and writes the ' +
  'audit log, in one transaction. If-Match applies to this record. Answers with the survivor.';

export function registerDuplicatesRoutes(app: App, duplicates: DuplicatesService): void {
  app.get(
    '/api/duplicates',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'Likely duplicate pairs in the workspace, most likely first',
        description:
          'Contacts: a shared email or phone (score 1) or similar names (pg_trgm similarity at ' +
          "least the workspace's duplicateSimilarity). Leads: open leads of the same contact.",
        querystring: listDuplicatesQuerySchema,
        response: { 200: pageSchema(duplicatePairSchema) },
      },
    },
    (request) => duplicates.listDuplicates(actorOf(request), request.query),
  );

  app.post(
    '/api/contacts/:id/merge',
    {
      config: { access: 'lead:update' },
      schema: {
        tags,
        summary: 'Merge this contact into another',
        description: MERGE_DESCRIPTION,
        params: mergeParamsSchema,
        body: mergeBodySchema,
        response: { 200: contactSchema },
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await duplicates.mergeContacts(
          actorOf(request),
          request.params.id,
          request.body.intoId,
          parseIfMatch(request.headers['if-match']),
        ),
      ),
  );

  app.post(
    '/api/leads/:id/merge',
    {
      config: { access: 'lead:update' },
      schema: {
        tags,
        summary: 'Merge this lead into another',
        description: MERGE_DESCRIPTION,
        params: mergeParamsSchema,
        body: mergeBodySchema,
        response: { 200: leadSchema },
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await duplicates.mergeLeads(
          actorOf(request),
          request.params.id,
          request.body.intoId,
          parseIfMatch(request.headers['if-match']),
        ),
      ),
  );
}
