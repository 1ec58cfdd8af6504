// Custom fields per record type (lead, contact, company): every field type, options for select
// and multiselect, required and sensitive flags; archived fields keep their values and can be
// restored. Key, type and sensitive never change once a field exists.
import { zodResolver } from '@hookform/resolvers/zod';
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  Group,
  Modal,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Controller, useFieldArray, useForm, useWatch } from 'react-hook-form';
import { useSearchParams } from 'react-router';
import type { z } from 'zod';
import {
  createCustomFieldBodySchema,
  customFieldRecordTypeSchema,
  customFieldTypeSchema,
} from '../../../server/modules/custom-fields/custom-fields.schemas';
import { PageSkeleton, QueryView } from '../../components/ui/screens';
import { ApiError } from '../../lib/api-client';
import { applyServerErrors } from '../../lib/forms';
import type { CustomField } from '../../lib/types';
import { useAllCustomFields, useCustomFieldActions, type RecordType } from './settings-api';
import { ConfirmDialog, EmptyHint, SectionHeader } from './settings-ui';

const RECORD_TYPE_LABELS: Record<RecordType, string> = {
  lead: 'Leads',
  contact: 'Contacts',
  company: 'Companies',
};
const TYPE_LABELS: Record<CustomField['type'], string> = {
  text: 'Text',
  long_text: 'Long text',
  number: 'Number',
  money: 'Money',
  date: 'Date',
  boolean: 'Yes / no',
  select: 'One of a list',
  multiselect: 'Several of a list',
  email: 'Email',
  phone: 'Phone',
  url: 'Web address',
};
const HAS_OPTIONS = new Set<CustomField['type']>(['select', 'multiselect']);

type FieldInput = z.input<typeof createCustomFieldBodySchema>;
type FieldValues = z.output<typeof createCustomFieldBodySchema>;

/** `Date of birth` → `date_of_birth`: a key starts with a letter, then a-z, 0-9 and _. */
function toKey(label: string): string {
  const key = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 60);
  return /^[a-z]/.test(key) ? key : key ? `f_${key}` : '';
}

/** An option's stored value from its label: a-z, 0-9, _ and -. */
function toOptionValue(label: string): string {
  return toKey(label).replace(/^f_/, '');
}

