// What every service is built with: the database, the clock and the configuration.
import type { Kysely } from 'kysely';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { DB } from './db/schema.js';

export interface ServiceDeps {
  db: Kysely<DB>;
  clock: Clock;
  config: Config;
  /** The key of sensitive field values, resolved at boot (platform/crypto.ts); none = can't write them. */
  encryptionKey?: Buffer | undefined;
}
