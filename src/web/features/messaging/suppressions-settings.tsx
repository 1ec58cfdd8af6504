// Settings → Suppression list: the email addresses and phone numbers nothing is sent to (people
// who unsubscribed, addresses added by hand), searchable and paged; an admin adds an address or
// takes one off the list. Compliance reads the list at approval and again at send.
import { zodResolver } from '@hookform/resolvers/zod';
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { Link } from 'react-router';
import type { z } from 'zod';
import { createSuppressionBodySchema } from '../../../server/modules/messaging/messaging.schemas';
import { errorMessage } from '../../app/query-client';
import { useSession } from '../../app/session';
import { LoadMore } from '../../components/ui/load-more';
import { ErrorScreen, PageSkeleton } from '../../components/ui/screens';
import { ApiError } from '../../lib/api-client';
import { applyServerErrors } from '../../lib/forms';
import { ConfirmDialog, EmptyHint, SectionHeader } from '../settings/settings-ui';
import {
  useSuppressionActions,
  useSuppressions,
  type Suppression,
  type SuppressionFilters,
} from './api/messaging-api';

type SuppressionInput = z.input<typeof createSuppressionBodySchema>;
type SuppressionValues = z.output<typeof createSuppressionBodySchema>;
type Channel = Suppression['channel'];

const FORM_FIELDS = ['channel', 'address', 'note'] as const;

/** Why an address is on the list, in words. */
const REASON_LABELS: Record<Suppression['reason'], string> = {
  unsubscribed: 'Unsubscribed (email link)',
  manual: 'Added by hand',
  bounced: 'Bounced',
  complaint: 'Marked as spam',
};

const CHANNEL_LABELS: Record<Channel, string> = { email: 'Email', sms: 'SMS' };

const CHANNEL_FILTERS: { value: Channel | 'all'; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'email', label: 'Email' },
  { value: 'sms', label: 'SMS' },
];

function AddSuppressionForm() {
  const { add } = useSuppressionActions();
  const [problem, setProblem] = useState<string | null>(null);
  const form = useForm<SuppressionInput, unknown, SuppressionValues>({
    resolver: zodResolver(createSuppressionBodySchema),
    defaultValues: { channel: 'email', address: '', note: '' },
  });
  const errors = form.formState.errors;
  const channel = form.watch('channel');
  const submit = form.handleSubmit((values) => {
    setProblem(null);
    add.mutate(values, {
      onSuccess: (added) => {
        notifications.show({ color: 'green', message: `Suppressed: ${added.address}` });
        form.reset({ channel: values.channel, address: '', note: '' });
      },
      onError: (error) => {
        const rest = applyServerErrors(error, form.setError, FORM_FIELDS);
        // "Already on the list" (409) names no field; it is about the address.
        if (error instanceof ApiError && error.status === 409) {
          form.setError('address', { type: 'server', message: errorMessage(error) });
        } else if (rest.length > 0) {
          setProblem(rest.map((entry) => entry.message).join(' '));
        }
      },
    });
  });
  return (
    <form noValidate onSubmit={(event) => void submit(event)} aria-label="Add an address">
      <Stack gap="sm">
        <Group align="start" gap="sm" wrap="wrap">
          <Controller
            control={form.control}
            name="channel"
            render={({ field }) => (
              <Select
                label="Channel"
                w={120}
                data={CHANNEL_FILTERS.filter((option) => option.value !== 'all')}
                value={field.value}
                allowDeselect={false}
                onChange={(value) => field.onChange(value ?? 'email')}
                error={errors.channel?.message}
              />
            )}
          />
          <TextInput
            label={channel === 'sms' ? 'Phone number' : 'Email address'}
            placeholder={channel === 'sms' ? '+49 151 12345678' : 'name@example.com'}
            w={280}
            required
            {...form.register('address')}
            error={errors.address?.message}
          />
          <TextInput
            label="Note"
            placeholder="e.g. Asked by phone not to be written to"
            style={{ flex: 1, minWidth: 200 }}
            {...form.register('note')}
            error={errors.note?.message}
          />
          <Button type="submit" mt={25} loading={add.isPending}>
            Add address
          </Button>
        </Group>
        {problem && (
          <Alert color="red" role="alert">
            {problem}
          </Alert>
        )}
      </Stack>
    </form>
  );
}

