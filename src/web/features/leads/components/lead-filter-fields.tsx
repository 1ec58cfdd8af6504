// The filter controls the leads list and the board share: assignee (incl. me / unassigned),
// source, priority and tag. Each page keeps the values in its URL.
import { Select, TextInput } from '@mantine/core';
import { useLeadSources, useMembers } from '../../../app/reference-data';
import { humanize } from '../../../lib/labels';

export type SharedFilterKey = 'assigneeId' | 'sourceId' | 'priority' | 'tag';

export function LeadFilterFields({
  filters,
  setFilter,
  narrowWidth,
}: {
  filters: Partial<Record<SharedFilterKey, string>>;
  setFilter: (key: SharedFilterKey, value: string | null) => void;
  /** Width of the short controls (priority, tag). */
  narrowWidth: number;
}) {
  const members = useMembers();
  const sources = useLeadSources();
  const common = { size: 'xs' as const, clearable: true, w: 170 };
  const setTag = (value: string) => setFilter('tag', value.trim() || null);
  return (
    <>
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
        w={narrowWidth}
        label="Priority"
        data={['urgent', 'high', 'normal', 'low'].map((value) => ({
          value,
          label: humanize(value),
        }))}
        value={filters.priority ?? null}
        onChange={(value) => setFilter('priority', value)}
      />
      <TextInput
        // A saved view or "Clear filters" resets what is typed.
        key={filters.tag ?? ''}
        size="xs"
        w={narrowWidth}
        label="Tag"
        defaultValue={filters.tag ?? ''}
        onBlur={(event) => setTag(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter') setTag(event.currentTarget.value);
        }}
      />
    </>
  );
}
