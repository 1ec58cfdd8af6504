// Applying a preset to a workspace: its custom fields, pipelines, sources and lost reasons are
// added where the workspace has none of that key or name yet, so applying one twice (or over
// edits) adds nothing twice. Fields come first: pipelines may require them for conversion.
// Its follow-up email templates come last (messaging/templates.defaults.ts).
import type { Transaction } from 'kysely';
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import type { DB } from '../../platform/db/schema.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { inTransaction } from '../../platform/db/transaction.js';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.js';
import type { LeadSourcesService } from '../lead-sources/lead-sources.service.js';
import type { LostReasonsService } from '../lost-reasons/lost-reasons.service.js';
import type { PipelinesService } from '../pipelines/pipelines.service.js';
import type { TemplatesService } from '../messaging/templates.service.js';
import { PRESETS, PRESET_KEYS, type PresetKey } from './presets.data.js';

export function createPresetsService(
  { db }: ServiceDeps,
  pipelines: PipelinesService,
  sources: LeadSourcesService,
  lostReasons: LostReasonsService,
  customFields: CustomFieldsService,
  more: { templates: TemplatesService },
) {
  /** Steps later modules add to applying a preset (automation's default rules), in its transaction. */
  const extraSteps: ((trx: Transaction<DB>, actor: Actor, key: PresetKey) => Promise<unknown>)[] =
    [];
  return {
    addApplyStep(step: (trx: Transaction<DB>, actor: Actor, key: PresetKey) => Promise<unknown>) {
      extraSteps.push(step);
    },

    listPresets() {
      return PRESET_KEYS.map((key) => ({
        key,
        label: PRESETS[key].label,
        description: PRESETS[key].description,
        pipelines: PRESETS[key].pipelines.map((p) => ({
          name: p.name,
          stages: p.stages.map((s) => s.name),
        })),
      }));
    },

    async applyPreset(actor: Actor, key: PresetKey, outer?: Transaction<DB>) {
      requirePermission(actor, 'lead:configure');
      const preset = PRESETS[key];
      return inTransaction(db, outer, async (trx) => {
        const lower = (names: string[]) => new Set(names.map((n) => n.toLowerCase()));
        const havePipelines = lower(
          (await pipelines.listPipelines(actor, true, trx)).items.map((p) => p.name),
        );
        const haveSources = lower(
          (await sources.listLeadSources(actor, undefined, trx)).items.map((s) => s.name),
        );
        const haveReasons = lower(
          (await lostReasons.listLostReasons(actor, undefined, trx)).items.map((r) => r.name),
        );
        const added = { pipelines: 0, sources: 0, lostReasons: 0, customFields: 0, templates: 0 };
        added.customFields = await customFields.ensureCustomFields(
          actor,
          preset.customFields.map((field) => ({
            ...field,
            options: field.options ?? [],
            required: false,
            sensitive: field.sensitive ?? false,
            helpText: field.helpText ?? '',
          })),
          trx,
        );
        for (const pipeline of preset.pipelines) {
          if (havePipelines.has(pipeline.name.toLowerCase())) continue;
          await pipelines.createPipeline(
            actor,
            {
              name: pipeline.name,
              policy: pipeline.policy,
              isDefault: false,
              stages: pipeline.stages.map((stage) => ({ ...stage, kind: stage.kind ?? 'open' })),
              requiredForConversion: pipeline.requiredForConversion,
              onboardingTasks: pipeline.onboardingTasks,
            },
            trx,
          );
          added.pipelines += 1;
        }
        for (const source of preset.sources) {
          if (haveSources.has(source.name.toLowerCase())) continue;
          await sources.createLeadSource(actor, { ...source, monthlyCost: 0 }, trx);
          added.sources += 1;
        }
        for (const reason of preset.lostReasons) {
          if (haveReasons.has(reason.toLowerCase())) continue;
          await lostReasons.createLostReason(actor, reason, trx);
          added.lostReasons += 1;
        }
        // The trade's follow-up templates (inquiry received, estimate sent, accepted, break-up),
        // before the extra steps: the shipped automation rules draft from them.
        added.templates = await more.templates.ensureShippedTemplates(actor, key, trx);
        for (const step of extraSteps) await step(trx, actor, key);
        return { preset: key, added };
      });
    },
  };
}

export type PresetsService = ReturnType<typeof createPresetsService>;
