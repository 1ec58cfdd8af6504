import { z } from 'zod';
import { activitySchema } from '../activities/activities.schemas.js';
import { contactSchema } from '../contacts/contacts.schemas.js';
import { leadSchema } from '../leads/leads.schemas.js';
import { taskSchema } from '../tasks/tasks.schemas.js';

export const contactDataExportSchema = z
  .object({
    exportedAt: z.iso.datetime(),
    contact: contactSchema,
    mergedContacts: z
      .array(contactSchema)
      .describe('Earlier records of the same person that were merged into this one'),
    leads: z.array(leadSchema),
    activities: z.array(activitySchema).describe("The contact's and its leads' timeline"),
    tasks: z.array(taskSchema),
  })
  .meta({ id: 'ContactDataExport' });
export type ContactDataExport = z.infer<typeof contactDataExportSchema>;

export const eraseContactBodySchema = z.object({
  confirmName: z
    .string()
    .max(300)
    .describe("The contact's current name, as typed by the person erasing it (a safeguard)"),
});
export type EraseContactInput = z.infer<typeof eraseContactBodySchema>;

export const contactIdParamsSchema = z.object({ id: z.uuid() });
