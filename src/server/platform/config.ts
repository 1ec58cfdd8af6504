// Configuration: parsed once at boot from the environment with zod. Nothing else reads process.env.
import path from 'node:path';
import { z } from 'zod';
import { PRESET_KEYS, type PresetKey } from '../modules/presets/presets.data.js';
import { parseEncryptionKey } from './crypto.js';

const booleanFlag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((value) => value === '1' || value === 'true' || value === 'yes');

const envSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().url().optional(),
  PUBLIC_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ADMIN_EMAIL: z.string().trim().toLowerCase().pipe(z.email()).optional(),
  ADMIN_PASSWORD: z.string().min(10, 'Use at least 10 characters').optional(),
  ADMIN_NAME: z.string().min(1).default('Administrator'),
  DEMO: booleanFlag.default(false),
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .positive()
    .default(12 * 60),
  SESSION_MAX_DAYS: z.coerce.number().int().positive().default(14),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  TRUST_PROXY: booleanFlag.default(false),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    ),
  WORKSPACE_CREATION: z.enum(['anyone', 'instance_admins']).default('anyone'),
  WORKSPACE_PRESET: z.enum(PRESET_KEYS).default('b2b'),
  LOGIN_MAX_PER_ACCOUNT: z.coerce.number().int().positive().default(10),
  LOGIN_MAX_PER_IP: z.coerce.number().int().positive().default(30),
  LOGIN_WINDOW_MINUTES: z.coerce.number().int().positive().default(15),
  SMTP_URL: z
    .string()
    .trim()
    .optional()
    .transform((value) => value || undefined)
    .pipe(
      z
        .string()
        .regex(/^smtps?:\/\//, 'Use an smtp:// or smtps:// URL')
        .optional(),
    ),
  MAIL_FROM: z.string().trim().min(3).default('Leadkeeper <leadkeeper@localhost>'),
  WEBHOOKS_ALLOW_PRIVATE: booleanFlag.default(false),
  SMS_API_URL: z.string().trim().url().default('https://api.twilio.com'),
  SMS_ACCOUNT_SID: z.string().trim().optional(),
  SMS_AUTH_TOKEN: z.string().trim().optional(),
  SMS_FROM: z.string().trim().optional(),
  MESSAGE_RETRY_DELAY_SECONDS: z.coerce.number().int().min(0).default(60),
  JOB_WORKERS: z.coerce.number().int().min(1).max(32).optional(),
  ENCRYPTION_KEY: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return undefined;
      const key = parseEncryptionKey(value);
      if (!key) {
        ctx.addIssue({
          code: 'custom',
          message:
            'Use a 32-byte key written as base64 or as 64 hex characters ' +
            '(for example the output of `openssl rand -base64 32`)',
        });
        return z.NEVER;
      }
      return key;
    }),
});

export interface Config {
  host: string;
  port: number;
  /** Absolute path of the embedded database directory, or 'memory://' for a throwaway one. */
  dataDir: string;
  databaseUrl: string | undefined;
  publicUrl: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  admin: { email: string; password: string; name: string } | undefined;
  demo: boolean;
  session: { idleMinutes: number; maxDays: number };
  bodyLimitBytes: number;
  trustProxy: boolean;
  corsOrigins: string[];
  workspaceCreation: 'anyone' | 'instance_admins';
  /** The preset of the first workspace (setup link or ADMIN_EMAIL). */
  workspacePreset: PresetKey;
  loginThrottle: { maxPerAccount: number; maxPerIp: number; windowMinutes: number };
  /** The key of sensitive field values (ENCRYPTION_KEY); see platform/crypto.ts for the others. */
  encryptionKey: Buffer | undefined;
  /** Outgoing mail server (SMTP_URL); no email is sent without it. */
  smtpUrl: string | undefined;
  /** The From of outgoing email (MAIL_FROM). */
  mailFrom: string;
  /**
   * Whether outbound webhooks and the accounting connector may call private, loopback and
   * link-local addresses (WEBHOOKS_ALLOW_PRIVATE; off: a user can't make the server probe its
   * own network).
   */
  webhooksAllowPrivate: boolean;
  /** The SMS provider (Twilio-style HTTP API); no SMS is sent without account, token and from. */
  sms: { apiUrl: string; accountSid?: string; authToken?: string; from?: string };
  /** Seconds before an outbox delivery is retried (doubling each time). */
  messageRetryDelaySeconds: number;
  /**
   * Jobs of one queue this process runs at once (JOB_WORKERS): 4 on PostgreSQL, where they
   * overlap their round trips; 1 on PGlite, whose one connection runs one query at a time.
   */
  jobWorkers: number;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if ((e.ADMIN_EMAIL === undefined) !== (e.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError(
      'Invalid configuration: set both ADMIN_EMAIL and ADMIN_PASSWORD, or neither.',
    );
  }
  const displayHost = e.HOST === '0.0.0.0' || e.HOST === '::' ? 'localhost' : e.HOST;
  return {
    host: e.HOST,
    port: e.PORT,
    dataDir: e.DATA_DIR.startsWith('memory://') ? e.DATA_DIR : path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    publicUrl: (e.PUBLIC_URL ?? `http://${displayHost}:${e.PORT}`).replace(/\/$/, ''),
    logLevel: e.LOG_LEVEL,
    admin:
      e.ADMIN_EMAIL && e.ADMIN_PASSWORD
        ? { email: e.ADMIN_EMAIL, password: e.ADMIN_PASSWORD, name: e.ADMIN_NAME }
        : undefined,
    demo: e.DEMO,
    session: { idleMinutes: e.SESSION_IDLE_MINUTES, maxDays: e.SESSION_MAX_DAYS },
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    trustProxy: e.TRUST_PROXY,
    corsOrigins: e.CORS_ORIGINS,
    workspaceCreation: e.WORKSPACE_CREATION,
    workspacePreset: e.WORKSPACE_PRESET,
    loginThrottle: {
      maxPerAccount: e.LOGIN_MAX_PER_ACCOUNT,
      maxPerIp: e.LOGIN_MAX_PER_IP,
      windowMinutes: e.LOGIN_WINDOW_MINUTES,
    },
    encryptionKey: e.ENCRYPTION_KEY,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    webhooksAllowPrivate: e.WEBHOOKS_ALLOW_PRIVATE,
    sms: {
      apiUrl: e.SMS_API_URL.replace(/\/$/, ''),
      ...(e.SMS_ACCOUNT_SID ? { accountSid: e.SMS_ACCOUNT_SID } : {}),
      ...(e.SMS_AUTH_TOKEN ? { authToken: e.SMS_AUTH_TOKEN } : {}),
      ...(e.SMS_FROM ? { from: e.SMS_FROM } : {}),
    },
    messageRetryDelaySeconds: e.MESSAGE_RETRY_DELAY_SECONDS,
    jobWorkers: e.JOB_WORKERS ?? (e.DATABASE_URL ? 4 : 1),
  };
}
