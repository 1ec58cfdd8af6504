// Privacy requests: a contact whose personal data was erased is marked (erased_at, erased_by) and
// stays so. The audit log stays append-only with one narrow exception: an erasure may rewrite
// the stored before/after snapshots (`changes`) of audit rows — never who, what, when — and
// only inside a transaction that has set leadkeeper.erasing = 'on' (set_config(…, true)).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
alter table contacts add column erased_at timestamptz;
alter table contacts add column erased_by uuid references users (id);

create or replace function audit_log_refuse_change() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' and current_setting('leadkeeper.erasing', true) = 'on'
    and new.workspace_id = old.workspace_id and new.id = old.id
    and new.actor_user_id is not distinct from old.actor_user_id
    and new.actor_token_id is not distinct from old.actor_token_id
    and new.action = old.action and new.entity_type = old.entity_type
    and new.entity_id = old.entity_id and new.request_id is not distinct from old.request_id
    and new.ip is not distinct from old.ip and new.created_at = old.created_at then
    return new;
  end if;
  raise exception 'audit_log is append-only';
end;
$$;
`,
    )
    .execute(db);
}
