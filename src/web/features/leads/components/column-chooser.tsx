// Which optional columns the leads list shows. The choice is kept in the current saved view
// when the member may change it, else in this browser per member (and per view).
import { Button, Checkbox, Group, Popover, ScrollArea, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useSession } from '../../../app/session';
import { useSavedViewActions, type SavedView } from '../api/saved-views-api';
import { DEFAULT_COLUMNS, type LeadColumn } from './lead-columns';

const STORAGE_PREFIX = 'leadkeeper.leads.columns';

function readColumns(key: string): string[] | null {
  try {
    const raw = window.localStorage.getItem(key);
    const parsed: unknown = raw ? JSON.parse(raw) : null;
    return Array.isArray(parsed) && parsed.every((id) => typeof id === 'string') ? parsed : null;
  } catch {
    return null;
  }
}

function writeColumns(key: string, columns: string[]): void {
  try {
    window.localStorage.setItem(key, JSON.stringify(columns));
  } catch {
    // Private mode or a full store: the choice lasts until the page reloads.
  }
}

export interface ColumnChoice {
  columns: readonly string[];
  setColumns: (columns: string[]) => void;
  /** True while the choice is being saved into the view. */
  isSaving: boolean;
  /** Where the choice is kept, for the chooser's note. */
  keptIn: 'view' | 'browser';
}

export function useColumnChoice(view: SavedView | undefined, canEditView: boolean): ColumnChoice {
  const { me } = useSession();
  const { update } = useSavedViewActions();
  const storageKey = view
    ? `${STORAGE_PREFIX}.${me.user.id}.view.${view.id}`
    : `${STORAGE_PREFIX}.${me.user.id}`;
  const [local, setLocal] = useState(() => ({ key: storageKey, columns: readColumns(storageKey) }));
  const localColumns = local.key === storageKey ? local.columns : readColumns(storageKey);
  const [pending, setPending] = useState<{ viewId: string; columns: string[] } | null>(null);

  if (view && canEditView) {
    return {
      columns: pending?.viewId === view.id ? pending.columns : view.columns,
      setColumns: (columns) => {
        setPending({ viewId: view.id, columns });
        update.mutate({ view, changes: { columns } }, { onSettled: () => setPending(null) });
      },
      isSaving: update.isPending,
      keptIn: 'view',
    };
  }
  return {
    columns: localColumns ?? view?.columns ?? DEFAULT_COLUMNS,
    setColumns: (columns) => {
      writeColumns(storageKey, columns);
      setLocal({ key: storageKey, columns });
    },
    isSaving: false,
    keptIn: 'browser',
  };
}

export function ColumnChooser({
  available,
  choice,
}: {
  available: readonly LeadColumn[];
  choice: ColumnChoice;
}) {
  const shown = new Set(choice.columns);
  const toggle = (id: string, checked: boolean) => {
    const next = available
      .map((column) => column.id)
      .filter((columnId) => (columnId === id ? checked : shown.has(columnId)));
    choice.setColumns(next);
  };
  return (
    <Popover position="bottom-end" shadow="md" width={260} trapFocus>
      <Popover.Target>
        <Button size="xs" variant="default">
          Columns
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs">
          <Text size="xs" c="dimmed">
            {choice.keptIn === 'view'
              ? 'Saved in the current view.'
              : 'Remembered in this browser for you.'}
          </Text>
          <ScrollArea.Autosize mah={360} type="auto">
            <Stack gap={6} pr="xs">
              {available.map((column) => (
                <Checkbox
                  key={column.id}
                  size="xs"
                  label={column.label}
                  checked={shown.has(column.id)}
                  disabled={choice.isSaving}
                  onChange={(event) => toggle(column.id, event.currentTarget.checked)}
                />
              ))}
            </Stack>
          </ScrollArea.Autosize>
          <Group justify="flex-end">
            <Button
              size="xs"
              variant="subtle"
              disabled={choice.isSaving}
              onClick={() => choice.setColumns([...DEFAULT_COLUMNS])}
            >
              Default columns
            </Button>
          </Group>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
