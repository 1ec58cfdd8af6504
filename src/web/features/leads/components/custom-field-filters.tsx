// Filters on lead custom fields: "Add filter" offers the fields the server can filter on
// (not sensitive, long text or phone ones); each chosen field gets a control. Values live in
// the URL as `cf.<key>=<value>` and go to the API as `cf=<key>:<value>`.
import { ActionIcon, Button, Group, Menu, Select, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useSession } from '../../../app/session';
import { formatMoney, parseMoney } from '../../../lib/format';
import type { CustomField } from '../../../lib/types';

export function isFilterable(field: CustomField): boolean {
  if (field.archived || field.sensitive) return false;
  switch (field.type) {
    case 'text':
    case 'number':
    case 'money':
    case 'date':
    case 'boolean':
    case 'select':
    case 'multiselect':
    case 'email':
    case 'url':
      return true;
    case 'long_text':
    case 'phone':
      return false;
  }
}

/** A typed value is applied when the field is left or Enter is pressed. */
function TypedFilter({
  field,
  value,
  onApply,
  type = 'text',
}: {
  field: CustomField;
  value: string;
  onApply: (text: string) => void;
  type?: 'text' | 'date' | 'number';
}) {
  return (
    <TextInput
      // A new value from the URL (a view, a clear) resets what is typed.
      key={value}
      size="xs"
      w={type === 'date' ? 150 : 140}
      type={type}
      label={field.label}
      defaultValue={value}
      onBlur={(event) => onApply(event.currentTarget.value.trim())}
      onKeyDown={(event) => {
        if (event.key === 'Enter') onApply(event.currentTarget.value.trim());
      }}
    />
  );
}

function FilterControl({
  field,
  value,
  onChange,
}: {
  field: CustomField;
  value: string;
  onChange: (value: string | null) => void;
}) {
  const { format } = useSession();
  const common = { size: 'xs' as const, w: 170, label: field.label, clearable: true };
  switch (field.type) {
    case 'select':
    case 'multiselect':
      return (
        <Select
          {...common}
          data={field.options.map((option) => ({ value: option.value, label: option.label }))}
          value={value || null}
          onChange={onChange}
        />
      );
    case 'boolean':
      return (
        <Select
          {...common}
          w={120}
          data={[
            { value: 'true', label: 'Yes' },
            { value: 'false', label: 'No' },
          ]}
          value={value || null}
          onChange={onChange}
        />
      );
    case 'money': {
      // The URL holds minor units; people type an amount in the workspace's format.
      const shown = value
        ? formatMoney(Number(value), format.currency, format.locale).replace(/[^\d.,-]/g, '')
        : '';
      return (
        <TypedFilter
          field={field}
          value={shown}
          onApply={(text) => {
            const minor = text ? parseMoney(text, format.currency, format.locale) : null;
            onChange(minor === null ? null : String(minor));
          }}
        />
      );
    }
    case 'number':
      return (
        <TypedFilter
          field={field}
          type="number"
          value={value}
          onApply={(text) => onChange(text || null)}
        />
      );
    case 'date':
      return (
        <TypedFilter
          field={field}
          type="date"
          value={value}
          onApply={(text) => onChange(text || null)}
        />
      );
    case 'text':
    case 'email':
    case 'url':
    case 'long_text':
    case 'phone':
      return <TypedFilter field={field} value={value} onApply={(text) => onChange(text || null)} />;
  }
}

export function CustomFieldFilters({
  fields,
  values,
  onChange,
}: {
  fields: readonly CustomField[];
  /** The current filters by field key. */
  values: Record<string, string>;
  onChange: (key: string, value: string | null) => void;
}) {
  // Fields added from the menu show a control before they have a value.
  const [added, setAdded] = useState<string[]>([]);
  const filterable = fields.filter(isFilterable);
  const shown = filterable.filter((field) => values[field.key] || added.includes(field.key));
  const addable = filterable.filter((field) => !shown.includes(field));
  if (filterable.length === 0) return null;
  return (
    <Group gap="xs" align="end">
      {shown.map((field) => (
        <Group key={field.id} gap={2} align="end" wrap="nowrap">
          <FilterControl
            field={field}
            value={values[field.key] ?? ''}
            onChange={(value) => onChange(field.key, value)}
          />
          <ActionIcon
            variant="subtle"
            color="gray"
            size="md"
            aria-label={`Remove filter ${field.label}`}
            onClick={() => {
              setAdded((keys) => keys.filter((key) => key !== field.key));
              onChange(field.key, null);
            }}
          >
            ×
          </ActionIcon>
        </Group>
      ))}
      {addable.length > 0 && (
        <Menu position="bottom-start">
          <Menu.Target>
            <Button size="xs" variant="light">
              Add filter
            </Button>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Label>Custom fields</Menu.Label>
            {addable.map((field) => (
              <Menu.Item key={field.id} onClick={() => setAdded((keys) => [...keys, field.key])}>
                {field.label}
              </Menu.Item>
            ))}
          </Menu.Dropdown>
        </Menu>
      )}
    </Group>
  );
}
