// Test helpers for imports: a multipart upload built by hand (app.inject takes a Buffer), and
// an upload that runs the queued job and returns the import's final state. Typed structurally
// (no imports from test/) so it compiles with src/; the tests pass their TestApp and Session.
import { randomBytes } from 'node:crypto';
import type { App } from '../../platform/http/types.js';

interface TestApp {
  app: Pick<App, 'inject'>;
  runJobs(): Promise<number>;
}
interface Session {
  cookie: string;
  csrfToken: string;
}
const as = (session: Session) => ({ cookie: session.cookie, 'x-csrf-token': session.csrfToken });

export function multipartBody(
  fields: Record<string, string>,
  file: { name: string; content: Buffer | string } | undefined,
) {
  const boundary = `----leadkeeper${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`),
      Buffer.from(value),
      Buffer.from('\r\n'),
    );
  }
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\n` +
          'Content-Type: text/csv\r\n\r\n',
      ),
      Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(parts),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

export async function uploadImport(
  t: TestApp,
  session: Session,
  content: Buffer | string,
  fields: Record<string, string> = {},
  url = '/api/imports',
) {
  const body = multipartBody(fields, { name: 'import.csv', content });
  return t.app.inject({
    method: 'POST',
    url,
    headers: { ...as(session), 'content-type': body.contentType },
    payload: body.payload,
  });
}

export interface ImportState {
  id: string;
  status: string;
  totalRows: number | null;
  processedRows: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  errorCount: number;
  errors: { row: number; column: string; value: string; message: string }[];
  mapping: { header: string; target: string }[];
  message: string;
  encoding: string;
  delimiter: string;
}

/** Uploads, runs the job and returns the finished import (throws unless the upload is a 202). */
export async function runImport(
  t: TestApp,
  session: Session,
  content: Buffer | string,
  fields: Record<string, string> = {},
): Promise<ImportState> {
  const response = await uploadImport(t, session, content, fields);
  if (response.statusCode !== 202) {
    throw new Error(`upload failed: ${response.statusCode} ${response.body}`);
  }
  const { id } = response.json<{ id: string }>();
  await t.runJobs();
  const state = await t.app.inject({
    method: 'GET',
    url: `/api/imports/${id}`,
    headers: as(session),
  });
  return state.json<ImportState>();
}
