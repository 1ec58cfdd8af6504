// The workspace's configuration: queries and changes for every settings section. Each change
// refreshes the reference data other pages read (pipelines, sources, lost reasons, members,
// custom fields) and, for the workspace itself, the session (locale, currency, time zone).
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  apiTokenSchema,
  createApiTokenBodySchema,
  createdApiTokenSchema,
} from '../../../server/modules/api-tokens/api-tokens.schemas';
import type {
  createCustomFieldBodySchema,
  updateCustomFieldBodySchema,
} from '../../../server/modules/custom-fields/custom-fields.schemas';
import type {
  createLeadSourceBodySchema,
  updateLeadSourceBodySchema,
} from '../../../server/modules/lead-sources/lead-sources.schemas';
import type { updateLostReasonBodySchema } from '../../../server/modules/lost-reasons/lost-reasons.schemas';
import type {
  createPipelineBodySchema,
  stageInputSchema,
  updatePipelineBodySchema,
  updateStageBodySchema,
} from '../../../server/modules/pipelines/pipelines.schemas';
import type { PresetKey } from '../../../server/modules/presets/presets.data';
import type {
  createUserBodySchema,
  createUserResponseSchema,
  updateUserBodySchema,
} from '../../../server/modules/users/users.schemas';
import type {
  updateWorkspaceBodySchema,
  workspaceSchema,
} from '../../../server/modules/workspaces/workspaces.schemas';
import { ME_QUERY_KEY } from '../../app/session';
import { api, apiRequest } from '../../lib/api-client';
import type {
  CustomField,
  LeadSource,
  LostReason,
  Member,
  Page,
  Pipeline,
  Stage,
} from '../../lib/types';

export type Workspace = z.infer<typeof workspaceSchema>;
export type ApiToken = z.infer<typeof apiTokenSchema>;
export type CreatedApiToken = z.infer<typeof createdApiTokenSchema>;
export type CreateUserResult = z.infer<typeof createUserResponseSchema>;
export type RecordType = CustomField['recordType'];

/** GET /api/presets (its schema is written inline in the route). */
export interface PresetSummary {
  key: PresetKey;
  label: string;
  description: string;
  pipelines: { name: string; stages: string[] }[];
}

export interface PresetApplied {
  preset: PresetKey;
  added: { pipelines: number; sources: number; lostReasons: number; customFields: number };
}

const SETTINGS_STALE_MS = 30_000;

// ── Workspace ────────────────────────────────────────────────────────────────

export function useWorkspace(id: string) {
  return useQuery({
    queryKey: ['workspace', id],
    queryFn: () => api.get<Workspace>(`/api/workspaces/${id}`),
  });
}

export function useUpdateWorkspace() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({
      workspace,
      changes,
    }: {
      workspace: Workspace;
      changes: z.input<typeof updateWorkspaceBodySchema>;
    }) =>
      api.patch<Workspace>(`/api/workspaces/${workspace.id}`, changes, {
        ifMatch: workspace.version,
      }),
    onSuccess: async (workspace) => {
      queryClient.setQueryData(['workspace', workspace.id], workspace);
      // The session carries the locale, currency and time zone every page formats with.
      await queryClient.invalidateQueries({ queryKey: ME_QUERY_KEY });
    },
  });
}

// ── Pipelines and stages ─────────────────────────────────────────────────────

/** A pipeline answer replaces that pipeline in the cached list at once, then the list reloads. */
async function refreshPipelines(queryClient: QueryClient, pipeline?: Pipeline) {
  if (pipeline) {
    queryClient.setQueryData<Pipeline[]>(['pipelines'], (list) =>
      list?.map((p) => (p.id === pipeline.id ? pipeline : p)),
    );
  }
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: ['pipelines'] }),
    // Board columns and lead lists show stage names, colours and order.
    queryClient.invalidateQueries({ queryKey: ['board'] }),
  ]);
}

