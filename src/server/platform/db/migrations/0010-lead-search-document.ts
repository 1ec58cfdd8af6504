// One full-text document per lead (docs/decisions/012): its title and company name, its contact's
// names and email words, and its linked company's name, in a `search` column kept by triggers so
// every writer keeps it right. A search is then one condition on the leads table, which the
// planner can weigh against the list's order: for a common word it walks the newest leads and
// stops at the page's end; for a rare one it asks the GIN index. The earlier union of three
// indexes had to collect and sort every match (2 s for a common last name at 1,000,000 leads).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
alter table leads add column search tsvector not null default ''::tsvector;

create function lead_search_document(l leads) returns tsvector language sql stable as $$
  select to_tsvector('simple', l.title || ' ' || l.company_name)
    || coalesce((
      select to_tsvector('simple', c.first_name || ' ' || c.last_name || ' ' ||
        translate(jsonb_path_query_array(c.emails, '$[*].value')::text, '@.[]",_-+', '          '))
      from contacts c where c.workspace_id = l.workspace_id and c.id = l.contact_id), ''::tsvector)
    || coalesce((
      select to_tsvector('simple', co.name)
      from companies co where co.workspace_id = l.workspace_id and co.id = l.company_id), ''::tsvector)
$$;

create function leads_set_search() returns trigger language plpgsql as $$
begin
  new.search := lead_search_document(new);
  return new;
end $$;
create trigger leads_search before insert or update of title, company_name, contact_id, company_id
  on leads for each row execute function leads_set_search();

-- A contact's or company's new name or emails reach the documents of its leads (naming a column
-- in SET is enough to fire leads_search; nothing else of the lead changes).
create function contacts_refresh_lead_search() returns trigger language plpgsql as $$
begin
  update leads set contact_id = contact_id where workspace_id = new.workspace_id and contact_id = new.id;
  return null;
end $$;
create trigger contacts_lead_search after update of first_name, last_name, emails on contacts
  for each row when (old.first_name is distinct from new.first_name
    or old.last_name is distinct from new.last_name or old.emails is distinct from new.emails)
  execute function contacts_refresh_lead_search();

create function companies_refresh_lead_search() returns trigger language plpgsql as $$
begin
  update leads set company_id = company_id where workspace_id = new.workspace_id and company_id = new.id;
  return null;
end $$;
create trigger companies_lead_search after update of name on companies
  for each row when (old.name is distinct from new.name)
  execute function companies_refresh_lead_search();

update leads set search = lead_search_document(leads);
create index leads_search_document_idx on leads using gin (search);
drop index leads_search_idx;
`,
    )
    .execute(db);
}
