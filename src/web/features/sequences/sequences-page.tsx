// Sequences (drip / nurture): the list, and per sequence its steps editor, per-step statistics
// and the leads enrolled in it (pause, resume, stop).
import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link, Route, Routes, useNavigate, useParams } from 'react-router';
import { PageSkeleton, QueryView } from '../../components/ui/screens';
import { useSession } from '../../app/session';
import { humanize } from '../../lib/labels';
import { EmptyHint, SectionHeader } from '../settings/settings-ui';
import {
  useSequence,
  useSequenceActions,
  useSequenceEnrolments,
  useSequences,
  useSequenceStats,
  type Sequence,
} from './api/sequences-api';
import { EnrolmentActions, EnrolmentStatus } from './components/enrolment-actions';
import { messageOf, STEP_LABELS, StepsEditor } from './components/steps-editor';

function StatsCard({ sequence }: { sequence: Sequence }) {
  const stats = useSequenceStats(sequence.id);
  return (
    <Card withBorder component="section" aria-labelledby="sequence-stats-title">
      <Title order={2} size="h4" id="sequence-stats-title" mb="xs">
        Statistics
      </Title>
      <QueryView query={stats} skeleton={<PageSkeleton rows={3} />}>
        {(data) => (
          <Stack gap="xs">
            <Text size="sm" data-testid="sequence-totals">
              {data.enrolled} enrolled · {data.active} active · {data.paused} paused ·{' '}
              {data.completed} completed · {data.exited} exited
            </Text>
            <Table verticalSpacing={4} aria-label="Statistics per step">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Step</Table.Th>
                  <Table.Th>Reached</Table.Th>
                  <Table.Th>Drafted</Table.Th>
                  <Table.Th>Sent</Table.Th>
                  <Table.Th>Tasks</Table.Th>
                  <Table.Th>Replied after</Table.Th>
                  <Table.Th>Exits</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.steps.map((step) => (
                  <Table.Tr key={step.stepId} data-testid="step-stats">
                    <Table.Td>
                      {step.position + 1}. {STEP_LABELS[step.type as keyof typeof STEP_LABELS]}
                    </Table.Td>
                    <Table.Td>{step.reached}</Table.Td>
                    <Table.Td>{step.drafted}</Table.Td>
                    <Table.Td>{step.sent}</Table.Td>
                    <Table.Td>{step.tasksCreated}</Table.Td>
                    <Table.Td>{step.repliedAfter}</Table.Td>
                    <Table.Td>
                      {Object.entries(step.exitedByReason)
                        .map(([reason, count]) => `${humanize(reason)}: ${count}`)
                        .join(', ') || '–'}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Stack>
        )}
      </QueryView>
    </Card>
  );
}

function EnrolmentsCard({ sequence }: { sequence: Sequence }) {
  const enrolments = useSequenceEnrolments(sequence.id);
  const { relative } = useSession();
  return (
    <Card withBorder component="section" aria-labelledby="sequence-enrolments-title">
      <Title order={2} size="h4" id="sequence-enrolments-title" mb="xs">
        Enrolled leads
      </Title>
      <QueryView query={enrolments} skeleton={<PageSkeleton rows={3} />}>
        {(items) =>
          items.length === 0 ? (
            <EmptyHint>
              No lead is enrolled yet. Enrol leads from their page or the leads list.
            </EmptyHint>
          ) : (
            <Table verticalSpacing={4} aria-label="Enrolled leads">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Lead</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Step</Table.Th>
                  <Table.Th>Next</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((enrolment) => (
                  <Table.Tr key={enrolment.id} data-testid="enrolment-row">
                    <Table.Td>
                      <Anchor component={Link} to={`/leads/${enrolment.leadId}`}>
                        {enrolment.leadTitle}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <EnrolmentStatus enrolment={enrolment} />
                    </Table.Td>
                    <Table.Td>
                      {Math.min(enrolment.nextStep, enrolment.stepCount)} / {enrolment.stepCount}
                    </Table.Td>
                    <Table.Td>{enrolment.nextRunAt ? relative(enrolment.nextRunAt) : '–'}</Table.Td>
                    <Table.Td>
                      <EnrolmentActions enrolment={enrolment} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )
        }
      </QueryView>
    </Card>
  );
}

function SequenceDetail() {
  const { sequenceId = '' } = useParams();
  const sequence = useSequence(sequenceId);
  const { archive } = useSequenceActions();
  const { can } = useSession();
  return (
    <QueryView query={sequence} skeleton={<PageSkeleton rows={6} />}>
      {(data) => (
        <Stack>
          <Group justify="space-between" align="start">
            <div>
              <Anchor component={Link} to="/sequences" size="sm">
                ← Sequences
              </Anchor>
              <Title order={1}>{data.name}</Title>
              <Group gap="xs" mt={4}>
                <Badge variant="light">{humanize(data.purpose)}</Badge>
                {data.autoSend && <Badge color="orange">Auto-send</Badge>}
                {data.archivedAt && <Badge color="gray">Archived</Badge>}
              </Group>
            </div>
            {can('lead:configure') && !data.archivedAt && (
              <Button
                variant="default"
                color="red"
                loading={archive.isPending}
                onClick={() =>
                  archive.mutate(data, {
                    onError: (error) =>
                      notifications.show({ color: 'red', message: messageOf(error) }),
                  })
                }
              >
                Archive
              </Button>
            )}
          </Group>
          <Card withBorder component="section" aria-labelledby="sequence-steps-title">
            <Title order={2} size="h4" id="sequence-steps-title" mb="xs">
              Steps
            </Title>
            <StepsEditor key={data.version} sequence={data} />
          </Card>
          <StatsCard sequence={data} />
          <EnrolmentsCard sequence={data} />
        </Stack>
      )}
    </QueryView>
  );
}

function NewSequence({ onCancel }: { onCancel: () => void }) {
  const { create } = useSequenceActions();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <Card withBorder component="section" aria-labelledby="new-sequence-title">
      <Title order={2} size="h4" id="new-sequence-title" mb="xs">
        New sequence
      </Title>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate(
            { name },
            {
              onSuccess: (created) => void navigate(`/sequences/${created.id}`),
              onError: (failure) => setError(messageOf(failure)),
            },
          );
        }}
      >
        <Group align="end">
          <TextInput
            label="Name"
            value={name}
            error={error}
            onChange={(event) => setName(event.currentTarget.value)}
            style={{ flex: 1 }}
          />
          <Button type="submit" loading={create.isPending}>
            Create
          </Button>
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
        </Group>
      </form>
    </Card>
  );
}

function SequencesList() {
  const sequences = useSequences();
  const { can } = useSession();
  const [creating, setCreating] = useState(false);
  return (
    <Stack>
      <Title order={1}>Sequences</Title>
      <SectionHeader
        title="Drip and nurture sequences"
        description="Ordered emails, texts, tasks and waits for each enrolled lead. A lead leaves when they reply, are won, lost or archived, or opt out. Messages wait in the outbox for approval unless auto-send is on."
        action={
          can('lead:configure') &&
          !creating && (
            <Button onClick={() => setCreating(true)} data-testid="new-sequence">
              New sequence
            </Button>
          )
        }
      />
      {creating && <NewSequence onCancel={() => setCreating(false)} />}
      <QueryView query={sequences} skeleton={<PageSkeleton rows={4} />}>
        {(items) =>
          items.length === 0 ? (
            <EmptyHint>No sequences yet.</EmptyHint>
          ) : (
            <Table striped highlightOnHover verticalSpacing="xs" aria-label="Sequences">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Steps</Table.Th>
                  <Table.Th>Running</Table.Th>
                  <Table.Th>Sending</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((sequence) => (
                  <Table.Tr key={sequence.id} data-testid="sequence-row">
                    <Table.Td>
                      <Anchor component={Link} to={`/sequences/${sequence.id}`} fw={500}>
                        {sequence.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{sequence.steps.length}</Table.Td>
                    <Table.Td>{sequence.activeEnrolments}</Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={sequence.autoSend ? 'orange' : 'gray'}>
                        {sequence.autoSend ? 'Auto-send' : 'Approval'}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )
        }
      </QueryView>
    </Stack>
  );
}

export function SequencesPage() {
  return (
    <Routes>
      <Route index element={<SequencesList />} />
      <Route path=":sequenceId" element={<SequenceDetail />} />
    </Routes>
  );
}
