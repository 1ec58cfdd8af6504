// Lead sources ("how did you hear about us?"): name, category, what the source costs a month
// (in the workspace currency, typed the workspace's way), and whether pickers offer it.
import { zodResolver } from '@hookform/resolvers/zod';
import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMemo, useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { z } from 'zod';
import {
  createLeadSourceBodySchema,
  sourceCategorySchema,
  updateLeadSourceBodySchema,
} from '../../../server/modules/lead-sources/lead-sources.schemas';
import { useSession } from '../../app/session';
import { PageSkeleton, QueryView } from '../../components/ui/screens';
import { parseMoney, type WorkspaceFormat } from '../../lib/format';
import { applyServerErrors } from '../../lib/forms';
import { humanize } from '../../lib/labels';
import type { LeadSource } from '../../lib/types';
import { useAllLeadSources, useLeadSourceActions } from './settings-api';
import { EmptyHint, SectionHeader } from './settings-ui';

const CATEGORY_OPTIONS = sourceCategorySchema.options.map((value) => ({
  value,
  label: humanize(value),
}));
const FORM_FIELDS = ['name', 'category', 'monthlyCost'] as const;

function fractionDigits(format: WorkspaceFormat): number {
  return (
    new Intl.NumberFormat(format.locale, {
      style: 'currency',
      currency: format.currency,
    }).resolvedOptions().maximumFractionDigits ?? 2
  );
}

