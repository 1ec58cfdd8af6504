import { z } from 'zod';
import { leadInsightsSchema } from '../insights/insights.schemas.js';
import { leadSchema } from '../leads/leads.schemas.js';
import { taskSchema } from '../tasks/tasks.schemas.js';

const workTaskSchema = taskSchema
  .extend({ leadTitle: z.string().nullable().describe("The task's lead's title, if any") })
  .meta({ id: 'WorkTask' });

const workLeadSchema = leadSchema
  .extend({
    insights: leadInsightsSchema
      .nullable()
      .describe('Next action and best hour to call (GET /api/leads/{id}/insights)'),
  })
  .meta({ id: 'WorkLead' });

export const myWorkSchema = z
  .object({
    overdueTasks: z.array(workTaskSchema).describe('My open tasks due before now'),
    todayTasks: z
      .array(workTaskSchema)
      .describe("My open tasks due later today (the workspace's time zone)"),
    followUps: z
      .array(workLeadSchema)
      .describe(
        'My open leads by next follow-up, soonest first; among those due now, the ones whose best hour to call is now first',
      ),
    notContacted: z
      .array(workLeadSchema.extend({ minutesSinceCreated: z.number().int() }))
      .describe('My open leads nobody has contacted yet, oldest first (speed to lead)'),
    pastStageLimit: z
      .array(workLeadSchema)
      .describe("My open leads longer in their stage than the stage's maxDaysInStage"),
  })
  .meta({ id: 'MyWork' });

export const myWorkQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('Per list'),
});
