// The lead page: where it stands (stage tracker, info), who it is (contact, company), what
// happened (timeline), what is next (tasks), and the actions the role allows.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  Menu,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Timeline,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { Link, useParams } from 'react-router';
import {
  logActivityBodySchema,
  LOGGABLE_TYPES,
} from '../../../../server/modules/activities/activities.schemas';
import type { auditEntrySchema } from '../../../../server/modules/audit-log/audit-log.schemas';
import {
  stageIndex,
  useLeadCustomFields,
  useLeadSources,
  useLostReasons,
  useMembers,
  usePipelines,
} from '../../../app/reference-data';
import { errorMessage } from '../../../app/query-client';
import { useSession } from '../../../app/session';
import { AccountingHandoff } from '../../webhooks/accounting-handoff';
import { NotFoundScreen, PageSkeleton, QueryView } from '../../../components/ui/screens';
import { api } from '../../../lib/api-client';
import { isoToLocalInput, localInputToIso } from '../../../lib/format';
import { applyServerErrors } from '../../../lib/forms';
import { ActivityList } from '../../../components/ui/activity-list';
import { showCustomValue } from '../../../lib/custom-values';
import { CALL_OUTCOMES, PRIORITY_COLORS, humanize } from '../../../lib/labels';
import type { LeadDetail, Page, Pipeline } from '../../../lib/types';
import {
  useContactDuplicates,
  useLead,
  useLeadActions,
  useLeadActivities,
  useLeadInsights,
  useLeadTasks,
  type LeadInsights,
} from '../api/leads-api';
import { CompleteTaskCheckbox, SnoozeMenu } from './quick-actions';
import { useStageMoveFlow } from './stage-move-flow';
import { ScoreCard } from '../../scoring/score-card';
import { WriteMessageButton } from '../../messaging/components/write-message';
import { LeadSequencesCard } from '../../sequences/components/lead-sequences-card';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function StageTracker({ lead, pipeline }: { lead: LeadDetail; pipeline: Pipeline | undefined }) {
  const stages = pipeline?.stages ?? [lead.stage];
  const current = stages.findIndex((stage) => stage.id === lead.stageId);
  return (
    <ol
      aria-label="Pipeline progress"
      style={{
        display: 'flex',
        gap: 4,
        listStyle: 'none',
        padding: 0,
        margin: 0,
        flexWrap: 'wrap',
      }}
    >
      {stages.map((stage, index) => {
        const state = index < current ? 'completed' : index === current ? 'current' : 'future';
        return (
          <li
            key={stage.id}
            aria-current={state === 'current' ? 'step' : undefined}
            style={{ flex: '1 1 90px' }}
          >
            <div
              style={{
                height: 6,
                borderRadius: 3,
                background:
                  state === 'future'
                    ? 'var(--mantine-color-gray-3)'
                    : stage.kind === 'lost' && state === 'current'
                      ? 'var(--mantine-color-red-7)'
                      : 'var(--mantine-color-blue-7)',
              }}
            />
            <Text
              size="xs"
              mt={4}
              fw={state === 'current' ? 700 : 400}
              c={state === 'future' ? 'dimmed' : undefined}
            >
              {stage.name}
              <span
                className="visually-hidden"
                style={{
                  position: 'absolute',
                  width: 1,
                  height: 1,
                  overflow: 'hidden',
                  clip: 'rect(0 0 0 0)',
                }}
              >
                {` (${state})`}
              </span>
            </Text>
          </li>
        );
      })}
    </ol>
  );
}

function InfoItem({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </div>
  );
}

