// An enrolment's status badge and its pause / resume / stop buttons.
import { Badge, Button, Group } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useSession } from '../../../app/session';
import { humanize } from '../../../lib/labels';
import { useEnrolmentActions, type Enrolment } from '../api/sequences-api';
import { messageOf } from './steps-editor';

const STATUS_COLORS: Record<Enrolment['status'], string> = {
  active: 'blue',
  paused: 'yellow',
  completed: 'teal',
  exited: 'gray',
};

export function EnrolmentStatus({ enrolment }: { enrolment: Enrolment }) {
  return (
    <Badge variant="light" color={STATUS_COLORS[enrolment.status]} data-testid="enrolment-status">
      {humanize(enrolment.status)}
      {enrolment.exitReason ? ` · ${humanize(enrolment.exitReason)}` : ''}
    </Badge>
  );
}

/** Pause / resume / stop buttons for an enrolment that is still running. */
export function EnrolmentActions({ enrolment }: { enrolment: Enrolment }) {
  const { can } = useSession();
  const { change } = useEnrolmentActions();
  if (!can('lead:update')) return null;
  const run = (action: 'pause' | 'resume' | 'stop') =>
    change.mutate(
      { id: enrolment.id, action },
      { onError: (error) => notifications.show({ color: 'red', message: messageOf(error) }) },
    );
  const name = `${enrolment.sequenceName} for ${enrolment.leadTitle}`;
  return (
    <Group gap={4} wrap="nowrap">
      {enrolment.status === 'active' && (
        <Button
          size="compact-xs"
          variant="default"
          onClick={() => run('pause')}
          aria-label={`Pause ${name}`}
        >
          Pause
        </Button>
      )}
      {enrolment.status === 'paused' && (
        <Button
          size="compact-xs"
          variant="default"
          onClick={() => run('resume')}
          aria-label={`Resume ${name}`}
        >
          Resume
        </Button>
      )}
      {(enrolment.status === 'active' || enrolment.status === 'paused') && (
        <Button
          size="compact-xs"
          variant="default"
          color="red"
          onClick={() => run('stop')}
          aria-label={`Stop ${name}`}
        >
          Stop
        </Button>
      )}
    </Group>
  );
}
