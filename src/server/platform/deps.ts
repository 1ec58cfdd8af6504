// What every service is built with: the database, the clock, the configuration, the cache of
// resolved API tokens (which the services that change a token's meaning must clear) and the jobs.
import type { Kysely } from 'kysely';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { CredentialCache } from './auth/credential-cache.js';
import type { DB } from './db/schema.js';
import type { Jobs } from './jobs.js';

export interface ServiceDeps {
  db: Kysely<DB>;
  clock: Clock;
  config: Config;
  /** The key of sensitive field values, resolved at boot (platform/crypto.ts); none = can't write them. */
  encryptionKey?: Buffer | undefined;
  credentials: CredentialCache;
  /** Background jobs: register a queue's handler at construction, enqueue inside a transaction. */
  jobs: Jobs;
}
