// The pipeline board: a column per stage with its count, total and weighted value; drag a card
// to another stage (the server's stage policy decides; dialogs ask for what it needs). The
// board refetches every 15 s, so moves made by others show up.
import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
  type DragEndEvent,
  type DragStartEvent,
} from '@dnd-kit/core';
import { CSS } from '@dnd-kit/utilities';
import {
  Anchor,
  Badge,
  Card,
  Group,
  ScrollArea,
  Select,
  Skeleton,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useQueries } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useMembers, usePipelines } from '../../../app/reference-data';
import { useSession } from '../../../app/session';
import { QueryView } from '../../../components/ui/screens';
import { api } from '../../../lib/api-client';
import { AGING_WARNING_COLOR, PRIORITY_COLORS, humanize } from '../../../lib/labels';
import type { Lead, Page, Pipeline, Stage } from '../../../lib/types';
import { useStageMoveFlow } from '../../leads/components/stage-move-flow';

const CARDS_PER_COLUMN = 100;
const COLUMN_WIDTH = 280;

interface Column {
  stage: Stage;
  leads: Lead[];
  total: number;
  isPending: boolean;
}

function agingColor(days: number, max: number | null): string | undefined {
  if (max === null || max <= 0) return undefined;
  if (days > max) return 'red.9';
  if (days >= max * 0.75) return AGING_WARNING_COLOR;
  return undefined;
}

function LeadCard({ lead, stage, draggable }: { lead: Lead; stage: Stage; draggable: boolean }) {
  const { money, relative } = useSession();
  const members = useMembers();
  const assignee = members.data?.find((m) => m.id === lead.assigneeId);
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, isDragging } =
    useDraggable({
      id: lead.id,
      data: { lead },
      disabled: !draggable,
    });
  const priorityColor =
    lead.priority === 'urgent' || lead.priority === 'high' ? PRIORITY_COLORS[lead.priority] : null;
  return (
    <Card
      ref={setNodeRef}
      withBorder
      padding="xs"
      data-testid="board-card"
      data-lead-id={lead.id}
      style={{
        transform: CSS.Translate.toString(transform),
        opacity: isDragging ? 0.4 : 1,
        borderLeft: priorityColor ? `4px solid var(--mantine-color-${priorityColor}-7)` : undefined,
        cursor: draggable ? 'grab' : 'default',
        touchAction: 'none',
      }}
      // The whole card drags with the mouse; the keyboard uses the handle (the card holds a
      // link, and a control inside a control is not allowed).
      {...(draggable ? listeners : {})}
    >
      <Group justify="space-between" wrap="nowrap" gap={4} align="start">
        <Anchor
          component={Link}
          to={`/leads/${lead.id}`}
          size="sm"
          fw={600}
          onPointerDown={(e) => e.stopPropagation()}
        >
          {lead.title}
        </Anchor>
        {draggable && (
          <span
            ref={setActivatorNodeRef}
            {...attributes}
            aria-roledescription="Drag handle"
            aria-label={`Move ${lead.title} (in ${stage.name}); press space, then arrow keys`}
            data-testid="drag-handle"
            style={{ cursor: 'grab', padding: '0 4px', lineHeight: 1 }}
          >
            ⠿
          </span>
        )}
      </Group>
      {lead.companyName && (
        <Text size="xs" c="dimmed" truncate>
          {lead.companyName}
        </Text>
      )}
      <Group justify="space-between" mt={4} gap={4}>
        <Text size="sm" fw={500}>
          {money(lead.value, lead.currency)}
        </Text>
        {priorityColor && (
          <Badge size="xs" variant="light" color={priorityColor}>
            {humanize(lead.priority)}
          </Badge>
        )}
      </Group>
      <Group justify="space-between" gap={4}>
        <Text size="xs" c="dimmed">
          {assignee?.name ?? (lead.assigneeId ? '…' : 'Unassigned')}
        </Text>
        <Text
          size="xs"
          c={agingColor(lead.daysInStage, stage.maxDaysInStage) ?? 'dimmed'}
          fw={agingColor(lead.daysInStage, stage.maxDaysInStage) ? 600 : 400}
        >
          {lead.daysInStage} d in stage
        </Text>
      </Group>
      {lead.nextFollowUpAt && (
        <Text size="xs" c={new Date(lead.nextFollowUpAt) < new Date() ? 'red.9' : 'dimmed'}>
          Follow-up {relative(lead.nextFollowUpAt)}
        </Text>
      )}
    </Card>
  );
}

