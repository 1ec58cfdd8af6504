// The analytics dashboard: one set of filters (kept in the URL, so a view can be shared or
// reloaded) over every report, each drawn as a chart and readable as a table.
import '@mantine/charts/styles.css';
import { Button, Group, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { useLeadSources, useMembers, usePipelines } from '../../app/reference-data';
import { useSession } from '../../app/session';
import {
  FILTER_KEYS,
  PERIOD_LABELS,
  PERIODS,
  filtersFrom,
  periodRange,
  reportQueryOf,
  todayIn,
  type AnalyticsFilters,
  type FilterKey,
  type Period,
} from './api/analytics-filters';
import {
  CoordinatorsSection,
  LostReasonsSection,
  SourcesSection,
} from './components/people-reports';
import {
  ForecastSection,
  FunnelSection,
  TimeInStageSection,
  VelocitySection,
} from './components/pipeline-reports';

type SetParam = (key: FilterKey | 'period' | 'from' | 'to', value: string | null) => void;

function Filters({
  filters,
  range,
  setParam,
  setPeriod,
  onClear,
}: {
  filters: AnalyticsFilters;
  range: { from: string; to: string };
  setParam: SetParam;
  setPeriod: (period: Period) => void;
  onClear: () => void;
}) {
  const pipelines = usePipelines();
  const sources = useLeadSources();
  const members = useMembers();
  const common = { size: 'xs' as const, clearable: true, w: 180 };
  const setTag = (value: string) => setParam('tag', value.trim() || null);
  const hasFilters =
    filters.period !== 'last90' || FILTER_KEYS.some((key) => filters[key] !== undefined);
  return (
    <Group gap="xs" align="end" role="search" aria-label="Filter the reports">
      <Select
        size="xs"
        w={150}
        label="Period"
        allowDeselect={false}
        data={PERIODS.map((value) => ({ value, label: PERIOD_LABELS[value] }))}
        value={filters.period}
        onChange={(value) => value && setPeriod(value)}
      />
      {filters.period === 'custom' && (
        <>
          <TextInput
            size="xs"
            type="date"
            label="From"
            value={range.from}
            max={range.to}
            onChange={(event) => setParam('from', event.currentTarget.value || null)}
          />
          <TextInput
            size="xs"
            type="date"
            label="To"
            value={range.to}
            min={range.from}
            onChange={(event) => setParam('to', event.currentTarget.value || null)}
          />
        </>
      )}
      <Select
        {...common}
        label="Pipeline"
        placeholder="Default pipeline"
        data={(pipelines.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
        value={filters.pipelineId ?? null}
        onChange={(value) => setParam('pipelineId', value)}
      />
      <Select
        {...common}
        label="Source"
        placeholder="All sources"
        searchable
        data={(sources.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
        value={filters.sourceId ?? null}
        onChange={(value) => setParam('sourceId', value)}
      />
      <Select
        {...common}
        label="Assignee"
        placeholder="Everyone"
        searchable
        data={(members.data ?? []).map((m) => ({ value: m.id, label: m.name }))}
        value={filters.assigneeId ?? null}
        onChange={(value) => setParam('assigneeId', value)}
      />
      <TextInput
        // "Clear filters" resets what is typed.
        key={filters.tag ?? ''}
        size="xs"
        w={130}
        label="Tag"
        defaultValue={filters.tag ?? ''}
        onBlur={(event) => setTag(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter') setTag(event.currentTarget.value);
        }}
      />
      {hasFilters && (
        <Button size="xs" variant="subtle" onClick={onClear}>
          Clear filters
        </Button>
      )}
    </Group>
  );
}

export function AnalyticsPage() {
  const { format, date } = useSession();
  const [params, setParams] = useSearchParams();
  const filters = filtersFrom(params);
  const today = todayIn(format.timeZone);
  const range = periodRange(filters, today);
  const queryKey = params.toString();
  // One query object per URL state keeps every report's cache key stable between renders.
  const query = useMemo(
    () => reportQueryOf(filtersFrom(new URLSearchParams(queryKey)), today),
    [queryKey, today],
  );

  const setParam: SetParam = (key, value) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value) next.set(key, value);
        else next.delete(key);
        return next;
      },
      { replace: true },
    );
  const setPeriod = (period: Period) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        next.set('period', period);
        // A custom period starts from the dates shown now; presets need none in the URL.
        if (period === 'custom') {
          next.set('from', range.from);
          next.set('to', range.to);
        } else {
          next.delete('from');
          next.delete('to');
        }
        return next;
      },
      { replace: true },
    );

  const currency = format.currency;
  return (
    <Stack gap="md">
      <Group justify="space-between" align="end">
        <div>
          <Title order={1}>Analytics</Title>
          <Text size="sm" c="dimmed" data-testid="analytics-period">
            Leads created {date(range.from)} – {date(range.to)} ({format.timeZone}); values in{' '}
            {currency}.
          </Text>
        </div>
      </Group>
      <Filters
        filters={filters}
        range={range}
        setParam={setParam}
        setPeriod={setPeriod}
        onClear={() => setParams(new URLSearchParams(), { replace: true })}
      />
      <FunnelSection query={query} currency={currency} />
      <SourcesSection query={query} currency={currency} />
      <CoordinatorsSection query={query} currency={currency} />
      <LostReasonsSection query={query} currency={currency} />
      <TimeInStageSection query={query} currency={currency} />
      <VelocitySection query={query} currency={currency} />
      <ForecastSection query={query} currency={currency} />
    </Stack>
  );
}
