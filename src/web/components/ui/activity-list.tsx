// A timeline of activities (calls, emails, notes, stage changes), as the lead, contact and
// company pages show it.
import { Anchor, Text, Timeline } from '@mantine/core';
import { Link } from 'react-router';
import { useSession } from '../../app/session';
import { humanize } from '../../lib/labels';
import type { Activity } from '../../lib/types';

/** Activities newest first; one logged on a lead links to it unless the page is that lead's. */
export function ActivityList({
  activities,
  linkLeads = true,
}: {
  activities: Activity[];
  linkLeads?: boolean;
}) {
  const { dateTime } = useSession();
  return (
    <Timeline bulletSize={14} lineWidth={2}>
      {activities.map((activity) => (
        <Timeline.Item
          key={activity.id}
          title={
            <Text size="sm" fw={500}>
              {humanize(activity.type)}
              {activity.outcome !== 'none' && ` · ${humanize(activity.outcome)}`}
              {activity.subject && ` · ${activity.subject}`}
            </Text>
          }
        >
          {activity.body && (
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
              {activity.body}
            </Text>
          )}
          {activity.nextStep && <Text size="xs">Next: {activity.nextStep}</Text>}
          <Text size="xs" c="dimmed">
            {dateTime(activity.occurredAt)}
            {linkLeads && activity.leadId && (
              <>
                {' · '}
                <Anchor
                  component={Link}
                  to={`/leads/${activity.leadId}`}
                  size="xs"
                  underline="always"
                >
                  on a lead
                </Anchor>
              </>
            )}
          </Text>
        </Timeline.Item>
      ))}
    </Timeline>
  );
}
