// The frame around every signed-in page: header (quick entry, workspace, account) and the
// navigation, showing only what the role may do (the server enforces it anyway).
import {
  Alert,
  AppShell,
  Burger,
  Button,
  Group,
  Menu,
  NavLink,
  Select,
  Text,
  UnstyledButton,
} from '@mantine/core';
import { useDisclosure, useNetwork } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { api } from '../lib/api-client';
import { humanize } from '../lib/labels';
import type { Me, Permission } from '../lib/types';
import { ME_QUERY_KEY, useSession } from './session';
import { NotificationsBell } from '../features/notifications/notifications-bell';

interface NavItem {
  to: string;
  label: string;
  permission: Permission;
}

const NAV_ITEMS: NavItem[] = [
  { to: '/today', label: 'Today', permission: 'lead:read' },
  { to: '/leads', label: 'Leads', permission: 'lead:read' },
  { to: '/board', label: 'Pipeline board', permission: 'lead:read' },
  { to: '/contacts', label: 'Contacts', permission: 'lead:read' },
  { to: '/companies', label: 'Companies', permission: 'lead:read' },
  { to: '/outbox', label: 'Outbox', permission: 'lead:read' },
  { to: '/sequences', label: 'Sequences', permission: 'lead:read' },
  { to: '/analytics', label: 'Analytics', permission: 'lead:analytics' },
  { to: '/reviews', label: 'Reviews', permission: 'lead:read' },
  { to: '/quick-entry', label: 'Quick entry', permission: 'lead:create' },
  // Every member manages their own API tokens there; other sections need more.
  { to: '/settings', label: 'Settings', permission: 'lead:read' },
];

function WorkspaceSwitcher() {
  const { me } = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const switchWorkspace = useMutation({
    mutationFn: (workspaceId: string) => api.post<Me>('/api/me/workspace', { workspaceId }),
    onSuccess: async (next) => {
      queryClient.setQueryData(ME_QUERY_KEY, next);
      void navigate('/today');
      // Everything else cached belongs to the old workspace.
      await queryClient.resetQueries({ predicate: (query) => query.queryKey[0] !== 'me' });
    },
  });
  if (me.workspaces.length < 2) {
    return (
      <Text fw={500} size="sm" visibleFrom="sm">
        {me.workspace.name}
      </Text>
    );
  }
  return (
    <Select
      aria-label="Workspace"
      size="xs"
      w={200}
      allowDeselect={false}
      value={me.workspace.id}
      data={me.workspaces.map((workspace) => ({ value: workspace.id, label: workspace.name }))}
      onChange={(id) => id && id !== me.workspace.id && switchWorkspace.mutate(id)}
      disabled={switchWorkspace.isPending}
    />
  );
}

function AccountMenu() {
  const { me } = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const signOut = useMutation({
    mutationFn: () => api.post<void>('/api/auth/logout'),
    onSettled: () => {
      // Setting the session to null (rather than clearing the cache under its observers)
      // is what switches the app to the sign-in page.
      queryClient.setQueryData(ME_QUERY_KEY, null);
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== 'me' });
      void navigate('/sign-in');
    },
  });
  return (
    <Menu position="bottom-end">
      <Menu.Target>
        <UnstyledButton aria-label={`Account of ${me.user.name}`}>
          <Text size="sm" fw={500}>
            {me.user.name}
          </Text>
          <Text size="xs" c="dimmed">
            {humanize(me.role)}
          </Text>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{me.user.email}</Menu.Label>
        <Menu.Item onClick={() => signOut.mutate()}>Sign out</Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

export function Shell({ children }: { children: ReactNode }) {
  const { can } = useSession();
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const network = useNetwork();
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label="Navigation"
            />
            <Text component={Link} to="/today" fw={700} size="lg" c="blue.8">
              Leadkeeper
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            {can('lead:create') && (
              <Button component={Link} to="/quick-entry" size="xs" visibleFrom="xs">
                New inquiry
              </Button>
            )}
            <NotificationsBell />
            <WorkspaceSwitcher />
            <AccountMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        {NAV_ITEMS.filter((item) => can(item.permission)).map((item) => (
          <NavLink
            key={item.to}
            component={Link}
            to={item.to}
            label={item.label}
            active={location.pathname.startsWith(item.to)}
            onClick={close}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        {!network.online && (
          <Alert color="yellow" mb="md" title="You are offline">
            Changes cannot be saved until the connection is back.
          </Alert>
        )}
        {children}
      </AppShell.Main>
    </AppShell>
  );
}
