// Lead scoring: the workspace's rules (points per field condition and per engagement event with
// time decay), the predictive model trained on its own won and lost leads, and the score of each
// lead kept current — after every change that matters (domain events), nightly for decay, and
// after the rules change or the model is retrained (weekly, or on request).
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { recordAudit, type Executor } from '../../platform/audit.js';
import type { ScoringModelRow, ScoringRulesRow } from '../../platform/db/schema.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { AppError, type FieldError } from '../../platform/errors.js';
import type { DomainEvent, EventType } from '../../platform/events.js';
import { assertVersion } from '../../platform/http/versioning.js';
import type { CustomFieldDto } from '../custom-fields/custom-fields.schemas.js';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.js';
import type { LeadSourcesService } from '../lead-sources/lead-sources.service.js';
import type { PipelinesService } from '../pipelines/pipelines.service.js';
import { systemActorFor } from '../users/users.service.js';
import { featureNames, toFeatureRow, type LeadFacts } from './scoring.features.js';
import {
  computeAuc,
  explainPrediction,
  splitHoldout,
  type CalibrationBucket,
  type LabelledRow,
  type TrainedModel,
} from './scoring.model.js';
import * as repo from './scoring.repository.js';
import { scoreByRules, type ActivityFacts, type RuleLead } from './scoring.rules.js';
import { createTrainingThreads, TrainingStopped } from './scoring.worker.js';
import type {
  EngagementRule,
  FieldRule,
  ScoreFactor,
  ScoringModelDto,
  ScoringRulesDto,
  ScoringRulesInput,
} from './scoring.schemas.js';

/** Below these, the model is not trained and scores come from the rules. */
export const MIN_CLOSED_LEADS = 50;
export const MIN_LEADS_PER_CLASS = 10;
/** The model learns from (and is evaluated on) the most recently closed leads, this many at most. */
export const MAX_TRAINING_LEADS = 10_000;
const RECOMPUTE_BATCH = 200;
/** Open leads one `scoring-recompute` job rescores before handing the rest to the next. */
const RECOMPUTE_PER_JOB = 1_000;

interface RecomputeJob {
  workspaceId: string;
  /** Rescore the open leads after this id (the previous job's last). */
  after?: string | null;
}
const DAY_MINUTES = 24 * 60;

/** The changes after which a lead's score is recomputed. */
const SCORED_EVENTS: readonly EventType[] = [
  'lead.created',
  'lead.updated',
  'lead.stage_changed',
  'lead.assigned',
  'lead.won',
  'lead.lost',
  'lead.restored',
  'activity.logged',
  'form.submitted',
];

/** Custom field types the rules compare and the model reads. */
const MODEL_FIELD_TYPES = new Set(['select', 'boolean', 'number', 'money']);

type Rules = {
  fieldRules: FieldRule[];
  engagementRules: EngagementRule[];
};

function rulesOf(row: ScoringRulesRow | undefined): Rules {
  return {
    fieldRules: (row?.field_rules ?? []) as FieldRule[],
    engagementRules: (row?.engagement_rules ?? []) as EngagementRule[],
  };
}

function toRulesDto(row: ScoringRulesRow | undefined): ScoringRulesDto {
  return {
    ...rulesOf(row),
    version: row?.version ?? 0,
    updatedAt: row?.updated_at.toISOString() ?? null,
  };
}

/** The model scores leads when it is trained and ranks held-out leads better than a constant. */
function modelInUse(row: ScoringModelRow | undefined): TrainedModel | null {
  if (row?.status !== 'ready' || row.auc === null || row.auc <= 0.5 || !row.model) return null;
  return row.model as TrainedModel;
}

