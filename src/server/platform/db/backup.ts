// Backup and restore of the embedded database (`leadkeeper backup` / `restore`): PGlite's own
// dump of its data directory as a .tar.gz. Both take the data directory's lock, so they refuse
// while a server uses it. The encryption key file is not put in the archive — a backup kept
// apart from its key doesn't give away sensitive values — but copied next to it as <file>.key.
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import lockfile from 'proper-lockfile';
import { KEY_FILE_NAME } from '../crypto.js';
import { AppError } from '../errors.js';
import { DataDirLockedError, PGLITE_EXTENSIONS, PGLITE_PARSERS } from './database.js';

const PGLITE_DIR = 'pglite';

/** The same lock a running server holds (platform/db/database.ts). */
async function lockDataDir(dataDir: string) {
  try {
    return await lockfile.lock(dataDir, {
      lockfilePath: path.join(dataDir, 'leadkeeper.lock'),
      stale: 15_000,
      update: 5_000,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new DataDirLockedError(
        `The data directory ${dataDir} is in use by a running Leadkeeper. Stop it first.`,
      );
    }
    throw error;
  }
}

function openClient(dataDir: string, loadDataDir?: Blob) {
  return PGlite.create(path.join(dataDir, PGLITE_DIR), {
    parsers: PGLITE_PARSERS,
    extensions: PGLITE_EXTENSIONS,
    ...(loadDataDir ? { loadDataDir } : {}),
  });
}

/** Writes the database in `dataDir` to `file` (.tar.gz); returns the key file copy, if any. */
export async function backupDataDir(dataDir: string, file: string) {
  if (!fs.existsSync(path.join(dataDir, PGLITE_DIR))) {
    throw new AppError('conflict', {
      message: `There is no embedded database in ${dataDir} to back up.`,
    });
  }
  const unlock = await lockDataDir(dataDir);
  try {
    const client = await openClient(dataDir);
    let dump: Blob;
    try {
      dump = await client.dumpDataDir('gzip');
    } finally {
      await client.close();
    }
    const partial = `${file}.partial`;
    fs.writeFileSync(partial, Buffer.from(await dump.arrayBuffer()), { mode: 0o600 });
    fs.renameSync(partial, file);
    const keyFile = path.join(dataDir, KEY_FILE_NAME);
    if (!fs.existsSync(keyFile)) return { bytes: dump.size, keyCopy: undefined };
    const keyCopy = `${file}.key`;
    fs.copyFileSync(keyFile, keyCopy);
    fs.chmodSync(keyCopy, 0o600);
    return { bytes: dump.size, keyCopy };
  } finally {
    await unlock();
  }
}

/**
 * Restores a backup into `dataDir`: refused when it already holds a database, unless `force`,
 * which moves the old one aside (never deletes it). Brings back the key file from <file>.key
 * when the directory has none.
 */
export async function restoreDataDir(dataDir: string, file: string, force: boolean) {
  if (!fs.existsSync(file)) throw new AppError('conflict', { message: `No backup file ${file}.` });
  fs.mkdirSync(dataDir, { recursive: true });
  const unlock = await lockDataDir(dataDir);
  try {
    const target = path.join(dataDir, PGLITE_DIR);
    let movedAside: string | undefined;
    if (fs.existsSync(target) && fs.readdirSync(target).length > 0) {
      if (!force) {
        throw new AppError('conflict', {
          message:
            `${dataDir} already holds a database. Restore into an empty DATA_DIR, or pass --force ` +
            '(the current database is moved aside, not deleted).',
        });
      }
      movedAside = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      fs.renameSync(target, movedAside);
    }
    const client = await openClient(dataDir, new Blob([fs.readFileSync(file)]));
    try {
      await client.query('select 1');
    } finally {
      await client.close();
    }
    const keyFile = path.join(dataDir, KEY_FILE_NAME);
    const keyCopy = `${file}.key`;
    let keyRestored = false;
    if (!fs.existsSync(keyFile) && fs.existsSync(keyCopy)) {
      fs.copyFileSync(keyCopy, keyFile);
      fs.chmodSync(keyFile, 0o600);
      keyRestored = true;
    }
    return { movedAside, keyRestored };
  } finally {
    await unlock();
  }
}
