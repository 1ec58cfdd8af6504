// The only SQL for custom field definitions; every function is scoped by workspace.
import { sql } from 'kysely';
import type { Executor } from '../../platform/audit.js';
import type {
  CustomFieldOption,
  CustomFieldRecordType,
  CustomFieldType,
} from '../../platform/db/schema.js';

export function listCustomFields(
  db: Executor,
  workspaceId: string,
  filter: { recordType?: CustomFieldRecordType | undefined; includeArchived: boolean },
) {
  let query = db.selectFrom('custom_fields').selectAll().where('workspace_id', '=', workspaceId);
  if (filter.recordType) query = query.where('record_type', '=', filter.recordType);
  if (!filter.includeArchived) query = query.where('archived_at', 'is', null);
  return query.orderBy('record_type').orderBy('position').orderBy('label').execute();
}

export function findCustomField(db: Executor, workspaceId: string, fieldId: string) {
  return db
    .selectFrom('custom_fields')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', fieldId)
    .executeTakeFirst();
}

/** Locks the definition for the rest of the transaction. */
export function lockCustomField(db: Executor, workspaceId: string, fieldId: string) {
  return db
    .selectFrom('custom_fields')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', fieldId)
    .forUpdate()
    .executeTakeFirst();
}

export function findCustomFieldByKey(
  db: Executor,
  workspaceId: string,
  recordType: CustomFieldRecordType,
  key: string,
) {
  return db
    .selectFrom('custom_fields')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('record_type', '=', recordType)
    .where('key', '=', key)
    .executeTakeFirst();
}

export interface CustomFieldValues {
  recordType: CustomFieldRecordType;
  key: string;
  label: string;
  type: CustomFieldType;
  options: CustomFieldOption[];
  required: boolean;
  sensitive: boolean;
  helpText: string;
  position?: number | undefined;
}

export function insertCustomField(
  db: Executor,
  workspaceId: string,
  values: CustomFieldValues,
  now: Date,
) {
  return db
    .insertInto('custom_fields')
    .values({
      workspace_id: workspaceId,
      record_type: values.recordType,
      key: values.key,
      label: values.label,
      type: values.type,
      options: JSON.stringify(values.options),
      is_required: values.required,
      is_sensitive: values.sensitive,
      help_text: values.helpText,
      // New fields go to the end of their record type's list unless a position is given.
      position:
        values.position ??
        sql<number>`(select coalesce(max(position), -1) + 1 from custom_fields where workspace_id = ${workspaceId} and record_type = ${values.recordType})`,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateCustomFieldRow(
  db: Executor,
  workspaceId: string,
  fieldId: string,
  patch: {
    label?: string | undefined;
    options?: CustomFieldOption[] | undefined;
    required?: boolean | undefined;
    helpText?: string | undefined;
    position?: number | undefined;
    archivedAt?: Date | null | undefined;
  },
  now: Date,
) {
  return db
    .updateTable('custom_fields')
    .set((eb) => ({
      ...(patch.label !== undefined ? { label: patch.label } : {}),
      ...(patch.options !== undefined ? { options: JSON.stringify(patch.options) } : {}),
      ...(patch.required !== undefined ? { is_required: patch.required } : {}),
      ...(patch.helpText !== undefined ? { help_text: patch.helpText } : {}),
      ...(patch.position !== undefined ? { position: patch.position } : {}),
      ...(patch.archivedAt !== undefined ? { archived_at: patch.archivedAt } : {}),
      version: eb('version', '+', 1),
      updated_at: now,
    }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', fieldId)
    .returningAll()
    .executeTakeFirstOrThrow();
}
