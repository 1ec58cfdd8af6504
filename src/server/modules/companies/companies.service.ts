// Companies: list, create, read, update, archive and restore. Archived companies keep their
// history and links; they leave lists unless asked for. Custom field values are checked and
// stored by the custom-fields service; only readCompany shows sensitive ones.
import { z } from 'zod';
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { recordAudit, type Executor } from '../../platform/audit.js';
import type { CompanyRow } from '../../platform/db/schema.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { fieldError, notFound } from '../../platform/errors.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { assertVersion } from '../../platform/http/versioning.js';
import { toE164 } from '../../../shared/phone.js';
import {
  auditCustomFields,
  maskStoredValues,
  type CustomFieldValues,
  type CustomFieldsService,
} from '../custom-fields/custom-fields.service.js';
import type { CustomFieldsInput } from '../custom-fields/custom-fields.schemas.js';
import type { DuplicateWarning } from '../duplicates/duplicates.schemas.js';
import type { WorkspacesService } from '../workspaces/workspaces.service.js';
import * as repo from './companies.repository.js';
import type {
  CompanyDto,
  CreateCompanyInput,
  ListCompaniesQuery,
  UpdateCompanyInput,
} from './companies.schemas.js';

/** Custom field values default to every stored key with sensitive ones masked. */
export function toCompanyDto(
  row: CompanyRow,
  customFields: CustomFieldValues = maskStoredValues(row.custom_fields),
): CompanyDto {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    mainPhone: row.main_phone,
    mainPhoneE164: row.main_phone_e164,
    website: row.website,
    industry: row.industry,
    billingAddress: row.billing_address,
    status: row.status,
    primaryContactId: row.primary_contact_id,
    customFields,
    archived: row.archived_at !== null,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function auditView(dto: CompanyDto) {
  const { id, version, createdAt, updatedAt, mainPhoneE164, customFields, ...fields } = dto;
  return { ...fields, ...auditCustomFields(customFields) };
}

export function createCompaniesService(
  { db, clock }: ServiceDeps,
  workspaces: WorkspacesService,
  customFields: CustomFieldsService,
) {
  async function countryOf(actor: Actor, executor: Executor = db) {
    return (await workspaces.findWorkspace(actor.workspaceId, executor))?.country ?? 'US';
  }

  async function normalisePhone(actor: Actor, mainPhone: string | null | undefined) {
    if (mainPhone === undefined) return {};
    if (mainPhone === null) return { mainPhone: null, mainPhoneE164: null };
    const workspace = await workspaces.findWorkspace(actor.workspaceId);
    const e164 = toE164(mainPhone, workspace?.country ?? 'US');
    if (!e164) throw fieldError('mainPhone', 'Not a valid phone number.');
    return { mainPhone, mainPhoneE164: e164 };
  }

  async function change(
    actor: Actor,
    companyId: string,
    ifMatch: number | undefined,
    action: string,
    patch: Partial<repo.CompanyValues> & { archivedAt?: Date | null },
    customInput?: CustomFieldsInput,
  ) {
    requirePermission(actor, 'lead:update');
    return db.transaction().execute(async (trx) => {
      const before = await repo.findCompany(trx, actor.workspaceId, companyId);
      if (!before) throw notFound('Company');
      assertVersion(before.version, ifMatch);
      const custom = customInput
        ? await customFields.prepareValues(
            actor,
            'company',
            customInput,
            { existing: before.custom_fields, country: await countryOf(actor, trx) },
            trx,
          )
        : undefined;
      const row = await repo.updateCompanyRow(
        trx,
        actor.workspaceId,
        companyId,
        { ...patch, ...(custom ? { customFields: custom.values } : {}) },
        clock.now(),
      );
      const mask = await customFields.maskerFor(actor, 'company', trx);
      const after = toCompanyDto(row, mask(row.custom_fields));
      await recordAudit(trx, clock, actor, {
        action,
        entityType: 'company',
        entityId: companyId,
        before: auditView(toCompanyDto(before, mask(before.custom_fields))),
        after: auditView(after),
      });
      // The change row shows "[sensitive]" on both sides; say which ones were rewritten.
      if (custom && custom.sensitiveKeys.length > 0) {
        await recordAudit(trx, clock, actor, {
          action: 'company.sensitive_updated',
          entityType: 'company',
          entityId: companyId,
          after: { fields: custom.sensitiveKeys },
        });
      }
      return after;
    });
  }

  /** Companies with a name like this one, as a warning (the workspace sets how similar). */
  async function similarCompanyWarnings(
    actor: Actor,
    name: string,
    excludeCompanyId: string | null,
    executor: Executor = db,
  ): Promise<DuplicateWarning[]> {
    const workspace = await workspaces.findWorkspace(actor.workspaceId, executor);
    const similar = await repo.findSimilarCompanies(
      executor,
      actor.workspaceId,
      name,
      workspace?.duplicateSimilarity ?? 0.6,
      excludeCompanyId,
    );
    if (similar.length === 0) return [];
    return [
      {
        kind: 'similar_company',
        message: `${similar.length} compan${similar.length === 1 ? 'y has' : 'ies have'} a similar name; link the lead to it if it is the same.`,
        candidates: similar.map((row) => ({
          id: row.id,
          name: row.name,
          similarity: Math.round(row.similarity * 100) / 100,
        })),
      },
    ];
  }

  return {
    async listCompanies(actor: Actor, query: ListCompaniesQuery) {
      requirePermission(actor, 'lead:read');
      const after = query.cursor
        ? decodeCursor(query.cursor, z.tuple([z.string(), z.string()]))
        : undefined;
      const rows = await repo.listCompanies(db, actor.workspaceId, { ...query, after });
      const mask = await customFields.maskerFor(actor, 'company');
      return toPage(
        rows,
        query.limit,
        (row) => toCompanyDto(row, mask(row.custom_fields)),
        (row) => [row.name, row.id],
      );
    },

    /** A company with sensitive custom values masked (for other modules and embedding). */
    /** Company names by id, for lists of other records. */
    async companyNames(actor: Actor, companyIds: string[]): Promise<Map<string, string>> {
      requirePermission(actor, 'lead:read');
      if (companyIds.length === 0) return new Map();
      const rows = await repo.findCompanyNames(db, actor.workspaceId, [...new Set(companyIds)]);
      return new Map(rows.map((row) => [row.id, row.name]));
    },

    async getCompany(actor: Actor, companyId: string) {
      requirePermission(actor, 'lead:read');
      const row = await repo.findCompany(db, actor.workspaceId, companyId);
      if (!row) throw notFound('Company');
      const mask = await customFields.maskerFor(actor, 'company');
      return toCompanyDto(row, mask(row.custom_fields));
    },

    /** GET /api/companies/:id: sensitive values shown (and audited) to lead:read_sensitive. */
    async readCompany(actor: Actor, companyId: string) {
      requirePermission(actor, 'lead:read');
      const row = await repo.findCompany(db, actor.workspaceId, companyId);
      if (!row) throw notFound('Company');
      const values = await customFields.revealValues(actor, 'company', row.id, row.custom_fields);
      return toCompanyDto(row, values);
    },

    async createCompany(actor: Actor, input: CreateCompanyInput) {
      requirePermission(actor, 'lead:create');
      const phone = await normalisePhone(actor, input.mainPhone);
      return db.transaction().execute(async (trx) => {
        const custom = await customFields.prepareValues(
          actor,
          'company',
          input.customFields,
          { country: await countryOf(actor, trx) },
          trx,
        );
        const row = await repo.insertCompany(
          trx,
          actor.workspaceId,
          {
            name: input.name,
            type: input.type,
            mainPhone: null,
            mainPhoneE164: null,
            ...phone,
            website: input.website ?? null,
            industry: input.industry ?? null,
            billingAddress: input.billingAddress ?? null,
            status: input.status,
            primaryContactId: input.primaryContactId ?? null,
            customFields: custom.values,
          },
          actor.userId || null,
          clock.now(),
        );
        const mask = await customFields.maskerFor(actor, 'company', trx);
        const created = toCompanyDto(row, mask(row.custom_fields));
        await recordAudit(trx, clock, actor, {
          action: 'company.created',
          entityType: 'company',
          entityId: row.id,
          after: auditView(created),
        });
        const warnings = await similarCompanyWarnings(actor, row.name, row.id, trx);
        return { ...created, warnings };
      });
    },

    async updateCompany(
      actor: Actor,
      companyId: string,
      input: UpdateCompanyInput,
      ifMatch?: number,
    ) {
      const phone = await normalisePhone(actor, input.mainPhone);
      const { customFields: customInput, ...fields } = input;
      return change(
        actor,
        companyId,
        ifMatch,
        'company.updated',
        { ...fields, ...phone },
        customInput,
      );
    },

    archiveCompany(actor: Actor, companyId: string, ifMatch?: number) {
      return change(actor, companyId, ifMatch, 'company.archived', { archivedAt: clock.now() });
    },

    restoreCompany(actor: Actor, companyId: string, ifMatch?: number) {
      return change(actor, companyId, ifMatch, 'company.restored', { archivedAt: null });
    },

    similarCompanyWarnings,

    /** A converted lead makes its company an active customer (inside the conversion). */
    async markActiveCustomer(trx: Executor, actor: Actor, companyId: string) {
      const before = await repo.findCompany(trx, actor.workspaceId, companyId);
      if (!before || before.status === 'active_customer') return;
      await repo.updateCompanyRow(
        trx,
        actor.workspaceId,
        companyId,
        { status: 'active_customer' },
        clock.now(),
      );
      await recordAudit(trx, clock, actor, {
        action: 'company.became_customer',
        entityType: 'company',
        entityId: companyId,
        before: { status: before.status },
        after: { status: 'active_customer' },
      });
    },

    /** A merge moved a contact: companies it was the primary contact of follow it. */
    async relinkPrimaryContact(trx: Executor, actor: Actor, fromId: string, toId: string) {
      await repo.relinkPrimaryContact(trx, actor.workspaceId, fromId, toId, clock.now());
    },
  };
}

export type CompaniesService = ReturnType<typeof createCompaniesService>;
