// Automation: the workspace's rules (on/off, order), a builder (trigger → conditions → actions)
// and the run log of each rule and of all of them (docs/automation.md).
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  MultiSelect,
  NumberInput,
  Select,
  Stack,
  Switch,
  Table,
  TagsInput,
  Text,
  Textarea,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { z } from 'zod';
import type {
  actionSchema,
  automationRuleSchema,
  automationRunSchema,
  conditionSchema,
  createAutomationRuleBodySchema,
  triggerSchema,
  updateAutomationRuleBodySchema,
} from '../../../server/modules/automation/automation.schemas';
import { useLeadSources, useMembers, usePipelines } from '../../app/reference-data';
import { useSession } from '../../app/session';
import { PageSkeleton, QueryView } from '../../components/ui/screens';
import { api, ApiError, apiRequest } from '../../lib/api-client';
import type { Page } from '../../lib/types';
import { useTemplates } from '../messaging/api/messaging-api';
import { useSequences } from '../sequences/api/sequences-api';
import { EmptyHint, OrderControls, SectionHeader } from './settings-ui';

type Rule = z.infer<typeof automationRuleSchema>;
type Run = z.infer<typeof automationRunSchema>;
type Trigger = z.input<typeof triggerSchema>;
type Condition = z.input<typeof conditionSchema>;
type Action = z.input<typeof actionSchema>;

const TRIGGERS: { value: Trigger['type']; label: string }[] = [
  { value: 'lead_created', label: 'A lead is created' },
  { value: 'stage_changed', label: 'A lead moves to a stage' },
  { value: 'field_changed', label: 'A field changes' },
  { value: 'no_activity', label: 'No activity for a while' },
  { value: 'time_in_stage', label: 'Too long in a stage' },
  { value: 'task_overdue', label: 'A task is overdue' },
  { value: 'form_submitted', label: 'A form is submitted' },
  { value: 'score_crossed', label: 'The score crosses a threshold' },
  { value: 'contact_attempts', label: 'Attempts without a response' },
];

const CONDITIONS: { value: Condition['type']; label: string }[] = [
  { value: 'source', label: 'Source' },
  { value: 'pipeline', label: 'Pipeline' },
  { value: 'stage', label: 'Stage' },
  { value: 'assignee', label: 'Assignee' },
  { value: 'tags', label: 'Tags' },
  { value: 'field', label: 'Field' },
];

const ACTIONS: { value: Action['type']; label: string }[] = [
  { value: 'create_task', label: 'Create a task' },
  { value: 'notify', label: 'Notify' },
  { value: 'assign', label: 'Assign' },
  { value: 'set_field', label: 'Set a field' },
  { value: 'move_stage', label: 'Move to a stage' },
  { value: 'add_tag', label: 'Add a tag' },
  { value: 'send_message', label: 'Draft or send an email/SMS' },
  { value: 'enrol_in_sequence', label: 'Enrol in a sequence' },
  { value: 'call_webhook', label: 'Call a webhook' },
];

const UNITS = [
  { value: 'minutes', label: 'minutes' },
  { value: 'hours', label: 'hours' },
  { value: 'days', label: 'days' },
];

function newTrigger(type: Trigger['type']): Trigger {
  switch (type) {
    case 'stage_changed':
      return { type, fromStageIds: [], toStageIds: [] };
    case 'field_changed':
      return { type, fields: ['value'] };
    case 'no_activity':
      return { type, after: { amount: 3, unit: 'days', businessTime: true } };
    case 'time_in_stage':
      return { type, stageIds: [] };
    case 'form_submitted':
      return { type, formIds: [] };
    case 'score_crossed':
      return { type, threshold: 70, direction: 'up' };
    case 'contact_attempts':
      return { type, attempts: 3 };
    case 'lead_created':
    case 'task_overdue':
      return { type };
  }
}

function newCondition(type: Condition['type']): Condition {
  switch (type) {
    case 'source':
    case 'pipeline':
    case 'stage':
      return { type, op: 'in', values: [] };
    case 'assignee':
      return { type, op: 'is_set', values: [] };
    case 'tags':
      return { type, op: 'has_any', values: [] };
    case 'field':
      return { type, field: 'value', op: 'gt', value: 0 };
  }
}