export type StageInput = z.input<typeof stageInputSchema>;

const REORDER_KEY = ['pipelines', 'reorder-stages'];

export function usePipelineActions() {
  const queryClient = useQueryClient();
  const refresh = (pipeline?: Pipeline) => refreshPipelines(queryClient, pipeline);
  return {
    create: useMutation({
      mutationFn: (input: z.input<typeof createPipelineBodySchema>) =>
        api.post<Pipeline>('/api/pipelines', input),
      onSuccess: async () => {
        // Making a pipeline the default changes the others too.
        await refresh();
      },
    }),
    update: useMutation({
      mutationFn: ({
        pipeline,
        changes,
      }: {
        pipeline: Pipeline;
        changes: z.input<typeof updatePipelineBodySchema>;
      }) =>
        api.patch<Pipeline>(`/api/pipelines/${pipeline.id}`, changes, {
          ifMatch: pipeline.version,
        }),
      onSuccess: (pipeline) => refresh(pipeline),
    }),
    archive: useMutation({
      mutationFn: (pipeline: Pipeline) =>
        apiRequest<Pipeline>('DELETE', `/api/pipelines/${pipeline.id}`, {
          ifMatch: pipeline.version,
        }),
      onSuccess: () => refresh(),
    }),
    addStage: useMutation({
      mutationFn: ({ pipeline, input }: { pipeline: Pipeline; input: StageInput }) =>
        api.post<Pipeline>(`/api/pipelines/${pipeline.id}/stages`, input, {
          ifMatch: pipeline.version,
        }),
      onSuccess: (pipeline) => refresh(pipeline),
    }),
    updateStage: useMutation({
      mutationFn: ({
        pipeline,
        stage,
        changes,
      }: {
        pipeline: Pipeline;
        stage: Stage;
        changes: z.input<typeof updateStageBodySchema>;
      }) =>
        api.patch<Pipeline>(`/api/pipelines/${pipeline.id}/stages/${stage.id}`, changes, {
          ifMatch: pipeline.version,
        }),
      onSuccess: (pipeline) => refresh(pipeline),
    }),
    removeStage: useMutation({
      mutationFn: ({ pipeline, stage }: { pipeline: Pipeline; stage: Stage }) =>
        apiRequest<Pipeline>('DELETE', `/api/pipelines/${pipeline.id}/stages/${stage.id}`, {
          ifMatch: pipeline.version,
        }),
      // The dialog shows why a stage with leads stays.
      meta: { handledStatuses: [409] },
      onSuccess: (pipeline) => refresh(pipeline),
    }),
    reorderStages: useMutation({
      // Moves run one after another, each with the version the one before it left.
      mutationKey: REORDER_KEY,
      scope: { id: 'reorder-stages' },
      mutationFn: ({ pipeline, stageIds }: { pipeline: Pipeline; stageIds: string[] }) => {
        const latest = queryClient
          .getQueryData<Pipeline[]>(['pipelines'])
          ?.find((p) => p.id === pipeline.id);
        return api.put<Pipeline>(
          `/api/pipelines/${pipeline.id}/stages/reorder`,
          { stageIds },
          { ifMatch: latest?.version ?? pipeline.version },
        );
      },
      // Shows the new order at once; a refusal puts the old one back.
      onMutate: async ({ pipeline, stageIds }) => {
        await queryClient.cancelQueries({ queryKey: ['pipelines'] });
        const before = queryClient.getQueryData<Pipeline[]>(['pipelines']);
        const byId = new Map(pipeline.stages.map((stage) => [stage.id, stage]));
        const stages = stageIds
          .map((id, position) => {
            const stage = byId.get(id);
            return stage && { ...stage, position };
          })
          .filter((stage): stage is Stage => stage !== undefined);
        queryClient.setQueryData<Pipeline[]>(['pipelines'], (list) =>
          list?.map((p) => (p.id === pipeline.id ? { ...p, stages } : p)),
        );
        return { before };
      },
      onError: (_error, _input, context) => {
        if (context?.before) queryClient.setQueryData(['pipelines'], context.before);
      },
      onSuccess: async (pipeline) => {
        if (queryClient.isMutating({ mutationKey: REORDER_KEY }) > 1) {
          // A later move is waiting: keep its order on screen, take only the new version.
          queryClient.setQueryData<Pipeline[]>(['pipelines'], (list) =>
            list?.map((p) => (p.id === pipeline.id ? { ...p, version: pipeline.version } : p)),
          );
          return;
        }
        await refresh(pipeline);
      },
    }),
  };
}