function InfoGrid({ lead }: { lead: LeadDetail }) {
  const { money, date, dateTime, relative } = useSession();
  const sources = useLeadSources();
  const customFields = useLeadCustomFields();
  const source = sources.data?.find((s) => s.id === lead.sourceId);
  return (
    <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="sm">
      <InfoItem label="Value">{money(lead.value, lead.currency)}</InfoItem>
      <InfoItem label="Probability">{lead.probability} %</InfoItem>
      <InfoItem label="Priority">
        <Badge size="sm" variant="light" color={PRIORITY_COLORS[lead.priority]}>
          {humanize(lead.priority)}
        </Badge>
      </InfoItem>
      <InfoItem label="Assignee">{lead.assignee?.name ?? 'Unassigned'}</InfoItem>
      <InfoItem label="Source">{source?.name ?? (lead.sourceId ? '…' : '—')}</InfoItem>
      <InfoItem label="Contact status">{humanize(lead.contactStatus)}</InfoItem>
      <InfoItem label="Next follow-up">
        {lead.nextFollowUpAt
          ? `${dateTime(lead.nextFollowUpAt)} (${relative(lead.nextFollowUpAt)})`
          : 'None'}
      </InfoItem>
      <InfoItem label="Last contact">
        {lead.lastContactAt ? relative(lead.lastContactAt) : 'Never'}
      </InfoItem>
      <InfoItem label="Days in stage">{lead.daysInStage}</InfoItem>
      <InfoItem label="Expected close">
        {lead.expectedCloseDate ? date(lead.expectedCloseDate) : '—'}
      </InfoItem>
      <InfoItem label="Created">{dateTime(lead.createdAt)}</InfoItem>
      <InfoItem label="Tags">{lead.tags.length > 0 ? lead.tags.join(', ') : '—'}</InfoItem>
      {(customFields.data ?? []).map((field) => {
        const value = lead.customFields[field.key];
        if (value === undefined) return null;
        return (
          <InfoItem key={field.id} label={field.label}>
            {showCustomValue(field, value, { money, date })}
          </InfoItem>
        );
      })}
    </SimpleGrid>
  );
}

function PeopleCard({ lead }: { lead: LeadDetail }) {
  const contact = lead.contact;
  const company = lead.company;
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="xs">
        Contact
      </Title>
      {contact === null ? (
        <Text size="sm" c="dimmed">
          No contact linked.
        </Text>
      ) : 'deleted' in contact ? (
        <Alert color="gray" title="Contact archived">
          The linked contact was archived or merged; its details are no longer shown here.
        </Alert>
      ) : (
        <Stack gap={2}>
          <Anchor component={Link} to={`/contacts/${contact.id}`} fw={500}>
            {contact.name || 'Unnamed contact'}
          </Anchor>
          {contact.phones.map((phone) => (
            <Anchor key={phone.e164} href={`tel:${phone.e164}`} size="sm">
              {phone.value}
            </Anchor>
          ))}
          {contact.emails.map((email) => (
            <Anchor key={email.value} href={`mailto:${email.value}`} size="sm">
              {email.value}
            </Anchor>
          ))}
          {contact.doNotContact && <Badge color="red">Do not contact</Badge>}
        </Stack>
      )}
      <Title order={2} size="h4" mt="md" mb="xs">
        Company
      </Title>
      {company === null ? (
        <Text size="sm" c="dimmed">
          {lead.companyName || 'No company.'}
        </Text>
      ) : 'deleted' in company ? (
        <Alert color="gray" title="Company archived">
          The linked company was archived.
        </Alert>
      ) : (
        <Anchor component={Link} to={`/companies/${company.id}`} size="sm">
          {company.name}
        </Anchor>
      )}
    </Card>
  );
}

function DuplicateBanner({ lead }: { lead: LeadDetail }) {
  const contact = lead.contact && !('deleted' in lead.contact) ? lead.contact : null;
  const duplicates = useContactDuplicates(contact);
  const { mergeContact } = useLeadActions();
  const { can } = useSession();
  if (!contact || !duplicates.data || duplicates.data.length === 0) return null;
  return (
    <Alert color="yellow" title="Possible duplicate contact">
      {duplicates.data.map((other) => (
        <Group key={other.id} justify="space-between">
          <Text size="sm">
            {other.name || 'Unnamed'} shares a phone or email with {contact.name}.
          </Text>
          {can('lead:update') && (
            <Button
              size="compact-sm"
              variant="light"
              loading={mergeContact.isPending}
              onClick={() =>
                mergeContact.mutate(
                  { contactId: other.id, intoId: contact.id },
                  {
                    onSuccess: () =>
                      notifications.show({
                        color: 'green',
                        message: `Merged ${other.name} into ${contact.name}`,
                      }),
                  },
                )
              }
            >
              Merge into {contact.name}
            </Button>
          )}
        </Group>
      ))}
    </Alert>
  );
}

