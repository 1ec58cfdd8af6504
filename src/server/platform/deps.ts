// What every service is built with: the database, the clock, the configuration, the cache of
// resolved API tokens (which the services that change a token's meaning must clear), the jobs, the
// domain events, the schedules and the outgoing channels (mail, SMS).
import type { Kysely } from 'kysely';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { CredentialCache } from './auth/credential-cache.js';
import type { DB } from './db/schema.js';
import type { Events } from './events.js';
import type { Jobs } from './jobs.js';
import type { Mailer } from './mailer.js';
import type { Schedules } from './schedules.js';
import type { SmsSender } from './sms.js';

export interface ServiceDeps {
  db: Kysely<DB>;
  clock: Clock;
  config: Config;
  /** The key of sensitive field values, resolved at boot (platform/crypto.ts); none = can't write them. */
  encryptionKey?: Buffer | undefined;
  credentials: CredentialCache;
  /** Background jobs: register a queue's handler at construction, enqueue inside a transaction. */
  jobs: Jobs;
  /** Domain events: publish inside the change's transaction; subscribers run after commit. */
  events: Events;
  /** Work run once per period across every instance. */
  schedules: Schedules;
  /** Outgoing email (SMTP_URL); `configured` is false without it. */
  mailer: Mailer;
  /** Outgoing SMS (SMS_ACCOUNT_SID, SMS_AUTH_TOKEN, SMS_FROM); `configured` is false without them. */
  sms: SmsSender;
}
