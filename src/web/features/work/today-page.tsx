// Today (my work): what is overdue or due today, new inquiries waiting for a first call (with
// the minutes since they came in), follow-ups, and leads stuck past their stage's limit.
import { Anchor, Badge, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useInterval } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { useSession } from '../../app/session';
import { PageSkeleton, QueryView } from '../../components/ui/screens';
import { api } from '../../lib/api-client';
import { formatDuration } from '../../lib/format';
import { AGING_WARNING_COLOR, PRIORITY_COLORS, humanize } from '../../lib/labels';
import type { Lead, MyWork, Task } from '../../lib/types';
import { CompleteTaskCheckbox, LogCallMenu, SnoozeMenu } from '../leads/components/quick-actions';

function useMyWork() {
  return useQuery({
    queryKey: ['work'],
    queryFn: () => api.get<MyWork>('/api/me/work'),
    refetchInterval: 60_000,
  });
}

/** Minutes since the page loaded its data, ticking every 30 s for the speed-to-lead timers. */
function useMinutesSince(fetchedAt: number): number {
  const [now, setNow] = useState(() => Date.now());
  const interval = useInterval(() => setNow(Date.now()), 30_000);
  useEffect(() => {
    interval.start();
    return interval.stop;
  }, [interval]);
  return Math.max(0, Math.floor((now - fetchedAt) / 60_000));
}

function Section({
  title,
  count,
  empty,
  children,
}: {
  title: string;
  count: number;
  empty: string;
  children: ReactNode;
}) {
  const headingId = `today-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <Card withBorder component="section" aria-labelledby={headingId} padding="md">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id={headingId}>
          {title}
        </Title>
        <Badge variant="light" color={count > 0 ? 'blue' : 'gray'}>
          {count}
        </Badge>
      </Group>
      {count === 0 ? (
        <Text c="dimmed" size="sm">
          {empty}
        </Text>
      ) : (
        <Stack gap="xs">{children}</Stack>
      )}
    </Card>
  );
}

function LeadLink({ lead }: { lead: Pick<Lead, 'id' | 'title'> }) {
  return (
    <Anchor component={Link} to={`/leads/${lead.id}`} fw={500} size="sm">
      {lead.title}
    </Anchor>
  );
}

function TaskRow({ task, leadTitle }: { task: Task; leadTitle: string | undefined }) {
  const { can, relative } = useSession();
  const canWork = can('lead:update');
  return (
    <Group justify="space-between" wrap="nowrap" gap="xs" data-testid="task-row">
      <Group gap="sm" wrap="nowrap" miw={0}>
        {canWork && <CompleteTaskCheckbox task={task} />}
        <div style={{ minWidth: 0 }}>
          <Text size="sm" fw={500} truncate>
            {task.title}
          </Text>
          <Text size="xs" c={task.isOverdue ? 'red.9' : 'dimmed'}>
            {task.dueAt ? `Due ${relative(task.dueAt)}` : 'No due date'}
            {task.leadId && (
              <>
                {' · '}
                <Anchor component={Link} to={`/leads/${task.leadId}`} size="xs" underline="always">
                  {leadTitle ?? 'Open lead'}
                </Anchor>
              </>
            )}
          </Text>
        </div>
      </Group>
      {canWork && (
        <Group gap={4} wrap="nowrap">
          {task.leadId && <LogCallMenu leadId={task.leadId} leadTitle={leadTitle ?? task.title} />}
          <SnoozeMenu task={task} />
        </Group>
      )}
    </Group>
  );
}

type WorkLead = MyWork['followUps'][number];

function LeadRow({ lead, detail }: { lead: Lead & Pick<WorkLead, 'insights'>; detail: ReactNode }) {
  const { can } = useSession();
  const insights = lead.insights;
  return (
    <Group justify="space-between" wrap="nowrap" gap="xs" data-testid="lead-row">
      <div style={{ minWidth: 0 }}>
        <Group gap={6} wrap="nowrap">
          <LeadLink lead={lead} />
          {(lead.priority === 'high' || lead.priority === 'urgent') && (
            <Badge size="xs" variant="light" color={PRIORITY_COLORS[lead.priority]}>
              {humanize(lead.priority)}
            </Badge>
          )}
          {insights?.bestTimeToCall.isNow && (
            <Badge size="xs" variant="filled" color="teal.9" title={insights.bestTimeToCall.label}>
              Best hour to call
            </Badge>
          )}
        </Group>
        <Text size="xs" c="dimmed">
          {detail}
        </Text>
        {insights && (
          <Text size="xs" data-testid="work-next-action">
            {insights.nextAction.label}
          </Text>
        )}
      </div>
      {can('lead:update') && <LogCallMenu leadId={lead.id} leadTitle={lead.title} />}
    </Group>
  );
}

function TodayView({ work, fetchedAt }: { work: MyWork; fetchedAt: number }) {
  const { relative } = useSession();
  const elapsed = useMinutesSince(fetchedAt);
  const tasks = [...work.overdueTasks, ...work.todayTasks];
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
      <Section
        title="Overdue and due today"
        count={tasks.length}
        empty="Nothing due. Follow-ups you schedule show up here on their day."
      >
        {tasks.map((task) => (
          <TaskRow key={task.id} task={task} leadTitle={task.leadTitle ?? undefined} />
        ))}
      </Section>
      <Section
        title="New inquiries not contacted"
        count={work.notContacted.length}
        empty="Every new inquiry has been contacted."
      >
        {work.notContacted.map((lead) => {
          const minutes = lead.minutesSinceCreated + elapsed;
          return (
            <LeadRow
              key={lead.id}
              lead={lead}
              detail={
                <Text span size="xs" c={minutes > 60 ? 'red.9' : AGING_WARNING_COLOR} fw={500}>
                  Waiting {formatDuration(minutes)}
                </Text>
              }
            />
          );
        })}
      </Section>
      <Section
        title="Follow-ups"
        count={work.followUps.length}
        empty="No follow-ups scheduled on your leads."
      >
        {work.followUps.map((lead) => (
          <LeadRow
            key={lead.id}
            lead={lead}
            detail={
              lead.nextFollowUpAt
                ? `${humanize(lead.nextFollowUpType ?? 'follow_up')} ${relative(lead.nextFollowUpAt)}`
                : 'No follow-up'
            }
          />
        ))}
      </Section>
      <Section
        title="Stuck past the stage limit"
        count={work.pastStageLimit.length}
        empty="No lead has overstayed its stage."
      >
        {work.pastStageLimit.map((lead) => (
          <LeadRow key={lead.id} lead={lead} detail={`${lead.daysInStage} days in this stage`} />
        ))}
      </Section>
    </SimpleGrid>
  );
}

export function TodayPage() {
  const work = useMyWork();
  const { me } = useSession();
  return (
    <Stack>
      <Title order={1}>Today</Title>
      <Text c="dimmed" mt={-12}>
        {me.user.name}, here is what needs you.
      </Text>
      <QueryView query={work} skeleton={<PageSkeleton rows={8} />}>
        {(data) => <TodayView work={data} fetchedAt={work.dataUpdatedAt} />}
      </QueryView>
    </Stack>
  );
}