function SuppressionsTable({
  suppressions,
  onRemove,
}: {
  suppressions: Suppression[];
  onRemove: (suppression: Suppression) => void;
}) {
  const { dateTime } = useSession();
  return (
    <Table verticalSpacing="xs" aria-label="Suppressed addresses">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Address</Table.Th>
          <Table.Th>Channel</Table.Th>
          <Table.Th>Reason</Table.Th>
          <Table.Th>Note</Table.Th>
          <Table.Th>Added</Table.Th>
          <Table.Th>Contact</Table.Th>
          <Table.Th>
            <VisuallyHidden>Actions</VisuallyHidden>
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {suppressions.map((suppression) => (
          <Table.Tr key={suppression.id} data-testid="suppression-row">
            <Table.Td style={{ overflowWrap: 'break-word' }}>
              <Text size="sm" fw={500}>
                {suppression.address}
              </Text>
            </Table.Td>
            <Table.Td>
              <Badge variant="light" color={suppression.channel === 'email' ? 'blue' : 'grape'}>
                {CHANNEL_LABELS[suppression.channel]}
              </Badge>
            </Table.Td>
            <Table.Td>
              <Text size="sm">{REASON_LABELS[suppression.reason]}</Text>
            </Table.Td>
            <Table.Td>
              <Text size="sm">{suppression.note || '—'}</Text>
            </Table.Td>
            <Table.Td style={{ whiteSpace: 'nowrap' }}>
              <Text size="sm">{dateTime(suppression.createdAt)}</Text>
            </Table.Td>
            <Table.Td>
              {suppression.contactId ? (
                <Anchor component={Link} to={`/contacts/${suppression.contactId}`} size="sm">
                  Open contact
                </Anchor>
              ) : (
                '—'
              )}
            </Table.Td>
            <Table.Td>
              <Button
                size="compact-sm"
                variant="subtle"
                color="red"
                onClick={() => onRemove(suppression)}
              >
                Remove<VisuallyHidden> {suppression.address}</VisuallyHidden>
              </Button>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function SuppressionsSettings() {
  const [channel, setChannel] = useState<Channel | 'all'>('all');
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const filters: SuppressionFilters = {
    ...(channel !== 'all' ? { channel } : {}),
    ...(q ? { q } : {}),
  };
  const list = useSuppressions(filters);
  const { remove } = useSuppressionActions();
  const [removing, setRemoving] = useState<Suppression | null>(null);
  const suppressions = list.data?.pages.flatMap((page) => page.items) ?? [];
  const isFiltered = channel !== 'all' || q !== '';

  return (
    <Stack>
      <SectionHeader
        title="Suppression list"
        description="Email addresses and phone numbers nothing is sent to: people who unsubscribed and addresses added by hand. Adding one opts the contacts with it out of that channel."
      />
      <Card withBorder>
        <AddSuppressionForm />
      </Card>
      <Group gap="sm" align="end" role="search" aria-label="Filter the suppression list">
        <TextInput
          label="Search"
          placeholder="Part of an address"
          w={260}
          value={search}
          onChange={(event) => setSearch(event.currentTarget.value)}
        />
        <SegmentedControl
          aria-label="Channel to show"
          value={channel}
          onChange={setChannel}
          data={CHANNEL_FILTERS}
        />
      </Group>
      <Card withBorder>
        {list.isPending ? (
          <PageSkeleton rows={4} />
        ) : list.isError ? (
          <ErrorScreen error={list.error} onRetry={() => void list.refetch()} />
        ) : suppressions.length === 0 ? (
          <EmptyHint>
            {isFiltered
              ? 'No suppressed address matches this search.'
              : 'No suppressed addresses. People who unsubscribe from a marketing email appear here.'}
          </EmptyHint>
        ) : (
          <Stack gap="sm">
            <SuppressionsTable suppressions={suppressions} onRemove={setRemoving} />
            <LoadMore query={list} />
          </Stack>
        )}
      </Card>
      <ConfirmDialog
        opened={removing !== null}
        title="Take off the suppression list"
        confirmLabel="Remove"
        busy={remove.isPending}
        onClose={() => setRemoving(null)}
        onConfirm={() =>
          removing &&
          remove.mutate(removing, {
            onSuccess: (removed) => {
              notifications.show({ message: `${removed.address} may be written to again.` });
              setRemoving(null);
            },
          })
        }
      >
        <Text size="sm">
          Messages to {removing?.address} are no longer stopped by the list. Contacts with this
          address stay opted out until someone opts them in again.
        </Text>
      </ConfirmDialog>
    </Stack>
  );
}