function StageColumn({ column, canMove }: { column: Column; canMove: boolean }) {
  const { money } = useSession();
  const { setNodeRef, isOver } = useDroppable({
    id: column.stage.id,
    data: { stage: column.stage },
  });
  const totalValue = column.leads.reduce((sum, lead) => sum + lead.value, 0);
  const weighted = column.leads.reduce(
    (sum, lead) => sum + Math.round((lead.value * lead.probability) / 100),
    0,
  );
  const headingId = `stage-${column.stage.id}`;
  return (
    <section
      ref={setNodeRef}
      aria-labelledby={headingId}
      data-testid="board-column"
      data-stage-name={column.stage.name}
      style={{
        width: COLUMN_WIDTH,
        flex: `0 0 ${COLUMN_WIDTH}px`,
        background: isOver ? 'var(--mantine-color-blue-0)' : 'var(--mantine-color-gray-0)',
        borderRadius: 8,
        padding: 8,
        borderTop: `4px solid ${column.stage.color}`,
      }}
    >
      <Group justify="space-between" wrap="nowrap">
        <Title order={2} size="h5" id={headingId}>
          {column.stage.name}
        </Title>
        <Badge variant="light" color="gray" aria-label={`${column.total} leads`}>
          {column.total}
        </Badge>
      </Group>
      <Text size="xs" c="dimmed" mb="xs">
        {money(totalValue)} · weighted {money(weighted)}
        {column.total > column.leads.length && ` (first ${column.leads.length})`}
      </Text>
      <Stack gap="xs" mih={80}>
        {column.isPending ? (
          <>
            <Skeleton height={90} />
            <Skeleton height={90} />
          </>
        ) : column.leads.length === 0 ? (
          <Text size="xs" c="dimmed" ta="center" py="md">
            {canMove ? 'Drop a lead here' : 'No leads'}
          </Text>
        ) : (
          column.leads.map((lead) => (
            <LeadCard key={lead.id} lead={lead} stage={column.stage} draggable={canMove} />
          ))
        )}
      </Stack>
    </section>
  );
}

function Board({ pipeline }: { pipeline: Pipeline }) {
  const { can } = useSession();
  const canMove = can('lead:update');
  const flow = useStageMoveFlow();
  const [dragged, setDragged] = useState<{ lead: Lead; stage: Stage } | null>(null);
  const results = useQueries({
    queries: pipeline.stages.map((stage) => ({
      queryKey: ['board', pipeline.id, stage.id],
      queryFn: () =>
        api.get<Page<Lead>>('/api/leads', {
          pipelineId: pipeline.id,
          stageId: stage.id,
          limit: CARDS_PER_COLUMN,
          sort: 'daysInStage',
          count: true,
        }),
      refetchInterval: 15_000,
    })),
  });
  const columns: Column[] = pipeline.stages.map((stage, index) => {
    const result = results[index];
    return {
      stage,
      leads: result?.data?.items ?? [],
      total: result?.data?.total ?? 0,
      isPending: result?.isPending ?? true,
    };
  });
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(KeyboardSensor),
  );
  const onDragStart = (event: DragStartEvent) => {
    const lead = (event.active.data.current as { lead: Lead } | undefined)?.lead;
    const stage = pipeline.stages.find((s) => s.id === lead?.stageId);
    if (lead && stage) setDragged({ lead, stage });
  };
  const onDragEnd = (event: DragEndEvent) => {
    setDragged(null);
    const lead = (event.active.data.current as { lead: Lead } | undefined)?.lead;
    const stage = (event.over?.data.current as { stage: Stage } | undefined)?.stage;
    if (lead && stage) flow.requestMove(lead, stage);
  };
  return (
    <DndContext
      sensors={sensors}
      onDragStart={onDragStart}
      onDragEnd={onDragEnd}
      onDragCancel={() => setDragged(null)}
    >
      {flow.dialogs}
      <ScrollArea type="auto" offsetScrollbars>
        <Group align="start" wrap="nowrap" gap="sm" pb="sm">
          {columns.map((column) => (
            <StageColumn key={column.stage.id} column={column} canMove={canMove} />
          ))}
        </Group>
      </ScrollArea>
      <DragOverlay>
        {dragged ? <LeadCard lead={dragged.lead} stage={dragged.stage} draggable={false} /> : null}
      </DragOverlay>
    </DndContext>
  );
}

export function BoardPage() {
  const pipelines = usePipelines();
  const [params, setParams] = useSearchParams();
  const selectedId = params.get('pipelineId');
  const active = useMemo(() => (pipelines.data ?? []).filter((p) => !p.archived), [pipelines.data]);
  const pipeline =
    active.find((p) => p.id === selectedId) ?? active.find((p) => p.isDefault) ?? active[0];
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Pipeline board</Title>
        {active.length > 1 && (
          <Select
            aria-label="Pipeline"
            size="sm"
            w={240}
            allowDeselect={false}
            data={active.map((p) => ({ value: p.id, label: p.name }))}
            value={pipeline?.id ?? null}
            onChange={(id) => id && setParams({ pipelineId: id }, { replace: true })}
          />
        )}
      </Group>
      <QueryView query={pipelines}>
        {() =>
          pipeline ? (
            <Board key={pipeline.id} pipeline={pipeline} />
          ) : (
            <Text>No pipeline yet. An admin can add one in settings.</Text>
          )
        }
      </QueryView>
    </Stack>
  );
}
