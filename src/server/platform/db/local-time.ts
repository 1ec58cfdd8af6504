// Calendar boundaries in a workspace's time zone, computed by the database (which knows every
// IANA zone and its daylight-saving rules) so "today" means the workspace's today.
import { sql } from 'kysely';

/** The instant local midnight begins, `days` days after the local date of `now` in `timeZone`. */
export function startOfLocalDay(now: Date, timeZone: string, days = 0) {
  return sql<Date>`((date_trunc('day', ${now}::timestamptz at time zone ${timeZone}) + make_interval(days => ${days}::int)) at time zone ${timeZone})`;
}
