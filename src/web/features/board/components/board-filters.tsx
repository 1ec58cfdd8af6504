// The board's filters (assignee, source, priority, tag, search), kept in the URL; they narrow
// the cards and the column sums alike.
import { Button, Group, Select, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useState } from 'react';
import { useLeadSources, useMembers } from '../../../app/reference-data';
import { humanize } from '../../../lib/labels';
import type { BoardFilterKey, BoardFilters as Filters } from '../api/board-api';

export function BoardFilters({
  filters,
  setFilter,
  onClear,
}: {
  filters: Filters;
  setFilter: (key: BoardFilterKey, value: string | null) => void;
  onClear: () => void;
}) {
  const members = useMembers();
  const sources = useLeadSources();
  const [q, setQ] = useState(filters.q ?? '');
  const [shownQ, setShownQ] = useState(filters.q);
  // "Clear filters" changes the search from outside: show it.
  if (shownQ !== filters.q) {
    setShownQ(filters.q);
    setQ(filters.q ?? '');
  }
  const applyQ = useDebouncedCallback((value: string) => setFilter('q', value || null), 300);
  const common = { size: 'xs' as const, clearable: true, w: 170 };
  const hasFilters = Object.values(filters).some(Boolean);
  return (
    <Group gap="xs" align="end" role="search" aria-label="Filter the board">
      <TextInput
        size="xs"
        w={200}
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
        w={120}
        label="Priority"
        data={['urgent', 'high', 'normal', 'low'].map((value) => ({
          value,
          label: humanize(value),
        }))}
        value={filters.priority ?? null}
        onChange={(value) => setFilter('priority', value)}
      />
      <TextInput
        key={filters.tag ?? ''}
        size="xs"
        w={120}
        label="Tag"
        defaultValue={filters.tag ?? ''}
        onBlur={(event) => setFilter('tag', event.currentTarget.value.trim() || null)}
        onKeyDown={(event) => {
          if (event.key === 'Enter') setFilter('tag', event.currentTarget.value.trim() || null);
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
