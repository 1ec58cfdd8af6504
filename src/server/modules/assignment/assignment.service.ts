// Who gets a new lead: assignment rules evaluated in order when a lead arrives without an
// assignee (by any channel that creates leads through the leads service), members' out-of-office
// ranges (a member away is skipped), and the team's workload.
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { recordAudit, type Executor } from '../../platform/audit.js';
import type { AssignmentRuleRow } from '../../platform/db/schema.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { fieldError, notFound } from '../../platform/errors.js';
import { assertVersion } from '../../platform/http/versioning.js';
import type { LeadSourcesService } from '../lead-sources/lead-sources.service.js';
import type { UsersService } from '../users/users.service.js';
import * as repo from './assignment.repository.js';
import type {
  AssignmentRuleDto,
  AvailabilityDto,
  AvailabilityInput,
  CreateAssignmentRuleInput,
  UpdateAssignmentRuleInput,
  WorkloadDto,
} from './assignment.schemas.js';

/** What a rule can look at on an arriving lead. */
export interface ArrivingLead {
  sourceId: string | null;
  value: number;
  address: {
    postalCode?: string | undefined;
    city?: string | undefined;
    region?: string | undefined;
  } | null;
}

export interface AssignmentPick {
  userId: string;
  ruleId: string;
  ruleName: string;
}

const fold = (text: string) => text.trim().toLocaleLowerCase('en');

/** A postal code in the list: exactly, or by a prefix written with a trailing "*". */
function postalCodeMatches(patterns: string[], code: string): boolean {
  const wanted = fold(code).replace(/\s+/g, '');
  return patterns.some((pattern) => {
    const folded = fold(pattern).replace(/\s+/g, '');
    return folded.endsWith('*') ? wanted.startsWith(folded.slice(0, -1)) : wanted === folded;
  });
}

/** Whether a rule takes this lead at all (before looking at who is available). */
export function ruleMatches(rule: AssignmentRuleRow, lead: ArrivingLead): boolean {
  switch (rule.type) {
    case 'round_robin':
    case 'capacity':
      return true;
    case 'source':
      return lead.sourceId !== null && rule.source_ids.includes(lead.sourceId);
    case 'value_range':
      return (
        (rule.min_value === null || lead.value >= rule.min_value) &&
        (rule.max_value === null || lead.value <= rule.max_value)
      );
    case 'territory': {
      const { postalCode, city, region } = lead.address ?? {};
      return Boolean(
        (postalCode && postalCodeMatches(rule.postal_codes, postalCode)) ||
        (city && rule.cities.map(fold).includes(fold(city))) ||
        (region && rule.regions.map(fold).includes(fold(region))),
      );
    }
  }
}

/** The members of a rule in turn, starting after the one it assigned last. */
export function inTurn(userIds: string[], lastUserId: string | null): string[] {
  const start = lastUserId === null ? 0 : userIds.indexOf(lastUserId) + 1;
  return [...userIds.slice(start), ...userIds.slice(0, start)];
}

