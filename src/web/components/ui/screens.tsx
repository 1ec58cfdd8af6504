// Whole-page states: not allowed, not found, offline, failed, and loading skeletons.
import { Alert, Button, Center, Skeleton, Stack, Text, Title } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../../lib/api-client';

function Screen({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Center py="xl">
      <Stack align="center" maw={480} ta="center">
        <Title order={1} size="h2">
          {title}
        </Title>
        {children}
      </Stack>
    </Center>
  );
}

export function ForbiddenScreen() {
  return (
    <Screen title="Not allowed">
      <Text>Your role in this workspace may not open this page. Ask an admin if you need it.</Text>
      <Button component={Link} to="/today" variant="light">
        Back to Today
      </Button>
    </Screen>
  );
}

export function NotFoundScreen({ what = 'page' }: { what?: string }) {
  return (
    <Screen title="Not found">
      <Text>
        This {what} does not exist, or it belongs to another workspace. Check the link, or find it
        from the leads list.
      </Text>
      <Button component={Link} to="/leads" variant="light">
        Go to leads
      </Button>
    </Screen>
  );
}

export function OfflineScreen({ onRetry }: { onRetry: () => void }) {
  return (
    <Screen title="Cannot reach Leadkeeper">
      <Text>You seem to be offline, or the server is not answering. Nothing was lost.</Text>
      <Button onClick={onRetry}>Try again</Button>
    </Screen>
  );
}

export function ErrorScreen({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  if (error instanceof ApiError) {
    if (error.status === 403) return <ForbiddenScreen />;
    if (error.status === 404) return <NotFoundScreen what="record" />;
    if (error.isNetworkError) return <OfflineScreen onRetry={onRetry} />;
  }
  return (
    <Screen title="Something went wrong">
      <Alert color="red" title="The page could not load" w="100%">
        {error instanceof Error ? error.message : 'Unknown error'}
      </Alert>
      <Button onClick={onRetry}>Try again</Button>
    </Screen>
  );
}

export function PageSkeleton({ rows = 6 }: { rows?: number }) {
  return (
    // A status (not a plain div) may carry a name: screen readers hear "Loading".
    <Stack gap="sm" role="status" aria-busy="true" aria-label="Loading">
      <Skeleton height={32} width="40%" />
      {Array.from({ length: rows }, (_, index) => (
        <Skeleton key={index} height={44} />
      ))}
    </Stack>
  );
}

/** Renders a query's data, or its skeleton or error screen. */
export function QueryView<T>({
  query,
  skeleton,
  children,
}: {
  query: UseQueryResult<T>;
  skeleton?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <>{skeleton ?? <PageSkeleton />}</>;
  if (query.isError)
    return <ErrorScreen error={query.error} onRetry={() => void query.refetch()} />;
  return <>{children(query.data)}</>;
}
