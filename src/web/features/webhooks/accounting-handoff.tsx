// On a won lead: "Create customer in accounting", run only after the person confirms; once
// done, the external customer id shows instead.
import { Button, Card, Group, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useSession } from '../../app/session';
import { ConfirmDialog } from '../settings/settings-ui';
import { useHandoff, useRunHandoff } from './webhooks-api';

export function AccountingHandoff({ leadId, won }: { leadId: string; won: boolean }) {
  const { can } = useSession();
  const allowed = won && can('lead:convert');
  const status = useHandoff(leadId, allowed);
  const run = useRunHandoff(leadId);
  const [confirming, setConfirming] = useState(false);
  if (!allowed || !status.data) return null;
  const { customerId, target, available, reason } = status.data;
  return (
    <Card withBorder data-testid="accounting-handoff">
      <Group justify="space-between">
        <div>
          <Text fw={600}>Accounting</Text>
          <Text size="sm" c="dimmed">
            {customerId
              ? `Customer ${customerId} in accounting${target ? ` (${target.name})` : ''}.`
              : (reason ?? `Create ${target?.name ?? 'the customer'} as a customer in accounting.`)}
          </Text>
        </div>
        {!customerId && (
          <Button disabled={!available} onClick={() => setConfirming(true)}>
            Create customer in accounting
          </Button>
        )}
      </Group>
      <ConfirmDialog
        opened={confirming}
        title="Create customer in accounting"
        confirmLabel="Create customer"
        color="blue"
        busy={run.isPending}
        onClose={() => setConfirming(false)}
        onConfirm={() =>
          run.mutate(undefined, {
            onSuccess: (result) => {
              setConfirming(false);
              notifications.show({
                message: `Customer ${result.customerId} created in accounting.`,
              });
            },
            onError: (error) => {
              setConfirming(false);
              notifications.show({
                color: 'red',
                message: error instanceof Error ? error.message : 'The handoff failed.',
              });
            },
          })
        }
      >
        <Text size="sm">
          {target?.name} is sent to the accounting system as a new customer. This is done once.
        </Text>
      </ConfirmDialog>
    </Card>
  );
}
