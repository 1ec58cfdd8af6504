// All of the member's notifications, newest first, with mark read / mark all read; new ones
// arrive live (the bell's stream refreshes this list too).
import { Anchor, Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { z } from 'zod';
import type { notificationsPageSchema } from '../../../server/modules/notifications/notifications.schemas';
import { useSession } from '../../app/session';
import { PageSkeleton } from '../../components/ui/screens';
import { api } from '../../lib/api-client';
import { NOTIFICATIONS_KEY } from './use-notification-stream';

type NotificationsPage = z.infer<typeof notificationsPageSchema>;

export function NotificationsPage() {
  const { dateTime } = useSession();
  const queryClient = useQueryClient();
  const list = useInfiniteQuery({
    queryKey: [...NOTIFICATIONS_KEY, 'page'],
    queryFn: ({ pageParam }) =>
      api.get<NotificationsPage>('/api/notifications', { limit: 30, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: NOTIFICATIONS_KEY });
  const markRead = useMutation({
    mutationFn: (id: string) => api.post(`/api/notifications/${id}/read`),
    onSuccess: refresh,
  });
  const markAll = useMutation({
    mutationFn: () => api.post('/api/notifications/read-all'),
    onSuccess: refresh,
  });
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];
  const unread = list.data?.pages[0]?.unreadCount ?? 0;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Notifications</Title>
        <Group>
          <Text size="sm" c="dimmed" data-testid="unread-count">
            {unread} unread
          </Text>
          <Button
            variant="default"
            disabled={unread === 0}
            loading={markAll.isPending}
            onClick={() => markAll.mutate()}
          >
            Mark all read
          </Button>
        </Group>
      </Group>
      {list.isPending && <PageSkeleton />}
      {list.isError && <Text c="red">{list.error.message}</Text>}
      {list.isSuccess && items.length === 0 && <Text c="dimmed">No notifications yet.</Text>}
      {items.map((item) => (
        <Card key={item.id} withBorder padding="sm" data-testid="notification-item">
          <Group justify="space-between" align="start" wrap="nowrap">
            <Stack gap={2}>
              <Group gap="xs">
                <Text fw={item.read ? 400 : 700}>{item.title}</Text>
                {!item.read && (
                  <Badge size="xs" color="red">
                    new
                  </Badge>
                )}
              </Group>
              <Text size="xs" c="dimmed">
                {dateTime(item.createdAt)}
              </Text>
              {item.body && (
                <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                  {item.body}
                </Text>
              )}
              {item.leadId && (
                <Anchor component={Link} to={`/leads/${item.leadId}`} size="sm">
                  Open the lead
                </Anchor>
              )}
            </Stack>
            {!item.read && (
              <Button size="compact-sm" variant="subtle" onClick={() => markRead.mutate(item.id)}>
                Mark read
              </Button>
            )}
          </Group>
        </Card>
      ))}
      {list.hasNextPage && (
        <Button
          variant="default"
          loading={list.isFetchingNextPage}
          onClick={() => void list.fetchNextPage()}
        >
          Older
        </Button>
      )}
    </Stack>
  );
}
