import { z } from 'zod';
import { actorOf } from '../../platform/auth/authenticate.js';
import { parseIfMatch, withEtag } from '../../platform/http/versioning.js';
import type { App } from '../../platform/http/types.js';
import { leadSchema } from '../leads/leads.schemas.js';
import type { ConversionService } from './conversion.service.js';

export function registerConversionRoutes(app: App, conversion: ConversionService): void {
  app.post(
    '/api/leads/:id/convert',
    {
      config: { access: 'lead:convert' },
      schema: {
        tags: ['leads'],
        summary: 'Convert a lead: won stage, customer contact and company, onboarding tasks',
        description:
          "422 lists the pipeline's required-for-conversion fields the lead lacks. A converted " +
          'lead is locked: edits, stage moves and assignment answer 409; activities and tasks ' +
          'can still be added.',
        params: z.object({ id: z.uuid() }),
        response: { 200: leadSchema },
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await conversion.convertLead(
          actorOf(request),
          request.params.id,
          parseIfMatch(request.headers['if-match']),
        ),
      ),
  );
}
