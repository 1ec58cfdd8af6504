// The leads list: search, filters and sort live in the URL (shareable, back-button safe);
// pages come from the server by cursor and only the visible rows are rendered.
import {
  Anchor,
  Badge,
  Button,
  Group,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { stageIndex, useLeadSources, useMembers, usePipelines } from '../../../app/reference-data';
import { useSession } from '../../../app/session';
import { ErrorScreen, PageSkeleton } from '../../../components/ui/screens';
import { PRIORITY_COLORS, humanize } from '../../../lib/labels';
import type { Lead } from '../../../lib/types';
import { useLeadsList, type LeadFilters } from '../api/leads-api';

const FILTER_KEYS = [
  'q',
  'pipelineId',
  'stageId',
  'status',
  'assigneeId',
  'sourceId',
  'priority',
  'tag',
  'followUp',
  'staleDays',
  'sort',
] as const satisfies readonly (keyof LeadFilters)[];

type SortKey = 'createdAt' | 'value' | 'nextFollowUpAt' | 'daysInStage' | 'score';
const ROW_HEIGHT = 49;

function filtersFrom(params: URLSearchParams): LeadFilters {
  const filters: LeadFilters = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value) filters[key] = value;
  }
  return filters;
}

function SortHeader({
  label,
  sortKey,
  sort,
  onSort,
  align,
}: {
  label: string;
  sortKey: SortKey;
  sort: string;
  onSort: (sort: string) => void;
  align?: 'right';
}) {
  const direction = sort === sortKey ? 'ascending' : sort === `-${sortKey}` ? 'descending' : 'none';
  const next = direction === 'descending' ? sortKey : `-${sortKey}`;
  return (
    <Table.Th aria-sort={direction} style={{ textAlign: align ?? 'left', whiteSpace: 'nowrap' }}>
      <UnstyledButton onClick={() => onSort(next)} fw={600} fz="sm">
        {label} {direction === 'ascending' ? '▲' : direction === 'descending' ? '▼' : ''}
      </UnstyledButton>
    </Table.Th>
  );
}

