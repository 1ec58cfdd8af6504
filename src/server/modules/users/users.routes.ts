import { actorOf } from '../../platform/auth/authenticate.js';
import { pageSchema } from '../../platform/http/pagination.js';
import { parseIfMatch, withEtag } from '../../platform/http/versioning.js';
import type { App } from '../../platform/http/types.js';
import type { UsersService } from './users.service.js';
import {
  createUserBodySchema,
  createUserResponseSchema,
  listUsersQuerySchema,
  updateUserBodySchema,
  userIdParamsSchema,
  workspaceUserSchema,
} from './users.schemas.js';

const tags = ['users'];

export function registerUsersRoutes(app: App, users: UsersService): void {
  app.get(
    '/api/users',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'List the people of the current workspace',
        querystring: listUsersQuerySchema,
        response: { 200: pageSchema(workspaceUserSchema) },
      },
    },
    (request) => users.listUsers(actorOf(request), request.query),
  );

  app.get(
    '/api/users/:id',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Get a person of the current workspace',
        params: userIdParamsSchema,
        response: { 200: workspaceUserSchema },
      },
    },
    async (request, reply) => {
      const user = await users.getUser(actorOf(request), request.params.id);
      return withEtag(reply, user);
    },
  );

  app.post(
    '/api/users',
    {
      config: { access: 'user:manage' },
      schema: {
        tags,
        summary: 'Add a person to the current workspace',
        description:
          'With a password they can sign in at once; without one the response carries a ' +
          'one-time invite link.',
        body: createUserBodySchema,
        response: { 201: createUserResponseSchema },
      },
    },
    async (request, reply) => {
      const created = await users.createUser(actorOf(request), request.body);
      return reply.code(201).send(created);
    },
  );

  app.patch(
    '/api/users/:id',
    {
      config: { access: 'user:manage' },
      schema: {
        tags,
        summary: "Change a person's name, role or active flag (deactivate, never delete)",
        params: userIdParamsSchema,
        body: updateUserBodySchema,
        response: { 200: workspaceUserSchema },
      },
    },
    async (request, reply) => {
      const user = await users.updateUser(
        actorOf(request),
        request.params.id,
        request.body,
        parseIfMatch(request.headers['if-match']),
      );
      return withEtag(reply, user);
    },
  );
}
