// The bell in the header: the member's own in-app notifications (a new inquiry for them, …)
// with the unread count, checked every minute; opening one marks it read.
import { Badge, Button, Group, Menu, Stack, Text, UnstyledButton } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { useNavigate } from 'react-router';
import type { notificationsPageSchema } from '../../../server/modules/notifications/notifications.schemas';
import { useSession } from '../../app/session';
import { api } from '../../lib/api-client';
import { NOTIFICATIONS_KEY, useNotificationStream } from './use-notification-stream';

type NotificationsPage = z.infer<typeof notificationsPageSchema>;
const KEY = NOTIFICATIONS_KEY;

export function NotificationsBell() {
  const { dateTime } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  // New notifications arrive live; the minute's refetch covers a stream that can't connect.
  useNotificationStream();
  const list = useQuery({
    queryKey: KEY,
    queryFn: () => api.get<NotificationsPage>('/api/notifications', { limit: 10 }),
    refetchInterval: 60_000,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: KEY });
  const markRead = useMutation({
    mutationFn: (id: string) => api.post(`/api/notifications/${id}/read`),
    onSuccess: refresh,
  });
  const markAll = useMutation({
    mutationFn: () => api.post('/api/notifications/read-all'),
    onSuccess: refresh,
  });
  const unread = list.data?.unreadCount ?? 0;
  const items = list.data?.items ?? [];
  return (
    <Menu position="bottom-end" width={340}>
      <Menu.Target>
        <UnstyledButton
          aria-label={`Notifications, ${unread} unread`}
          data-testid="notifications-bell"
          px={6}
          py={2}
        >
          <Group gap={4} wrap="nowrap">
            {/* Drawn, not an emoji: not every system has an emoji font. */}
            <svg
              aria-hidden="true"
              width="20"
              height="20"
              viewBox="0 0 24 24"
              fill="none"
              stroke="currentColor"
              strokeWidth="2"
              strokeLinecap="round"
              strokeLinejoin="round"
            >
              <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
              <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
            </svg>
            {unread > 0 && (
              <Badge component="span" size="sm" color="red" circle={unread < 10}>
                {unread}
              </Badge>
            )}
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Notifications</Menu.Label>
        {items.length === 0 && (
          <Text size="sm" c="dimmed" px="sm" py="xs">
            Nothing new.
          </Text>
        )}
        {items.map((item) => (
          <Menu.Item
            key={item.id}
            onClick={() => {
              if (!item.read) markRead.mutate(item.id);
              if (item.leadId) void navigate(`/leads/${item.leadId}`);
            }}
          >
            <Stack gap={0}>
              <Text size="sm" fw={item.read ? 400 : 700}>
                {item.title}
              </Text>
              <Text size="xs" c="dimmed" lineClamp={2}>
                {dateTime(item.createdAt)} · {item.body}
              </Text>
            </Stack>
          </Menu.Item>
        ))}
        <Menu.Item onClick={() => void navigate('/notifications')}>All notifications</Menu.Item>
        {unread > 0 && (
          <Button
            variant="subtle"
            size="xs"
            fullWidth
            mt={4}
            loading={markAll.isPending}
            onClick={() => markAll.mutate()}
          >
            Mark all read
          </Button>
        )}
      </Menu.Dropdown>
    </Menu>
  );
}
