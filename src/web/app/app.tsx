// Providers and routes. Signed out, every path shows the sign-in page (and comes back after).
import {
  MantineProvider,
  Modal,
  Notification,
  createTheme,
  type CSSVariablesResolver,
} from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useState } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation, useSearchParams } from 'react-router';
import {
  ErrorScreen,
  ForbiddenScreen,
  NotFoundScreen,
  PageSkeleton,
} from '../components/ui/screens';
import { SignInPage } from '../features/auth/sign-in-page';
import { LeadsListPage } from '../features/leads/components/leads-list-page';
import { QuickEntryPage } from '../features/leads/components/quick-entry-page';
import { TodayPage } from '../features/work/today-page';
import { onUnauthenticated } from '../lib/api-client';
import type { Permission } from '../lib/types';
import { createQueryClient } from './query-client';
import { ME_QUERY_KEY, SessionProvider, useMeQuery, useSession } from './session';
import { Shell } from './shell';

// The board (dnd-kit) and the lead page load on first use, keeping the first page small.
const BoardPage = lazy(() =>
  import('../features/board/components/board-page').then((m) => ({ default: m.BoardPage })),
);
const NotificationsPage = lazy(() =>
  import('../features/notifications/notifications-page').then((m) => ({
    default: m.NotificationsPage,
  })),
);
const ReviewsPage = lazy(() =>
  import('../features/reviews/reviews-page').then((m) => ({ default: m.ReviewsPage })),
);
const LeadPage = lazy(() =>
  import('../features/leads/components/lead-page').then((m) => ({ default: m.LeadPage })),
);
const ContactsListPage = lazy(() =>
  import('../features/contacts/contacts-list-page').then((m) => ({
    default: m.ContactsListPage,
  })),
);
const ContactPage = lazy(() =>
  import('../features/contacts/contact-page').then((m) => ({ default: m.ContactPage })),
);
const CompaniesListPage = lazy(() =>
  import('../features/companies/companies-list-page').then((m) => ({
    default: m.CompaniesListPage,
  })),
);
const CompanyPage = lazy(() =>
  import('../features/companies/company-page').then((m) => ({ default: m.CompanyPage })),
);
const OutboxPage = lazy(() =>
  import('../features/messaging/outbox-page').then((m) => ({ default: m.OutboxPage })),
);
const SettingsPage = lazy(() =>
  import('../features/settings/settings-page').then((m) => ({ default: m.SettingsPage })),
);
const ImportPage = lazy(() =>
  import('../features/imports/import-page').then((m) => ({ default: m.ImportPage })),
);
const SequencesPage = lazy(() =>
  import('../features/sequences/sequences-page').then((m) => ({ default: m.SequencesPage })),
);
// The charts library (recharts) loads only with the analytics page.
const AnalyticsPage = lazy(() =>
  import('../features/analytics/analytics-page').then((m) => ({ default: m.AnalyticsPage })),
);

const theme = createTheme({
  primaryColor: 'blue',
  // Shade 9 keeps white text on filled buttons and badges above WCAG AA contrast.
  primaryShade: 9,
  components: {
    // Mantine's close buttons have no accessible name of their own.
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close dialog' } } }),
    Notification: Notification.extend({
      defaultProps: { closeButtonProps: { 'aria-label': 'Close notification' } },
      // Under a title Mantine greys the message to gray-6, below WCAG AA on white.
      styles: { description: { color: 'var(--mantine-color-text)' } },
    }),
  },
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
});

// Mantine's dimmed grey and its light-variant text colours fall below WCAG AA contrast on
// their backgrounds; darker ones keep small badges and hints readable.
const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-error': 'var(--mantine-color-red-9)',
    '--mantine-color-blue-light-color': 'var(--mantine-color-blue-9)',
    '--mantine-color-red-light-color': 'var(--mantine-color-red-9)',
    '--mantine-color-gray-light-color': 'var(--mantine-color-gray-9)',
    '--mantine-color-teal-light-color': 'var(--mantine-color-teal-9)',
    '--mantine-color-orange-light-color': '#9c3a00',
    '--mantine-color-green-light-color': '#1f6b2f',
    '--mantine-color-yellow-light-color': '#6e4500',
  },
  dark: {},
});

function RequirePermission({
  permission,
  children,
}: {
  permission: Permission;
  children: React.ReactNode;
}) {
  const { can } = useSession();
  return can(permission) ? <>{children}</> : <ForbiddenScreen />;
}

function SignedOutRoutes() {
  const location = useLocation();
  const next = `${location.pathname}${location.search}`;
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route
        path="*"
        element={
          <Navigate
            replace
            to={
              location.pathname === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(next)}`
            }
          />
        }
      />
    </Routes>
  );
}

/** Signed in on /sign-in: go where the visitor was headed (a path on this site only). */
function AfterSignIn() {
  const [params] = useSearchParams();
  const next = params.get('next');
  return (
    <Navigate replace to={next?.startsWith('/') && !next.startsWith('//') ? next : '/today'} />
  );
}

function SignedInRoutes() {
  return (
    <Shell>
      <Suspense fallback={<PageSkeleton />}>
        <Routes>
          <Route path="/" element={<Navigate replace to="/today" />} />
          <Route path="/sign-in" element={<AfterSignIn />} />
          <Route path="/today" element={<TodayPage />} />
          <Route path="/leads" element={<LeadsListPage />} />
          <Route path="/leads/:id" element={<LeadPage />} />
          <Route path="/board" element={<BoardPage />} />
          <Route path="/contacts" element={<ContactsListPage />} />
          <Route path="/contacts/:id" element={<ContactPage />} />
          <Route path="/companies" element={<CompaniesListPage />} />
          <Route path="/companies/:id" element={<CompanyPage />} />
          <Route path="/outbox" element={<OutboxPage />} />
          <Route path="/sequences/*" element={<SequencesPage />} />
          <Route path="/settings/*" element={<SettingsPage />} />
          <Route path="/notifications" element={<NotificationsPage />} />
          <Route path="/reviews" element={<ReviewsPage />} />
          <Route
            path="/analytics"
            element={
              <RequirePermission permission="lead:analytics">
                <AnalyticsPage />
              </RequirePermission>
            }
          />
          <Route
            path="/quick-entry"
            element={
              <RequirePermission permission="lead:create">
                <QuickEntryPage />
              </RequirePermission>
            }
          />
          <Route
            path="/import"
            element={
              <RequirePermission permission="lead:create">
                <ImportPage />
              </RequirePermission>
            }
          />
          <Route path="*" element={<NotFoundScreen />} />
        </Routes>
      </Suspense>
    </Shell>
  );
}

function AppRoutes() {
  const me = useMeQuery();
  const queryClient = useQueryClient();
  // A 401 anywhere means the session ended: drop to the sign-in page, keeping the path.
  useEffect(
    () => onUnauthenticated(() => queryClient.setQueryData(ME_QUERY_KEY, null)),
    [queryClient],
  );
  if (me.isPending) return <PageSkeleton />;
  if (me.isError) return <ErrorScreen error={me.error} onRetry={() => void me.refetch()} />;
  if (!me.data) return <SignedOutRoutes />;
  return (
    <SessionProvider me={me.data}>
      <SignedInRoutes />
    </SessionProvider>
  );
}

export function App() {
  const [queryClient] = useState(createQueryClient);
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver}>
      <Notifications position="top-right" />
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <AppRoutes />
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  );
}
