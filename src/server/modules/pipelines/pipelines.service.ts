// Use cases for pipelines and their stages: list, create (with stages), rename, change policy,
// make default, archive; add, edit, reorder and archive stages. Every change bumps the
// pipeline's version (one ETag for the pipeline and its stages) and is audited.
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { recordAudit, type Executor } from '../../platform/audit.js';
import type { Transaction } from 'kysely';
import type { DB, PipelineRow, StageKind, StageRow } from '../../platform/db/schema.js';
import { reviveRow } from '../../platform/db/json-rows.js';
import { inTransaction } from '../../platform/db/transaction.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { AppError, fieldError, notFound, type FieldError } from '../../platform/errors.js';
import { assertVersion } from '../../platform/http/versioning.js';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.js';
import * as repo from './pipelines.repository.js';
import type {
  CreatePipelineInput,
  PipelineDto,
  StageDto,
  StageInput,
  UpdatePipelineInput,
  UpdateStageInput,
} from './pipelines.schemas.js';

const DEFAULT_COLORS: Record<StageKind, string> = {
  open: '#228be6',
  won: '#40c057',
  lost: '#fa5252',
};
const DEFAULT_PROBABILITY: Record<StageKind, number> = { open: 10, won: 100, lost: 0 };

export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 60);
  return slug || 'stage';
}

function uniqueSlug(wanted: string, taken: Set<string>): string {
  let slug = wanted;
  for (let n = 2; taken.has(slug); n += 1) slug = `${wanted.slice(0, 56)}_${n}`;
  taken.add(slug);
  return slug;
}

export function toStageDto(row: StageRow): StageDto {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    position: row.position,
    color: row.color,
    probability: row.probability,
    kind: row.kind,
    maxDaysInStage: row.max_days_in_stage,
    description: row.description,
  };
}

