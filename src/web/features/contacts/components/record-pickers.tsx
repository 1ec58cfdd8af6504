// Searchable pickers for a company or a contact: the server searches (q) as one types, so they
// work however many records a workspace holds.
import { Select, type SelectProps } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useCompanyOptions } from '../../companies/api/companies-api';
import { useContactOptions } from '../api/contacts-api';

type PickerProps = Omit<SelectProps, 'data' | 'value' | 'onChange' | 'searchValue'> & {
  value: string | null;
  /** The name of the chosen record, shown before the search has loaded it. */
  selectedName?: string | undefined;
  onChange: (id: string | null, name: string | null) => void;
};

function options(
  found: { id: string; name: string }[] | undefined,
  value: string | null,
  selectedName: string | undefined,
) {
  const data = (found ?? []).map((record) => ({
    value: record.id,
    label: record.name || 'Unnamed',
  }));
  if (value && !data.some((option) => option.value === value)) {
    data.unshift({ value, label: selectedName || 'Current choice' });
  }
  return data;
}

function usePickerSearch(selectedName: string | undefined) {
  const [search, setSearch] = useState(selectedName ?? '');
  const [debounced] = useDebouncedValue(search, 250);
  // The chosen record's own name shows in the box; searching for it would hide the others.
  return { search, setSearch, query: debounced === selectedName ? '' : debounced };
}

export function CompanySelect({ value, selectedName, onChange, ...props }: PickerProps) {
  const { search, setSearch, query } = usePickerSearch(selectedName);
  const found = useCompanyOptions(query);
  return (
    <Select
      searchable
      clearable
      placeholder="Search companies"
      nothingFoundMessage={found.isFetching ? 'Searching…' : 'No company found'}
      {...props}
      data={options(found.data, value, selectedName)}
      filter={({ options: all }) => all}
      value={value}
      searchValue={search}
      onSearchChange={setSearch}
      onChange={(id, option) => onChange(id, option?.label ?? null)}
    />
  );
}

export function ContactSelect({ value, selectedName, onChange, ...props }: PickerProps) {
  const { search, setSearch, query } = usePickerSearch(selectedName);
  const found = useContactOptions(query);
  return (
    <Select
      searchable
      clearable
      placeholder="Search contacts"
      nothingFoundMessage={found.isFetching ? 'Searching…' : 'No contact found'}
      {...props}
      data={options(found.data, value, selectedName)}
      filter={({ options: all }) => all}
      value={value}
      searchValue={search}
      onSearchChange={setSearch}
      onChange={(id, option) => onChange(id, option?.label ?? null)}
    />
  );
}
