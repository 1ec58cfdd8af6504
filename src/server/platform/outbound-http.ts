// Outgoing HTTP calls to addresses that users configure (outbound webhooks, the accounting
// connector). Private, loopback and link-local addresses are refused unless the instance allows
// them (WEBHOOKS_ALLOW_PRIVATE), so a workspace admin can't make the server probe its own
// network. The check runs on the addresses the connection really uses (a custom DNS lookup),
// so a name that resolves to a public address when saved and a private one later is refused too.
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

const BLOCKED = new net.BlockList();
for (const [address, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(address, prefix, 'ipv4');
}
for (const [address, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  BLOCKED.addSubnet(address, prefix, 'ipv6');
}

/** True for loopback, private, link-local, carrier-grade NAT, multicast and reserved addresses. */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return BLOCKED.check(mapped[1], 'ipv4');
  const family = net.isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family === 6) return BLOCKED.check(address, 'ipv6');
  return false;
}

/**
 * Why a URL can't be called (a message for the user), or null when it can be tried. Checks what
 * is knowable without DNS; the resolved addresses are checked again when connecting.
 */
export function outboundUrlProblem(text: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'Enter a full URL, e.g. https://example.com/hooks/leadkeeper.';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'Use an http or https URL.';
  if (url.username || url.password) return 'Leave user names and passwords out of the URL.';
  if (allowPrivate) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost') || isPrivateAddress(host)) {
    return 'Private, loopback and link-local addresses are not allowed on this server.';
  }
  return null;
}

export class OutboundError extends Error {}

export interface OutboundResponse {
  status: number;
  /** The start of the response body (at most 4 KB). */
  body: string;
}

const MAX_BODY_BYTES = 4096;

function guardedLookup(allowPrivate: boolean): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error, '', 0);
        return;
      }
      const refused = allowPrivate ? [] : addresses.filter((a) => isPrivateAddress(a.address));
      if (refused.length > 0) {
        callback(
          new OutboundError(`${hostname} resolves to a private address, which is not allowed`),
          '',
          0,
        );
        return;
      }
      if (options.all) {
        (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
      } else {
        const first = addresses[0];
        if (!first) callback(new OutboundError(`${hostname} has no address`), '', 0);
        else callback(null, first.address, first.family);
      }
    });
  };
}

/** POSTs a JSON body; resolves with any HTTP answer, rejects when no answer came in time. */
export function postJson(
  target: string,
  body: string,
  options: { headers: Record<string, string>; allowPrivate: boolean; timeoutMs: number },
): Promise<OutboundResponse> {
  const problem = outboundUrlProblem(target, options.allowPrivate);
  if (problem) return Promise.reject(new OutboundError(problem));
  const url = new URL(target);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<OutboundResponse>((resolve, reject) => {
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Leadkeeper-Webhooks/1',
          'content-length': String(Buffer.byteLength(body)),
          ...options.headers,
        },
        lookup: guardedLookup(options.allowPrivate),
        signal: AbortSignal.timeout(options.timeoutMs),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < MAX_BODY_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_BODY_BYTES),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', (error) =>
      reject(
        error.name === 'AbortError' || error.name === 'TimeoutError'
          ? new OutboundError(`No answer within ${options.timeoutMs / 1000} s`)
          : error,
      ),
    );
    request.end(body);
  });
}
