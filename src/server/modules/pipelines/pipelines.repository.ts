// The only SQL for pipelines and stages; every function is scoped by workspace.
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Executor } from '../../platform/audit.js';
import type { OnboardingTask, PipelinePolicy, StageKind } from '../../platform/db/schema.js';

export function listPipelines(db: Executor, workspaceId: string, includeArchived: boolean) {
  let query = db.selectFrom('pipelines').selectAll().where('workspace_id', '=', workspaceId);
  if (!includeArchived) query = query.where('archived_at', 'is', null);
  return query.orderBy('is_default', 'desc').orderBy('name').execute();
}

/** An active pipeline (the default one when no id is given) with its active stages as JSON. */
export function findActivePipelineWithStages(
  db: Executor,
  workspaceId: string,
  pipelineId: string | undefined,
) {
  const query = db
    .selectFrom('pipelines as p')
    .selectAll('p')
    .select((eb) =>
      jsonArrayFrom(
        eb
          .selectFrom('stages as s')
          .selectAll('s')
          .whereRef('s.workspace_id', '=', 'p.workspace_id')
          .whereRef('s.pipeline_id', '=', 'p.id')
          .where('s.archived_at', 'is', null)
          .orderBy('s.position'),
      ).as('stages'),
    )
    .where('p.workspace_id', '=', workspaceId)
    .where('p.archived_at', 'is', null);
  return (
    pipelineId ? query.where('p.id', '=', pipelineId) : query.where('p.is_default', '=', true)
  ).executeTakeFirst();
}

export function findPipeline(db: Executor, workspaceId: string, pipelineId: string) {
  return db
    .selectFrom('pipelines')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', pipelineId)
    .executeTakeFirst();
}

/** Locks the pipeline row for the rest of the transaction (stage edits are serialised). */
export function lockPipeline(db: Executor, workspaceId: string, pipelineId: string) {
  return db
    .selectFrom('pipelines')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', pipelineId)
    .forUpdate()
    .executeTakeFirst();
}

export function listStages(db: Executor, workspaceId: string, pipelineIds: string[]) {
  if (pipelineIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('stages')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('pipeline_id', 'in', pipelineIds)
    .where('archived_at', 'is', null)
    .orderBy('pipeline_id')
    .orderBy('position')
    .execute();
}

export function insertPipeline(
  db: Executor,
  values: {
    workspaceId: string;
    name: string;
    policy: PipelinePolicy;
    isDefault: boolean;
    requiredForConversion: string[];
    onboardingTasks: OnboardingTask[];
    now: Date;
  },
) {
  return db
    .insertInto('pipelines')
    .values({
      workspace_id: values.workspaceId,
      name: values.name,
      policy: values.policy,
      is_default: values.isDefault,
      required_for_conversion: values.requiredForConversion,
      onboarding_tasks: JSON.stringify(values.onboardingTasks),
      created_at: values.now,
      updated_at: values.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface StageValues {
  name: string;
  slug: string;
  position: number;
  color: string;
  probability: number;
  kind: StageKind;
  maxDaysInStage: number | null;
  description: string;
}

export function insertStages(
  db: Executor,
  workspaceId: string,
  pipelineId: string,
  stages: StageValues[],
  now: Date,
) {
  return db
    .insertInto('stages')
    .values(
      stages.map((stage) => ({
        workspace_id: workspaceId,
        pipeline_id: pipelineId,
        name: stage.name,
        slug: stage.slug,
        position: stage.position,
        color: stage.color,
        probability: stage.probability,
        kind: stage.kind,
        max_days_in_stage: stage.maxDaysInStage,
        description: stage.description,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
}

export function updatePipelineRow(
  db: Executor,
  workspaceId: string,
  pipelineId: string,
  patch: {
    name?: string;
    policy?: PipelinePolicy;
    isDefault?: boolean;
    archivedAt?: Date;
    requiredForConversion?: string[];
    onboardingTasks?: OnboardingTask[];
  },
  now: Date,
) {
  return db
    .updateTable('pipelines')
    .set((eb) => ({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.policy !== undefined ? { policy: patch.policy } : {}),
      ...(patch.isDefault !== undefined ? { is_default: patch.isDefault } : {}),
      ...(patch.requiredForConversion !== undefined
        ? { required_for_conversion: patch.requiredForConversion }
        : {}),
      ...(patch.onboardingTasks !== undefined
        ? { onboarding_tasks: JSON.stringify(patch.onboardingTasks) }
        : {}),
      ...(patch.archivedAt !== undefined ? { archived_at: patch.archivedAt } : {}),
      version: eb('version', '+', 1),
      updated_at: now,
    }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', pipelineId)
    .execute();
}

export function clearDefaultPipeline(db: Executor, workspaceId: string, now: Date) {
  return db
    .updateTable('pipelines')
    .set((eb) => ({ is_default: false, version: eb('version', '+', 1), updated_at: now }))
    .where('workspace_id', '=', workspaceId)
    .where('is_default', '=', true)
    .execute();
}

export function updateStageRow(
  db: Executor,
  workspaceId: string,
  stageId: string,
  patch: Partial<StageValues> & { archivedAt?: Date },
  now: Date,
) {
  return db
    .updateTable('stages')
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.slug !== undefined ? { slug: patch.slug } : {}),
      ...(patch.position !== undefined ? { position: patch.position } : {}),
      ...(patch.color !== undefined ? { color: patch.color } : {}),
      ...(patch.probability !== undefined ? { probability: patch.probability } : {}),
      ...(patch.kind !== undefined ? { kind: patch.kind } : {}),
      ...(patch.maxDaysInStage !== undefined ? { max_days_in_stage: patch.maxDaysInStage } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.archivedAt !== undefined ? { archived_at: patch.archivedAt } : {}),
      updated_at: now,
    })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', stageId)
    .execute();
}

/** Leads (archived ones too) still in a stage: a stage with leads is not removed under them. */
export function countLeadsInStage(db: Executor, workspaceId: string, stageId: string) {
  return db
    .selectFrom('leads')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('workspace_id', '=', workspaceId)
    .where('stage_id', '=', stageId)
    .executeTakeFirstOrThrow()
    .then((row) => Number(row.count));
}
