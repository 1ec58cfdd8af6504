// Workspace data most pages need (pipelines, sources, lost reasons, people), cached for a while.
import { useQuery } from '@tanstack/react-query';
import { api } from '../lib/api-client';
import type { CustomField, LeadSource, LostReason, Member, Page, Pipeline } from '../lib/types';

const REFERENCE_STALE_MS = 5 * 60_000;

export function usePipelines() {
  return useQuery({
    queryKey: ['pipelines'],
    queryFn: () => api.get<Page<Pipeline>>('/api/pipelines').then((page) => page.items),
    staleTime: REFERENCE_STALE_MS,
  });
}

export function useLeadSources() {
  return useQuery({
    queryKey: ['lead-sources'],
    queryFn: () =>
      api.get<Page<LeadSource>>('/api/lead-sources', { active: true }).then((page) => page.items),
    staleTime: REFERENCE_STALE_MS,
  });
}

export function useLostReasons() {
  return useQuery({
    queryKey: ['lost-reasons'],
    queryFn: () =>
      api.get<Page<LostReason>>('/api/lost-reasons', { active: true }).then((page) => page.items),
    staleTime: REFERENCE_STALE_MS,
  });
}

export function useMembers() {
  return useQuery({
    queryKey: ['members'],
    queryFn: () =>
      api.get<Page<Member>>('/api/users', { active: true, limit: 200 }).then((page) => page.items),
    staleTime: REFERENCE_STALE_MS,
  });
}

/** Stage by id across all pipelines, for lists that show leads of several pipelines. */
export function stageIndex(pipelines: Pipeline[] | undefined) {
  const stages = new Map<string, { name: string; color: string; pipelineName: string }>();
  for (const pipeline of pipelines ?? []) {
    for (const stage of pipeline.stages) {
      stages.set(stage.id, { name: stage.name, color: stage.color, pipelineName: pipeline.name });
    }
  }
  return stages;
}

export function useLeadCustomFields() {
  return useQuery({
    queryKey: ['custom-fields', 'lead'],
    queryFn: () =>
      api
        .get<Page<CustomField>>('/api/custom-fields', { recordType: 'lead' })
        .then((page) => page.items),
    staleTime: REFERENCE_STALE_MS,
  });
}
