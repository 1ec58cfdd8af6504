// Reviews on demand: the member's daily review, and (with analytics) the weekly and monthly
// summaries the schedule sends. The same figures as the in-app and email reviews.
import {
  Anchor,
  Card,
  Group,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import type { z } from 'zod';
import type {
  dailyReviewSchema,
  monthlyReviewSchema,
  weeklyReviewSchema,
} from '../../../server/modules/reviews/reviews.schemas';
import { useSession } from '../../app/session';
import { QueryView } from '../../components/ui/screens';
import { api } from '../../lib/api-client';

type Daily = z.infer<typeof dailyReviewSchema>;
type Weekly = z.infer<typeof weeklyReviewSchema>;
type Monthly = z.infer<typeof monthlyReviewSchema>;

function Figure({ label, value }: { label: string; value: string | number }) {
  return (
    <Card withBorder padding="sm">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700} size="lg">
        {value}
      </Text>
    </Card>
  );
}

function DailyReview() {
  const { dateTime } = useSession();
  const query = useQuery({
    queryKey: ['reviews', 'daily'],
    queryFn: () => api.get<Daily>('/api/reviews/daily'),
  });
  return (
    <QueryView query={query}>
      {(review) => (
        <Stack>
          <Title order={2} size="h3">
            Today’s follow-ups ({review.followUps.length})
          </Title>
          {review.followUps.length === 0 && <Text c="dimmed">Nothing due today.</Text>}
          {review.followUps.map((item) => (
            <Text key={item.taskId} size="sm">
              {item.leadId ? (
                <Anchor component={Link} to={`/leads/${item.leadId}`}>
                  {item.title}
                </Anchor>
              ) : (
                item.title
              )}{' '}
              — {item.overdue ? 'overdue since' : 'due'} {dateTime(item.dueAt)}
            </Text>
          ))}
          <Title order={2} size="h3">
            Stale leads ({review.staleLeads.length})
          </Title>
          {review.staleLeads.length === 0 && (
            <Text c="dimmed">
              None: every lead had activity in the last {review.staleAfterDays} days.
            </Text>
          )}
          {review.staleLeads.map((lead) => (
            <Text key={lead.leadId} size="sm">
              <Anchor component={Link} to={`/leads/${lead.leadId}`}>
                {lead.title}
              </Anchor>
              : no activity in {lead.daysSinceTouch} days, last touch: {dateTime(lead.lastTouchAt)}
            </Text>
          ))}
        </Stack>
      )}
    </QueryView>
  );
}

function WeeklyReview({ period }: { period: string }) {
  const { money, dateTime } = useSession();
  const query = useQuery({
    queryKey: ['reviews', 'weekly', period],
    queryFn: () => api.get<Weekly>('/api/reviews/weekly', { period }),
  });
  return (
    <QueryView query={query}>
      {(review) => (
        <Stack>
          <Text size="sm" c="dimmed">
            {review.period}: {dateTime(review.from)} – {dateTime(review.to)}
          </Text>
          <SimpleGrid cols={{ base: 2, md: 3 }}>
            <Figure label="New leads" value={review.newLeads} />
            <Figure
              label="In follow-up (average age)"
              value={`${review.inFollowUp.count} (${review.inFollowUp.averageAgeDays ?? '–'} d)`}
            />
            <Figure
              label="Proposals out"
              value={`${review.proposalsOut.count} · ${money(review.proposalsOut.value, review.currency)}`}
            />
            <Figure
              label="Won"
              value={`${review.won.count} · ${money(review.won.value, review.currency)}`}
            />
            <Figure
              label="Lost"
              value={`${review.lost.count} · ${money(review.lost.value, review.currency)}`}
            />
            <Figure
              label="Oldest open lead"
              value={
                review.oldestOpenLead
                  ? `${review.oldestOpenLead.title} (${review.oldestOpenLead.ageDays} d)`
                  : '–'
              }
            />
          </SimpleGrid>
        </Stack>
      )}
    </QueryView>
  );
}

function MonthlyReview({ period }: { period: string }) {
  const { money } = useSession();
  const query = useQuery({
    queryKey: ['reviews', 'monthly', period],
    queryFn: () => api.get<Monthly>('/api/reviews/monthly', { period }),
  });
  return (
    <QueryView query={query}>
      {(review) => (
        <Stack>
          <Text size="sm" c="dimmed">
            Month {review.period}
          </Text>
          <SimpleGrid cols={{ base: 2, md: 4 }}>
            <Figure
              label="Won"
              value={`${review.won.count} · ${money(review.won.value, review.currency)}`}
            />
            <Figure
              label="Lost"
              value={`${review.lost.count} · ${money(review.lost.value, review.currency)}`}
            />
            <Figure
              label="Win rate"
              value={review.winRate === null ? '–' : `${Math.round(review.winRate * 100)} %`}
            />
            <Figure label="Average days to close" value={review.averageDaysToClose ?? '–'} />
          </SimpleGrid>
          <Title order={2} size="h4">
            Lost by reason
          </Title>
          {review.lost.byReason.length === 0 && <Text c="dimmed">No lost leads.</Text>}
          {review.lost.byReason.map((row) => (
            <Text key={row.reason ?? 'none'} size="sm">
              {row.reason ?? 'No reason'}: {row.count}
            </Text>
          ))}
          <Title order={2} size="h4">
            Top sources
          </Title>
          <Table aria-label="Top sources">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Source</Table.Th>
                <Table.Th>Leads</Table.Th>
                <Table.Th>Won</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {review.topSources.map((row) => (
                <Table.Tr key={row.sourceId ?? 'none'}>
                  <Table.Td>{row.name ?? 'No source'}</Table.Td>
                  <Table.Td>{row.leads}</Table.Td>
                  <Table.Td>{row.won}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Stack>
      )}
    </QueryView>
  );
}

export function ReviewsPage() {
  const { can } = useSession();
  const [period, setPeriod] = useState('last');
  const summaries = can('lead:analytics');
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Reviews</Title>
        {summaries && (
          <SegmentedControl
            aria-label="Period"
            value={period}
            onChange={setPeriod}
            data={[
              { value: 'last', label: 'Last full period' },
              { value: 'current', label: 'So far' },
            ]}
          />
        )}
      </Group>
      <Tabs defaultValue="daily" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="daily">Daily</Tabs.Tab>
          {summaries && <Tabs.Tab value="weekly">Weekly</Tabs.Tab>}
          {summaries && <Tabs.Tab value="monthly">Monthly</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="daily" pt="md">
          <DailyReview />
        </Tabs.Panel>
        {summaries && (
          <Tabs.Panel value="weekly" pt="md">
            <WeeklyReview period={period} />
          </Tabs.Panel>
        )}
        {summaries && (
          <Tabs.Panel value="monthly" pt="md">
            <MonthlyReview period={period} />
          </Tabs.Panel>
        )}
      </Tabs>
    </Stack>
  );
}
