import { z } from 'zod';
import {
  DURATION_UNITS,
  ENROLMENT_STATUSES,
  ENROLMENT_VIAS,
  EXIT_REASONS,
  SEQUENCE_PURPOSES,
  TASK_TYPES,
} from '../../platform/db/schema.js';

const stepId = z
  .string()
  .regex(/^[\w-]{1,64}$/)
  .describe('Kept across edits (statistics follow it); leave out for a new step');

const emailStep = z.object({
  type: z.literal('email'),
  templateId: z.uuid().nullable().default(null).describe('A message template; or subject + body'),
  subject: z.string().trim().max(300).default(''),
  body: z.string().max(20_000).default(''),
});
const smsStep = z.object({
  type: z.literal('sms'),
  templateId: z.uuid().nullable().default(null).describe('A message template; or body'),
  body: z.string().max(2_000).default(''),
});
const taskStep = z.object({
  type: z.literal('task'),
  title: z.string().trim().min(1).max(300),
  taskType: z.enum(TASK_TYPES).default('follow_up'),
  dueIn: z
    .object({ amount: z.number().int().min(0).max(10_000), unit: z.enum(DURATION_UNITS) })
    .default({ amount: 0, unit: 'minutes' })
    .describe('When the task is due, from the moment the step runs'),
});
const waitStep = z.object({
  type: z.literal('wait'),
  amount: z.number().int().min(1).max(10_000),
  unit: z.enum(['hours', 'days']),
});
const waitBusinessHoursStep = z.object({
  type: z
    .literal('wait_business_hours')
    .describe("Waits until the workspace's business hours are open (at once when they are)"),
});

const stepBody = z.discriminatedUnion('type', [
  emailStep,
  smsStep,
  taskStep,
  waitStep,
  waitBusinessHoursStep,
]);

function checkStep(step: z.infer<typeof stepBody>, context: z.RefinementCtx) {
  if (step.type === 'email' && !step.templateId && (!step.subject || !step.body)) {
    context.addIssue({
      code: 'custom',
      path: ['subject'],
      message: 'An email step needs a template, or a subject and a body.',
    });
  }
  if (step.type === 'sms' && !step.templateId && !step.body.trim()) {
    context.addIssue({
      code: 'custom',
      path: ['body'],
      message: 'An SMS step needs a template or a body.',
    });
  }
}

export const stepInputSchema = stepBody
  .and(z.object({ id: stepId.optional() }))
  .superRefine(checkStep);
export type StepInput = z.infer<typeof stepInputSchema>;

const stepsInput = z
  .array(stepInputSchema)
  .max(50)
  .superRefine((steps, context) => {
    const seen = new Set<string>();
    steps.forEach((step, i) => {
      if (!step.id) return;
      if (seen.has(step.id)) {
        context.addIssue({ code: 'custom', path: [i, 'id'], message: 'Step ids must differ.' });
      }
      seen.add(step.id);
    });
  });

export const stepSchema = stepBody.and(z.object({ id: z.string() })).meta({ id: 'SequenceStep' });

const sequenceFields = {
  name: z.string().trim().min(1).max(100),
  description: z.string().max(2_000),
  purpose: z
    .enum(SEQUENCE_PURPOSES)
    .describe('marketing: messages need the opt-in of the channel; transactional: they do not'),
  autoSend: z
    .boolean()
    .describe('Send messages at once instead of drafting them for approval (admins only)'),
  steps: stepsInput,
};

export const createSequenceBodySchema = z.object({
  ...sequenceFields,
  description: sequenceFields.description.default(''),
  purpose: sequenceFields.purpose.default('marketing'),
  autoSend: sequenceFields.autoSend.default(false),
  steps: sequenceFields.steps.default([]),
});
export type CreateSequenceInput = z.infer<typeof createSequenceBodySchema>;

export const updateSequenceBodySchema = z
  .object(sequenceFields)
  .partial()
  .describe('steps replaces the whole list (send the ids of the steps you keep)');
export type UpdateSequenceInput = z.infer<typeof updateSequenceBodySchema>;

export const sequenceSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string(),
    purpose: z.enum(SEQUENCE_PURPOSES),
    autoSend: z.boolean(),
    steps: z.array(stepSchema),
    archivedAt: z.iso.datetime().nullable(),
    activeEnrolments: z.number().int(),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Sequence' });
export type SequenceDto = z.infer<typeof sequenceSchema>;

export const listSequencesQuerySchema = z.object({
  archived: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true')
    .describe('true lists archived sequences instead'),
});

export const idParamsSchema = z.object({ id: z.uuid() });

export const enrolmentSchema = z
  .object({
    id: z.uuid(),
    sequenceId: z.uuid(),
    sequenceName: z.string(),
    leadId: z.uuid(),
    leadTitle: z.string(),
    contactId: z.uuid().nullable(),
    status: z.enum(ENROLMENT_STATUSES),
    nextStep: z.number().int().describe('Position of the next step to run (0-based)'),
    stepCount: z.number().int(),
    nextRunAt: z.iso.datetime().nullable(),
    exitReason: z.enum(EXIT_REASONS).nullable(),
    enrolledVia: z.enum(ENROLMENT_VIAS),
    enrolledBy: z.uuid().nullable(),
    enrolledAt: z.iso.datetime(),
    pausedAt: z.iso.datetime().nullable(),
    endedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'SequenceEnrolment' });
export type EnrolmentDto = z.infer<typeof enrolmentSchema>;

export const enrolBodySchema = z.union([
  z.object({ leadId: z.uuid() }).strict(),
  z
    .object({ leadIds: z.array(z.uuid()).min(1).max(500) })
    .strict()
    .describe('Bulk: each lead gets its own result'),
]);
export type EnrolInput = z.infer<typeof enrolBodySchema>;

export const BULK_ENROL_OUTCOMES = [
  'enrolled',
  'already_enrolled',
  'not_found',
  'refused',
] as const;

export const bulkEnrolResultSchema = z
  .object({
    enrolled: z.number().int(),
    results: z.array(
      z.object({
        leadId: z.uuid(),
        outcome: z.enum(BULK_ENROL_OUTCOMES),
        enrolmentId: z.uuid().nullable(),
        message: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'BulkEnrolResult' });
export type BulkEnrolResultDto = z.infer<typeof bulkEnrolResultSchema>;

export const listEnrolmentsQuerySchema = z.object({
  status: z.enum(ENROLMENT_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListEnrolmentsQuery = z.infer<typeof listEnrolmentsQuerySchema>;

const exitCounts = z.record(z.string(), z.number().int());

export const sequenceStatsSchema = z
  .object({
    sequenceId: z.uuid(),
    enrolled: z.number().int(),
    active: z.number().int(),
    paused: z.number().int(),
    completed: z.number().int(),
    exited: z.number().int(),
    exitedByReason: exitCounts,
    steps: z.array(
      z.object({
        stepId: z.string(),
        position: z.number().int(),
        type: z.string(),
        reached: z.number().int().describe('Enrolments that ran this step'),
        drafted: z.number().int().describe('Messages left in the outbox for approval'),
        sent: z.number().int().describe('Messages approved at once (auto-send)'),
        suppressed: z.number().int().describe('Messages compliance held back'),
        tasksCreated: z.number().int(),
        repliedAfter: z.number().int().describe('Enrolments that replied with this as last step'),
        exitedByReason: exitCounts.describe('Exits with this as the last step run'),
      }),
    ),
  })
  .meta({ id: 'SequenceStats' });
export type SequenceStatsDto = z.infer<typeof sequenceStatsSchema>;
