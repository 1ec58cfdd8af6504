// Outgoing email over SMTP (nodemailer; SMTP_URL). One transport for the process: messages to
// customers (the outbox) and to members (reviews, reminders) both go through it. Without
// SMTP_URL nothing can be sent, and send() says so instead of pretending.
import nodemailer from 'nodemailer';
import type { Config } from './config.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  replyTo?: string;
  /** Extra headers, e.g. List-Unsubscribe for marketing mail. */
  headers?: Record<string, string>;
}

export interface Mailer {
  /** False when SMTP_URL is not set. */
  readonly configured: boolean;
  /** Hands the message to the SMTP server; rejects when it refuses it or can't be reached. */
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): void;
}

export class MailerNotConfiguredError extends Error {
  constructor() {
    super('Email is not set up: set SMTP_URL (e.g. smtp://user:pass@smtp.example.com:587).');
  }
}

export function createMailer(config: Pick<Config, 'smtpUrl' | 'mailFrom'>): Mailer {
  const transport = config.smtpUrl ? nodemailer.createTransport(config.smtpUrl) : undefined;
  return {
    configured: transport !== undefined,
    async send(mail) {
      if (!transport) throw new MailerNotConfiguredError();
      const info = await transport.sendMail({ from: config.mailFrom, ...mail });
      return { messageId: info.messageId };
    },
    close() {
      transport?.close();
    },
  };
}
