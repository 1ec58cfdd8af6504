import { z } from 'zod';

const money = z.object({
  count: z.number().int(),
  value: z.number().int().describe('Minor units'),
});

export const dailyReviewSchema = z
  .object({
    kind: z.literal('daily'),
    period: z.string().describe('The local date, e.g. 2026-03-09'),
    timeZone: z.string(),
    followUps: z.array(
      z.object({
        taskId: z.uuid(),
        title: z.string(),
        dueAt: z.iso.datetime(),
        leadId: z.uuid().nullable(),
        overdue: z.boolean().describe('Due before today'),
      }),
    ),
    staleAfterDays: z.number().int(),
    staleLeads: z.array(
      z.object({
        leadId: z.uuid(),
        title: z.string(),
        lastTouchAt: z.iso.datetime(),
        daysSinceTouch: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'DailyReview' });
export type DailyReviewDto = z.infer<typeof dailyReviewSchema>;

export const weeklyReviewSchema = z
  .object({
    kind: z.literal('weekly'),
    period: z.string().describe('The ISO week, e.g. 2026-W10'),
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    timeZone: z.string(),
    currency: z.string(),
    newLeads: z.number().int(),
    inFollowUp: z.object({
      count: z.number().int(),
      averageAgeDays: z.number().nullable().describe('Days since the lead came in, one decimal'),
    }),
    proposalsOut: money,
    won: money,
    lost: money,
    oldestOpenLead: z
      .object({
        leadId: z.uuid(),
        title: z.string(),
        createdAt: z.iso.datetime(),
        ageDays: z.number().int(),
      })
      .nullable(),
  })
  .meta({ id: 'WeeklyReview' });
export type WeeklyReviewDto = z.infer<typeof weeklyReviewSchema>;

export const monthlyReviewSchema = z
  .object({
    kind: z.literal('monthly'),
    period: z.string().describe('The month, e.g. 2026-02'),
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    timeZone: z.string(),
    currency: z.string(),
    won: money,
    lost: money.extend({
      byReason: z.array(
        z.object({
          reason: z.string().nullable(),
          count: z.number().int(),
          value: z.number().int(),
        }),
      ),
    }),
    winRate: z.number().nullable().describe('Won among won + lost, 0…1'),
    topSources: z.array(
      z.object({
        sourceId: z.uuid().nullable(),
        name: z.string().nullable(),
        leads: z.number().int(),
        won: z.number().int(),
      }),
    ),
    averageDaysToClose: z.number().nullable().describe('Of the leads won, one decimal'),
  })
  .meta({ id: 'MonthlyReview' });
export type MonthlyReviewDto = z.infer<typeof monthlyReviewSchema>;

export const reviewQuerySchema = z.object({
  period: z
    .enum(['last', 'current'])
    .default('last')
    .describe('last: the week or month that ended (what was sent); current: so far'),
});
export type ReviewQuery = z.infer<typeof reviewQuerySchema>;
