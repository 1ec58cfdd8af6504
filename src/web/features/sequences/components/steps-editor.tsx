// A sequence's settings and its ordered steps, saved together (If-Match on the sequence).
import {
  ActionIcon,
  Alert,
  Button,
  Card,
  Group,
  NumberInput,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useSession } from '../../../app/session';
import { ApiError } from '../../../lib/api-client';
import { describeProblem } from '../../../lib/problem';
import { useSequenceActions, type Sequence, type StepInput } from '../api/sequences-api';

type StepType = StepInput['type'];

export const STEP_LABELS: Record<StepType, string> = {
  email: 'Email',
  sms: 'SMS',
  task: 'Task',
  wait: 'Wait',
  wait_business_hours: 'Wait until business hours',
};

const TASK_TYPES = ['call', 'email', 'sms', 'follow_up', 'meeting', 'custom'] as const;

function newStep(type: StepType): StepInput {
  switch (type) {
    case 'email':
      return { type, templateId: null, subject: '', body: '' };
    case 'sms':
      return { type, templateId: null, body: '' };
    case 'task':
      return { type, title: '', taskType: 'call', dueIn: { amount: 0, unit: 'hours' } };
    case 'wait':
      return { type, amount: 1, unit: 'days' };
    case 'wait_business_hours':
      return { type };
  }
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiError && error.problem) return describeProblem(error.problem);
  return error instanceof Error ? error.message : 'Something went wrong.';
}

function StepFields({
  step,
  label,
  onChange,
}: {
  step: StepInput;
  label: string;
  onChange: (step: StepInput) => void;
}) {
  switch (step.type) {
    case 'email':
      return (
        <Stack gap="xs">
          <TextInput
            label={`${label}: subject`}
            value={step.subject ?? ''}
            onChange={(event) => onChange({ ...step, subject: event.currentTarget.value })}
          />
          <Textarea
            label={`${label}: body`}
            autosize
            minRows={3}
            description="Variables such as {{contact.firstName}} are filled in when drafted"
            value={step.body ?? ''}
            onChange={(event) => onChange({ ...step, body: event.currentTarget.value })}
          />
        </Stack>
      );
    case 'sms':
      return (
        <Textarea
          label={`${label}: text`}
          autosize
          minRows={2}
          value={step.body ?? ''}
          onChange={(event) => onChange({ ...step, body: event.currentTarget.value })}
        />
      );
    case 'task':
      return (
        <Group grow align="start">
          <TextInput
            label={`${label}: title`}
            value={step.title}
            onChange={(event) => onChange({ ...step, title: event.currentTarget.value })}
          />
          <Select
            label={`${label}: task type`}
            allowDeselect={false}
            data={TASK_TYPES.map((value) => ({ value, label: value.replace('_', ' ') }))}
            value={step.taskType ?? 'follow_up'}
            onChange={(value) => onChange({ ...step, taskType: value ?? 'follow_up' })}
          />
          <NumberInput
            label={`${label}: due after (hours)`}
            min={0}
            value={
              step.dueIn
                ? step.dueIn.unit === 'days'
                  ? step.dueIn.amount * 24
                  : step.dueIn.unit === 'minutes'
                    ? step.dueIn.amount / 60
                    : step.dueIn.amount
                : 0
            }
            onChange={(value) =>
              onChange({
                ...step,
                dueIn: { amount: Math.round(Number(value) || 0), unit: 'hours' },
              })
            }
          />
        </Group>
      );
    case 'wait':
      return (
        <Group grow align="start">
          <NumberInput
            label={`${label}: wait for`}
            min={1}
            value={step.amount}
            onChange={(value) => onChange({ ...step, amount: Math.round(Number(value) || 0) })}
          />
          <Select
            label={`${label}: unit`}
            allowDeselect={false}
            data={[
              { value: 'hours', label: 'hours' },
              { value: 'days', label: 'days' },
            ]}
            value={step.unit}
            onChange={(value) => onChange({ ...step, unit: value === 'hours' ? 'hours' : 'days' })}
          />
        </Group>
      );
    case 'wait_business_hours':
      return (
        <Text size="sm" c="dimmed">
          Goes on at once during business hours, else at the next opening.
        </Text>
      );
  }
}

