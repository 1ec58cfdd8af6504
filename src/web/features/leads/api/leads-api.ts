// Leads, their timeline and tasks: queries and the actions people take on them, the board's
// per-stage sums, bulk actions and the CSV export.
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type QueryClient,
} from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  bulkActionSchema,
  bulkResultSchema,
  leadListItemSchema,
  stageSummarySchema,
} from '../../../../server/modules/leads/leads.schemas';
import { api, ApiError } from '../../../lib/api-client';
import type { Activity, Contact, Lead, LeadDetail, Page, Task } from '../../../lib/types';

/** A lead as lists return it: the lead and its contact's name. */
export type LeadListItem = z.infer<typeof leadListItemSchema>;
export type StageSummary = z.infer<typeof stageSummarySchema>;
export type BulkAction = z.infer<typeof bulkActionSchema>;
export type BulkResult = z.infer<typeof bulkResultSchema>;

/** The list filters GET /api/leads takes (and the stage summary and the CSV export). */
export interface LeadFilters {
  q?: string;
  pipelineId?: string;
  stageId?: string;
  status?: string;
  assigneeId?: string;
  sourceId?: string;
  priority?: string;
  tag?: string;
  followUp?: string;
  staleDays?: string;
  minScore?: string;
  contactId?: string;
  companyId?: string;
  sort?: string;
  /** Custom-field filters, `<key>:<value>` each; all must match. */
  cf?: string[];
}

export const LEAD_PAGE_SIZE = 50;
/** The most leads one POST /api/leads/bulk takes (BULK_LIMIT on the server). */
export const BULK_CHUNK = 500;
/** Ids per export request: 200 uuids keep the URL far below the server's header limit. */
const EXPORT_IDS_CHUNK = 200;

/** The filters as a query string; `cf` repeats, once per custom-field filter. */
export function leadFilterParams(
  filters: LeadFilters,
  extra: Record<string, string | number | boolean | undefined> = {},
): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (key === 'cf' || typeof value !== 'string' || value === '') continue;
    params.set(key, value);
  }
  for (const condition of filters.cf ?? []) params.append('cf', condition);
  for (const [key, value] of Object.entries(extra)) {
    if (value !== undefined) params.set(key, String(value));
  }
  return params;
}

/** After any change to a lead, every view that shows leads is out of date. */
export async function invalidateLeadViews(queryClient: QueryClient, leadId?: string) {
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: ['leads'] }),
    queryClient.invalidateQueries({ queryKey: ['work'] }),
    queryClient.invalidateQueries({ queryKey: ['board'] }),
    ...(leadId ? [queryClient.invalidateQueries({ queryKey: ['lead', leadId] })] : []),
  ]);
}

export function fetchLeadsPage(
  filters: LeadFilters,
  page: { limit: number; cursor?: string | undefined; count?: boolean },
  signal?: AbortSignal,
): Promise<Page<LeadListItem>> {
  const params = leadFilterParams(filters, {
    limit: page.limit,
    cursor: page.cursor,
    count: page.count ? true : undefined,
  });
  return api.get<Page<LeadListItem>>(`/api/leads?${params.toString()}`, undefined, signal);
}

