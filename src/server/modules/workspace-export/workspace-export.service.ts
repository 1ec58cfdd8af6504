// Full workspace export as JSON Lines and its import into a new workspace (docs/data-portability.md).
// An export is one consistent snapshot (one repeatable-read transaction) written page by page to
// a temporary file, then streamed from it: the database is free again as soon as the snapshot
// is written, however slowly the client downloads, and the workspace is never in memory.
// An import is one transaction (all or nothing); rows keep their ids, only the workspace id is new.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { recordAudit, type Executor } from '../../platform/audit.js';
import { decryptText, encryptText } from '../../platform/crypto.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors.js';
import * as repo from './workspace-export.repository.js';
import { EXPORTED_TABLES, type ExportedTable } from './workspace-export.tables.js';

export const EXPORT_FORMAT = 'leadkeeper-workspace';
export const EXPORT_VERSION = 1;
const PAGE_SIZE = 500;
const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INSERT_BATCH = 500;

export interface ExportHeader {
  format: typeof EXPORT_FORMAT;
  version: number;
  exportedAt: string;
  schemaVersion: string;
}

type JsonRow = repo.JsonRow;

/** The tables before the generic list, in file order. */
const HEAD_TABLES = ['workspaces', 'users', 'memberships'] as const;
const FILE_ORDER = [...HEAD_TABLES, ...EXPORTED_TABLES.map((table) => table.name)];
const TABLES_BY_NAME = new Map(EXPORTED_TABLES.map((table) => [table.name, table]));

// A sensitive custom value leaves the instance decrypted (another instance has another key)
// and is encrypted again under this instance's key on import.
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function mapCustomFields(
  row: JsonRow,
  convert: (value: Record<string, unknown>) => unknown,
): JsonRow {
  const custom = row.custom_fields;
  if (!isObject(custom)) return row;
  const values = Object.fromEntries(
    Object.entries(custom).map(([key, value]) => [key, isObject(value) ? convert(value) : value]),
  );
  return { ...row, custom_fields: values };
}

function invalidLine(line: number, message: string): AppError {
  return new AppError('validation_failed', {
    message: 'This file is not a Leadkeeper workspace export this server can import.',
    fields: [{ field: `line ${line}`, message }],
  });
}

/** Writes lines to a file, waiting when the file stream's buffer is full. */
async function writeLine(out: fs.WriteStream, value: unknown) {
  if (!out.write(`${JSON.stringify(value)}\n`)) await once(out, 'drain');
}

/**
 * The lines of a stream as it arrives. (Not readline's iterator: it drops lines that arrive
 * before iteration starts, and the service opens its transaction first.)
 */
export async function* linesOf(stream: Readable): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    rest += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) yield line.endsWith('\r') ? line.slice(0, -1) : line;
  }
  rest += decoder.end();
  if (rest !== '') yield rest;
}

