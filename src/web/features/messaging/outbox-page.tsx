// The outbox: the approval queue of messages to customers. Drafts wait here until the lead's
// owner or a manager approves them (they can edit or reject them first); failures show the
// delivery error with a retry button; suppressed messages say why compliance stopped them.
// Pages come by cursor, newest first; "Load more" reaches older ones.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '../../app/query-client';
import { useSession } from '../../app/session';
import { LoadMore } from '../../components/ui/load-more';
import { PageSkeleton, QueryView } from '../../components/ui/screens';
import {
  SUPPRESSION_REASONS,
  useMessageActions,
  useOutbox,
  type Message,
  type MessageStatus,
} from './api/messaging-api';

const STATUS_FILTERS: { value: MessageStatus | 'all'; label: string }[] = [
  { value: 'draft', label: 'Waiting for approval' },
  { value: 'approved', label: 'Sending' },
  { value: 'sent', label: 'Sent' },
  { value: 'failed', label: 'Failed' },
  { value: 'suppressed', label: 'Suppressed' },
  { value: 'rejected', label: 'Rejected' },
  { value: 'all', label: 'All' },
];

const STATUS_COLORS: Record<MessageStatus, string> = {
  draft: 'blue',
  approved: 'cyan',
  sent: 'green',
  failed: 'red',
  suppressed: 'orange',
  rejected: 'gray',
};

export function StatusBadge({ status }: { status: MessageStatus }) {
  return (
    <Badge color={STATUS_COLORS[status]} variant="light">
      {status}
    </Badge>
  );
}

function MessageDialog({ message, onClose }: { message: Message; onClose: () => void }) {
  const actions = useMessageActions();
  const { can } = useSession();
  const [subject, setSubject] = useState(message.subject);
  const [body, setBody] = useState(message.body);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const isDraft = message.status === 'draft';
  const changed = subject !== message.subject || body !== message.body;
  const fail = (e: unknown) => setError(errorMessage(e));

  const approve = async () => {
    setError(null);
    try {
      // Unsaved edits are saved first, so what is approved is what is on screen.
      const current = changed
        ? await actions.update.mutateAsync({
            message,
            changes: { ...(message.channel === 'email' ? { subject } : {}), body },
          })
        : message;
      const approved = await actions.approve.mutateAsync(current);
      if (approved.status === 'suppressed') {
        notifications.show({
          color: 'orange',
          title: 'Not sent',
          message: SUPPRESSION_REASONS[approved.statusReason ?? ''] ?? 'Compliance stopped it.',
        });
      } else {
        notifications.show({ color: 'green', message: `Approved: sending to ${message.to}` });
      }
      onClose();
    } catch (e) {
      fail(e);
    }
  };

  const save = () =>
    actions.update.mutate(
      { message, changes: { ...(message.channel === 'email' ? { subject } : {}), body } },
      {
        onSuccess: () => {
          notifications.show({ color: 'green', message: 'Draft saved' });
          onClose();
        },
        onError: fail,
      },
    );

  const reject = () =>
    actions.reject.mutate(
      { message, reason },
      {
        onSuccess: () => {
          notifications.show({ message: 'Draft rejected; it will not be sent' });
          onClose();
        },
        onError: fail,
      },
    );

  const retry = () =>
    actions.retry.mutate(message, {
      onSuccess: (after) => {
        notifications.show({
          color: after.status === 'suppressed' ? 'orange' : 'green',
          message:
            after.status === 'suppressed' ? 'Not sent: compliance stopped it' : 'Sending again',
        });
        onClose();
      },
      onError: fail,
    });

  return (
    <Modal
      opened
      onClose={onClose}
      size="lg"
      title={`${message.channel === 'email' ? 'Email' : 'SMS'} to ${message.recipientName || message.to}`}
    >
      <Stack>
        <Group gap="xs">
          <StatusBadge status={message.status} />
          <Text size="sm">To: {message.to || '—'}</Text>
          {message.purpose === 'marketing' && <Badge variant="outline">marketing</Badge>}
          {message.leadId && (
            <Anchor component={Link} to={`/leads/${message.leadId}`} size="sm">
              Open lead
            </Anchor>
          )}
        </Group>
        {message.status === 'failed' && (
          <Alert color="red" title={`Delivery failed after ${message.attempts} attempts`}>
            {message.lastError}
          </Alert>
        )}
        {message.status === 'suppressed' && (
          <Alert color="orange" title="Not sent">
            {SUPPRESSION_REASONS[message.statusReason ?? ''] ?? message.statusReason}
          </Alert>
        )}
        {message.status === 'rejected' && message.statusReason && (
          <Alert color="gray" title="Rejected">
            {message.statusReason}
          </Alert>
        )}
        {message.channel === 'email' && (
          <TextInput
            label="Subject"
            value={subject}
            readOnly={!isDraft}
            onChange={(event) => setSubject(event.currentTarget.value)}
          />
        )}
        <Textarea
          label="Message"
          autosize
          minRows={6}
          value={body}
          readOnly={!isDraft}
          onChange={(event) => setBody(event.currentTarget.value)}
        />
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        {rejecting && (
          <TextInput
            label="Why reject it? (optional)"
            value={reason}
            onChange={(event) => setReason(event.currentTarget.value)}
          />
        )}
        <Group justify="end">
          {isDraft && !rejecting && (
            <>
              <Button variant="default" onClick={() => setRejecting(true)}>
                Reject
              </Button>
              <Button
                variant="default"
                disabled={!changed}
                loading={actions.update.isPending}
                onClick={save}
              >
                Save draft
              </Button>
              {can('message:approve') && (
                <Button loading={actions.approve.isPending} onClick={() => void approve()}>
                  Approve and send
                </Button>
              )}
            </>
          )}
          {isDraft && rejecting && (
            <>
              <Button variant="default" onClick={() => setRejecting(false)}>
                Back
              </Button>
              <Button color="red" loading={actions.reject.isPending} onClick={reject}>
                Reject draft
              </Button>
            </>
          )}
          {message.status === 'failed' && can('message:approve') && (
            <Button loading={actions.retry.isPending} onClick={retry}>
              Retry
            </Button>
          )}
        </Group>
      </Stack>
    </Modal>
  );
}

