// Outgoing SMS through a provider interface. The one driver speaks Twilio's Messages API
// (POST a form body To/From/Body with basic auth to /2010-04-01/Accounts/{sid}/Messages.json);
// providers with a Twilio-compatible API work by pointing SMS_API_URL at them. Without an
// account, token and sender nothing can be sent, and send() says so instead of pretending.
import type { Config } from './config.js';

export interface OutgoingSms {
  /** E.164, e.g. +4915112345678. */
  to: string;
  body: string;
}

export interface SmsSender {
  /** False when SMS_ACCOUNT_SID, SMS_AUTH_TOKEN or SMS_FROM is missing. */
  readonly configured: boolean;
  /** Hands the message to the provider; rejects when it refuses it or can't be reached. */
  send(sms: OutgoingSms): Promise<{ messageId: string }>;
}

export class SmsNotConfiguredError extends Error {
  constructor() {
    super('SMS is not set up: set SMS_ACCOUNT_SID, SMS_AUTH_TOKEN and SMS_FROM.');
  }
}

export class SmsDeliveryError extends Error {}

/** How long one request to the provider may take. */
const TIMEOUT_MS = 15_000;

export function createTwilioSms(config: Pick<Config, 'sms'>): SmsSender {
  const { apiUrl, accountSid, authToken, from } = config.sms;
  const configured = Boolean(accountSid && authToken && from);
  return {
    configured,
    async send(sms) {
      if (!accountSid || !authToken || !from) throw new SmsNotConfiguredError();
      const url = `${apiUrl}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`;
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({ To: sms.to, From: from, Body: sms.body }).toString(),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const text = await response.text();
      let parsed: { sid?: unknown; message?: unknown } = {};
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        // A non-JSON answer (a proxy's error page): reported by status below.
      }
      if (!response.ok) {
        const reason = typeof parsed.message === 'string' ? `: ${parsed.message}` : '';
        throw new SmsDeliveryError(`The SMS provider answered ${response.status}${reason}`);
      }
      return { messageId: typeof parsed.sid === 'string' ? parsed.sid : '' };
    },
  };
}
