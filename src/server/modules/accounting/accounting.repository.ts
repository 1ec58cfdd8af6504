// The only SQL of the accounting handoff: the workspace's connector, and the external customer
// ids on contacts and companies (columns this module added and alone writes).
import type { Executor } from '../../platform/audit.js';

export function findConnector(db: Executor, workspaceId: string) {
  return db
    .selectFrom('accounting_connectors')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
}

export function upsertConnector(
  db: Executor,
  workspaceId: string,
  values: { url: string; secret: string },
  now: Date,
) {
  return db
    .insertInto('accounting_connectors')
    .values({ workspace_id: workspaceId, ...values, created_at: now, updated_at: now })
    .onConflict((oc) =>
      oc.column('workspace_id').doUpdateSet((eb) => ({
        url: values.url,
        secret: values.secret,
        updated_at: now,
        version: eb('accounting_connectors.version', '+', 1),
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export type CustomerTable = 'contacts' | 'companies';

export async function findCustomerId(
  db: Executor,
  table: CustomerTable,
  workspaceId: string,
  id: string,
) {
  const row = await db
    .selectFrom(table)
    .select('accounting_customer_id')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.accounting_customer_id ?? null;
}

/** Stores the id unless one is there already; false when another confirmation stored first. */
export async function storeCustomerId(
  db: Executor,
  table: CustomerTable,
  workspaceId: string,
  id: string,
  customerId: string,
) {
  const row = await db
    .updateTable(table)
    .set({ accounting_customer_id: customerId })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('accounting_customer_id', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}
