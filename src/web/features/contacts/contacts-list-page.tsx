// The contacts list: search and filters live in the URL (shareable, back-button safe); pages
// come from the server by cursor, sorted by last name, and only the visible rows are rendered.
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
import type { Contact } from '../../lib/types';
import { useCompany } from '../companies/api/companies-api';
import { useContactsList, type ContactFilters } from './api/contacts-api';
import { LIFECYCLE_STAGES } from './components/contact-schemas';
import { NewContactModal } from './components/new-contact-modal';
import { CompanySelect } from './components/record-pickers';
import { ExportCsvButton } from './components/record-parts';
import { ROW_HEIGHT, VirtualTable } from './components/virtual-table';

const FILTER_KEYS = [
  'q',
  'companyId',
  'lifecycleStage',
  'tag',
  'includeArchived',
] as const satisfies readonly (keyof ContactFilters)[];

function filtersFrom(params: URLSearchParams): ContactFilters {
  const filters: ContactFilters = {};
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
  filters: ContactFilters;
  setFilter: (key: keyof ContactFilters, value: string | null) => void;
}) {
  const [q, setQ] = useState(filters.q ?? '');
  const applyQ = useDebouncedCallback((value: string) => setFilter('q', value.trim() || null), 300);
  const company = useCompany(filters.companyId ?? null);
  return (
    <Group gap="xs" align="end" role="search" aria-label="Filter contacts">
      <TextInput
        size="xs"
        w={240}
        label="Search"
        placeholder="Name, email or phone"
        value={q}
        onChange={(event) => {
          setQ(event.currentTarget.value);
          applyQ(event.currentTarget.value);
        }}
      />
      <CompanySelect
        size="xs"
        w={220}
        label="Company"
        key={company.data?.id ?? 'none'}
        value={filters.companyId ?? null}
        selectedName={company.data?.name}
        onChange={(id) => setFilter('companyId', id)}
      />
      <Select
        size="xs"
        w={160}
        clearable
        label="Lifecycle stage"
        data={LIFECYCLE_STAGES.map((value) => ({ value, label: humanize(value) }))}
        value={filters.lifecycleStage ?? null}
        onChange={(value) => setFilter('lifecycleStage', value)}
      />
      <TextInput
        size="xs"
        w={120}
        label="Tag"
        defaultValue={filters.tag ?? ''}
        onBlur={(event) => setFilter('tag', event.currentTarget.value.trim() || null)}
        onKeyDown={(event) => {
          if (event.key === 'Enter') setFilter('tag', event.currentTarget.value.trim() || null);
        }}
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

function ContactRow({ contact }: { contact: Contact }) {
  const navigate = useNavigate();
  const { relative } = useSession();
  const phone = contact.phones[0];
  const email = contact.emails[0];
  return (
    <Table.Tr
      data-testid="contact-list-row"
      style={{ height: ROW_HEIGHT, cursor: 'pointer' }}
      onClick={() => void navigate(`/contacts/${contact.id}`)}
    >
      <Table.Td maw={260}>
        <Anchor
          component={Link}
          to={`/contacts/${contact.id}`}
          size="sm"
          fw={500}
          onClick={(event) => event.stopPropagation()}
        >
          {contact.name || 'Unnamed contact'}
        </Anchor>
        {contact.archived && (
          <Badge size="xs" color="gray" ml={6}>
            Archived
          </Badge>
        )}
        {contact.doNotContact && (
          <Badge size="xs" color="red" ml={6}>
            Do not contact
          </Badge>
        )}
      </Table.Td>
      <Table.Td maw={260}>
        <Text size="sm" truncate>
          {email?.value ?? '—'}
        </Text>
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Text size="sm">{phone?.value ?? '—'}</Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{humanize(contact.lifecycleStage)}</Text>
      </Table.Td>
      <Table.Td maw={200}>
        <Text size="sm" truncate>
          {contact.tags.join(', ') || '—'}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{relative(contact.updatedAt)}</Text>
      </Table.Td>
    </Table.Tr>
  );
}

export function ContactsListPage() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFrom(params), [params]);
  const list = useContactsList(filters);
  const { can } = useSession();
  const [creating, { open, close }] = useDisclosure(false);

  const setFilter = (key: keyof ContactFilters, value: string | null) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value) next.set(key, value);
        else next.delete(key);
        return next;
      },
      { replace: true },
    );

  const contacts = useMemo(() => list.data?.pages.flatMap((page) => page.items) ?? [], [list.data]);
  const hasFilters = FILTER_KEYS.some((key) => key !== 'includeArchived' && filters[key]);

  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <div>
          <Title order={1}>Contacts</Title>
          <Text size="sm" c="dimmed">
            People, sorted by last name.
          </Text>
        </div>
        <Group gap="xs">
          <ExportCsvButton entity="contacts" filters={filters} />
          {can('lead:create') && <Button onClick={open}>New contact</Button>}
        </Group>
      </Group>
      <NewContactModal opened={creating} onClose={close} />
      <Filters filters={filters} setFilter={setFilter} />
      {list.isPending ? (
        <PageSkeleton rows={10} />
      ) : list.isError ? (
        <ErrorScreen error={list.error} onRetry={() => void list.refetch()} />
      ) : contacts.length === 0 ? (
        <Stack align="center" py="xl">
          <Text>{hasFilters ? 'No contact matches these filters.' : 'No contacts yet.'}</Text>
          {hasFilters ? (
            <Button variant="light" onClick={() => setParams({}, { replace: true })}>
              Clear filters
            </Button>
          ) : can('lead:create') ? (
            <Button onClick={open}>Add the first contact</Button>
          ) : (
            <Text size="sm" c="dimmed">
              Contacts appear here as inquiries come in.
            </Text>
          )}
        </Stack>
      ) : (
        <VirtualTable
          label="Contacts table"
          rows={contacts}
          columns={6}
          hasNextPage={list.hasNextPage}
          isFetchingNextPage={list.isFetchingNextPage}
          fetchNextPage={list.fetchNextPage}
          head={
            <Table.Tr>
              <Table.Th aria-sort="ascending">Name ▲</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>Phone</Table.Th>
              <Table.Th>Lifecycle stage</Table.Th>
              <Table.Th>Tags</Table.Th>
              <Table.Th>Last changed</Table.Th>
            </Table.Tr>
          }
          renderRow={(contact) => <ContactRow key={contact.id} contact={contact} />}
        />
      )}
    </Stack>
  );
}