function toRuleDto(row: AssignmentRuleRow): AssignmentRuleDto {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    userIds: row.user_ids,
    sourceIds: row.source_ids,
    postalCodes: row.postal_codes,
    cities: row.cities,
    regions: row.regions,
    minValue: row.min_value,
    maxValue: row.max_value,
    maxOpenLeads: row.max_open_leads,
    order: row.position,
    active: row.is_active,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const auditView = ({ id, version, createdAt, updatedAt, ...settings }: AssignmentRuleDto) =>
  settings;

export function createAssignmentService(
  deps: ServiceDeps,
  modules: { users: UsersService; leadSources: LeadSourcesService },
) {
  const { db, clock } = deps;

  async function checkReferences(
    actor: Actor,
    input: { userIds?: string[] | undefined; sourceIds?: string[] | undefined },
    executor: Executor,
  ) {
    for (const userId of new Set(input.userIds ?? [])) {
      await modules.users.assertActiveMember(actor, userId, 'userIds', executor);
    }
    if (input.sourceIds && input.sourceIds.length > 0) {
      const sources = await modules.leadSources.listLeadSources(actor, undefined, executor);
      const known = new Set(sources.items.map((source) => source.id));
      if (input.sourceIds.some((id) => !known.has(id))) {
        throw fieldError('sourceIds', 'No such lead source in this workspace.');
      }
    }
  }

  async function getRuleRow(executor: Executor, actor: Actor, ruleId: string) {
    const row = await repo.findRule(executor, actor.workspaceId, ruleId);
    if (!row) throw notFound('Assignment rule');
    return row;
  }

  /**
   * Inside the caller's transaction: for each arriving lead, the first active rule (in order)
   * that takes it and has someone available assigns it (undefined when none does). A rule's
   * row is locked and its members read the first time a lead matches it; the turns and open-lead
   * counts then move in memory from lead to lead, and each rule's pointer is written once.
   */
  async function pickAssignees(
    trx: Executor,
    actor: Actor,
    arriving: ArrivingLead[],
  ): Promise<(AssignmentPick | undefined)[]> {
    if (arriving.length === 0) return [];
    const now = clock.now();
    const rules = await repo.listRules(trx, actor.workspaceId, { activeOnly: true });
    const turns = new Map<
      string,
      { last: string | null; available: Set<string>; moved: boolean }
    >();
    // Open leads per member, shared by the rules (a capacity rule sees what another assigned).
    const openLeads = new Map<string, number>();

    async function turnOf(rule: AssignmentRuleRow) {
      let turn = turns.get(rule.id);
      if (!turn) {
        const locked = await repo.lockRule(trx, actor.workspaceId, rule.id);
        const available = await repo.availableMembers(trx, actor.workspaceId, rule.user_ids, now);
        turn = { last: locked?.last_user_id ?? null, available, moved: false };
        turns.set(rule.id, turn);
        if (rule.type === 'capacity' || rule.max_open_leads !== null) {
          const unknown = [...available].filter((id) => !openLeads.has(id));
          const counts = await repo.openLeadCounts(trx, actor.workspaceId, unknown);
          for (const id of unknown) openLeads.set(id, counts.get(id) ?? 0);
        }
      }
      return turn;
    }

    /** The member the rule gives the next lead to, or undefined when no one is available. */
    async function pickFor(rule: AssignmentRuleRow) {
      const turn = await turnOf(rule);
      let candidates = inTurn(rule.user_ids, turn.last).filter((id) => turn.available.has(id));
      const load = (id: string) => openLeads.get(id) ?? 0;
      if (rule.max_open_leads !== null) {
        const max = rule.max_open_leads;
        candidates = candidates.filter((id) => load(id) < max);
      }
      // Fewest open leads first; among equals, the turn order (a stable sort keeps it).
      if (rule.type === 'capacity') candidates.sort((a, b) => load(a) - load(b));
      const chosen = candidates[0];
      if (chosen) {
        turn.last = chosen;
        turn.moved = true;
        if (openLeads.has(chosen)) openLeads.set(chosen, load(chosen) + 1);
      }
      return chosen;
    }

    const picks: (AssignmentPick | undefined)[] = [];
    for (const lead of arriving) {
      let pick: AssignmentPick | undefined;
      for (const rule of rules) {
        if (!ruleMatches(rule, lead)) continue;
        const userId = await pickFor(rule);
        if (userId) {
          pick = { userId, ruleId: rule.id, ruleName: rule.name };
          break;
        }
      }
      picks.push(pick);
    }
    for (const [ruleId, turn] of turns) {
      if (turn.moved && turn.last) {
        await repo.setLastAssigned(trx, actor.workspaceId, ruleId, turn.last);
      }
    }
    return picks;
  }

  return {
    /** One arriving lead's pick (see pickAssignees), inside the lead's transaction. */
    async pickAssignee(
      trx: Executor,
      actor: Actor,
      lead: ArrivingLead,
    ): Promise<AssignmentPick | undefined> {
      const [pick] = await pickAssignees(trx, actor, [lead]);
      return pick;
    },

    pickAssignees,

    async listRules(actor: Actor) {
      requirePermission(actor, 'lead:read');
      const rows = await repo.listRules(db, actor.workspaceId, { activeOnly: false });
      return { items: rows.map(toRuleDto), nextCursor: null };
    },

    async getRule(actor: Actor, ruleId: string) {
      requirePermission(actor, 'lead:read');
      return toRuleDto(await getRuleRow(db, actor, ruleId));
    },

    async createRule(actor: Actor, input: CreateAssignmentRuleInput) {
      requirePermission(actor, 'lead:configure');
      return db.transaction().execute(async (trx) => {
        await checkReferences(actor, input, trx);
        const order = input.order ?? (await repo.nextPosition(trx, actor.workspaceId));
        const created = toRuleDto(
          await repo.insertRule(trx, actor.workspaceId, { ...input, order }, clock.now()),
        );
        await recordAudit(trx, clock, actor, {
          action: 'assignment_rule.created',
          entityType: 'assignment_rule',
          entityId: created.id,
          after: auditView(created),
        });
        return created;
      });
    },

    async updateRule(
      actor: Actor,
      ruleId: string,
      input: UpdateAssignmentRuleInput,
      ifMatch?: number,
    ) {
      requirePermission(actor, 'lead:configure');
      return db.transaction().execute(async (trx) => {
        const before = toRuleDto(await getRuleRow(trx, actor, ruleId));
        assertVersion(before.version, ifMatch);
        await checkReferences(actor, input, trx);
        const merged = { ...before, ...input };
        // The same shape rules as on create, on the rule as it would be.
        if (merged.type === 'source' && merged.sourceIds.length === 0) {
          throw fieldError('sourceIds', 'A source rule needs at least one source.');
        }
        if (
          merged.type === 'territory' &&
          merged.postalCodes.length + merged.cities.length + merged.regions.length === 0
        ) {
          throw fieldError(
            'postalCodes',
            'A territory rule needs postal codes, cities or regions.',
          );
        }
        if (merged.type === 'value_range' && merged.minValue === null && merged.maxValue === null) {
          throw fieldError('minValue', 'A value range needs a minimum, a maximum or both.');
        }
        if (
          merged.minValue !== null &&
          merged.maxValue !== null &&
          merged.minValue > merged.maxValue
        ) {
          throw fieldError('maxValue', 'The maximum must not be below the minimum.');
        }
        const after = toRuleDto(
          await repo.updateRule(trx, actor.workspaceId, ruleId, input, clock.now()),
        );
        await recordAudit(trx, clock, actor, {
          action: 'assignment_rule.updated',
          entityType: 'assignment_rule',
          entityId: ruleId,
          before: auditView(before),
          after: auditView(after),
        });
        return after;
      });
    },

    async getAvailability(actor: Actor, userId: string): Promise<AvailabilityDto> {
      requirePermission(actor, 'lead:read');
      await modules.users.assertMember(actor, userId);
      const rows = await repo.listAwayRanges(db, actor.workspaceId, userId);
      return toAvailability(userId, rows, clock.now());
    },

    /** Replaces a member's out-of-office ranges: their own, or anyone's with user:manage. */
    async setAvailability(
      actor: Actor,
      userId: string,
      input: AvailabilityInput,
    ): Promise<AvailabilityDto> {
      requirePermission(actor, 'lead:read');
      if (userId !== actor.userId) requirePermission(actor, 'user:manage');
      return db.transaction().execute(async (trx) => {
        await modules.users.assertMember(actor, userId, trx);
        const before = toAvailability(
          userId,
          await repo.listAwayRanges(trx, actor.workspaceId, userId),
          clock.now(),
        );
        await repo.replaceAwayRanges(trx, actor.workspaceId, userId, input.outOfOffice);
        const after = toAvailability(
          userId,
          await repo.listAwayRanges(trx, actor.workspaceId, userId),
          clock.now(),
        );
        await recordAudit(trx, clock, actor, {
          action: 'user.availability_changed',
          entityType: 'user',
          entityId: userId,
          before: { outOfOffice: before.outOfOffice },
          after: { outOfOffice: after.outOfOffice },
        });
        return after;
      });
    },

    async getWorkload(actor: Actor): Promise<WorkloadDto> {
      requirePermission(actor, 'lead:assign');
      const rows = await repo.workload(db, actor.workspaceId, clock.now());
      return {
        items: rows.map((row) => ({
          userId: row.user_id,
          name: row.name,
          role: row.role,
          openLeads: row.open_leads,
          overdueTasks: row.overdue_tasks,
          awayNow: row.away_until !== null,
          awayUntil: row.away_until?.toISOString() ?? null,
        })),
      };
    },
  };
}

function toAvailability(
  userId: string,
  rows: { starts_at: Date; ends_at: Date; note: string }[],
  now: Date,
): AvailabilityDto {
  return {
    userId,
    outOfOffice: rows.map((row) => ({
      startsAt: row.starts_at.toISOString(),
      endsAt: row.ends_at.toISOString(),
      note: row.note,
    })),
    awayNow: rows.some((row) => row.starts_at <= now && row.ends_at > now),
  };
}

export type AssignmentService = ReturnType<typeof createAssignmentService>;
