// Keyset paging of lists shown newest first (audit log, activities, notifications, runs,
// deliveries, messages, submissions): ordered by (time, id) descending, a page starts after the
// last row of the one before, so rows written meanwhile neither repeat nor go missing.
import { sql, type SelectQueryBuilder } from 'kysely';

/**
 * `query` newest first by the columns `at` and `id`, after the cursor `before` (the previous
 * page's last row), `rows` rows at most (ask one more than the page to learn whether another
 * follows).
 */
export function newestFirst<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  before: readonly [Date, string] | undefined,
  rows: number,
  at = 'created_at',
  id = 'id',
): SelectQueryBuilder<DB, TB, O> {
  const atRef = sql.ref(at);
  const idRef = sql.ref(id);
  const after = before
    ? query.where(
        sql<boolean>`(${atRef} < ${before[0]} or (${atRef} = ${before[0]} and ${idRef} < ${before[1]}))`,
      )
    : query;
  return after.orderBy(atRef, 'desc').orderBy(idRef, 'desc').limit(rows);
}
