// A pipeline's stages: add, edit, remove, and reorder — by dragging a row onto another row's
// place (dnd-kit, pointer or keyboard on the handle) or with the move up/down buttons.
import {
  DndContext,
  KeyboardSensor,
  PointerSensor,
  closestCenter,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
  type KeyboardCoordinateGetter,
} from '@dnd-kit/core';
import { CSS } from '@dnd-kit/utilities';
import { zodResolver } from '@hookform/resolvers/zod';
import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  ColorInput,
  ColorSwatch,
  Group,
  Modal,
  NumberInput,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useRef, useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import type { z } from 'zod';
import { Link } from 'react-router';
import {
  stageInputSchema,
  stageKindSchema,
} from '../../../server/modules/pipelines/pipelines.schemas';
import { errorMessage } from '../../app/query-client';
import { ApiError } from '../../lib/api-client';
import { applyServerErrors } from '../../lib/forms';
import { humanize } from '../../lib/labels';
import type { Pipeline, Stage } from '../../lib/types';
import { moveItem, usePipelineActions } from './settings-api';
import { ConfirmDialog, EmptyHint } from './settings-ui';

type StageKind = Stage['kind'];
const KIND_COLORS: Record<StageKind, string> = { open: 'blue', won: 'green', lost: 'red' };
// The server's defaults for a new stage of each kind.
const KIND_DEFAULTS: Record<StageKind, { color: string; probability: number }> = {
  open: { color: '#228be6', probability: 10 },
  won: { color: '#40c057', probability: 100 },
  lost: { color: '#fa5252', probability: 0 },
};
const COLOR_SWATCHES = [
  '#228be6',
  '#15aabf',
  '#12b886',
  '#40c057',
  '#82c91e',
  '#fab005',
  '#fd7e14',
  '#fa5252',
  '#e64980',
  '#be4bdb',
  '#7950f2',
  '#868e96',
];

type StageFormInput = z.input<typeof stageInputSchema>;
type StageFormValues = z.output<typeof stageInputSchema>;
const STAGE_FIELDS = [
  'name',
  'color',
  'probability',
  'kind',
  'maxDaysInStage',
  'description',
] as const;

/** Arrow keys move a picked-up stage onto the previous or next row. */
const rowKeyboardCoordinates: KeyboardCoordinateGetter = (event, { context }) => {
  const { active, collisionRect, droppableRects, droppableContainers, over } = context;
  if (!active || !collisionRect) return undefined;
  if (event.code !== 'ArrowDown' && event.code !== 'ArrowUp') return undefined;
  event.preventDefault();
  const rows = droppableContainers
    .getEnabled()
    .map((container) => ({ id: container.id, rect: droppableRects.get(container.id) }))
    .filter((row) => row.rect !== undefined)
    .sort((a, b) => a.rect!.top - b.rect!.top);
  const current = rows.findIndex((row) => row.id === (over?.id ?? active.id));
  const target = rows[event.code === 'ArrowDown' ? current + 1 : current - 1];
  return target?.rect ? { x: target.rect.left, y: target.rect.top } : undefined;
};

