// The ordered migration history. Migrations are listed here (not read from disk) so the
// built server and the tests run exactly the same set. Never edit one after it has landed.
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as m0001 from './migrations/0001-foundation.js';
import * as m0002 from './migrations/0002-pipelines.js';
import * as m0003 from './migrations/0003-sources-lost-reasons.js';
import * as m0004 from './migrations/0004-contacts-companies.js';
import * as m0005 from './migrations/0005-leads.js';
import * as m0006 from './migrations/0006-activities-tasks.js';
import * as m0007 from './migrations/0007-custom-fields.js';
import * as m0008 from './migrations/0008-search-duplicates.js';
import * as m0009 from './migrations/0009-contact-name-keys.js';
import * as m0010 from './migrations/0010-lead-search-document.js';
import * as m0011 from './migrations/0011-saved-views.js';
import * as m0012 from './migrations/0012-forms-notifications.js';
import * as m0013 from './migrations/0013-imports.js';
import * as m0014 from './migrations/0014-privacy-erasure.js';
import * as m0015 from './migrations/0015-assignment.js';
import * as m0016 from './migrations/0016-events-schedules.js';
import * as m0017 from './migrations/0017-scoring.js';
import * as m0018 from './migrations/0018-analytics-facts.js';
import * as m0019 from './migrations/0019-messaging.js';
import * as m0020 from './migrations/0020-automation.js';
import * as m0021 from './migrations/0021-webhooks-reviews.js';
import * as m0022 from './migrations/0022-sequences.js';
import * as m0023 from './migrations/0023-analytics-rollups.js';
import * as m0024 from './migrations/0024-analytics-durations.js';
import * as m0025 from './migrations/0025-analytics-ignore-scores.js';
import * as m0026 from './migrations/0026-analytics-open-months.js';
import * as m0027 from './migrations/0027-analytics-report-reads.js';
import { migrateJobSchema } from '../jobs.js';
import type { DB } from './schema.js';

const MIGRATIONS: Record<string, Migration> = {
  '0001-foundation': m0001,
  '0002-pipelines': m0002,
  '0003-sources-lost-reasons': m0003,
  '0004-contacts-companies': m0004,
  '0005-leads': m0005,
  '0006-activities-tasks': m0006,
  '0007-custom-fields': m0007,
  '0008-search-duplicates': m0008,
  '0009-contact-name-keys': m0009,
  '0010-lead-search-document': m0010,
  '0011-saved-views': m0011,
  '0012-forms-notifications': m0012,
  '0013-imports': m0013,
  '0014-privacy-erasure': m0014,
  '0015-assignment': m0015,
  '0016-events-schedules': m0016,
  '0017-scoring': m0017,
  '0018-analytics-facts': m0018,
  '0019-messaging': m0019,
  '0020-automation': m0020,
  '0021-webhooks-reviews': m0021,
  '0022-sequences': m0022,
  '0023-analytics-rollups': m0023,
  '0024-analytics-durations': m0024,
  '0025-analytics-ignore-scores': m0025,
  '0026-analytics-open-months': m0026,
  '0027-analytics-report-reads': m0027,
};

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(MIGRATIONS) };

export async function migrateToLatest(db: Kysely<DB>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error || failed) {
    const name = failed ? ` (${failed.migrationName})` : '';
    throw new Error(`Database migration failed${name}: ${String(error)}`, { cause: error });
  }
  // pg-boss keeps its own schema and version; it creates or upgrades them itself.
  await migrateJobSchema(db);
  return (results ?? []).map((result) => result.migrationName);
}
