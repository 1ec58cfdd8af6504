// The board's filters (assignee, source, priority, tag, search), kept in the URL; they narrow
// the cards and the column sums alike.
import { Button, Group, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useState } from 'react';
import { LeadFilterFields } from '../../leads/components/lead-filter-fields';
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
  const [q, setQ] = useState(filters.q ?? '');
  const [shownQ, setShownQ] = useState(filters.q);
  // "Clear filters" changes the search from outside: show it.
  if (shownQ !== filters.q) {
    setShownQ(filters.q);
    setQ(filters.q ?? '');
  }
  const applyQ = useDebouncedCallback((value: string) => setFilter('q', value || null), 300);
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
      <LeadFilterFields filters={filters} setFilter={setFilter} narrowWidth={120} />
      {hasFilters && (
        <Button size="xs" variant="subtle" onClick={onClear}>
          Clear filters
        </Button>
      )}
    </Group>
  );
}