export function useLeadsList(filters: LeadFilters) {
  return useInfiniteQuery({
    queryKey: ['leads', 'list', filters],
    queryFn: ({ pageParam, signal }) =>
      // The total is counted once, with the first page.
      fetchLeadsPage(
        filters,
        { limit: LEAD_PAGE_SIZE, cursor: pageParam, count: pageParam === undefined },
        signal,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // Keep showing the current rows while a new filter loads, instead of a skeleton.
    placeholderData: keepPreviousData,
  });
}

/** Count, value and weighted value per stage of a pipeline, over ALL leads the filters match. */
export function useStageSummary(pipelineId: string, filters: LeadFilters) {
  return useQuery({
    queryKey: ['board', pipelineId, 'summary', filters],
    queryFn: ({ signal }) => {
      const { sort: _sort, ...rest } = filters;
      const params = leadFilterParams(rest, { pipelineId });
      return api.get<StageSummary>(
        `/api/leads/stage-summary?${params.toString()}`,
        undefined,
        signal,
      );
    },
    refetchInterval: 15_000,
    placeholderData: keepPreviousData,
  });
}

/**
 * One action on many leads. Each lead succeeds or fails on its own; more than BULK_CHUNK leads
 * go in several requests and their results are added up.
 */
export function useBulkLeadAction() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ leadIds, action }: { leadIds: string[]; action: BulkAction }) => {
      const result: BulkResult = { succeeded: [], failed: [] };
      for (let start = 0; start < leadIds.length; start += BULK_CHUNK) {
        const chunk = await api.post<BulkResult>('/api/leads/bulk', {
          leadIds: leadIds.slice(start, start + BULK_CHUNK),
          action,
        });
        result.succeeded.push(...chunk.succeeded);
        result.failed.push(...chunk.failed);
      }
      return result;
    },
    onSettled: () => invalidateLeadViews(queryClient),
  });
}

/**
 * The leads as CSV, from the server's export: the given ids (in requests of a few hundred,
 * joined under one header) or, without ids, every lead the filters match.
 */
export async function fetchLeadsCsv(filters: LeadFilters, ids?: string[]): Promise<string> {
  const chunks: string[][] = [];
  if (ids === undefined) chunks.push([]);
  else
    for (let at = 0; at < ids.length; at += EXPORT_IDS_CHUNK) {
      chunks.push(ids.slice(at, at + EXPORT_IDS_CHUNK));
    }
  const parts: string[] = [];
  for (const chunk of chunks) {
    const params = leadFilterParams(filters, chunk.length > 0 ? { ids: chunk.join(',') } : {});
    const response = await fetch(`/api/exports/leads.csv?${params.toString()}`, {
      credentials: 'same-origin',
      headers: { accept: 'text/csv' },
    });
    if (!response.ok) {
      throw new ApiError(
        response.status,
        null,
        response.status === 404
          ? 'The CSV export is not available on this server yet.'
          : `The export failed (the server answered ${response.status}).`,
      );
    }
    const text = await response.text();
    // Every part starts with the header row; keep only the first one.
    parts.push(parts.length === 0 ? text : text.slice(text.indexOf('\n') + 1));
  }
  return parts.map((part) => (part.endsWith('\n') || part === '' ? part : `${part}\n`)).join('');
}

export function useLead(id: string) {
  return useQuery({
    queryKey: ['lead', id],
    queryFn: () => api.get<LeadDetail>(`/api/leads/${id}`),
  });
}

/** GET /api/leads/:id/insights: the suggested next step and the best hour to call. */
export interface LeadInsights {
  nextAction: { kind: string; label: string; reason: string };
  bestTimeToCall: {
    hourOfWeek: number;
    label: string;
    basis: 'contact' | 'workspace' | 'business_hours';
    isNow: boolean;
  };
}

export function useLeadInsights(id: string) {
  return useQuery({
    // Under ['lead', id]: refetched whenever the lead or its activities change.
    queryKey: ['lead', id, 'insights'],
    queryFn: () => api.get<LeadInsights>(`/api/leads/${id}/insights`),
  });
}

export function useLeadActivities(id: string) {
  return useQuery({
    queryKey: ['lead', id, 'activities'],
    queryFn: () =>
      api.get<Page<Activity>>(`/api/leads/${id}/activities`, { limit: 100 }).then((p) => p.items),
  });
}

export function useLeadTasks(id: string) {
  return useQuery({
    queryKey: ['lead', id, 'tasks'],
    queryFn: () =>
      api
        .get<Page<Task>>(`/api/leads/${id}/tasks`, { status: 'open', limit: 100 })
        .then((p) => p.items),
  });
}

