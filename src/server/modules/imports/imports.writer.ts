// The writing of a checked batch: duplicate decisions (the row keys, the API's rule for
// contacts and companies, earlier rows of the same file) and the set-based inserts of what is
// new, then the "update" policy's per-record changes and the batch's audit row. Runs inside the
// batch's transaction (imports.service.ts).
import { randomUUID } from 'node:crypto';
import type { Actor } from '../../platform/auth/actor.js';
import { recordAudit, type Executor } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import type { ImportRow } from '../../platform/db/schema.js';
import type { AssignmentService } from '../assignment/assignment.service.js';
import * as repo from './imports.repository.js';
import type { PreparedRow, RowContext } from './imports.rows.js';

export interface WriteCounts {
  created: number;
  updated: number;
  skipped: number;
}

export function createImportWriter(clock: Clock, assignment: AssignmentService) {
  /** Duplicate decisions and writes of a batch's good rows. */
  async function writeRows(
    trx: Executor,
    actor: Actor,
    row: ImportRow,
    ctx: RowContext,
    rows: PreparedRow[],
    mode: 'validate' | 'write',
    dryRunSeen: Set<string> | undefined,
  ): Promise<WriteCounts> {
    const ws = row.workspace_id;
    const policy = row.duplicate_policy;
    const isWrite = mode === 'write';
    const keyMatches = new Map(
      (
        await repo.findRowKeys(
          trx,
          ws,
          row.entity,
          rows.map((r) => r.key),
        )
      ).map((k) => [k.key, k.record_id]),
    );
    // The records of the API's duplicate rule: contacts by email/phone, companies by name.
    const pointOwner = new Map<string, string>();
    if (row.entity !== 'companies') {
      const emails = rows.flatMap((r) => r.contact?.emails.map((e) => e.value) ?? []);
      const phones = rows.flatMap((r) => r.contact?.phones.map((p) => p.e164) ?? []);
      for (const match of await repo.findContactsByPoints(trx, ws, emails, phones)) {
        const id = `${match.kind}:${match.value}`;
        if (!pointOwner.has(id)) pointOwner.set(id, match.contact_id);
      }
    } else {
      const names = rows.flatMap((r) => (r.company ? [r.company.name.toLowerCase()] : []));
      for (const match of await repo.findCompaniesByNames(trx, ws, names)) {
        if (!pointOwner.has(`name:${match.name}`)) pointOwner.set(`name:${match.name}`, match.id);
      }
    }
    const identitiesOf = (r: PreparedRow) =>
      row.entity === 'companies'
        ? r.company
          ? [`name:${r.company.name.toLowerCase()}`]
          : []
        : [
            ...(r.contact?.emails.map((e) => `email:${e.value}`) ?? []),
            ...(r.contact?.phones.map((p) => `phone:${p.e164}`) ?? []),
          ];

    const creates: { row: PreparedRow; recordId: string; contactId: string | null }[] = [];
    const updates: { row: PreparedRow; recordId: string | null; matchId: string | null }[] = [];
    let skipped = 0;
    // Rows of this batch already planned, by key and by identity.
    const plannedKeys = new Map<string, string>();
    for (const r of rows) {
      const identities = identitiesOf(r);
      const byKey = keyMatches.get(r.key) ?? plannedKeys.get(r.key);
      const byIdentity = identities.map((id) => pointOwner.get(id)).find(Boolean);
      const seenInDryRun =
        dryRunSeen !== undefined &&
        (dryRunSeen.has(`key:${r.key}`) || identities.some((id) => dryRunSeen.has(id)));
      const isDuplicate = byKey !== undefined || byIdentity !== undefined || seenInDryRun;
      if (isDuplicate && policy !== 'create') {
        if (policy === 'skip') skipped += 1;
        else updates.push({ row: r, recordId: byKey ?? null, matchId: byIdentity ?? null });
        continue;
      }
      const recordId = randomUUID();
      const contactId = row.entity === 'leads' && r.contact ? randomUUID() : null;
      creates.push({ row: r, recordId, contactId });
      plannedKeys.set(r.key, recordId);
      for (const id of identities) {
        if (!pointOwner.has(id))
          pointOwner.set(id, row.entity === 'leads' ? (contactId ?? '') : recordId);
      }
      if (dryRunSeen && dryRunSeen.size < 2_000_000) {
        dryRunSeen.add(`key:${r.key}`);
        for (const id of identities) dryRunSeen.add(id);
      }
    }
    if (!isWrite) return { created: creates.length, updated: updates.length, skipped };

    const now = clock.now();
    const nowText = now.toISOString();
    const createdBy = actor.userId || null;
    const created: Record<string, string[]> = { leads: [], contacts: [], companies: [] };
    let assignedByRules = 0;
    if (row.entity === 'companies') {
      await repo.insertCompanies(
        trx,
        ws,
        row.id,
        createdBy,
        nowText,
        creates.map(({ row: r, recordId }) => ({
          id: recordId,
          name: r.company!.name,
          type: r.company!.type,
          mainPhone: r.company!.mainPhone,
          mainPhoneE164: r.company!.mainPhoneE164,
          website: r.company!.website,
          industry: r.company!.industry,
          billingAddress: JSON.stringify(r.company!.billingAddress),
          customFields: JSON.stringify(r.customFields),
          createdAt: (r.createdAt ?? now).toISOString(),
        })),
      );
      created.companies = creates.map((c) => c.recordId);
    } else {
      // Contacts of the contacts entity, or the new contacts of leads.
      const contactRows = creates.flatMap(({ row: r, recordId, contactId }) => {
        if (!r.contact) return [];
        const id = row.entity === 'contacts' ? recordId : contactId!;
        return [{ r, id }];
      });
      const companyIds = new Map<string, string>();
      if (row.entity === 'contacts') {
        const names = contactRows.flatMap(({ r }) =>
          r.contact?.companyName ? [r.contact.companyName.toLowerCase()] : [],
        );
        for (const match of await repo.findCompaniesByNames(trx, ws, names)) {
          if (!companyIds.has(match.name)) companyIds.set(match.name, match.id);
        }
      }
      await repo.insertContacts(
        trx,
        ws,
        row.id,
        createdBy,
        nowText,
        contactRows.map(({ r, id }) => {
          const c = r.contact!;
          return {
            id,
            firstName: c.firstName,
            lastName: c.lastName,
            emails: JSON.stringify(c.emails),
            phones: JSON.stringify(c.phones),
            address: JSON.stringify(c.address),
            preferredChannel: c.preferredChannel,
            preferredTime: c.preferredTime,
            lifecycleStage: c.lifecycleStage,
            tags: JSON.stringify(c.tags),
            optInEmail: c.optInEmail,
            optInSms: c.optInSms,
            doNotContact: c.doNotContact,
            notes: c.notes,
            companyId: companyIds.get(c.companyName.toLowerCase()) ?? null,
            customFields: JSON.stringify(row.entity === 'contacts' ? r.customFields : {}),
            createdAt: (r.createdAt ?? now).toISOString(),
          };
        }),
      );
      await repo.insertContactPoints(
        trx,
        ws,
        contactRows.flatMap(({ r, id }) => [
          ...r.contact!.emails.map((e, position) => ({
            contactId: id,
            kind: 'email' as const,
            value: e.value,
            position,
          })),
          ...r.contact!.phones.map((p, position) => ({
            contactId: id,
            kind: 'phone' as const,
            value: p.e164,
            position,
          })),
        ]),
      );
      created.contacts = contactRows.map((c) => c.id);
      if (row.entity === 'leads') {
        assignedByRules += await insertLeadRows(
          trx,
          actor,
          row.id,
          nowText,
          ctx,
          creates.map(({ row: r, recordId, contactId }) => ({ r, id: recordId, contactId })),
        );
        created.leads = creates.map((c) => c.recordId);
      }
    }

    let createdCount = creates.length;
    const updatedIds: string[] = [];
    for (const update of updates) {
      const result = await applyUpdate(trx, actor, row, ctx, update, now);
      if (result.createdLeadId) {
        created.leads!.push(result.createdLeadId);
        assignedByRules += result.assigned ?? 0;
        createdCount += 1;
      } else {
        updatedIds.push(...result.updatedIds);
      }
    }
    const updatedCount = updates.length - (createdCount - creates.length);
    await repo.insertRowKeys(
      trx,
      ws,
      row.entity,
      row.id,
      creates.map((c) => ({ key: c.row.key, recordId: c.recordId })),
    );
    if (creates.length + updates.length > 0) {
      // One audit row per batch lists what it created and changed (docs/import.md).
      await recordAudit(trx, clock, actor, {
        action: 'import.batch_written',
        entityType: 'import',
        entityId: row.id,
        after: {
          rows: `${rows[0]?.row ?? ''}–${rows.at(-1)?.row ?? ''}`,
          createdLeadIds: created.leads,
          createdContactIds: created.contacts,
          createdCompanyIds: created.companies,
          updatedIds,
          assignedByRules,
        },
      });
    }
    return { created: createdCount, updated: updatedCount, skipped };
  }

  /**
   * Inserts the leads and their first stage move; an open lead without an owner in the file goes
   * through the assignment rules, as a lead created by the API would (decision 023). Returns how
   * many the rules assigned.
   */
  async function insertLeadRows(
    trx: Executor,
    actor: Actor,
    importId: string,
    nowText: string,
    ctx: RowContext,
    leads: { r: PreparedRow; id: string; contactId: string | null }[],
  ): Promise<number> {
    const ws = actor.workspaceId;
    const createdBy = actor.userId || null;
    const unowned = leads.filter(({ r }) => !r.lead!.assigneeId && r.lead!.stage.kind === 'open');
    const picks = await assignment.pickAssignees(
      trx,
      actor,
      unowned.map(({ r }) => ({
        sourceId: r.lead!.sourceId,
        value: r.lead!.value,
        address: r.contact?.address ?? null,
      })),
    );
    const pickedFor = new Map(unowned.map(({ id }, i) => [id, picks[i]?.userId]));
    await repo.insertLeads(
      trx,
      ws,
      importId,
      createdBy,
      nowText,
      leads.map(({ r, id, contactId }) => {
        const l = r.lead!;
        return {
          id,
          title: l.title,
          description: l.description,
          contactId,
          companyName: l.companyName,
          sourceId: l.sourceId,
          sourceCampaign: l.sourceCampaign,
          sourceDetail: l.sourceDetail,
          pipelineId: ctx.pipelineId,
          stageId: l.stage.id,
          status: l.stage.kind,
          lostReasonId: l.lostReasonId,
          lostNotes: l.lostNotes,
          value: l.value,
          currency: l.currency,
          probability: l.probability,
          isProbabilityOverridden: l.isProbabilityOverridden,
          priority: l.priority,
          expectedCloseDate: l.expectedCloseDate,
          assigneeId: l.assigneeId ?? pickedFor.get(id) ?? null,
          contactStatus: l.contactStatus,
          tags: JSON.stringify(l.tags),
          customFields: JSON.stringify(r.customFields),
          createdAt: r.createdAt?.toISOString() ?? nowText,
        };
      }),
    );
    await repo.insertStageHistory(
      trx,
      ws,
      createdBy,
      leads.map(({ r, id }) => ({
        leadId: id,
        fromStageId: null,
        toStageId: r.lead!.stage.id,
        movedAt: r.createdAt?.toISOString() ?? nowText,
      })),
    );
    return picks.filter(Boolean).length;
  }

  /**
   * The "update" policy: the matched record gets the row's non-empty values (lists grow,
   * custom fields merge). For leads, the matched contact is updated and so is its lead (the one
   * the row created before, else its newest active one); a contact without a lead gets one.
   */
  async function applyUpdate(
    trx: Executor,
    actor: Actor,
    row: ImportRow,
    ctx: RowContext,
    update: { row: PreparedRow; recordId: string | null; matchId: string | null },
    now: Date,
  ): Promise<{ updatedIds: string[]; createdLeadId?: string; assigned?: number }> {
    const ws = row.workspace_id;
    const r = update.row;
    const given = r.given;
    if (row.entity === 'companies') {
      const id = update.recordId ?? update.matchId;
      const company = id ? await repo.findCompanyForUpdate(trx, ws, id) : undefined;
      if (!company || !r.company) return { updatedIds: [] };
      const c = r.company;
      await repo.updateCompany(
        trx,
        ws,
        company.id,
        {
          ...(given.has('type') ? { type: c.type } : {}),
          ...(given.has('phone')
            ? { main_phone: c.mainPhone, main_phone_e164: c.mainPhoneE164 }
            : {}),
          ...(given.has('website') ? { website: c.website } : {}),
          ...(given.has('industry') ? { industry: c.industry } : {}),
          ...(c.billingAddress
            ? {
                billing_address: JSON.stringify({
                  ...company.billing_address,
                  ...c.billingAddress,
                }),
              }
            : {}),
          custom_fields: JSON.stringify({ ...company.custom_fields, ...r.customFields }),
        },
        now,
      );
      return { updatedIds: [company.id] };
    }
    const updatedIds: string[] = [];
    let leadId: string | null = null;
    let contactId = update.matchId;
    if (row.entity === 'leads' && update.recordId) {
      const lead = await repo.findLeadForUpdate(trx, ws, update.recordId);
      if (lead) {
        leadId = lead.id;
        contactId ??= lead.contact_id;
      }
    }
    if (row.entity === 'contacts') contactId = update.recordId ?? update.matchId;
    if (contactId && r.contact) {
      const contact = await repo.findContactForUpdate(trx, ws, contactId);
      if (contact) {
        const c = r.contact;
        const emails = [...contact.emails];
        for (const e of c.emails) if (!emails.some((x) => x.value === e.value)) emails.push(e);
        const phones = [...contact.phones];
        for (const p of c.phones) if (!phones.some((x) => x.e164 === p.e164)) phones.push(p);
        const hasName = given.has('firstName') || given.has('lastName') || given.has('fullName');
        await repo.updateContact(
          trx,
          ws,
          contact.id,
          {
            ...(hasName ? { first_name: c.firstName, last_name: c.lastName } : {}),
            emails: JSON.stringify(emails),
            phones: JSON.stringify(phones),
            ...(c.address ? { address: JSON.stringify({ ...contact.address, ...c.address }) } : {}),
            ...(given.has('preferredChannel') ? { preferred_channel: c.preferredChannel } : {}),
            ...(given.has('preferredTime') ? { preferred_time: c.preferredTime } : {}),
            ...(given.has('lifecycleStage') ? { lifecycle_stage: c.lifecycleStage } : {}),
            ...(given.has('optInEmail') ? { opt_in_email: c.optInEmail } : {}),
            ...(given.has('optInSms') ? { opt_in_sms: c.optInSms } : {}),
            ...(given.has('doNotContact') ? { do_not_contact: c.doNotContact } : {}),
            ...(given.has('notes') && row.entity === 'contacts' ? { notes: c.notes } : {}),
            ...(c.tags.length > 0 ? { tags: [...new Set([...contact.tags, ...c.tags])] } : {}),
            ...(row.entity === 'contacts'
              ? { custom_fields: JSON.stringify({ ...contact.custom_fields, ...r.customFields }) }
              : {}),
          },
          now,
        );
        await repo.replaceContactPoints(
          trx,
          ws,
          contact.id,
          emails.map((e) => e.value),
          phones.map((p) => p.e164),
        );
        updatedIds.push(contact.id);
      }
    }
    if (row.entity !== 'leads' || !r.lead) return { updatedIds };
    if (!leadId && contactId) {
      const [latest] = await repo.findLatestLeadsOfContacts(trx, ws, [contactId]);
      leadId = latest?.id ?? null;
    }
    if (!leadId) {
      // The contact exists but has no lead: the row's lead is created for it.
      const id = randomUUID();
      const assigned = await insertLeadRows(trx, actor, row.id, now.toISOString(), ctx, [
        { r, id, contactId },
      ]);
      await repo.insertRowKeys(trx, ws, row.entity, row.id, [{ key: r.key, recordId: id }]);
      return { updatedIds, createdLeadId: id, assigned };
    }
    const lead = await repo.findLeadForUpdate(trx, ws, leadId);
    if (!lead) return { updatedIds };
    const l = r.lead;
    const stageGiven = given.has('stage') || given.has('outcome') || given.has('converted');
    const moves = stageGiven && l.stage.id !== lead.stage_id && !lead.is_converted;
    await repo.updateLead(
      trx,
      ws,
      lead.id,
      {
        ...(given.has('title') ? { title: l.title } : {}),
        ...(given.has('description') ? { description: l.description } : {}),
        ...(given.has('companyName') ? { company_name: l.companyName } : {}),
        ...(l.sourceId ? { source_id: l.sourceId } : {}),
        ...(given.has('sourceCampaign') ? { source_campaign: l.sourceCampaign } : {}),
        ...(given.has('sourceDetail') ? { source_detail: l.sourceDetail } : {}),
        ...(given.has('value') ? { value: l.value, currency: l.currency } : {}),
        ...(given.has('priority') ? { priority: l.priority } : {}),
        ...(given.has('expectedCloseDate') ? { expected_close_date: l.expectedCloseDate } : {}),
        ...(l.assigneeId ? { assignee_id: l.assigneeId } : {}),
        ...(given.has('probability')
          ? { probability: l.probability, is_probability_overridden: true }
          : {}),
        ...(l.tags.length > 0 ? { tags: [...new Set([...lead.tags, ...l.tags])] } : {}),
        custom_fields: JSON.stringify({ ...lead.custom_fields, ...r.customFields }),
        ...(moves
          ? {
              stage_id: l.stage.id,
              status: l.stage.kind,
              stage_entered_at: now,
              lost_reason_id: l.lostReasonId,
              lost_notes: l.lostNotes,
              ...(lead.is_probability_overridden || given.has('probability')
                ? {}
                : { probability: l.stage.probability }),
            }
          : {}),
      },
      now,
    );
    if (moves) {
      await repo.insertStageHistory(trx, ws, actor.userId || null, [
        {
          leadId: lead.id,
          fromStageId: lead.stage_id,
          toStageId: l.stage.id,
          movedAt: now.toISOString(),
        },
      ]);
    }
    updatedIds.push(lead.id);
    return { updatedIds };
  }

  return { writeRows };
}
