// The companies list: search and filters live in the URL (shareable, back-button safe); pages
// come from the server by cursor, sorted by name, and only the visible rows are rendered.
import {
  Anchor,
  Badge,
  Button,
  Group,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedCallback, useDisclosure } from '@mantine/hooks';
import { useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useSession } from '../../app/session';
import { ErrorScreen, PageSkeleton } from '../../components/ui/screens';
import { humanize } from '../../lib/labels';
import { ROW_HEIGHT, VirtualTable } from '../contacts/components/virtual-table';
import { ExportCsvButton } from '../contacts/components/record-parts';
import { useCompaniesList, type Company, type CompanyFilters } from './api/companies-api';
import { COMPANY_STATUSES } from './components/company-schemas';
import { NewCompanyModal } from './components/new-company-modal';

const FILTER_KEYS = [
  'q',
  'status',
  'includeArchived',
] as const satisfies readonly (keyof CompanyFilters)[];

function filtersFrom(params: URLSearchParams): CompanyFilters {
  const filters: CompanyFilters = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value) filters[key] = value;
  }
  return filters;
}

function Filters({
  filters,
  setFilter,
}: {
  filters: CompanyFilters;
  setFilter: (key: keyof CompanyFilters, value: string | null) => void;
}) {
  const [q, setQ] = useState(filters.q ?? '');
  const applyQ = useDebouncedCallback((value: string) => setFilter('q', value.trim() || null), 300);
  return (
    <Group gap="xs" align="end" role="search" aria-label="Filter companies">
      <TextInput
        size="xs"
        w={240}
        label="Search"
        placeholder="Company name"
        value={q}
        onChange={(event) => {
          setQ(event.currentTarget.value);
          applyQ(event.currentTarget.value);
        }}
      />
      <Select
        size="xs"
        w={170}
        clearable
        label="Status"
        data={COMPANY_STATUSES.map((value) => ({ value, label: humanize(value) }))}
        value={filters.status ?? null}
        onChange={(value) => setFilter('status', value)}
      />
      <Switch
        size="sm"
        mb={6}
        label="Show archived"
        checked={filters.includeArchived === 'true'}
        onChange={(event) =>
          setFilter('includeArchived', event.currentTarget.checked ? 'true' : null)
        }
      />
    </Group>
  );
}

function CompanyRow({ company }: { company: Company }) {
  const navigate = useNavigate();
  const { relative } = useSession();
  return (
    <Table.Tr
      data-testid="company-list-row"
      style={{ height: ROW_HEIGHT, cursor: 'pointer' }}
      onClick={() => void navigate(`/companies/${company.id}`)}
    >
      <Table.Td maw={300}>
        <Anchor
          component={Link}
          to={`/companies/${company.id}`}
          size="sm"
          fw={500}
          onClick={(event) => event.stopPropagation()}
        >
          {company.name}
        </Anchor>
        {company.archived && (
          <Badge size="xs" color="gray" ml={6}>
            Archived
          </Badge>
        )}
      </Table.Td>
      <Table.Td>
        <Text size="sm">{humanize(company.type)}</Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{humanize(company.status)}</Text>
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Text size="sm">{company.mainPhone ?? '—'}</Text>
      </Table.Td>
      <Table.Td maw={200}>
        <Text size="sm" truncate>
          {company.industry || '—'}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{relative(company.updatedAt)}</Text>
      </Table.Td>
    </Table.Tr>
  );
}

export function CompaniesListPage() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFrom(params), [params]);
  const list = useCompaniesList(filters);
  const { can } = useSession();
  const [creating, { open, close }] = useDisclosure(false);

  const setFilter = (key: keyof CompanyFilters, value: string | null) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value) next.set(key, value);
        else next.delete(key);
        return next;
      },
      { replace: true },
    );

  const companies = useMemo(
    () => list.data?.pages.flatMap((page) => page.items) ?? [],
    [list.data],
  );
  const hasFilters = FILTER_KEYS.some((key) => key !== 'includeArchived' && filters[key]);

  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <div>
          <Title order={1}>Companies</Title>
          <Text size="sm" c="dimmed">
            Businesses and households, sorted by name.
          </Text>
        </div>
        <Group gap="xs">
          <ExportCsvButton entity="companies" filters={filters} />
          {can('lead:create') && <Button onClick={open}>New company</Button>}
        </Group>
      </Group>
      <NewCompanyModal opened={creating} onClose={close} />
      <Filters filters={filters} setFilter={setFilter} />
      {list.isPending ? (
        <PageSkeleton rows={10} />
      ) : list.isError ? (
        <ErrorScreen error={list.error} onRetry={() => void list.refetch()} />
      ) : companies.length === 0 ? (
        <Stack align="center" py="xl">
          <Text>{hasFilters ? 'No company matches these filters.' : 'No companies yet.'}</Text>
          {hasFilters ? (
            <Button variant="light" onClick={() => setParams({}, { replace: true })}>
              Clear filters
            </Button>
          ) : can('lead:create') ? (
            <Button onClick={open}>Add the first company</Button>
          ) : (
            <Text size="sm" c="dimmed">
              Companies appear here when someone adds one.
            </Text>
          )}
        </Stack>
      ) : (
        <VirtualTable
          label="Companies table"
          rows={companies}
          columns={6}
          hasNextPage={list.hasNextPage}
          isFetchingNextPage={list.isFetchingNextPage}
          fetchNextPage={list.fetchNextPage}
          head={
            <Table.Tr>
              <Table.Th aria-sort="ascending">Name ▲</Table.Th>
              <Table.Th>Type</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Main phone</Table.Th>
              <Table.Th>Industry</Table.Th>
              <Table.Th>Last changed</Table.Th>
            </Table.Tr>
          }
          renderRow={(company) => <CompanyRow key={company.id} company={company} />}
        />
      )}
    </Stack>
  );
}
