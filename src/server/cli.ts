#!/usr/bin/env node
// The leadkeeper command: start the server, migrate, and the admin chores that need no UI.
import { Command, Option } from 'commander';
import { buildApp, createServices, type Services } from './app.js';
import { systemClock } from './platform/clock.js';
import { ConfigError, loadConfig, type Config } from './platform/config.js';
import { EncryptionKeyError } from './platform/crypto.js';
import { DataDirLockedError, openDatabase, type Database } from './platform/db/database.js';
import { migrateToLatest } from './platform/db/migrate.js';
import { ROLES, type Role } from './platform/db/schema.js';
import { AppError } from './platform/errors.js';
import { permissionsOf } from './platform/auth/permissions.js';
import type { Actor } from './platform/auth/actor.js';
import { systemActorFor } from './modules/users/users.service.js';
import { VERSION } from './platform/version.js';

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function openMigrated(config: Config): Promise<Database> {
  const database = await openDatabase(config);
  try {
    await migrateToLatest(database.db);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

async function withServices<T>(
  run: (services: Services, config: Config) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const database = await openMigrated(config);
  try {
    return await run(createServices({ db: database.db, clock: systemClock, config }), config);
  } finally {
    await database.close();
  }
}

async function resolveWorkspace(services: Services, userId: string, workspaceId?: string) {
  const memberships = await services.users.listWorkspacesOf(userId);
  const chosen = workspaceId ? memberships.find((m) => m.id === workspaceId) : memberships[0];
  if (!chosen) {
    throw new AppError('not_found', {
      message: workspaceId
        ? `That user is not an active member of workspace ${workspaceId}.`
        : 'That user is not an active member of any workspace.',
    });
  }
  if (!workspaceId && memberships.length > 1) {
    say(`Using workspace "${chosen.name}" (${chosen.id}); pass --workspace to choose another.`);
  }
  return chosen;
}

async function start(options: { demo?: boolean }): Promise<void> {
  const config = loadConfig();
  const database = await openMigrated(config);
  const { app, services } = await buildApp({ config, database });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  // The demo comes first: an instance that has it needs no setup link.
  const demo = options.demo || config.demo ? await services.demo.loadDemo() : undefined;
  const instance = await services.setup.prepareInstance();
  await app.listen({ host: config.host, port: config.port });
  say(`Leadkeeper ${VERSION} is listening on ${config.publicUrl} (database: ${database.kind})`);
  switch (instance.state) {
    case 'ready':
      break;
    case 'admin_created':
      say(`Created the first workspace and admin ${instance.email} from ADMIN_EMAIL.`);
      break;
    case 'needs_setup':
      say('No one has set up this Leadkeeper yet. Open this one-time link to create the admin:');
      say(`  ${instance.setupUrl}`);
      break;
  }
  if (demo) {
    say(`Demo workspace "${demo.workspaceName}" ${demo.created ? 'loaded' : 'is there'}.`);
    say(`  Sign in as ${demo.email} with password ${demo.password}`);
  }
}

const program = new Command()
  .name('leadkeeper')
  .description('Leadkeeper: the open-source lead desk.')
  .version(VERSION);

program
  .command('start')
  .description('Run the server (migrates first). Configured by environment variables.')
  .option('--demo', 'load the demo workspace and print its sign-in')
  .action(start);

program
  .command('migrate')
  .description('Apply pending database migrations and exit')
  .action(async () => {
    const config = loadConfig();
    const database = await openDatabase(config);
    try {
      const applied = await migrateToLatest(database.db);
      say(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
    } finally {
      await database.close();
    }
  });

const roleOption = () => new Option('--role <role>', 'role in the workspace').choices(ROLES);

program
  .command('create-user')
  .description('Add a person to a workspace (prints an invite link when no password is given)')
  .requiredOption('--email <email>', 'their email')
  .requiredOption('--name <name>', 'their name')
  .addOption(roleOption().default('agent'))
  .option('--password <password>', 'let them sign in at once with this password')
  .option('--workspace <id>', 'workspace id (default: the first workspace of --as)')
  .requiredOption('--as <email>', 'an admin of the workspace, on whose behalf this is done')
  .action(
    async (options: {
      email: string;
      name: string;
      role: Role;
      password?: string;
      workspace?: string;
      as: string;
    }) =>
      withServices(async (services) => {
        const admin = await services.users.findUserByEmail(options.as);
        if (!admin) throw new AppError('not_found', { message: `No user ${options.as}.` });
        const workspace = await resolveWorkspace(services, admin.id, options.workspace);
        if (workspace.role !== 'admin') {
          throw new AppError('forbidden', {
            message: `${options.as} is not an admin of "${workspace.name}".`,
          });
        }
        const actor = systemActorFor(workspace.id, admin.id);
        const created = await services.users.createUser(actor, {
          email: options.email.trim().toLowerCase(),
          name: options.name,
          role: options.role,
          password: options.password,
        });
        say(`Added ${created.user.email} as ${created.user.role} to "${workspace.name}".`);
        if (created.inviteUrl) say(`One-time invite link: ${created.inviteUrl}`);
      }),
  );

program
  .command('reset-password')
  .description("Set a user's password and sign them out everywhere")
  .requiredOption('--email <email>', 'their email')
  .requiredOption('--password <password>', 'the new password (at least 10 characters)')
  .action(async (options: { email: string; password: string }) =>
    withServices(async (services) => {
      if (options.password.length < 10) {
        throw new AppError('validation_failed', { message: 'Use at least 10 characters.' });
      }
      const user = await services.users.resetPassword(options.email, options.password);
      await services.auth.revokeSessionsOfUser(user.id);
      say(`Password of ${user.email} changed; their sessions were signed out.`);
    }),
  );

program
  .command('create-api-token')
  .description("Create a personal API token for a user's workspace (printed once)")
  .requiredOption('--email <email>', 'the token owner')
  .requiredOption('--name <name>', 'what the token is for')
  .addOption(roleOption())
  .option('--workspace <id>', 'workspace id (default: their first workspace)')
  .action(async (options: { email: string; name: string; role?: Role; workspace?: string }) =>
    withServices(async (services) => {
      const user = await services.users.findUserByEmail(options.email);
      if (!user) throw new AppError('not_found', { message: `No user ${options.email}.` });
      const workspace = await resolveWorkspace(services, user.id, options.workspace);
      const actor: Actor = {
        ...systemActorFor(workspace.id, user.id),
        role: workspace.role,
        permissions: permissionsOf(workspace.role),
        isInstanceAdmin: user.is_instance_admin,
      };
      const token = await services.apiTokens.createApiToken(actor, {
        name: options.name,
        role: options.role,
      });
      say(`Token "${token.name}" (${token.role}) for "${workspace.name}". It is shown only once:`);
      say(token.token);
    }),
  );

program.parseAsync(process.argv).catch((error: unknown) => {
  if (
    error instanceof ConfigError ||
    error instanceof DataDirLockedError ||
    error instanceof EncryptionKeyError
  ) {
    process.stderr.write(`${error.message}\n`);
  } else if (error instanceof AppError) {
    const fields = error.fields?.map((f) => `\n  ${f.field}: ${f.message}`).join('') ?? '';
    process.stderr.write(`${error.message}${fields}\n`);
  } else {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
