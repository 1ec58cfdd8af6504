// The signed-in session: who, which workspace, what they may do, and how to show its numbers.
import { useQuery } from '@tanstack/react-query';
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { api, ApiError, setCsrfToken } from '../lib/api-client';
import {
  formatDate,
  formatDateTime,
  formatMoney,
  formatRelative,
  type WorkspaceFormat,
} from '../lib/format';
import type { Me, Permission } from '../lib/types';

export const ME_QUERY_KEY = ['me'] as const;

/** The session, or null when nobody is signed in (401). */
export function useMeQuery() {
  return useQuery({
    queryKey: ME_QUERY_KEY,
    queryFn: async (): Promise<Me | null> => {
      try {
        const me = await api.get<Me>('/api/me');
        setCsrfToken(me.csrfToken);
        return me;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 5 * 60_000,
  });
}

export interface Session {
  me: Me;
  can: (permission: Permission) => boolean;
  format: WorkspaceFormat;
  money: (minorUnits: number, currency?: string) => string;
  date: (iso: string) => string;
  dateTime: (iso: string) => string;
  relative: (iso: string) => string;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ me, children }: { me: Me; children: ReactNode }) {
  const session = useMemo<Session>(() => {
    const permissions = new Set<Permission>(me.permissions);
    const format: WorkspaceFormat = {
      locale: me.workspace.locale,
      currency: me.workspace.currency,
      timeZone: me.workspace.timeZone,
    };
    return {
      me,
      can: (permission) => permissions.has(permission),
      format,
      money: (minor, currency = format.currency) => formatMoney(minor, currency, format.locale),
      date: (iso) => formatDate(iso, format),
      dateTime: (iso) => formatDateTime(iso, format),
      relative: (iso) => formatRelative(iso, format.locale),
    };
  }, [me]);
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession needs a signed-in SessionProvider');
  return session;
}
