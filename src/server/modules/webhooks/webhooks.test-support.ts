// A local HTTP receiver for tests of outgoing calls: keeps each request (headers and raw body)
// and answers with the next status of a script (then 200), or with what `respond` returns.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export async function startReceiver(
  options: {
    statuses?: number[];
    respond?: (request: ReceivedRequest) => { status: number; body?: unknown };
  } = {},
) {
  const received: ReceivedRequest[] = [];
  const statuses = [...(options.statuses ?? [])];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = {
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(entry);
      const answer = options.respond?.(entry) ?? { status: statuses.shift() ?? 200 };
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer.body ?? { ok: answer.status < 300 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
