// Scoring: the workspace's rules and the predictive model's status (GET/PUT /api/scoring/rules,
// GET /api/scoring/model, POST /api/scoring/model/train).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  scoringModelSchema,
  scoringRulesBodySchema,
  scoringRulesSchema,
} from '../../../server/modules/scoring/scoring.schemas';
import { api } from '../../lib/api-client';

export type ScoringRules = z.infer<typeof scoringRulesSchema>;
export type ScoringRulesInput = z.input<typeof scoringRulesBodySchema>;
export type ScoringModel = z.infer<typeof scoringModelSchema>;
export type FieldRule = ScoringRules['fieldRules'][number];
export type EngagementRule = ScoringRules['engagementRules'][number];

const RULES_KEY = ['scoring', 'rules'];
const MODEL_KEY = ['scoring', 'model'];

export function useScoringRules() {
  return useQuery({
    queryKey: RULES_KEY,
    queryFn: () => api.get<ScoringRules>('/api/scoring/rules'),
  });
}

export function useSaveScoringRules() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ rules, version }: { rules: ScoringRulesInput; version: number }) =>
      api.put<ScoringRules>('/api/scoring/rules', rules, { ifMatch: version }),
    onSuccess: (saved) => {
      queryClient.setQueryData(RULES_KEY, saved);
      // Leads are rescored in the background; lists refetch as they are visited.
      void queryClient.invalidateQueries({ queryKey: ['leads'] });
    },
  });
}

export function useScoringModel() {
  return useQuery({
    queryKey: MODEL_KEY,
    queryFn: () => api.get<ScoringModel>('/api/scoring/model'),
    // While training, look again every few seconds.
    refetchInterval: (query) => (query.state.data?.status === 'training' ? 3000 : false),
  });
}

export function useTrainModel() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<ScoringModel>('/api/scoring/model/train'),
    onSuccess: (model) => queryClient.setQueryData(MODEL_KEY, model),
  });
}