function modelMessage(row: ScoringModelRow | undefined, inUse: boolean): string {
  switch (row?.status ?? 'untrained') {
    case 'untrained':
      return 'Not trained yet: scores come from the rules.';
    case 'training':
      return 'Training…';
    case 'insufficient_data':
      return (
        `Not enough closed leads to learn from (needs ${MIN_CLOSED_LEADS}, at least ` +
        `${MIN_LEADS_PER_CLASS} won and ${MIN_LEADS_PER_CLASS} lost): scores come from the rules.`
      );
    case 'failed':
      return `Training failed (${row?.error ?? 'unknown error'}): scores come from the rules.`;
    case 'ready':
      return inUse
        ? 'Scores are the predicted chance of winning (0–100).'
        : 'The model ranks held-out leads no better than chance: scores come from the rules.';
  }
}

export function createScoringService(
  deps: ServiceDeps,
  modules: {
    customFields: CustomFieldsService;
    leadSources: LeadSourcesService;
    pipelines: PipelinesService;
  },
) {
  const { db, clock, jobs, events, schedules } = deps;
  const trainingThreads = createTrainingThreads();

  async function leadFieldDefinitions(actor: Actor): Promise<CustomFieldDto[]> {
    const fields = await modules.customFields.listCustomFields(actor, {
      recordType: 'lead',
      includeArchived: false,
    });
    return fields.items.filter((field) => !field.sensitive);
  }

  function leadFactsOf(row: repo.LeadScoringFacts, fields: CustomFieldDto[]): LeadFacts {
    const stored = row.custom_fields;
    const customValues: LeadFacts['customValues'] = [];
    for (const field of fields) {
      if (!MODEL_FIELD_TYPES.has(field.type)) continue;
      const value = stored[field.key];
      if (field.type === 'select') {
        const option = field.options.find((o) => o.value === value);
        customValues.push({ label: field.label, value: option?.label ?? null });
      } else if (typeof value === 'boolean' || typeof value === 'number') {
        customValues.push({ label: field.label, value });
      } else {
        customValues.push({ label: field.label, value: null });
      }
    }
    const firstTouch = row.first_touch_at ? new Date(row.first_touch_at) : null;
    return {
      source: row.source_name,
      priority: row.priority,
      value: Number(row.value) || null,
      customValues,
      activityCounts: row.activity_counts ?? {},
      stageMoves: Number(row.stage_moves),
      responseMinutes: firstTouch
        ? Math.max(0, (firstTouch.getTime() - row.created_at.getTime()) / 60_000)
        : null,
    };
  }

  function ruleLeadOf(row: repo.LeadScoringFacts): RuleLead {
    return {
      sourceId: row.source_id,
      priority: row.priority,
      pipelineId: row.pipeline_id,
      stageId: row.stage_id,
      tags: row.tags,
      assigneeId: row.assignee_id,
      value: Number(row.value),
      customFields: row.custom_fields,
    };
  }

  async function activitiesByLead(workspaceId: string, leadIds: string[], until: Date) {
    const rows = await repo.engagementActivities(db, workspaceId, leadIds, until);
    const byLead = new Map<string, ActivityFacts[]>();
    for (const row of rows) {
      if (!row.lead_id) continue;
      const list = byLead.get(row.lead_id) ?? [];
      list.push({
        type: row.type,
        direction: row.direction,
        outcome: row.outcome,
        isFormSubmission: row.is_form_submission,
        occurredAt: row.occurred_at,
      });
      byLead.set(row.lead_id, list);
    }
    return byLead;
  }

  function hasRules(rules: Rules) {
    return rules.fieldRules.length > 0 || rules.engagementRules.length > 0;
  }

  /** Rule scores of leads at their own moments (now while open, when they closed otherwise). */
  async function ruleScores(
    workspaceId: string,
    rows: repo.LeadScoringFacts[],
    rules: Rules,
    fields: CustomFieldDto[],
  ) {
    const customTypes = new Map(fields.map((field) => [field.key, field.type]));
    const latest = rows.reduce((max, row) => Math.max(max, new Date(row.cutoff).getTime()), 0);
    const activities = await activitiesByLead(
      workspaceId,
      rows.map((row) => row.id),
      new Date(latest),
    );
    return rows.map((row) => {
      const at = new Date(row.cutoff);
      const own = (activities.get(row.id) ?? []).filter((a) => a.occurredAt <= at);
      return scoreByRules(rules, ruleLeadOf(row), own, customTypes, at);
    });
  }

  /** Recomputes and stores the scores of these leads; a changed score is published. */
  async function recomputeLeads(
    workspaceId: string,
    leadIds: string[],
    causedByRules: readonly string[] = [],
  ) {
    if (leadIds.length === 0) return;
    const actor = { ...systemActorFor(workspaceId, ''), causedByRules };
    const now = clock.now();
    const [rulesRow, modelRow] = await Promise.all([
      repo.findRules(db, workspaceId),
      repo.findModel(db, workspaceId),
    ]);
    const rules = rulesOf(rulesRow);
    const model = modelInUse(modelRow);
    const fields = await leadFieldDefinitions(actor);
    const rows = await repo.leadScoringFacts(db, workspaceId, { ids: leadIds }, now);
    let results: { score: number | null; factors: ScoreFactor[] | null }[];
    if (model) {
      results = rows.map((row) => explainPrediction(model, toFeatureRow(leadFactsOf(row, fields))));
    } else if (hasRules(rules)) {
      results = await ruleScores(workspaceId, rows, rules, fields);
    } else {
      results = rows.map(() => ({ score: null, factors: null }));
    }
    // One transaction for the batch: a score and its event are written together.
    await db.transaction().execute(async (trx) => {
      for (const [i, row] of rows.entries()) {
        const { score, factors } = results[i]!;
        const changed = await repo.writeScore(trx, workspaceId, row.id, score, factors);
        if (changed && changed.previous !== score) {
          await events.publish(trx, {
            type: 'lead.score_changed',
            actor,
            leadId: row.id,
            data: { from: changed.previous, to: score },
          });
        }
      }
    });
  }

  /**
   * The job `scoring-recompute`: the workspace's open leads after `after` (by id), in batches, up
   * to RECOMPUTE_PER_JOB of them; the rest goes to a follow-up job. A shutdown then waits for one
   * job's share at most, never for a whole big workspace.
   */
  async function recomputeOpenLeads({ workspaceId, after }: RecomputeJob) {
    let cursor = after ?? null;
    for (let done = 0; done < RECOMPUTE_PER_JOB; done += RECOMPUTE_BATCH) {
      const ids = await repo.openLeadIds(db, workspaceId, cursor, RECOMPUTE_BATCH);
      await recomputeLeads(workspaceId, ids);
      if (ids.length < RECOMPUTE_BATCH) return;
      cursor = ids.at(-1) ?? null;
    }
    await db
      .transaction()
      .execute((trx) =>
        jobs.send(trx, 'scoring-recompute', { workspaceId, after: cursor } satisfies RecomputeJob),
      );
  }

  /** Every open lead's score follows the rules or model now in place (a job, after commit). */
  function recomputeWorkspace(trx: Executor, workspaceId: string) {
    return jobs.send(trx, 'scoring-recompute', { workspaceId } satisfies RecomputeJob, {
      singletonKey: workspaceId,
    });
  }

  async function train(workspaceId: string) {
    const actor = systemActorFor(workspaceId, '');
    const now = clock.now();
    const counts = await repo.countClosedLeads(db, workspaceId);
    const base = { won_leads: counts.won, lost_leads: counts.lost, updated_at: now };
    const insufficient = (trx: Executor) =>
      repo.saveModel(trx, workspaceId, {
        ...base,
        status: 'insufficient_data',
        model: null,
        trained_at: now,
        training_rows: 0,
        holdout_rows: 0,
        auc: null,
        rule_auc: null,
        calibration: '[]',
        error: '',
      });
    if (
      counts.won + counts.lost < MIN_CLOSED_LEADS ||
      counts.won < MIN_LEADS_PER_CLASS ||
      counts.lost < MIN_LEADS_PER_CLASS
    ) {
      await db.transaction().execute(async (trx) => {
        await insufficient(trx);
        await recomputeWorkspace(trx, workspaceId);
      });
      return;
    }
    try {
      const fields = await leadFieldDefinitions(actor);
      const rows = await repo.leadScoringFacts(
        db,
        workspaceId,
        { closed: MAX_TRAINING_LEADS },
        now,
      );
      const facts = rows.map((row) => leadFactsOf(row, fields));
      const labelled: LabelledRow[] = rows.map((row, i) => ({
        id: row.id,
        features: toFeatureRow(facts[i]!),
        won: row.status === 'won',
      }));
      const { train: training, holdout } = splitHoldout(labelled);
      if (!training.some((row) => row.won) || training.every((row) => row.won)) {
        await db.transaction().execute(async (trx) => {
          await insufficient(trx);
          await recomputeWorkspace(trx, workspaceId);
        });
        return;
      }
      const { model, evaluation } = await trainingThreads.train({
        training,
        holdout,
        featureNames: featureNames(facts),
      });
      const rules = rulesOf(await repo.findRules(db, workspaceId));
      let ruleAuc: number | null = null;
      if (hasRules(rules) && holdout.length > 0) {
        const held = new Set(holdout.map((row) => row.id));
        const heldRows = rows.filter((row) => held.has(row.id));
        const scores = await ruleScores(workspaceId, heldRows, rules, fields);
        ruleAuc = computeAuc(
          scores.map((result) => result.score),
          heldRows.map((row) => row.status === 'won'),
        );
      }
      const ready = {
        ...base,
        status: 'ready',
        model: JSON.stringify(model),
        trained_at: clock.now(),
        training_rows: training.length,
        holdout_rows: holdout.length,
        auc: evaluation.auc,
        rule_auc: ruleAuc,
        calibration: JSON.stringify(evaluation.calibration),
        error: '',
      } as const;
      await db.transaction().execute(async (trx) => {
        await repo.saveModel(trx, workspaceId, ready);
        await recomputeWorkspace(trx, workspaceId);
      });
    } catch (error) {
      // A shutdown is not the model's failure: the job is retried after the restart.
      if (error instanceof TrainingStopped) throw error;
      await repo.saveModel(db, workspaceId, {
        ...base,
        status: 'failed',
        error: error instanceof Error ? error.message.slice(0, 500) : String(error),
      });
      throw error;
    }
  }

  function toModelDto(row: ScoringModelRow | undefined, closed: { won: number; lost: number }) {
    const inUse = modelInUse(row) !== null;
    const dto: ScoringModelDto = {
      status: row?.status ?? 'untrained',
      kind: 'logistic_regression',
      inUse,
      scoringBy: inUse ? 'model' : 'rules',
      message: modelMessage(row, inUse),
      trainedAt: row?.trained_at?.toISOString() ?? null,
      requestedAt: row?.requested_at?.toISOString() ?? null,
      trainingRows: row?.training_rows ?? 0,
      holdoutRows: row?.holdout_rows ?? 0,
      closedLeads: closed,
      minimum: { closed: MIN_CLOSED_LEADS, perClass: MIN_LEADS_PER_CLASS },
      auc: row?.auc ?? null,
      baselineAuc: 0.5,
      ruleAuc: row?.rule_auc ?? null,
      calibration: (row?.calibration ?? []) as CalibrationBucket[],
    };
    return dto;
  }

  /** 422 for references to sources, pipelines, stages or custom fields the workspace lacks. */
  async function checkReferences(actor: Actor, input: ScoringRulesInput, executor: Executor) {
    const errors: FieldError[] = [];
    const sources = new Set(
      (await modules.leadSources.listLeadSources(actor, undefined, executor)).items.map(
        (s) => s.id,
      ),
    );
    const pipelines = (await modules.pipelines.listPipelines(actor, false, executor)).items;
    const pipelineIds = new Set(pipelines.map((p) => p.id));
    const stageIds = new Set(pipelines.flatMap((p) => p.stages.map((s) => s.id)));
    const fields = new Map((await leadFieldDefinitions(actor)).map((f) => [f.key, f]));
    input.fieldRules.forEach(({ condition }, i) => {
      const at = (name: string) => `fieldRules.${i}.condition.${name}`;
      switch (condition.field) {
        case 'source':
          if (condition.sourceIds.some((id) => !sources.has(id))) {
            errors.push({
              field: at('sourceIds'),
              message: 'No such lead source in this workspace.',
            });
          }
          break;
        case 'pipeline':
          if (condition.pipelineIds.some((id) => !pipelineIds.has(id))) {
            errors.push({
              field: at('pipelineIds'),
              message: 'No such pipeline in this workspace.',
            });
          }
          break;
        case 'stage':
          if (condition.stageIds.some((id) => !stageIds.has(id))) {
            errors.push({ field: at('stageIds'), message: 'No such stage in this workspace.' });
          }
          break;
        case 'custom': {
          const field = fields.get(condition.key);
          const message = customConditionProblem(field, condition.operator, condition.value);
          if (message) errors.push({ field: at(field ? 'value' : 'key'), message });
          break;
        }
        case 'priority':
        case 'tag':
        case 'assignee':
        case 'value':
          break;
      }
    });
    if (errors.length > 0) {
      throw new AppError('validation_failed', {
        message: 'Some rules are not valid.',
        fields: errors,
      });
    }
  }

  events.subscribe({
    name: 'scoring',
    types: SCORED_EVENTS,
    // Only workspaces that score: rules set or a model trained (one key lookup each).
    wants: async (event, trx) => {
      if (!event.leadId) return false;
      const [rules, model] = await Promise.all([
        repo.findRules(trx, event.workspaceId),
        repo.findModel(trx, event.workspaceId),
      ]);
      return hasRules(rulesOf(rules)) || modelInUse(model) !== null;
    },
    handler: (event: DomainEvent) =>
      recomputeLeads(
        event.workspaceId,
        event.leadId ? [event.leadId] : [],
        event.actor.causedByRules,
      ),
  });

  jobs.register<RecomputeJob>('scoring-recompute', recomputeOpenLeads);
  // A failed training is saved as such and tried again; one cut off by a shutdown runs again
  // after the restart.
  jobs.register<{ workspaceId: string }>('scoring-train', ({ workspaceId }) => train(workspaceId), {
    retryLimit: 2,
    expireInSeconds: 60 * 60,
  });

  async function enqueueEach(queue: string, workspaceIds: string[]) {
    for (const workspaceId of new Set(workspaceIds)) {
      await db
        .transaction()
        .execute((trx) => jobs.send(trx, queue, { workspaceId }, { singletonKey: workspaceId }));
    }
  }

  // Decay lowers scores with no change to the lead: recompute open leads every night (UTC).
  schedules.every('scoring-nightly', DAY_MINUTES, async () =>
    enqueueEach('scoring-recompute', await repo.scoringWorkspaces(db)),
  );
  // Weekly retraining, wherever there are enough closed leads or a model to refresh.
  schedules.every('scoring-retrain', 7 * DAY_MINUTES, async () => {
    const trained = await db.selectFrom('scoring_models').select('workspace_id').execute();
    await enqueueEach('scoring-train', [
      ...(await repo.workspacesWithClosedLeads(db, MIN_CLOSED_LEADS)),
      ...trained.map((row) => row.workspace_id),
    ]);
  });

  return {
    /** Ends the trainings in progress (the app is closing). */
    stopTraining: () => trainingThreads.stop(),

    async getRules(actor: Actor): Promise<ScoringRulesDto> {
      requirePermission(actor, 'lead:read');
      return toRulesDto(await repo.findRules(db, actor.workspaceId));
    },

    async updateRules(
      actor: Actor,
      input: ScoringRulesInput,
      ifMatch?: number,
    ): Promise<ScoringRulesDto> {
      requirePermission(actor, 'lead:configure');
      // Read before the transaction: the custom-fields service reads on its own connection.
      await checkReferences(actor, input, db);
      return db.transaction().execute(async (trx) => {
        const now = clock.now();
        const before = await repo.lockRules(trx, actor.workspaceId, now);
        assertVersion(before.version, ifMatch);
        const saved = await repo.saveRules(trx, actor.workspaceId, input, now);
        await recordAudit(trx, clock, actor, {
          action: 'scoring.rules_updated',
          entityType: 'scoring_rules',
          entityId: actor.workspaceId,
          before: rulesOf(before),
          after: rulesOf(saved),
        });
        await recomputeWorkspace(trx, actor.workspaceId);
        return toRulesDto(saved);
      });
    },

    async getModel(actor: Actor): Promise<ScoringModelDto> {
      requirePermission(actor, 'lead:analytics');
      const [row, closed] = await Promise.all([
        repo.findModel(db, actor.workspaceId),
        repo.countClosedLeads(db, actor.workspaceId),
      ]);
      return toModelDto(row, closed);
    },

    async requestTraining(actor: Actor): Promise<ScoringModelDto> {
      requirePermission(actor, 'lead:configure');
      return db.transaction().execute(async (trx) => {
        const now = clock.now();
        const previous = await repo.findModel(trx, actor.workspaceId);
        const row = await repo.saveModel(trx, actor.workspaceId, {
          status: 'training',
          requested_at: now,
          updated_at: now,
          error: '',
        });
        await recordAudit(trx, clock, actor, {
          action: 'scoring.training_requested',
          entityType: 'scoring_model',
          entityId: actor.workspaceId,
          before: { status: previous?.status ?? 'untrained' },
          after: { status: row.status },
        });
        await jobs.send(
          trx,
          'scoring-train',
          { workspaceId: actor.workspaceId },
          { singletonKey: actor.workspaceId },
        );
        return toModelDto(row, await repo.countClosedLeads(trx, actor.workspaceId));
      });
    },
  };
}

