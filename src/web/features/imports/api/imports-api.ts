// CSV imports: the upload (multipart, with the session's CSRF token), the preview, an import's
// progress polled while it runs, cancel and undo, and the list of past imports.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  importPreviewSchema,
  importSchema,
  savedMappingSchema,
  undoResultSchema,
} from '../../../../server/modules/imports/imports.schemas';
import { useSession } from '../../../app/session';
import { api, ApiError } from '../../../lib/api-client';
import { parseProblem } from '../../../lib/problem';

export type Import = z.infer<typeof importSchema>;
export type ImportPreview = z.infer<typeof importPreviewSchema>;
export type UndoResult = z.infer<typeof undoResultSchema>;
export type SavedMapping = z.infer<typeof savedMappingSchema>;
export type ImportEntity = Import['entity'];
export type DuplicatePolicy = Import['duplicatePolicy'];

const IMPORTS_KEY = ['imports'];
/** The preview reads the first megabyte only; the rest of a big file is not sent. */
const PREVIEW_BYTES = 1024 * 1024;
const POLL_MS = 1000;

/** POST of a multipart form; problem+json answers become ApiError as with api.post. */
async function postForm<T>(path: string, form: FormData, csrfToken: string | null): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      body: form,
      credentials: 'same-origin',
      headers: { accept: 'application/json', ...(csrfToken ? { 'x-csrf-token': csrfToken } : {}) },
    });
  } catch {
    throw new ApiError(0, null, 'Cannot reach the server. Check your connection and try again.');
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (response.ok) return body as T;
  const problem = parseProblem(body, response.status);
  throw new ApiError(
    response.status,
    problem,
    problem?.detail || problem?.title || `The server answered ${response.status}.`,
  );
}

export interface StartImportInput {
  file: File;
  entity: ImportEntity;
  mapping: Record<string, string>;
  duplicatePolicy: DuplicatePolicy;
  dryRun: boolean;
  allOrNothing: boolean;
  createFields: boolean;
}

export function useImportActions() {
  const { me } = useSession();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: IMPORTS_KEY });
  return {
    preview: useMutation({
      mutationFn: ({ file, entity }: { file: File; entity: ImportEntity }) => {
        const form = new FormData();
        form.set('entity', entity);
        form.set('file', file.slice(0, PREVIEW_BYTES), file.name);
        return postForm<ImportPreview>('/api/imports/preview', form, me.csrfToken);
      },
    }),
    start: useMutation({
      mutationFn: (input: StartImportInput) => {
        const form = new FormData();
        form.set('entity', input.entity);
        form.set('mapping', JSON.stringify(input.mapping));
        form.set('duplicatePolicy', input.duplicatePolicy);
        form.set('dryRun', String(input.dryRun));
        form.set('allOrNothing', String(input.allOrNothing));
        form.set('createFields', String(input.createFields));
        // The file goes last: the server reads the settings before the rows.
        form.set('file', input.file, input.file.name);
        return postForm<{ id: string }>('/api/imports', form, me.csrfToken);
      },
      onSuccess: refresh,
    }),
    cancel: useMutation({
      mutationFn: (id: string) => api.post<Import>(`/api/imports/${id}/cancel`),
      onSuccess: refresh,
    }),
    undo: useMutation({
      mutationFn: (id: string) => api.post<UndoResult>(`/api/imports/${id}/undo`),
      onSuccess: async () => {
        await refresh();
        await queryClient.invalidateQueries({ queryKey: ['leads'] });
      },
    }),
  };
}

export const isActive = (status: Import['status']) => status === 'queued' || status === 'running';

/** One import, polled every second while it is queued or running. */
export function useImport(id: string | null) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: [...IMPORTS_KEY, id],
    enabled: id !== null,
    queryFn: async () => {
      const state = await api.get<Import>(`/api/imports/${id}`);
      // The list and the leads change when an import ends.
      if (!isActive(state.status)) {
        void queryClient.invalidateQueries({ queryKey: IMPORTS_KEY, exact: true });
        void queryClient.invalidateQueries({ queryKey: ['leads'] });
      }
      return state;
    },
    refetchInterval: (query) =>
      query.state.data && !isActive(query.state.data.status) ? false : POLL_MS,
  });
}

export function useImports() {
  return useQuery({
    queryKey: IMPORTS_KEY,
    queryFn: () => api.get<{ items: Import[] }>('/api/imports', { limit: 20 }).then((p) => p.items),
  });
}

const MAPPINGS_KEY = ['import-mappings'];

export function useSavedMappings() {
  return useQuery({
    queryKey: MAPPINGS_KEY,
    queryFn: () =>
      api.get<{ items: SavedMapping[] }>('/api/import-mappings').then((page) => page.items),
  });
}

export function useSaveMapping() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { entity: ImportEntity; name: string; mapping: Record<string, string> }) =>
      api.post<SavedMapping>('/api/import-mappings', {
        entity: input.entity,
        name: input.name,
        mapping: Object.entries(input.mapping).map(([header, target]) => ({ header, target })),
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: MAPPINGS_KEY }),
  });
}