/** Minor units as the amount field shows them: `1.234,50` in de-DE. */
function toAmountText(minor: number, format: WorkspaceFormat): string {
  if (minor === 0) return '';
  const digits = fractionDigits(format);
  return new Intl.NumberFormat(format.locale, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(minor / 10 ** digits);
}

/** The form's schema: the server's, with the amount typed as text in the workspace locale. */
function sourceFormSchema(format: WorkspaceFormat) {
  const example = toAmountText(123450, format);
  return z.object({
    name: createLeadSourceBodySchema.shape.name,
    category: sourceCategorySchema,
    monthlyCost: z
      .string()
      .transform((text, ctx) => {
        if (text.trim() === '') return 0;
        const minor = parseMoney(text, format.currency, format.locale);
        if (minor === null) {
          ctx.addIssue({ code: 'custom', message: `Enter an amount such as ${example}` });
          return z.NEVER;
        }
        return minor;
      })
      .pipe(updateLeadSourceBodySchema.shape.monthlyCost.unwrap()),
  });
}
type SourceFormSchema = ReturnType<typeof sourceFormSchema>;
type SourceFormInput = z.input<SourceFormSchema>;
type SourceFormValues = z.output<SourceFormSchema>;

function SourceForm({
  source,
  onDone,
  onCancel,
}: {
  /** Null: a new source. */
  source: LeadSource | null;
  onDone: () => void;
  onCancel?: () => void;
}) {
  const { format } = useSession();
  const { create, update } = useLeadSourceActions();
  const [unmatched, setUnmatched] = useState<string[]>([]);
  const schema = useMemo(() => sourceFormSchema(format), [format]);
  const empty: SourceFormInput = { name: '', category: 'other', monthlyCost: '' };
  const form = useForm<SourceFormInput, unknown, SourceFormValues>({
    resolver: zodResolver(schema),
    defaultValues: source
      ? {
          name: source.name,
          category: source.category,
          monthlyCost: toAmountText(source.monthlyCost, format),
        }
      : empty,
  });
  const errors = form.formState.errors;
  const submit = form.handleSubmit((values) => {
    setUnmatched([]);
    const callbacks = {
      onSuccess: () => {
        notifications.show({
          color: 'green',
          message: source ? `Source saved: ${values.name}` : `Source added: ${values.name}`,
        });
        if (!source) form.reset(empty);
        onDone();
      },
      onError: (error: Error) => {
        const rest = applyServerErrors(error, form.setError, FORM_FIELDS);
        setUnmatched(rest.map((e) => e.message));
      },
    };
    if (source) update.mutate({ source, changes: values }, callbacks);
    else create.mutate(values, callbacks);
  });
  const idPrefix = source ? `source-${source.id}` : 'new-source';
  return (
    <form
      noValidate
      onSubmit={(event) => void submit(event)}
      aria-label={source ? `Edit ${source.name}` : 'New source'}
    >
      <Stack gap="sm">
        <Group grow align="start">
          <TextInput
            id={`${idPrefix}-name`}
            label="Name"
            required
            data-autofocus
            {...form.register('name')}
            error={errors.name?.message}
          />
          <Controller
            control={form.control}
            name="category"
            render={({ field }) => (
              <Select
                label="Category"
                searchable
                allowDeselect={false}
                data={CATEGORY_OPTIONS}
                value={field.value ?? 'other'}
                onChange={(value) => value && field.onChange(value)}
                error={errors.category?.message}
              />
            )}
          />
          <TextInput
            id={`${idPrefix}-cost`}
            label={`Monthly cost (${format.currency})`}
            inputMode="decimal"
            placeholder={toAmountText(0, format) || '0'}
            {...form.register('monthlyCost')}
            error={errors.monthlyCost?.message}
          />
        </Group>
        {unmatched.length > 0 && (
          <Alert color="red" title="Not saved">
            {unmatched.join(' ')}
          </Alert>
        )}
        <Group justify={source ? 'flex-end' : 'flex-start'}>
          {onCancel && (
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          )}
          <Button type="submit" loading={create.isPending || update.isPending}>
            {source ? 'Save source' : 'Add source'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function SourcesTable({
  sources,
  onEdit,
}: {
  sources: LeadSource[];
  onEdit: (s: LeadSource) => void;
}) {
  const { money } = useSession();
  const { update } = useLeadSourceActions();
  return (
    <Table striped highlightOnHover verticalSpacing="xs" aria-label="Lead sources">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Name</Table.Th>
          <Table.Th>Category</Table.Th>
          <Table.Th style={{ textAlign: 'right' }}>Monthly cost</Table.Th>
          <Table.Th>Active</Table.Th>
          <Table.Th>
            <VisuallyHidden>Actions</VisuallyHidden>
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {sources.map((source) => (
          <Table.Tr key={source.id} data-testid="source-row">
            <Table.Td>
              <Text size="sm" fw={500} c={source.active ? undefined : 'dimmed'}>
                {source.name}
              </Text>
            </Table.Td>
            <Table.Td>
              <Text size="sm">{humanize(source.category)}</Text>
            </Table.Td>
            <Table.Td style={{ textAlign: 'right', whiteSpace: 'nowrap' }}>
              {source.monthlyCost > 0 ? money(source.monthlyCost) : '—'}
            </Table.Td>
            <Table.Td>
              <Group gap="xs" wrap="nowrap">
                <Switch
                  aria-label={`Active: ${source.name}`}
                  checked={source.active}
                  onChange={(event) => {
                    const active = event.currentTarget.checked;
                    update.mutate(
                      { source, changes: { active } },
                      {
                        onSuccess: () =>
                          notifications.show({
                            color: 'green',
                            message: `${source.name} ${active ? 'activated' : 'deactivated'}`,
                          }),
                      },
                    );
                  }}
                />
                {!source.active && (
                  <Badge size="xs" color="gray" variant="light">
                    Inactive
                  </Badge>
                )}
              </Group>
            </Table.Td>
            <Table.Td style={{ textAlign: 'right' }}>
              <Button size="compact-sm" variant="default" onClick={() => onEdit(source)}>
                Edit<VisuallyHidden> {source.name}</VisuallyHidden>
              </Button>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function SourcesSettings() {
  const sources = useAllLeadSources();
  const [editing, setEditing] = useState<LeadSource | null>(null);
  return (
    <Stack>
      <SectionHeader
        title="Sources"
        description="Where leads come from. Monthly costs let reports show the cost per lead and per won deal; an inactive source stays on its leads but leaves the pickers."
      />
      <Card withBorder component="section" aria-labelledby="new-source-title">
        <Title order={3} size="h4" id="new-source-title" mb="xs">
          Add a source
        </Title>
        <SourceForm source={null} onDone={() => undefined} />
      </Card>
      <QueryView query={sources} skeleton={<PageSkeleton rows={5} />}>
        {(items) =>
          items.length === 0 ? (
            <EmptyHint>
              No sources yet. Add the places your leads come from (a referral, an ad, your website)
              so quick entry can ask “how did you hear about us?”.
            </EmptyHint>
          ) : (
            <SourcesTable sources={items} onEdit={setEditing} />
          )
        }
      </QueryView>
      {editing && (
        <Modal
          opened
          onClose={() => setEditing(null)}
          title={`Edit source “${editing.name}”`}
          size="lg"
        >
          <SourceForm
            source={editing}
            onDone={() => setEditing(null)}
            onCancel={() => setEditing(null)}
          />
        </Modal>
      )}
    </Stack>
  );
}
