// Settings: one sub-route per section, each listed and reachable only for the roles whose
// permission its server routes require (the server refuses the rest anyway). Every member has
// API tokens; admins and managers configure the workspace; only admins manage people.
import { Grid, NavLink, Stack, Title } from '@mantine/core';
import type { ComponentType } from 'react';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { useSession } from '../../app/session';
import { ForbiddenScreen, NotFoundScreen } from '../../components/ui/screens';
import type { Permission } from '../../lib/types';
import { ApiTokensSettings } from './api-tokens-settings';
import { AssignmentSettings, AvailabilitySettings } from './assignment-settings';
import { AutomationSettings } from './automation-settings';
import { CustomFieldsSettings } from './custom-fields-settings';
import { DataSettings } from './data-settings';
import { FormsSettings } from '../forms/forms-settings';
import { LostReasonsSettings } from './lost-reasons-settings';
import { SuppressionsSettings } from '../messaging/suppressions-settings';
import { TemplatesSettings } from '../messaging/templates-settings';
import { PipelinesSettings } from './pipelines-settings';
import { PresetsSettings } from './presets-settings';
import { ScoringSettings } from '../scoring/scoring-settings';
import { SourcesSettings } from './sources-settings';
import { UsersSettings } from './users-settings';
import { WorkspaceSettings } from './workspace-settings';
import { WebhooksSettings } from '../webhooks/webhooks-settings';

interface Section {
  path: string;
  label: string;
  /** What the section's writes need; null: every member. */
  permission: Permission | null;
  Component: ComponentType;
}

const SECTIONS: Section[] = [
  {
    path: 'workspace',
    label: 'Workspace',
    permission: 'lead:configure',
    Component: WorkspaceSettings,
  },
  {
    path: 'pipelines',
    label: 'Pipelines and stages',
    permission: 'lead:configure',
    Component: PipelinesSettings,
  },
  { path: 'sources', label: 'Sources', permission: 'lead:configure', Component: SourcesSettings },
  {
    path: 'lost-reasons',
    label: 'Lost reasons',
    permission: 'lead:configure',
    Component: LostReasonsSettings,
  },
  {
    path: 'custom-fields',
    label: 'Custom fields',
    permission: 'lead:configure',
    Component: CustomFieldsSettings,
  },
  { path: 'forms', label: 'Forms', permission: 'lead:configure', Component: FormsSettings },
  {
    path: 'templates',
    label: 'Templates',
    permission: 'lead:configure',
    Component: TemplatesSettings,
  },
  {
    path: 'suppressions',
    label: 'Suppression list',
    permission: 'lead:configure',
    Component: SuppressionsSettings,
  },
  {
    path: 'assignment',
    label: 'Assignment',
    permission: 'lead:configure',
    Component: AssignmentSettings,
  },
  {
    path: 'automation',
    label: 'Automation',
    permission: 'automation:manage',
    Component: AutomationSettings,
  },
  {
    path: 'scoring',
    label: 'Scoring',
    permission: 'lead:configure',
    Component: ScoringSettings,
  },
  { path: 'users', label: 'Users and roles', permission: 'user:manage', Component: UsersSettings },
  { path: 'api-tokens', label: 'API tokens', permission: null, Component: ApiTokensSettings },
  {
    path: 'out-of-office',
    label: 'Out of office',
    permission: null,
    Component: AvailabilitySettings,
  },
  {
    path: 'webhooks',
    label: 'Webhooks',
    permission: 'webhook:manage',
    Component: WebhooksSettings,
  },
  { path: 'data', label: 'Data', permission: 'workspace:export', Component: DataSettings },
  { path: 'presets', label: 'Presets', permission: 'lead:configure', Component: PresetsSettings },
];

export function SettingsPage() {
  const { can } = useSession();
  const location = useLocation();
  const visible = SECTIONS.filter((section) => !section.permission || can(section.permission));
  const first = visible[0]?.path ?? 'api-tokens';
  return (
    <Stack>
      <Title order={1}>Settings</Title>
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, sm: 3 }}>
          <nav aria-label="Settings sections">
            {visible.map((section) => {
              const to = `/settings/${section.path}`;
              const active = location.pathname.startsWith(to);
              return (
                <NavLink
                  key={section.path}
                  component={Link}
                  to={to}
                  label={section.label}
                  active={active}
                  aria-current={active ? 'page' : undefined}
                />
              );
            })}
          </nav>
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 9 }}>
          <Routes>
            <Route index element={<Navigate replace to={first} />} />
            {SECTIONS.map(({ path, permission, Component }) => (
              <Route
                key={path}
                path={`${path}/*`}
                element={!permission || can(permission) ? <Component /> : <ForbiddenScreen />}
              />
            ))}
            <Route path="*" element={<NotFoundScreen />} />
          </Routes>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