export function createWorkspaceExportService({ db, clock, config, encryptionKey }: ServiceDeps) {
  function reveal(value: Record<string, unknown>): unknown {
    if (typeof value.$enc !== 'string') return value;
    if (!encryptionKey) {
      throw new AppError('conflict', {
        message:
          'This workspace has sensitive values, but this server has no ENCRYPTION_KEY to read them.',
      });
    }
    return { $sensitive: JSON.parse(decryptText(encryptionKey, value.$enc)) as unknown };
  }

  function conceal(value: Record<string, unknown>): unknown {
    if (!('$sensitive' in value)) return value;
    if (!encryptionKey) {
      throw new AppError('conflict', {
        message:
          'This file has sensitive values, but this server has no ENCRYPTION_KEY to store them.',
      });
    }
    return { $enc: encryptText(encryptionKey, JSON.stringify(value.$sensitive)) };
  }

  /** Every row of a table in the workspace, a page at a time in primary-key order. */
  async function* pagesOf(trx: Executor, workspaceId: string, table: ExportedTable) {
    const { key } = await repo.describeTable(trx, table.name);
    const leaveOut = [...(table.derived ?? []), ...(table.secret ?? [])];
    let after: unknown[] | undefined;
    for (;;) {
      const rows = await repo.readPage(
        trx,
        workspaceId,
        table.name,
        key,
        leaveOut,
        after,
        PAGE_SIZE,
      );
      if (rows.length > 0) yield rows;
      if (rows.length < PAGE_SIZE) return;
      const last = rows.at(-1)!;
      after = key.map((column) => last[column]);
    }
  }

  async function writeSnapshot(workspaceId: string, file: string) {
    const out = fs.createWriteStream(file, { mode: 0o600 });
    const closed = once(out, 'close');
    try {
      await db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (trx) => {
          const migrations = await repo.listAppliedMigrations(trx);
          const header: ExportHeader = {
            format: EXPORT_FORMAT,
            version: EXPORT_VERSION,
            exportedAt: clock.now().toISOString(),
            schemaVersion: migrations.at(-1) ?? '',
          };
          await writeLine(out, header);
          await writeLine(out, {
            table: 'workspaces',
            row: await repo.readWorkspaceRow(trx, workspaceId),
          });
          for (const row of await repo.readMemberUsers(trx, workspaceId)) {
            await writeLine(out, { table: 'users', row });
          }
          const memberships = { name: 'memberships' };
          for await (const page of pagesOf(trx, workspaceId, memberships)) {
            for (const row of page) await writeLine(out, { table: 'memberships', row });
          }
          for (const table of EXPORTED_TABLES) {
            for await (const page of pagesOf(trx, workspaceId, table)) {
              for (const row of page) {
                await writeLine(out, { table: table.name, row: mapCustomFields(row, reveal) });
              }
            }
          }
        });
    } finally {
      out.end();
      await closed;
    }
  }

  /** Buffers an import's rows per table and writes them in batches, in file order. */
  function createImporter(trx: Executor, actor: Actor) {
    const counts: Record<string, number> = {};
    const deferred = new Map<
      string,
      { table: string; key: string[]; column: string; rows: JsonRow[] }
    >();
    const shapes = new Map<string, repo.TableShape>();
    let workspaceId: string | undefined;
    let sourceWorkspaceId = '';
    let batch: { table: string; rows: JsonRow[] } | undefined;
    let adminEnsured = false;

    async function shapeOf(table: string) {
      let shape = shapes.get(table);
      if (!shape) {
        shape = await repo.describeTable(trx, table);
        shapes.set(table, shape);
      }
      return shape;
    }

    async function ensureAdmin() {
      if (adminEnsured || !workspaceId) return;
      adminEnsured = true;
      await repo.ensureAdminMembership(trx, workspaceId, actor.userId, clock.now());
    }

    async function flush() {
      if (!batch || batch.rows.length === 0) return;
      const { table, rows } = batch;
      batch = { table, rows: [] };
      if (table === 'users') {
        await importUsers(rows);
        return;
      }
      const shape = await shapeOf(table);
      const columns = Object.keys(rows[0]!).filter((column) => shape.columns.has(column));
      await rowsRefused(table, () => repo.insertRows(trx, table, columns, rows));
    }

    /** A value or reference the database refuses is the file's fault: 422, naming the table. */
    async function rowsRefused(table: string, write: () => Promise<void>) {
      try {
        await write();
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        // SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation).
        if (typeof code === 'string' && /^2[23]/.test(code)) {
          throw new AppError('validation_failed', {
            message: 'This file has rows the database refuses; nothing was imported.',
            fields: [{ field: table, message: (error as Error).message }],
          });
        }
        throw error;
      }
    }

    async function importUsers(rows: JsonRow[]) {
      const ids = rows.map((row) => String(row.id));
      const emails = rows.map((row) => String(row.email).toLowerCase());
      const existing = await repo.findUsers(trx, ids, emails);
      const known = new Set(existing.map((user) => user.id));
      // A person who already has an account here joins the copy only when they and the person
      // importing are members of the exported workspace on this server: a file must not add
      // anyone to a workspace by naming their id.
      const members = await repo.findMembersOf(trx, sourceWorkspaceId, [...known, actor.userId]);
      const strangers = rows.filter((row) => {
        const id = String(row.id);
        if (!known.has(id) || id === actor.userId) return false;
        return !members.has(actor.userId) || !members.has(id);
      });
      if (strangers.length > 0) {
        throw new AppError('conflict', {
          message:
            `The file names ${strangers.length} person(s) with an account on this server who can ` +
            "only be added by an import of their own workspace's export by one of its members.",
        });
      }
      const fresh = rows.filter((row) => !known.has(String(row.id)));
      for (const row of fresh) {
        const taken = existing.find((user) => user.email === String(row.email).toLowerCase());
        if (taken) {
          throw new AppError('conflict', {
            message: `A different user with the email ${String(row.email)} exists on this server; the export's member can't keep their id.`,
          });
        }
      }
      await repo.insertUsers(trx, fresh);
    }

    function prepare(table: string, row: JsonRow, exported: ExportedTable | undefined): JsonRow {
      let prepared: JsonRow = { ...row, workspace_id: workspaceId };
      if (!exported) return prepared;
      for (const column of exported.deferred ?? []) {
        if (prepared[column] === null || prepared[column] === undefined) continue;
        const key = shapes.get(table)!.key;
        const entry = deferred.get(`${table}.${column}`) ?? { table, key, column, rows: [] };
        entry.rows.push(Object.fromEntries([...key, column].map((name) => [name, prepared[name]])));
        deferred.set(`${table}.${column}`, entry);
        prepared = { ...prepared, [column]: null };
      }
      return mapCustomFields(prepared, conceal);
    }

    return {
      async add(table: string, row: JsonRow) {
        if (table === 'workspaces') {
          const shape = await shapeOf('workspaces');
          const columns = Object.keys(row).filter((c) => c !== 'id' && shape.columns.has(c));
          sourceWorkspaceId = typeof row.id === 'string' && UUID.test(row.id) ? row.id : NIL_UUID;
          workspaceId = await repo.insertWorkspace(trx, row, columns);
          return;
        }
        if (table !== 'users' && table !== 'memberships' && !adminEnsured) {
          // The file's members are in; now the person importing it is made sure to be an admin.
          await flush();
          await ensureAdmin();
        }
        if (table !== 'users') await shapeOf(table);
        if (batch?.table !== table) {
          await flush();
          batch = { table, rows: [] };
        }
        batch.rows.push(table === 'users' ? row : prepare(table, row, TABLES_BY_NAME.get(table)));
        counts[table] = (counts[table] ?? 0) + 1;
        if (batch.rows.length >= INSERT_BATCH) await flush();
      },

      async finish() {
        await flush();
        await ensureAdmin();
        for (const { table, key, column, rows } of deferred.values()) {
          for (let i = 0; i < rows.length; i += INSERT_BATCH) {
            await rowsRefused(table, () =>
              repo.updateColumn(
                trx,
                workspaceId!,
                table,
                key,
                column,
                rows.slice(i, i + INSERT_BATCH),
              ),
            );
          }
        }
        return { workspaceId: workspaceId!, counts };
      },
    };
  }

  return {
    /**
     * The workspace as JSON Lines: a header line, then {"table", "row"} lines, referenced rows
     * first. Audited as workspace.exported before the snapshot is taken.
     */
    async exportWorkspace(actor: Actor): Promise<Readable> {
      requirePermission(actor, 'workspace:export');
      await db.transaction().execute((trx) =>
        recordAudit(trx, clock, actor, {
          action: 'workspace.exported',
          entityType: 'workspace',
          entityId: actor.workspaceId,
          after: { format: EXPORT_FORMAT, version: EXPORT_VERSION },
        }),
      );
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadkeeper-export-'));
      const file = path.join(dir, `${randomUUID()}.jsonl`);
      const cleanUp = () => fs.rmSync(dir, { recursive: true, force: true });
      try {
        await writeSnapshot(actor.workspaceId, file);
      } catch (error) {
        cleanUp();
        throw error;
      }
      const stream = fs.createReadStream(file);
      stream.once('close', cleanUp);
      return stream;
    },

    /**
     * Imports an export into a new workspace whose admin is the actor (one transaction). Refuses
     * a file from a newer schema than this server's, and a format it doesn't know.
     */
    async importWorkspace(actor: Actor, lines: AsyncIterable<string>) {
      requirePermission(actor, 'workspace:import');
      if (config.workspaceCreation === 'instance_admins' && !actor.isInstanceAdmin) {
        throw new AppError('forbidden', {
          message: 'On this instance only instance admins may create workspaces.',
        });
      }
      const result = await db.transaction().execute(async (trx) => {
        const applied = new Set(await repo.listAppliedMigrations(trx));
        const importer = createImporter(trx, actor);
        let lineNumber = 0;
        let position = -1;
        let header: ExportHeader | undefined;
        for await (const text of lines) {
          lineNumber += 1;
          if (text.trim() === '') continue;
          let value: unknown;
          try {
            value = JSON.parse(text);
          } catch {
            throw invalidLine(lineNumber, 'Not a JSON object.');
          }
          if (!isObject(value)) throw invalidLine(lineNumber, 'Not a JSON object.');
          if (!header) {
            if (value.format !== EXPORT_FORMAT || value.version !== EXPORT_VERSION) {
              throw invalidLine(
                lineNumber,
                `Expected a header {"format":"${EXPORT_FORMAT}","version":${EXPORT_VERSION},…}.`,
              );
            }
            if (typeof value.schemaVersion !== 'string' || !applied.has(value.schemaVersion)) {
              throw new AppError('validation_failed', {
                message:
                  `This export was made by a newer Leadkeeper (schema ${String(value.schemaVersion)}). ` +
                  'Upgrade this server, then import it.',
                fields: [{ field: 'schemaVersion', message: 'Newer than this server' }],
              });
            }
            header = value as unknown as ExportHeader;
            continue;
          }
          const { table, row } = value;
          const at = typeof table === 'string' ? FILE_ORDER.indexOf(table) : -1;
          if (at < 0 || !isObject(row)) {
            throw invalidLine(lineNumber, `Unknown table ${JSON.stringify(table)} or no row.`);
          }
          // The workspace row once and first; then tables in FILE_ORDER (references first).
          if (at === 0 ? position !== -1 : position === -1 || at < position) {
            throw invalidLine(lineNumber, `${String(table)} is out of order.`);
          }
          position = at;
          await importer.add(table as string, row);
        }
        if (!header) throw invalidLine(1, 'The file is empty.');
        if (position === -1) throw invalidLine(lineNumber, 'The file has no workspace row.');
        const imported = await importer.finish();
        await recordAudit(
          trx,
          clock,
          { ...actor, workspaceId: imported.workspaceId },
          {
            action: 'workspace.imported',
            entityType: 'workspace',
            entityId: imported.workspaceId,
            after: {
              schemaVersion: header.schemaVersion,
              exportedAt: header.exportedAt,
              rows: imported.counts,
            },
          },
        );
        return imported;
      });
      return result;
    },
  };
}

export type WorkspaceExportService = ReturnType<typeof createWorkspaceExportService>;
