// Converting a lead: the pipeline's required-for-conversion fields are checked (422 lists what
// is missing), the lead moves to the won stage and is locked, its contact becomes a customer,
// its company an active customer, and the pipeline's onboarding tasks are created — in one
// transaction.
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors.js';
import { assertVersion } from '../../platform/http/versioning.js';
import type { CompaniesService } from '../companies/companies.service.js';
import type { ContactsService } from '../contacts/contacts.service.js';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.js';
import type { LeadsService } from '../leads/leads.service.js';
import { findMissingForConversion, type PipelinesService } from '../pipelines/pipelines.service.js';
import type { TasksService } from '../tasks/tasks.service.js';

const DAY_MS = 24 * 60 * 60_000;

export function createConversionService(
  { db, clock }: ServiceDeps,
  deps: {
    leads: LeadsService;
    pipelines: PipelinesService;
    contacts: ContactsService;
    companies: CompaniesService;
    customFields: CustomFieldsService;
    tasks: TasksService;
  },
) {
  return {
    async convertLead(actor: Actor, leadId: string, ifMatch?: number) {
      requirePermission(actor, 'lead:convert');
      return db.transaction().execute(async (trx) => {
        const lead = await deps.leads.findLeadForWork(trx, actor, leadId, { lock: true });
        assertVersion(lead.version, ifMatch);
        if (lead.is_converted) {
          throw new AppError('conflict', { message: 'This lead is already converted.' });
        }
        if (lead.archived_at) {
          throw new AppError('conflict', { message: 'This lead is archived; restore it first.' });
        }
        if (lead.status === 'lost') {
          throw new AppError('conflict', {
            message: 'This lead is lost; move it back to an open stage before converting.',
          });
        }
        const pipeline = await deps.pipelines.pipelineForLead(actor, lead.pipeline_id, trx);
        const won = pipeline.stages.find((stage) => stage.kind === 'won');
        if (!won) {
          throw new AppError('conflict', { message: `"${pipeline.name}" has no won stage.` });
        }
        const contact = lead.contact_id
          ? await deps.contacts.getContact(actor, lead.contact_id, trx)
          : null;
        const missing = findMissingForConversion(
          pipeline,
          {
            value: lead.value,
            expectedCloseDate: lead.expected_close_date,
            companyId: lead.company_id,
            companyName: lead.company_name,
            contactId: lead.contact_id,
            sourceId: lead.source_id,
          },
          contact,
          lead.custom_fields,
          await deps.customFields.activeFields(actor, 'lead', trx),
        );
        if (missing.length > 0) {
          throw new AppError('validation_failed', {
            message: `"${pipeline.name}" needs ${missing.length} more field(s) before a lead converts.`,
            fields: missing,
          });
        }

        await deps.leads.convertLeadRow(trx, actor, lead, won);
        if (lead.contact_id) await deps.contacts.markCustomer(trx, actor, lead.contact_id);
        if (lead.company_id) await deps.companies.markActiveCustomer(trx, actor, lead.company_id);
        const now = clock.now().getTime();
        await deps.tasks.createTasksIn(
          trx,
          actor,
          pipeline.onboardingTasks.map((task) => ({
            leadId: lead.id,
            title: task.title,
            type: task.type,
            dueAt: new Date(now + task.dueInDays * DAY_MS).toISOString(),
          })),
        );
        // The onboarding tasks set the next follow-up: answer with the lead as it is now.
        return deps.leads.describeLead(trx, actor, lead.id);
      });
    },
  };
}

export type ConversionService = ReturnType<typeof createConversionService>;