const logFormSchema = z.object({
  type: logActivityBodySchema.shape.type,
  outcome: z.string(),
  body: logActivityBodySchema.shape.body,
  nextStep: logActivityBodySchema.shape.nextStep,
  followUpAt: z.string(),
});
type LogFormInput = z.input<typeof logFormSchema>;

function LogActivityForm({ leadId }: { leadId: string }) {
  const { logActivity } = useLeadActions();
  const form = useForm<LogFormInput, unknown, z.output<typeof logFormSchema>>({
    resolver: zodResolver(logFormSchema),
    defaultValues: { type: 'call', outcome: 'spoke', body: '', nextStep: '', followUpAt: '' },
  });
  const [type, outcome] = useWatch({ control: form.control, name: ['type', 'outcome'] });
  const submit = form.handleSubmit((values) => {
    const dueAt = localInputToIso(values.followUpAt);
    logActivity.mutate(
      {
        leadId,
        input: {
          type: values.type,
          outcome: values.type === 'call' ? values.outcome : 'none',
          body: values.body,
          nextStep: values.nextStep,
          ...(dueAt
            ? { followUp: { dueAt, ...(values.nextStep ? {} : { title: 'Follow up' }) } }
            : {}),
        },
      },
      {
        onSuccess: () => {
          form.reset();
          notifications.show({ color: 'green', message: 'Activity logged' });
        },
        onError: (error) =>
          applyServerErrors(
            error,
            form.setError,
            ['type', 'outcome', 'body', 'nextStep', 'followUpAt'],
            {
              'followUp.dueAt': 'followUpAt',
              'followUp.title': 'nextStep',
            },
          ),
      },
    );
  });
  return (
    <Card withBorder component="section" aria-labelledby="log-activity-title">
      <Title order={2} size="h4" id="log-activity-title" mb="xs">
        Log activity
      </Title>
      <form noValidate onSubmit={(event) => void submit(event)}>
        <Stack gap="xs">
          <Group grow>
            <Select
              label="Type"
              allowDeselect={false}
              data={LOGGABLE_TYPES.map((value) => ({ value, label: humanize(value) }))}
              value={type}
              onChange={(value) => value && form.setValue('type', value)}
            />
            {type === 'call' && (
              <Select
                label="Outcome"
                allowDeselect={false}
                data={CALL_OUTCOMES.map((value) => ({ value, label: humanize(value) }))}
                value={outcome}
                onChange={(value) => value && form.setValue('outcome', value)}
              />
            )}
          </Group>
          <Textarea
            label="Notes"
            autosize
            minRows={2}
            {...form.register('body')}
            error={form.formState.errors.body?.message}
          />
          <Group grow align="start">
            <TextInput
              label="Next step"
              {...form.register('nextStep')}
              error={form.formState.errors.nextStep?.message}
            />
            <TextInput
              label="Follow-up date"
              type="datetime-local"
              min={isoToLocalInput(new Date())}
              {...form.register('followUpAt')}
              error={form.formState.errors.followUpAt?.message}
            />
          </Group>
          <Group>
            <Button type="submit" loading={logActivity.isPending}>
              Log {humanize(type).toLowerCase()}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

const TIME_BASIS: Record<LeadInsights['bestTimeToCall']['basis'], string> = {
  contact: "from this contact's answered calls",
  workspace: "from the workspace's answered calls (too few with this contact)",
  business_hours: 'the next business hour (too few answered calls to tell)',
};

function NextStepCard({ leadId }: { leadId: string }) {
  const insights = useLeadInsights(leadId);
  return (
    <Card withBorder component="section" aria-labelledby="next-step-title" data-testid="next-step">
      <Title order={2} size="h4" id="next-step-title" mb="xs">
        Next step
      </Title>
      <QueryView query={insights} skeleton={<PageSkeleton rows={2} />}>
        {({ nextAction, bestTimeToCall }) => (
          <Stack gap="xs">
            <div>
              <Text fw={600} data-testid="next-action">
                {nextAction.label}
              </Text>
              <Text size="sm" c="dimmed">
                {nextAction.reason}
              </Text>
            </div>
            <div>
              <Text size="sm">
                Best time to call:{' '}
                <Text span fw={600} data-testid="best-time-to-call">
                  {bestTimeToCall.label}
                </Text>
                {bestTimeToCall.isNow && (
                  <Badge ml="xs" size="sm" color="teal">
                    Now
                  </Badge>
                )}
              </Text>
              <Text size="xs" c="dimmed">
                {TIME_BASIS[bestTimeToCall.basis]}
              </Text>
            </div>
          </Stack>
        )}
      </QueryView>
    </Card>
  );
}

function TasksCard({ leadId }: { leadId: string }) {
  const tasks = useLeadTasks(leadId);
  const { can, relative } = useSession();
  return (
    <Card withBorder component="section" aria-labelledby="tasks-title">
      <Title order={2} size="h4" id="tasks-title" mb="xs">
        Open tasks
      </Title>
      <QueryView query={tasks} skeleton={<PageSkeleton rows={2} />}>
        {(items) =>
          items.length === 0 ? (
            <Text size="sm" c="dimmed">
              No open tasks. Log an activity with a follow-up date to plan the next step.
            </Text>
          ) : (
            <Stack gap="xs">
              {items.map((task) => (
                <Group key={task.id} justify="space-between" wrap="nowrap" data-testid="lead-task">
                  <Group gap="sm" wrap="nowrap">
                    {can('lead:update') && <CompleteTaskCheckbox task={task} />}
                    <div>
                      <Text size="sm">{task.title}</Text>
                      <Text size="xs" c={task.isOverdue ? 'red.9' : 'dimmed'}>
                        {task.dueAt ? `Due ${relative(task.dueAt)}` : 'No due date'}
                      </Text>
                    </div>
                  </Group>
                  {can('lead:update') && <SnoozeMenu task={task} />}
                </Group>
              ))}
            </Stack>
          )
        }
      </QueryView>
    </Card>
  );
}

function TimelineCard({ leadId }: { leadId: string }) {
  const activities = useLeadActivities(leadId);
  return (
    <Card withBorder component="section" aria-labelledby="timeline-title">
      <Title order={2} size="h4" id="timeline-title" mb="sm">
        Timeline
      </Title>
      <QueryView query={activities} skeleton={<PageSkeleton rows={3} />}>
        {(items) =>
          items.length === 0 ? (
            <Text size="sm" c="dimmed">
              Nothing has happened yet.
            </Text>
          ) : (
            <ActivityList activities={items} linkLeads={false} />
          )
        }
      </QueryView>
    </Card>
  );
}

/** An audit entry of this lead, as GET /api/audit-log returns it. */
type AuditEntry = z.infer<typeof auditEntrySchema>;

function useLeadHistory(leadId: string) {
  return useInfiniteQuery({
    // Under ['lead', id], so every change to the lead refreshes it.
    queryKey: ['lead', leadId, 'history'],
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<AuditEntry>>(
        '/api/audit-log',
        { entityType: 'lead', entityId: leadId, limit: 50, cursor: pageParam },
        signal,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

const HISTORY_FIELD_LABELS: Record<string, string> = {
  contactId: 'Contact',
  companyId: 'Company',
  sourceId: 'Source',
  pipelineId: 'Pipeline',
  stageId: 'Stage',
  lostReasonId: 'Lost reason',
  assigneeId: 'Assignee',
  convertedBy: 'Converted by',
  createdBy: 'Created by',
  nextFollowUpAt: 'Next follow-up',
  nextFollowUpType: 'Next follow-up type',
  fields: 'Fields',
};

const HISTORY_ACTION_LABELS: Record<string, string> = {
  'lead.stage_changed': 'Moved to another stage',
  'lead.lost': 'Marked lost',
  'lead.sensitive_read': 'Viewed sensitive fields',
  'lead.sensitive_updated': 'Changed sensitive fields',
  'lead.merged_into': 'Another lead was merged into this one',
  'lead.merged': 'Merged into another lead',
};

function actionLabel(action: string): string {
  return HISTORY_ACTION_LABELS[action] ?? humanize(action.split('.').slice(1).join('.') || action);
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const HISTORY_PREVIEW = 8;

/** Names for the ids and words for the values an audit entry records. */
function useHistoryFormat(lead: LeadDetail) {
  const { money, date, dateTime } = useSession();
  const pipelines = usePipelines();
  const members = useMembers();
  const sources = useLeadSources();
  const lostReasons = useLostReasons();
  const customFields = useLeadCustomFields();
  const stages = stageIndex(pipelines.data);
  const names = (items: { id: string; name: string }[] | undefined) =>
    new Map((items ?? []).map((item) => [item.id, item.name]));
  const people = names(members.data);
  const byKind: Record<string, Map<string, string>> = {
    stageId: new Map([...stages].map(([id, stage]) => [id, stage.name])),
    pipelineId: names(pipelines.data),
    sourceId: names(sources.data),
    lostReasonId: names(lostReasons.data),
    assigneeId: people,
    convertedBy: people,
    createdBy: people,
  };
  const fieldOf = (key: string) =>
    key.startsWith('customFields.')
      ? customFields.data?.find((f) => `customFields.${f.key}` === key)
      : undefined;

  const label = (key: string) => {
    const custom = fieldOf(key);
    if (custom) return custom.label;
    const known = HISTORY_FIELD_LABELS[key];
    if (known) return known;
    const words = key
      .replace(/^customFields\./, '')
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .replaceAll('_', ' ')
      .toLowerCase();
    return words.charAt(0).toUpperCase() + words.slice(1);
  };

  const value = (key: string, raw: unknown): React.ReactNode => {
    if (raw === null || raw === undefined || raw === '') return '—';
    if (raw === '[sensitive]') return 'Hidden';
    const custom = fieldOf(key);
    if (custom) return showCustomValue(custom, raw, { money, date });
    if (typeof raw === 'string') {
      const named = byKind[key]?.get(raw);
      if (named) return named;
      if (key in byKind) return key === 'assigneeId' ? 'A former member' : 'Removed';
      if (key === 'contactId' || key === 'companyId') {
        const path = key === 'contactId' ? 'contacts' : 'companies';
        return (
          <Anchor component={Link} to={`/${path}/${raw}`} size="sm">
            {key === 'contactId' ? 'a contact' : 'a company'}
          </Anchor>
        );
      }
      if (ISO_DATE.test(raw)) return date(raw);
      if (ISO_INSTANT.test(raw)) return dateTime(raw);
      return humanizeValue(key, raw);
    }
    if (typeof raw === 'number') {
      if (key === 'value') return money(raw, lead.currency);
      return key === 'probability' ? `${raw} %` : String(raw);
    }
    if (typeof raw === 'boolean') return raw ? 'Yes' : 'No';
    if (Array.isArray(raw)) return raw.length === 0 ? '—' : raw.map(String).join(', ');
    return JSON.stringify(raw);
  };

  const who = (entry: AuditEntry) => {
    if (entry.actorUserId) return people.get(entry.actorUserId) ?? 'A former member';
    return entry.actorTokenId ? 'An API token' : 'Leadkeeper (automatic)';
  };
  return { label, value, who };
}

/** Enum-like values read as words; free text stays as typed. */
function humanizeValue(key: string, raw: string): string {
  return ['status', 'priority', 'contactStatus', 'nextFollowUpType', 'lastContactMethod'].includes(
    key,
  )
    ? humanize(raw)
    : raw;
}

function HistoryEntry({
  entry,
  format,
}: {
  entry: AuditEntry;
  format: ReturnType<typeof useHistoryFormat>;
}) {
  const { dateTime, relative } = useSession();
  const [showAll, setShowAll] = useState(false);
  const changes = Object.entries(entry.changes);
  const shown = showAll ? changes : changes.slice(0, HISTORY_PREVIEW);
  return (
    <Timeline.Item
      data-testid="history-entry"
      title={
        <Text size="sm" fw={500}>
          {actionLabel(entry.action)}
          <Text span size="sm" fw={400}>
            {' · '}
            {format.who(entry)}
          </Text>
        </Text>
      }
    >
      <Text size="xs" c="dimmed" title={dateTime(entry.createdAt)}>
        {dateTime(entry.createdAt)} ({relative(entry.createdAt)})
      </Text>
      {changes.length > 0 && (
        <Table
          withRowBorders={false}
          verticalSpacing={2}
          horizontalSpacing={4}
          fz="sm"
          mt={4}
          aria-label={`Changed fields: ${actionLabel(entry.action)}`}
        >
          <Table.Thead>
            <Table.Tr>
              <Table.Th fz="xs" c="dimmed" fw={400}>
                Field
              </Table.Th>
              <Table.Th fz="xs" c="dimmed" fw={400}>
                Before
              </Table.Th>
              <Table.Th fz="xs" c="dimmed" fw={400}>
                After
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map(([key, change]) => (
              <Table.Tr key={key}>
                <Table.Td fw={500}>{format.label(key)}</Table.Td>
                <Table.Td>{format.value(key, change.before)}</Table.Td>
                <Table.Td>
                  <span aria-hidden="true">→ </span>
                  {format.value(key, change.after)}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {changes.length > HISTORY_PREVIEW && (
        <Button size="compact-xs" variant="subtle" onClick={() => setShowAll((all) => !all)}>
          {showAll ? 'Show fewer' : `Show all ${changes.length} fields`}
        </Button>
      )}
    </Timeline.Item>
  );
}

/** Who changed what on this lead and when, from the audit log (roles with audit:read). */
function HistoryCard({ lead }: { lead: LeadDetail }) {
  const history = useLeadHistory(lead.id);
  const format = useHistoryFormat(lead);
  const entries = history.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <Card withBorder component="section" aria-labelledby="history-title">
      <Title order={2} size="h4" id="history-title" mb="sm">
        History
      </Title>
      {history.isPending ? (
        <PageSkeleton rows={3} />
      ) : history.isError ? (
        <Alert color="red" title="The history could not load">
          <Text size="sm">{errorMessage(history.error)}</Text>
          <Button mt="xs" size="xs" variant="light" onClick={() => void history.refetch()}>
            Try again
          </Button>
        </Alert>
      ) : entries.length === 0 ? (
        <Text size="sm" c="dimmed">
          No changes recorded yet. Every change to this lead shows up here with who made it.
        </Text>
      ) : (
        <>
          <Timeline bulletSize={12} lineWidth={2}>
            {entries.map((entry) => (
              <HistoryEntry key={entry.id} entry={entry} format={format} />
            ))}
          </Timeline>
          {history.hasNextPage && (
            <Button
              mt="sm"
              size="xs"
              variant="light"
              loading={history.isFetchingNextPage}
              onClick={() => void history.fetchNextPage()}
            >
              Show older changes
            </Button>
          )}
        </>
      )}
    </Card>
  );
}

function LeadActions({ lead, pipeline }: { lead: LeadDetail; pipeline: Pipeline | undefined }) {
  const { can } = useSession();
  const members = useMembers();
  const actions = useLeadActions();
  const flow = useStageMoveFlow();
  const [stageId, setStageId] = useState<string | null>(null);
  const locked = lead.archived || lead.converted;
  if (!can('lead:update')) return null;
  if (lead.archived) {
    return (
      <Button variant="light" onClick={() => actions.restore.mutate(lead.id)}>
        Restore
      </Button>
    );
  }
  const lost = pipeline?.stages.find((stage) => stage.kind === 'lost');
  const won = pipeline?.stages.find((stage) => stage.kind === 'won');
  return (
    <Group gap="xs">
      {flow.dialogs}
      {!locked && pipeline && (
        <>
          <Select
            aria-label="Move to stage"
            placeholder="Move to stage…"
            size="xs"
            w={170}
            data={pipeline.stages
              .filter((s) => s.id !== lead.stageId)
              .map((s) => ({ value: s.id, label: s.name }))}
            value={stageId}
            onChange={(id) => {
              const stage = pipeline.stages.find((s) => s.id === id);
              setStageId(null);
              if (stage) flow.requestMove(lead, stage);
            }}
          />
          {won && can('lead:convert') && lead.status === 'open' && (
            <Button size="xs" color="teal" onClick={() => flow.requestMove(lead, won)}>
              Convert
            </Button>
          )}
          {lost && lead.status === 'open' && (
            <Button
              size="xs"
              color="red"
              variant="light"
              onClick={() => flow.requestMove(lead, lost)}
            >
              Mark lost
            </Button>
          )}
        </>
      )}
      <WriteMessageButton leadId={lead.id} />
      <Menu position="bottom-end">
        <Menu.Target>
          <Button size="xs" variant="default">
            More
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          {can('lead:assign') && !locked && (
            <>
              <Menu.Label>Assign to</Menu.Label>
              {(members.data ?? []).map((member) => (
                <Menu.Item
                  key={member.id}
                  onClick={() => actions.assign.mutate({ leadId: lead.id, userId: member.id })}
                >
                  {member.name}
                </Menu.Item>
              ))}
              <Menu.Item onClick={() => actions.assign.mutate({ leadId: lead.id, userId: null })}>
                Unassigned
              </Menu.Item>
              <Menu.Divider />
            </>
          )}
          <Menu.Item
            color="red"
            disabled={lead.converted}
            onClick={() => actions.archive.mutate(lead.id)}
          >
            Archive
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
    </Group>
  );
}

function LeadView({ lead }: { lead: LeadDetail }) {
  const pipelines = usePipelines();
  const { can } = useSession();
  const pipeline = pipelines.data?.find((p) => p.id === lead.pipelineId);
  const stage = stageIndex(pipelines.data).get(lead.stageId);
  return (
    <Stack>
      <Group justify="space-between" align="start">
        <div>
          <Anchor component={Link} to="/leads" size="sm">
            ← Leads
          </Anchor>
          <Title order={1}>{lead.title}</Title>
          <Group gap="xs" mt={4}>
            <Badge variant="light">{stage?.pipelineName ?? 'Pipeline'}</Badge>
            <Badge color={lead.status === 'won' ? 'teal' : lead.status === 'lost' ? 'red' : 'blue'}>
              {humanize(lead.status)}
            </Badge>
            {lead.converted && (
              <Badge color="teal" variant="outline">
                Converted
              </Badge>
            )}
            {lead.archived && <Badge color="gray">Archived</Badge>}
          </Group>
        </div>
        <LeadActions lead={lead} pipeline={pipeline} />
      </Group>
      <StageTracker lead={lead} pipeline={pipeline} />
      <DuplicateBanner lead={lead} />
      <AccountingHandoff leadId={lead.id} won={lead.status === 'won'} />
      <Grid>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack>
            <Card withBorder>
              <InfoGrid lead={lead} />
              {lead.description && (
                <Text size="sm" mt="sm" style={{ whiteSpace: 'pre-wrap' }}>
                  {lead.description}
                </Text>
              )}
            </Card>
            {can('lead:update') && <LogActivityForm leadId={lead.id} />}
            {can('audit:read') ? (
              <Tabs defaultValue="timeline" keepMounted={false}>
                <Tabs.List>
                  <Tabs.Tab value="timeline">Timeline</Tabs.Tab>
                  <Tabs.Tab value="history">History</Tabs.Tab>
                </Tabs.List>
                <Tabs.Panel value="timeline" pt="sm">
                  <TimelineCard leadId={lead.id} />
                </Tabs.Panel>
                <Tabs.Panel value="history" pt="sm">
                  <HistoryCard lead={lead} />
                </Tabs.Panel>
              </Tabs>
            ) : (
              <TimelineCard leadId={lead.id} />
            )}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack>
            {!lead.archived && <NextStepCard leadId={lead.id} />}
            <ScoreCard lead={lead} />
            <PeopleCard lead={lead} />
            <TasksCard leadId={lead.id} />
            <LeadSequencesCard leadId={lead.id} isOpen={lead.status === 'open' && !lead.archived} />
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function LeadById({ id }: { id: string }) {
  const lead = useLead(id);
  return <QueryView query={lead}>{(data) => <LeadView lead={data} />}</QueryView>;
}

export function LeadPage() {
  const { id = '' } = useParams();
  // A malformed id would be a 422 from the server; it is simply not a lead.
  if (!UUID.test(id)) return <NotFoundScreen what="lead" />;
  return <LeadById key={id} id={id} />;
}
