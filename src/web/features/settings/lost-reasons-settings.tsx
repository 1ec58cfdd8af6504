// Lost reasons: the list people pick from when a lead is lost, in the order offered. Reasons
// are never deleted — a deactivated one stays on the leads lost for it and leaves the picker.
import { zodResolver } from '@hookform/resolvers/zod';
import {
  ActionIcon,
  Badge,
  Button,
  Card,
  Group,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useRef, useState } from 'react';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import { createLostReasonBodySchema } from '../../../server/modules/lost-reasons/lost-reasons.schemas';
import { PageSkeleton, QueryView } from '../../components/ui/screens';
import { applyServerErrors } from '../../lib/forms';
import type { LostReason } from '../../lib/types';
import { moveItem, useAllLostReasons, useLostReasonActions } from './settings-api';
import { EmptyHint, SectionHeader } from './settings-ui';

type NameInput = z.input<typeof createLostReasonBodySchema>;
type NameValues = z.output<typeof createLostReasonBodySchema>;

function AddReasonForm() {
  const { create } = useLostReasonActions();
  const form = useForm<NameInput, unknown, NameValues>({
    resolver: zodResolver(createLostReasonBodySchema),
    defaultValues: { name: '' },
  });
  const submit = form.handleSubmit(({ name }) =>
    create.mutate(name, {
      onSuccess: () => {
        notifications.show({ color: 'green', message: `Lost reason added: ${name}` });
        form.reset({ name: '' });
      },
      onError: (error) => applyServerErrors(error, form.setError, ['name']),
    }),
  );
  return (
    <form noValidate onSubmit={(event) => void submit(event)}>
      <Group align="start" gap="xs">
        <TextInput
          label="New lost reason"
          placeholder="e.g. Chose a competitor"
          w={360}
          {...form.register('name')}
          error={form.formState.errors.name?.message}
        />
        <Button type="submit" mt={25} loading={create.isPending}>
          Add reason
        </Button>
      </Group>
    </form>
  );
}

function RenameForm({ reason, onDone }: { reason: LostReason; onDone: () => void }) {
  const { update } = useLostReasonActions();
  const form = useForm<NameInput, unknown, NameValues>({
    resolver: zodResolver(createLostReasonBodySchema),
    defaultValues: { name: reason.name },
  });
  const submit = form.handleSubmit(({ name }) =>
    update.mutate(
      { reason, changes: { name } },
      {
        onSuccess: () => {
          notifications.show({ color: 'green', message: `Renamed to ${name}` });
          onDone();
        },
        onError: (error) => applyServerErrors(error, form.setError, ['name']),
      },
    ),
  );
  return (
    <form noValidate onSubmit={(event) => void submit(event)} style={{ flex: 1 }}>
      <Group gap="xs" align="start" wrap="nowrap">
        <TextInput
          aria-label={`New name for ${reason.name}`}
          size="xs"
          style={{ flex: 1 }}
          autoFocus
          {...form.register('name')}
          error={form.formState.errors.name?.message}
        />
        <Button type="submit" size="compact-sm" loading={update.isPending}>
          Save
        </Button>
        <Button size="compact-sm" variant="default" onClick={onDone}>
          Cancel
        </Button>
      </Group>
    </form>
  );
}

function ReasonsList({ reasons }: { reasons: LostReason[] }) {
  const { update, reorder } = useLostReasonActions();
  const [renaming, setRenaming] = useState<string | null>(null);
  const listRef = useRef<HTMLOListElement>(null);
  const focusAfterMove = useRef<string | null>(null);
  const order = reasons.map((reason) => reason.id).join(',');
  useEffect(() => {
    const target = focusAfterMove.current;
    if (!target || !listRef.current) return;
    focusAfterMove.current = null;
    listRef.current.querySelector<HTMLButtonElement>(`[data-move="${target}"]`)?.focus();
  }, [order]);

  const move = (from: number, to: number, direction: 'up' | 'down', id: string) => {
    if (to < 0 || to >= reasons.length || reorder.isPending) return;
    focusAfterMove.current = `${direction}-${id}`;
    reorder.mutate(moveItem(reasons, from, to));
  };

  return (
    <ol
      ref={listRef}
      aria-label="Lost reasons in the order offered"
      style={{ padding: 0, margin: 0, listStyle: 'none' }}
    >
      {reasons.map((reason, index) => (
        <li key={reason.id} data-testid="lost-reason-row">
          <Group justify="space-between" wrap="nowrap" py={6} gap="sm">
            {renaming === reason.id ? (
              <RenameForm reason={reason} onDone={() => setRenaming(null)} />
            ) : (
              <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
                <Text size="sm" fw={500} c={reason.active ? undefined : 'dimmed'} truncate>
                  {index + 1}. {reason.name}
                </Text>
                {!reason.active && (
                  <Badge size="xs" color="gray" variant="light">
                    Inactive
                  </Badge>
                )}
              </Group>
            )}
            <Group gap={4} wrap="nowrap">
              <ActionIcon
                variant="subtle"
                color="gray"
                aria-label={`Move ${reason.name} up`}
                data-move={`up-${reason.id}`}
                disabled={index === 0}
                onClick={() => move(index, index - 1, 'up', reason.id)}
              >
                ↑
              </ActionIcon>
              <ActionIcon
                variant="subtle"
                color="gray"
                aria-label={`Move ${reason.name} down`}
                data-move={`down-${reason.id}`}
                disabled={index === reasons.length - 1}
                onClick={() => move(index, index + 1, 'down', reason.id)}
              >
                ↓
              </ActionIcon>
              {renaming !== reason.id && (
                <Button size="compact-sm" variant="default" onClick={() => setRenaming(reason.id)}>
                  Rename<VisuallyHidden> {reason.name}</VisuallyHidden>
                </Button>
              )}
              <Switch
                ml="xs"
                label="Active"
                aria-label={`Active: ${reason.name}`}
                checked={reason.active}
                onChange={(event) => {
                  const active = event.currentTarget.checked;
                  update.mutate(
                    { reason, changes: { active } },
                    {
                      onSuccess: () =>
                        notifications.show({
                          color: 'green',
                          message: `${reason.name} ${active ? 'activated' : 'deactivated'}`,
                        }),
                    },
                  );
                }}
              />
            </Group>
          </Group>
        </li>
      ))}
    </ol>
  );
}

export function LostReasonsSettings() {
  const reasons = useAllLostReasons();
  return (
    <Stack>
      <SectionHeader
        title="Lost reasons"
        description="Asked whenever a lead is marked lost; reports count leads by reason."
      />
      <Card withBorder component="section" aria-labelledby="lost-reasons-title">
        <Title order={3} size="h4" id="lost-reasons-title" mb="xs">
          Reasons
        </Title>
        <QueryView query={reasons} skeleton={<PageSkeleton rows={4} />}>
          {(items) =>
            items.length === 0 ? (
              <EmptyHint>
                No lost reasons yet. Add the few reasons leads usually give (price, timing, a
                competitor) so losses can be compared.
              </EmptyHint>
            ) : (
              <ReasonsList reasons={items} />
            )
          }
        </QueryView>
        <Stack mt="md">
          <AddReasonForm />
        </Stack>
      </Card>
    </Stack>
  );
}
