// Companies: list, create, read, update, archive and restore. Archived companies keep their
// history and links; they leave lists unless asked for.
import { z } from 'zod';
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { recordAudit } from '../../platform/audit.js';
import type { CompanyRow } from '../../platform/db/schema.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { fieldError, notFound } from '../../platform/errors.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { assertVersion } from '../../platform/http/versioning.js';
import { toE164 } from '../../../shared/phone.js';
import type { WorkspacesService } from '../workspaces/workspaces.service.js';
import * as repo from './companies.repository.js';
import type {
  CompanyDto,
  CreateCompanyInput,
  ListCompaniesQuery,
  UpdateCompanyInput,
} from './companies.schemas.js';

export function toCompanyDto(row: CompanyRow): CompanyDto {
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
    archived: row.archived_at !== null,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function auditView(dto: CompanyDto) {
  const { id, version, createdAt, updatedAt, mainPhoneE164, ...fields } = dto;
  return fields;
}

export function createCompaniesService({ db, clock }: ServiceDeps, workspaces: WorkspacesService) {
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
  ) {
    requirePermission(actor, 'lead:update');
    return db.transaction().execute(async (trx) => {
      const before = await repo.findCompany(trx, actor.workspaceId, companyId);
      if (!before) throw notFound('Company');
      assertVersion(before.version, ifMatch);
      const after = toCompanyDto(
        await repo.updateCompanyRow(trx, actor.workspaceId, companyId, patch, clock.now()),
      );
      await recordAudit(trx, clock, actor, {
        action,
        entityType: 'company',
        entityId: companyId,
        before: auditView(toCompanyDto(before)),
        after: auditView(after),
      });
      return after;
    });
  }

  return {
    async listCompanies(actor: Actor, query: ListCompaniesQuery) {
      requirePermission(actor, 'lead:read');
      const after = query.cursor
        ? decodeCursor(query.cursor, z.tuple([z.string(), z.string()]))
        : undefined;
      const rows = await repo.listCompanies(db, actor.workspaceId, { ...query, after });
      return toPage(rows, query.limit, toCompanyDto, (row) => [row.name, row.id]);
    },

    async getCompany(actor: Actor, companyId: string) {
      requirePermission(actor, 'lead:read');
      const row = await repo.findCompany(db, actor.workspaceId, companyId);
      if (!row) throw notFound('Company');
      return toCompanyDto(row);
    },

    async createCompany(actor: Actor, input: CreateCompanyInput) {
      requirePermission(actor, 'lead:create');
      const phone = await normalisePhone(actor, input.mainPhone);
      return db.transaction().execute(async (trx) => {
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
          },
          actor.userId || null,
          clock.now(),
        );
        const created = toCompanyDto(row);
        await recordAudit(trx, clock, actor, {
          action: 'company.created',
          entityType: 'company',
          entityId: row.id,
          after: auditView(created),
        });
        return created;
      });
    },

    async updateCompany(
      actor: Actor,
      companyId: string,
      input: UpdateCompanyInput,
      ifMatch?: number,
    ) {
      const phone = await normalisePhone(actor, input.mainPhone);
      return change(actor, companyId, ifMatch, 'company.updated', { ...input, ...phone });
    },

    archiveCompany(actor: Actor, companyId: string, ifMatch?: number) {
      return change(actor, companyId, ifMatch, 'company.archived', { archivedAt: clock.now() });
    },

    restoreCompany(actor: Actor, companyId: string, ifMatch?: number) {
      return change(actor, companyId, ifMatch, 'company.restored', { archivedAt: null });
    },
  };
}

export type CompaniesService = ReturnType<typeof createCompaniesService>;