function toPipelineDto(row: PipelineRow, stages: StageRow[]): PipelineDto {
  return {
    id: row.id,
    name: row.name,
    policy: row.policy,
    isDefault: row.is_default,
    archived: row.archived_at !== null,
    version: row.version,
    stages: stages.filter((stage) => stage.pipeline_id === row.id).map(toStageDto),
    requiredForConversion: row.required_for_conversion,
    onboardingTasks: row.onboarding_tasks,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** A pipeline needs somewhere open to work, somewhere to win and somewhere to lose. */
function assertKindsCovered(kinds: StageKind[], field: string): void {
  const missing = (['open', 'won', 'lost'] as const).filter((kind) => !kinds.includes(kind));
  if (missing.length > 0) {
    throw fieldError(field, `A pipeline needs at least one ${missing.join(', ')} stage.`);
  }
}

/** The lead fields a pipeline may require before conversion, besides custom.<key>. */
export const STANDARD_CONVERSION_FIELDS = [
  'value',
  'expectedCloseDate',
  'companyId',
  'contactId',
  'sourceId',
  'contact.email',
  'contact.phone',
] as const;
type StandardConversionField = (typeof STANDARD_CONVERSION_FIELDS)[number];

const CONVERSION_LABELS: Record<StandardConversionField, string> = {
  value: 'a value',
  expectedCloseDate: 'an expected close date',
  companyId: 'a company',
  contactId: 'a contact',
  sourceId: 'a source',
  'contact.email': "the contact's email",
  'contact.phone': "the contact's phone",
};

function isStandardConversionField(key: string): key is StandardConversionField {
  return (STANDARD_CONVERSION_FIELDS as readonly string[]).includes(key);
}

function hasValue(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/**
 * What a lead lacks before it may be converted under its pipeline's required-for-conversion
 * list, one { field, message } per missing field: standard fields by their name
 * (`companyId` is satisfied by a linked company or a company name; `contact.email` and
 * `contact.phone` by the linked contact), `custom.<key>` as `customFields.<key>`.
 * `customValues` are the lead's stored custom_fields: an encrypted (or masked) value counts as
 * set, so nothing needs decrypting. When `activeCustomFields` is given, requirements on fields
 * that are no longer active are skipped and messages use the fields' labels.
 */
export function findMissingForConversion(
  pipeline: { requiredForConversion: readonly string[] },
  lead: {
    value: number;
    expectedCloseDate: string | null;
    companyId: string | null;
    companyName: string;
    contactId: string | null;
    sourceId: string | null;
  },
  contact: { emails: readonly unknown[]; phones: readonly unknown[] } | null,
  customValues: Record<string, unknown>,
  activeCustomFields?: readonly { key: string; label: string }[],
): FieldError[] {
  const labels = activeCustomFields
    ? new Map(activeCustomFields.map((field) => [field.key, field.label]))
    : undefined;
  const missing: FieldError[] = [];
  for (const key of pipeline.requiredForConversion) {
    if (key.startsWith('custom.')) {
      const customKey = key.slice('custom.'.length);
      if (labels && !labels.has(customKey)) continue;
      if (!hasValue(customValues[customKey])) {
        missing.push({
          field: `customFields.${customKey}`,
          message: `Fill in "${labels?.get(customKey) ?? customKey}" before converting`,
        });
      }
      continue;
    }
    if (!isStandardConversionField(key)) continue;
    const isSet = {
      value: lead.value > 0,
      expectedCloseDate: lead.expectedCloseDate !== null,
      companyId: lead.companyId !== null || lead.companyName.trim() !== '',
      contactId: lead.contactId !== null,
      sourceId: lead.sourceId !== null,
      'contact.email': (contact?.emails.length ?? 0) > 0,
      'contact.phone': (contact?.phones.length ?? 0) > 0,
    }[key];
    if (!isSet) {
      missing.push({ field: key, message: `Add ${CONVERSION_LABELS[key]} before converting` });
    }
  }
  return missing;
}

export function createPipelinesService(
  { db, clock }: ServiceDeps,
  customFields: CustomFieldsService,
) {
  /** 422 unless every key is a standard conversion field or custom.<key> of an active lead field. */
  async function assertConversionFields(
    actor: Actor,
    keys: readonly string[] | undefined,
    executor: Executor,
  ) {
    if (!keys || keys.length === 0) return;
    const customKeys = keys.some((key) => key.startsWith('custom.'))
      ? new Set((await customFields.activeFields(actor, 'lead', executor)).map((f) => f.key))
      : new Set<string>();
    const errors: FieldError[] = [];
    const seen = new Set<string>();
    for (const [index, key] of keys.entries()) {
      const field = `requiredForConversion.${index}`;
      const isKnown =
        isStandardConversionField(key) ||
        (key.startsWith('custom.') && customKeys.has(key.slice('custom.'.length)));
      if (!isKnown) {
        errors.push({
          field,
          message: `Unknown field "${key}": use ${STANDARD_CONVERSION_FIELDS.join(', ')} or custom.<key> of a lead field`,
        });
      } else if (seen.has(key)) {
        errors.push({ field, message: `"${key}" is listed twice` });
      }
      seen.add(key);
    }
    if (errors.length > 0) {
      throw new AppError('validation_failed', {
        message: 'Some fields are not valid.',
        fields: errors,
      });
    }
  }

  async function loadPipeline(executor: Executor, workspaceId: string, pipelineId: string) {
    const row = await repo.findPipeline(executor, workspaceId, pipelineId);
    if (!row) throw notFound('Pipeline');
    return toPipelineDto(row, await repo.listStages(executor, workspaceId, [row.id]));
  }

  /** Runs a change to one pipeline under a row lock, checks If-Match, bumps the version. */
  async function changePipeline(
    actor: Actor,
    pipelineId: string,
    ifMatch: number | undefined,
    change: (
      trx: Executor,
      pipeline: PipelineRow,
      stages: StageRow[],
      now: Date,
    ) => Promise<{
      action: string;
      entityType?: string;
      entityId?: string;
      before: object;
      after: object;
      /** Fields of the pipeline row itself to change. */
      patch?: Parameters<typeof repo.updatePipelineRow>[3];
    }>,
  ) {
    requirePermission(actor, 'lead:configure');
    return db.transaction().execute(async (trx) => {
      const pipeline = await repo.lockPipeline(trx, actor.workspaceId, pipelineId);
      if (!pipeline) throw notFound('Pipeline');
      assertVersion(pipeline.version, ifMatch);
      const stages = await repo.listStages(trx, actor.workspaceId, [pipelineId]);
      const now = clock.now();
      const audit = await change(trx, pipeline, stages, now);
      // One update applies the pipeline's own fields and bumps its version.
      await repo.updatePipelineRow(trx, actor.workspaceId, pipelineId, audit.patch ?? {}, now);
      await recordAudit(trx, clock, actor, {
        action: audit.action,
        entityType: audit.entityType ?? 'pipeline',
        entityId: audit.entityId ?? pipelineId,
        before: audit.before as Record<string, unknown>,
        after: audit.after as Record<string, unknown>,
      });
      return loadPipeline(trx, actor.workspaceId, pipelineId);
    });
  }

  function stageValues(input: StageInput, position: number, taken: Set<string>): repo.StageValues {
    return {
      name: input.name,
      slug: uniqueSlug(input.slug ?? slugify(input.name), taken),
      position,
      color: input.color ?? DEFAULT_COLORS[input.kind],
      probability: input.probability ?? DEFAULT_PROBABILITY[input.kind],
      kind: input.kind,
      maxDaysInStage: input.maxDaysInStage ?? null,
      description: input.description ?? '',
    };
  }

  return {
    async listPipelines(actor: Actor, includeArchived: boolean, executor: Executor = db) {
      requirePermission(actor, 'lead:read');
      const rows = await repo.listPipelines(executor, actor.workspaceId, includeArchived);
      const stages = await repo.listStages(
        executor,
        actor.workspaceId,
        rows.map((row) => row.id),
      );
      return { items: rows.map((row) => toPipelineDto(row, stages)), nextCursor: null };
    },

    /** The pipeline a lead goes into: the one named, else the default; active, with stages. */
    async pipelineForLead(actor: Actor, pipelineId: string | undefined, executor: Executor = db) {
      const found = await repo.findActivePipelineWithStages(
        executor,
        actor.workspaceId,
        pipelineId,
      );
      if (!found) {
        throw pipelineId
          ? fieldError('pipelineId', 'No such active pipeline.')
          : fieldError('pipelineId', 'This workspace has no pipeline yet; create one first.');
      }
      const { stages, ...row } = found;
      return toPipelineDto(
        row,
        stages.map((stage) => reviveRow<StageRow>(stage)),
      );
    },

    async getPipeline(actor: Actor, pipelineId: string) {
      requirePermission(actor, 'lead:read');
      return loadPipeline(db, actor.workspaceId, pipelineId);
    },

    async createPipeline(actor: Actor, input: CreatePipelineInput, outer?: Transaction<DB>) {
      requirePermission(actor, 'lead:configure');
      assertKindsCovered(
        input.stages.map((stage) => stage.kind),
        'stages',
      );
      return inTransaction(db, outer, async (trx) => {
        await assertConversionFields(actor, input.requiredForConversion, trx);
        const now = clock.now();
        const existing = await repo.listPipelines(trx, actor.workspaceId, false);
        // The first pipeline of a workspace is its default.
        const isDefault = input.isDefault || !existing.some((p) => p.is_default);
        if (isDefault) await repo.clearDefaultPipeline(trx, actor.workspaceId, now);
        const row = await repo.insertPipeline(trx, {
          workspaceId: actor.workspaceId,
          name: input.name,
          policy: input.policy,
          isDefault,
          requiredForConversion: input.requiredForConversion,
          onboardingTasks: input.onboardingTasks,
          now,
        });
        const taken = new Set<string>();
        await repo.insertStages(
          trx,
          actor.workspaceId,
          row.id,
          input.stages.map((stage, position) => stageValues(stage, position, taken)),
          now,
        );
        const created = await loadPipeline(trx, actor.workspaceId, row.id);
        await recordAudit(trx, clock, actor, {
          action: 'pipeline.created',
          entityType: 'pipeline',
          entityId: row.id,
          after: {
            name: created.name,
            policy: created.policy,
            isDefault: created.isDefault,
            stages: created.stages.map((stage) => stage.slug),
            requiredForConversion: created.requiredForConversion,
            onboardingTasks: created.onboardingTasks,
          },
        });
        return created;
      });
    },

    updatePipeline(actor: Actor, pipelineId: string, input: UpdatePipelineInput, ifMatch?: number) {
      return changePipeline(actor, pipelineId, ifMatch, async (trx, pipeline, _stages, now) => {
        if (pipeline.archived_at) {
          throw new AppError('conflict', { message: 'This pipeline is archived.' });
        }
        await assertConversionFields(actor, input.requiredForConversion, trx);
        if (input.isDefault && !pipeline.is_default) {
          await repo.clearDefaultPipeline(trx, pipeline.workspace_id, now);
        }
        return {
          action: 'pipeline.updated',
          patch: {
            name: input.name,
            policy: input.policy,
            isDefault: input.isDefault,
            requiredForConversion: input.requiredForConversion,
            onboardingTasks: input.onboardingTasks,
          },
          before: {
            name: pipeline.name,
            policy: pipeline.policy,
            isDefault: pipeline.is_default,
            requiredForConversion: pipeline.required_for_conversion,
            onboardingTasks: pipeline.onboarding_tasks,
          },
          after: {
            name: input.name ?? pipeline.name,
            policy: input.policy ?? pipeline.policy,
            isDefault: input.isDefault ?? pipeline.is_default,
            requiredForConversion: input.requiredForConversion ?? pipeline.required_for_conversion,
            onboardingTasks: input.onboardingTasks ?? pipeline.onboarding_tasks,
          },
        };
      });
    },

    archivePipeline(actor: Actor, pipelineId: string, ifMatch?: number) {
      return changePipeline(actor, pipelineId, ifMatch, (_trx, pipeline, _stages, now) => {
        if (pipeline.is_default) {
          throw new AppError('conflict', {
            message:
              'The default pipeline cannot be archived; make another pipeline the default first.',
          });
        }
        return Promise.resolve({
          action: 'pipeline.archived',
          patch: { archivedAt: now },
          before: { archived: false },
          after: { archived: true },
        });
      });
    },

    addStage(actor: Actor, pipelineId: string, input: StageInput, ifMatch?: number) {
      return changePipeline(actor, pipelineId, ifMatch, async (trx, pipeline, stages, now) => {
        const taken = new Set(stages.map((stage) => stage.slug));
        if (input.slug && taken.has(input.slug))
          throw fieldError('slug', 'Another stage has this slug.');
        const values = stageValues(input, stages.length, taken);
        await repo.insertStages(trx, pipeline.workspace_id, pipeline.id, [values], now);
        return { action: 'stage.added', before: {}, after: { ...values } };
      });
    },

    updateStage(
      actor: Actor,
      pipelineId: string,
      stageId: string,
      input: UpdateStageInput,
      ifMatch?: number,
    ) {
      return changePipeline(actor, pipelineId, ifMatch, async (trx, pipeline, stages, now) => {
        const stage = stages.find((s) => s.id === stageId);
        if (!stage) throw notFound('Stage');
        if (input.kind && input.kind !== stage.kind) {
          assertKindsCovered(
            stages.map((s) => (s.id === stageId ? input.kind! : s.kind)),
            'kind',
          );
        }
        if (input.slug && stages.some((s) => s.id !== stageId && s.slug === input.slug)) {
          throw fieldError('slug', 'Another stage has this slug.');
        }
        const patch = {
          name: input.name,
          slug: input.slug,
          color: input.color,
          probability: input.probability,
          kind: input.kind,
          maxDaysInStage: input.maxDaysInStage,
          description: input.description,
        };
        await repo.updateStageRow(trx, pipeline.workspace_id, stageId, patch, now);
        const before = toStageDto(stage);
        return {
          action: 'stage.updated',
          entityType: 'stage',
          entityId: stageId,
          before,
          after: {
            ...before,
            ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
          },
        };
      });
    },

    archiveStage(actor: Actor, pipelineId: string, stageId: string, ifMatch?: number) {
      return changePipeline(actor, pipelineId, ifMatch, async (trx, pipeline, stages, now) => {
        const stage = stages.find((s) => s.id === stageId);
        if (!stage) throw notFound('Stage');
        const leadCount = await repo.countLeadsInStage(trx, pipeline.workspace_id, stageId);
        if (leadCount > 0) {
          throw new AppError('conflict', {
            message: `${leadCount} lead(s) are in this stage; move them to another stage first.`,
          });
        }
        const remaining = stages.filter((s) => s.id !== stageId);
        assertKindsCovered(
          remaining.map((s) => s.kind),
          'stageId',
        );
        await repo.updateStageRow(trx, pipeline.workspace_id, stageId, { archivedAt: now }, now);
        // Close the gap so positions stay 0…n-1.
        for (const [position, s] of remaining.entries()) {
          if (s.position !== position) {
            await repo.updateStageRow(trx, pipeline.workspace_id, s.id, { position }, now);
          }
        }
        return {
          action: 'stage.archived',
          entityType: 'stage',
          entityId: stageId,
          before: { archived: false },
          after: { archived: true },
        };
      });
    },

    reorderStages(actor: Actor, pipelineId: string, stageIds: string[], ifMatch?: number) {
      return changePipeline(actor, pipelineId, ifMatch, async (trx, pipeline, stages, now) => {
        const current = stages.map((s) => s.id);
        const isPermutation =
          stageIds.length === current.length &&
          new Set(stageIds).size === stageIds.length &&
          stageIds.every((id) => current.includes(id));
        if (!isPermutation) {
          throw fieldError('stageIds', 'List every active stage of this pipeline exactly once.');
        }
        for (const [position, id] of stageIds.entries()) {
          await repo.updateStageRow(trx, pipeline.workspace_id, id, { position }, now);
        }
        const slugOf = new Map(stages.map((s) => [s.id, s.slug]));
        return {
          action: 'pipeline.stages_reordered',
          before: { order: stages.map((s) => s.slug) },
          after: { order: stageIds.map((id) => slugOf.get(id)) },
        };
      });
    },
  };
}

export type PipelinesService = ReturnType<typeof createPipelinesService>;
