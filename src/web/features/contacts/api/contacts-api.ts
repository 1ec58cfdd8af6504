// Contacts: the paged list, one contact, its timeline and leads, and the changes people make.
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import type { z } from 'zod';
import type { createContactBodySchema } from '../../../../server/modules/contacts/contacts.schemas';
import { api, apiRequest, type QueryValue } from '../../../lib/api-client';
import type {
  Activity,
  Contact,
  CustomField,
  DuplicateWarning,
  Lead,
  Page,
} from '../../../lib/types';

export type CreateContactInput = z.input<typeof createContactBodySchema>;

export interface ContactFilters {
  q?: string;
  companyId?: string;
  lifecycleStage?: string;
  tag?: string;
  includeArchived?: string;
}

export const LIST_PAGE_SIZE = 50;
const REFERENCE_STALE_MS = 5 * 60_000;

export function useContactsList(filters: ContactFilters) {
  return useInfiniteQuery({
    queryKey: ['contacts', 'list', filters],
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<Contact>>(
        '/api/contacts',
        {
          ...(filters as Record<string, QueryValue>),
          limit: LIST_PAGE_SIZE,
          cursor: pageParam,
        },
        signal,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useContact(id: string) {
  return useQuery({
    queryKey: ['contact', id],
    queryFn: () => api.get<Contact>(`/api/contacts/${id}`),
  });
}

/** Contacts matching a search, for pickers (the first few by name). */
export function useContactOptions(search: string) {
  return useQuery({
    queryKey: ['contacts', 'options', search],
    queryFn: () =>
      api
        .get<Page<Contact>>('/api/contacts', { q: search || undefined, limit: 20 })
        .then((page) => page.items),
    placeholderData: keepPreviousData,
  });
}

/** The people of a company (active ones, by name). */
export function useCompanyContacts(companyId: string) {
  return useQuery({
    queryKey: ['contacts', 'of-company', companyId],
    queryFn: () =>
      api.get<Page<Contact>>('/api/contacts', { companyId, limit: 100 }).then((page) => page.items),
  });
}

export function useContactActivities(id: string) {
  return useQuery({
    queryKey: ['contact', id, 'activities'],
    queryFn: () =>
      api
        .get<Page<Activity>>(`/api/contacts/${id}/activities`, { limit: 100 })
        .then((page) => page.items),
  });
}

/** The activities of several contacts (a company's people), newest first, without repeats. */
export function useContactsActivities(contactIds: string[]) {
  return useQuery({
    queryKey: ['contacts', 'activities-of', contactIds],
    enabled: contactIds.length > 0,
    queryFn: async () => {
      const pages = await Promise.all(
        contactIds.map((id) =>
          api.get<Page<Activity>>(`/api/contacts/${id}/activities`, { limit: 20 }),
        ),
      );
      const byId = new Map(pages.flatMap((page) => page.items).map((a) => [a.id, a]));
      return [...byId.values()].sort((a, b) => b.occurredAt.localeCompare(a.occurredAt));
    },
  });
}

export type RecordLink = { contactId: string } | { companyId: string };

/** The leads of a contact or a company, a page at a time. */
export function useRecordLeads(link: RecordLink) {
  return useInfiniteQuery({
    queryKey: ['leads', 'of-record', link],
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<Lead>>(
        '/api/leads',
        { ...link, includeArchived: true, limit: 25, cursor: pageParam },
        signal,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    retry: false,
  });
}

export function useCustomFields(recordType: 'contact' | 'company') {
  return useQuery({
    queryKey: ['custom-fields', recordType],
    queryFn: () =>
      api.get<Page<CustomField>>('/api/custom-fields', { recordType }).then((page) => page.items),
    staleTime: REFERENCE_STALE_MS,
  });
}

export interface NoteInput {
  type: 'call' | 'email' | 'sms' | 'meeting' | 'note' | 'document_sent';
  body: string;
}

/** The changes people make to a contact; each refreshes the contact and the lists. */
export function useContactActions() {
  const queryClient = useQueryClient();
  const saved = async (contact: Contact) => {
    queryClient.setQueryData(['contact', contact.id], contact);
    await queryClient.invalidateQueries({ queryKey: ['contacts'] });
    // The lead page shows its contact.
    await queryClient.invalidateQueries({ queryKey: ['lead'] });
  };
  return {
    create: useMutation({
      mutationFn: (input: CreateContactInput) =>
        api.post<Contact & { warnings: DuplicateWarning[] }>('/api/contacts', input),
      // The form shows a duplicate's candidates itself.
      meta: { handledStatuses: [409] },
      onSuccess: ({ warnings: _warnings, ...contact }) => saved(contact),
    }),
    update: useMutation({
      mutationFn: ({ contact, changes }: { contact: Contact; changes: Record<string, unknown> }) =>
        api.patch<Contact>(`/api/contacts/${contact.id}`, changes, { ifMatch: contact.version }),
      // A duplicate (409) and a version conflict (412) get their own message on the form.
      meta: { handledStatuses: [409, 412] },
      onSuccess: saved,
    }),
    archive: useMutation({
      mutationFn: (contact: Contact) =>
        apiRequest<Contact>('DELETE', `/api/contacts/${contact.id}`, { ifMatch: contact.version }),
      onSuccess: saved,
    }),
    restore: useMutation({
      mutationFn: (contact: Contact) =>
        api.post<Contact>(`/api/contacts/${contact.id}/restore`, {}, { ifMatch: contact.version }),
      onSuccess: saved,
    }),
    logActivity: useMutation({
      mutationFn: ({ contactId, input }: { contactId: string; input: NoteInput }) =>
        api.post<Activity>(`/api/contacts/${contactId}/activities`, input),
      onSuccess: async (activity) => {
        if (activity.contactId) {
          await queryClient.invalidateQueries({
            queryKey: ['contact', activity.contactId, 'activities'],
          });
        }
        await queryClient.invalidateQueries({ queryKey: ['contacts', 'activities-of'] });
      },
    }),
  };
}
