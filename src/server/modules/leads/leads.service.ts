// Leads: create (with an existing or a new contact), read with its links and stage history,
// list and filter, update with If-Match, move between stages under the pipeline's policy, mark
// lost with a reason, assign, archive and restore. Agents limited to their own leads see only
// those; a lead outside the caller's reach is "not found".
import { z } from 'zod';
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { recordAudit, type Executor } from '../../platform/audit.js';
import type { CompanyRow, ContactRow, LeadRow, StageRow } from '../../platform/db/schema.js';
import { reviveRow } from '../../platform/db/json-rows.js';
import type { Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.js';
import { inTransaction } from '../../platform/db/transaction.js';
import type { EventType } from '../../platform/events.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { AppError, ERROR_TITLES, fieldError, notFound } from '../../platform/errors.js';
import { decodeCursor, pagesReadAhead, toPage } from '../../platform/http/pagination.js';
import { assertVersion } from '../../platform/http/versioning.js';
import { toE164 } from '../../../shared/phone.js';
import type { ArrivingLead, AssignmentService } from '../assignment/assignment.service.js';
import type { Timeline } from '../activities/activities.service.js';
import { toCompanyDto, type CompaniesService } from '../companies/companies.service.js';
import type { DuplicateWarning } from '../duplicates/duplicates.schemas.js';
import { toContactDto, type ContactsService } from '../contacts/contacts.service.js';
import {
  auditCustomFields,
  maskStoredValues,
  type CustomFieldValues,
  type CustomFieldsService,
} from '../custom-fields/custom-fields.service.js';
import { toStageDto, type PipelinesService } from '../pipelines/pipelines.service.js';
import type { NotificationsService } from '../notifications/notifications.service.js';
import type { PipelineDto, StageDto } from '../pipelines/pipelines.schemas.js';
import type { UsersService } from '../users/users.service.js';
import type { WorkspacesService } from '../workspaces/workspaces.service.js';
import * as repo from './leads.repository.js';
import type {
  BulkAction,
  BulkInput,
  BulkResultDto,
  CreateLeadInput,
  ExportLeadsQuery,
  LeadDto,
  LeadListItemDto,
  ListLeadsQuery,
  StageSummaryDto,
  StageSummaryQuery,
  UpdateLeadInput,
} from './leads.schemas.js';

const DAY_MS = 24 * 60 * 60_000;
const EXPORT_PAGE_SIZE = 1000;

/**
 * The lead as the API shows it. Custom field values default to every stored key with sensitive
 * ones masked; pass the custom-fields service's view to show only active fields (or, in a
 * single-lead read, decrypted ones).
 */
export function toLeadDto(
  row: LeadRow,
  now: Date,
  customFields: CustomFieldValues = maskStoredValues(row.custom_fields),
): LeadDto {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    contactId: row.contact_id,
    companyId: row.company_id,
    companyName: row.company_name,
    sourceId: row.source_id,
    sourceCampaign: row.source_campaign,
    sourceDetail: row.source_detail,
    pipelineId: row.pipeline_id,
    stageId: row.stage_id,
    stageEnteredAt: row.stage_entered_at.toISOString(),
    daysInStage: Math.max(0, Math.floor((now.getTime() - row.stage_entered_at.getTime()) / DAY_MS)),
    status: row.status,
    converted: row.is_converted,
    convertedAt: row.converted_at?.toISOString() ?? null,
    convertedBy: row.converted_by,
    archived: row.archived_at !== null,
    lostReasonId: row.lost_reason_id,
    lostNotes: row.lost_notes,
    value: row.value,
    currency: row.currency,
    probability: row.probability,
    priority: row.priority,
    expectedCloseDate: row.expected_close_date,
    assigneeId: row.assignee_id,
    nextFollowUpAt: row.next_follow_up_at?.toISOString() ?? null,
    nextFollowUpType: row.next_follow_up_type,
    contactStatus: row.contact_status,
    lastContactAt: row.last_contact_at?.toISOString() ?? null,
    lastContactMethod: row.last_contact_method,
    lastContactNotes: row.last_contact_notes,
    contactAttempts: row.contact_attempts,
    tags: row.tags,
    customFields,
    score: row.score,
    scoreFactors: row.score_factors ?? [],
    version: row.version,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The repository's order for a list's `sort` parameter. */
function leadSortOf(sort: ListLeadsQuery['sort']): repo.LeadSort {
  return {
    key: sort.replace(/^-/, '') as repo.LeadSortKey,
    // daysInStage runs the other way round from the time the stage was entered.
    isDescending: sort.startsWith('-') !== sort.endsWith('daysInStage'),
  };
}

/** A lead as an export row shows it. */
export type LeadExportItem = Pick<
  LeadListItemDto,
  | 'id'
  | 'title'
  | 'contactName'
  | 'companyName'
  | 'pipelineId'
  | 'stageId'
  | 'status'
  | 'converted'
  | 'archived'
  | 'value'
  | 'currency'
  | 'probability'
  | 'priority'
  | 'assigneeId'
  | 'sourceId'
  | 'sourceCampaign'
  | 'tags'
  | 'contactStatus'
  | 'nextFollowUpAt'
  | 'lastContactAt'
  | 'expectedCloseDate'
  | 'createdAt'
  | 'customFields'
>;

function toLeadExportItem(
  row: repo.LeadExportRow,
  contactNames: Map<string, string>,
  mask: (stored: LeadRow['custom_fields']) => CustomFieldValues,
): LeadExportItem {
  return {
    id: row.id,
    title: row.title,
    contactName: row.contact_id ? (contactNames.get(row.contact_id) ?? null) : null,
    companyName: row.company_name,
    pipelineId: row.pipeline_id,
    stageId: row.stage_id,
    status: row.status,
    converted: row.is_converted,
    archived: row.is_archived,
    value: row.value,
    currency: row.currency,
    probability: row.probability,
    priority: row.priority,
    assigneeId: row.assignee_id,
    sourceId: row.source_id,
    sourceCampaign: row.source_campaign,
    tags: row.tags,
    contactStatus: row.contact_status,
    nextFollowUpAt: row.next_follow_up_at,
    lastContactAt: row.last_contact_at,
    expectedCloseDate: row.expected_close_date,
    createdAt: row.created_at ?? '',
    customFields: mask(row.custom_fields),
  };
}

function auditView(dto: LeadDto) {
  const {
    id,
    version,
    createdAt,
    updatedAt,
    daysInStage,
    stageEnteredAt,
    customFields,
    ...fields
  } = dto;
  // One audit entry per custom field; sensitive values only as "[sensitive]".
  return { ...fields, ...auditCustomFields(customFields) };
}

/** What a search box query means: words to match as prefixes, and maybe a phone number. */
export function searchTerms(q: string | undefined, country: string | undefined) {
  if (!q) return {};
  const words = (q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 10);
  const digits = q.replace(/\D/g, '');
  const phone = digits.length >= 6 ? (toE164(q, country ?? 'US') ?? undefined) : undefined;
  // A phone number is not also searched for as words (its digit groups match little else).
  return phone ? { phone } : { words };
}

function localBound(value: string | undefined): repo.LocalBound | undefined {
  if (value === undefined) return undefined;
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? { date: value } : { instant: new Date(value) };
}

/** Keys of the lead that a change rewrote (not its bookkeeping: version and times). */
function changedKeys(before: LeadDto, after: LeadDto): string[] {
  const ignored = new Set(['version', 'updatedAt', 'daysInStage']);
  return (Object.keys(after) as (keyof LeadDto)[]).filter(
    (key) => !ignored.has(key) && JSON.stringify(before[key]) !== JSON.stringify(after[key]),
  );
}

/** The domain events a saved change means (platform/events.ts), from the audit action. */
function eventsOfChange(
  action: string,
  before: LeadDto,
  after: LeadDto,
): { type: EventType; data: Record<string, unknown> }[] {
  const found: { type: EventType; data: Record<string, unknown> }[] = [];
  if (before.stageId !== after.stageId) {
    found.push({
      type: 'lead.stage_changed',
      data: { fromStageId: before.stageId, toStageId: after.stageId },
    });
  }
  if (after.status === 'won' && before.status !== 'won') found.push({ type: 'lead.won', data: {} });
  if (after.status === 'lost' && before.status !== 'lost') {
    found.push({ type: 'lead.lost', data: { lostReasonId: after.lostReasonId } });
  }
  if (action === 'lead.converted') found.push({ type: 'lead.converted', data: {} });
  if (before.assigneeId !== after.assigneeId) {
    found.push({
      type: 'lead.assigned',
      data: { fromUserId: before.assigneeId, toUserId: after.assigneeId },
    });
  }
  if (action === 'lead.archived') found.push({ type: 'lead.archived', data: {} });
  if (action === 'lead.restored') found.push({ type: 'lead.restored', data: {} });
  if (action === 'lead.updated' || action === 'lead.merged_into') {
    const changes = changedKeys(before, after);
    if (changes.length > 0) found.push({ type: 'lead.updated', data: { changes } });
  }
  return found;
}

export function createLeadsService(
  { db, clock, events }: ServiceDeps,
  deps: {
    pipelines: PipelinesService;
    contacts: ContactsService;
    companies: CompaniesService;
    users: UsersService;
    workspaces: WorkspacesService;
    timeline: Timeline;
    customFields: CustomFieldsService;
    assignment: AssignmentService;
    notifications: NotificationsService;
  },
) {
  /** A lead the actor may see: in the workspace, and their own when limited to own leads. */
  async function getRow(executor: Executor, actor: Actor, leadId: string, lock = false) {
    const row = lock
      ? await repo.lockLead(executor, actor.workspaceId, leadId)
      : await repo.findLead(executor, actor.workspaceId, leadId);
    if (!row || (actor.leadScope === 'own' && row.assignee_id !== actor.userId)) {
      throw notFound('Lead');
    }
    return row;
  }

  function stageIn(pipeline: PipelineDto, stageId: string, field = 'stageId'): StageDto {
    const stage = pipeline.stages.find((s) => s.id === stageId);
    if (!stage) throw fieldError(field, 'No such active stage in this pipeline.');
    return stage;
  }

  /** Writes a change to a lead with its audit row; the lead must not be archived. */
  async function saveChange(
    trx: Executor,
    actor: Actor,
    before: LeadRow,
    action: string,
    patch: Parameters<typeof repo.updateLeadRow>[3],
  ) {
    const now = clock.now();
    const after = await repo.updateLeadRow(trx, actor.workspaceId, before.id, patch, now);
    const mask = await deps.customFields.maskerFor(actor, 'lead', trx);
    const dto = toLeadDto(after, now, mask(after.custom_fields));
    const beforeDto = toLeadDto(before, now, mask(before.custom_fields));
    await recordAudit(trx, clock, actor, {
      action,
      entityType: 'lead',
      entityId: before.id,
      before: auditView(beforeDto),
      after: auditView(dto),
    });
    for (const event of eventsOfChange(action, beforeDto, dto)) {
      await events.publish(trx, {
        ...event,
        actor,
        leadId: dto.id,
        contactId: dto.contactId,
        data: { ...event.data, lead: dto },
      });
    }
    return dto;
  }

  /** A lead as the API shows it outside its own GET (sensitive values masked). */
  async function maskedDto(executor: Executor, actor: Actor, row: LeadRow) {
    const mask = await deps.customFields.maskerFor(actor, 'lead', executor);
    return toLeadDto(row, clock.now(), mask(row.custom_fields));
  }

  function assertEditable(row: LeadRow) {
    if (row.archived_at) {
      throw new AppError('conflict', { message: 'This lead is archived; restore it first.' });
    }
    if (row.is_converted) {
      throw new AppError('conflict', {
        message: 'This lead is converted and locked; add activities and tasks instead.',
      });
    }
  }

  /** Moves a lead to a stage of its pipeline under the pipeline's policy (inside trx). */
  async function moveToStage(
    trx: Executor,
    actor: Actor,
    lead: LeadRow,
    input: {
      stageId: string;
      reason?: string | undefined;
      lostReasonId?: string | undefined;
      lostNotes?: string | undefined;
    },
  ) {
    assertEditable(lead);
    const pipeline = await deps.pipelines.pipelineForLead(actor, lead.pipeline_id, trx);
    const from = pipeline.stages.find((s) => s.id === lead.stage_id);
    const to = stageIn(pipeline, input.stageId);
    if (from?.id === to.id) return maskedDto(trx, actor, lead);
    const isBackward = from !== undefined && to.position < from.position;
    if (isBackward && to.kind !== 'lost') {
      if (pipeline.policy === 'forward_only') {
        throw fieldError('stageId', `"${pipeline.name}" only moves forward (or to a lost stage).`);
      }
      if (!input.reason) throw fieldError('reason', 'Say why the lead moves back.');
    }
    if (to.kind === 'lost' && !input.lostReasonId) {
      throw fieldError('lostReasonId', 'Choose why the lead was lost.');
    }
    const now = clock.now();
    await repo.insertStageMove(trx, {
      workspaceId: actor.workspaceId,
      leadId: lead.id,
      fromStageId: lead.stage_id,
      toStageId: to.id,
      movedBy: actor.userId || null,
      reason: input.reason ?? '',
      now,
    });
    await deps.timeline.recordEvent(trx, actor, {
      leadId: lead.id,
      contactId: lead.contact_id,
      type: 'stage_change',
      subject: `${from?.name ?? 'No stage'} → ${to.name}`,
      details: {
        fromStageId: lead.stage_id,
        toStageId: to.id,
        reason: input.reason ?? '',
        ...(to.kind === 'lost' ? { lostReasonId: input.lostReasonId } : {}),
      },
    });
    return saveChange(trx, actor, lead, to.kind === 'lost' ? 'lead.lost' : 'lead.stage_changed', {
      stage_id: to.id,
      stage_entered_at: now,
      status: to.kind,
      ...(lead.is_probability_overridden ? {} : { probability: to.probability }),
      lost_reason_id: to.kind === 'lost' ? (input.lostReasonId ?? null) : null,
      lost_notes: to.kind === 'lost' ? (input.lostNotes ?? '') : '',
    });
  }

  /** The list's query as repository conditions; an agent limited to own leads sees only theirs. */
  async function leadFilterOf(
    actor: Actor,
    query: Omit<ListLeadsQuery, 'sort' | 'cursor' | 'limit' | 'count'> & { ids?: string[] },
    now: Date,
  ): Promise<repo.LeadFilter> {
    const workspace = await deps.workspaces.findWorkspace(actor.workspaceId);
    return {
      ...searchTerms(query.q, workspace?.country),
      pipelineId: query.pipelineId,
      stageId: query.stageId,
      contactId: query.contactId,
      companyId: query.companyId,
      ids: query.ids,
      status: query.status,
      assignee:
        actor.leadScope === 'own' || query.assigneeId === 'me'
          ? { id: actor.userId }
          : query.assigneeId === 'none'
            ? 'none'
            : query.assigneeId
              ? { id: query.assigneeId }
              : undefined,
      sourceId: query.sourceId,
      priority: query.priority,
      tag: query.tag,
      minScore: query.minScore,
      customFields: await deps.customFields.filterConditions(actor, 'lead', query.cf),
      createdFrom: localBound(query.createdFrom),
      createdTo: localBound(query.createdTo),
      followUp: query.followUp,
      staleDays: query.staleDays,
      includeArchived: query.includeArchived,
      now,
      timeZone: workspace?.timeZone ?? 'UTC',
    };
  }

  /** Assigns a lead to a member already checked to be active (or unassigns it). */
  function assignChecked(
    actor: Actor,
    leadId: string,
    userId: string | null,
    ifMatch?: number,
    outer?: Transaction<DB>,
  ) {
    return inTransaction(db, outer, async (trx) => {
      const lead = await getRow(trx, actor, leadId, true);
      assertVersion(lead.version, ifMatch);
      assertEditable(lead);
      if (lead.assignee_id === userId) return maskedDto(trx, actor, lead);
      await deps.timeline.recordEvent(trx, actor, {
        leadId: lead.id,
        contactId: lead.contact_id,
        type: 'assignment_change',
        subject: userId ? 'Assigned' : 'Unassigned',
        details: { fromUserId: lead.assignee_id, toUserId: userId },
      });
      // Both people hear of it (not whoever made the change themselves).
      const notice = (to: string | null, title: string) =>
        to && to !== actor.userId
          ? deps.notifications.notify(trx, {
              workspaceId: actor.workspaceId,
              userIds: [to],
              kind: 'assignment',
              title,
              leadId: lead.id,
            })
          : undefined;
      await notice(userId, `Assigned to you: ${lead.title}`);
      await notice(lead.assignee_id, `Reassigned from you: ${lead.title}`);
      return saveChange(trx, actor, lead, 'lead.assigned', { assignee_id: userId });
    });
  }

  async function applyBulkAction(actor: Actor, leadId: string, action: BulkAction) {
    switch (action.type) {
      case 'assign':
        return assignChecked(actor, leadId, action.userId);
      case 'move_stage':
        return service.moveLeadToStage(actor, leadId, action);
      case 'add_tag':
      case 'remove_tag':
        return db.transaction().execute(async (trx) => {
          const lead = await getRow(trx, actor, leadId, true);
          assertEditable(lead);
          const tags =
            action.type === 'add_tag'
              ? [...new Set([...lead.tags, action.tag])]
              : lead.tags.filter((tag) => tag !== action.tag);
          if (tags.length === lead.tags.length) return maskedDto(trx, actor, lead);
          return saveChange(trx, actor, lead, 'lead.updated', { tags });
        });
      case 'archive':
        return service.archiveLead(actor, leadId);
    }
  }

  const service = {
    /**
     * Stands alone, or runs as one step of the caller's transaction (`outer`: web-form capture).
     * A member an assignment rule picked hears of it, unless the caller tells them itself
     * (`announcesAssignee`: the web-form capture sends its own "new inquiry" notice).
     */
    async createLead(
      actor: Actor,
      input: CreateLeadInput,
      outer?: Transaction<DB>,
      options: { announcesAssignee?: boolean } = {},
    ) {
      requirePermission(actor, 'lead:create');
      if (input.contactId && input.contact) {
        throw fieldError('contact', 'Send either contactId or a new contact, not both.');
      }
      if (input.assigneeId)
        await deps.users.assertActiveMember(actor, input.assigneeId, 'assigneeId', outer);
      const workspace = await deps.workspaces.findWorkspace(actor.workspaceId, outer);
      return inTransaction(db, outer, async (trx) => {
        const pipeline = await deps.pipelines.pipelineForLead(actor, input.pipelineId, trx);
        const stage = input.stageId
          ? stageIn(pipeline, input.stageId)
          : pipeline.stages.find((s) => s.kind === 'open');
        if (!stage) throw fieldError('stageId', 'This pipeline has no open stage.');
        if (stage.kind === 'lost') throw fieldError('stageId', 'A new lead cannot start lost.');

        let contactId = input.contactId ?? null;
        let contactLabel = '';
        // Where the contact is, for territory assignment rules.
        let contactAddress: ArrivingLead['address'] = null;
        const warnings: DuplicateWarning[] = [];
        if (input.contact) {
          const contact = await deps.contacts.createContact(
            actor,
            { ...input.contact, allowDuplicate: input.allowDuplicate },
            trx,
          );
          contactId = contact.id;
          contactLabel = contact.name;
          contactAddress = contact.address;
          warnings.push(...contact.warnings);
        } else if (contactId) {
          const contact = await deps.contacts.getContact(actor, contactId, trx).catch(() => {
            throw fieldError('contactId', 'No such contact in this workspace.');
          });
          contactLabel = contact.name;
          contactAddress = contact.address;
          const open = await repo.findOpenLeadsOfContact(trx, actor.workspaceId, contactId);
          if (open.length > 0) {
            warnings.push({
              kind: 'contact_has_open_lead',
              message: `${contact.name} already has ${open.length} open lead(s); is this the same inquiry?`,
              candidates: open.map((lead) => ({ id: lead.id, name: lead.title, similarity: 1 })),
            });
          }
        }
        if (input.companyName && !input.companyId) {
          warnings.push(
            ...(await deps.companies.similarCompanyWarnings(actor, input.companyName, null, trx)),
          );
        }
        const custom = await deps.customFields.prepareValues(
          actor,
          'lead',
          input.customFields,
          { country: workspace?.country ?? 'US' },
          trx,
        );
        // No assignee given: the assignment rules decide (or no one).
        const pick = input.assigneeId
          ? undefined
          : await deps.assignment.pickAssignee(trx, actor, {
              sourceId: input.sourceId ?? null,
              value: input.value,
              address: contactAddress,
            });
        const now = clock.now();
        const row = await repo.insertLead(trx, {
          workspace_id: actor.workspaceId,
          title: input.title ?? (contactLabel || input.companyName || 'New lead'),
          description: input.description,
          contact_id: contactId,
          company_id: input.companyId ?? null,
          company_name: input.companyName,
          source_id: input.sourceId ?? null,
          source_campaign: input.sourceCampaign,
          source_detail: input.sourceDetail,
          pipeline_id: pipeline.id,
          stage_id: stage.id,
          stage_entered_at: now,
          status: stage.kind,
          value: input.value,
          currency: input.currency ?? workspace?.currency ?? 'USD',
          probability: input.probability ?? stage.probability,
          is_probability_overridden: input.probability !== undefined,
          priority: input.priority,
          expected_close_date: input.expectedCloseDate ?? null,
          assignee_id: input.assigneeId ?? pick?.userId ?? null,
          tags: input.tags,
          custom_fields: JSON.stringify(custom.values),
          created_by: actor.userId || null,
          created_at: now,
          updated_at: now,
        });
        await repo.insertStageMove(trx, {
          workspaceId: actor.workspaceId,
          leadId: row.id,
          fromStageId: null,
          toStageId: stage.id,
          movedBy: actor.userId || null,
          reason: '',
          now,
        });
        await deps.timeline.recordEvent(trx, actor, {
          leadId: row.id,
          contactId: row.contact_id,
          type: 'system',
          subject: 'Lead created',
          details: { stageId: stage.id, sourceId: row.source_id },
        });
        if (pick) {
          await deps.timeline.recordEvent(trx, actor, {
            leadId: row.id,
            contactId: row.contact_id,
            type: 'assignment_change',
            subject: `Assigned by the rule "${pick.ruleName}"`,
            details: { fromUserId: null, toUserId: pick.userId, ruleId: pick.ruleId },
          });
          if (!options.announcesAssignee && pick.userId !== actor.userId) {
            await deps.notifications.notify(trx, {
              workspaceId: actor.workspaceId,
              userIds: [pick.userId],
              kind: 'assignment',
              title: `Assigned to you: ${row.title}`,
              body: `By the rule "${pick.ruleName}"`,
              leadId: row.id,
            });
          }
        }
        const mask = await deps.customFields.maskerFor(actor, 'lead', trx);
        const created = toLeadDto(row, now, mask(row.custom_fields));
        await recordAudit(trx, clock, actor, {
          action: 'lead.created',
          entityType: 'lead',
          entityId: row.id,
          after: auditView(created),
        });
        await events.publish(trx, {
          type: 'lead.created',
          actor,
          leadId: row.id,
          contactId: row.contact_id,
          data: { lead: created, assignedByRuleId: pick?.ruleId ?? null },
        });
        return { ...created, warnings };
      });
    },

    async getLead(actor: Actor, leadId: string) {
      requirePermission(actor, 'lead:read');
      const detail = await repo.findLeadDetail(db, actor.workspaceId, leadId);
      if (!detail || (actor.leadScope === 'own' && detail.assignee_id !== actor.userId)) {
        throw notFound('Lead');
      }
      const { stage, contact, company, assignee, history, ...row } = detail;
      if (!stage) throw new AppError('internal', { message: 'The lead has no stage.' });
      const [contactMask, companyMask] = await Promise.all([
        deps.customFields.maskerFor(actor, 'contact'),
        deps.customFields.maskerFor(actor, 'company'),
      ]);
      const contactRow = contact ? reviveRow<ContactRow>(contact) : null;
      const companyRow = company ? reviveRow<CompanyRow>(company) : null;
      // The one read that may show sensitive values (to lead:read_sensitive, audited).
      const customFields = await deps.customFields.revealValues(
        actor,
        'lead',
        row.id,
        row.custom_fields,
      );
      return {
        ...toLeadDto(row, clock.now(), customFields),
        // An archived contact or company shows as a placeholder, not as if it were gone.
        contact: !contactRow
          ? null
          : contactRow.archived_at
            ? { id: contactRow.id, deleted: true as const }
            : toContactDto(contactRow, contactMask(contactRow.custom_fields)),
        company: !companyRow
          ? null
          : companyRow.archived_at
            ? { id: companyRow.id, deleted: true as const }
            : toCompanyDto(companyRow, companyMask(companyRow.custom_fields)),
        stage: toStageDto(reviveRow<StageRow>(stage)),
        assignee,
        stageHistory: history.map((h) => ({
          fromStageId: h.from_stage_id,
          toStageId: h.to_stage_id,
          movedAt: new Date(h.moved_at).toISOString(),
          movedBy: h.moved_by,
          reason: h.reason,
        })),
      };
    },

    async listLeads(actor: Actor, query: ListLeadsQuery & { ids?: string[] }) {
      requirePermission(actor, 'lead:read');
      const sort = leadSortOf(query.sort);
      const after = query.cursor
        ? decodeCursor(
            query.cursor,
            z.tuple([z.literal(query.sort), z.union([z.string(), z.number()]), z.uuid()]),
          )
        : undefined;
      const now = clock.now();
      const filter = await leadFilterOf(actor, query, now);
      const [rows, total] = await Promise.all([
        repo.listLeads(db, actor.workspaceId, filter, {
          sort,
          after: after ? [after[1], after[2]] : undefined,
          limit: query.limit,
        }),
        query.count ? repo.countLeads(db, actor.workspaceId, filter) : undefined,
      ]);
      // Lists never decrypt: sensitive values come back masked.
      const [mask, names] = await Promise.all([
        deps.customFields.maskerFor(actor, 'lead'),
        deps.contacts.contactNames(
          actor,
          rows.flatMap((row) => (row.contact_id ? [row.contact_id] : [])),
        ),
      ]);
      const page = toPage(
        rows,
        query.limit,
        (row): LeadListItemDto => ({
          ...toLeadDto(row, now, mask(row.custom_fields)),
          contactName: row.contact_id ? (names.get(row.contact_id) ?? null) : null,
        }),
        (row) => [query.sort, row.sort_key, row.id],
      );
      return total === undefined ? page : { ...page, total };
    },

    /**
     * Every lead of the list's filters in its order, a page at a time, as an export row shows
     * it: a lean query (decision 017) and the next page read while the caller writes this one.
     */
    async *iterateLeads(actor: Actor, query: ExportLeadsQuery): AsyncGenerator<LeadExportItem[]> {
      requirePermission(actor, 'lead:read');
      const sort = leadSortOf(query.sort);
      const filter = await leadFilterOf(actor, query, clock.now());
      // Exports never decrypt: sensitive values come back masked, as in lists.
      const mask = await deps.customFields.maskerFor(actor, 'lead');
      const pageAfter = async (after: [string | number, string] | undefined) => {
        const rows = await repo.exportLeadsPage(db, actor.workspaceId, filter, {
          sort,
          after,
          limit: EXPORT_PAGE_SIZE,
        });
        const pageRows = rows.slice(0, EXPORT_PAGE_SIZE);
        const last = pageRows.at(-1);
        const names = await deps.contacts.contactNames(
          actor,
          pageRows.flatMap((row) => (row.contact_id ? [row.contact_id] : [])),
        );
        return {
          items: pageRows.map((row) => toLeadExportItem(row, names, mask)),
          next:
            rows.length > EXPORT_PAGE_SIZE && last
              ? ([last.sort_key, last.id] as [string, string])
              : undefined,
        };
      };
      yield* pagesReadAhead(pageAfter);
    },

    /** Count, value and weighted value per stage of a pipeline, over the list's filters. */
    async summarizeStages(actor: Actor, query: StageSummaryQuery): Promise<StageSummaryDto> {
      requirePermission(actor, 'lead:read');
      const pipeline = await deps.pipelines.getPipeline(actor, query.pipelineId);
      const filter = await leadFilterOf(actor, query, clock.now());
      const rows = await repo.summarizeStages(
        db,
        actor.workspaceId,
        filter,
        pipeline.stages.map((stage) => stage.id),
      );
      return {
        pipelineId: pipeline.id,
        stages: pipeline.stages.map((stage) => {
          const ofStage = rows.filter((row) => row.stage_id === stage.id);
          return {
            stageId: stage.id,
            count: ofStage.reduce((sum, row) => sum + Number(row.count), 0),
            totals: ofStage.map((row) => ({
              currency: row.currency,
              value: Number(row.value),
              weightedValue: Number(row.weighted_value),
            })),
          };
        }),
      };
    },

    /**
     * One action on many leads, each in its own transaction under the single-lead rules; a lead
     * the action can't apply to is reported with the problem its own route would return.
     */
    async bulkUpdateLeads(actor: Actor, input: BulkInput): Promise<BulkResultDto> {
      requirePermission(actor, input.action.type === 'assign' ? 'lead:assign' : 'lead:update');
      // The assignee is one person for all the leads: checked once, a 422 for the whole request.
      if (input.action.type === 'assign' && input.action.userId) {
        await deps.users.assertActiveMember(actor, input.action.userId, 'action.userId');
      }
      const result: BulkResultDto = { succeeded: [], failed: [] };
      for (const leadId of input.leadIds) {
        try {
          const lead = await applyBulkAction(actor, leadId, input.action);
          result.succeeded.push({ id: lead.id, version: lead.version });
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          result.failed.push({
            id: leadId,
            status: error.status,
            title: ERROR_TITLES[error.code],
            detail: error.fields?.map((field) => field.message).join(' ') || error.message,
          });
        }
      }
      return result;
    },

    /** Stands alone, or runs in the caller's transaction (`outer`: an automation rule's action). */
    async updateLead(
      actor: Actor,
      leadId: string,
      input: UpdateLeadInput,
      ifMatch?: number,
      outer?: Transaction<DB>,
    ) {
      requirePermission(actor, 'lead:update');
      return inTransaction(db, outer, async (trx) => {
        const before = await getRow(trx, actor, leadId, true);
        assertVersion(before.version, ifMatch);
        assertEditable(before);
        let probability = {};
        if (input.probability === null) {
          const pipeline = await deps.pipelines.pipelineForLead(actor, before.pipeline_id, trx);
          const stage = pipeline.stages.find((s) => s.id === before.stage_id);
          probability = {
            probability: stage?.probability ?? before.probability,
            is_probability_overridden: false,
          };
        } else if (input.probability !== undefined) {
          probability = { probability: input.probability, is_probability_overridden: true };
        }
        const workspace = input.customFields
          ? await deps.workspaces.findWorkspace(actor.workspaceId, trx)
          : undefined;
        const custom = input.customFields
          ? await deps.customFields.prepareValues(
              actor,
              'lead',
              input.customFields,
              { existing: before.custom_fields, country: workspace?.country ?? 'US' },
              trx,
            )
          : undefined;
        const updated = await saveChange(trx, actor, before, 'lead.updated', {
          ...(input.title !== undefined ? { title: input.title } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.contactId !== undefined ? { contact_id: input.contactId } : {}),
          ...(input.companyId !== undefined ? { company_id: input.companyId } : {}),
          ...(input.companyName !== undefined ? { company_name: input.companyName } : {}),
          ...(input.sourceId !== undefined ? { source_id: input.sourceId } : {}),
          ...(input.sourceCampaign !== undefined ? { source_campaign: input.sourceCampaign } : {}),
          ...(input.sourceDetail !== undefined ? { source_detail: input.sourceDetail } : {}),
          ...(input.value !== undefined ? { value: input.value } : {}),
          ...(input.currency !== undefined ? { currency: input.currency } : {}),
          ...(input.priority !== undefined ? { priority: input.priority } : {}),
          ...(input.expectedCloseDate !== undefined
            ? { expected_close_date: input.expectedCloseDate }
            : {}),
          ...(input.contactStatus !== undefined ? { contact_status: input.contactStatus } : {}),
          ...(input.tags !== undefined ? { tags: input.tags } : {}),
          ...(custom ? { custom_fields: JSON.stringify(custom.values) } : {}),
          ...probability,
        });
        // The change row shows "[sensitive]" on both sides; say which ones were rewritten.
        if (custom && custom.sensitiveKeys.length > 0) {
          await recordAudit(trx, clock, actor, {
            action: 'lead.sensitive_updated',
            entityType: 'lead',
            entityId: leadId,
            after: { fields: custom.sensitiveKeys },
          });
        }
        const mask = await deps.customFields.maskerFor(actor, 'lead', trx);
        return { ...updated, customFields: mask(custom?.values ?? before.custom_fields) };
      });
    },

    async moveLeadToStage(
      actor: Actor,
      leadId: string,
      input: {
        stageId: string;
        reason?: string | undefined;
        lostReasonId?: string | undefined;
        lostNotes?: string | undefined;
      },
      ifMatch?: number,
      outer?: Transaction<DB>,
    ) {
      requirePermission(actor, 'lead:update');
      return inTransaction(db, outer, async (trx) => {
        const lead = await getRow(trx, actor, leadId, true);
        assertVersion(lead.version, ifMatch);
        return moveToStage(trx, actor, lead, input);
      });
    },

    async markLeadLost(
      actor: Actor,
      leadId: string,
      input: { reasonId: string; notes: string },
      ifMatch?: number,
    ) {
      requirePermission(actor, 'lead:update');
      return db.transaction().execute(async (trx) => {
        const lead = await getRow(trx, actor, leadId, true);
        assertVersion(lead.version, ifMatch);
        const pipeline = await deps.pipelines.pipelineForLead(actor, lead.pipeline_id, trx);
        const lost = pipeline.stages.find((s) => s.kind === 'lost');
        if (!lost) throw new AppError('conflict', { message: 'This pipeline has no lost stage.' });
        return moveToStage(trx, actor, lead, {
          stageId: lost.id,
          lostReasonId: input.reasonId,
          lostNotes: input.notes,
        });
      });
    },

    async assignLead(
      actor: Actor,
      leadId: string,
      userId: string | null,
      ifMatch?: number,
      outer?: Transaction<DB>,
    ) {
      requirePermission(actor, 'lead:assign');
      if (userId) await deps.users.assertActiveMember(actor, userId, 'userId', outer);
      return assignChecked(actor, leadId, userId, ifMatch, outer);
    },

    async archiveLead(actor: Actor, leadId: string, ifMatch?: number) {
      requirePermission(actor, 'lead:update');
      return db.transaction().execute(async (trx) => {
        const lead = await getRow(trx, actor, leadId, true);
        assertVersion(lead.version, ifMatch);
        assertEditable(lead);
        return saveChange(trx, actor, lead, 'lead.archived', { archived_at: clock.now() });
      });
    },

    async restoreLead(actor: Actor, leadId: string, ifMatch?: number) {
      requirePermission(actor, 'lead:update');
      return db.transaction().execute(async (trx) => {
        const lead = await getRow(trx, actor, leadId, true);
        assertVersion(lead.version, ifMatch);
        if (!lead.archived_at) return maskedDto(trx, actor, lead);
        if (lead.merged_into_id) {
          throw new AppError('conflict', {
            message: 'This lead was merged into another; open that one instead.',
            extra: { mergedIntoId: lead.merged_into_id },
          });
        }
        return saveChange(trx, actor, lead, 'lead.restored', { archived_at: null });
      });
    },

    // For the modules that work on a lead (timeline, tasks, conversion, merge), inside their
    // transaction. They check their own permission first.

    /** The lead as a row, when the actor may see it (locked for the transaction on request). */
    findLeadForWork(executor: Executor, actor: Actor, leadId: string, options = { lock: false }) {
      return getRow(executor, actor, leadId, options.lock);
    },

    /** The lead as other modules answer with it (sensitive values masked). */
    async describeLead(executor: Executor, actor: Actor, leadId: string) {
      return maskedDto(executor, actor, await getRow(executor, actor, leadId));
    },

    /** Applies a logged touch: last contact, attempt count, contact status. */
    async recordContactTouch(
      trx: Executor,
      actor: Actor,
      lead: LeadRow,
      touch: {
        lastContactAt?: Date;
        lastContactMethod?: string;
        lastContactNotes?: string;
        isAttempt: boolean;
        contactStatus: LeadRow['contact_status'];
      },
    ) {
      await repo.updateLeadRow(
        trx,
        actor.workspaceId,
        lead.id,
        {
          ...(touch.lastContactAt
            ? {
                last_contact_at: touch.lastContactAt,
                last_contact_method: touch.lastContactMethod ?? null,
                last_contact_notes: touch.lastContactNotes ?? '',
              }
            : {}),
          contact_attempts: lead.contact_attempts + (touch.isAttempt ? 1 : 0),
          contact_status: touch.contactStatus,
        },
        clock.now(),
      );
    },

    /** Titles of the leads among the ids that the actor may see (for lists of tasks). */
    async leadTitles(actor: Actor, leadIds: string[]): Promise<Map<string, string>> {
      requirePermission(actor, 'lead:read');
      if (leadIds.length === 0) return new Map();
      const rows = await repo.findLeadTitles(db, actor.workspaceId, [...new Set(leadIds)]);
      return new Map(
        rows
          .filter((row) => actor.leadScope !== 'own' || row.assignee_id === actor.userId)
          .map((row) => [row.id, row.title]),
      );
    },

    /** The actor's open leads for "my work" (see GET /api/me/work). */
    async listWorkLeads(actor: Actor, list: repo.WorkList, limit: number) {
      requirePermission(actor, 'lead:read');
      const now = clock.now();
      const rows = await repo.listWorkLeads(db, actor.workspaceId, actor.userId, list, now, limit);
      const mask = await deps.customFields.maskerFor(actor, 'lead');
      return rows.map((row) => toLeadDto(row, now, mask(row.custom_fields)));
    },

    /**
     * The lead part of a conversion, in the caller's transaction (after the checks): moves the
     * lead to the won stage (whatever the pipeline's policy), marks it converted and locks it.
     */
    async convertLeadRow(trx: Executor, actor: Actor, lead: LeadRow, wonStage: StageDto) {
      assertEditable(lead);
      const now = clock.now();
      if (lead.stage_id !== wonStage.id) {
        await repo.insertStageMove(trx, {
          workspaceId: actor.workspaceId,
          leadId: lead.id,
          fromStageId: lead.stage_id,
          toStageId: wonStage.id,
          movedBy: actor.userId || null,
          reason: 'Converted',
          now,
        });
      }
      await deps.timeline.recordEvent(trx, actor, {
        leadId: lead.id,
        contactId: lead.contact_id,
        type: 'system',
        subject: `Converted (${wonStage.name})`,
        details: { fromStageId: lead.stage_id, toStageId: wonStage.id },
      });
      return saveChange(trx, actor, lead, 'lead.converted', {
        stage_id: wonStage.id,
        ...(lead.stage_id !== wonStage.id ? { stage_entered_at: now } : {}),
        status: 'won',
        ...(lead.is_probability_overridden ? {} : { probability: wonStage.probability }),
        lost_reason_id: null,
        lost_notes: '',
        is_converted: true,
        converted_at: now,
        converted_by: actor.userId || null,
      });
    },

    /** A merge moved a contact: its leads follow it to the survivor. */
    async relinkContact(trx: Executor, actor: Actor, fromContactId: string, toContactId: string) {
      await repo.relinkContact(trx, actor.workspaceId, fromContactId, toContactId, clock.now());
    },

    /**
     * The lead part of a merge, in the caller's transaction: locks both leads, lets the caller
     * move the other modules' rows (timeline, tasks), moves the stage history, fills the
     * survivor's empty fields from the merged lead and archives it with a pointer.
     */
    async mergeLeadRows(
      trx: Executor,
      actor: Actor,
      mergedId: string,
      survivorId: string,
      ifMatch: number | undefined,
      moveLinks: () => Promise<void>,
    ) {
      requirePermission(actor, 'lead:update');
      if (mergedId === survivorId) throw fieldError('intoId', 'A lead cannot merge into itself.');
      // Lock in id order, so two merges of the same pair can't deadlock.
      const [firstId, secondId] = [mergedId, survivorId].sort();
      const first = await getRow(trx, actor, firstId!, true).catch((error: unknown) => {
        if (firstId === survivorId) throw fieldError('intoId', 'No such lead in this workspace.');
        throw error;
      });
      const second = await getRow(trx, actor, secondId!, true).catch((error: unknown) => {
        if (secondId === survivorId) throw fieldError('intoId', 'No such lead in this workspace.');
        throw error;
      });
      const merged = first.id === mergedId ? first : second;
      assertVersion(merged.version, ifMatch);
      assertEditable(merged);
      assertEditable(first.id === survivorId ? first : second);

      await moveLinks();
      await repo.moveStageHistory(trx, actor.workspaceId, mergedId, survivorId);
      // Moving tasks may have changed the survivor's next follow-up: read it again.
      const survivor = await getRow(trx, actor, survivorId, true);
      const isMergedLater =
        merged.last_contact_at !== null &&
        (survivor.last_contact_at === null || merged.last_contact_at > survivor.last_contact_at);
      const now = clock.now();
      const dto = await saveChange(trx, actor, survivor, 'lead.merged_into', {
        description: survivor.description || merged.description,
        contact_id: survivor.contact_id ?? merged.contact_id,
        company_id: survivor.company_id ?? merged.company_id,
        company_name: survivor.company_name || merged.company_name,
        source_id: survivor.source_id ?? merged.source_id,
        source_campaign: survivor.source_campaign || merged.source_campaign,
        source_detail: survivor.source_detail || merged.source_detail,
        value: survivor.value || merged.value,
        expected_close_date: survivor.expected_close_date ?? merged.expected_close_date,
        assignee_id: survivor.assignee_id ?? merged.assignee_id,
        tags: [...new Set([...survivor.tags, ...merged.tags])],
        custom_fields: JSON.stringify({ ...merged.custom_fields, ...survivor.custom_fields }),
        contact_attempts: survivor.contact_attempts + merged.contact_attempts,
        contact_status:
          survivor.contact_status === 'not_contacted'
            ? merged.contact_status
            : survivor.contact_status,
        ...(isMergedLater
          ? {
              last_contact_at: merged.last_contact_at,
              last_contact_method: merged.last_contact_method,
              last_contact_notes: merged.last_contact_notes,
            }
          : {}),
      });
      await repo.updateLeadRow(
        trx,
        actor.workspaceId,
        mergedId,
        { archived_at: now, merged_into_id: survivorId },
        now,
      );
      await recordAudit(trx, clock, actor, {
        action: 'lead.merged',
        entityType: 'lead',
        entityId: mergedId,
        before: { archived: false },
        after: { archived: true, mergedIntoId: survivorId },
      });
      await deps.timeline.recordEvent(trx, actor, {
        leadId: survivorId,
        contactId: dto.contactId,
        type: 'system',
        subject: `Merged "${merged.title}" into this lead`,
        details: { mergedLeadId: mergedId },
      });
      return dto;
    },

    /** Sets the lead's next follow-up (its earliest open task), when it changed. */
    async setNextFollowUp(
      trx: Executor,
      actor: Actor,
      leadId: string,
      next: { at: Date; type: string } | null,
    ) {
      await repo.setNextFollowUp(trx, actor.workspaceId, leadId, next, clock.now());
    },
  };
  return service;
}

export type LeadsService = ReturnType<typeof createLeadsService>;
