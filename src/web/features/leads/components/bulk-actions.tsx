// Actions on the selected leads: assign, move to a stage, add or remove a tag, archive, and the
// CSV export. Each lead succeeds or fails on its own; the result says how many of each and why
// the failed ones failed (a stage move that needs a reason, say).
import {
  Alert,
  Button,
  CloseButton,
  Group,
  List,
  Menu,
  Modal,
  Paper,
  Select,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useMembers, usePipelines } from '../../../app/reference-data';
import { errorMessage } from '../../../app/query-client';
import { useSession } from '../../../app/session';
import {
  fetchLeadsCsv,
  useBulkLeadAction,
  type BulkAction,
  type BulkResult,
  type LeadFilters,
  type LeadListItem,
} from '../api/leads-api';

type Dialog = BulkAction['type'];

/** `1 lead`, `1.200 leads` (numbers in the workspace's locale). */
function plural(count: number, one: string, locale: string): string {
  return `${count.toLocaleString(locale)} ${count === 1 ? one : `${one}s`}`;
}

const VERBS: Record<Dialog, string> = {
  assign: 'Assign',
  move_stage: 'Move',
  add_tag: 'Tag',
  remove_tag: 'Untag',
  archive: 'Archive',
};

export interface BulkOutcome {
  action: BulkAction;
  result: BulkResult;
}

function ActionDialog({
  type,
  leads,
  busy,
  onSubmit,
  onClose,
}: {
  type: Dialog;
  leads: readonly LeadListItem[];
  busy: boolean;
  onSubmit: (action: BulkAction) => void;
  onClose: () => void;
}) {
  const { format } = useSession();
  const members = useMembers();
  const pipelines = usePipelines();
  const [userId, setUserId] = useState<string | null>(null);
  const [stageId, setStageId] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [tag, setTag] = useState('');
  const [tagError, setTagError] = useState<string | null>(null);
  const count = plural(leads.length, 'lead', format.locale);
  const submitTag = (kind: 'add_tag' | 'remove_tag') => {
    const value = tag.trim();
    if (value.length < 1 || value.length > 50) {
      setTagError('A tag has 1 to 50 characters');
      return;
    }
    onSubmit({ type: kind, tag: value });
  };
  // Stages of the pipelines the selected leads are in (all active ones if unknown).
  const pipelineIds = new Set(leads.map((lead) => lead.pipelineId));
  const stageGroups = (pipelines.data ?? [])
    .filter((p) => !p.archived && (pipelineIds.size === 0 || pipelineIds.has(p.id)))
    .map((p) => ({ group: p.name, items: p.stages.map((s) => ({ value: s.id, label: s.name })) }));
  const footer = (label: string, disabled: boolean, onClick: () => void, color?: string) => (
    <Group justify="flex-end">
      <Button variant="default" onClick={onClose}>
        Cancel
      </Button>
      <Button loading={busy} disabled={disabled} onClick={onClick} color={color}>
        {label}
      </Button>
    </Group>
  );
  switch (type) {
    case 'assign':
      return (
        <Modal opened onClose={onClose} title={`Assign ${count}`}>
          <Stack>
            <Select
              label="Assignee"
              data-autofocus
              searchable
              data={[
                { value: 'none', label: 'Unassigned' },
                ...(members.data ?? []).map((m) => ({ value: m.id, label: m.name })),
              ]}
              value={userId}
              onChange={setUserId}
            />
            {footer(`Assign ${count}`, userId === null, () =>
              onSubmit({ type: 'assign', userId: userId === 'none' ? null : userId }),
            )}
          </Stack>
        </Modal>
      );
    case 'move_stage':
      return (
        <Modal opened onClose={onClose} title={`Move ${count} to a stage`}>
          <Stack>
            <Select
              label="Stage"
              data-autofocus
              data={stageGroups}
              value={stageId}
              onChange={setStageId}
            />
            <TextInput
              label="Reason"
              description="Needed to move a lead back, where the pipeline allows it"
              value={reason}
              onChange={(event) => setReason(event.currentTarget.value)}
            />
            <Text size="xs" c="dimmed">
              A lost stage needs a lost reason per lead, and a won stage may need fields filled in:
              move those leads one at a time from the lead page or the board.
            </Text>
            {footer(`Move ${count}`, stageId === null, () =>
              stageId === null
                ? undefined
                : onSubmit({
                    type: 'move_stage',
                    stageId,
                    ...(reason.trim() ? { reason: reason.trim() } : {}),
                  }),
            )}
          </Stack>
        </Modal>
      );
    case 'add_tag':
    case 'remove_tag':
      return (
        <Modal
          opened
          onClose={onClose}
          title={type === 'add_tag' ? `Add a tag to ${count}` : `Remove a tag from ${count}`}
        >
          <form
            onSubmit={(event) => {
              event.preventDefault();
              submitTag(type);
            }}
          >
            <Stack>
              <TextInput
                label="Tag"
                data-autofocus
                required
                value={tag}
                error={tagError}
                onChange={(event) => {
                  setTag(event.currentTarget.value);
                  setTagError(null);
                }}
              />
              {footer(type === 'add_tag' ? 'Add tag' : 'Remove tag', false, () => submitTag(type))}
            </Stack>
          </form>
        </Modal>
      );
    case 'archive':
      return (
        <Modal opened onClose={onClose} title={`Archive ${count}?`}>
          <Stack>
            <Text size="sm">
              Archived leads leave the lists, the board and Today. Nothing is deleted: each can be
              restored from its lead page.
            </Text>
            {footer(`Archive ${count}`, false, () => onSubmit({ type: 'archive' }), 'red')}
          </Stack>
        </Modal>
      );
  }
}

