// Leads, their timeline and tasks: queries and the actions people take on them.
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type QueryClient,
} from '@tanstack/react-query';
import { api, type QueryValue } from '../../../lib/api-client';
import type { Activity, Contact, Lead, LeadDetail, Page, Task } from '../../../lib/types';

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
  sort?: string;
}

export const LEAD_PAGE_SIZE = 50;

/** After any change to a lead, every view that shows leads is out of date. */
export async function invalidateLeadViews(queryClient: QueryClient, leadId?: string) {
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: ['leads'] }),
    queryClient.invalidateQueries({ queryKey: ['work'] }),
    queryClient.invalidateQueries({ queryKey: ['board'] }),
    ...(leadId ? [queryClient.invalidateQueries({ queryKey: ['lead', leadId] })] : []),
  ]);
}

export function useLeadsList(filters: LeadFilters) {
  return useInfiniteQuery({
    queryKey: ['leads', 'list', filters],
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<Lead>>(
        '/api/leads',
        {
          ...(filters as Record<string, QueryValue>),
          limit: LEAD_PAGE_SIZE,
          cursor: pageParam,
          // The total is counted once, with the first page.
          count: pageParam === undefined ? true : undefined,
        },
        signal,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // Keep showing the current rows while a new filter loads, instead of a skeleton.
    placeholderData: keepPreviousData,
  });
}

export function useLead(id: string) {
  return useQuery({
    queryKey: ['lead', id],
    queryFn: () => api.get<LeadDetail>(`/api/leads/${id}`),
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
