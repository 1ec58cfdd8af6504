// Companies: the paged list, one company, and the changes people make to it.
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  companySchema,
  createCompanyBodySchema,
} from '../../../../server/modules/companies/companies.schemas';
import { api, apiRequest, type QueryValue } from '../../../lib/api-client';
import type { DuplicateWarning, Page } from '../../../lib/types';

export type Company = z.infer<typeof companySchema>;
export type CreateCompanyInput = z.input<typeof createCompanyBodySchema>;

export interface CompanyFilters {
  q?: string;
  status?: string;
  includeArchived?: string;
}

export function useCompaniesList(filters: CompanyFilters) {
  return useInfiniteQuery({
    queryKey: ['companies', 'list', filters],
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<Company>>(
        '/api/companies',
        { ...(filters as Record<string, QueryValue>), limit: 50, cursor: pageParam },
        signal,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useCompany(id: string | null) {
  return useQuery({
    queryKey: ['company', id],
    enabled: id !== null,
    queryFn: () => api.get<Company>(`/api/companies/${id}`),
  });
}

/** Companies matching a search, for pickers (the first few by name). */
export function useCompanyOptions(search: string) {
  return useQuery({
    queryKey: ['companies', 'options', search],
    queryFn: () =>
      api
        .get<Page<Company>>('/api/companies', { q: search || undefined, limit: 20 })
        .then((page) => page.items),
    placeholderData: keepPreviousData,
  });
}

/** The changes people make to a company; each refreshes the company and the lists. */
export function useCompanyActions() {
  const queryClient = useQueryClient();
  const saved = async (company: Company) => {
    queryClient.setQueryData(['company', company.id], company);
    await queryClient.invalidateQueries({ queryKey: ['companies'] });
    await queryClient.invalidateQueries({ queryKey: ['lead'] });
  };
  return {
    create: useMutation({
      mutationFn: (input: CreateCompanyInput) =>
        api.post<Company & { warnings: DuplicateWarning[] }>('/api/companies', input),
      onSuccess: ({ warnings: _warnings, ...company }) => saved(company),
    }),
    update: useMutation({
      mutationFn: ({ company, changes }: { company: Company; changes: Record<string, unknown> }) =>
        api.patch<Company>(`/api/companies/${company.id}`, changes, { ifMatch: company.version }),
      // A version conflict (412) gets its own message on the form.
      meta: { handledStatuses: [412] },
      onSuccess: saved,
    }),
    archive: useMutation({
      mutationFn: (company: Company) =>
        apiRequest<Company>('DELETE', `/api/companies/${company.id}`, { ifMatch: company.version }),
      onSuccess: saved,
    }),
    restore: useMutation({
      mutationFn: (company: Company) =>
        api.post<Company>(`/api/companies/${company.id}/restore`, {}, { ifMatch: company.version }),
      onSuccess: saved,
    }),
  };
}
