// Assignment: the rules that pick an owner for a lead arriving without one (tried in order),
// the team's workload, and each member's out-of-office ranges (a member away is skipped).
import {
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
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { z } from 'zod';
import type {
  assignmentRuleSchema,
  availabilitySchema,
  createAssignmentRuleBodySchema,
  updateAssignmentRuleBodySchema,
  workloadSchema,
} from '../../../server/modules/assignment/assignment.schemas';
import { useLeadSources, useMembers } from '../../app/reference-data';
import { useSession } from '../../app/session';
import { PageSkeleton, QueryView } from '../../components/ui/screens';
import { api, ApiError } from '../../lib/api-client';
import { isoToLocalInput, localInputToIso, parseMoney } from '../../lib/format';
import { humanize } from '../../lib/labels';
import type { Page } from '../../lib/types';
import { moneyInputText } from '../contacts/components/record-parts';
import { EmptyHint, OrderControls, SectionHeader } from './settings-ui';

type Rule = z.infer<typeof assignmentRuleSchema>;
type RuleType = Rule['type'];
type Availability = z.infer<typeof availabilitySchema>;
type Workload = z.infer<typeof workloadSchema>;

const RULE_TYPES: { value: RuleType; label: string; hint: string }[] = [
  { value: 'round_robin', label: 'Round robin', hint: 'Every lead, to each member in turn.' },
  {
    value: 'capacity',
    label: 'Capacity',
    hint: 'Every lead, to the member with the fewest open leads.',
  },
  { value: 'source', label: 'By source', hint: 'Leads from these sources, in turn.' },
  {
    value: 'territory',
    label: 'By territory',
    hint: 'Leads whose contact lives in these postal codes, cities or regions, in turn.',
  },
  { value: 'value_range', label: 'By value', hint: 'Leads worth this much, in turn.' },
];

// ── API ──────────────────────────────────────────────────────────────────────

function useRules() {
  return useQuery({
    queryKey: ['assignment-rules'],
    queryFn: () => api.get<Page<Rule>>('/api/assignment-rules').then((page) => page.items),
  });
}

function useRuleActions() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['assignment-rules'] });
  return {
    create: useMutation({
      mutationFn: (input: z.input<typeof createAssignmentRuleBodySchema>) =>
        api.post<Rule>('/api/assignment-rules', input),
      onSuccess: refresh,
    }),
    update: useMutation({
      mutationFn: ({
        rule,
        changes,
      }: {
        rule: Rule;
        changes: z.input<typeof updateAssignmentRuleBodySchema>;
      }) => api.patch<Rule>(`/api/assignment-rules/${rule.id}`, changes, { ifMatch: rule.version }),
      onSuccess: refresh,
    }),
  };
}

// ── Rules ────────────────────────────────────────────────────────────────────

interface RuleDraft {
  name: string;
  type: RuleType;
  userIds: string[];
  sourceIds: string[];
  postalCodes: string[];
  cities: string[];
  regions: string[];
  minValue: string;
  maxValue: string;
  maxOpenLeads: number | '';
}

function draftOf(rule: Rule | null, format: { locale: string; currency: string }): RuleDraft {
  const money = (minor: number | null) => (minor === null ? '' : moneyInputText(minor, format));
  return {
    name: rule?.name ?? '',
    type: rule?.type ?? 'round_robin',
    userIds: rule?.userIds ?? [],
    sourceIds: rule?.sourceIds ?? [],
    postalCodes: rule?.postalCodes ?? [],
    cities: rule?.cities ?? [],
    regions: rule?.regions ?? [],
    minValue: money(rule?.minValue ?? null),
    maxValue: money(rule?.maxValue ?? null),
    maxOpenLeads: rule?.maxOpenLeads ?? '',
  };
}

