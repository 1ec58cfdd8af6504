import { actorOf } from '../../platform/auth/authenticate.js';
import { pageSchema } from '../../platform/http/pagination.js';
import { parseIfMatch, withEtag } from '../../platform/http/versioning.js';
import type { App } from '../../platform/http/types.js';
import { warningsSchema } from '../duplicates/duplicates.schemas.js';
import type { ContactsService } from './contacts.service.js';
import {
  contactIdParamsSchema,
  contactSchema,
  createContactBodySchema,
  listContactsQuerySchema,
  updateContactBodySchema,
} from './contacts.schemas.js';

const tags = ['contacts'];
const one = { 200: contactSchema };

export function registerContactsRoutes(app: App, contacts: ContactsService): void {
  app.get(
    '/api/contacts',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'List contacts by name; q searches names, emails and phones',
        querystring: listContactsQuerySchema,
        response: { 200: pageSchema(contactSchema) },
      },
    },
    (request) => contacts.listContacts(actorOf(request), request.query),
  );

  app.post(
    '/api/contacts',
    {
      config: { access: 'lead:create' },
      schema: {
        tags,
        summary: 'Create a contact (409 with candidates when the email or phone is known)',
        body: createContactBodySchema,
        response: { 201: contactSchema.extend({ warnings: warningsSchema }) },
      },
    },
    async (request, reply) => {
      const contact = await contacts.createContact(actorOf(request), request.body);
      return withEtag(reply.code(201), contact);
    },
  );

  app.get(
    '/api/contacts/:id',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'Get a contact (sensitive custom fields shown to lead:read_sensitive, audited)',
        params: contactIdParamsSchema,
        response: one,
      },
    },
    async (request, reply) => {
      const contact = await contacts.readContact(actorOf(request), request.params.id);
      return withEtag(reply, contact);
    },
  );

  app.patch(
    '/api/contacts/:id',
    {
      config: { access: 'lead:update' },
      schema: {
        tags,
        summary: 'Change a contact (409 on a duplicate email or phone unless allowDuplicate)',
        params: contactIdParamsSchema,
        body: updateContactBodySchema,
        response: one,
      },
    },
    async (request, reply) => {
      const contact = await contacts.updateContact(
        actorOf(request),
        request.params.id,
        request.body,
        parseIfMatch(request.headers['if-match']),
      );
      return withEtag(reply, contact);
    },
  );

  app.delete(
    '/api/contacts/:id',
    {
      config: { access: 'lead:update' },
      schema: {
        tags,
        summary: 'Archive a contact (nothing is deleted; restore brings it back)',
        params: contactIdParamsSchema,
        response: one,
      },
    },
    async (request, reply) => {
      const contact = await contacts.archiveContact(
        actorOf(request),
        request.params.id,
        parseIfMatch(request.headers['if-match']),
      );
      return withEtag(reply, contact);
    },
  );

  app.post(
    '/api/contacts/:id/restore',
    {
      config: { access: 'lead:update' },
      schema: {
        tags,
        summary: 'Restore an archived contact',
        params: contactIdParamsSchema,
        response: one,
      },
    },
    async (request, reply) => {
      const contact = await contacts.restoreContact(
        actorOf(request),
        request.params.id,
        parseIfMatch(request.headers['if-match']),
      );
      return withEtag(reply, contact);
    },
  );
}
