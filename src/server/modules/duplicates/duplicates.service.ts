// Duplicates: the workspace scan for likely pairs, and merging a contact or a lead into
// another. A merge moves every lead, activity, task, stage-history row and link to the
// survivor, fills its empty fields, archives the merged record with a pointer and writes the
// audit log — all in one transaction.
import { z } from 'zod';
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { fieldError } from '../../platform/errors.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import type { Timeline } from '../activities/activities.service.js';
import type { CompaniesService } from '../companies/companies.service.js';
import type { ContactsService } from '../contacts/contacts.service.js';
import type { LeadsService } from '../leads/leads.service.js';
import type { TasksService } from '../tasks/tasks.service.js';
import type { WorkspacesService } from '../workspaces/workspaces.service.js';
import * as repo from './duplicates.repository.js';
import type { DuplicatePairDto, ListDuplicatesQuery } from './duplicates.schemas.js';

export function createDuplicatesService(
  { db }: ServiceDeps,
  deps: {
    contacts: ContactsService;
    companies: CompaniesService;
    leads: LeadsService;
    tasks: TasksService;
    timeline: Timeline;
    workspaces: WorkspacesService;
  },
) {
  return {
    async listDuplicates(actor: Actor, query: ListDuplicatesQuery) {
      requirePermission(actor, 'lead:read');
      const after = query.cursor
        ? decodeCursor(query.cursor, z.tuple([z.number(), z.uuid(), z.uuid()]))
        : undefined;
      const workspace = await deps.workspaces.findWorkspace(actor.workspaceId);
      const page = {
        threshold: workspace?.duplicateSimilarity ?? 0.6,
        onlyAssigneeId: actor.leadScope === 'own' ? actor.userId : undefined,
        after,
        limit: query.limit,
      };
      const rows =
        query.recordType === 'contact'
          ? await repo.scanContactPairs(db, actor.workspaceId, page)
          : await repo.scanLeadPairs(db, actor.workspaceId, page);
      return toPage(
        rows,
        query.limit,
        (row): DuplicatePairDto => ({
          recordType: query.recordType,
          score: Math.round(Number(row.score) * 100) / 100,
          reasons: row.reasons,
          records: [
            { id: row.a_id, name: row.a_name },
            { id: row.b_id, name: row.b_name },
          ],
        }),
        (row) => [Number(row.score), row.a_id, row.b_id],
      );
    },

    async mergeContacts(actor: Actor, contactId: string, intoId: string, ifMatch?: number) {
      requirePermission(actor, 'lead:update');
      if (contactId === intoId) throw fieldError('intoId', 'A contact cannot merge into itself.');
      // Both must exist here before anything moves (404 for the one in the path).
      await deps.contacts.getContact(actor, contactId);
      await deps.contacts.getContact(actor, intoId).catch(() => {
        throw fieldError('intoId', 'No such contact in this workspace.');
      });
      return db.transaction().execute(async (trx) => {
        const move = { fromContactId: contactId, toContactId: intoId };
        const result = await deps.contacts.mergeContactRows(trx, actor, contactId, intoId, ifMatch);
        await deps.leads.relinkContact(trx, actor, contactId, intoId);
        await deps.timeline.moveEntries(trx, actor, move);
        await deps.tasks.moveTasksIn(trx, actor, move);
        await deps.companies.relinkPrimaryContact(trx, actor, contactId, intoId);
        await deps.timeline.recordEvent(trx, actor, {
          contactId: intoId,
          type: 'system',
          subject: `Merged ${result.merged} into this contact`,
          details: { mergedContactId: contactId },
        });
        return result.survivor;
      });
    },

    async mergeLeads(actor: Actor, leadId: string, intoId: string, ifMatch?: number) {
      requirePermission(actor, 'lead:update');
      return db.transaction().execute((trx) =>
        deps.leads.mergeLeadRows(trx, actor, leadId, intoId, ifMatch, async () => {
          const move = { fromLeadId: leadId, toLeadId: intoId };
          await deps.timeline.moveEntries(trx, actor, move);
          await deps.tasks.moveTasksIn(trx, actor, move);
        }),
      );
    },
  };
}

export type DuplicatesService = ReturnType<typeof createDuplicatesService>;
