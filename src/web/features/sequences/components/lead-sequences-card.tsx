// The lead page's sequences: where the lead is enrolled (status, pause / resume / stop) and
// "Enrol in sequence".
import { Anchor, Button, Card, Group, Select, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link } from 'react-router';
import { PageSkeleton, QueryView } from '../../../components/ui/screens';
import { useSession } from '../../../app/session';
import { useEnrolmentActions, useLeadEnrolments, useSequences } from '../api/sequences-api';
import { EnrolmentActions, EnrolmentStatus } from './enrolment-actions';
import { messageOf } from './steps-editor';

function EnrolForm({ leadId }: { leadId: string }) {
  const sequences = useSequences();
  const { enrol } = useEnrolmentActions();
  const [sequenceId, setSequenceId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const options = (sequences.data ?? [])
    .filter((sequence) => sequence.steps.length > 0)
    .map((sequence) => ({ value: sequence.id, label: sequence.name }));
  if (options.length === 0) return null;
  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (!sequenceId) {
          setError('Choose a sequence.');
          return;
        }
        setError(null);
        enrol.mutate(
          { sequenceId, leadId },
          {
            onSuccess: (enrolment) => {
              notifications.show({
                color: 'green',
                message: `Enrolled in ${enrolment.sequenceName}`,
              });
              setSequenceId(null);
            },
            onError: (failure) => setError(messageOf(failure)),
          },
        );
      }}
    >
      <Group align="end" gap="xs" wrap="nowrap">
        <Select
          label="Enrol in sequence"
          placeholder="Choose a sequence"
          data={options}
          value={sequenceId}
          onChange={setSequenceId}
          error={error}
          style={{ flex: 1 }}
          data-testid="enrol-sequence-select"
        />
        <Button type="submit" loading={enrol.isPending}>
          Enrol
        </Button>
      </Group>
    </form>
  );
}

export function LeadSequencesCard({ leadId, isOpen }: { leadId: string; isOpen: boolean }) {
  const enrolments = useLeadEnrolments(leadId);
  const { can } = useSession();
  return (
    <Card withBorder component="section" aria-labelledby="lead-sequences-title">
      <Title order={2} size="h4" id="lead-sequences-title" mb="xs">
        Sequences
      </Title>
      <Stack gap="sm">
        <QueryView query={enrolments} skeleton={<PageSkeleton rows={1} />}>
          {(items) =>
            items.length === 0 ? (
              <Text size="sm" c="dimmed">
                Not in any sequence.
              </Text>
            ) : (
              <Stack gap="xs">
                {items.map((enrolment) => (
                  <Group key={enrolment.id} justify="space-between" data-testid="lead-enrolment">
                    <div>
                      <Anchor component={Link} to={`/sequences/${enrolment.sequenceId}`} size="sm">
                        {enrolment.sequenceName}
                      </Anchor>
                      <div>
                        <EnrolmentStatus enrolment={enrolment} />
                      </div>
                    </div>
                    <EnrolmentActions enrolment={enrolment} />
                  </Group>
                ))}
              </Stack>
            )
          }
        </QueryView>
        {can('lead:update') && isOpen && <EnrolForm leadId={leadId} />}
      </Stack>
    </Card>
  );
}