function newAction(type: Action['type']): Action {
  switch (type) {
    case 'create_task':
      return {
        type,
        title: 'Follow up with {{lead.title}}',
        taskType: 'follow_up',
        priority: 'normal',
        due: { amount: 1, unit: 'days', businessTime: true },
        assigneeId: null,
      };
    case 'notify':
      return { type, to: 'assignee', userId: null, title: '{{lead.title}} needs attention' };
    case 'assign':
      return { type, userId: null };
    case 'set_field':
      return { type, field: 'priority', value: 'high' };
    case 'move_stage':
      return { type, stageId: '' };
    case 'add_tag':
      return { type, tag: '' };
    case 'send_message':
      return { type, channel: 'email', templateId: '', autoSend: false };
    case 'enrol_in_sequence':
      return { type, sequenceId: '' };
    case 'call_webhook':
      return { type, url: '' };
  }
}

// ── API ──────────────────────────────────────────────────────────────────────

function useRules() {
  return useQuery({
    queryKey: ['automation-rules'],
    queryFn: () => api.get<Page<Rule>>('/api/automation-rules').then((page) => page.items),
  });
}

function useRuleActions() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['automation-rules'] });
  return {
    create: useMutation({
      mutationFn: (input: z.input<typeof createAutomationRuleBodySchema>) =>
        api.post<Rule>('/api/automation-rules', input),
      onSuccess: refresh,
    }),
    update: useMutation({
      mutationFn: ({
        rule,
        changes,
      }: {
        rule: Rule;
        changes: z.input<typeof updateAutomationRuleBodySchema>;
      }) => api.patch<Rule>(`/api/automation-rules/${rule.id}`, changes, { ifMatch: rule.version }),
      onSuccess: refresh,
    }),
    archive: useMutation({
      mutationFn: (rule: Rule) =>
        apiRequest<Rule>('DELETE', `/api/automation-rules/${rule.id}`, { ifMatch: rule.version }),
      onSuccess: refresh,
    }),
  };
}

// ── Pickers ──────────────────────────────────────────────────────────────────

function useStageOptions() {
  const pipelines = usePipelines();
  return (pipelines.data ?? []).map((pipeline) => ({
    group: pipeline.name,
    items: pipeline.stages.map((stage) => ({ value: stage.id, label: stage.name })),
  }));
}

function useMemberOptions() {
  const members = useMembers();
  return (members.data ?? []).map((m) => ({ value: m.id, label: m.name }));
}

function OffsetInput({
  label,
  value,
  onChange,
}: {
  label: string;
  value: { amount: number; unit: 'minutes' | 'hours' | 'days'; businessTime?: boolean };
  onChange: (value: {
    amount: number;
    unit: 'minutes' | 'hours' | 'days';
    businessTime: boolean;
  }) => void;
}) {
  const current = { ...value, businessTime: value.businessTime ?? true };
  return (
    <Group align="end" gap="xs">
      <NumberInput
        label={label}
        min={0}
        allowDecimal={false}
        w={110}
        value={current.amount}
        onChange={(amount) =>
          onChange({ ...current, amount: typeof amount === 'number' ? amount : 0 })
        }
      />
      <Select
        label="Unit"
        w={120}
        allowDeselect={false}
        data={UNITS}
        value={current.unit}
        onChange={(unit) =>
          unit && onChange({ ...current, unit: unit as 'minutes' | 'hours' | 'days' })
        }
      />
      <Switch
        label="Business hours only"
        checked={current.businessTime}
        onChange={(event) => onChange({ ...current, businessTime: event.currentTarget.checked })}
        mb={8}
      />
    </Group>
  );
}

// ── Builder ──────────────────────────────────────────────────────────────────

