import { z } from 'zod';

export const NEXT_ACTION_KINDS = [
  'closed',
  'call_now',
  'close_won',
  'reschedule_meeting',
  'fix_contact_details',
  'try_other_channel',
  'follow_up_proposal',
  'call_again',
  'follow_up_due',
  'move_stage',
  'check_in',
  'on_track',
] as const;
export type NextActionKind = (typeof NEXT_ACTION_KINDS)[number];

export const TIME_BASES = ['contact', 'workspace', 'business_hours'] as const;
export type TimeBasis = (typeof TIME_BASES)[number];

export const nextActionSchema = z
  .object({
    kind: z.enum(NEXT_ACTION_KINDS).describe('What to do, as a stable code'),
    label: z.string().describe('What to do, for people'),
    reason: z.string().describe('Why, from the stage, the last outcome, attempts and days'),
  })
  .meta({ id: 'NextAction' });

export const bestTimeToCallSchema = z
  .object({
    hourOfWeek: z
      .number()
      .int()
      .min(0)
      .max(167)
      .describe("0 = Monday 00:00–01:00 … 167 = Sunday 23:00, in the workspace's time zone"),
    label: z.string().describe('e.g. "Tuesday 10:00–11:00"'),
    basis: z
      .enum(TIME_BASES)
      .describe(
        "contact: this contact's answered calls; workspace: the workspace's; business_hours: " +
          'too few answered calls, so the next business hour',
      ),
    isNow: z.boolean().describe('The current hour is that hour of the week'),
  })
  .meta({ id: 'BestTimeToCall' });

export const leadInsightsSchema = z
  .object({
    nextAction: nextActionSchema,
    bestTimeToCall: bestTimeToCallSchema,
  })
  .meta({ id: 'LeadInsights' });

export type NextActionDto = z.infer<typeof nextActionSchema>;
export type BestTimeToCallDto = z.infer<typeof bestTimeToCallSchema>;
export type LeadInsightsDto = z.infer<typeof leadInsightsSchema>;
