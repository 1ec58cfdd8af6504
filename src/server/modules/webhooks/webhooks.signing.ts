// How every outbound webhook call is signed (docs/webhooks.md shows receivers how to verify):
// Leadkeeper-Signature: v1=<hex HMAC-SHA256 of "<Leadkeeper-Timestamp>.<raw body>" under the secret>.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'leadkeeper-signature';
export const TIMESTAMP_HEADER = 'leadkeeper-timestamp';
export const EVENT_HEADER = 'leadkeeper-event';
export const DELIVERY_HEADER = 'leadkeeper-delivery';

export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export function signatureOf(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The headers of one signed call (no signature without a secret). */
export function signedHeaders(input: {
  secret: string | null;
  body: string;
  event: string;
  deliveryId: string;
  now: Date;
}): Record<string, string> {
  const timestamp = String(Math.floor(input.now.getTime() / 1000));
  return {
    [EVENT_HEADER]: input.event,
    [DELIVERY_HEADER]: input.deliveryId,
    [TIMESTAMP_HEADER]: timestamp,
    ...(input.secret
      ? { [SIGNATURE_HEADER]: signatureOf(input.secret, timestamp, input.body) }
      : {}),
  };
}

/** What a receiver does (kept here so the tests verify with the documented recipe). */
export function verifySignature(
  secret: string,
  timestamp: string,
  body: string,
  signature: string,
): boolean {
  const expected = Buffer.from(signatureOf(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