function TriggerEditor({
  trigger,
  onChange,
}: {
  trigger: Trigger;
  onChange: (t: Trigger) => void;
}) {
  const stages = useStageOptions();
  switch (trigger.type) {
    case 'stage_changed':
      return (
        <Group grow align="start">
          <MultiSelect
            label="From stages"
            description="Empty: any"
            data={stages}
            value={trigger.fromStageIds ?? []}
            onChange={(fromStageIds) => onChange({ ...trigger, fromStageIds })}
          />
          <MultiSelect
            label="To stages"
            description="Empty: any"
            data={stages}
            value={trigger.toStageIds ?? []}
            onChange={(toStageIds) => onChange({ ...trigger, toStageIds })}
          />
        </Group>
      );
    case 'field_changed':
      return (
        <TagsInput
          label="Fields"
          description="Lead fields: value, priority, tags, contactStatus, customFields, …"
          value={trigger.fields}
          onChange={(fields) => onChange({ ...trigger, fields })}
        />
      );
    case 'no_activity':
      return (
        <OffsetInput
          label="No activity for"
          value={trigger.after}
          onChange={(after) => onChange({ ...trigger, after })}
        />
      );
    case 'time_in_stage':
      return (
        <MultiSelect
          label="Stages"
          description="Fires past the stage's days allowed; empty: any stage"
          data={stages}
          value={trigger.stageIds ?? []}
          onChange={(stageIds) => onChange({ ...trigger, stageIds })}
        />
      );
    case 'score_crossed':
      return (
        <Group align="start">
          <NumberInput
            label="Threshold"
            min={0}
            max={100}
            value={trigger.threshold}
            onChange={(threshold) =>
              onChange({ ...trigger, threshold: typeof threshold === 'number' ? threshold : 0 })
            }
          />
          <Select
            label="Direction"
            allowDeselect={false}
            data={[
              { value: 'up', label: 'Goes up past it' },
              { value: 'down', label: 'Falls below it' },
            ]}
            value={trigger.direction ?? 'up'}
            onChange={(direction) => direction && onChange({ ...trigger, direction: direction })}
          />
        </Group>
      );
    case 'contact_attempts':
      return (
        <NumberInput
          label="Unanswered attempts in a row"
          min={1}
          max={50}
          value={trigger.attempts}
          onChange={(attempts) =>
            onChange({ ...trigger, attempts: typeof attempts === 'number' ? attempts : 1 })
          }
        />
      );
    case 'lead_created':
    case 'task_overdue':
    case 'form_submitted':
      return null;
  }
}

function ConditionEditor({
  condition,
  index,
  onChange,
}: {
  condition: Condition;
  index: number;
  onChange: (c: Condition) => void;
}) {
  const stages = useStageOptions();
  const pipelines = usePipelines();
  const sources = useLeadSources();
  const members = useMemberOptions();
  const label = `Condition ${index + 1}`;
  const inOut = [
    { value: 'in', label: 'is one of' },
    { value: 'not_in', label: 'is none of' },
  ];
  switch (condition.type) {
    case 'source':
    case 'pipeline':
    case 'stage': {
      const data =
        condition.type === 'stage'
          ? stages
          : condition.type === 'pipeline'
            ? (pipelines.data ?? []).map((p) => ({ value: p.id, label: p.name }))
            : (sources.data ?? []).map((s) => ({ value: s.id, label: s.name }));
      return (
        <Group grow align="start">
          <Select
            label={`${label}: ${condition.type}`}
            allowDeselect={false}
            data={inOut}
            value={condition.op}
            onChange={(op) => op && onChange({ ...condition, op: op as 'in' | 'not_in' })}
          />
          <MultiSelect
            label="Values"
            data={data}
            value={condition.values}
            onChange={(values) => onChange({ ...condition, values })}
          />
        </Group>
      );
    }
    case 'assignee':
      return (
        <Group grow align="start">
          <Select
            label={`${label}: assignee`}
            allowDeselect={false}
            data={[
              { value: 'is_set', label: 'is someone' },
              { value: 'is_empty', label: 'is nobody' },
              ...inOut,
            ]}
            value={condition.op}
            onChange={(op) => op && onChange({ ...condition, op: op as typeof condition.op })}
          />
          {(condition.op === 'in' || condition.op === 'not_in') && (
            <MultiSelect
              label="Members"
              data={members}
              value={condition.values ?? []}
              onChange={(values) => onChange({ ...condition, values })}
            />
          )}
        </Group>
      );
    case 'tags':
      return (
        <Group grow align="start">
          <Select
            label={`${label}: tags`}
            allowDeselect={false}
            data={[
              { value: 'has_any', label: 'has any of' },
              { value: 'has_none', label: 'has none of' },
            ]}
            value={condition.op}
            onChange={(op) => op && onChange({ ...condition, op: op })}
          />
          <TagsInput
            label="Tags"
            value={condition.values}
            onChange={(values) => onChange({ ...condition, values })}
          />
        </Group>
      );
    case 'field':
      return (
        <Group grow align="start">
          <TextInput
            label={`${label}: field`}
            description="value, priority, contactStatus, status, title, probability, score or custom.<key>"
            value={condition.field}
            onChange={(event) => onChange({ ...condition, field: event.currentTarget.value })}
          />
          <Select
            label="Comparison"
            allowDeselect={false}
            data={[
              { value: 'eq', label: 'equals' },
              { value: 'neq', label: 'is not' },
              { value: 'gt', label: 'greater than' },
              { value: 'lt', label: 'less than' },
              { value: 'contains', label: 'contains' },
              { value: 'is_set', label: 'is set' },
              { value: 'is_empty', label: 'is empty' },
            ]}
            value={condition.op}
            onChange={(op) => op && onChange({ ...condition, op: op })}
          />
          <TextInput
            label="Value"
            value={
              condition.value === null || condition.value === undefined
                ? ''
                : String(condition.value)
            }
            onChange={(event) => {
              const text = event.currentTarget.value;
              const number = Number(text);
              onChange({
                ...condition,
                value: text !== '' && !Number.isNaN(number) ? number : text,
              });
            }}
          />
        </Group>
      );
  }
}

