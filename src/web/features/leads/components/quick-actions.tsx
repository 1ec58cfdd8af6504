// Two-click actions used on Today, the board and the lead page: log a call outcome, complete
// or snooze a task.
import { Button, Checkbox, Menu, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { CALL_OUTCOMES, humanize } from '../../../lib/labels';
import type { Task } from '../../../lib/types';
import { useLeadActions } from '../api/leads-api';

export function LogCallMenu({ leadId, leadTitle }: { leadId: string; leadTitle: string }) {
  const { logActivity } = useLeadActions();
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button size="compact-sm" variant="light" aria-label={`Log call: ${leadTitle}`}>
          Log call
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Call outcome</Menu.Label>
        {CALL_OUTCOMES.map((outcome) => (
          <Menu.Item
            key={outcome}
            onClick={() =>
              logActivity.mutate(
                { leadId, input: { type: 'call', outcome } },
                {
                  onSuccess: () =>
                    notifications.show({
                      color: 'green',
                      message: `Call logged (${humanize(outcome).toLowerCase()}): ${leadTitle}`,
                    }),
                },
              )
            }
          >
            {humanize(outcome)}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}

function snoozeTargets(now = new Date()) {
  const inOneHour = new Date(now.getTime() + 60 * 60_000);
  const tomorrow = new Date(now);
  tomorrow.setDate(now.getDate() + 1);
  tomorrow.setHours(9, 0, 0, 0);
  const nextWeek = new Date(tomorrow);
  nextWeek.setDate(tomorrow.getDate() + 6);
  return [
    { label: 'In 1 hour', at: inOneHour },
    { label: 'Tomorrow 9:00', at: tomorrow },
    { label: 'In a week', at: nextWeek },
  ];
}

export function SnoozeMenu({ task }: { task: Task }) {
  const { snoozeTask } = useLeadActions();
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button size="compact-sm" variant="subtle" aria-label={`Snooze: ${task.title}`}>
          Snooze
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        {snoozeTargets().map((target) => (
          <Menu.Item
            key={target.label}
            onClick={() => snoozeTask.mutate({ task, dueAt: target.at.toISOString() })}
          >
            {target.label}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}

export function CompleteTaskCheckbox({ task }: { task: Task }) {
  const { completeTask } = useLeadActions();
  return (
    <Tooltip label="Complete" openDelay={400}>
      <Checkbox
        aria-label={`Complete: ${task.title}`}
        checked={completeTask.isPending || completeTask.isSuccess}
        disabled={completeTask.isPending}
        onChange={() =>
          completeTask.mutate(task, {
            onSuccess: () => notifications.show({ color: 'green', message: `Done: ${task.title}` }),
          })
        }
      />
    </Tooltip>
  );
}
