// Settings → Scoring: the rules (points per field condition, per engagement event with a
// half-life) edited as one list and saved whole, and the predictive model: its status, its
// evaluation on held-out leads (AUC against the constant baseline, calibration) and "Train now".
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Group,
  List,
  MultiSelect,
  NumberInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import {
  ENGAGEMENT_EVENTS,
  scoringRulesBodySchema,
} from '../../../server/modules/scoring/scoring.schemas';
import { useLeadCustomFields, useLeadSources, usePipelines } from '../../app/reference-data';
import { useSession } from '../../app/session';
import { QueryView } from '../../components/ui/screens';
import { ApiError } from '../../lib/api-client';
import { describeProblem } from '../../lib/problem';
import { humanize } from '../../lib/labels';
import type { CustomField } from '../../lib/types';
import { EmptyHint, SectionHeader } from '../settings/settings-ui';
import {
  useSaveScoringRules,
  useScoringModel,
  useScoringRules,
  useTrainModel,
  type EngagementRule,
  type FieldRule,
  type ScoringModel,
  type ScoringRules,
} from './scoring-api';

type Condition = FieldRule['condition'];
type ConditionField = Condition['field'];

const CONDITION_FIELDS: { value: ConditionField; label: string }[] = [
  { value: 'source', label: 'Source' },
  { value: 'priority', label: 'Priority' },
  { value: 'pipeline', label: 'Pipeline' },
  { value: 'stage', label: 'Stage' },
  { value: 'tag', label: 'Tag' },
  { value: 'assignee', label: 'Assignee' },
  { value: 'value', label: 'Value' },
  { value: 'custom', label: 'Custom field' },
];

const EVENT_LABELS: Record<EngagementRule['event'], string> = {
  call_answered: 'Answered call',
  meeting_held: 'Meeting held',
  email_inbound: 'Email received',
  email_outbound: 'Email sent',
  sms_inbound: 'Message received',
  form_submission: 'Form submission',
  document_sent: 'Document sent',
  proposal_accepted: 'Proposal accepted',
};

const OPERATOR_LABELS = {
  equals: 'is',
  not_equals: 'is not',
  gte: 'at least',
  lte: 'at most',
  is_set: 'is filled in',
} as const;

function newCondition(field: ConditionField): Condition {
  switch (field) {
    case 'source':
      return { field, sourceIds: [] };
    case 'priority':
      return { field, priorities: [] };
    case 'pipeline':
      return { field, pipelineIds: [] };
    case 'stage':
      return { field, stageIds: [] };
    case 'tag':
      return { field, tag: '' };
    case 'assignee':
      return { field, isSet: true };
    case 'value':
      return { field, min: null, max: null };
    case 'custom':
      return { field, key: '', operator: 'equals', value: null };
  }
}

const toMinor = (value: number | string) =>
  value === '' || value === null ? null : Math.round(Number(value) * 100);
const toMajor = (value: number | null) => (value === null ? '' : value / 100);

function CustomValueInput({
  field,
  condition,
  onChange,
}: {
  field: CustomField | undefined;
  condition: Extract<Condition, { field: 'custom' }>;
  onChange: (value: string | number | boolean | null) => void;
}) {
  if (!field || condition.operator === 'is_set') return null;
  const common = { size: 'xs' as const, label: 'Value', w: 180 };
  switch (field.type) {
    case 'select':
    case 'multiselect':
      return (
        <Select
          {...common}
          data={field.options.map((option) => ({ value: option.value, label: option.label }))}
          value={typeof condition.value === 'string' ? condition.value : null}
          onChange={(value) => onChange(value)}
        />
      );
    case 'boolean':
      return (
        <Select
          {...common}
          data={[
            { value: 'true', label: 'Yes' },
            { value: 'false', label: 'No' },
          ]}
          value={condition.value === null ? null : String(condition.value)}
          onChange={(value) => onChange(value === null ? null : value === 'true')}
        />
      );
    case 'number':
    case 'money':
      return (
        <NumberInput
          {...common}
          value={
            typeof condition.value === 'number'
              ? field.type === 'money'
                ? condition.value / 100
                : condition.value
              : ''
          }
          onChange={(value) =>
            onChange(value === '' ? null : field.type === 'money' ? toMinor(value) : Number(value))
          }
        />
      );
    case 'date':
    case 'text':
    case 'long_text':
    case 'email':
    case 'phone':
    case 'url':
      return (
        <TextInput
          {...common}
          placeholder={field.type === 'date' ? 'YYYY-MM-DD' : undefined}
          value={typeof condition.value === 'string' ? condition.value : ''}
          onChange={(event) => onChange(event.currentTarget.value)}
        />
      );
  }
}

