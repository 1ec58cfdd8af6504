// The API's shapes, inferred from the server's own zod schemas (one source of truth).
import type { z } from 'zod';
import type { activitySchema } from '../../server/modules/activities/activities.schemas';
import type { meResponseSchema } from '../../server/modules/auth/auth.schemas';
import type { customFieldSchema } from '../../server/modules/custom-fields/custom-fields.schemas';
import type { contactSchema } from '../../server/modules/contacts/contacts.schemas';
import type { duplicateWarningSchema } from '../../server/modules/duplicates/duplicates.schemas';
import type { leadSourceSchema } from '../../server/modules/lead-sources/lead-sources.schemas';
import type { leadDetailSchema, leadSchema } from '../../server/modules/leads/leads.schemas';
import type { lostReasonSchema } from '../../server/modules/lost-reasons/lost-reasons.schemas';
import type { pipelineSchema, stageSchema } from '../../server/modules/pipelines/pipelines.schemas';
import type { taskSchema } from '../../server/modules/tasks/tasks.schemas';
import type { workspaceUserSchema } from '../../server/modules/users/users.schemas';
import type { myWorkSchema } from '../../server/modules/work/work.schemas';

export type { Permission } from '../../server/platform/auth/permissions';

export type Me = z.infer<typeof meResponseSchema>;
export type Lead = z.infer<typeof leadSchema>;
export type LeadDetail = z.infer<typeof leadDetailSchema>;
export type Contact = z.infer<typeof contactSchema>;
export type CustomField = z.infer<typeof customFieldSchema>;
export type Activity = z.infer<typeof activitySchema>;
export type Task = z.infer<typeof taskSchema>;
export type Pipeline = z.infer<typeof pipelineSchema>;
export type Stage = z.infer<typeof stageSchema>;
export type LeadSource = z.infer<typeof leadSourceSchema>;
export type LostReason = z.infer<typeof lostReasonSchema>;
export type Member = z.infer<typeof workspaceUserSchema>;
export type MyWork = z.infer<typeof myWorkSchema>;
export type DuplicateWarning = z.infer<typeof duplicateWarningSchema>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total?: number;
}

/** A 409's candidates when a contact with the same email or phone exists. */
export interface DuplicateCandidate {
  id: string;
  name: string;
  matchedOn: string[];
}
