// The leads list's optional columns: the built-in ones and one per active lead custom field
// (non-sensitive: the list masks sensitive values anyway). Columns show in this fixed order.
import { Badge, Group, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { showCustomValue } from '../../../lib/custom-values';
import { PRIORITY_COLORS, humanize } from '../../../lib/labels';
import type { CustomField } from '../../../lib/types';
import type { LeadListItem } from '../api/leads-api';

export type SortKey = 'createdAt' | 'value' | 'nextFollowUpAt' | 'daysInStage' | 'score';

export interface ColumnContext {
  stageName: (stageId: string) => string | undefined;
  memberName: (userId: string) => string | undefined;
  sourceName: (sourceId: string) => string | undefined;
  money: (minorUnits: number, currency?: string) => string;
  date: (iso: string) => string;
  relative: (iso: string) => string;
}

export interface LeadColumn {
  id: string;
  label: string;
  sortKey?: SortKey;
  align?: 'right';
  render: (lead: LeadListItem, context: ColumnContext) => ReactNode;
}

const text = (value: ReactNode) => <Text size="sm">{value}</Text>;

export const BUILT_IN_COLUMNS: readonly LeadColumn[] = [
  {
    id: 'contact',
    label: 'Contact',
    render: (lead) => (
      <Text size="sm" truncate maw={200}>
        {lead.contactName ?? '—'}
      </Text>
    ),
  },
  {
    id: 'stage',
    label: 'Stage',
    render: (lead, c) => text(c.stageName(lead.stageId) ?? '—'),
  },
  {
    id: 'value',
    label: 'Value',
    sortKey: 'value',
    align: 'right',
    render: (lead, c) => text(c.money(lead.value, lead.currency)),
  },
  {
    id: 'probability',
    label: 'Probability',
    align: 'right',
    render: (lead) => text(`${lead.probability} %`),
  },
  {
    id: 'priority',
    label: 'Priority',
    render: (lead) => (
      <Badge size="sm" variant="light" color={PRIORITY_COLORS[lead.priority]}>
        {humanize(lead.priority)}
      </Badge>
    ),
  },
  {
    id: 'assignee',
    label: 'Assignee',
    render: (lead, c) =>
      text(lead.assigneeId ? (c.memberName(lead.assigneeId) ?? '…') : 'Unassigned'),
  },
  {
    id: 'source',
    label: 'Source',
    render: (lead, c) => text(lead.sourceId ? (c.sourceName(lead.sourceId) ?? '…') : '—'),
  },
  {
    id: 'nextFollowUpAt',
    label: 'Next follow-up',
    sortKey: 'nextFollowUpAt',
    render: (lead, c) => text(lead.nextFollowUpAt ? c.relative(lead.nextFollowUpAt) : '—'),
  },
  {
    id: 'lastContactAt',
    label: 'Last contact',
    render: (lead, c) => text(lead.lastContactAt ? c.relative(lead.lastContactAt) : 'Never'),
  },
  {
    id: 'daysInStage',
    label: 'Days in stage',
    sortKey: 'daysInStage',
    align: 'right',
    render: (lead) => text(lead.daysInStage),
  },
  {
    id: 'score',
    label: 'Score',
    sortKey: 'score',
    align: 'right',
    render: (lead) => text(lead.score ?? '—'),
  },
  {
    id: 'tags',
    label: 'Tags',
    render: (lead) =>
      lead.tags.length === 0 ? (
        text('—')
      ) : (
        <Group gap={4} wrap="nowrap">
          {lead.tags.slice(0, 3).map((tag) => (
            <Badge key={tag} size="sm" variant="light" color="gray">
              {tag}
            </Badge>
          ))}
          {lead.tags.length > 3 && <Text size="xs">+{lead.tags.length - 3}</Text>}
        </Group>
      ),
  },
  {
    id: 'createdAt',
    label: 'Created',
    sortKey: 'createdAt',
    render: (lead, c) => text(c.relative(lead.createdAt)),
  },
];

export const DEFAULT_COLUMNS: readonly string[] = [
  'contact',
  'stage',
  'value',
  'priority',
  'assignee',
  'nextFollowUpAt',
  'daysInStage',
  'createdAt',
];

export const CUSTOM_COLUMN_PREFIX = 'cf.';

/** A custom field's cell (sensitive fields are never columns): a dash when empty. */
function customCell(field: CustomField, value: unknown, c: ColumnContext): string {
  if (value === undefined || value === null || value === '') return '—';
  return showCustomValue(field, value, c);
}

/** Every column a member may choose: the built-in ones, then the lead custom fields. */
export function availableColumns(fields: readonly CustomField[] | undefined): LeadColumn[] {
  const custom = (fields ?? [])
    .filter((field) => !field.archived && !field.sensitive)
    .map((field): LeadColumn => ({
      id: `${CUSTOM_COLUMN_PREFIX}${field.key}`,
      label: field.label,
      align: field.type === 'number' || field.type === 'money' ? 'right' : undefined,
      render: (lead, c) => (
        <Text size="sm" truncate maw={220}>
          {customCell(field, lead.customFields[field.key], c)}
        </Text>
      ),
    }));
  return [...BUILT_IN_COLUMNS, ...custom];
}