function FieldDialog({
  recordType,
  field,
  onClose,
}: {
  recordType: RecordType;
  /** Null: a new field. */
  field: CustomField | null;
  onClose: () => void;
}) {
  const { create, update } = useCustomFieldActions();
  const [unmatched, setUnmatched] = useState<string[]>([]);
  const form = useForm<FieldInput, unknown, FieldValues>({
    resolver: zodResolver(createCustomFieldBodySchema),
    defaultValues: field
      ? {
          recordType: field.recordType,
          key: field.key,
          label: field.label,
          type: field.type,
          options: field.options,
          required: field.required,
          sensitive: field.sensitive,
          helpText: field.helpText,
        }
      : {
          recordType,
          key: '',
          label: '',
          type: 'text',
          options: [],
          required: false,
          sensitive: false,
          helpText: '',
        },
  });
  const options = useFieldArray({ control: form.control, name: 'options' });
  const type = useWatch({ control: form.control, name: 'type' });
  const errors = form.formState.errors;
  const existingValues = new Set(field?.options.map((option) => option.value) ?? []);

  const submit = form.handleSubmit((values) => {
    setUnmatched([]);
    const callbacks = {
      onSuccess: (saved: CustomField) => {
        notifications.show({
          color: 'green',
          message: field ? `Field saved: ${saved.label}` : `Field added: ${saved.label}`,
        });
        onClose();
      },
      onError: (error: Error) => {
        // A taken key is a conflict (409), not a field error; it belongs next to the key.
        if (error instanceof ApiError && error.status === 409) {
          form.setError('key', { type: 'server', message: error.message }, { shouldFocus: true });
          return;
        }
        const optionFields = options.fields.flatMap((_, i) => [
          `options.${i}.value` as const,
          `options.${i}.label` as const,
        ]);
        const rest = applyServerErrors(error, form.setError, [
          'key',
          'label',
          'type',
          'options',
          'required',
          'sensitive',
          'helpText',
          ...optionFields,
        ]);
        setUnmatched(rest.map((e) => e.message));
      },
    };
    if (field) {
      const { label, options: list, required, helpText } = values;
      update.mutate({ field, changes: { label, options: list, required, helpText } }, callbacks);
    } else {
      create.mutate(values, callbacks);
    }
  });

  const optionsMessage = errors.options?.message ?? errors.options?.root?.message;
  return (
    <Modal
      opened
      onClose={onClose}
      size="lg"
      title={
        field
          ? `Edit field “${field.label}”`
          : `New ${customFieldRecordTypeSchema.enum[recordType]} field`
      }
    >
      <form noValidate onSubmit={(event) => void submit(event)}>
        <Stack gap="sm">
          <Group grow align="start">
            <TextInput
              label="Label"
              required
              data-autofocus
              {...form.register('label', {
                onChange: (event: React.ChangeEvent<HTMLInputElement>) => {
                  // The key follows the label until someone types one.
                  if (!field && !form.getFieldState('key').isDirty) {
                    form.setValue('key', toKey(event.target.value));
                  }
                },
              })}
              error={errors.label?.message}
            />
            <TextInput
              label="Key"
              description={field ? 'Keys never change' : 'Used by the API, imports and filters'}
              required
              disabled={field !== null}
              {...form.register('key')}
              error={errors.key?.message}
            />
          </Group>
          <Group grow align="start">
            <Controller
              control={form.control}
              name="type"
              render={({ field: input }) => (
                <Select
                  label="Type"
                  description={field ? 'The type never changes' : 'Cannot change later'}
                  disabled={field !== null}
                  allowDeselect={false}
                  data={customFieldTypeSchema.options.map((value) => ({
                    value,
                    label: TYPE_LABELS[value],
                  }))}
                  value={input.value}
                  onChange={(value) => {
                    if (!value) return;
                    input.onChange(value);
                    const next = customFieldTypeSchema.parse(value);
                    if (HAS_OPTIONS.has(next) && options.fields.length === 0) {
                      options.append({ value: '', label: '' });
                    }
                    if (!HAS_OPTIONS.has(next)) options.replace([]);
                  }}
                  error={errors.type?.message}
                />
              )}
            />
            <Stack gap={6} pt={4}>
              <Controller
                control={form.control}
                name="required"
                render={({ field: input }) => (
                  <Checkbox
                    label="Required on new records"
                    checked={input.value ?? false}
                    onChange={(event) => input.onChange(event.currentTarget.checked)}
                  />
                )}
              />
              <Controller
                control={form.control}
                name="sensitive"
                render={({ field: input }) => (
                  <Checkbox
                    label="Sensitive"
                    description="Encrypted at rest; masked in lists and for roles that may not read sensitive data. Cannot change later."
                    disabled={field !== null}
                    checked={input.value ?? false}
                    onChange={(event) => input.onChange(event.currentTarget.checked)}
                  />
                )}
              />
            </Stack>
          </Group>
          {HAS_OPTIONS.has(type) && (
            <Stack gap={6} role="group" aria-labelledby="field-options-title">
              <Text size="sm" fw={500} id="field-options-title">
                Options
              </Text>
              {options.fields.map((option, index) => {
                const isStored = existingValues.has(option.value);
                return (
                  <Group key={option.id} gap="xs" align="start" wrap="nowrap">
                    <TextInput
                      style={{ flex: 1 }}
                      aria-label={`Option ${index + 1} label`}
                      placeholder="Label"
                      {...form.register(`options.${index}.label`, {
                        onChange: (event: React.ChangeEvent<HTMLInputElement>) => {
                          if (!isStored && !form.getFieldState(`options.${index}.value`).isDirty) {
                            form.setValue(
                              `options.${index}.value`,
                              toOptionValue(event.target.value),
                            );
                          }
                        },
                      })}
                      error={errors.options?.[index]?.label?.message}
                    />
                    <TextInput
                      w={180}
                      aria-label={`Option ${index + 1} stored value`}
                      placeholder="stored_value"
                      disabled={isStored}
                      {...form.register(`options.${index}.value`)}
                      error={errors.options?.[index]?.value?.message}
                    />
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      mt={4}
                      aria-label={`Remove option ${index + 1}`}
                      onClick={() => options.remove(index)}
                    >
                      ×
                    </ActionIcon>
                  </Group>
                );
              })}
              {optionsMessage && (
                <Text size="xs" c="red.9" data-testid="options-error">
                  {optionsMessage}
                </Text>
              )}
              <Group>
                <Button
                  size="xs"
                  variant="light"
                  onClick={() => options.append({ value: '', label: '' })}
                >
                  Add an option
                </Button>
              </Group>
            </Stack>
          )}
          <Textarea
            label="Help text"
            description="Shown under the field on forms"
            autosize
            minRows={1}
            {...form.register('helpText')}
            error={errors.helpText?.message}
          />
          {unmatched.length > 0 && (
            <Alert color="red" title="Not saved">
              {unmatched.join(' ')}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending || update.isPending}>
              {field ? 'Save field' : 'Add field'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function FieldsTable({
  fields,
  onEdit,
  onArchive,
}: {
  fields: CustomField[];
  onEdit: (field: CustomField) => void;
  onArchive: (field: CustomField) => void;
}) {
  const { restore } = useCustomFieldActions();
  return (
    <Table verticalSpacing="xs" highlightOnHover aria-label="Custom fields">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Label</Table.Th>
          <Table.Th>Key</Table.Th>
          <Table.Th>Type</Table.Th>
          <Table.Th>Rules</Table.Th>
          <Table.Th>
            <VisuallyHidden>Actions</VisuallyHidden>
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {fields.map((field) => (
          <Table.Tr key={field.id} data-testid="custom-field-row">
            <Table.Td>
              <Text size="sm" fw={500} c={field.archived ? 'dimmed' : undefined}>
                {field.label}
              </Text>
              {field.helpText && (
                <Text size="xs" c="dimmed">
                  {field.helpText}
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              <Code>{field.key}</Code>
            </Table.Td>
            <Table.Td>
              <Text size="sm">
                {TYPE_LABELS[field.type]}
                {HAS_OPTIONS.has(field.type) && ` (${field.options.length})`}
              </Text>
            </Table.Td>
            <Table.Td>
              <Group gap={4}>
                {field.required && (
                  <Badge size="xs" variant="light">
                    Required
                  </Badge>
                )}
                {field.sensitive && (
                  <Badge size="xs" variant="light" color="orange">
                    Sensitive
                  </Badge>
                )}
                {field.archived && (
                  <Badge size="xs" variant="light" color="gray">
                    Archived
                  </Badge>
                )}
              </Group>
            </Table.Td>
            <Table.Td style={{ textAlign: 'right', whiteSpace: 'nowrap' }}>
              {field.archived ? (
                <Button
                  size="compact-sm"
                  variant="light"
                  onClick={() =>
                    restore.mutate(field, {
                      onSuccess: () =>
                        notifications.show({ color: 'green', message: `Restored ${field.label}` }),
                    })
                  }
                >
                  Restore<VisuallyHidden> {field.label}</VisuallyHidden>
                </Button>
              ) : (
                <Group gap={4} justify="flex-end" wrap="nowrap">
                  <Button size="compact-sm" variant="default" onClick={() => onEdit(field)}>
                    Edit<VisuallyHidden> {field.label}</VisuallyHidden>
                  </Button>
                  <Button
                    size="compact-sm"
                    variant="subtle"
                    color="red"
                    onClick={() => onArchive(field)}
                  >
                    Archive<VisuallyHidden> {field.label}</VisuallyHidden>
                  </Button>
                </Group>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function CustomFieldsSettings() {
  const [params, setParams] = useSearchParams();
  const parsed = customFieldRecordTypeSchema.safeParse(params.get('type'));
  const recordType: RecordType = parsed.success ? parsed.data : 'lead';
  const [showArchived, setShowArchived] = useState(false);
  const [editing, setEditing] = useState<CustomField | 'new' | null>(null);
  const [archiving, setArchiving] = useState<CustomField | null>(null);
  const fields = useAllCustomFields(recordType);
  const { archive } = useCustomFieldActions();
  return (
    <Stack>
      <SectionHeader
        title="Custom fields"
        description="The extra facts your trade records on leads, contacts and companies."
        action={<Button onClick={() => setEditing('new')}>New field</Button>}
      />
      <Group justify="space-between">
        <SegmentedControl
          aria-label="Record type"
          value={recordType}
          onChange={(value) => setParams({ type: value }, { replace: true })}
          data={customFieldRecordTypeSchema.options.map((value) => ({
            value,
            label: RECORD_TYPE_LABELS[value],
          }))}
        />
        <Checkbox
          label="Show archived fields"
          checked={showArchived}
          onChange={(event) => setShowArchived(event.currentTarget.checked)}
        />
      </Group>
      <QueryView query={fields} skeleton={<PageSkeleton rows={4} />}>
        {(items) => {
          const shown = items.filter((field) => showArchived || !field.archived);
          const archivedCount = items.length - items.filter((f) => !f.archived).length;
          if (shown.length === 0) {
            return (
              <EmptyHint>
                No {RECORD_TYPE_LABELS[recordType].toLowerCase()} fields yet
                {archivedCount > 0 ? ` (${archivedCount} archived)` : ''}. Add one with “New field”,
                or apply your trade’s preset under Presets.
              </EmptyHint>
            );
          }
          return <FieldsTable fields={shown} onEdit={setEditing} onArchive={setArchiving} />;
        }}
      </QueryView>
      {editing && (
        <FieldDialog
          recordType={recordType}
          field={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
        />
      )}
      <ConfirmDialog
        opened={archiving !== null}
        title={`Archive “${archiving?.label ?? ''}”?`}
        confirmLabel="Archive field"
        busy={archive.isPending}
        onClose={() => setArchiving(null)}
        onConfirm={() =>
          archiving &&
          archive.mutate(archiving, {
            onSuccess: (field) => {
              notifications.show({ color: 'green', message: `Archived ${field.label}` });
              setArchiving(null);
            },
          })
        }
      >
        <Text size="sm">
          The field leaves forms and lists and is no longer checked. Its stored values stay and show
          again if you restore it.
        </Text>
      </ConfirmDialog>
    </Stack>
  );
}
