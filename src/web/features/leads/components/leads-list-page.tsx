// The leads list: search, filters and sort live in the URL (shareable, back-button safe; a
// saved view writes its filters there too); pages come from the server by cursor and only the
// visible rows are rendered. Rows can be selected for bulk actions and walked with the keyboard
// (`/` search, j/k or arrows, Enter opens, x selects).
import {
  Anchor,
  Button,
  Checkbox,
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
import { useEffect, useMemo, useRef, useState, type ReactNode, type RefObject } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import {
  stageIndex,
  useLeadCustomFields,
  useLeadSources,
  useMembers,
  usePipelines,
} from '../../../app/reference-data';
import { useSession } from '../../../app/session';
import { ErrorScreen, PageSkeleton } from '../../../components/ui/screens';
import { humanize } from '../../../lib/labels';
import { useLeadsList, type LeadFilters, type LeadListItem } from '../api/leads-api';
import { useSavedViews } from '../api/saved-views-api';
import { BulkActionsBar, BulkResultAlert, ExportMenu, type BulkOutcome } from './bulk-actions';
import { ColumnChooser, useColumnChoice } from './column-chooser';
import { CustomFieldFilters } from './custom-field-filters';
import { LeadFilterFields } from './lead-filter-fields';
import { availableColumns, type ColumnContext, type SortKey } from './lead-columns';
import {
  DEFAULT_SORT,
  LIST_FILTER_KEYS,
  VIEW_PARAM,
  customFieldFiltersOf,
  leadFiltersOf,
  setCustomFieldFilter,
  type ListFilterKey,
} from './list-state';
import { SavedViewsBar, canEditView } from './saved-views';

const ROW_HEIGHT = 49;
// The sticky header sits above the rows inside the scrolling box; rows scrolled to from below
// must clear it (about 37 px, with room to spare).
const HEADER_HEIGHT = 40;

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
  align?: 'right' | undefined;
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
  searchRef,
  children,
}: {
  filters: LeadFilters;
  setFilter: (key: ListFilterKey, value: string | null) => void;
  searchRef: RefObject<HTMLInputElement | null>;
  children: ReactNode;
}) {
  const pipelines = usePipelines();
  const [q, setQ] = useState(filters.q ?? '');
  const [shownQ, setShownQ] = useState(filters.q);
  // A view or "Clear filters" changes the search from outside: show it.
  if (shownQ !== filters.q) {
    setShownQ(filters.q);
    setQ(filters.q ?? '');
  }
  const applyQ = useDebouncedCallback((value: string) => setFilter('q', value || null), 300);
  const pipeline = pipelines.data?.find((p) => p.id === filters.pipelineId);
  const common = { size: 'xs' as const, clearable: true, w: 170 };
  return (
    <Group gap="xs" align="end" role="search" aria-label="Filter leads">
      <TextInput
        ref={searchRef}
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
      <LeadFilterFields filters={filters} setFilter={setFilter} narrowWidth={110} />
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
      <Select
        {...common}
        w={120}
        label="Min score"
        data={['30', '50', '70', '90'].map((score) => ({ value: score, label: `${score}+` }))}
        value={filters.minScore ?? null}
        onChange={(value) => setFilter('minScore', value)}
      />
      {children}
    </Group>
  );
}

/** Keys typed into a field are the field's, not the list's. */
function isTypingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement) return true;
  if (target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type);
  }
  return false;
}

