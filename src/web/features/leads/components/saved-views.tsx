// Saved views of the leads list: pick one (its filters and sort go into the URL, its columns
// into the table), save the current list as a view, update or delete one's own. Shared views
// are made and changed only by roles with lead:configure (the server says the same).
import { zodResolver } from '@hookform/resolvers/zod';
import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import { createSavedViewBodySchema } from '../../../../server/modules/saved-views/saved-views.schemas';
import { useSession, type Session } from '../../../app/session';
import { applyServerErrors } from '../../../lib/forms';
import { useSavedViewActions, type SavedView } from '../api/saved-views-api';
import { matchesView, paramsForView, sortOf, viewFiltersOf } from './list-state';

const saveViewSchema = createSavedViewBodySchema.pick({ name: true, shared: true });
type SaveViewInput = z.input<typeof saveViewSchema>;
type SaveViewValues = z.output<typeof saveViewSchema>;
const FORM_FIELDS = ['name', 'shared'] as const;

/** Whether this member may change or delete the view (the server checks it too). */
export function canEditView(view: SavedView, session: Pick<Session, 'me' | 'can'>): boolean {
  if (view.shared) return session.can('lead:configure');
  return view.ownerId === session.me.user.id;
}

function SaveViewDialog({
  params,
  columns,
  onClose,
  onSaved,
}: {
  params: URLSearchParams;
  columns: readonly string[];
  onClose: () => void;
  onSaved: (view: SavedView) => void;
}) {
  const { can } = useSession();
  const { create } = useSavedViewActions();
  const [unmatched, setUnmatched] = useState<string[]>([]);
  const form = useForm<SaveViewInput, unknown, SaveViewValues>({
    resolver: zodResolver(saveViewSchema),
    defaultValues: { name: '', shared: false },
  });
  const submit = form.handleSubmit((values) => {
    setUnmatched([]);
    create.mutate(
      {
        name: values.name,
        shared: can('lead:configure') && values.shared,
        filters: viewFiltersOf(params),
        sort: sortOf(params),
        columns: [...columns],
      },
      {
        onSuccess: onSaved,
        onError: (error) =>
          setUnmatched(applyServerErrors(error, form.setError, FORM_FIELDS).map((e) => e.message)),
      },
    );
  });
  return (
    <Modal opened onClose={onClose} title="Save view">
      <form onSubmit={(event) => void submit(event)} noValidate>
        <Stack>
          <Text size="sm">The current filters, sort and columns are saved under this name.</Text>
          <TextInput
            label="Name"
            required
            data-autofocus
            {...form.register('name')}
            error={form.formState.errors.name?.message}
          />
          {can('lead:configure') && (
            <Switch label="Share with everyone in the workspace" {...form.register('shared')} />
          )}
          {unmatched.length > 0 && (
            <Alert color="red" title="Not saved">
              {unmatched.join(' ')}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Save view
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function DeleteViewDialog({
  view,
  onClose,
  onDeleted,
}: {
  view: SavedView;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const { remove } = useSavedViewActions();
  return (
    <Modal opened onClose={onClose} title={`Delete the view “${view.name}”?`}>
      <Stack>
        <Text size="sm">
          {view.shared
            ? 'It is shared: it disappears for everyone in the workspace.'
            : 'Only the view goes; no lead changes.'}
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} data-autofocus>
            Cancel
          </Button>
          <Button
            color="red"
            loading={remove.isPending}
            onClick={() => remove.mutate(view, { onSuccess: onDeleted })}
          >
            Delete view
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function SavedViewsBar({
  views,
  active,
  params,
  columns,
  onApply,
  onClear,
}: {
  views: readonly SavedView[];
  active: SavedView | undefined;
  params: URLSearchParams;
  columns: readonly string[];
  onApply: (params: URLSearchParams) => void;
  /** Leaves the view: back to all leads, or (after deleting it) keeping its filters. */
  onClear: (options: { keepFilters: boolean }) => void;
}) {
  const session = useSession();
  const { update } = useSavedViewActions();
  const [saving, setSaving] = useState(false);
  // The view being deleted is held here: once gone from the list, `active` no longer is it.
  const [deleting, setDeleting] = useState<SavedView | null>(null);
  const own = views.filter((view) => view.ownerId === session.me.user.id);
  const shared = views.filter((view) => view.ownerId !== session.me.user.id);
  const label = (view: SavedView) => (view.shared ? `${view.name} (shared)` : view.name);
  const data = [
    ...(own.length > 0
      ? [{ group: 'My views', items: own.map((v) => ({ value: v.id, label: label(v) })) }]
      : []),
    ...(shared.length > 0
      ? [{ group: 'Shared views', items: shared.map((v) => ({ value: v.id, label: v.name })) }]
      : []),
  ];
  const editable = active !== undefined && canEditView(active, session);
  const changed = active !== undefined && !matchesView(params, active);
  return (
    <Group gap="xs">
      <Select
        size="xs"
        w={200}
        aria-label="Saved view"
        placeholder={views.length > 0 ? 'All leads' : 'No saved views yet'}
        clearable
        searchable
        nothingFoundMessage="No view by that name"
        data={data}
        value={active?.id ?? null}
        onChange={(id) => {
          const view = views.find((v) => v.id === id);
          if (view) onApply(paramsForView(view));
          else onClear({ keepFilters: false });
        }}
      />
      {changed && (
        <Badge variant="light" color="yellow">
          Changed
        </Badge>
      )}
      {editable && changed && (
        <Button
          size="xs"
          variant="light"
          loading={update.isPending}
          onClick={() =>
            update.mutate(
              {
                view: active,
                changes: {
                  filters: viewFiltersOf(params),
                  sort: sortOf(params),
                  columns: [...columns],
                },
              },
              {
                onSuccess: (view) =>
                  notifications.show({ color: 'green', message: `View updated: ${view.name}` }),
              },
            )
          }
        >
          Update view
        </Button>
      )}
      <Button size="xs" variant="default" onClick={() => setSaving(true)}>
        Save view
      </Button>
      {editable && (
        <Button size="xs" variant="subtle" color="red" onClick={() => setDeleting(active)}>
          Delete view
        </Button>
      )}
      {saving && (
        <SaveViewDialog
          params={params}
          columns={columns}
          onClose={() => setSaving(false)}
          onSaved={(view) => {
            setSaving(false);
            notifications.show({ color: 'green', message: `View saved: ${view.name}` });
            onApply(paramsForView(view));
          }}
        />
      )}
      {deleting && (
        <DeleteViewDialog
          view={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={() => {
            setDeleting(null);
            notifications.show({ color: 'green', message: `View deleted: ${deleting.name}` });
            onClear({ keepFilters: true });
          }}
        />
      )}
    </Group>
  );
}