/** Other active contacts sharing this contact's first email or phone (likely duplicates). */
export function useContactDuplicates(contact: Contact | null) {
  const points = [contact?.emails[0]?.value, contact?.phones[0]?.e164].filter(
    (value): value is string => Boolean(value),
  );
  return useQuery({
    queryKey: ['contacts', 'duplicates-of', contact?.id, points],
    enabled: contact !== null && points.length > 0,
    queryFn: async () => {
      const pages = await Promise.all(
        points.map((q) => api.get<Page<Contact>>('/api/contacts', { q, limit: 5 })),
      );
      const others = new Map<string, Contact>();
      for (const found of pages.flatMap((page) => page.items)) {
        if (found.id !== contact?.id) others.set(found.id, found);
      }
      return [...others.values()];
    },
  });
}

export interface LogActivityInput {
  type: 'call' | 'email' | 'sms' | 'meeting' | 'note' | 'document_sent';
  /** One of ACTIVITY_OUTCOMES; calls from Today use CALL_OUTCOMES. */
  outcome?: string;
  body?: string;
  nextStep?: string;
  followUp?: { dueAt: string; title?: string };
}

export interface StageMoveInput {
  stageId: string;
  reason?: string;
  lostReasonId?: string;
  lostNotes?: string;
}

/** The actions on a lead; each refreshes the lists, Today, the board and the lead page. */
export function useLeadActions() {
  const queryClient = useQueryClient();
  const refresh = (leadId?: string) => invalidateLeadViews(queryClient, leadId);
  return {
    logActivity: useMutation({
      mutationFn: ({ leadId, input }: { leadId: string; input: LogActivityInput }) =>
        api.post<Activity>(`/api/leads/${leadId}/activities`, input),
      onSuccess: (_activity, { leadId }) => refresh(leadId),
    }),
    completeTask: useMutation({
      mutationFn: (task: Task) => api.post<Task>(`/api/tasks/${task.id}/complete`, {}),
      onSuccess: (task) => refresh(task.leadId ?? undefined),
    }),
    snoozeTask: useMutation({
      mutationFn: ({ task, dueAt }: { task: Task; dueAt: string }) =>
        api.patch<Task>(`/api/tasks/${task.id}`, { dueAt }, { ifMatch: task.version }),
      onSuccess: (task) => refresh(task.leadId ?? undefined),
    }),
    moveStage: useMutation({
      mutationFn: ({ leadId, input }: { leadId: string; input: StageMoveInput }) =>
        api.post<Lead>(`/api/leads/${leadId}/stage`, input),
      // The board and the lead page answer 422s (reason, lost reason) with a dialog.
      meta: { handledStatuses: [422] },
      onSuccess: (lead) => refresh(lead.id),
    }),
    convert: useMutation({
      mutationFn: (leadId: string) => api.post<Lead>(`/api/leads/${leadId}/convert`, {}),
      meta: { handledStatuses: [422] },
      onSuccess: (lead) => refresh(lead.id),
    }),
    update: useMutation({
      mutationFn: ({ lead, changes }: { lead: Lead; changes: Record<string, unknown> }) =>
        api.patch<Lead>(`/api/leads/${lead.id}`, changes, { ifMatch: lead.version }),
      onSuccess: (lead) => refresh(lead.id),
    }),
    assign: useMutation({
      mutationFn: ({ leadId, userId }: { leadId: string; userId: string | null }) =>
        api.post<Lead>(`/api/leads/${leadId}/assign`, { userId }),
      onSuccess: (lead) => refresh(lead.id),
    }),
    archive: useMutation({
      mutationFn: (leadId: string) => api.post<Lead>(`/api/leads/${leadId}/archive`, {}),
      onSuccess: (lead) => refresh(lead.id),
    }),
    restore: useMutation({
      mutationFn: (leadId: string) => api.post<Lead>(`/api/leads/${leadId}/restore`, {}),
      onSuccess: (lead) => refresh(lead.id),
    }),
    mergeContact: useMutation({
      mutationFn: ({ contactId, intoId }: { contactId: string; intoId: string }) =>
        api.post<Contact>(`/api/contacts/${contactId}/merge`, { intoId }),
      onSuccess: () => queryClient.invalidateQueries({ queryKey: ['contacts'] }),
    }),
  };
}