function RuleForm({ rule, onDone }: { rule: Rule | null; onDone: () => void }) {
  const { format } = useSession();
  const members = useMembers();
  const sources = useLeadSources();
  const { create, update } = useRuleActions();
  const [draft, setDraft] = useState<RuleDraft>(() => draftOf(rule, format));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const set = <K extends keyof RuleDraft>(key: K, value: RuleDraft[K]) =>
    setDraft((current) => ({ ...current, [key]: value }));

  const submit = () => {
    const found: Record<string, string> = {};
    const amount = (field: 'minValue' | 'maxValue') => {
      const text = draft[field].trim();
      if (text === '') return null;
      const minor = parseMoney(text, format.currency, format.locale);
      if (minor === null || minor < 0) found[field] = 'Enter an amount such as 10000';
      return minor;
    };
    const values = {
      name: draft.name.trim(),
      type: draft.type,
      userIds: draft.userIds,
      sourceIds: draft.sourceIds,
      postalCodes: draft.postalCodes,
      cities: draft.cities,
      regions: draft.regions,
      minValue: amount('minValue'),
      maxValue: amount('maxValue'),
      maxOpenLeads: draft.maxOpenLeads === '' ? null : draft.maxOpenLeads,
    };
    if (!values.name) found.name = 'Give the rule a name';
    if (values.userIds.length === 0) found.userIds = 'Choose at least one member';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const callbacks = {
      onSuccess: () => {
        notifications.show({ color: 'green', message: `Rule saved: ${values.name}` });
        onDone();
      },
      onError: (error: Error) => {
        const fieldErrors = error instanceof ApiError ? (error.problem?.errors ?? []) : [];
        const fromServer = Object.fromEntries(fieldErrors.map((e) => [e.field, e.message]));
        setErrors(
          Object.keys(fromServer).length > 0 ? fromServer : { form: error.message || 'Not saved' },
        );
      },
    };
    if (rule) update.mutate({ rule, changes: values }, callbacks);
    else create.mutate(values, callbacks);
  };

  const memberOptions = (members.data ?? []).map((m) => ({ value: m.id, label: m.name }));
  const sourceOptions = (sources.data ?? []).map((s) => ({ value: s.id, label: s.name }));
  const hint = RULE_TYPES.find((type) => type.value === draft.type)?.hint;
  return (
    <form
      noValidate
      aria-label={rule ? `Edit rule ${rule.name}` : 'New assignment rule'}
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <Stack gap="sm">
        <Group grow align="start">
          <TextInput
            label="Name"
            required
            data-autofocus
            value={draft.name}
            onChange={(event) => set('name', event.currentTarget.value)}
            error={errors.name}
          />
          <Select
            label="Type"
            allowDeselect={false}
            data={RULE_TYPES.map(({ value, label }) => ({ value, label }))}
            value={draft.type}
            onChange={(value) => value && set('type', value)}
            description={hint}
          />
        </Group>
        <MultiSelect
          label="Members, in turn"
          required
          searchable
          data={memberOptions}
          value={draft.userIds}
          onChange={(value) => set('userIds', value)}
          error={errors.userIds}
        />
        {draft.type === 'source' && (
          <MultiSelect
            label="Sources"
            searchable
            data={sourceOptions}
            value={draft.sourceIds}
            onChange={(value) => set('sourceIds', value)}
            error={errors.sourceIds}
          />
        )}
        {draft.type === 'territory' && (
          <Group grow align="start">
            <TagsInput
              label="Postal codes"
              description='"10*" takes every code starting 10'
              value={draft.postalCodes}
              onChange={(value) => set('postalCodes', value)}
              error={errors.postalCodes}
            />
            <TagsInput
              label="Cities"
              value={draft.cities}
              onChange={(value) => set('cities', value)}
            />
            <TagsInput
              label="Regions"
              value={draft.regions}
              onChange={(value) => set('regions', value)}
            />
          </Group>
        )}
        {draft.type === 'value_range' && (
          <Group grow align="start">
            <TextInput
              label={`From (${format.currency})`}
              inputMode="decimal"
              value={draft.minValue}
              onChange={(event) => set('minValue', event.currentTarget.value)}
              error={errors.minValue}
            />
            <TextInput
              label={`Up to (${format.currency})`}
              inputMode="decimal"
              value={draft.maxValue}
              onChange={(event) => set('maxValue', event.currentTarget.value)}
              error={errors.maxValue}
            />
          </Group>
        )}
        <NumberInput
          label="Most open leads per member"
          description="A member with this many open leads gets no more from this rule (empty: no cap)"
          min={1}
          allowDecimal={false}
          value={draft.maxOpenLeads}
          onChange={(value) => set('maxOpenLeads', typeof value === 'number' ? value : '')}
          error={errors.maxOpenLeads}
        />
        {errors.form && (
          <Alert color="red" title="Not saved">
            {errors.form}
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

function RulesTable({ rules, onEdit }: { rules: Rule[]; onEdit: (rule: Rule) => void }) {
  const members = useMembers();
  const sources = useLeadSources();
  const { update } = useRuleActions();
  const memberName = (id: string) =>
    members.data?.find((m) => m.id === id)?.name ?? 'Former member';
  const sourceName = (id: string) => sources.data?.find((s) => s.id === id)?.name ?? 'Unknown';
  const { money } = useSession();
  const condition = (rule: Rule) => {
    switch (rule.type) {
      case 'round_robin':
      case 'capacity':
        return 'Every lead';
      case 'source':
        return rule.sourceIds.map(sourceName).join(', ');
      case 'territory':
        return [...rule.postalCodes, ...rule.cities, ...rule.regions].join(', ');
      case 'value_range':
        return [
          rule.minValue !== null ? `from ${money(rule.minValue)}` : '',
          rule.maxValue !== null ? `up to ${money(rule.maxValue)}` : '',
        ]
          .filter(Boolean)
          .join(' ');
    }
  };
  // Swapping two neighbours' order values moves a rule up or down.
  const swap = (rule: Rule, other: Rule | undefined) => {
    if (!other) return;
    update.mutate({ rule, changes: { order: other.order } });
    update.mutate({ rule: other, changes: { order: rule.order } });
  };
  return (
    <Table striped verticalSpacing="xs" aria-label="Assignment rules">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Order</Table.Th>
          <Table.Th>Rule</Table.Th>
          <Table.Th>Takes</Table.Th>
          <Table.Th>Members</Table.Th>
          <Table.Th>Active</Table.Th>
          <Table.Th>
            <VisuallyHidden>Actions</VisuallyHidden>
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rules.map((rule, index) => (
          <Table.Tr key={rule.id} data-testid="assignment-rule-row">
            <Table.Td>
              <OrderControls rule={rule} rules={rules} index={index} swap={swap} />
            </Table.Td>
            <Table.Td>
              <Text size="sm" fw={500}>
                {rule.name}
              </Text>
              <Text size="xs" c="dimmed">
                {humanize(rule.type)}
                {rule.maxOpenLeads !== null ? ` · at most ${rule.maxOpenLeads} open each` : ''}
              </Text>
            </Table.Td>
            <Table.Td>
              <Text size="sm">{condition(rule)}</Text>
            </Table.Td>
            <Table.Td>
              <Text size="sm">{rule.userIds.map(memberName).join(', ')}</Text>
            </Table.Td>
            <Table.Td>
              <Switch
                aria-label={`Active: ${rule.name}`}
                checked={rule.active}
                onChange={(event) =>
                  update.mutate({ rule, changes: { active: event.currentTarget.checked } })
                }
              />
            </Table.Td>
            <Table.Td style={{ textAlign: 'right' }}>
              <Button size="compact-sm" variant="default" onClick={() => onEdit(rule)}>
                Edit<VisuallyHidden> {rule.name}</VisuallyHidden>
              </Button>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function WorkloadTable() {
  const { dateTime } = useSession();
  const workload = useQuery({
    queryKey: ['workload'],
    queryFn: () => api.get<Workload>('/api/users/workload').then((body) => body.items),
  });
  return (
    <Card withBorder component="section" aria-labelledby="workload-title">
      <Title order={3} size="h4" id="workload-title" mb="xs">
        Workload
      </Title>
      <QueryView query={workload} skeleton={<PageSkeleton rows={3} />}>
        {(items) => (
          <Table verticalSpacing="xs" aria-label="Workload per member">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Member</Table.Th>
                <Table.Th style={{ textAlign: 'right' }}>Open leads</Table.Th>
                <Table.Th style={{ textAlign: 'right' }}>Overdue tasks</Table.Th>
                <Table.Th>Available</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((item) => (
                <Table.Tr key={item.userId} data-testid="workload-row">
                  <Table.Td>
                    <Text size="sm">{item.name}</Text>
                    <Text size="xs" c="dimmed">
                      {humanize(item.role)}
                    </Text>
                  </Table.Td>
                  <Table.Td style={{ textAlign: 'right' }}>{item.openLeads}</Table.Td>
                  <Table.Td style={{ textAlign: 'right' }}>{item.overdueTasks}</Table.Td>
                  <Table.Td>
                    {item.awayNow && item.awayUntil ? (
                      <Badge color="orange" variant="light">
                        Away until {dateTime(item.awayUntil)}
                      </Badge>
                    ) : (
                      <Badge color="green" variant="light">
                        Available
                      </Badge>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryView>
    </Card>
  );
}

export function AssignmentSettings() {
  const rules = useRules();
  const { can } = useSession();
  const [editing, setEditing] = useState<Rule | 'new' | null>(null);
  return (
    <Stack>
      <SectionHeader
        title="Assignment"
        description="A lead that arrives without an owner goes through these rules from the top; the first rule that takes it and has someone available assigns it. Members who are away are skipped."
        action={
          <Button style={{ flexShrink: 0 }} onClick={() => setEditing('new')}>
            Add rule
          </Button>
        }
      />
      <QueryView query={rules} skeleton={<PageSkeleton rows={3} />}>
        {(items) =>
          items.length === 0 ? (
            <EmptyHint>
              No rules yet: new leads stay unassigned until someone picks them up. Add a round robin
              over your team to share them out.
            </EmptyHint>
          ) : (
            <RulesTable rules={items} onEdit={setEditing} />
          )
        }
      </QueryView>
      {can('lead:assign') && <WorkloadTable />}
      {editing && (
        <Modal
          opened
          onClose={() => setEditing(null)}
          title={editing === 'new' ? 'New assignment rule' : `Edit rule “${editing.name}”`}
          size="lg"
        >
          <RuleForm rule={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />
        </Modal>
      )}
    </Stack>
  );
}

// ── Out of office ────────────────────────────────────────────────────────────

interface RangeDraft {
  startsAt: string;
  endsAt: string;
  note: string;
}

/** The signed-in member's own out-of-office ranges. */
export function AvailabilitySettings() {
  const { me, dateTime } = useSession();
  const queryClient = useQueryClient();
  const key = ['availability', me.user.id];
  const availability = useQuery({
    queryKey: key,
    queryFn: () => api.get<Availability>(`/api/users/${me.user.id}/availability`),
  });
  const save = useMutation({
    mutationFn: (outOfOffice: { startsAt: string; endsAt: string; note: string }[]) =>
      api.put<Availability>(`/api/users/${me.user.id}/availability`, { outOfOffice }),
    onSuccess: (saved) => queryClient.setQueryData(key, saved),
  });
  const now = new Date();
  const [draft, setDraft] = useState<RangeDraft>({
    startsAt: isoToLocalInput(now),
    endsAt: isoToLocalInput(new Date(now.getTime() + 7 * 86_400_000)),
    note: '',
  });
  const [error, setError] = useState<string | null>(null);

  const add = (current: Availability) => {
    const startsAt = localInputToIso(draft.startsAt);
    const endsAt = localInputToIso(draft.endsAt);
    if (!startsAt || !endsAt) return setError('Enter a start and an end.');
    if (endsAt <= startsAt) return setError('The end must be after the start.');
    setError(null);
    save.mutate([...current.outOfOffice, { startsAt, endsAt, note: draft.note }], {
      onSuccess: () => notifications.show({ color: 'green', message: 'Absence saved' }),
      onError: (failure) => setError(failure.message),
    });
  };
  return (
    <Stack>
      <SectionHeader
        title="Out of office"
        description="While you are away, assignment rules give new leads to someone else."
      />
      <QueryView query={availability} skeleton={<PageSkeleton rows={2} />}>
        {(current) => (
          <Stack>
            {current.outOfOffice.length === 0 ? (
              <EmptyHint>No absences planned.</EmptyHint>
            ) : (
              <Table verticalSpacing="xs" aria-label="My absences">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>From</Table.Th>
                    <Table.Th>Until</Table.Th>
                    <Table.Th>Note</Table.Th>
                    <Table.Th>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {current.outOfOffice.map((range, index) => (
                    <Table.Tr key={`${range.startsAt}-${index}`} data-testid="absence-row">
                      <Table.Td>{dateTime(range.startsAt)}</Table.Td>
                      <Table.Td>{dateTime(range.endsAt)}</Table.Td>
                      <Table.Td>{range.note}</Table.Td>
                      <Table.Td style={{ textAlign: 'right' }}>
                        <Button
                          size="compact-sm"
                          variant="default"
                          onClick={() =>
                            save.mutate(current.outOfOffice.filter((_, i) => i !== index))
                          }
                        >
                          Remove
                          <VisuallyHidden>
                            {' '}
                            the absence from {dateTime(range.startsAt)}
                          </VisuallyHidden>
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
            <Card withBorder component="section" aria-labelledby="new-absence-title">
              <Title order={3} size="h4" id="new-absence-title" mb="xs">
                Add an absence
              </Title>
              <form
                noValidate
                aria-label="New absence"
                onSubmit={(event) => {
                  event.preventDefault();
                  add(current);
                }}
              >
                <Group align="end">
                  <TextInput
                    type="datetime-local"
                    label="From"
                    value={draft.startsAt}
                    onChange={(event) => {
                      const value = event.currentTarget.value;
                      setDraft((d) => ({ ...d, startsAt: value }));
                    }}
                  />
                  <TextInput
                    type="datetime-local"
                    label="Until"
                    value={draft.endsAt}
                    onChange={(event) => {
                      const value = event.currentTarget.value;
                      setDraft((d) => ({ ...d, endsAt: value }));
                    }}
                  />
                  <TextInput
                    label="Note"
                    maxLength={200}
                    value={draft.note}
                    onChange={(event) => {
                      const value = event.currentTarget.value;
                      setDraft((d) => ({ ...d, note: value }));
                    }}
                  />
                  <Button type="submit" loading={save.isPending}>
                    Add absence
                  </Button>
                </Group>
                {error && (
                  <Text c="red.9" size="sm" mt="xs" role="alert">
                    {error}
                  </Text>
                )}
              </form>
            </Card>
          </Stack>
        )}
      </QueryView>
    </Stack>
  );
}
