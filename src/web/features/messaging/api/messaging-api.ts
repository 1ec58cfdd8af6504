// The outbox, templates, drafts and the suppression list: queries and mutations over
// /api/outbox, /api/messages, /api/templates and /api/suppressions. Every change refreshes the
// lists that show it.
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  createMessageBodySchema,
  createSuppressionBodySchema,
  createTemplateBodySchema,
  messageSchema,
  previewSchema,
  suppressionSchema,
  templateSchema,
  templatesListSchema,
  updateTemplateBodySchema,
} from '../../../../server/modules/messaging/messaging.schemas';
import { api, apiRequest } from '../../../lib/api-client';
import type { Page } from '../../../lib/types';

export type Message = z.infer<typeof messageSchema>;
export type MessageStatus = Message['status'];
export type Template = z.infer<typeof templateSchema>;
export type TemplatesList = z.infer<typeof templatesListSchema>;
export type Preview = z.infer<typeof previewSchema>;
export type NewMessage = z.input<typeof createMessageBodySchema>;
export type NewTemplate = z.input<typeof createTemplateBodySchema>;
export type TemplateChanges = z.input<typeof updateTemplateBodySchema>;
export type Suppression = z.infer<typeof suppressionSchema>;
export type NewSuppression = z.output<typeof createSuppressionBodySchema>;

/** Outbox messages per page; "Load more" fetches the next page by cursor. */
export const OUTBOX_PAGE_SIZE = 50;
const SUPPRESSIONS_PAGE_SIZE = 50;

/** What a suppressed message's reason code means, for people. */
export const SUPPRESSION_REASONS: Record<string, string> = {
  no_contact: 'It has no contact to go to.',
  contact_archived: 'The contact is archived or their data was erased.',
  no_address: 'The contact has no address on this channel.',
  do_not_contact: 'The contact is marked “do not contact”.',
  suppressed_address: 'The address is on the suppression list (unsubscribed or blocked).',
  no_opt_in: 'The contact has not opted in to marketing on this channel.',
};

export function useOutbox(status: MessageStatus | 'all') {
  return useInfiniteQuery({
    queryKey: ['outbox', status],
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<Message>>(
        '/api/outbox',
        {
          status: status === 'all' ? undefined : status,
          limit: OUTBOX_PAGE_SIZE,
          cursor: pageParam,
        },
        signal,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useMessageActions() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['outbox'] });
  return {
    create: useMutation({
      mutationFn: (input: NewMessage) => api.post<Message>('/api/messages', input),
      onSuccess: refresh,
    }),
    update: useMutation({
      mutationFn: ({
        message,
        changes,
      }: {
        message: Message;
        changes: { subject?: string; body?: string };
      }) =>
        api.patch<Message>(`/api/messages/${message.id}`, changes, { ifMatch: message.version }),
      onSuccess: refresh,
    }),
    approve: useMutation({
      mutationFn: (message: Message) =>
        api.post<Message>(`/api/outbox/${message.id}/approve`, undefined, {
          ifMatch: message.version,
        }),
      onSuccess: refresh,
    }),
    reject: useMutation({
      mutationFn: ({ message, reason }: { message: Message; reason: string }) =>
        api.post<Message>(`/api/outbox/${message.id}/reject`, { reason }),
      onSuccess: refresh,
    }),
    retry: useMutation({
      mutationFn: (message: Message) => api.post<Message>(`/api/outbox/${message.id}/retry`),
      onSuccess: refresh,
    }),
  };
}

export function useTemplates(channel?: 'email' | 'sms') {
  return useQuery({
    queryKey: ['templates', channel ?? 'all'],
    queryFn: ({ signal }) => api.get<TemplatesList>('/api/templates', { channel }, signal),
  });
}

export function useTemplateActions() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['templates'] });
  return {
    create: useMutation({
      mutationFn: (input: NewTemplate) => api.post<Template>('/api/templates', input),
      onSuccess: refresh,
    }),
    update: useMutation({
      mutationFn: ({ template, changes }: { template: Template; changes: TemplateChanges }) =>
        api.patch<Template>(`/api/templates/${template.id}`, changes, {
          ifMatch: template.version,
        }),
      onSuccess: refresh,
    }),
    archive: useMutation({
      mutationFn: (template: Template) =>
        apiRequest<Template>('DELETE', `/api/templates/${template.id}`, {
          ifMatch: template.version,
        }),
      onSuccess: refresh,
    }),
  };
}

/** Renders text with a real lead (the editor's live preview). */
export function previewText(input: {
  leadId: string;
  channel: 'email' | 'sms';
  subject: string;
  body: string;
}) {
  return api.post<Preview>('/api/templates/preview', input);
}

export interface SuppressionFilters {
  channel?: Suppression['channel'];
  /** Part of an address. */
  q?: string;
}

const SUPPRESSIONS = ['suppressions'];

export function useSuppressions(filters: SuppressionFilters) {
  return useInfiniteQuery({
    queryKey: [...SUPPRESSIONS, filters],
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<Suppression>>(
        '/api/suppressions',
        { ...filters, limit: SUPPRESSIONS_PAGE_SIZE, cursor: pageParam },
        signal,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useSuppressionActions() {
  const queryClient = useQueryClient();
  // Adding an address opts matching contacts out, so contact pages refresh too.
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: SUPPRESSIONS }),
      queryClient.invalidateQueries({ queryKey: ['contact'] }),
    ]);
  return {
    add: useMutation({
      mutationFn: (input: NewSuppression) => api.post<Suppression>('/api/suppressions', input),
      onSuccess: refresh,
      // Field errors (422) and "already on the list" (409) show on the form, not as a toast.
      meta: { handledStatuses: [409, 422] },
    }),
    remove: useMutation({
      mutationFn: (suppression: Suppression) =>
        apiRequest<Suppression>('DELETE', `/api/suppressions/${suppression.id}`),
      onSuccess: () => queryClient.invalidateQueries({ queryKey: SUPPRESSIONS }),
    }),
  };
}