function OutboxTable({ messages, onOpen }: { messages: Message[]; onOpen: (m: Message) => void }) {
  if (messages.length === 0) {
    return (
      <Text c="dimmed" size="sm">
        No messages here.
      </Text>
    );
  }
  return (
    <Table striped highlightOnHover>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>To</Table.Th>
          <Table.Th>Message</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Written</Table.Th>
          <Table.Th>
            <VisuallyHidden>Actions</VisuallyHidden>
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {messages.map((message) => (
          <Table.Tr key={message.id} data-testid="outbox-row">
            <Table.Td>
              <Text size="sm" fw={500}>
                {message.recipientName || '—'}
              </Text>
              <Text size="xs">{message.to}</Text>
            </Table.Td>
            <Table.Td>
              <Text size="sm" lineClamp={1}>
                {message.channel === 'email' ? message.subject : message.body}
              </Text>
              <Text size="xs">
                {message.channel.toUpperCase()}
                {message.origin.kind !== 'manual' ? ` · by ${message.origin.kind}` : ''}
              </Text>
            </Table.Td>
            <Table.Td>
              <StatusBadge status={message.status} />
              {message.status === 'failed' && (
                <Text size="xs" c="red.9" lineClamp={1}>
                  {message.lastError}
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              <Text size="xs">{new Date(message.createdAt).toLocaleString()}</Text>
            </Table.Td>
            <Table.Td>
              <Button
                size="compact-sm"
                variant="light"
                onClick={() => onOpen(message)}
                aria-label={`Open message to ${message.recipientName || message.to}`}
              >
                Open
              </Button>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function OutboxPage() {
  const [status, setStatus] = useState<MessageStatus | 'all'>('draft');
  const outbox = useOutbox(status);
  const [open, setOpen] = useState<Message | null>(null);
  return (
    <Stack>
      <Title order={1} size="h2">
        Outbox
      </Title>
      <Text size="sm">
        Nothing goes to a customer before it is approved here. Drafts come from people and from
        automation; opted-out and suppressed contacts are never written to.
      </Text>
      <SegmentedControl
        aria-label="Show messages"
        value={status}
        onChange={(value) => setStatus(value)}
        data={STATUS_FILTERS}
      />
      <Card withBorder>
        <QueryView query={outbox} skeleton={<PageSkeleton rows={4} />}>
          {(data) => (
            <Stack gap="sm">
              <OutboxTable messages={data.pages.flatMap((page) => page.items)} onOpen={setOpen} />
              <LoadMore query={outbox} />
            </Stack>
          )}
        </QueryView>
      </Card>
      {open && <MessageDialog key={open.id} message={open} onClose={() => setOpen(null)} />}
    </Stack>
  );
}