/** `ids` with the item at `from` moved to `to`. */
export function moveItem<T>(items: readonly T[], from: number, to: number): T[] {
  const next = [...items];
  const [moved] = next.splice(from, 1);
  if (moved === undefined) return next;
  next.splice(Math.max(0, Math.min(to, next.length)), 0, moved);
  return next;
}

// ── Lead sources ─────────────────────────────────────────────────────────────

export function useAllLeadSources() {
  return useQuery({
    queryKey: ['lead-sources', 'all'],
    queryFn: () => api.get<Page<LeadSource>>('/api/lead-sources').then((page) => page.items),
    staleTime: SETTINGS_STALE_MS,
  });
}

export function useLeadSourceActions() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['lead-sources'] });
  return {
    create: useMutation({
      mutationFn: (input: z.input<typeof createLeadSourceBodySchema>) =>
        api.post<LeadSource>('/api/lead-sources', input),
      onSuccess: refresh,
    }),
    update: useMutation({
      mutationFn: ({
        source,
        changes,
      }: {
        source: LeadSource;
        changes: z.input<typeof updateLeadSourceBodySchema>;
      }) =>
        api.patch<LeadSource>(`/api/lead-sources/${source.id}`, changes, {
          ifMatch: source.version,
        }),
      onSuccess: refresh,
    }),
  };
}

// ── Lost reasons ─────────────────────────────────────────────────────────────

export function useAllLostReasons() {
  return useQuery({
    queryKey: ['lost-reasons', 'all'],
    queryFn: () => api.get<Page<LostReason>>('/api/lost-reasons').then((page) => page.items),
    staleTime: SETTINGS_STALE_MS,
  });
}

export function useLostReasonActions() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['lost-reasons'] });
  const patch = (reason: LostReason, changes: z.input<typeof updateLostReasonBodySchema>) =>
    api.patch<LostReason>(`/api/lost-reasons/${reason.id}`, changes, {
      ifMatch: reason.version,
    });
  return {
    create: useMutation({
      mutationFn: (name: string) => api.post<LostReason>('/api/lost-reasons', { name }),
      onSuccess: refresh,
    }),
    update: useMutation({
      mutationFn: ({
        reason,
        changes,
      }: {
        reason: LostReason;
        changes: z.input<typeof updateLostReasonBodySchema>;
      }) => patch(reason, changes),
      onSuccess: refresh,
    }),
    /** Writes positions 0…n-1 for the list in its new order (only those that change). */
    reorder: useMutation({
      mutationFn: async (ordered: LostReason[]) => {
        for (const [position, reason] of ordered.entries()) {
          if (reason.position !== position) await patch(reason, { position });
        }
      },
      onSettled: refresh,
    }),
  };
}

// ── Custom fields ────────────────────────────────────────────────────────────

export function useAllCustomFields(recordType: RecordType) {
  return useQuery({
    queryKey: ['custom-fields', 'all', recordType],
    queryFn: () =>
      api
        .get<Page<CustomField>>('/api/custom-fields', { recordType, includeArchived: true })
        .then((page) => page.items),
    staleTime: SETTINGS_STALE_MS,
  });
}

