// Saved views of the leads list: a member's own and the workspace's shared ones.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  createSavedViewBodySchema,
  savedViewSchema,
} from '../../../../server/modules/saved-views/saved-views.schemas';
import { api, apiRequest } from '../../../lib/api-client';
import type { Page } from '../../../lib/types';

const SAVED_VIEWS_KEY = ['saved-views'] as const;

export type SavedView = z.infer<typeof savedViewSchema>;
/** GET /api/leads's query (without paging and sort): `cf` is a list, the rest strings. */
export type ViewFilters = SavedView['filters'];
export type SavedViewInput = z.input<typeof createSavedViewBodySchema>;

export function useSavedViews() {
  return useQuery({
    queryKey: SAVED_VIEWS_KEY,
    queryFn: () => api.get<Page<SavedView>>('/api/saved-views').then((page) => page.items),
  });
}

export function useSavedViewActions() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: SAVED_VIEWS_KEY });
  // Show the changed view at once (its columns drive the table), then refetch the list.
  const put = (view: SavedView) =>
    queryClient.setQueryData<SavedView[]>(SAVED_VIEWS_KEY, (views) =>
      views?.some((v) => v.id === view.id)
        ? views.map((v) => (v.id === view.id ? view : v))
        : [...(views ?? []), view],
    );
  return {
    create: useMutation({
      mutationFn: (input: SavedViewInput) => api.post<SavedView>('/api/saved-views', input),
      onSuccess: async (view) => {
        put(view);
        await refresh();
      },
    }),
    update: useMutation({
      mutationFn: ({ view, changes }: { view: SavedView; changes: Partial<SavedViewInput> }) =>
        api.patch<SavedView>(`/api/saved-views/${view.id}`, changes, { ifMatch: view.version }),
      onSuccess: async (view) => {
        put(view);
        await refresh();
      },
      // A stale version or a refused change: reload what the server has.
      onError: () => refresh(),
    }),
    remove: useMutation({
      mutationFn: (view: SavedView) =>
        apiRequest<void>('DELETE', `/api/saved-views/${view.id}`, { ifMatch: view.version }),
      onSuccess: async (_nothing, view) => {
        queryClient.setQueryData<SavedView[]>(SAVED_VIEWS_KEY, (views) =>
          views?.filter((v) => v.id !== view.id),
        );
        await refresh();
      },
    }),
  };
}
