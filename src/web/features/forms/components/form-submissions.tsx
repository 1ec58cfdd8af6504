// A form's stored submissions by status. A rejected (or spam) one can be corrected and accepted,
// which runs the same new-inquiry flow as a capture.
import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Modal,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Textarea,
  VisuallyHidden,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link } from 'react-router';
import { useSession } from '../../../app/session';
import { PageSkeleton, QueryView } from '../../../components/ui/screens';
import { ApiError } from '../../../lib/api-client';
import {
  useAcceptSubmission,
  useSubmissions,
  type Submission,
  type SubmissionStatus,
} from '../api/forms-api';
import { EmptyHint } from '../../settings/settings-ui';

const EDITABLE = [
  { target: 'firstName', label: 'First name' },
  { target: 'lastName', label: 'Last name' },
  { target: 'name', label: 'Full name' },
  { target: 'email', label: 'Email' },
  { target: 'phone', label: 'Phone' },
  { target: 'company', label: 'Company' },
] as const;

const TABS: { status: SubmissionStatus; label: string }[] = [
  { status: 'rejected', label: 'Rejected' },
  { status: 'spam', label: 'Spam' },
  { status: 'accepted', label: 'Accepted' },
];

function summary(submission: Submission): string {
  const values = submission.fields;
  const who =
    [values.firstName, values.lastName].filter(Boolean).join(' ') || values.name || '(no name)';
  return [who, values.email, values.phone].filter(Boolean).join(' · ');
}

function AcceptDialog({
  formId,
  submission,
  onClose,
}: {
  formId: string;
  submission: Submission;
  onClose: () => void;
}) {
  const accept = useAcceptSubmission(formId);
  const [values, setValues] = useState<Record<string, string>>({
    ...Object.fromEntries(EDITABLE.map(({ target }) => [target, ''])),
    message: '',
    ...submission.fields,
  });
  const serverErrors = accept.error instanceof ApiError ? (accept.error.problem?.errors ?? []) : [];
  const errorOf = (target: string) =>
    (
      serverErrors.find((e) => e.field === target) ??
      submission.errors.find((e) => e.field === target)
    )?.message;
  const set = (target: string, value: string) => setValues((v) => ({ ...v, [target]: value }));
  return (
    <Modal opened onClose={onClose} title="Correct and accept" size="lg">
      <form
        noValidate
        aria-label="Correct and accept submission"
        onSubmit={(event) => {
          event.preventDefault();
          accept.mutate(
            { id: submission.id, fields: values },
            {
              onSuccess: () => {
                notifications.show({ color: 'green', message: 'Accepted: the lead is created.' });
                onClose();
              },
            },
          );
        }}
      >
        <Stack gap="sm">
          {submission.errors.length > 0 && (
            <Alert color="yellow" title="Why it was rejected">
              {submission.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}
            </Alert>
          )}
          <Group grow align="start">
            {EDITABLE.slice(0, 3).map(({ target, label }) => (
              <TextInput
                key={target}
                label={label}
                value={values[target] ?? ''}
                onChange={(event) => set(target, event.currentTarget.value)}
                error={errorOf(target)}
              />
            ))}
          </Group>
          <Group grow align="start">
            {EDITABLE.slice(3).map(({ target, label }) => (
              <TextInput
                key={target}
                label={label}
                value={values[target] ?? ''}
                onChange={(event) => set(target, event.currentTarget.value)}
                error={errorOf(target)}
              />
            ))}
          </Group>
          <Textarea
            label="Message"
            autosize
            minRows={2}
            value={values.message ?? ''}
            onChange={(event) => set('message', event.currentTarget.value)}
          />
          {submission.extras.length > 0 && (
            <Text size="sm">
              Also sent:{' '}
              {submission.extras.map((extra) => `${extra.label}: ${extra.value}`).join('; ')}
            </Text>
          )}
          {accept.error && serverErrors.length === 0 && (
            <Alert color="red" title="Not accepted">
              {accept.error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={accept.isPending}>
              Accept and create lead
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function SubmissionsTable({ formId, status }: { formId: string; status: SubmissionStatus }) {
  const submissions = useSubmissions(formId, status);
  const { dateTime } = useSession();
  const [accepting, setAccepting] = useState<Submission | null>(null);
  const [raw, setRaw] = useState<Submission | null>(null);
  return (
    <>
      <QueryView query={submissions} skeleton={<PageSkeleton rows={3} />}>
        {(items) =>
          items.length === 0 ? (
            <EmptyHint>No {status} submissions.</EmptyHint>
          ) : (
            <Table verticalSpacing="xs" aria-label={`${status} submissions`}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Received</Table.Th>
                  <Table.Th>From</Table.Th>
                  <Table.Th>Via</Table.Th>
                  <Table.Th>{status === 'rejected' ? 'Problem' : 'Lead'}</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((submission) => (
                  <Table.Tr key={submission.id} data-testid="submission-row">
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      {dateTime(submission.createdAt)}
                    </Table.Td>
                    <Table.Td>{summary(submission)}</Table.Td>
                    <Table.Td>
                      <Badge variant="light" color="gray">
                        {submission.adapter}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      {submission.leadId ? (
                        <Link to={`/leads/${submission.leadId}`}>Open lead</Link>
                      ) : (
                        <Text size="sm" c="red.8">
                          {submission.errors.map((e) => e.message).join('; ')}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td style={{ textAlign: 'right', whiteSpace: 'nowrap' }}>
                      <Group gap="xs" justify="flex-end" wrap="nowrap">
                        <Button
                          size="compact-sm"
                          variant="default"
                          onClick={() => setRaw(submission)}
                        >
                          Raw
                        </Button>
                        {submission.status !== 'accepted' && (
                          <Button size="compact-sm" onClick={() => setAccepting(submission)}>
                            Fix and accept
                          </Button>
                        )}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )
        }
      </QueryView>
      {accepting && (
        <AcceptDialog formId={formId} submission={accepting} onClose={() => setAccepting(null)} />
      )}
      {raw && (
        <Modal opened onClose={() => setRaw(null)} title="As received" size="lg">
          <Stack gap="xs">
            <Text size="sm">
              {raw.contentType || 'no content type'} · {raw.ip ?? 'unknown address'} ·{' '}
              {raw.userAgent ?? 'no user agent'}
            </Text>
            <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
              {raw.rawBody || '(empty)'}
            </Code>
          </Stack>
        </Modal>
      )}
    </>
  );
}

export function FormSubmissions({ formId }: { formId: string }) {
  const [tab, setTab] = useState<SubmissionStatus>('rejected');
  return (
    <Tabs value={tab} onChange={(value) => value && setTab(value as SubmissionStatus)}>
      <Tabs.List aria-label="Submissions by status">
        {TABS.map(({ status, label }) => (
          <Tabs.Tab key={status} value={status}>
            {label}
          </Tabs.Tab>
        ))}
      </Tabs.List>
      {TABS.map(({ status }) => (
        <Tabs.Panel key={status} value={status} pt="sm">
          {tab === status && <SubmissionsTable formId={formId} status={status} />}
        </Tabs.Panel>
      ))}
    </Tabs>
  );
}