function Filters({
  filters,
  setFilter,
}: {
  filters: LeadFilters;
  setFilter: (key: keyof LeadFilters, value: string | null) => void;
}) {
  const pipelines = usePipelines();
  const sources = useLeadSources();
  const members = useMembers();
  const [q, setQ] = useState(filters.q ?? '');
  const applyQ = useDebouncedCallback((value: string) => setFilter('q', value || null), 300);
  const pipeline = pipelines.data?.find((p) => p.id === filters.pipelineId);
  const common = { size: 'xs' as const, clearable: true, w: 170 };
  return (
    <Group gap="xs" align="end" role="search" aria-label="Filter leads">
      <TextInput
        size="xs"
        w={220}
        label="Search"
        placeholder="Name, email, phone, company"
        value={q}
        onChange={(event) => {
          setQ(event.currentTarget.value);
          applyQ(event.currentTarget.value);
        }}
      />
      <Select
        {...common}
        label="Pipeline"
        data={(pipelines.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
        value={filters.pipelineId ?? null}
        onChange={(value) => {
          setFilter('stageId', null);
          setFilter('pipelineId', value);
        }}
      />
      <Select
        {...common}
        label="Stage"
        disabled={!pipeline}
        placeholder={pipeline ? undefined : 'Choose a pipeline'}
        data={(pipeline?.stages ?? []).map((s) => ({ value: s.id, label: s.name }))}
        value={filters.stageId ?? null}
        onChange={(value) => setFilter('stageId', value)}
      />
      <Select
        {...common}
        w={110}
        label="Status"
        data={['open', 'won', 'lost'].map((value) => ({ value, label: humanize(value) }))}
        value={filters.status ?? null}
        onChange={(value) => setFilter('status', value)}
      />
      <Select
        {...common}
        label="Assignee"
        data={[
          { value: 'me', label: 'Me' },
          { value: 'none', label: 'Unassigned' },
          ...(members.data ?? []).map((m) => ({ value: m.id, label: m.name })),
        ]}
        value={filters.assigneeId ?? null}
        onChange={(value) => setFilter('assigneeId', value)}
      />
      <Select
        {...common}
        label="Source"
        searchable
        data={(sources.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
        value={filters.sourceId ?? null}
        onChange={(value) => setFilter('sourceId', value)}
      />
      <Select
        {...common}
        w={110}
        label="Priority"
        data={['urgent', 'high', 'normal', 'low'].map((value) => ({
          value,
          label: humanize(value),
        }))}
        value={filters.priority ?? null}
        onChange={(value) => setFilter('priority', value)}
      />
      <TextInput
        size="xs"
        w={110}
        label="Tag"
        defaultValue={filters.tag ?? ''}
        onBlur={(event) => setFilter('tag', event.currentTarget.value.trim() || null)}
        onKeyDown={(event) => {
          if (event.key === 'Enter') setFilter('tag', event.currentTarget.value.trim() || null);
        }}
      />
      <Select
        {...common}
        w={130}
        label="Follow-up"
        data={[
          { value: 'overdue', label: 'Overdue' },
          { value: 'today', label: 'Due today' },
          { value: 'none', label: 'None set' },
        ]}
        value={filters.followUp ?? null}
        onChange={(value) => setFilter('followUp', value)}
      />
      <Select
        {...common}
        w={140}
        label="No contact for"
        data={['7', '14', '30', '90'].map((days) => ({ value: days, label: `${days}+ days` }))}
        value={filters.staleDays ?? null}
        onChange={(value) => setFilter('staleDays', value)}
      />
    </Group>
  );
}

export function LeadsListPage() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFrom(params), [params]);
  const sort = filters.sort ?? '-createdAt';
  const list = useLeadsList(filters);
  const pipelines = usePipelines();
  const members = useMembers();
  const { money, relative } = useSession();
  const navigate = useNavigate();
  const stages = useMemo(() => stageIndex(pipelines.data), [pipelines.data]);
  const memberNames = useMemo(
    () => new Map((members.data ?? []).map((m) => [m.id, m.name])),
    [members.data],
  );

  const setFilter = (key: keyof LeadFilters, value: string | null) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value) next.set(key, value);
        else next.delete(key);
        return next;
      },
      { replace: true },
    );

  const leads: Lead[] = useMemo(
    () => list.data?.pages.flatMap((page) => page.items) ?? [],
    [list.data],
  );
  const total = list.data?.pages[0]?.total;

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: leads.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? -1;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  // Fetch the next page when the last rendered row nears the end of what is loaded.
  useEffect(() => {
    if (lastIndex >= leads.length - 10 && hasNextPage && !isFetchingNextPage) {
      void fetchNextPage();
    }
  }, [lastIndex, leads.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  const paddingTop = items[0]?.start ?? 0;
  const paddingBottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);
  const hasFilters = FILTER_KEYS.some((key) => key !== 'sort' && filters[key]);

  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Title order={1}>Leads</Title>
        <Text c="dimmed" size="sm" aria-live="polite">
          {total !== undefined ? `${total.toLocaleString()} leads` : ''}
        </Text>
      </Group>
      <Filters filters={filters} setFilter={setFilter} />
      {list.isPending ? (
        <PageSkeleton rows={10} />
      ) : list.isError ? (
        <ErrorScreen error={list.error} onRetry={() => void list.refetch()} />
      ) : leads.length === 0 ? (
        <Stack align="center" py="xl">
          <Text>{hasFilters ? 'No lead matches these filters.' : 'No leads yet.'}</Text>
          {hasFilters ? (
            <Button variant="light" onClick={() => setParams({}, { replace: true })}>
              Clear filters
            </Button>
          ) : (
            <Button component={Link} to="/quick-entry">
              Take the first inquiry
            </Button>
          )}
        </Stack>
      ) : (
        <div
          ref={scrollRef}
          style={{ height: 'calc(100vh - 250px)', minHeight: 320, overflow: 'auto' }}
          tabIndex={0}
          aria-label="Leads table"
          role="region"
        >
          <Table highlightOnHover stickyHeader verticalSpacing="xs" miw={900}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Lead</Table.Th>
                <Table.Th>Stage</Table.Th>
                <SortHeader
                  label="Value"
                  sortKey="value"
                  sort={sort}
                  onSort={(s) => setFilter('sort', s)}
                  align="right"
                />
                <Table.Th>Priority</Table.Th>
                <Table.Th>Assignee</Table.Th>
                <SortHeader
                  label="Next follow-up"
                  sortKey="nextFollowUpAt"
                  sort={sort}
                  onSort={(s) => setFilter('sort', s)}
                />
                <SortHeader
                  label="Days in stage"
                  sortKey="daysInStage"
                  sort={sort}
                  onSort={(s) => setFilter('sort', s)}
                />
                <SortHeader
                  label="Created"
                  sortKey="createdAt"
                  sort={sort}
                  onSort={(s) => setFilter('sort', s)}
                />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {paddingTop > 0 && (
                <tr aria-hidden="true">
                  <td colSpan={8} style={{ height: paddingTop, padding: 0 }} />
                </tr>
              )}
              {items.map((item) => {
                const lead = leads[item.index];
                if (!lead) return null;
                const stage = stages.get(lead.stageId);
                return (
                  <Table.Tr
                    key={lead.id}
                    data-testid="lead-list-row"
                    style={{ height: ROW_HEIGHT, cursor: 'pointer' }}
                    onClick={() => void navigate(`/leads/${lead.id}`)}
                  >
                    <Table.Td maw={280}>
                      <Anchor
                        component={Link}
                        to={`/leads/${lead.id}`}
                        size="sm"
                        fw={500}
                        onClick={(event) => event.stopPropagation()}
                      >
                        {lead.title}
                      </Anchor>
                      {lead.companyName && (
                        <Text size="xs" c="dimmed" truncate>
                          {lead.companyName}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{stage?.name ?? '—'}</Text>
                    </Table.Td>
                    <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                      <Text size="sm">{money(lead.value, lead.currency)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge size="sm" variant="light" color={PRIORITY_COLORS[lead.priority]}>
                        {humanize(lead.priority)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">
                        {lead.assigneeId ? (memberNames.get(lead.assigneeId) ?? '…') : 'Unassigned'}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">
                        {lead.nextFollowUpAt ? relative(lead.nextFollowUpAt) : '—'}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{lead.daysInStage}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{relative(lead.createdAt)}</Text>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
              {paddingBottom > 0 && (
                <tr aria-hidden="true">
                  <td colSpan={8} style={{ height: paddingBottom, padding: 0 }} />
                </tr>
              )}
            </Table.Tbody>
          </Table>
          {isFetchingNextPage && (
            <Text size="sm" c="dimmed" ta="center" py="xs">
              Loading more…
            </Text>
          )}
        </div>
      )}
    </Stack>
  );
}
