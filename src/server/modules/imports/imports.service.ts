// CSV imports of leads, contacts or companies: the upload (streamed into 1 MB chunks in the
// database), the detected or given column mapping, and the background job ('import-run') that
// reads the file as a stream and writes it in batches of BATCH_SIZE rows — one transaction, one
// duplicate lookup and one insert per table per batch, progress and the report with it. The job
// is resumable: a retried one goes on after the last committed batch. Cancel is checked between
// batches; undo archives what the import created. docs/import.md explains it for users.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { recordAudit, type Executor } from '../../platform/audit.js';
import { CSV_BOM, csvLines, neutralizeFormula } from '../../platform/csv.js';
import type { CustomFieldRecordType, ImportRow } from '../../platform/db/schema.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { AppError, fieldError, notFound } from '../../platform/errors.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { z } from 'zod';
import type { AssignmentService } from '../assignment/assignment.service.js';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.js';
import type { LeadSourcesService } from '../lead-sources/lead-sources.service.js';
import type { LostReasonsService } from '../lost-reasons/lost-reasons.service.js';
import type { PipelinesService } from '../pipelines/pipelines.service.js';
import { systemActorFor, type UsersService } from '../users/users.service.js';
import type { WorkspacesService } from '../workspaces/workspaces.service.js';
import {
  readRecords,
  detectFormat,
  SAMPLE_BYTES,
  UnreadableFileError,
  type FileFormat,
  type Encoding,
} from './imports.csv.js';
import {
  customFieldKeyOf,
  detectMapping,
  isKnownTarget,
  TARGETS_OF,
  uniqueHeaders,
  type ColumnMapping,
  type ImportEntity,
  type ImportTarget,
} from './imports.mapping.js';
import * as repo from './imports.repository.js';
import { createImportWriter } from './imports.writer.js';
import {
  prepareRow,
  type PreparedRow,
  type RowContext,
  type RowError,
  type StageRef,
} from './imports.rows.js';
import {
  importFieldsSchema,
  type ImportDto,
  type ImportPreviewDto,
  type ListImportsQuery,
  type SaveMappingInput,
  type SavedMappingDto,
} from './imports.schemas.js';

export const IMPORT_QUEUE = 'import-run';
/** Rows per transaction: large enough that per-statement costs vanish, small enough to show progress. */
export const BATCH_SIZE = 1000;
export const CHUNK_BYTES = 1024 * 1024;
export const MAX_FILE_BYTES = 100 * 1024 * 1024;
export const MAX_ROWS = 1_000_000;
/** Columns that createFields may turn into custom fields in one import. */
const MAX_NEW_FIELDS = 200;
const REPORT_PAGE = 5000;
/** A running import without progress for this long has lost its runner. */
const STALE_MS = 5 * 60_000;
const PREVIEW_ROWS = 10;

/** A part of a multipart upload, as the route hands it over (no Fastify types here). */
export type UploadPart =
  | { type: 'field'; fieldname: string; value: unknown }
  | { type: 'file'; fieldname: string; filename: string; file: Readable & { truncated?: boolean } };

const RECORD_TYPE: Record<ImportEntity, CustomFieldRecordType> = {
  leads: 'lead',
  contacts: 'contact',
  companies: 'company',
};

const TARGET_LABELS: Record<string, string> = {
  externalId: 'ID in the other system (recognises the row next time)',
  firstName: 'First name',
  lastName: 'Last name',
  fullName: 'Full name (split into first and last)',
  email: 'Email',
  phone: 'Phone',
  mobilePhone: 'Mobile phone',
  street: 'Street',
  city: 'City',
  region: 'State / region',
  postalCode: 'Postal code',
  country: 'Country',
  notes: 'Notes',
  tags: 'Tags',
  preferredChannel: 'Preferred channel',
  preferredTime: 'Preferred time',
  optInEmail: 'Email opt-in',
  optInSms: 'SMS opt-in',
  doNotContact: 'Do not contact',
  title: 'Lead title',
  description: 'Description',
  companyName: 'Company name',
  source: 'Lead source',
  sourceCampaign: 'Campaign',
  sourceDetail: 'Source detail',
  value: 'Value',
  currency: 'Currency',
  probability: 'Probability',
  priority: 'Priority',
  expectedCloseDate: 'Expected close date',
  assignee: 'Assignee (member name or email)',
  stage: 'Stage',
  outcome: 'Status / outcome (won, lost, Closed - Converted, …)',
  converted: 'Converted (1/0, yes/no: won)',
  lostReason: 'Lost reason',
  contactStatus: 'Contact status',
  createdAt: 'Created date',
  lifecycleStage: 'Lifecycle stage',
  name: 'Company name',
  type: 'Company type',
  website: 'Website',
  industry: 'Industry',
};