export function LeadsListPage() {
  const session = useSession();
  const { money, relative, date, format } = session;
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => leadFiltersOf(params), [params]);
  const filtersKey = JSON.stringify(filters);
  const sort = filters.sort ?? DEFAULT_SORT;
  const list = useLeadsList(filters);
  const pipelines = usePipelines();
  const members = useMembers();
  const sources = useLeadSources();
  const customFields = useLeadCustomFields();
  const savedViews = useSavedViews();
  const navigate = useNavigate();
  const numbers = useMemo(() => new Intl.NumberFormat(format.locale), [format.locale]);

  const viewId = params.get(VIEW_PARAM);
  const activeView = savedViews.data?.find((view) => view.id === viewId);
  const columnChoice = useColumnChoice(
    activeView,
    activeView !== undefined && canEditView(activeView, session),
  );
  const available = useMemo(() => availableColumns(customFields.data), [customFields.data]);
  const columns = available.filter((column) => columnChoice.columns.includes(column.id));

  const stages = useMemo(() => stageIndex(pipelines.data), [pipelines.data]);
  const context = useMemo<ColumnContext>(() => {
    const memberNames = new Map((members.data ?? []).map((m) => [m.id, m.name]));
    const sourceNames = new Map((sources.data ?? []).map((s) => [s.id, s.name]));
    return {
      stageName: (id) => stages.get(id)?.name,
      memberName: (id) => memberNames.get(id),
      sourceName: (id) => sourceNames.get(id),
      money,
      date,
      relative,
    };
  }, [members.data, sources.data, stages, money, date, relative]);

  const updateParams = (change: (next: URLSearchParams) => void) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        change(next);
        return next;
      },
      { replace: true },
    );
  const setFilter = (key: ListFilterKey | 'sort', value: string | null) =>
    updateParams((next) => (value ? next.set(key, value) : next.delete(key)));
  const setCustomFilter = (key: string, value: string | null) =>
    updateParams((next) => setCustomFieldFilter(next, key, value));

  const leads: LeadListItem[] = useMemo(
    () => list.data?.pages.flatMap((page) => page.items) ?? [],
    [list.data],
  );
  const total = list.data?.pages[0]?.total;

  // The selection belongs to the filters it was made under.
  const [selection, setSelection] = useState({ key: filtersKey, ids: new Set<string>() });
  const selectedIds = selection.key === filtersKey ? selection.ids : new Set<string>();
  const setSelectedIds = (ids: Set<string>) => setSelection({ key: filtersKey, ids });
  const toggleSelected = (id: string) => {
    const next = new Set(selectedIds);
    if (!next.delete(id)) next.add(id);
    setSelectedIds(next);
  };
  const selectedLeads = leads.filter((lead) => selectedIds.has(lead.id));
  const allSelected = leads.length > 0 && selectedLeads.length === leads.length;
  const [outcome, setOutcome] = useState<{
    outcome: BulkOutcome;
    titles: Map<string, string>;
  } | null>(null);

  const scrollRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const virtualizer = useVirtualizer({
    count: leads.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    scrollPaddingEnd: HEADER_HEIGHT,
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

  // Keyboard: one row is the tab stop (roving tabindex); moving scrolls it into view first,
  // then focuses it once the virtual list has rendered it.
  const [activeIndex, setActiveIndex] = useState(0);
  const [focusedIndex, setFocusedIndex] = useState<number | null>(null);
  const pendingFocus = useRef<number | null>(null);
  const current = Math.min(activeIndex, Math.max(leads.length - 1, 0));
  useEffect(() => {
    const index = pendingFocus.current;
    if (index === null) return;
    const row = scrollRef.current?.querySelector<HTMLElement>(`[data-row-index="${index}"]`);
    if (row) {
      pendingFocus.current = null;
      row.focus({ preventScroll: true });
    }
  });
  const moveTo = (index: number) => {
    if (leads.length === 0) return;
    const next = Math.max(0, Math.min(leads.length - 1, index));
    setActiveIndex(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
    const row = scrollRef.current?.querySelector<HTMLElement>(`[data-row-index="${next}"]`);
    // A row not rendered yet is focused once the scroll has rendered it.
    if (row) row.focus({ preventScroll: true });
    else pendingFocus.current = next;
  };
  const onKey = useRef<(event: KeyboardEvent) => void>(() => undefined);
  useEffect(() => {
    onKey.current = (event) => {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      const target = event.target;
      if (isTypingIn(target)) return;
      if (event.key === '/') {
        event.preventDefault();
        searchRef.current?.focus();
        return;
      }
      // Keys in a dialog or an open menu are theirs.
      if (target instanceof Element && target.closest('[role="dialog"], [role="menu"]')) return;
      // j, k and x work from anywhere on the page; arrows, Home and End only in the table,
      // so that they still scroll the page elsewhere.
      const inTable = scrollRef.current?.contains(target as Node) ?? false;
      if (!inTable && target !== document.body) return;
      const onRow = target instanceof HTMLElement && target.dataset.rowIndex !== undefined;
      const lead = leads[current];
      switch (event.key) {
        case 'ArrowDown':
        case 'j':
          if (!inTable && event.key !== 'j') return;
          // From outside the table the first press lands on the current row.
          moveTo(inTable ? current + 1 : current);
          break;
        case 'ArrowUp':
        case 'k':
          if (!inTable && event.key !== 'k') return;
          moveTo(inTable ? current - 1 : current);
          break;
        case 'Home':
        case 'End':
          if (!inTable) return;
          moveTo(event.key === 'Home' ? 0 : leads.length - 1);
          break;
        case 'Enter':
          if (!onRow || !lead) return;
          void navigate(`/leads/${lead.id}`);
          break;
        case 'x':
          if (!lead) return;
          toggleSelected(lead.id);
          break;
        default:
          return;
      }
      event.preventDefault();
    };
  });
  useEffect(() => {
    const listener = (event: KeyboardEvent) => onKey.current(event);
    document.addEventListener('keydown', listener);
    return () => document.removeEventListener('keydown', listener);
  }, []);

  const paddingTop = items[0]?.start ?? 0;
  const paddingBottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);
  const customFilters = customFieldFiltersOf(params);
  const hasFilters =
    LIST_FILTER_KEYS.some((key) => filters[key]) || Object.keys(customFilters).length > 0;
  const columnCount = columns.length + 2;

  return (
    <Stack gap="sm">
      <Group justify="space-between" gap="xs">
        <Group gap="sm" align="baseline">
          <Title order={1}>Leads</Title>
          <Text c="dimmed" size="sm" aria-live="polite">
            {total !== undefined ? `${numbers.format(total)} leads` : ''}
          </Text>
        </Group>
        <Group gap="xs">
          <SavedViewsBar
            views={savedViews.data ?? []}
            active={activeView}
            params={params}
            columns={columnChoice.columns}
            onApply={(next) => setParams(next, { replace: true })}
            onClear={({ keepFilters }) =>
              keepFilters ? updateParams((next) => next.delete(VIEW_PARAM)) : setParams({})
            }
          />
          <ColumnChooser available={available} choice={columnChoice} />
          {session.can('lead:create') && (
            <Button component={Link} to="/import" variant="default">
              Import
            </Button>
          )}
          <ExportMenu
            filters={filters}
            selectedIds={selectedLeads.map((lead) => lead.id)}
            total={total}
          />
        </Group>
      </Group>
      <Filters filters={filters} setFilter={setFilter} searchRef={searchRef}>
        <CustomFieldFilters
          fields={customFields.data ?? []}
          values={customFilters}
          onChange={setCustomFilter}
        />
      </Filters>
      {outcome && (
        <BulkResultAlert
          outcome={outcome.outcome}
          titleOf={(id) => outcome.titles.get(id)}
          onClose={() => setOutcome(null)}
        />
      )}
      {selectedLeads.length > 0 && (
        <BulkActionsBar
          selected={selectedLeads}
          onClear={() => setSelectedIds(new Set())}
          onDone={(done) => {
            setOutcome({
              outcome: done,
              titles: new Map(selectedLeads.map((lead) => [lead.id, lead.title])),
            });
            // The failed ones stay selected, to fix and retry.
            setSelectedIds(new Set(done.result.failed.map((failure) => failure.id)));
          }}
        />
      )}
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
        <>
          <div
            ref={scrollRef}
            style={{ height: 'calc(100vh - 330px)', minHeight: 320, overflow: 'auto' }}
            aria-label="Leads table"
            role="region"
          >
            <Table
              highlightOnHover
              stickyHeader
              verticalSpacing="xs"
              // Wide enough for every chosen column; the box scrolls sideways past that.
              miw={Math.max(900, 320 + 140 * columns.length)}
            >
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={36}>
                    <Checkbox
                      size="xs"
                      aria-label="Select all loaded leads"
                      checked={allSelected}
                      indeterminate={selectedLeads.length > 0 && !allSelected}
                      onChange={() =>
                        setSelectedIds(
                          allSelected ? new Set() : new Set(leads.map((lead) => lead.id)),
                        )
                      }
                    />
                  </Table.Th>
                  <Table.Th>Lead</Table.Th>
                  {columns.map((column) =>
                    column.sortKey ? (
                      <SortHeader
                        key={column.id}
                        label={column.label}
                        sortKey={column.sortKey}
                        sort={sort}
                        onSort={(s) => setFilter('sort', s)}
                        align={column.align}
                      />
                    ) : (
                      <Table.Th
                        key={column.id}
                        style={{ textAlign: column.align ?? 'left', whiteSpace: 'nowrap' }}
                      >
                        {column.label}
                      </Table.Th>
                    ),
                  )}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {paddingTop > 0 && (
                  <tr aria-hidden="true">
                    <td colSpan={columnCount} style={{ height: paddingTop, padding: 0 }} />
                  </tr>
                )}
                {items.map((item) => {
                  const lead = leads[item.index];
                  if (!lead) return null;
                  const selected = selectedIds.has(lead.id);
                  const focused = focusedIndex === item.index;
                  return (
                    <Table.Tr
                      key={lead.id}
                      data-testid="lead-list-row"
                      data-row-index={item.index}
                      tabIndex={item.index === current ? 0 : -1}
                      aria-selected={selected}
                      bg={selected ? 'var(--mantine-color-blue-0)' : undefined}
                      style={{
                        height: ROW_HEIGHT,
                        cursor: 'pointer',
                        outline: focused ? '2px solid var(--mantine-color-blue-7)' : undefined,
                        outlineOffset: -2,
                      }}
                      onFocus={() => {
                        setActiveIndex(item.index);
                        setFocusedIndex(item.index);
                      }}
                      onBlur={() => setFocusedIndex(null)}
                      onClick={() => void navigate(`/leads/${lead.id}`)}
                    >
                      <Table.Td onClick={(event) => event.stopPropagation()}>
                        <Checkbox
                          size="xs"
                          aria-label={`Select ${lead.title}`}
                          checked={selected}
                          onChange={() => toggleSelected(lead.id)}
                        />
                      </Table.Td>
                      <Table.Td maw={280} style={{ whiteSpace: 'nowrap' }}>
                        <Anchor
                          display="block"
                          truncate
                          component={Link}
                          to={`/leads/${lead.id}`}
                          size="sm"
                          fw={500}
                          tabIndex={-1}
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
                      {columns.map((column) => (
                        <Table.Td
                          key={column.id}
                          data-column={column.id}
                          ta={column.align}
                          style={{ whiteSpace: 'nowrap' }}
                        >
                          {column.render(lead, context)}
                        </Table.Td>
                      ))}
                    </Table.Tr>
                  );
                })}
                {paddingBottom > 0 && (
                  <tr aria-hidden="true">
                    <td colSpan={columnCount} style={{ height: paddingBottom, padding: 0 }} />
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
          <Text size="xs" c="dimmed">
            Keys: / search · j k or ↑ ↓ move · Enter opens · x selects
          </Text>
        </>
      )}
    </Stack>
  );
}