function StageDialog({
  pipeline,
  stage,
  onClose,
}: {
  pipeline: Pipeline;
  /** Null: a new stage at the end. */
  stage: Stage | null;
  onClose: () => void;
}) {
  const { addStage, updateStage } = usePipelineActions();
  const [unmatched, setUnmatched] = useState<string[]>([]);
  const form = useForm<StageFormInput, unknown, StageFormValues>({
    resolver: zodResolver(stageInputSchema),
    defaultValues: stage
      ? {
          name: stage.name,
          color: stage.color,
          probability: stage.probability,
          kind: stage.kind,
          maxDaysInStage: stage.maxDaysInStage,
          description: stage.description,
        }
      : { name: '', ...KIND_DEFAULTS.open, kind: 'open', maxDaysInStage: null, description: '' },
  });
  const errors = form.formState.errors;
  const busy = addStage.isPending || updateStage.isPending;

  const submit = form.handleSubmit((values) => {
    setUnmatched([]);
    const callbacks = {
      onSuccess: () => {
        notifications.show({
          color: 'green',
          message: stage ? `Stage saved: ${values.name}` : `Stage added: ${values.name}`,
        });
        onClose();
      },
      onError: (error: Error) => {
        const rest = applyServerErrors(error, form.setError, STAGE_FIELDS);
        setUnmatched(rest.map((e) => e.message));
      },
    };
    const { slug: _slug, ...changes } = values;
    if (stage) updateStage.mutate({ pipeline, stage, changes }, callbacks);
    else addStage.mutate({ pipeline, input: changes }, callbacks);
  });

  return (
    <Modal
      opened
      onClose={onClose}
      title={stage ? `Edit stage “${stage.name}”` : `New stage in ${pipeline.name}`}
    >
      <form noValidate onSubmit={(event) => void submit(event)}>
        <Stack gap="sm">
          <TextInput
            label="Name"
            required
            data-autofocus
            {...form.register('name')}
            error={errors.name?.message}
          />
          <Group grow align="start">
            <Controller
              control={form.control}
              name="kind"
              render={({ field }) => (
                <Select
                  label="Kind"
                  allowDeselect={false}
                  data={stageKindSchema.options.map((kind) => ({
                    value: kind,
                    label: humanize(kind),
                  }))}
                  value={field.value ?? 'open'}
                  onChange={(value) => {
                    if (!value) return;
                    const kind = value;
                    field.onChange(kind);
                    // A new stage starts with its kind's usual colour and probability.
                    if (!stage) {
                      form.setValue('probability', KIND_DEFAULTS[kind].probability);
                      form.setValue('color', KIND_DEFAULTS[kind].color);
                    }
                  }}
                  error={errors.kind?.message}
                />
              )}
            />
            <Controller
              control={form.control}
              name="probability"
              render={({ field }) => (
                <NumberInput
                  label="Probability (%)"
                  min={0}
                  max={100}
                  allowDecimal={false}
                  value={field.value ?? ''}
                  onChange={(value) =>
                    field.onChange(typeof value === 'number' ? value : undefined)
                  }
                  onBlur={field.onBlur}
                  error={errors.probability?.message}
                />
              )}
            />
          </Group>
          <Group grow align="start">
            <Controller
              control={form.control}
              name="color"
              render={({ field }) => (
                <ColorInput
                  label="Colour"
                  format="hex"
                  withEyeDropper={false}
                  swatches={COLOR_SWATCHES}
                  value={field.value ?? ''}
                  onChange={field.onChange}
                  onBlur={field.onBlur}
                  error={errors.color?.message}
                />
              )}
            />
            <Controller
              control={form.control}
              name="maxDaysInStage"
              render={({ field }) => (
                <NumberInput
                  label="Max days in stage"
                  description="Empty: no limit"
                  min={1}
                  max={3650}
                  allowDecimal={false}
                  value={field.value ?? ''}
                  onChange={(value) => field.onChange(typeof value === 'number' ? value : null)}
                  onBlur={field.onBlur}
                  error={errors.maxDaysInStage?.message}
                />
              )}
            />
          </Group>
          <Textarea
            label="Description"
            description="What has to be true for a lead to be in this stage"
            autosize
            minRows={2}
            {...form.register('description')}
            error={errors.description?.message}
          />
          {unmatched.length > 0 && (
            <Alert color="red" title="Not saved">
              {unmatched.join(' ')}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              {stage ? 'Save stage' : 'Add stage'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function RemoveStageDialog({
  pipeline,
  stage,
  onClose,
}: {
  pipeline: Pipeline;
  stage: Stage;
  onClose: () => void;
}) {
  const { removeStage } = usePipelineActions();
  const [refusal, setRefusal] = useState<string | null>(null);
  return (
    <ConfirmDialog
      opened
      title={`Remove stage “${stage.name}”?`}
      confirmLabel="Remove stage"
      busy={removeStage.isPending}
      onClose={onClose}
      onConfirm={() =>
        removeStage.mutate(
          { pipeline, stage },
          {
            onSuccess: () => {
              notifications.show({ color: 'green', message: `Stage removed: ${stage.name}` });
              onClose();
            },
            onError: (error) => setRefusal(errorMessage(error)),
          },
        )
      }
    >
      <Text size="sm">
        The stage leaves the board and the pickers; the history of leads that passed through it
        stays. A pipeline keeps at least one open, one won and one lost stage.
      </Text>
      {refusal && (
        <Alert color="red" title="The stage stays" role="alert">
          <Text size="sm">{refusal}</Text>
          {/* The API takes no "move them to" stage: the leads are moved first, then the stage goes. */}
          {removeStage.error instanceof ApiError && removeStage.error.status === 409 && (
            <Anchor
              component={Link}
              size="sm"
              to={`/leads?pipelineId=${pipeline.id}&stageId=${stage.id}`}
            >
              Open the leads in {stage.name} to move them
            </Anchor>
          )}
        </Alert>
      )}
    </ConfirmDialog>
  );
}

function StageRow({
  stage,
  index,
  count,
  canDrag,
  onMove,
  onEdit,
  onRemove,
}: {
  stage: Stage;
  index: number;
  count: number;
  canDrag: boolean;
  onMove: (stage: Stage, to: number, direction: 'up' | 'down') => void;
  onEdit: (stage: Stage) => void;
  onRemove: (stage: Stage) => void;
}) {
  const drag = useDraggable({ id: stage.id, data: { stage }, disabled: !canDrag });
  const drop = useDroppable({ id: stage.id, data: { stage } });
  const isTarget = drop.isOver && !drag.isDragging;
  return (
    <li
      ref={(node) => {
        drag.setNodeRef(node);
        drop.setNodeRef(node);
      }}
      data-testid="stage-row"
      data-stage-name={stage.name}
      style={{
        listStyle: 'none',
        // The row itself follows the pointer; what it is over is where it lands.
        transform: CSS.Translate.toString(drag.transform),
        position: 'relative',
        zIndex: drag.isDragging ? 2 : undefined,
        boxShadow: drag.isDragging ? 'var(--mantine-shadow-md)' : undefined,
        background: drag.isDragging
          ? 'var(--mantine-color-body)'
          : isTarget
            ? 'var(--mantine-color-blue-0)'
            : undefined,
        borderRadius: 6,
        outline: isTarget ? '2px solid var(--mantine-color-blue-7)' : undefined,
      }}
    >
      <Group justify="space-between" wrap="nowrap" py={6} px="xs" gap="sm">
        <Group wrap="nowrap" gap="sm" style={{ minWidth: 0 }}>
          <span
            ref={drag.setActivatorNodeRef}
            {...drag.attributes}
            {...drag.listeners}
            aria-roledescription="Drag handle"
            aria-label={`Reorder ${stage.name}; press space, then the arrow keys`}
            data-testid="stage-drag-handle"
            style={{ cursor: 'grab', padding: '0 4px', touchAction: 'none', fontSize: 18 }}
          >
            ⠿
          </span>
          <ColorSwatch color={stage.color} size={16} aria-hidden />
          <div style={{ minWidth: 0 }}>
            <Text size="sm" fw={600} truncate>
              {index + 1}. {stage.name}
            </Text>
            <Text size="xs" c="dimmed">
              {stage.probability} %
              {stage.maxDaysInStage !== null && ` · at most ${stage.maxDaysInStage} d`}
              {stage.description && ` · ${stage.description}`}
            </Text>
          </div>
        </Group>
        <Group gap={4} wrap="nowrap">
          <Badge variant="light" color={KIND_COLORS[stage.kind]} size="sm">
            {humanize(stage.kind)}
          </Badge>
          <ActionIcon
            variant="subtle"
            color="gray"
            aria-label={`Move ${stage.name} up`}
            data-move={`up-${stage.id}`}
            disabled={index === 0}
            onClick={() => onMove(stage, index - 1, 'up')}
          >
            ↑
          </ActionIcon>
          <ActionIcon
            variant="subtle"
            color="gray"
            aria-label={`Move ${stage.name} down`}
            data-move={`down-${stage.id}`}
            disabled={index === count - 1}
            onClick={() => onMove(stage, index + 1, 'down')}
          >
            ↓
          </ActionIcon>
          <Button size="compact-sm" variant="default" onClick={() => onEdit(stage)}>
            Edit<VisuallyHidden> {stage.name}</VisuallyHidden>
          </Button>
          <Button size="compact-sm" variant="subtle" color="red" onClick={() => onRemove(stage)}>
            Remove<VisuallyHidden> {stage.name}</VisuallyHidden>
          </Button>
        </Group>
      </Group>
    </li>
  );
}

export function StagesEditor({ pipeline }: { pipeline: Pipeline }) {
  const { reorderStages } = usePipelineActions();
  const [editing, setEditing] = useState<Stage | 'new' | null>(null);
  const [removing, setRemoving] = useState<Stage | null>(null);
  const [announcement, setAnnouncement] = useState('');
  // After a move by button the row moves in the DOM; focus follows it.
  const focusAfterMove = useRef<string | null>(null);
  const listRef = useRef<HTMLOListElement>(null);
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(KeyboardSensor, { coordinateGetter: rowKeyboardCoordinates }),
  );
  const stages = pipeline.stages;
  const order = stages.map((stage) => stage.id).join(',');

  useEffect(() => {
    const target = focusAfterMove.current;
    if (!target || !listRef.current) return;
    focusAfterMove.current = null;
    const [direction, id] = [
      target.slice(0, target.indexOf('-')),
      target.slice(target.indexOf('-') + 1),
    ];
    const other = direction === 'up' ? 'down' : 'up';
    const button =
      listRef.current.querySelector<HTMLButtonElement>(`[data-move="${target}"]:not(:disabled)`) ??
      listRef.current.querySelector<HTMLButtonElement>(`[data-move="${other}-${id}"]`);
    button?.focus();
  }, [order]);

  const move = (stage: Stage, to: number) => {
    const from = stages.findIndex((s) => s.id === stage.id);
    if (from < 0 || to < 0 || to >= stages.length || from === to) return;
    const stageIds = moveItem(
      stages.map((s) => s.id),
      from,
      to,
    );
    setAnnouncement(`${stage.name} moved to position ${to + 1} of ${stages.length}.`);
    reorderStages.mutate({ pipeline, stageIds });
  };

  const nameOf = (id: string | number | undefined) =>
    stages.find((stage) => stage.id === id)?.name ?? 'the stage';
  const positionOf = (id: string | number | undefined) =>
    stages.findIndex((stage) => stage.id === id) + 1;
  const announcements: Announcements = {
    onDragStart: ({ active }) => `Picked up ${nameOf(active.id)}.`,
    onDragOver: ({ active, over }) =>
      over
        ? `${nameOf(active.id)} is over position ${positionOf(over.id)} of ${stages.length}.`
        : `${nameOf(active.id)} is no longer over a stage.`,
    onDragEnd: ({ active, over }) =>
      over
        ? `${nameOf(active.id)} dropped at position ${positionOf(over.id)}.`
        : `${nameOf(active.id)} dropped where it was.`,
    onDragCancel: ({ active }) => `Moving ${nameOf(active.id)} was cancelled.`,
  };

  const onDragEnd = (event: DragEndEvent) => {
    const stage = stages.find((s) => s.id === event.active.id);
    const to = stages.findIndex((s) => s.id === event.over?.id);
    if (stage && to >= 0) move(stage, to);
  };

  return (
    <Card withBorder component="section" aria-labelledby="stages-title">
      <Group justify="space-between" mb="xs">
        <div>
          <Title order={3} size="h4" id="stages-title">
            Stages
          </Title>
          <Text size="xs" c="dimmed">
            Drag a stage by its handle onto another stage’s place, or use the arrows.
          </Text>
        </div>
        <Button size="xs" onClick={() => setEditing('new')}>
          Add stage
        </Button>
      </Group>
      {stages.length === 0 ? (
        <EmptyHint>No stages yet. Add an open, a won and a lost stage.</EmptyHint>
      ) : (
        <DndContext
          sensors={sensors}
          collisionDetection={closestCenter}
          accessibility={{
            announcements,
            screenReaderInstructions: {
              draggable:
                'To reorder a stage, press space to pick it up, the up and down arrow keys to ' +
                'move it, space again to drop it, or escape to cancel.',
            },
          }}
          onDragEnd={onDragEnd}
        >
          <ol
            ref={listRef}
            aria-label={`Stages of ${pipeline.name}`}
            style={{ padding: 0, margin: 0, display: 'flex', flexDirection: 'column', gap: 2 }}
          >
            {stages.map((stage, index) => (
              <StageRow
                key={stage.id}
                stage={stage}
                index={index}
                count={stages.length}
                canDrag={!reorderStages.isPending}
                onMove={(s, to, direction) => {
                  focusAfterMove.current = `${direction}-${s.id}`;
                  move(s, to);
                }}
                onEdit={setEditing}
                onRemove={setRemoving}
              />
            ))}
          </ol>
        </DndContext>
      )}
      <VisuallyHidden aria-live="polite">{announcement}</VisuallyHidden>
      {editing && (
        <StageDialog
          pipeline={pipeline}
          stage={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
        />
      )}
      {removing && (
        <RemoveStageDialog pipeline={pipeline} stage={removing} onClose={() => setRemoving(null)} />
      )}
    </Card>
  );
}