interface PendingRow {
  row: number;
  cells?: string[] | undefined;
  error?: string | undefined;
}

function toImportDto(row: ImportRow, errors: RowError[], now: Date): ImportDto {
  const started = row.started_at?.getTime();
  const end = row.finished_at?.getTime() ?? now.getTime();
  const seconds = started !== undefined ? Math.max((end - started) / 1000, 0.001) : undefined;
  const rate =
    seconds !== undefined && row.processed_rows > 0 ? row.processed_rows / seconds : null;
  const left = row.total_rows !== null ? Math.max(row.total_rows - row.processed_rows, 0) : null;
  const isActive = row.status === 'running' || row.status === 'queued';
  return {
    id: row.id,
    entity: row.entity,
    status: row.status,
    phase: row.phase,
    fileName: row.file_name,
    fileSize: Number(row.file_size),
    encoding: row.encoding,
    delimiter: row.delimiter,
    duplicatePolicy: row.duplicate_policy,
    dryRun: row.is_dry_run,
    allOrNothing: row.is_all_or_nothing,
    totalRows: row.total_rows,
    totalRowsExact: row.is_total_exact,
    processedRows: row.processed_rows,
    created: row.created_count,
    updated: row.updated_count,
    skipped: row.skipped_count,
    failed: row.failed_count,
    errorCount: row.error_count,
    errors,
    mapping: row.mapping,
    message: row.message,
    rate: rate === null ? null : Math.round(rate * 10) / 10,
    eta: isActive && rate && left !== null ? Math.ceil(left / rate) : isActive ? null : 0,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
    undoneAt: row.undone_at?.toISOString() ?? null,
  };
}

