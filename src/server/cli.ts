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
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { resolveEncryptionKey } from './platform/crypto.js';
import { backupDataDir, restoreDataDir } from './platform/db/backup.js';
import { linesOf } from './modules/workspace-export/workspace-export.service.js';
import { importCsvFile } from './modules/imports/imports.cli.js';

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
  await services.jobs.start({ workersPerQueue: config.jobWorkers });
  services.schedules.start();
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

/** The embedded database's directory; PostgreSQL and memory:// have their own tools, or none. */
function embeddedDataDir(config: Config, command: 'backup' | 'restore'): string {
  if (config.databaseUrl) {
    throw new AppError('bad_request', {
      message:
        `DATABASE_URL is set: this server's data is in PostgreSQL, so \`leadkeeper ${command}\` ` +
        'does not apply. Use PostgreSQL\'s tools: pg_dump -Fc "$DATABASE_URL" > leadkeeper.dump ' +
        'to back up, pg_restore --clean -d "$DATABASE_URL" leadkeeper.dump to restore. Keep ' +
        'ENCRYPTION_KEY with them.',
    });
  }
  if (config.dataDir.startsWith('memory://')) {
    throw new AppError('bad_request', {
      message: 'DATA_DIR is memory://: there is nothing on disk.',
    });
  }
  return config.dataDir;
}

program
  .command('backup')
  .description('Write the embedded database (DATA_DIR) to a .tar.gz; refused while a server runs')
  .argument('<file>', 'the backup file to write, e.g. leadkeeper-2026-03-02.tar.gz')
  .action(async (file: string) => {
    const dataDir = embeddedDataDir(loadConfig(), 'backup');
    const { bytes, keyCopy } = await backupDataDir(dataDir, file);
    say(`Backed up ${dataDir} to ${file} (${Math.ceil(bytes / 1024)} KiB).`);
    if (keyCopy) {
      say(`The encryption key is not in the backup; a copy is in ${keyCopy}.`);
      say('Store it apart from the backup: without it, sensitive fields cannot be read.');
    }
  });

program
  .command('restore')
  .description('Restore a backup into an empty DATA_DIR (or --force); refused while a server runs')
  .argument('<file>', 'a file written by leadkeeper backup')
  .option('--force', 'replace the database in DATA_DIR (it is moved aside, not deleted)')
  .action(async (file: string, options: { force?: boolean }) => {
    const dataDir = embeddedDataDir(loadConfig(), 'restore');
    const restored = await restoreDataDir(dataDir, file, options.force === true);
    if (restored.movedAside) say(`The database that was there is now in ${restored.movedAside}.`);
    if (restored.keyRestored) say(`The encryption key came back from ${file}.key.`);
    say(`Restored ${file} into ${dataDir}. Start the server as usual (it migrates if needed).`);
  });

/** Services that can read and write sensitive values (the workspace export needs the key). */
async function withKeyedServices<T>(run: (services: Services) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await openMigrated(config);
  try {
    const encryptionKey = resolveEncryptionKey(config).key;
    return await run(
      createServices({ db: database.db, clock: systemClock, config, encryptionKey }),
    );
  } finally {
    await database.close();
  }
}

const workspaceCommand = program
  .command('workspace')
  .description('Export a whole workspace as JSON Lines, or import one as a new workspace');

workspaceCommand
  .command('export')
  .description('Write a workspace to a .jsonl file (sensitive values decrypted: keep it safe)')
  .argument('<file>', 'the file to write')
  .requiredOption('--as <email>', 'an admin of the workspace')
  .option('--workspace <id>', 'workspace id (default: the first workspace of --as)')
  .action(async (file: string, options: { as: string; workspace?: string }) =>
    withKeyedServices(async (services) => {
      const admin = await services.users.findUserByEmail(options.as);
      if (!admin) throw new AppError('not_found', { message: `No user ${options.as}.` });
      const workspace = await resolveWorkspace(services, admin.id, options.workspace);
      if (workspace.role !== 'admin') {
        throw new AppError('forbidden', {
          message: `${options.as} is not an admin of "${workspace.name}".`,
        });
      }
      const stream = await services.workspaceExport.exportWorkspace(
        systemActorFor(workspace.id, admin.id),
      );
      await pipeline(stream, createWriteStream(file, { mode: 0o600 }));
      say(`Exported "${workspace.name}" to ${file}.`);
    }),
  );

workspaceCommand
  .command('import')
  .description('Import a workspace export as a new workspace with --as as its admin')
  .argument('<file>', 'a file written by workspace export (or GET /api/exports/workspace.jsonl)')
  .requiredOption('--as <email>', "who becomes the new workspace's admin")
  .action(async (file: string, options: { as: string }) =>
    withKeyedServices(async (services) => {
      const user = await services.users.findUserByEmail(options.as);
      if (!user) throw new AppError('not_found', { message: `No user ${options.as}.` });
      const actor = { ...systemActorFor('', user.id), isInstanceAdmin: user.is_instance_admin };
      const result = await services.workspaceExport.importWorkspace(
        actor,
        linesOf(createReadStream(file)),
      );
      const rows = Object.values(result.counts).reduce((sum, count) => sum + count, 0);
      say(`Imported ${rows} rows as workspace ${result.workspaceId}; ${options.as} is its admin.`);
    }),
  );

program
  .command('import')
  .description('Import a CSV file of leads, contacts or companies (docs/import.md)')
  .argument('<entity>', 'leads, contacts or companies')
  .argument('<file>', 'the CSV file (up to 100 MB / 1,000,000 rows)')
  .option('--mapping <file>', 'a JSON file {"Column header": "field"} over the detected mapping')
  .option('--dry-run', 'check every row and report; write nothing')
  .option('--duplicates <policy>', 'a row that matches a record: skip, update or create', 'skip')
  .option('--workspace <id>', 'workspace id (default: the first workspace of --as)')
  .option('--as <email>', 'the member the import is done as (default: ADMIN_EMAIL)')
  .action(
    async (
      entity: string,
      file: string,
      options: {
        mapping?: string;
        dryRun?: boolean;
        duplicates: string;
        workspace?: string;
        as?: string;
      },
    ) =>
      withKeyedServices(async (services) => {
        const email = options.as ?? loadConfig().admin?.email;
        if (!email) {
          throw new AppError('bad_request', { message: 'Pass --as <email> (or set ADMIN_EMAIL).' });
        }
        const user = await services.users.findUserByEmail(email);
        if (!user) throw new AppError('not_found', { message: `No user ${email}.` });
        const workspace = await resolveWorkspace(services, user.id, options.workspace);
        const actor: Actor = {
          ...systemActorFor(workspace.id, user.id),
          role: workspace.role,
          permissions: permissionsOf(workspace.role),
        };
        const result = await importCsvFile(services.imports, actor, {
          entity,
          file,
          mappingFile: options.mapping,
          dryRun: options.dryRun === true,
          duplicatePolicy: options.duplicates,
        });
        if (result.status !== 'completed') process.exitCode = 1;
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