export function useCustomFieldActions() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['custom-fields'] });
  return {
    create: useMutation({
      mutationFn: (input: z.input<typeof createCustomFieldBodySchema>) =>
        api.post<CustomField>('/api/custom-fields', input),
      onSuccess: refresh,
    }),
    update: useMutation({
      mutationFn: ({
        field,
        changes,
      }: {
        field: CustomField;
        changes: z.input<typeof updateCustomFieldBodySchema>;
      }) =>
        api.patch<CustomField>(`/api/custom-fields/${field.id}`, changes, {
          ifMatch: field.version,
        }),
      onSuccess: refresh,
    }),
    archive: useMutation({
      mutationFn: (field: CustomField) =>
        api.post<CustomField>(
          `/api/custom-fields/${field.id}/archive`,
          {},
          {
            ifMatch: field.version,
          },
        ),
      onSuccess: refresh,
    }),
    restore: useMutation({
      mutationFn: (field: CustomField) =>
        api.post<CustomField>(
          `/api/custom-fields/${field.id}/restore`,
          {},
          {
            ifMatch: field.version,
          },
        ),
      onSuccess: refresh,
    }),
  };
}

// ── Users ────────────────────────────────────────────────────────────────────

/** Every member, active or not (a workspace's people fit in a few pages). */
export function useAllMembers() {
  return useQuery({
    queryKey: ['members', 'all'],
    queryFn: async () => {
      const members: Member[] = [];
      let cursor: string | undefined;
      do {
        const page = await api.get<Page<Member>>('/api/users', { limit: 200, cursor });
        members.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return members;
    },
    staleTime: SETTINGS_STALE_MS,
  });
}

export function useMemberActions() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['members'] });
  return {
    create: useMutation({
      mutationFn: (input: z.input<typeof createUserBodySchema>) =>
        api.post<CreateUserResult>('/api/users', input),
      onSuccess: refresh,
    }),
    update: useMutation({
      mutationFn: ({
        member,
        changes,
      }: {
        member: Member;
        changes: z.input<typeof updateUserBodySchema>;
      }) => api.patch<Member>(`/api/users/${member.id}`, changes, { ifMatch: member.version }),
      onSuccess: () =>
        Promise.all([
          refresh(),
          // A changed role may be the signed-in person's own; a deactivated member's tokens stop.
          queryClient.invalidateQueries({ queryKey: ME_QUERY_KEY }),
          queryClient.invalidateQueries({ queryKey: ['api-tokens'] }),
        ]),
    }),
  };
}

// ── API tokens ───────────────────────────────────────────────────────────────

export function useApiTokens() {
  return useQuery({
    queryKey: ['api-tokens'],
    queryFn: () => api.get<Page<ApiToken>>('/api/api-tokens').then((page) => page.items),
  });
}

export function useApiTokenActions() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['api-tokens'] });
  return {
    create: useMutation({
      mutationFn: (input: z.input<typeof createApiTokenBodySchema>) =>
        api.post<CreatedApiToken>('/api/api-tokens', input),
      onSuccess: refresh,
    }),
    revoke: useMutation({
      mutationFn: (token: ApiToken) =>
        apiRequest<undefined>('DELETE', `/api/api-tokens/${token.id}`),
      onSuccess: refresh,
    }),
  };
}

// ── Presets ──────────────────────────────────────────────────────────────────

export function usePresets() {
  return useQuery({
    queryKey: ['presets'],
    queryFn: () => api.get<Page<PresetSummary>>('/api/presets').then((page) => page.items),
    staleTime: 60 * 60_000,
  });
}

export function useApplyPreset() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (key: PresetKey) => api.post<PresetApplied>(`/api/presets/${key}/apply`, {}),
    onSuccess: () =>
      Promise.all(
        ['pipelines', 'lead-sources', 'lost-reasons', 'custom-fields', 'board'].map((key) =>
          queryClient.invalidateQueries({ queryKey: [key] }),
        ),
      ),
  });
}
