// Rows that come back nested as JSON (Kysely's jsonObjectFrom) carry timestamps as strings;
// the modules' mappers take rows as the driver returns them, with Dates.
const TIMESTAMP_COLUMNS = ['created_at', 'updated_at', 'archived_at', 'moved_at'];

export function reviveRow<Row>(json: object): Row {
  const row: Record<string, unknown> = { ...json };
  for (const column of TIMESTAMP_COLUMNS) {
    const value = row[column];
    if (typeof value === 'string') row[column] = new Date(value);
  }
  return row as Row;
}
