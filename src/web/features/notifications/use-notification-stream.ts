// Live updates of the member's notifications: the server pushes new ones over server-sent
// events (GET /api/notifications/stream); each refreshes the bell and the notifications page.
// EventSource reconnects by itself after a dropped connection.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';

export const NOTIFICATIONS_KEY = ['notifications'];

export function useNotificationStream() {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const source = new EventSource('/api/notifications/stream');
    const refresh = () => void queryClient.invalidateQueries({ queryKey: NOTIFICATIONS_KEY });
    source.addEventListener('notification', refresh);
    source.addEventListener('unread', refresh);
    return () => source.close();
  }, [queryClient]);
}
