// The duplicate scan: pairs of active contacts that share an email or phone or have similar
// names (among those sharing a match key, as for the warnings on creation), and pairs of open
// leads of the same contact. Scored, ordered and keyset-paged in SQL.
import { sql } from 'kysely';
import type { Executor } from '../../platform/audit.js';

export interface PairRow {
  a_id: string;
  b_id: string;
  a_name: string;
  b_name: string;
  score: number;
  reasons: string[];
}

interface ScanPage {
  threshold: number;
  /** Only leads assigned to this person (an agent limited to their own leads). */
  onlyAssigneeId?: string | undefined;
  after?: [number, string, string] | undefined;
  limit: number;
}

function pageOf(after: ScanPage['after']) {
  if (!after) return sql`true`;
  const [score, a, b] = after;
  return sql`(score < ${score}::float8 or (score = ${score}::float8 and (a_id, b_id) > (${a}::uuid, ${b}::uuid)))`;
}

export async function scanContactPairs(db: Executor, workspaceId: string, page: ScanPage) {
  const result = await sql<PairRow>`
    with pairs as (
      select p1.contact_id as a_id, p2.contact_id as b_id, 1.0::float8 as score,
             p1.kind || ':' || p1.value as reason
      from contact_points p1
      join contact_points p2 on p2.workspace_id = p1.workspace_id and p2.kind = p1.kind
        and p2.value = p1.value and p2.contact_id > p1.contact_id
      where p1.workspace_id = ${workspaceId}
      union all
      select c1.id, c2.id,
             similarity(lower(c1.first_name || ' ' || c1.last_name),
                        lower(c2.first_name || ' ' || c2.last_name))::float8,
             'name'
      from contacts c1
      -- Pairs that share a match key of the similar-name warning (migration 0009).
      join contacts c2 on c2.workspace_id = c1.workspace_id and c2.id > c1.id
        and c2.archived_at is null
        and ((left(lower(c2.last_name), 4) = left(lower(c1.last_name), 4)
              and left(lower(c2.first_name), 1) = left(lower(c1.first_name), 1))
          or (lower(c2.first_name) = lower(c1.first_name)
              and left(lower(c2.last_name), 2) = left(lower(c1.last_name), 2)))
      where c1.workspace_id = ${workspaceId} and c1.archived_at is null
    ),
    scored as (
      select a_id, b_id, max(score) as score, array_agg(distinct reason order by reason) as reasons
      from pairs group by a_id, b_id
    )
    select s.a_id, s.b_id, s.score, s.reasons,
           trim(a.first_name || ' ' || a.last_name) as a_name,
           trim(b.first_name || ' ' || b.last_name) as b_name
    from scored s
    join contacts a on a.workspace_id = ${workspaceId} and a.id = s.a_id and a.archived_at is null
    join contacts b on b.workspace_id = ${workspaceId} and b.id = s.b_id and b.archived_at is null
    where s.score >= ${page.threshold}::float8 and ${pageOf(page.after)}
    order by s.score desc, s.a_id, s.b_id
    limit ${page.limit + 1}
  `.execute(db);
  return result.rows;
}

export async function scanLeadPairs(db: Executor, workspaceId: string, page: ScanPage) {
  const result = await sql<PairRow>`
    with scored as (
      select l1.id as a_id, l2.id as b_id, l1.title as a_name, l2.title as b_name,
             1.0::float8 as score, array['same_contact'] as reasons
      from leads l1
      join leads l2 on l2.workspace_id = l1.workspace_id and l2.contact_id = l1.contact_id
        and l2.id > l1.id and l2.status = 'open' and l2.archived_at is null
      where l1.workspace_id = ${workspaceId} and l1.status = 'open' and l1.archived_at is null
        and (${page.onlyAssigneeId ?? null}::uuid is null
          or (l1.assignee_id = ${page.onlyAssigneeId ?? null}::uuid
            and l2.assignee_id = ${page.onlyAssigneeId ?? null}::uuid))
    )
    select * from scored
    where ${pageOf(page.after)}
    order by score desc, a_id, b_id
    limit ${page.limit + 1}
  `.execute(db);
  return result.rows;
}