export function StepsEditor({ sequence }: { sequence: Sequence }) {
  const { can } = useSession();
  const { update } = useSequenceActions();
  const [name, setName] = useState(sequence.name);
  const [purpose, setPurpose] = useState(sequence.purpose);
  const [autoSend, setAutoSend] = useState(sequence.autoSend);
  const [steps, setSteps] = useState<StepInput[]>(sequence.steps);
  const [error, setError] = useState<string | null>(null);
  const editable = can('lead:configure') && !sequence.archivedAt;

  const change = (index: number, step: StepInput) =>
    setSteps((all) => all.map((current, i) => (i === index ? step : current)));
  const move = (index: number, by: number) =>
    setSteps((all) => {
      const next = [...all];
      const [step] = next.splice(index, 1);
      if (step) next.splice(index + by, 0, step);
      return next;
    });

  const save = () => {
    setError(null);
    // The editor remounts with the saved version, so the outcome is read from the promise
    // (a mutate() callback would be dropped with the unmounted editor).
    update.mutateAsync({ sequence, changes: { name, purpose, autoSend, steps } }).then(
      (saved) => notifications.show({ color: 'green', message: `Sequence saved: ${saved.name}` }),
      (failure: unknown) => setError(messageOf(failure)),
    );
  };

  return (
    <Stack>
      <Group grow align="start">
        <TextInput
          label="Name"
          value={name}
          disabled={!editable}
          onChange={(event) => setName(event.currentTarget.value)}
        />
        <Select
          label="Purpose"
          allowDeselect={false}
          disabled={!editable}
          description="Marketing messages need the contact's opt-in"
          data={[
            { value: 'marketing', label: 'Marketing (nurture)' },
            { value: 'transactional', label: 'Transactional' },
          ]}
          value={purpose}
          onChange={(value) =>
            setPurpose(value === 'transactional' ? 'transactional' : 'marketing')
          }
        />
      </Group>
      <Switch
        label="Send messages without approval (auto-send)"
        description={
          can('message:auto_send')
            ? 'Off: every email and SMS waits in the outbox for approval.'
            : 'Only an admin can turn this on.'
        }
        checked={autoSend}
        disabled={!editable || (!can('message:auto_send') && !autoSend)}
        onChange={(event) => setAutoSend(event.currentTarget.checked)}
      />
      {steps.length === 0 && (
        <Text size="sm" c="dimmed">
          No steps yet. Add an email, a task or a wait below.
        </Text>
      )}
      {steps.map((step, index) => {
        const label = `Step ${index + 1}`;
        return (
          <Card withBorder key={step.id ?? `new-${index}`} data-testid="sequence-step">
            <Group justify="space-between" mb="xs">
              <Text fw={600} size="sm">
                {label} · {STEP_LABELS[step.type]}
              </Text>
              {editable && (
                <Group gap={4}>
                  <ActionIcon
                    variant="default"
                    aria-label={`Move ${label} up`}
                    disabled={index === 0}
                    onClick={() => move(index, -1)}
                  >
                    ↑
                  </ActionIcon>
                  <ActionIcon
                    variant="default"
                    aria-label={`Move ${label} down`}
                    disabled={index === steps.length - 1}
                    onClick={() => move(index, 1)}
                  >
                    ↓
                  </ActionIcon>
                  <ActionIcon
                    variant="default"
                    color="red"
                    aria-label={`Remove ${label}`}
                    onClick={() => setSteps((all) => all.filter((_, i) => i !== index))}
                  >
                    ×
                  </ActionIcon>
                </Group>
              )}
            </Group>
            <StepFields step={step} label={label} onChange={(next) => change(index, next)} />
          </Card>
        );
      })}
      {error && (
        <Alert color="red" title="Not saved" role="alert">
          {error}
        </Alert>
      )}
      {editable && (
        <Group justify="space-between">
          <Group gap="xs">
            {(Object.keys(STEP_LABELS) as StepType[]).map((type) => (
              <Button
                key={type}
                size="xs"
                variant="default"
                onClick={() => setSteps((all) => [...all, newStep(type)])}
              >
                + {STEP_LABELS[type]}
              </Button>
            ))}
          </Group>
          <Button onClick={save} loading={update.isPending} data-testid="save-sequence">
            Save sequence
          </Button>
        </Group>
      )}
    </Stack>
  );
}
