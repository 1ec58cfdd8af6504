import { z } from 'zod';
import { ASSIGNMENT_RULE_TYPES } from '../../platform/db/schema.js';

const placeList = z.array(z.string().trim().min(1).max(100)).max(1000);

const ruleFields = {
  name: z.string().trim().min(1).max(100),
  type: z
    .enum(ASSIGNMENT_RULE_TYPES)
    .describe(
      'round_robin: in turn; capacity: fewest open leads (under maxOpenLeads); source, territory, ' +
        'value_range: only leads that match, in turn among userIds',
    ),
  userIds: z.array(z.uuid()).min(1).max(200).describe('Members the rule assigns to, in turn'),
  sourceIds: z.array(z.uuid()).max(200).describe('source: the lead sources it takes'),
  postalCodes: placeList.describe('territory: postal codes; "10*" matches every code from 10'),
  cities: placeList.describe('territory: cities (any case)'),
  regions: placeList.describe('territory: regions or states (any case)'),
  minValue: z.number().int().min(0).nullable().describe('value_range: from (minor units)'),
  maxValue: z.number().int().min(0).nullable().describe('value_range: up to, included'),
  maxOpenLeads: z
    .number()
    .int()
    .positive()
    .nullable()
    .describe('A member with this many open leads gets no more from this rule'),
  order: z.number().int().min(0).max(10_000).describe('Rules run from the lowest order up'),
  active: z.boolean(),
};

function checkRuleShape(
  rule: Partial<z.infer<z.ZodObject<typeof ruleFields>>>,
  context: z.RefinementCtx,
) {
  const issue = (path: string, message: string) =>
    context.addIssue({ code: 'custom', path: [path], message });
  if (rule.type === 'source' && rule.sourceIds?.length === 0) {
    issue('sourceIds', 'A source rule needs at least one source.');
  }
  if (
    rule.type === 'territory' &&
    rule.postalCodes?.length === 0 &&
    rule.cities?.length === 0 &&
    rule.regions?.length === 0
  ) {
    issue('postalCodes', 'A territory rule needs postal codes, cities or regions.');
  }
  if (rule.type === 'value_range' && rule.minValue == null && rule.maxValue == null) {
    issue('minValue', 'A value range needs a minimum, a maximum or both.');
  }
  if (rule.minValue != null && rule.maxValue != null && rule.minValue > rule.maxValue) {
    issue('maxValue', 'The maximum must not be below the minimum.');
  }
}

export const createAssignmentRuleBodySchema = z
  .object({
    ...ruleFields,
    sourceIds: ruleFields.sourceIds.default([]),
    postalCodes: ruleFields.postalCodes.default([]),
    cities: ruleFields.cities.default([]),
    regions: ruleFields.regions.default([]),
    minValue: ruleFields.minValue.default(null),
    maxValue: ruleFields.maxValue.default(null),
    maxOpenLeads: ruleFields.maxOpenLeads.default(null),
    order: ruleFields.order.optional().describe('Default: after the last rule'),
    active: ruleFields.active.default(true),
  })
  .superRefine(checkRuleShape);
export type CreateAssignmentRuleInput = z.infer<typeof createAssignmentRuleBodySchema>;

export const updateAssignmentRuleBodySchema = z.object(ruleFields).partial();
export type UpdateAssignmentRuleInput = z.infer<typeof updateAssignmentRuleBodySchema>;

export const assignmentRuleSchema = z
  .object({
    id: z.uuid(),
    ...ruleFields,
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'AssignmentRule' });
export type AssignmentRuleDto = z.infer<typeof assignmentRuleSchema>;

export const ruleIdParamsSchema = z.object({ id: z.uuid() });

const awayRangeSchema = z.object({
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.iso.datetime({ offset: true }),
  note: z.string().max(200).default(''),
});

export const availabilityBodySchema = z
  .object({ outOfOffice: z.array(awayRangeSchema).max(100) })
  .superRefine((body, context) => {
    body.outOfOffice.forEach((range, i) => {
      if (Date.parse(range.endsAt) <= Date.parse(range.startsAt)) {
        context.addIssue({
          code: 'custom',
          path: ['outOfOffice', i, 'endsAt'],
          message: 'The end must be after the start.',
        });
      }
    });
  });
export type AvailabilityInput = z.infer<typeof availabilityBodySchema>;

export const availabilitySchema = z.object({
  userId: z.uuid(),
  outOfOffice: z.array(
    z.object({ startsAt: z.iso.datetime(), endsAt: z.iso.datetime(), note: z.string() }),
  ),
  awayNow: z.boolean(),
});
export type AvailabilityDto = z.infer<typeof availabilitySchema>;

export const workloadSchema = z.object({
  items: z.array(
    z.object({
      userId: z.uuid(),
      name: z.string(),
      role: z.string(),
      openLeads: z.number().int(),
      overdueTasks: z.number().int(),
      awayNow: z.boolean(),
      awayUntil: z.iso.datetime().nullable(),
    }),
  ),
});
export type WorkloadDto = z.infer<typeof workloadSchema>;
