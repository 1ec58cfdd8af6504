import { actorOf } from '../../platform/auth/authenticate.js';
import type { App } from '../../platform/http/types.js';
import { contactSchema } from '../contacts/contacts.schemas.js';
import type { PrivacyService } from './privacy.service.js';
import {
  contactDataExportSchema,
  contactIdParamsSchema,
  eraseContactBodySchema,
} from './privacy.schemas.js';

const tags = ['contacts'];

export function registerPrivacyRoutes(app: App, privacy: PrivacyService): void {
  app.get(
    '/api/contacts/:id/data-export',
    {
      config: { access: 'contact:privacy' },
      schema: {
        tags,
        summary: 'Everything held about a person, for an access request (audited)',
        description:
          'The contact, the contacts merged into it, its leads, their timeline and tasks; ' +
          'sensitive custom values decrypted for roles with lead:read_sensitive.',
        params: contactIdParamsSchema,
        response: { 200: contactDataExportSchema },
      },
    },
    async (request, reply) => {
      const data = await privacy.exportContactData(actorOf(request), request.params.id);
      return reply
        .header('content-disposition', `attachment; filename="contact-${request.params.id}.json"`)
        .send(data);
    },
  );

  app.post(
    '/api/contacts/:id/erase',
    {
      config: { access: 'contact:privacy' },
      schema: {
        tags,
        summary: "Erase a person's data, keeping the business history (irreversible, audited)",
        description:
          'Anonymises the contact (and contacts merged into it) and removes their names, emails ' +
          "and phones from their leads', activities' and tasks' text and from the audit log's " +
          'snapshots. Leads, stages, values and dates stay. 409 when already erased.',
        params: contactIdParamsSchema,
        body: eraseContactBodySchema,
        response: { 200: contactSchema },
      },
    },
    (request) => privacy.eraseContact(actorOf(request), request.params.id, request.body),
  );
}