function ConditionEditor({
  condition,
  onChange,
}: {
  condition: Condition;
  onChange: (condition: Condition) => void;
}) {
  const sources = useLeadSources();
  const pipelines = usePipelines();
  const fields = useLeadCustomFields();
  const common = { size: 'xs' as const, w: 260 };
  switch (condition.field) {
    case 'source':
      return (
        <MultiSelect
          {...common}
          label="Sources"
          data={(sources.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
          value={condition.sourceIds}
          onChange={(sourceIds) => onChange({ ...condition, sourceIds })}
        />
      );
    case 'priority':
      return (
        <MultiSelect
          {...common}
          label="Priorities"
          data={['urgent', 'high', 'normal', 'low'].map((value) => ({
            value,
            label: humanize(value),
          }))}
          value={condition.priorities}
          onChange={(priorities) =>
            onChange({ ...condition, priorities: priorities as typeof condition.priorities })
          }
        />
      );
    case 'pipeline':
      return (
        <MultiSelect
          {...common}
          label="Pipelines"
          data={(pipelines.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
          value={condition.pipelineIds}
          onChange={(pipelineIds) => onChange({ ...condition, pipelineIds })}
        />
      );
    case 'stage':
      return (
        <MultiSelect
          {...common}
          label="Stages"
          data={(pipelines.data ?? []).flatMap((p) =>
            p.stages.map((s) => ({ value: s.id, label: `${p.name} › ${s.name}` })),
          )}
          value={condition.stageIds}
          onChange={(stageIds) => onChange({ ...condition, stageIds })}
        />
      );
    case 'tag':
      return (
        <TextInput
          {...common}
          label="Tag"
          value={condition.tag}
          onChange={(event) => onChange({ ...condition, tag: event.currentTarget.value })}
        />
      );
    case 'assignee':
      return (
        <Select
          {...common}
          label="Assignee"
          data={[
            { value: 'set', label: 'Has an assignee' },
            { value: 'none', label: 'Unassigned' },
          ]}
          value={condition.isSet ? 'set' : 'none'}
          onChange={(value) => onChange({ ...condition, isSet: value !== 'none' })}
        />
      );
    case 'value':
      return (
        <Group gap="xs" wrap="nowrap">
          <NumberInput
            size="xs"
            w={125}
            label="Value from"
            min={0}
            value={toMajor(condition.min)}
            onChange={(value) => onChange({ ...condition, min: toMinor(value) })}
          />
          <NumberInput
            size="xs"
            w={125}
            label="Value up to"
            min={0}
            value={toMajor(condition.max)}
            onChange={(value) => onChange({ ...condition, max: toMinor(value) })}
          />
        </Group>
      );
    case 'custom': {
      const scorable = (fields.data ?? []).filter((field) => !field.sensitive);
      const field = scorable.find((f) => f.key === condition.key);
      return (
        <Group gap="xs" wrap="nowrap" align="end">
          <Select
            size="xs"
            w={160}
            label="Field"
            data={scorable.map((f) => ({ value: f.key, label: f.label }))}
            value={condition.key || null}
            onChange={(key) => onChange({ ...condition, key: key ?? '', value: null })}
          />
          <Select
            size="xs"
            w={120}
            label="Comparison"
            data={Object.entries(OPERATOR_LABELS).map(([value, label]) => ({ value, label }))}
            value={condition.operator}
            onChange={(operator) =>
              onChange({
                ...condition,
                operator: (operator ?? 'equals') as typeof condition.operator,
              })
            }
          />
          <CustomValueInput
            field={field}
            condition={condition}
            onChange={(value) => onChange({ ...condition, value })}
          />
        </Group>
      );
    }
  }
}

function FieldRuleRow({
  index,
  rule,
  onChange,
  onRemove,
}: {
  index: number;
  rule: FieldRule;
  onChange: (rule: FieldRule) => void;
  onRemove: () => void;
}) {
  return (
    <Card withBorder padding="xs" data-testid="field-rule">
      <Group align="end" gap="xs">
        <TextInput
          size="xs"
          w={180}
          label="Label"
          value={rule.label}
          onChange={(event) => onChange({ ...rule, label: event.currentTarget.value })}
        />
        <NumberInput
          size="xs"
          w={90}
          label="Points"
          min={-100}
          max={100}
          value={rule.points}
          onChange={(value) => onChange({ ...rule, points: Number(value) || 0 })}
        />
        <Select
          size="xs"
          w={140}
          label="When"
          data={CONDITION_FIELDS}
          value={rule.condition.field}
          onChange={(field) => onChange({ ...rule, condition: newCondition(field ?? 'source') })}
        />
        <ConditionEditor
          condition={rule.condition}
          onChange={(condition) => onChange({ ...rule, condition })}
        />
        <ActionIcon
          variant="subtle"
          color="red"
          aria-label={`Remove field rule ${index + 1}`}
          onClick={onRemove}
        >
          ×
        </ActionIcon>
      </Group>
    </Card>
  );
}

function EngagementRuleRow({
  index,
  rule,
  onChange,
  onRemove,
}: {
  index: number;
  rule: EngagementRule;
  onChange: (rule: EngagementRule) => void;
  onRemove: () => void;
}) {
  return (
    <Card withBorder padding="xs" data-testid="engagement-rule">
      <Group align="end" gap="xs">
        <TextInput
          size="xs"
          w={180}
          label="Label"
          value={rule.label}
          onChange={(event) => onChange({ ...rule, label: event.currentTarget.value })}
        />
        <Select
          size="xs"
          w={170}
          label="Event"
          data={ENGAGEMENT_EVENTS.map((event) => ({ value: event, label: EVENT_LABELS[event] }))}
          value={rule.event}
          onChange={(event) => onChange({ ...rule, event: event ?? 'call_answered' })}
        />
        <NumberInput
          size="xs"
          w={90}
          label="Points"
          min={-100}
          max={100}
          value={rule.points}
          onChange={(value) => onChange({ ...rule, points: Number(value) || 0 })}
        />
        <NumberInput
          size="xs"
          w={150}
          label="Half-life (days)"
          placeholder="Never fades"
          min={0}
          value={rule.halfLifeDays ?? ''}
          onChange={(value) =>
            onChange({ ...rule, halfLifeDays: value === '' ? null : Number(value) })
          }
        />
        <ActionIcon
          variant="subtle"
          color="red"
          aria-label={`Remove engagement rule ${index + 1}`}
          onClick={onRemove}
        >
          ×
        </ActionIcon>
      </Group>
    </Card>
  );
}

/** "fieldRules.1.condition.max" → "Field rule 2 (max)". */
function describeField(path: string): string {
  const [list, index, ...rest] = path.split('.');
  const what = list === 'engagementRules' ? 'Engagement rule' : 'Field rule';
  const at = Number(index);
  if (Number.isNaN(at)) return path;
  const detail = rest.filter((part) => part !== 'condition').join(' ');
  return `${what} ${at + 1}${detail ? ` (${detail})` : ''}`;
}

function RulesEditor({ saved }: { saved: ScoringRules }) {
  const { can } = useSession();
  const save = useSaveScoringRules();
  const [fieldRules, setFieldRules] = useState<FieldRule[]>(saved.fieldRules);
  const [engagementRules, setEngagementRules] = useState<EngagementRule[]>(saved.engagementRules);
  const [errors, setErrors] = useState<string[]>([]);
  useEffect(() => {
    setFieldRules(saved.fieldRules);
    setEngagementRules(saved.engagementRules);
  }, [saved]);

  const submit = () => {
    const parsed = scoringRulesBodySchema.safeParse({ fieldRules, engagementRules });
    if (!parsed.success) {
      setErrors(
        parsed.error.issues.map(
          (issue) => `${describeField(issue.path.join('.'))}: ${issue.message}`,
        ),
      );
      return;
    }
    setErrors([]);
    save.mutate(
      { rules: parsed.data, version: saved.version },
      {
        onSuccess: () =>
          notifications.show({
            color: 'green',
            message: 'Scoring rules saved; open leads are being rescored.',
          }),
        onError: (error) => {
          const problem = error instanceof ApiError ? error.problem : null;
          if (problem?.errors?.length) {
            setErrors(problem.errors.map((e) => `${describeField(e.field)}: ${e.message}`));
          } else {
            setErrors([problem ? describeProblem(problem) : error.message]);
          }
        },
      },
    );
  };

  return (
    <Stack>
      <Title order={3} size="h4">
        Field rules
      </Title>
      <Text size="sm" c="dimmed">
        Points when a lead matches. The score is the sum of all points, from 0 to 100.
      </Text>
      {fieldRules.length === 0 && <EmptyHint>No field rules yet.</EmptyHint>}
      {fieldRules.map((rule, i) => (
        <FieldRuleRow
          key={i}
          index={i}
          rule={rule}
          onChange={(next) => setFieldRules(fieldRules.map((r, j) => (j === i ? next : r)))}
          onRemove={() => setFieldRules(fieldRules.filter((_, j) => j !== i))}
        />
      ))}
      <Group>
        <Button
          variant="default"
          size="xs"
          onClick={() =>
            setFieldRules([
              ...fieldRules,
              { label: '', points: 10, condition: newCondition('source') },
            ])
          }
        >
          Add field rule
        </Button>
      </Group>

      <Title order={3} size="h4">
        Engagement rules
      </Title>
      <Text size="sm" c="dimmed">
        Points for each event on the lead&apos;s timeline, halving every half-life.
      </Text>
      {engagementRules.length === 0 && <EmptyHint>No engagement rules yet.</EmptyHint>}
      {engagementRules.map((rule, i) => (
        <EngagementRuleRow
          key={i}
          index={i}
          rule={rule}
          onChange={(next) =>
            setEngagementRules(engagementRules.map((r, j) => (j === i ? next : r)))
          }
          onRemove={() => setEngagementRules(engagementRules.filter((_, j) => j !== i))}
        />
      ))}
      <Group>
        <Button
          variant="default"
          size="xs"
          onClick={() =>
            setEngagementRules([
              ...engagementRules,
              { label: 'Answered call', event: 'call_answered', points: 10, halfLifeDays: 14 },
            ])
          }
        >
          Add engagement rule
        </Button>
      </Group>
      {errors.length > 0 && (
        <Alert color="red" title="The rules were not saved" role="alert">
          <List size="sm">
            {errors.map((error) => (
              <List.Item key={error}>{error}</List.Item>
            ))}
          </List>
        </Alert>
      )}
      {can('lead:configure') && (
        <Group>
          <Button onClick={submit} loading={save.isPending}>
            Save rules
          </Button>
        </Group>
      )}
    </Stack>
  );
}

const percent = (value: number) => `${(value * 100).toFixed(0)} %`;

function ModelCard({ model }: { model: ScoringModel }) {
  const { can, dateTime } = useSession();
  const train = useTrainModel();
  return (
    <Card withBorder data-testid="scoring-model">
      <Stack gap="sm">
        <Group justify="space-between">
          <Group gap="xs">
            <Title order={3} size="h4">
              Predictive model
            </Title>
            <Badge variant="light" color={model.inUse ? 'teal' : 'gray'}>
              {humanize(model.status)}
            </Badge>
          </Group>
          {can('lead:configure') && (
            <Button
              size="xs"
              loading={train.isPending || model.status === 'training'}
              onClick={() =>
                train.mutate(undefined, {
                  onError: (error) => notifications.show({ color: 'red', message: error.message }),
                })
              }
            >
              Train now
            </Button>
          )}
        </Group>
        <Text size="sm" data-testid="scoring-model-message">
          {model.message}
        </Text>
        <Text size="sm" c="dimmed">
          Closed leads: {model.closedLeads.won} won, {model.closedLeads.lost} lost (needs{' '}
          {model.minimum.closed}, at least {model.minimum.perClass} of each).
          {model.trainedAt && ` Last trained ${dateTime(model.trainedAt)}.`}
        </Text>
        {model.status === 'ready' && (
          <>
            <Table withTableBorder w="auto" aria-label="Model evaluation">
              <Table.Tbody>
                <Table.Tr>
                  <Table.Th scope="row">AUC on held-out leads</Table.Th>
                  <Table.Td data-testid="scoring-auc">{model.auc?.toFixed(3) ?? '—'}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th scope="row">Baseline (constant score)</Table.Th>
                  <Table.Td>{model.baselineAuc.toFixed(3)}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th scope="row">Rule score on the same leads</Table.Th>
                  <Table.Td>{model.ruleAuc?.toFixed(3) ?? '—'}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th scope="row">Leads trained on / held out</Table.Th>
                  <Table.Td>
                    {model.trainingRows} / {model.holdoutRows}
                  </Table.Td>
                </Table.Tr>
              </Table.Tbody>
            </Table>
            {model.calibration.length > 0 && (
              <Table withTableBorder w="auto" aria-label="Calibration by decile">
                <Table.Caption>
                  Calibration: held-out leads in ten groups by predicted chance
                </Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Decile</Table.Th>
                    <Table.Th>Leads</Table.Th>
                    <Table.Th>Predicted</Table.Th>
                    <Table.Th>Won</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {model.calibration.map((bucket) => (
                    <Table.Tr key={bucket.decile}>
                      <Table.Td>{bucket.decile}</Table.Td>
                      <Table.Td>{bucket.count}</Table.Td>
                      <Table.Td>{percent(bucket.predicted)}</Table.Td>
                      <Table.Td>{percent(bucket.observed)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </>
        )}
      </Stack>
    </Card>
  );
}

export function ScoringSettings() {
  const rules = useScoringRules();
  const model = useScoringModel();
  return (
    <Stack>
      <SectionHeader
        title="Scoring"
        description="Each lead gets a score from 0 to 100: from these rules, or from the predictive model once it has enough closed leads to learn from and beats chance."
      />
      <QueryView query={model}>{(data) => <ModelCard model={data} />}</QueryView>
      <QueryView query={rules}>{(data) => <RulesEditor saved={data} />}</QueryView>
    </Stack>
  );
}
