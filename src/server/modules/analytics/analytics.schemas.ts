// Analytics reports: one query schema for every report (period, pipeline, source, assignee,
// tag) and one response schema per report. Money is in minor units of the workspace currency.
import { z } from 'zod';

const isoDate = z.iso.date();

export const analyticsQuerySchema = z
  .object({
    from: isoDate
      .optional()
      .describe('First day of the period (workspace time zone); default: 89 days before `to`'),
    to: isoDate.optional().describe('Last day of the period, included; default: today'),
    pipelineId: z
      .uuid()
      .optional()
      .describe('Default for funnel and time in stage: the default pipeline'),
    sourceId: z.uuid().optional(),
    assigneeId: z.uuid().optional(),
    tag: z.string().min(1).max(50).optional(),
  })
  .refine((query) => !query.from || !query.to || query.from <= query.to, {
    message: '`from` must not be after `to`.',
    path: ['from'],
  });
export type AnalyticsQuery = z.infer<typeof analyticsQuerySchema>;

const periodSchema = z.object({
  from: isoDate,
  to: isoDate,
  timeZone: z.string(),
  currency: z.string().describe('Values count leads in this currency (the workspace’s) only'),
});

const rate = z.number().nullable().describe('0–1; null when there is nothing to divide by');
const days = z.number().nullable();

export const funnelSchema = z.object({
  period: periodSchema,
  pipelineId: z.uuid(),
  leads: z.number().int().describe('Leads created in the period in this pipeline'),
  lost: z.number().int(),
  stages: z.array(
    z.object({
      stageId: z.uuid(),
      name: z.string(),
      kind: z.enum(['open', 'won']),
      reached: z.number().int().describe('Leads that reached this stage or a later one'),
      conversionFromPrevious: rate,
      conversionFromStart: rate,
    }),
  ),
  consultations: z.object({
    meetings: z.number().int().describe('Meetings in the period with outcome spoke or no_show'),
    showRate: rate,
    proposalsDecided: z.number().int().describe('accepted_proposal + rejected_proposal outcomes'),
    acceptanceRate: rate,
  }),
});
export type FunnelDto = z.infer<typeof funnelSchema>;

export const sourcesReportSchema = z.object({
  period: periodSchema,
  months: z.number().describe('The period in months (each calendar month prorated by its days)'),
  items: z.array(
    z.object({
      sourceId: z.uuid().nullable(),
      name: z.string(),
      leads: z.number().int(),
      won: z.number().int(),
      lost: z.number().int(),
      conversionRate: rate,
      wonValue: z.number().int(),
      cost: z.number().int().describe('monthlyCost × months'),
      costPerLead: z.number().int().nullable(),
      costPerAcquisition: z.number().int().nullable(),
      roi: z.number().nullable().describe('(wonValue − cost) / cost'),
      firstTouchWon: z
        .number()
        .int()
        .describe('Won leads whose contact first came through this source'),
      firstTouchWonValue: z.number().int(),
    }),
  ),
});
export type SourcesReportDto = z.infer<typeof sourcesReportSchema>;

export const coordinatorsReportSchema = z.object({
  period: periodSchema,
  items: z.array(
    z.object({
      userId: z.uuid().nullable(),
      name: z.string(),
      leads: z.number().int(),
      contactedWithin5MinutesRate: rate,
      medianMinutesToFirstContact: z.number().nullable(),
      won: z.number().int(),
      conversionRate: rate,
      medianDaysToConvert: days,
      activities: z.number().int().describe('Touches they logged in the period'),
    }),
  ),
});
export type CoordinatorsReportDto = z.infer<typeof coordinatorsReportSchema>;

export const lostReasonsReportSchema = z.object({
  period: periodSchema,
  lost: z.number().int(),
  items: z.array(
    z.object({
      lostReasonId: z.uuid().nullable(),
      name: z.string(),
      leads: z.number().int(),
      share: rate,
      value: z.number().int(),
    }),
  ),
});
export type LostReasonsReportDto = z.infer<typeof lostReasonsReportSchema>;

export const timeInStageReportSchema = z.object({
  period: periodSchema,
  pipelineId: z.uuid(),
  timeToConvert: z.object({ won: z.number().int(), medianDays: days, p90Days: days }),
  stages: z.array(
    z.object({
      stageId: z.uuid(),
      name: z.string(),
      stays: z.number().int().describe('Stays that ended by moving on'),
      medianDays: days,
      p90Days: days,
      openNow: z.number().int(),
      maxDaysInStage: z.number().int().nullable(),
      pastLimit: z.number().int().describe('Open leads in the stage longer than its limit'),
      isBottleneck: z.boolean().describe('The open stage with the longest median stay'),
    }),
  ),
});
export type TimeInStageReportDto = z.infer<typeof timeInStageReportSchema>;

export const velocityReportSchema = z.object({
  period: periodSchema,
  weeks: z.array(z.object({ weekStart: isoDate, leads: z.number().int() })),
  trend: z.object({
    slopePerWeek: z.number().nullable().describe('Least-squares change in new leads per week'),
    lastFourWeeks: z.number().int(),
    previousFourWeeks: z.number().int(),
    change: rate.describe('lastFourWeeks / previousFourWeeks − 1'),
  }),
});
export type VelocityReportDto = z.infer<typeof velocityReportSchema>;

export const forecastReportSchema = z.object({
  period: periodSchema,
  months: z.array(
    z.object({
      month: z.string().describe('YYYY-MM of the expected close date'),
      openLeads: z.number().int(),
      value: z.number().int(),
      weightedValue: z.number().int().describe('Σ value × probability / 100'),
    }),
  ),
  backtest: z.array(
    z.object({
      month: z.string(),
      forecastWeightedValue: z
        .number()
        .int()
        .describe('What the forecast for the month was on its first day'),
      wonValue: z.number().int().describe('Value won in the month'),
      accuracy: rate.describe('wonValue / forecastWeightedValue'),
    }),
  ),
});
export type ForecastReportDto = z.infer<typeof forecastReportSchema>;
