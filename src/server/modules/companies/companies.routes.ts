import { actorOf } from '../../platform/auth/authenticate.js';
import { pageSchema } from '../../platform/http/pagination.js';
import { parseIfMatch, withEtag } from '../../platform/http/versioning.js';
import type { App } from '../../platform/http/types.js';
import { warningsSchema } from '../duplicates/duplicates.schemas.js';
import type { CompaniesService } from './companies.service.js';
import {
  companyIdParamsSchema,
  companySchema,
  createCompanyBodySchema,
  listCompaniesQuerySchema,
  updateCompanyBodySchema,
} from './companies.schemas.js';

const tags = ['companies'];
const one = { 200: companySchema };

export function registerCompaniesRoutes(app: App, companies: CompaniesService): void {
  app.get(
    '/api/companies',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'List companies by name (search with q)',
        querystring: listCompaniesQuerySchema,
        response: { 200: pageSchema(companySchema) },
      },
    },
    (request) => companies.listCompanies(actorOf(request), request.query),
  );

  app.post(
    '/api/companies',
    {
      config: { access: 'lead:create' },
      schema: {
        tags,
        summary: 'Create a company',
        body: createCompanyBodySchema,
        response: { 201: companySchema.extend({ warnings: warningsSchema }) },
      },
    },
    async (request, reply) => {
      const company = await companies.createCompany(actorOf(request), request.body);
      return withEtag(reply.code(201), company);
    },
  );

  app.get(
    '/api/companies/:id',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'Get a company (sensitive custom fields shown to lead:read_sensitive, audited)',
        params: companyIdParamsSchema,
        response: one,
      },
    },
    async (request, reply) => {
      const company = await companies.readCompany(actorOf(request), request.params.id);
      return withEtag(reply, company);
    },
  );

  app.patch(
    '/api/companies/:id',
    {
      config: { access: 'lead:update' },
      schema: {
        tags,
        summary: 'Change a company',
        params: companyIdParamsSchema,
        body: updateCompanyBodySchema,
        response: one,
      },
    },
    async (request, reply) => {
      const company = await companies.updateCompany(
        actorOf(request),
        request.params.id,
        request.body,
        parseIfMatch(request.headers['if-match']),
      );
      return withEtag(reply, company);
    },
  );

  app.delete(
    '/api/companies/:id',
    {
      config: { access: 'lead:update' },
      schema: {
        tags,
        summary: 'Archive a company (nothing is deleted; restore brings it back)',
        params: companyIdParamsSchema,
        response: one,
      },
    },
    async (request, reply) => {
      const company = await companies.archiveCompany(
        actorOf(request),
        request.params.id,
        parseIfMatch(request.headers['if-match']),
      );
      return withEtag(reply, company);
    },
  );

  app.post(
    '/api/companies/:id/restore',
    {
      config: { access: 'lead:update' },
      schema: {
        tags,
        summary: 'Restore an archived company',
        params: companyIdParamsSchema,
        response: one,
      },
    },
    async (request, reply) => {
      const company = await companies.restoreCompany(
        actorOf(request),
        request.params.id,
        parseIfMatch(request.headers['if-match']),
      );
      return withEtag(reply, company);
    },
  );
}