/** Why a custom-field condition can't work on this field, or undefined when it can. */
function customConditionProblem(
  field: CustomFieldDto | undefined,
  operator: string,
  value: string | number | boolean | null,
): string | undefined {
  if (!field) return 'No such lead custom field (sensitive fields cannot be scored on).';
  if (operator === 'is_set') return undefined;
  switch (field.type) {
    case 'number':
    case 'money':
      return typeof value === 'number' ? undefined : `${field.label} compares with a number.`;
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)
        ? undefined
        : `${field.label} compares with a date (YYYY-MM-DD).`;
    case 'boolean':
      return operator !== 'equals' && operator !== 'not_equals'
        ? `${field.label} is yes or no: use equals or not equals.`
        : typeof value === 'boolean'
          ? undefined
          : `${field.label} compares with true or false.`;
    case 'select':
    case 'multiselect':
      if (operator !== 'equals' && operator !== 'not_equals') {
        return `${field.label} is a choice: use equals or not equals.`;
      }
      return field.options.some((option) => option.value === value)
        ? undefined
        : `${field.label} has no option "${String(value)}".`;
    case 'text':
    case 'long_text':
    case 'email':
    case 'phone':
    case 'url':
      return operator !== 'equals' && operator !== 'not_equals'
        ? `${field.label} is text: use equals, not equals or is set.`
        : typeof value === 'string'
          ? undefined
          : `${field.label} compares with text.`;
  }
}

export type ScoringService = ReturnType<typeof createScoringService>;