function ActionEditor({
  action,
  index,
  onChange,
}: {
  action: Action;
  index: number;
  onChange: (a: Action) => void;
}) {
  const stages = useStageOptions();
  const members = useMemberOptions();
  const templates = useTemplates();
  const sequences = useSequences();
  const label = `Action ${index + 1}`;
  switch (action.type) {
    case 'create_task':
      return (
        <Stack gap="xs">
          <Group grow align="start">
            <TextInput
              label={`${label}: task title`}
              description="{{lead.title}} is replaced by the lead's title"
              value={action.title}
              onChange={(event) => onChange({ ...action, title: event.currentTarget.value })}
            />
            <Select
              label="Task type"
              allowDeselect={false}
              data={['call', 'email', 'sms', 'follow_up', 'meeting', 'custom']}
              value={action.taskType ?? 'follow_up'}
              onChange={(taskType) =>
                taskType && onChange({ ...action, taskType: taskType as typeof action.taskType })
              }
            />
            <Select
              label="For"
              data={[{ value: '', label: "The lead's assignee" }, ...members]}
              value={action.assigneeId ?? ''}
              onChange={(value) => onChange({ ...action, assigneeId: value || null })}
            />
          </Group>
          <OffsetInput
            label="Due after"
            value={action.due}
            onChange={(due) => onChange({ ...action, due })}
          />
        </Stack>
      );
    case 'notify':
      return (
        <Group grow align="start">
          <Select
            label={`${label}: notify`}
            allowDeselect={false}
            data={[
              { value: 'assignee', label: 'The assignee' },
              { value: 'managers', label: 'The managers' },
              { value: 'user', label: 'A member' },
            ]}
            value={action.to}
            onChange={(to) => to && onChange({ ...action, to: to })}
          />
          {action.to === 'user' && (
            <Select
              label="Member"
              data={members}
              value={action.userId ?? null}
              onChange={(userId) => onChange({ ...action, userId })}
            />
          )}
          <TextInput
            label="Message"
            value={action.title}
            onChange={(event) => onChange({ ...action, title: event.currentTarget.value })}
          />
        </Group>
      );
    case 'assign':
      return (
        <Select
          label={`${label}: assign to`}
          data={[{ value: '', label: 'By the assignment rules' }, ...members]}
          value={action.userId ?? ''}
          onChange={(value) => onChange({ ...action, userId: value || null })}
        />
      );
    case 'set_field':
      return (
        <Group grow align="start">
          <TextInput
            label={`${label}: field`}
            description="priority, value, contactStatus, expectedCloseDate or custom.<key>"
            value={action.field}
            onChange={(event) => onChange({ ...action, field: event.currentTarget.value })}
          />
          <TextInput
            label="New value"
            value={action.value === null ? '' : String(action.value)}
            onChange={(event) => {
              const text = event.currentTarget.value;
              const number = Number(text);
              onChange({ ...action, value: text !== '' && !Number.isNaN(number) ? number : text });
            }}
          />
        </Group>
      );
    case 'move_stage':
      return (
        <Select
          label={`${label}: move to stage`}
          data={stages}
          value={action.stageId || null}
          onChange={(stageId) => onChange({ ...action, stageId: stageId ?? '' })}
        />
      );
    case 'add_tag':
      return (
        <TextInput
          label={`${label}: tag`}
          value={action.tag}
          onChange={(event) => onChange({ ...action, tag: event.currentTarget.value })}
        />
      );
    case 'send_message':
      return (
        <Group grow align="start">
          <Select
            label={`${label}: template`}
            description="Email and SMS templates (Settings → Templates)"
            data={(templates.data?.items ?? [])
              .filter((template) => !template.archived)
              .map((template) => ({
                value: template.id,
                label: `${template.name} (${template.channel})`,
              }))}
            value={action.templateId || null}
            onChange={(templateId) => {
              const template = templates.data?.items.find((t) => t.id === templateId);
              onChange({
                ...action,
                templateId: templateId ?? '',
                channel: template?.channel ?? action.channel,
              });
            }}
          />
          <Switch
            mt="xl"
            label="Send without approval (auto-send)"
            checked={action.autoSend ?? false}
            onChange={(event) => onChange({ ...action, autoSend: event.currentTarget.checked })}
          />
        </Group>
      );
    case 'enrol_in_sequence':
      return (
        <Select
          label={`${label}: sequence`}
          data={(sequences.data ?? []).map((sequence) => ({
            value: sequence.id,
            label: sequence.name,
          }))}
          value={action.sequenceId || null}
          onChange={(sequenceId) => onChange({ ...action, sequenceId: sequenceId ?? '' })}
        />
      );
    case 'call_webhook':
      return (
        <TextInput
          label={`${label}: URL`}
          description="Receives the lead as JSON (event automation.rule_fired)"
          value={action.url}
          onChange={(event) => onChange({ ...action, url: event.currentTarget.value })}
        />
      );
  }
}

