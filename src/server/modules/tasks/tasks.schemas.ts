import { z } from 'zod';
import { PRIORITIES, TASK_STATUSES, TASK_TYPES } from '../../platform/db/schema.js';
import { pageQuerySchema } from '../../platform/http/pagination.js';

export const taskSchema = z
  .object({
    id: z.uuid(),
    leadId: z.uuid().nullable(),
    contactId: z.uuid().nullable(),
    title: z.string(),
    description: z.string(),
    type: z.enum(TASK_TYPES),
    priority: z.enum(PRIORITIES),
    assigneeId: z.uuid().nullable(),
    dueAt: z.iso.datetime().nullable(),
    reminderAt: z.iso.datetime().nullable(),
    status: z.enum(TASK_STATUSES),
    isOverdue: z.boolean(),
    completedAt: z.iso.datetime().nullable(),
    completedBy: z.uuid().nullable(),
    version: z.number().int(),
    createdBy: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Task' });
export type TaskDto = z.infer<typeof taskSchema>;

const dateTime = z.iso.datetime({ offset: true });

const taskFieldsSchema = z.object({
  title: z.string().trim().min(1).max(300),
  description: z.string().max(10_000).default(''),
  type: z.enum(TASK_TYPES).default('follow_up'),
  priority: z.enum(PRIORITIES).default('normal'),
  assigneeId: z
    .uuid()
    .optional()
    .describe("Defaults to the lead's assignee, else the person creating the task"),
  dueAt: dateTime.optional(),
  reminderAt: dateTime.optional(),
});

export const createLeadTaskBodySchema = taskFieldsSchema;
export const createTaskBodySchema = taskFieldsSchema.extend({
  leadId: z.uuid().optional(),
  contactId: z.uuid().optional().describe('For a task about a contact rather than one lead'),
});
export type CreateTaskInput = z.input<typeof createTaskBodySchema>;

export const updateTaskBodySchema = z
  .object({
    title: z.string().trim().min(1).max(300),
    description: z.string().max(10_000),
    type: z.enum(TASK_TYPES),
    priority: z.enum(PRIORITIES),
    assigneeId: z.uuid().nullable(),
    dueAt: dateTime.nullable().describe('Moving it later snoozes the follow-up'),
    reminderAt: dateTime.nullable(),
    status: z
      .enum(['pending', 'in_progress', 'cancelled'])
      .describe('Use POST /api/tasks/:id/complete to complete a task'),
  })
  .partial();
export type UpdateTaskInput = z.infer<typeof updateTaskBodySchema>;

export const completeTaskBodySchema = z
  .object({ notes: z.string().trim().max(2000).default('').describe('Written on the timeline') })
  .nullish();

export const TASK_DUE_FILTERS = ['overdue', 'today', 'week', 'none'] as const;
export type TaskDueFilter = (typeof TASK_DUE_FILTERS)[number];

export const listTasksQuerySchema = pageQuerySchema.extend({
  assigneeId: z.union([z.uuid(), z.enum(['me', 'none'])]).optional(),
  due: z
    .enum(TASK_DUE_FILTERS)
    .optional()
    .describe(
      "overdue: due before now; today: due on today's date; week: due within 7 days from today " +
        "(the workspace's time zone); none: no due date",
    ),
  status: z
    .enum(['open', ...TASK_STATUSES])
    .default('open')
    .describe('open = pending or in progress'),
  leadId: z.uuid().optional(),
  contactId: z.uuid().optional(),
});
export type ListTasksQuery = z.infer<typeof listTasksQuerySchema>;

export const listRecordTasksQuerySchema = listTasksQuerySchema.omit({
  leadId: true,
  contactId: true,
});

export const taskIdParamsSchema = z.object({ id: z.uuid() });