export function BulkActionsBar({
  selected,
  onDone,
  onClear,
}: {
  selected: readonly LeadListItem[];
  onDone: (outcome: BulkOutcome) => void;
  onClear: () => void;
}) {
  const { can, format } = useSession();
  const bulk = useBulkLeadAction();
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const allowed = (type: Dialog) => (type === 'assign' ? can('lead:assign') : can('lead:update'));
  const actions = (['assign', 'move_stage', 'add_tag', 'remove_tag', 'archive'] as const).filter(
    allowed,
  );
  const labels: Record<Dialog, string> = {
    assign: 'Assign…',
    move_stage: 'Move to stage…',
    add_tag: 'Add tag…',
    remove_tag: 'Remove tag…',
    archive: 'Archive…',
  };
  return (
    <Paper
      withBorder
      px="sm"
      py={6}
      bg="blue.0"
      role="region"
      aria-label="Bulk actions"
      data-testid="bulk-bar"
    >
      <Group gap="xs" justify="space-between">
        <Group gap="xs">
          <Text size="sm" fw={600} aria-live="polite">
            {plural(selected.length, 'lead', format.locale)} selected
          </Text>
          {actions.map((type) => (
            <Button
              key={type}
              size="xs"
              variant={type === 'archive' ? 'outline' : 'white'}
              color={type === 'archive' ? 'red' : undefined}
              onClick={() => setDialog(type)}
            >
              {labels[type]}
            </Button>
          ))}
        </Group>
        <Button size="xs" variant="subtle" onClick={onClear}>
          Clear selection
        </Button>
      </Group>
      {dialog && (
        <ActionDialog
          type={dialog}
          leads={selected}
          busy={bulk.isPending}
          onClose={() => setDialog(null)}
          onSubmit={(action) =>
            // Not mutate's callbacks: archived leads leave the list, and with the selection
            // empty this bar is gone before they would run. A failure was shown as a toast.
            void bulk
              .mutateAsync({ leadIds: selected.map((lead) => lead.id), action })
              .then((result) => {
                setDialog(null);
                onDone({ action, result });
              })
              .catch(() => undefined)
          }
        />
      )}
    </Paper>
  );
}

/** "12 updated, 2 failed", and why each failed one failed. */
export function BulkResultAlert({
  outcome,
  titleOf,
  onClose,
}: {
  outcome: BulkOutcome;
  titleOf: (leadId: string) => string | undefined;
  onClose: () => void;
}) {
  const { succeeded, failed } = outcome.result;
  const verb = outcome.action.type === 'archive' ? 'archived' : 'updated';
  const summary =
    failed.length === 0
      ? `${succeeded.length} ${verb}`
      : `${succeeded.length} ${verb}, ${failed.length} failed`;
  return (
    <Alert
      color={failed.length === 0 ? 'green' : 'orange'}
      title={`${VERBS[outcome.action.type]}: ${summary}`}
      data-testid="bulk-result"
      role="status"
      withCloseButton={false}
    >
      <Group justify="space-between" align="start" wrap="nowrap">
        {failed.length > 0 ? (
          <Stack gap={4}>
            <Text size="sm">These stay selected, to fix and try again:</Text>
            <List size="sm" spacing={2}>
              {failed.map((failure) => (
                <List.Item key={failure.id}>
                  <Text span size="sm" fw={600}>
                    {titleOf(failure.id) ?? 'A lead'}
                  </Text>
                  : {failure.detail || failure.title}
                </List.Item>
              ))}
            </List>
          </Stack>
        ) : (
          <Text size="sm">Every selected lead was changed.</Text>
        )}
        <CloseButton aria-label="Close the result" onClick={onClose} />
      </Group>
    </Alert>
  );
}

function download(csv: string, name: string) {
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

export function ExportMenu({
  filters,
  selectedIds,
  total,
}: {
  filters: LeadFilters;
  selectedIds: readonly string[];
  total: number | undefined;
}) {
  const { format } = useSession();
  const [busy, setBusy] = useState(false);
  const run = async (ids: string[] | undefined) => {
    setBusy(true);
    try {
      const csv = await fetchLeadsCsv(filters, ids);
      const day = new Date().toISOString().slice(0, 10);
      download(csv, ids ? `leads-selected-${day}.csv` : `leads-${day}.csv`);
    } catch (error) {
      notifications.show({ color: 'red', title: 'Not exported', message: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Menu position="bottom-end">
      <Menu.Target>
        <Button size="xs" variant="default" loading={busy}>
          Export CSV
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item disabled={selectedIds.length === 0} onClick={() => void run([...selectedIds])}>
          Selected leads ({selectedIds.length.toLocaleString(format.locale)})
        </Menu.Item>
        <Menu.Item onClick={() => void run(undefined)}>
          All matching leads{total !== undefined ? ` (${total.toLocaleString(format.locale)})` : ''}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
