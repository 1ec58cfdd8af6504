// `leadkeeper import <entity> <file.csv>`: the same import as POST /api/imports, run in the
// command's own process, with a progress bar on a terminal (a plain line now and then when the
// output is a file or a pipe) and the first problems of the report at the end.
import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Actor } from '../../platform/auth/actor.js';
import type { ImportDto } from './imports.schemas.js';
import type { ImportsService, UploadPart } from './imports.service.js';

const POLL_MS = 500;
const PLAIN_LINE_MS = 5_000;
const BAR_WIDTH = 30;

export interface ImportCommandInput {
  entity: string;
  file: string;
  mappingFile?: string | undefined;
  dryRun: boolean;
  duplicatePolicy: string;
}

function formatProgress(state: ImportDto): string {
  const total = state.totalRows ?? 0;
  const share = total > 0 ? Math.min(state.processedRows / total, 1) : 0;
  const done = Math.round(share * BAR_WIDTH);
  const rate = state.rate ? `${Math.round(state.rate).toLocaleString('en')} rows/s` : '…';
  const eta = state.eta !== null && state.status === 'running' ? ` · ETA ${state.eta} s` : '';
  return (
    `[${'#'.repeat(done)}${'-'.repeat(BAR_WIDTH - done)}] ${Math.round(share * 100)}% ` +
    `${state.processedRows.toLocaleString('en')}/${total.toLocaleString('en')} rows · ${rate}${eta}`
  );
}

export async function importCsvFile(
  imports: ImportsService,
  actor: Actor,
  input: ImportCommandInput,
  out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
): Promise<ImportDto> {
  const mapping = input.mappingFile ? readFileSync(input.mappingFile, 'utf8') : undefined;
  function* parts(): Generator<UploadPart> {
    yield { type: 'field', fieldname: 'entity', value: input.entity };
    yield { type: 'field', fieldname: 'duplicatePolicy', value: input.duplicatePolicy };
    yield { type: 'field', fieldname: 'dryRun', value: String(input.dryRun) };
    if (mapping !== undefined) yield { type: 'field', fieldname: 'mapping', value: mapping };
    yield {
      type: 'file',
      fieldname: 'file',
      filename: path.basename(input.file),
      file: createReadStream(input.file),
    };
  }
  const { id } = await imports.createImport(actor, parts());
  const isTty = out.isTTY === true;
  let lastPlain = 0;
  const show = (state: ImportDto) => {
    if (isTty) {
      out.write(`\r${formatProgress(state)}\u001b[K`);
    } else if (Date.now() - lastPlain >= PLAIN_LINE_MS) {
      lastPlain = Date.now();
      out.write(`${formatProgress(state)}\n`);
    }
  };
  const timer = setInterval(() => {
    imports.getImport(actor, id).then(show, () => undefined);
  }, POLL_MS);
  try {
    await imports.runImport(actor.workspaceId, id);
  } finally {
    clearInterval(timer);
  }
  const final = await imports.getImport(actor, id);
  if (isTty) out.write(`\r${formatProgress(final)}\u001b[K\n`);
  out.write(
    `Import ${final.id} ${final.status}${final.dryRun ? ' (dry run)' : ''}: ${final.message}\n`,
  );
  for (const error of final.errors.slice(0, 10)) {
    out.write(`  row ${error.row}${error.column ? `, ${error.column}` : ''}: ${error.message}\n`);
  }
  if (final.errorCount > 10) {
    out.write(`  … ${final.errorCount - 10} more in GET /api/imports/${final.id}/report.csv\n`);
  }
  return final;
}
