// The board's cards: a page of leads per stage column, more on request, refreshed every 15 s
// so moves made by others show up. The column sums come from the stage summary (all leads).
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { fetchLeadsPage, type LeadFilters } from '../../leads/api/leads-api';

/** Cards a column loads at a time: a pipeline of thousands of leads stays quick to open. */
export const CARDS_PAGE_SIZE = 25;
export const BOARD_REFRESH_MS = 15_000;

/** The board's filters, kept in the URL next to the pipeline. */
export const BOARD_FILTER_KEYS = ['q', 'assigneeId', 'sourceId', 'priority', 'tag'] as const;
export type BoardFilterKey = (typeof BOARD_FILTER_KEYS)[number];
export type BoardFilters = Partial<Record<BoardFilterKey, string>>;

export function boardFiltersOf(params: URLSearchParams): BoardFilters {
  const filters: BoardFilters = {};
  for (const key of BOARD_FILTER_KEYS) {
    const value = params.get(key);
    if (value) filters[key] = value;
  }
  return filters;
}

export function useStageCards(pipelineId: string, stageId: string, filters: BoardFilters) {
  const query: LeadFilters = { ...filters, pipelineId, stageId, sort: 'daysInStage' };
  return useInfiniteQuery({
    queryKey: ['board', pipelineId, stageId, filters],
    queryFn: ({ pageParam, signal }) =>
      fetchLeadsPage(query, { limit: CARDS_PAGE_SIZE, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: BOARD_REFRESH_MS,
    // Keep the cards while a new filter loads, instead of skeletons.
    placeholderData: keepPreviousData,
  });
}
