// One QueryClient: retries only what may pass on a retry, and a toast for every failed save.
import { notifications } from '@mantine/notifications';
import { MutationCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from '../lib/api-client';
import { describeProblem } from '../lib/problem';

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError)
    return error.problem ? describeProblem(error.problem) : error.message;
  return error instanceof Error ? error.message : 'Something went wrong.';
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: true,
        retry: (failures, error) =>
          failures < 2 && error instanceof ApiError && (error.status === 0 || error.status >= 500),
      },
    },
    mutationCache: new MutationCache({
      onError: (error, _variables, _context, mutation) => {
        // A mutation may handle some answers itself (a dialog for a 409); it says so in meta.
        const handled = mutation.meta?.handledStatuses as number[] | undefined;
        if (error instanceof ApiError && handled?.includes(error.status)) return;
        notifications.show({
          color: 'red',
          title: error instanceof ApiError && error.isNetworkError ? 'Offline' : 'Not saved',
          message: errorMessage(error),
        });
      },
    }),
  });
}
