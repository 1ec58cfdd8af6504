// Runs work in the caller's transaction when there is one, else in a new transaction, so a use
// case can stand alone or be one step of a larger one (creating a workspace from a preset).
import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema.js';

export function inTransaction<T>(
  db: Kysely<DB>,
  trx: Transaction<DB> | undefined,
  work: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  return trx ? work(trx) : db.transaction().execute(work);
}
