// Leads: create (with an existing or a new contact), read with its links and stage history,
// list and filter, update with If-Match, move between stages under the pipeline's policy, mark
// lost with a reason, assign, archive and restore. Agents limited to their own leads see only
// those; a lead outside the caller's reach is "not found".
import { z } from 'zod';
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { recordAudit, type Executor } from '../../platform/audit.js';
import type { LeadRow } from '../../platform/db/schema.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { AppError, fieldError, notFound } from '../../platform/errors.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { assertVersion } from '../../platform/http/versioning.js';
import { toE164 } from '../../../shared/phone.js';
import type { CompaniesService } from '../companies/companies.service.js';
import type { ContactsService } from '../contacts/contacts.service.js';
import type { PipelinesService } from '../pipelines/pipelines.service.js';
import type { PipelineDto, StageDto } from '../pipelines/pipelines.schemas.js';
import type { UsersService } from '../users/users.service.js';
import type { WorkspacesService } from '../workspaces/workspaces.service.js';
import * as repo from './leads.repository.js';
import type { CreateLeadInput, LeadDto, ListLeadsQuery, UpdateLeadInput } from './leads.schemas.js';

const DAY_MS = 24 * 60 * 60_000;

export function toLeadDto(row: LeadRow, now: Date): LeadDto {
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
    score: row.score,
    version: row.version,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function auditView(dto: LeadDto) {
  const { id, version, createdAt, updatedAt, daysInStage, stageEnteredAt, ...fields } = dto;
  return fields;
}

export function createLeadsService(
  { db, clock }: ServiceDeps,
  deps: {
    pipelines: PipelinesService;
    contacts: ContactsService;
    companies: CompaniesService;
    users: UsersService;
    workspaces: WorkspacesService;
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

  async function assertAssignable(actor: Actor, userId: string) {
    const member = await deps.users.findMemberForSignIn(actor.workspaceId, userId);
    if (!member?.member_active || !member.user_active) {
      throw fieldError('assigneeId', 'No such active person in this workspace.');
    }
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
    const dto = toLeadDto(after, now);
    await recordAudit(trx, clock, actor, {
      action,
      entityType: 'lead',
      entityId: before.id,
      before: auditView(toLeadDto(before, now)),
      after: auditView(dto),
    });
    return dto;
  }

  function assertEditable(row: LeadRow) {
    if (row.archived_at) {
      throw new AppError('conflict', { message: 'This lead is archived; restore it first.' });
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
    if (from?.id === to.id) return toLeadDto(lead, clock.now());
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
    return saveChange(trx, actor, lead, to.kind === 'lost' ? 'lead.lost' : 'lead.stage_changed', {
      stage_id: to.id,
      stage_entered_at: now,
      status: to.kind,
      ...(lead.is_probability_overridden ? {} : { probability: to.probability }),
      lost_reason_id: to.kind === 'lost' ? (input.lostReasonId ?? null) : null,
      lost_notes: to.kind === 'lost' ? (input.lostNotes ?? '') : '',
    });
  }

  return {
    async createLead(actor: Actor, input: CreateLeadInput) {
      requirePermission(actor, 'lead:create');
      if (input.contactId && input.contact) {
        throw fieldError('contact', 'Send either contactId or a new contact, not both.');
      }
      if (input.assigneeId) await assertAssignable(actor, input.assigneeId);
      const workspace = await deps.workspaces.findWorkspace(actor.workspaceId);
      return db.transaction().execute(async (trx) => {
        const pipeline = await deps.pipelines.pipelineForLead(actor, input.pipelineId, trx);
        const stage = input.stageId
          ? stageIn(pipeline, input.stageId)
          : pipeline.stages.find((s) => s.kind === 'open');
        if (!stage) throw fieldError('stageId', 'This pipeline has no open stage.');
        if (stage.kind === 'lost') throw fieldError('stageId', 'A new lead cannot start lost.');

        let contactId = input.contactId ?? null;
        let contactLabel = '';
        if (input.contact) {
          const contact = await deps.contacts.createContact(
            actor,
            { ...input.contact, allowDuplicate: input.allowDuplicate },
            trx,
          );
          contactId = contact.id;
          contactLabel = contact.name;
        } else if (contactId) {
          const contact = await deps.contacts.getContact(actor, contactId, trx).catch(() => {
            throw fieldError('contactId', 'No such contact in this workspace.');
          });
          contactLabel = contact.name;
        }
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
          assignee_id: input.assigneeId ?? null,
          tags: input.tags,
          custom_fields: JSON.stringify({}),
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
        const created = toLeadDto(row, now);
        await recordAudit(trx, clock, actor, {
          action: 'lead.created',
          entityType: 'lead',
          entityId: row.id,
          after: auditView(created),
        });
        return created;
      });
    },

    async getLead(actor: Actor, leadId: string) {
      requirePermission(actor, 'lead:read');
      const row = await getRow(db, actor, leadId);
      const now = clock.now();
      const [pipeline, history, contact, company, assignee] = await Promise.all([
        deps.pipelines.getPipeline(actor, row.pipeline_id),
        repo.listStageHistory(db, actor.workspaceId, row.id),
        row.contact_id ? deps.contacts.getContact(actor, row.contact_id) : Promise.resolve(null),
        row.company_id ? deps.companies.getCompany(actor, row.company_id) : Promise.resolve(null),
        row.assignee_id
          ? deps.users.findMemberForSignIn(actor.workspaceId, row.assignee_id)
          : Promise.resolve(undefined),
      ]);
      const stage = pipeline.stages.find((s) => s.id === row.stage_id);
      if (!stage) throw new AppError('internal', { message: 'The lead is in an archived stage.' });
      return {
        ...toLeadDto(row, now),
        // An archived contact or company shows as a placeholder, not as if it were gone.
        contact: contact?.archived ? { id: contact.id, deleted: true as const } : contact,
        company: company?.archived ? { id: company.id, deleted: true as const } : company,
        stage,
        assignee: assignee ? { id: assignee.id, name: assignee.name, email: assignee.email } : null,
        stageHistory: history.map((h) => ({
          fromStageId: h.from_stage_id,
          toStageId: h.to_stage_id,
          movedAt: h.moved_at.toISOString(),
          movedBy: h.moved_by,
          reason: h.reason,
        })),
      };
    },

    async listLeads(actor: Actor, query: ListLeadsQuery) {
      requirePermission(actor, 'lead:read');
      const before = query.cursor
        ? decodeCursor(query.cursor, z.tuple([z.coerce.date(), z.uuid()]))
        : undefined;
      const assignee =
        actor.leadScope === 'own'
          ? { id: actor.userId }
          : query.assigneeId === 'me'
            ? { id: actor.userId }
            : query.assigneeId === 'none'
              ? ('none' as const)
              : query.assigneeId
                ? { id: query.assigneeId }
                : undefined;
      const workspace = query.q
        ? await deps.workspaces.findWorkspace(actor.workspaceId)
        : undefined;
      const qPhone =
        query.q && workspace ? (toE164(query.q, workspace.country) ?? undefined) : undefined;
      const rows = await repo.listLeads(db, actor.workspaceId, {
        ...query,
        assignee,
        qPhone,
        before,
      });
      const now = clock.now();
      return toPage(
        rows,
        query.limit,
        (row) => toLeadDto(row, now),
        (row) => [row.created_at.toISOString(), row.id],
      );
    },

    async updateLead(actor: Actor, leadId: string, input: UpdateLeadInput, ifMatch?: number) {
      requirePermission(actor, 'lead:update');
      return db.transaction().execute(async (trx) => {
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
        return saveChange(trx, actor, before, 'lead.updated', {
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
          ...probability,
        });
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
    ) {
      requirePermission(actor, 'lead:update');
      return db.transaction().execute(async (trx) => {
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

    async assignLead(actor: Actor, leadId: string, userId: string | null, ifMatch?: number) {
      requirePermission(actor, 'lead:assign');
      if (userId) await assertAssignable(actor, userId);
      return db.transaction().execute(async (trx) => {
        const lead = await getRow(trx, actor, leadId, true);
        assertVersion(lead.version, ifMatch);
        assertEditable(lead);
        return saveChange(trx, actor, lead, 'lead.assigned', { assignee_id: userId });
      });
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
        if (!lead.archived_at) return toLeadDto(lead, clock.now());
        return saveChange(trx, actor, lead, 'lead.restored', { archived_at: null });
      });
    },
  };
}

export type LeadsService = ReturnType<typeof createLeadsService>;
