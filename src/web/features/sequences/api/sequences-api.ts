// Sequences (drip / nurture): queries and changes for the Sequences page and the lead page.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  bulkEnrolResultSchema,
  createSequenceBodySchema,
  enrolmentSchema,
  sequenceSchema,
  sequenceStatsSchema,
  stepInputSchema,
  updateSequenceBodySchema,
} from '../../../../server/modules/sequences/sequences.schemas';
import { api } from '../../../lib/api-client';

export type Sequence = z.infer<typeof sequenceSchema>;
export type SequenceStep = Sequence['steps'][number];
export type StepInput = z.input<typeof stepInputSchema>;
export type Enrolment = z.infer<typeof enrolmentSchema>;
export type SequenceStats = z.infer<typeof sequenceStatsSchema>;
export type BulkEnrolResult = z.infer<typeof bulkEnrolResultSchema>;
export type CreateSequenceInput = z.input<typeof createSequenceBodySchema>;
export type UpdateSequenceInput = z.input<typeof updateSequenceBodySchema>;

const SEQUENCES_KEY = ['sequences'];
const ENROLMENTS_KEY = ['enrolments'];

export function useSequences(archived = false) {
  return useQuery({
    queryKey: [...SEQUENCES_KEY, { archived }],
    queryFn: () =>
      api.get<{ items: Sequence[] }>('/api/sequences', { archived }).then((page) => page.items),
  });
}

export function useSequence(sequenceId: string) {
  return useQuery({
    queryKey: [...SEQUENCES_KEY, sequenceId],
    queryFn: () => api.get<Sequence>(`/api/sequences/${sequenceId}`),
  });
}

export function useSequenceStats(sequenceId: string) {
  return useQuery({
    queryKey: [...SEQUENCES_KEY, sequenceId, 'stats'],
    queryFn: () => api.get<SequenceStats>(`/api/sequences/${sequenceId}/stats`),
  });
}

export function useSequenceEnrolments(sequenceId: string) {
  return useQuery({
    queryKey: [...ENROLMENTS_KEY, 'sequence', sequenceId],
    queryFn: () =>
      api
        .get<{ items: Enrolment[] }>(`/api/sequences/${sequenceId}/enrolments`)
        .then((page) => page.items),
  });
}

export function useLeadEnrolments(leadId: string) {
  return useQuery({
    queryKey: [...ENROLMENTS_KEY, 'lead', leadId],
    queryFn: () =>
      api.get<{ items: Enrolment[] }>(`/api/leads/${leadId}/enrolments`).then((page) => page.items),
  });
}

export function useSequenceActions() {
  const queryClient = useQueryClient();
  const refresh = async (sequence: Sequence) => {
    queryClient.setQueryData([...SEQUENCES_KEY, sequence.id], sequence);
    await queryClient.invalidateQueries({ queryKey: SEQUENCES_KEY });
    await queryClient.invalidateQueries({ queryKey: ENROLMENTS_KEY });
  };
  return {
    create: useMutation({
      mutationFn: (input: CreateSequenceInput) => api.post<Sequence>('/api/sequences', input),
      onSuccess: refresh,
    }),
    update: useMutation({
      mutationFn: ({ sequence, changes }: { sequence: Sequence; changes: UpdateSequenceInput }) =>
        api.patch<Sequence>(`/api/sequences/${sequence.id}`, changes, {
          ifMatch: sequence.version,
        }),
      onSuccess: refresh,
    }),
    archive: useMutation({
      mutationFn: (sequence: Sequence) =>
        api.post<Sequence>(`/api/sequences/${sequence.id}/archive`, undefined, {
          ifMatch: sequence.version,
        }),
      onSuccess: refresh,
    }),
  };
}

export function useEnrolmentActions() {
  const queryClient = useQueryClient();
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ENROLMENTS_KEY });
    await queryClient.invalidateQueries({ queryKey: SEQUENCES_KEY });
  };
  return {
    enrol: useMutation({
      mutationFn: ({ sequenceId, leadId }: { sequenceId: string; leadId: string }) =>
        api.post<Enrolment>(`/api/sequences/${sequenceId}/enrolments`, { leadId }),
      onSuccess: refresh,
    }),
    enrolMany: useMutation({
      mutationFn: ({ sequenceId, leadIds }: { sequenceId: string; leadIds: string[] }) =>
        api.post<BulkEnrolResult>(`/api/sequences/${sequenceId}/enrolments`, { leadIds }),
      onSuccess: refresh,
    }),
    change: useMutation({
      mutationFn: ({ id, action }: { id: string; action: 'pause' | 'resume' | 'stop' }) =>
        api.post<Enrolment>(`/api/sequence-enrolments/${id}/${action}`),
      onSuccess: refresh,
    }),
  };
}