export function createImportsService(
  deps: ServiceDeps,
  modules: {
    assignment: AssignmentService;
    customFields: CustomFieldsService;
    pipelines: PipelinesService;
    leadSources: LeadSourcesService;
    lostReasons: LostReasonsService;
    users: UsersService;
    workspaces: WorkspacesService;
  },
) {
  const { db, clock, jobs } = deps;
  const { writeRows } = createImportWriter(clock, modules.assignment);

  /** The stored file from its first byte, a chunk at a time. */
  function openFile(workspaceId: string, importId: string) {
    return async function* () {
      for (let position = 0; ; position += 1) {
        const chunk = await repo.readChunk(db, workspaceId, importId, position);
        if (!chunk) return;
        yield chunk;
      }
    };
  }

  async function firstRecord(
    open: () => AsyncIterable<Buffer> | Iterable<Buffer>,
    format: FileFormat,
  ) {
    for await (const record of readRecords(open, format)) {
      if (record.cells) return record.cells;
      return undefined;
    }
    return undefined;
  }

  /** Streams an uploaded file into chunks; returns its size, a sample and its line count. */
  async function storeFile(
    workspaceId: string,
    importId: string,
    file: UploadPart & { type: 'file' },
  ) {
    let size = 0;
    let lines = 0;
    let position = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const sampleParts: Buffer[] = [];
    let sampleBytes = 0;
    let lastByte = -1;
    const flush = async () => {
      if (pendingBytes === 0) return;
      await repo.appendChunk(db, workspaceId, importId, position, Buffer.concat(pending));
      position += 1;
      pending = [];
      pendingBytes = 0;
    };
    try {
      for await (const data of file.file as AsyncIterable<Buffer>) {
        size += data.length;
        if (size > MAX_FILE_BYTES) throw tooLarge();
        for (let i = data.indexOf(0x0a); i !== -1; i = data.indexOf(0x0a, i + 1)) lines += 1;
        lastByte = data[data.length - 1] ?? lastByte;
        if (sampleBytes < SAMPLE_BYTES) {
          sampleParts.push(data.subarray(0, SAMPLE_BYTES - sampleBytes));
          sampleBytes += Math.min(data.length, SAMPLE_BYTES - sampleBytes);
        }
        let rest = data;
        while (rest.length > 0) {
          const room = CHUNK_BYTES - pendingBytes;
          pending.push(rest.subarray(0, room));
          pendingBytes += Math.min(room, rest.length);
          rest = rest.subarray(room);
          if (pendingBytes >= CHUNK_BYTES) await flush();
        }
      }
    } catch (error) {
      if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
      throw error;
    }
    if (file.file.truncated) throw tooLarge();
    await flush();
    // A last line without a newline is a line too.
    if (size > 0 && lastByte !== 0x0a) lines += 1;
    return { size, lines, sample: Buffer.concat(sampleParts) };
  }

  function tooLarge() {
    return new AppError('payload_too_large', {
      message: `The file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB; split it into parts.`,
    });
  }

  /** Encoding, delimiter and header of a file, or a 422 that says what is wrong with it. */
  async function readHead(sample: Buffer, open: () => AsyncIterable<Buffer> | Iterable<Buffer>) {
    const text = sample.toString('latin1').replace(/^\xef\xbb\xbf|^\xff\xfe|^\xfe\xff/, '');
    if (text.trim() === '' || text.replace(/\0/g, '').trim() === '') {
      throw fieldError('file', 'The file is empty.');
    }
    let format: FileFormat;
    try {
      format = detectFormat(sample);
    } catch (error) {
      if (error instanceof UnreadableFileError) throw fieldError('file', error.message);
      throw error;
    }
    const header = await firstRecord(open, format);
    if (!header || header.every((cell) => cell.trim() === '')) {
      throw fieldError('file', 'The file has no header row.');
    }
    return { format, headers: uniqueHeaders(header) };
  }

  /** The detected mapping with the given one laid over it (422 for unknown headers or fields). */
  async function resolveMapping(
    actor: Actor,
    entity: ImportEntity,
    headers: string[],
    given: { header: string; target: string }[] | undefined,
    executor: Executor = db,
  ) {
    const fields = await modules.customFields.activeFields(actor, RECORD_TYPE[entity], executor);
    const mapping = detectMapping(entity, headers, fields);
    const keys = new Set(fields.map((field) => field.key));
    const errors: { field: string; message: string }[] = [];
    const explicit = new Set<string>();
    for (const { header, target } of given ?? []) {
      const column = mapping.find((c) => c.header === header);
      if (!column) {
        errors.push({ field: `mapping.${header}`, message: 'No column with this header' });
      } else if (!isKnownTarget(entity, target, keys)) {
        errors.push({ field: `mapping.${header}`, message: `No field "${target}" for ${entity}` });
      } else {
        column.target = target;
        explicit.add(header);
      }
    }
    if (errors.length > 0) {
      throw new AppError('validation_failed', {
        message: 'The mapping names columns or fields that do not exist.',
        fields: errors,
      });
    }
    return { mapping, explicit, fields };
  }

  async function getRow(actor: Actor, importId: string, executor: Executor = db) {
    const row = await repo.findImport(executor, actor.workspaceId, importId);
    if (!row) throw notFound('Import');
    return row;
  }

  async function dtoOf(row: ImportRow) {
    const errors = await repo.listErrors(db, row.workspace_id, row.id, { limit: 100 });
    return toImportDto(
      row,
      errors.map((e) => ({
        row: e.row_number,
        column: e.column_name,
        value: e.value,
        message: e.message,
      })),
      clock.now(),
    );
  }

  // ---- The job ----

  async function contextOf(actor: Actor, row: ImportRow): Promise<RowContext> {
    const entity = row.entity;
    const workspace = await modules.workspaces.findWorkspace(actor.workspaceId);
    const fields = await modules.customFields.activeFields(actor, RECORD_TYPE[entity]);
    let pipelineId = '';
    let stages: StageRef[] = [];
    const sources = new Map<string, string>();
    const lostReasons = new Map<string, string>();
    const users = new Map<string, string>();
    if (entity === 'leads') {
      const pipeline = await modules.pipelines.pipelineForLead(actor, undefined);
      pipelineId = pipeline.id;
      stages = pipeline.stages.map((s) => ({
        id: s.id,
        name: s.name,
        kind: s.kind,
        probability: s.probability,
      }));
      for (const source of (await modules.leadSources.listLeadSources(actor, undefined)).items)
        sources.set(source.name.toLowerCase(), source.id);
      for (const reason of (await modules.lostReasons.listLostReasons(actor, undefined)).items)
        lostReasons.set(reason.name.toLowerCase(), reason.id);
      let cursor: string | undefined;
      do {
        const page = await modules.users.listUsers(actor, { limit: 200, cursor });
        for (const user of page.items) {
          if (!user.active) continue;
          users.set(user.email.toLowerCase(), user.id);
          users.set(user.name.toLowerCase(), user.id);
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    }
    const headers = row.headers;
    return {
      entity,
      columns: row.mapping.map((column) => ({
        index: headers.indexOf(column.header),
        header: column.header,
        target: column.target as ImportTarget,
      })),
      headerCount: headers.length,
      country: workspace?.country ?? 'US',
      currency: workspace?.currency ?? 'USD',
      customFields: new Map(fields.map((field) => [field.key, field])),
      encryptionKey: deps.encryptionKey,
      pipelineId,
      stages,
      sources,
      lostReasons,
      users,
    };
  }

  /** Runs (or resumes) an import; a finished, failed or cancelled one is left alone. */
  async function runImport(workspaceId: string, importId: string): Promise<void> {
    // One runner at a time: a queued import, or a running one whose runner wrote no progress
    // for STALE_MS (it crashed; the job was retried). A cancel asked for while it ran is seen
    // at the end of the next batch.
    const now = clock.now();
    let row = await repo.claimImport(
      db,
      workspaceId,
      importId,
      now,
      new Date(now.getTime() - STALE_MS),
    );
    if (!row) return;
    const actor = systemActorFor(workspaceId, row.created_by ?? '');
    try {
      const ctx = await contextOf(actor, row);
      if (row.is_all_or_nothing && !row.is_dry_run && row.phase === 'validate') {
        const outcome = await runPass(actor, row, ctx, 'validate');
        if (outcome === 'cancelled') return;
        row = await getRow(actor, importId);
        if (row.failed_count > 0) {
          // The check's "would be created" counts are not what happened.
          row = await repo.updateImport(
            db,
            workspaceId,
            importId,
            { created_count: 0, updated_count: 0, skipped_count: 0 },
            clock.now(),
          );
          await finish(
            row,
            'failed',
            `${row.failed_count} row(s) failed, so nothing was imported (all or nothing). ` +
              'Fix them and import the file again.',
          );
          return;
        }
        // Every row passed: start again and write (the counts start over).
        row = await repo.updateImport(
          db,
          workspaceId,
          importId,
          {
            phase: 'write',
            processed_rows: 0,
            created_count: 0,
            updated_count: 0,
            skipped_count: 0,
          },
          clock.now(),
        );
      }
      try {
        const outcome = await runPass(actor, row, ctx, row.is_dry_run ? 'validate' : 'write');
        if (outcome === 'cancelled') return;
      } catch (error) {
        // All or nothing: what the failed run wrote is taken back.
        if (row.is_all_or_nothing && !row.is_dry_run) {
          await db
            .transaction()
            .execute((trx) => repo.archiveImported(trx, workspaceId, importId, clock.now()));
        }
        throw error;
      }
      row = await getRow(actor, importId);
      await finish(row, 'completed', completionMessage(row));
    } catch (error) {
      const current = await repo.findImport(db, workspaceId, importId);
      if (current) {
        await finish(
          current,
          'failed',
          error instanceof AppError
            ? error.message
            : `The import stopped: ${(error as Error).message}`,
        );
      }
    }
  }

  function completionMessage(row: ImportRow) {
    const verb = row.is_dry_run ? 'would be' : 'were';
    if (row.processed_rows === 0) return 'The file has a header but no rows.';
    return (
      `${row.created_count} ${verb} created, ${row.updated_count} updated, ` +
      `${row.skipped_count} skipped as duplicates, ${row.failed_count} failed.`
    );
  }

  async function finish(
    row: ImportRow,
    status: 'completed' | 'failed' | 'cancelled',
    message: string,
  ) {
    const now = clock.now();
    await db.transaction().execute(async (trx) => {
      const done = await repo.updateImport(
        trx,
        row.workspace_id,
        row.id,
        {
          status,
          message,
          finished_at: now,
          is_cancel_requested: false,
          ...(status === 'completed'
            ? { total_rows: row.processed_rows, is_total_exact: true }
            : {}),
        },
        now,
      );
      await recordAudit(trx, clock, systemActorFor(row.workspace_id, row.created_by ?? ''), {
        action: `import.${status}`,
        entityType: 'import',
        entityId: row.id,
        after: {
          processedRows: done.processed_rows,
          created: done.created_count,
          updated: done.updated_count,
          skipped: done.skipped_count,
          failed: done.failed_count,
        },
      });
    });
  }

  /** One pass over the file from the first unprocessed row; 'cancelled' when asked to stop. */
  async function runPass(
    actor: Actor,
    row: ImportRow,
    ctx: RowContext,
    mode: 'validate' | 'write',
  ): Promise<'done' | 'cancelled'> {
    const format = { encoding: row.encoding as Encoding, delimiter: row.delimiter };
    const skip = row.processed_rows;
    const dryRunSeen = mode === 'validate' ? new Set<string>() : undefined;
    let seen = 0;
    let batch: PendingRow[] = [];
    // The next batch is read and checked while the database writes this one (on PostgreSQL
    // that overlaps; on PGlite, one thread, it runs in turn). Batches commit in file order.
    let writing: Promise<boolean> | undefined;
    const commit = async () => {
      const checked = checkBatch(ctx, batch);
      batch = [];
      if (writing && (await writing)) return true;
      writing = commitBatch(actor, row, ctx, checked, mode, dryRunSeen);
      // A failure is seen when it is awaited; until then it must not count as unhandled.
      writing.catch(() => undefined);
      return false;
    };
    for await (const record of readRecords(openFile(row.workspace_id, row.id), format)) {
      if (record.index === 0) continue;
      seen += 1;
      if (seen <= skip) continue;
      if (seen > MAX_ROWS) {
        batch.push({
          row: record.index + 1,
          error: `Only ${MAX_ROWS.toLocaleString('en')} rows are read from one file; split it.`,
        });
        break;
      }
      batch.push({ row: record.index + 1, cells: record.cells, error: record.error });
      if (batch.length >= BATCH_SIZE && (await commit())) return 'cancelled';
    }
    if (batch.length > 0 && (await commit())) return 'cancelled';
    if (writing && (await writing)) return 'cancelled';
    return 'done';
  }

  /** A batch's rows read into record values, or their problems. */
  function checkBatch(ctx: RowContext, batch: PendingRow[]) {
    const errors: RowError[] = [];
    const prepared: PreparedRow[] = [];
    for (const pending of batch) {
      if (pending.error !== undefined || !pending.cells) {
        errors.push({
          row: pending.row,
          column: '',
          value: '',
          message: pending.error ?? 'This row could not be read.',
        });
        continue;
      }
      const result = prepareRow(ctx, pending.row, pending.cells);
      if (result.kind === 'row') prepared.push(result.row);
      else if (result.kind === 'errors') errors.push(...result.errors);
    }
    return { size: batch.length, prepared, errors };
  }

  /**
   * Prepares, checks and (in 'write' mode) writes one batch, with its progress, report rows and
   * audit row, in one transaction. True when a cancel was asked for.
   */
  async function commitBatch(
    actor: Actor,
    row: ImportRow,
    ctx: RowContext,
    batch: ReturnType<typeof checkBatch>,
    mode: 'validate' | 'write',
    dryRunSeen: Set<string> | undefined,
  ): Promise<boolean> {
    const { prepared, errors } = batch;
    const failedRows = new Set(errors.map((e) => e.row)).size;
    return db.transaction().execute(async (trx) => {
      const counts = await writeRows(trx, actor, row, ctx, prepared, mode, dryRunSeen);
      await repo.insertErrors(
        trx,
        row.workspace_id,
        row.id,
        errors.map((e, position) => ({ ...e, position })),
      );
      const progress = await repo.addProgress(
        trx,
        row.workspace_id,
        row.id,
        {
          processed: batch.size,
          created: counts.created,
          updated: counts.updated,
          skipped: counts.skipped,
          failed: failedRows,
          errors: errors.length,
        },
        clock.now(),
      );
      if (progress.is_cancel_requested) {
        const now = clock.now();
        await repo.updateImport(
          trx,
          row.workspace_id,
          row.id,
          {
            status: 'cancelled',
            finished_at: now,
            is_cancel_requested: false,
            message: 'Cancelled; the rows written before the cancel stay (undo removes them).',
          },
          now,
        );
        await recordAudit(trx, clock, actor, {
          action: 'import.cancelled',
          entityType: 'import',
          entityId: row.id,
        });
        return true;
      }
      return false;
    });
  }

  jobs.register<{ workspaceId: string; importId: string }>(
    IMPORT_QUEUE,
    ({ workspaceId, importId }) => runImport(workspaceId, importId),
    // A million rows take minutes; a job still running after an hour is taken as crashed.
    { expireInSeconds: 60 * 60, retryLimit: 3, retryDelaySeconds: 5 },
  );

  function assertMayChange(actor: Actor, row: ImportRow) {
    if (row.created_by !== actor.userId && !actor.permissions.has('lead:configure')) {
      throw new AppError('forbidden', {
        message: 'Only the member who ran this import, or a manager, can do this.',
      });
    }
  }

  return {
    /** Stores the upload and queues the import: 202 { id }; a 422 report for a bad file. */
    async createImport(
      actor: Actor,
      parts: AsyncIterable<UploadPart> | Iterable<UploadPart>,
    ): Promise<{ id: string }> {
      requirePermission(actor, 'lead:create');
      const fieldValues: Record<string, string> = {};
      let upload:
        { id: string; fileName: string; size: number; lines: number; sample: Buffer } | undefined;
      try {
        for await (const part of parts) {
          if (part.type === 'field') {
            fieldValues[part.fieldname] = String(part.value);
          } else if (part.fieldname === 'file' && !upload) {
            const id = randomUUID();
            const fileName = (part.filename || 'import.csv').slice(0, 300);
            await repo.insertImport(db, {
              workspaceId: actor.workspaceId,
              id,
              fileName,
              createdBy: actor.userId || null,
              now: clock.now(),
            });
            upload = { id, fileName, size: 0, lines: 0, sample: Buffer.alloc(0) };
            Object.assign(upload, await storeFile(actor.workspaceId, id, part));
          } else {
            part.file.resume();
          }
        }
        if (!upload) throw fieldError('file', 'Attach the CSV file as the "file" part.');
        const fields = importFieldsSchema.safeParse(fieldValues);
        if (!fields.success) {
          throw new AppError('validation_failed', {
            message: 'Some fields are not valid.',
            fields: fields.error.issues.map((issue) => ({
              field: issue.path.join('.'),
              message: issue.message,
            })),
          });
        }
        const input = fields.data;
        if (input.createFields && !input.dryRun) requirePermission(actor, 'lead:configure');
        const importId = upload.id;
        const { format, headers } = await readHead(
          upload.sample,
          openFile(actor.workspaceId, importId),
        );
        const estimate = Math.max(upload.lines - 1, 0);
        await db.transaction().execute(async (trx) => {
          const { mapping, explicit } = await resolveMapping(
            actor,
            input.entity,
            headers,
            input.mapping,
            trx,
          );
          if (input.createFields && !input.dryRun) {
            await createFieldsFor(actor, input.entity, mapping, explicit, trx);
          }
          const now = clock.now();
          await repo.updateImport(
            trx,
            actor.workspaceId,
            importId,
            {
              entity: input.entity,
              status: 'queued',
              file_size: upload!.size,
              encoding: format.encoding,
              delimiter: format.delimiter,
              headers: JSON.stringify(headers),
              mapping: JSON.stringify(mapping),
              duplicate_policy: input.duplicatePolicy,
              is_dry_run: input.dryRun,
              is_all_or_nothing: input.allOrNothing,
              phase: input.allOrNothing && !input.dryRun ? 'validate' : 'write',
              total_rows: Math.min(estimate, MAX_ROWS),
            },
            now,
          );
          await recordAudit(trx, clock, actor, {
            action: 'import.created',
            entityType: 'import',
            entityId: importId,
            after: {
              entity: input.entity,
              fileName: upload!.fileName,
              fileSize: upload!.size,
              duplicatePolicy: input.duplicatePolicy,
              dryRun: input.dryRun,
              allOrNothing: input.allOrNothing,
            },
          });
          await jobs.send(
            trx,
            IMPORT_QUEUE,
            { workspaceId: actor.workspaceId, importId },
            { singletonKey: importId },
          );
        });
        return { id: importId };
      } catch (error) {
        // A failed upload leaves nothing behind (its chunks go with it).
        if (upload) await repo.deleteImport(db, actor.workspaceId, upload.id);
        throw error;
      }
    },

    /** The first rows and the detected mapping of a file (only its beginning is read). */
    async previewImport(actor: Actor, parts: AsyncIterable<UploadPart>): Promise<ImportPreviewDto> {
      requirePermission(actor, 'lead:create');
      const fieldValues: Record<string, string> = {};
      let head: Buffer | undefined;
      for await (const part of parts) {
        if (part.type === 'field') {
          fieldValues[part.fieldname] = String(part.value);
          continue;
        }
        if (part.fieldname !== 'file' || head) {
          part.file.resume();
          continue;
        }
        const taken: Buffer[] = [];
        let bytes = 0;
        for await (const data of part.file as AsyncIterable<Buffer>) {
          // The first megabyte is plenty for a header and the first rows; the rest is drained.
          if (bytes < CHUNK_BYTES) taken.push(data.subarray(0, CHUNK_BYTES - bytes));
          bytes += data.length;
        }
        head = Buffer.concat(taken);
      }
      if (!head) throw fieldError('file', 'Attach the CSV file as the "file" part.');
      const fields = importFieldsSchema
        .pick({ entity: true, mapping: true })
        .safeParse(fieldValues);
      if (!fields.success) throw fieldError('entity', 'Choose leads, contacts or companies.');
      const sample = head;
      const open = function* () {
        yield sample;
      };
      const { format, headers } = await readHead(sample.subarray(0, SAMPLE_BYTES), open);
      const { mapping, fields: customFields } = await resolveMapping(
        actor,
        fields.data.entity,
        headers,
        fields.data.mapping,
      );
      const rows: string[][] = [];
      for await (const record of readRecords(open, format)) {
        if (record.index === 0) continue;
        if (rows.length >= PREVIEW_ROWS) break;
        if (record.cells) rows.push(record.cells);
      }
      // A cut sample may end mid-row: its last row is not shown unless more rows followed it.
      if (head.length >= CHUNK_BYTES && rows.length < PREVIEW_ROWS) rows.pop();
      return {
        entity: fields.data.entity,
        encoding: format.encoding,
        delimiter: format.delimiter,
        headers,
        rows,
        mapping,
        targets: [
          ...TARGETS_OF[fields.data.entity].map((value) => ({
            value,
            label: TARGET_LABELS[value] ?? value,
          })),
          ...customFields.map((field) => ({
            value: `custom:${field.key}`,
            label: `${field.label} (custom field)`,
          })),
          { value: 'ignore', label: "Don't import" },
        ],
      };
    },

    async getImport(actor: Actor, importId: string) {
      requirePermission(actor, 'lead:create');
      return dtoOf(await getRow(actor, importId));
    },

    async listImports(actor: Actor, query: ListImportsQuery) {
      requirePermission(actor, 'lead:create');
      const after = query.cursor
        ? decodeCursor(query.cursor, z.tuple([z.string(), z.string()]))
        : undefined;
      const rows = await repo.listImports(db, actor.workspaceId, { limit: query.limit, after });
      const now = clock.now();
      return toPage(
        rows,
        query.limit,
        (row) => toImportDto(row, [], now),
        (row) => [row.created_at.toISOString(), row.id],
      );
    },

    /** The report: every failed row's problems as CSV (row, column, value, message). */
    async importReport(actor: Actor, importId: string): Promise<Readable> {
      requirePermission(actor, 'lead:create');
      const row = await getRow(actor, importId);
      async function* chunks() {
        yield `${CSV_BOM}${csvLines([['row', 'column', 'value', 'message']])}`;
        let after: [number, number] | undefined;
        for (;;) {
          const page = await repo.listErrors(db, row.workspace_id, row.id, {
            after,
            limit: REPORT_PAGE,
          });
          if (page.length > 0) {
            yield csvLines(
              page.map((e) => [
                String(e.row_number),
                e.column_name,
                // The value is shown as text, never run as a formula by a spreadsheet.
                neutralizeFormula(e.value),
                e.message,
              ]),
            );
          }
          const last = page.at(-1);
          if (!last || page.length < REPORT_PAGE) return;
          after = [last.row_number, last.position];
        }
      }
      return Readable.from(chunks(), { objectMode: false });
    },

    async cancelImport(actor: Actor, importId: string) {
      requirePermission(actor, 'lead:create');
      return db.transaction().execute(async (trx) => {
        const row = await repo.lockImport(trx, actor.workspaceId, importId);
        if (!row) throw notFound('Import');
        assertMayChange(actor, row);
        if (row.status !== 'queued' && row.status !== 'running') {
          throw new AppError('conflict', { message: `This import is already ${row.status}.` });
        }
        const now = clock.now();
        // A queued one stops now; a running one at the end of its current batch.
        const after =
          row.status === 'queued'
            ? await repo.updateImport(
                trx,
                actor.workspaceId,
                importId,
                { status: 'cancelled', finished_at: now, message: 'Cancelled before it started.' },
                now,
              )
            : await repo.updateImport(
                trx,
                actor.workspaceId,
                importId,
                { is_cancel_requested: true },
                now,
              );
        await recordAudit(trx, clock, actor, {
          action: 'import.cancel_requested',
          entityType: 'import',
          entityId: importId,
          before: { status: row.status },
          after: { status: after.status },
        });
        return toImportDto(after, [], now);
      });
    },

    /** Archives every record the import created (lead:configure, or the member who ran it). */
    async undoImport(actor: Actor, importId: string) {
      requirePermission(actor, 'lead:update');
      return db.transaction().execute(async (trx) => {
        const row = await repo.lockImport(trx, actor.workspaceId, importId);
        if (!row) throw notFound('Import');
        assertMayChange(actor, row);
        if (row.is_dry_run) throw new AppError('conflict', { message: 'A dry run wrote nothing.' });
        if (row.status === 'queued' || row.status === 'running') {
          throw new AppError('conflict', { message: 'Cancel the import first, then undo it.' });
        }
        if (row.undone_at) throw new AppError('conflict', { message: 'Already undone.' });
        const now = clock.now();
        const archived = await repo.archiveImported(trx, actor.workspaceId, importId, now);
        await repo.updateImport(trx, actor.workspaceId, importId, { undone_at: now }, now);
        await recordAudit(trx, clock, actor, {
          action: 'import.undone',
          entityType: 'import',
          entityId: importId,
          after: {
            archivedLeadIds: archived.leads,
            archivedContactIds: archived.contacts,
            archivedCompanyIds: archived.companies,
          },
        });
        return {
          leads: archived.leads.length,
          contacts: archived.contacts.length,
          companies: archived.companies.length,
        };
      });
    },

    async listMappings(actor: Actor) {
      requirePermission(actor, 'lead:create');
      const rows = await repo.listMappings(db, actor.workspaceId);
      return { items: rows.map(toMappingDto), nextCursor: null };
    },

    async saveMapping(actor: Actor, input: SaveMappingInput) {
      requirePermission(actor, 'lead:create');
      return db.transaction().execute(async (trx) => {
        const saved = await repo.upsertMapping(trx, {
          workspaceId: actor.workspaceId,
          entity: input.entity,
          name: input.name,
          mapping: input.mapping,
          createdBy: actor.userId || null,
          now: clock.now(),
        });
        await recordAudit(trx, clock, actor, {
          action: saved.inserted ? 'import_mapping.created' : 'import_mapping.updated',
          entityType: 'import_mapping',
          entityId: saved.id,
          after: { entity: input.entity, name: input.name, mapping: input.mapping },
        });
        return toMappingDto(saved);
      });
    },

    /** Runs one import here and now (the job's handler; the CLI runs it in its own process). */
    runImport,
  };

  /** Columns left unmapped (and not set to "ignore" by hand) become text custom fields. */
  async function createFieldsFor(
    actor: Actor,
    entity: ImportEntity,
    mapping: ColumnMapping[],
    explicit: Set<string>,
    trx: Parameters<CustomFieldsService['ensureCustomFields']>[2],
  ) {
    const existing = await modules.customFields.activeFields(actor, RECORD_TYPE[entity], trx);
    const taken = new Set(existing.map((field) => field.key));
    const unmapped = mapping.filter((c) => c.target === 'ignore' && !explicit.has(c.header));
    if (unmapped.length > MAX_NEW_FIELDS) {
      throw fieldError(
        'createFields',
        `${unmapped.length} columns are unmapped; at most ${MAX_NEW_FIELDS} become custom fields ` +
          'in one import. Map or ignore the others.',
      );
    }
    const inputs = unmapped.map((column) => ({
      recordType: RECORD_TYPE[entity],
      key: customFieldKeyOf(column.header, taken),
      label: column.header.slice(0, 200),
      type: 'text' as const,
      options: [],
      required: false,
      sensitive: false,
      helpText: 'Created by a CSV import',
    }));
    await modules.customFields.ensureCustomFields(actor, inputs, trx);
    unmapped.forEach((column, index) => {
      column.target = `custom:${inputs[index]!.key}`;
    });
  }
}

function toMappingDto(row: {
  id: string;
  entity: ImportEntity;
  name: string;
  mapping: { header: string; target: string }[];
  created_at: Date;
  updated_at: Date;
}): SavedMappingDto {
  return {
    id: row.id,
    entity: row.entity,
    name: row.name,
    mapping: row.mapping,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export type ImportsService = ReturnType<typeof createImportsService>;
