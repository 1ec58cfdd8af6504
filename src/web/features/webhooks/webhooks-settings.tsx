// Settings → Webhooks: outbound webhook subscriptions (the signing secret shown once), each
// one's delivery log with redelivery, and the accounting connector won customers are sent to.
import { zodResolver } from '@hookform/resolvers/zod';
import {
  Badge,
  Button,
  Card,
  Code,
  Group,
  MultiSelect,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import type { z } from 'zod';
import {
  WEBHOOK_EVENTS,
  createWebhookBodySchema,
} from '../../../server/modules/webhooks/webhooks.schemas';
import { useSession } from '../../app/session';
import { QueryView } from '../../components/ui/screens';
import { applyServerErrors } from '../../lib/forms';
import { ConfirmDialog, EmptyHint, SecretOnce, SectionHeader } from '../settings/settings-ui';
import {
  useConnector,
  useDeliveries,
  useSaveConnector,
  useWebhookActions,
  useWebhooks,
  type Webhook,
} from './webhooks-api';

type WebhookInput = z.input<typeof createWebhookBodySchema>;
type WebhookValues = z.output<typeof createWebhookBodySchema>;

const EVENT_OPTIONS = WEBHOOK_EVENTS.map((event) => ({ value: event, label: event }));

function errorMessage(error: unknown) {
  return error instanceof Error ? error.message : 'Something went wrong.';
}

function CreateWebhookForm({ onCreated }: { onCreated: (secret: string) => void }) {
  const { create } = useWebhookActions();
  const form = useForm<WebhookInput, unknown, WebhookValues>({
    resolver: zodResolver(createWebhookBodySchema),
    defaultValues: { url: '', description: '', events: ['lead.created'], active: true },
  });
  const errors = form.formState.errors;
  const submit = form.handleSubmit((values) =>
    create.mutate(values, {
      onSuccess: (webhook) => {
        form.reset();
        onCreated(webhook.secret);
      },
      onError: (error) => {
        const rest = applyServerErrors(error, form.setError, ['url', 'description', 'events']);
        if (rest.length > 0 || !(error instanceof Error && 'problem' in error)) {
          notifications.show({ color: 'red', message: errorMessage(error) });
        }
      },
    }),
  );
  return (
    <form noValidate onSubmit={(event) => void submit(event)} aria-label="New webhook">
      <Stack gap="sm">
        <Group align="start" gap="sm" grow>
          <TextInput
            label="URL"
            placeholder="https://example.com/hooks/leadkeeper"
            required
            {...form.register('url')}
            error={errors.url?.message}
          />
          <TextInput
            label="Description"
            {...form.register('description')}
            error={errors.description?.message}
          />
        </Group>
        <Controller
          control={form.control}
          name="events"
          render={({ field }) => (
            <MultiSelect
              label="Events"
              data={EVENT_OPTIONS}
              value={field.value}
              onChange={field.onChange}
              error={errors.events?.message}
              searchable
            />
          )}
        />
        <Group>
          <Button type="submit" loading={create.isPending}>
            Add webhook
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function DeliveryLog({ webhook }: { webhook: Webhook }) {
  const { dateTime } = useSession();
  const deliveries = useDeliveries(webhook.id);
  const { redeliver } = useWebhookActions();
  return (
    <QueryView query={deliveries}>
      {(page) =>
        page.items.length === 0 ? (
          <EmptyHint>No deliveries yet.</EmptyHint>
        ) : (
          <Table verticalSpacing="xs" aria-label={`Deliveries of ${webhook.url}`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Event</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Attempts</Table.Th>
                <Table.Th>Last answer</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {page.items.map((delivery) => (
                <Table.Tr key={delivery.id} data-testid="delivery-row">
                  <Table.Td>
                    <Code>{delivery.event}</Code>
                  </Table.Td>
                  <Table.Td>
                    <Badge
                      color={
                        delivery.status === 'succeeded'
                          ? 'teal'
                          : delivery.status === 'failed'
                            ? 'red'
                            : 'yellow'
                      }
                    >
                      {delivery.status}
                    </Badge>
                    {delivery.nextAttemptAt && (
                      <Text size="xs" c="dimmed">
                        next try {dateTime(delivery.nextAttemptAt)}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {delivery.attempts} / {delivery.maxAttempts}
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">
                      {delivery.lastStatusCode ?? '—'} {delivery.lastError ?? ''}
                    </Text>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    {dateTime(delivery.createdAt)}
                  </Table.Td>
                  <Table.Td>
                    <Button
                      size="compact-sm"
                      variant="subtle"
                      loading={redeliver.isPending && redeliver.variables?.id === delivery.id}
                      onClick={() =>
                        redeliver.mutate(delivery, {
                          onSuccess: () =>
                            notifications.show({ message: 'Queued for redelivery.' }),
                          onError: (error) =>
                            notifications.show({ color: 'red', message: errorMessage(error) }),
                        })
                      }
                    >
                      Redeliver
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )
      }
    </QueryView>
  );
}

function WebhookCard({
  webhook,
  onSecret,
  onRemove,
}: {
  webhook: Webhook;
  onSecret: (secret: string) => void;
  onRemove: (webhook: Webhook) => void;
}) {
  const { update } = useWebhookActions();
  const [showLog, setShowLog] = useState(false);
  const change = (changes: { active?: boolean; rotateSecret?: true }) =>
    update.mutate(
      { webhook, changes },
      {
        onSuccess: (result) => {
          if (result.secret) onSecret(result.secret);
        },
        onError: (error) => notifications.show({ color: 'red', message: errorMessage(error) }),
      },
    );
  return (
    <Card withBorder data-testid="webhook-card">
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <div>
            <Text fw={600} style={{ wordBreak: 'break-all' }}>
              {webhook.url}
            </Text>
            {webhook.description && (
              <Text size="sm" c="dimmed">
                {webhook.description}
              </Text>
            )}
          </div>
          <Switch
            label="Active"
            checked={webhook.active}
            onChange={(event) => change({ active: event.currentTarget.checked })}
          />
        </Group>
        <Group gap={4}>
          {webhook.events.map((event) => (
            <Badge key={event} variant="light">
              {event}
            </Badge>
          ))}
        </Group>
        <Group gap="xs">
          <Button size="xs" variant="default" onClick={() => setShowLog((open) => !open)}>
            {showLog ? 'Hide deliveries' : 'Deliveries'}
          </Button>
          <Button size="xs" variant="default" onClick={() => change({ rotateSecret: true })}>
            New secret
          </Button>
          <Button size="xs" variant="subtle" color="red" onClick={() => onRemove(webhook)}>
            Remove<VisuallyHidden> {webhook.url}</VisuallyHidden>
          </Button>
        </Group>
        {showLog && <DeliveryLog webhook={webhook} />}
      </Stack>
    </Card>
  );
}

function ConnectorForm() {
  const connector = useConnector();
  const save = useSaveConnector();
  const [secret, setSecret] = useState<string | null>(null);
  const form = useForm<{ url: string }>({ values: { url: connector.data?.url ?? '' } });
  const submit = (rotateSecret: boolean) =>
    form.handleSubmit((values) =>
      save.mutate(
        { url: values.url, rotateSecret },
        {
          onSuccess: (result) => {
            if (result.secret) setSecret(result.secret);
            notifications.show({ message: 'Accounting connector saved.' });
          },
          onError: (error) => {
            const rest = applyServerErrors(error, form.setError, ['url']);
            if (rest.length > 0) notifications.show({ color: 'red', message: errorMessage(error) });
          },
        },
      ),
    );
  return (
    <Card withBorder>
      <Stack gap="sm">
        <Title order={3} size="h4">
          Accounting connector
        </Title>
        <Text size="sm" c="dimmed">
          When someone confirms “Create customer in accounting” on a won lead, its company (or
          contact) is POSTed here, signed like a webhook; the answer’s customerId is stored.
        </Text>
        {secret && (
          <SecretOnce
            title="Connector signing secret"
            value={secret}
            onDismiss={() => setSecret(null)}
          >
            Give this secret to the receiving side now; it is not shown again.
          </SecretOnce>
        )}
        <form
          noValidate
          onSubmit={(event) => void submit(false)(event)}
          aria-label="Accounting connector"
        >
          <Group align="end">
            <TextInput
              label="Connector URL"
              placeholder="https://accounting.example.com/leadkeeper/customers"
              w={420}
              {...form.register('url')}
              error={form.formState.errors.url?.message}
            />
            <Button type="submit" loading={save.isPending}>
              Save
            </Button>
            {connector.data?.configured && (
              <Button variant="default" onClick={(event) => void submit(true)(event)}>
                New secret
              </Button>
            )}
          </Group>
        </form>
      </Stack>
    </Card>
  );
}

export function WebhooksSettings() {
  const webhooks = useWebhooks();
  const { remove } = useWebhookActions();
  const [secret, setSecret] = useState<string | null>(null);
  const [removing, setRemoving] = useState<Webhook | null>(null);
  return (
    <Stack>
      <SectionHeader
        title="Webhooks"
        description="Leadkeeper POSTs the events you pick to your URL, signed with HMAC-SHA256 (header Leadkeeper-Signature), and retries failures with growing waits."
      />
      {secret && (
        <SecretOnce title="Webhook signing secret" value={secret} onDismiss={() => setSecret(null)}>
          Store this secret where your receiver verifies signatures; it is not shown again.
        </SecretOnce>
      )}
      <Card withBorder>
        <CreateWebhookForm onCreated={setSecret} />
      </Card>
      <QueryView query={webhooks}>
        {(items) =>
          items.length === 0 ? (
            <EmptyHint>No webhooks yet.</EmptyHint>
          ) : (
            <Stack>
              {items.map((webhook) => (
                <WebhookCard
                  key={webhook.id}
                  webhook={webhook}
                  onSecret={setSecret}
                  onRemove={setRemoving}
                />
              ))}
            </Stack>
          )
        }
      </QueryView>
      <ConnectorForm />
      <ConfirmDialog
        opened={removing !== null}
        title="Remove webhook"
        confirmLabel="Remove"
        busy={remove.isPending}
        onClose={() => setRemoving(null)}
        onConfirm={() =>
          removing &&
          remove.mutate(removing, {
            onSuccess: () => setRemoving(null),
            onError: (error) => notifications.show({ color: 'red', message: errorMessage(error) }),
          })
        }
      >
        <Text size="sm">
          {removing?.url} stops receiving events, and its delivery log is removed.
        </Text>
      </ConfirmDialog>
    </Stack>
  );
}