function replaceAt<T>(list: T[], index: number, item: T): T[] {
  return list.map((current, i) => (i === index ? item : current));
}

function RuleForm({ rule, onDone }: { rule: Rule | null; onDone: () => void }) {
  const { create, update } = useRuleActions();
  const [name, setName] = useState(rule?.name ?? '');
  const [description, setDescription] = useState(rule?.description ?? '');
  const [trigger, setTrigger] = useState<Trigger>(rule?.trigger ?? { type: 'lead_created' });
  const [conditions, setConditions] = useState<Condition[]>(rule?.conditions ?? []);
  const [actions, setActions] = useState<Action[]>(rule?.actions ?? [newAction('create_task')]);
  const [errors, setErrors] = useState<{ field: string; message: string }[]>([]);

  const submit = () => {
    if (!name.trim()) return setErrors([{ field: 'name', message: 'Give the rule a name' }]);
    setErrors([]);
    const values = { name: name.trim(), description, trigger, conditions, actions };
    const callbacks = {
      onSuccess: () => {
        notifications.show({ color: 'green', message: `Rule saved: ${values.name}` });
        onDone();
      },
      onError: (error: Error) => {
        const fields = error instanceof ApiError ? (error.problem?.errors ?? []) : [];
        setErrors(
          fields.length > 0 ? fields : [{ field: 'form', message: error.message || 'Not saved' }],
        );
      },
    };
    if (rule) update.mutate({ rule, changes: values }, callbacks);
    else create.mutate(values, callbacks);
  };

  return (
    <form
      noValidate
      aria-label={rule ? `Edit rule ${rule.name}` : 'New automation rule'}
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <Stack gap="sm">
        <TextInput
          label="Name"
          required
          data-autofocus
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          error={errors.find((e) => e.field === 'name')?.message}
        />
        <Textarea
          label="Description"
          autosize
          minRows={1}
          value={description}
          onChange={(event) => setDescription(event.currentTarget.value)}
        />
        <Card withBorder component="fieldset" aria-label="Trigger">
          <Title order={3} size="h5" mb="xs">
            When
          </Title>
          <Stack gap="xs">
            <Select
              label="Trigger"
              allowDeselect={false}
              data={TRIGGERS}
              value={trigger.type}
              onChange={(type) => type && setTrigger(newTrigger(type))}
            />
            <TriggerEditor trigger={trigger} onChange={setTrigger} />
          </Stack>
        </Card>
        <Card withBorder component="fieldset" aria-label="Conditions">
          <Title order={3} size="h5" mb="xs">
            Only if (all hold)
          </Title>
          <Stack gap="xs">
            {conditions.length === 0 && <EmptyHint>No conditions: every lead.</EmptyHint>}
            {conditions.map((condition, index) => (
              <Group key={index} align="end" wrap="nowrap">
                <div style={{ flex: 1 }}>
                  <ConditionEditor
                    condition={condition}
                    index={index}
                    onChange={(c) => setConditions(replaceAt(conditions, index, c))}
                  />
                </div>
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label={`Remove condition ${index + 1}`}
                  onClick={() => setConditions(conditions.filter((_, i) => i !== index))}
                >
                  ×
                </ActionIcon>
              </Group>
            ))}
            <Select
              label="Add a condition"
              placeholder="Choose…"
              data={CONDITIONS}
              value={null}
              onChange={(type) => type && setConditions([...conditions, newCondition(type)])}
            />
          </Stack>
        </Card>
        <Card withBorder component="fieldset" aria-label="Actions">
          <Title order={3} size="h5" mb="xs">
            Then
          </Title>
          <Stack gap="xs">
            {actions.map((action, index) => (
              <Group key={index} align="end" wrap="nowrap">
                <div style={{ flex: 1 }}>
                  <ActionEditor
                    action={action}
                    index={index}
                    onChange={(a) => setActions(replaceAt(actions, index, a))}
                  />
                </div>
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label={`Remove action ${index + 1}`}
                  onClick={() => setActions(actions.filter((_, i) => i !== index))}
                >
                  ×
                </ActionIcon>
              </Group>
            ))}
            <Select
              label="Add an action"
              placeholder="Choose…"
              data={ACTIONS}
              value={null}
              onChange={(type) => type && setActions([...actions, newAction(type)])}
            />
          </Stack>
        </Card>
        {errors.some((e) => e.field !== 'name') && (
          <Alert color="red" title="Not saved" role="alert">
            <Stack gap={2}>
              {errors
                .filter((e) => e.field !== 'name')
                .map((e) => (
                  <Text size="sm" key={`${e.field}-${e.message}`}>
                    {e.field === 'form' ? e.message : `${e.field}: ${e.message}`}
                  </Text>
                ))}
            </Stack>
          </Alert>
        )}
        <Group justify="flex-end">
          <Button type="submit" loading={create.isPending || update.isPending}>
            {rule ? 'Save rule' : 'Add rule'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

// ── Run log ──────────────────────────────────────────────────────────────────

const STATUS_COLORS: Record<Run['status'], string> = {
  queued: 'blue',
  succeeded: 'green',
  failed: 'red',
  skipped: 'gray',
};

function RunLog({ ruleId }: { ruleId?: string }) {
  const { dateTime } = useSession();
  const runs = useQuery({
    queryKey: ['automation-runs', ruleId ?? 'all'],
    queryFn: () =>
      api
        .get<Page<Run>>(ruleId ? `/api/automation-rules/${ruleId}/runs` : '/api/automation-runs')
        .then((page) => page.items),
  });
  return (
    <QueryView query={runs} skeleton={<PageSkeleton rows={3} />}>
      {(items) =>
        items.length === 0 ? (
          <EmptyHint>No runs yet.</EmptyHint>
        ) : (
          <Table verticalSpacing="xs" aria-label={ruleId ? 'Runs of this rule' : 'All runs'}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                {!ruleId && <Table.Th>Rule</Table.Th>}
                <Table.Th>Why</Table.Th>
                <Table.Th>What it did</Table.Th>
                <Table.Th>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((run) => (
                <Table.Tr key={run.id} data-testid="automation-run-row">
                  <Table.Td>{dateTime(run.createdAt)}</Table.Td>
                  {!ruleId && <Table.Td>{run.ruleName}</Table.Td>}
                  <Table.Td>
                    <Text size="sm">{run.reason}</Text>
                  </Table.Td>
                  <Table.Td>
                    {run.results.map((result, i) => (
                      <Text size="sm" key={i}>
                        {result.outcome}
                      </Text>
                    ))}
                    {run.errors.map((error, i) => (
                      <Text size="sm" c="red.9" key={`e${i}`}>
                        {error.attempt > 0 ? `Attempt ${error.attempt}: ` : ''}
                        {error.message}
                      </Text>
                    ))}
                  </Table.Td>
                  <Table.Td>
                    <Badge color={STATUS_COLORS[run.status]} variant="light">
                      {run.status}
                    </Badge>
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

// ── Page ─────────────────────────────────────────────────────────────────────

function RulesTable({
  rules,
  onEdit,
  onShowRuns,
}: {
  rules: Rule[];
  onEdit: (rule: Rule) => void;
  onShowRuns: (rule: Rule) => void;
}) {
  const { update, archive } = useRuleActions();
  const failed = (error: Error) =>
    notifications.show({ color: 'red', title: 'Not saved', message: error.message });
  // Swapping two neighbours' order values moves a rule up or down.
  const swap = (rule: Rule, other: Rule | undefined) => {
    if (!other) return;
    update.mutate({ rule, changes: { order: other.order } }, { onError: failed });
    update.mutate({ rule: other, changes: { order: rule.order } }, { onError: failed });
  };
  const triggerLabel = (rule: Rule) =>
    TRIGGERS.find((t) => t.value === rule.trigger.type)?.label ?? rule.trigger.type;
  return (
    <Table striped verticalSpacing="xs" aria-label="Automation rules">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Order</Table.Th>
          <Table.Th>Rule</Table.Th>
          <Table.Th>When</Table.Th>
          <Table.Th>Active</Table.Th>
          <Table.Th>
            <VisuallyHidden>Actions</VisuallyHidden>
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rules.map((rule, index) => (
          <Table.Tr key={rule.id} data-testid="automation-rule-row">
            <Table.Td>
              <OrderControls rule={rule} rules={rules} index={index} swap={swap} />
            </Table.Td>
            <Table.Td>
              <Text size="sm" fw={500}>
                {rule.name}
              </Text>
              <Text size="xs" c="dimmed">
                {rule.actions.length} action{rule.actions.length === 1 ? '' : 's'}
                {rule.conditions.length > 0 ? ` · ${rule.conditions.length} conditions` : ''}
              </Text>
            </Table.Td>
            <Table.Td>
              <Text size="sm">{triggerLabel(rule)}</Text>
            </Table.Td>
            <Table.Td>
              <Switch
                aria-label={`Active: ${rule.name}`}
                checked={rule.active}
                onChange={(event) =>
                  update.mutate(
                    { rule, changes: { active: event.currentTarget.checked } },
                    { onError: failed },
                  )
                }
              />
            </Table.Td>
            <Table.Td style={{ textAlign: 'right' }}>
              <Group gap={4} justify="flex-end" wrap="nowrap">
                <Button size="compact-sm" variant="default" onClick={() => onShowRuns(rule)}>
                  Runs<VisuallyHidden> of {rule.name}</VisuallyHidden>
                </Button>
                <Button size="compact-sm" variant="default" onClick={() => onEdit(rule)}>
                  Edit<VisuallyHidden> {rule.name}</VisuallyHidden>
                </Button>
                <Button
                  size="compact-sm"
                  variant="subtle"
                  color="red"
                  onClick={() => archive.mutate(rule, { onError: failed })}
                >
                  Archive<VisuallyHidden> {rule.name}</VisuallyHidden>
                </Button>
              </Group>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function AutomationSettings() {
  const rules = useRules();
  const [editing, setEditing] = useState<Rule | 'new' | null>(null);
  const [showingRuns, setShowingRuns] = useState<Rule | null>(null);
  return (
    <Stack>
      <SectionHeader
        title="Automation"
        description="Rules run their actions when their trigger fires and every condition holds: tasks, notifications, assignment, field and stage changes. Time-based triggers are checked every 5 minutes, in your business hours where a rule says so."
        action={
          <Button style={{ flexShrink: 0 }} onClick={() => setEditing('new')}>
            Add rule
          </Button>
        }
      />
      <QueryView query={rules} skeleton={<PageSkeleton rows={4} />}>
        {(items) =>
          items.length === 0 ? (
            <EmptyHint>
              No rules yet. Apply a preset for the shipped defaults, or add one.
            </EmptyHint>
          ) : (
            <RulesTable rules={items} onEdit={setEditing} onShowRuns={setShowingRuns} />
          )
        }
      </QueryView>
      <Card withBorder component="section" aria-labelledby="run-log-title">
        <Title order={3} size="h4" id="run-log-title" mb="xs">
          Run log
        </Title>
        <RunLog />
      </Card>
      {editing && (
        <Modal
          opened
          onClose={() => setEditing(null)}
          title={editing === 'new' ? 'New automation rule' : `Edit rule “${editing.name}”`}
          size="xl"
        >
          <RuleForm rule={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />
        </Modal>
      )}
      {showingRuns && (
        <Modal
          opened
          onClose={() => setShowingRuns(null)}
          title={`Runs of “${showingRuns.name}”`}
          size="xl"
        >
          <RunLog ruleId={showingRuns.id} />
        </Modal>
      )}
    </Stack>
  );
}
