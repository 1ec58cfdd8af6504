// The pipeline board: a column per stage with the count, total and weighted value of every lead
// the filters match (the stage summary, not just the loaded cards); cards load a page at a time
// per column, so a pipeline of thousands opens quickly. Drag a card to another stage (the
// server's stage policy decides; dialogs ask for what it needs). The board refetches every
// 15 s, so moves made by others show up. Filters live in the URL.
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
  Button,
  Card,
  Group,
  ScrollArea,
  Select,
  Skeleton,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useMembers, usePipelines } from '../../../app/reference-data';
import { useSession } from '../../../app/session';
import { QueryView } from '../../../components/ui/screens';
import { AGING_WARNING_COLOR, PRIORITY_COLORS, humanize } from '../../../lib/labels';
import type { Pipeline, Stage } from '../../../lib/types';
import { useStageSummary, type LeadListItem, type StageSummary } from '../../leads/api/leads-api';
import { useStageMoveFlow } from '../../leads/components/stage-move-flow';
import {
  BOARD_FILTER_KEYS,
  boardFiltersOf,
  useStageCards,
  type BoardFilterKey,
  type BoardFilters as Filters,
} from '../api/board-api';
import { BoardFilters } from './board-filters';

const COLUMN_WIDTH = 280;

type StageSums = StageSummary['stages'][number];

function agingColor(days: number, max: number | null): string | undefined {
  if (max === null || max <= 0) return undefined;
  if (days > max) return 'red.9';
  if (days >= max * 0.75) return AGING_WARNING_COLOR;
  return undefined;
}

function LeadCard({
  lead,
  stage,
  draggable,
}: {
  lead: LeadListItem;
  stage: Stage;
  draggable: boolean;
}) {
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
  // The person behind the lead, when the title names something else (a treatment, a child).
  const contactName = lead.contactName && lead.contactName !== lead.title ? lead.contactName : null;
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
        flexShrink: 0,
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
      {contactName && (
        <Text size="xs" truncate data-testid="card-contact">
          {contactName}
        </Text>
      )}
      {lead.companyName && (
        <Text size="xs" c="dimmed" truncate>
          {lead.companyName}
        </Text>
      )}
      <Group justify="space-between" mt={4} gap={4}>
        <Text size="sm" fw={500} data-testid="card-value">
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

/** Count, total and weighted value of ALL leads in the stage that match the filters. */
function ColumnSums({ sums }: { sums: StageSums | undefined }) {
  const { money, format } = useSession();
  if (!sums) return <Skeleton height={14} my={3} width="80%" aria-label="Loading the sums" />;
  // The workspace currency first, then any other a lead is in.
  const totals = [...sums.totals].sort(
    (a, b) =>
      Number(b.currency === format.currency) - Number(a.currency === format.currency) ||
      a.currency.localeCompare(b.currency),
  );
  const lines =
    totals.length > 0 ? totals : [{ currency: format.currency, value: 0, weightedValue: 0 }];
  return (
    <Stack gap={0} data-testid="column-sums">
      {lines.map((total) => (
        <Text key={total.currency} size="xs" c="dimmed">
          <span data-testid="column-total">{money(total.value, total.currency)}</span> · weighted{' '}
          <span data-testid="column-weighted">{money(total.weightedValue, total.currency)}</span>
        </Text>
      ))}
    </Stack>
  );
}

function StageColumn({
  pipelineId,
  stage,
  filters,
  sums,
  canMove,
}: {
  pipelineId: string;
  stage: Stage;
  filters: Filters;
  sums: StageSums | undefined;
  canMove: boolean;
}) {
  const { format } = useSession();
  const cards = useStageCards(pipelineId, stage.id, filters);
  const { setNodeRef, isOver } = useDroppable({ id: stage.id, data: { stage } });
  const leads = useMemo(() => cards.data?.pages.flatMap((page) => page.items) ?? [], [cards.data]);
  const count = sums?.count;
  const numbers = new Intl.NumberFormat(format.locale);
  const headingId = `stage-${stage.id}`;
  return (
    <section
      ref={setNodeRef}
      aria-labelledby={headingId}
      data-testid="board-column"
      data-stage-name={stage.name}
      style={{
        width: COLUMN_WIDTH,
        flex: `0 0 ${COLUMN_WIDTH}px`,
        background: isOver ? 'var(--mantine-color-blue-0)' : 'var(--mantine-color-gray-0)',
        borderRadius: 8,
        padding: 8,
        borderTop: `4px solid ${stage.color}`,
      }}
    >
      <Group justify="space-between" wrap="nowrap">
        <Title order={2} size="h5" id={headingId}>
          {stage.name}
        </Title>
        <Badge
          variant="light"
          color="gray"
          data-testid="column-count"
          aria-label={count === undefined ? 'Counting leads' : `${numbers.format(count)} leads`}
        >
          {count === undefined ? '…' : numbers.format(count)}
        </Badge>
      </Group>
      <ColumnSums sums={sums} />
      <Stack
        gap="xs"
        mih={80}
        mt="xs"
        // Long columns scroll on their own, so the page and the other columns stay put.
        style={{ maxHeight: 'calc(100vh - 290px)', minHeight: 80, overflowY: 'auto' }}
        p={2}
      >
        {cards.isPending ? (
          <>
            <Skeleton height={90} />
            <Skeleton height={90} />
          </>
        ) : cards.isError ? (
          <Text size="xs" c="red.9" ta="center" py="md">
            The cards could not load.{' '}
            <Anchor component="button" size="xs" onClick={() => void cards.refetch()}>
              Try again
            </Anchor>
          </Text>
        ) : leads.length === 0 ? (
          <Text size="xs" c="dimmed" ta="center" py="md">
            {canMove ? 'Drop a lead here' : 'No leads'}
          </Text>
        ) : (
          <>
            {leads.map((lead) => (
              <LeadCard key={lead.id} lead={lead} stage={stage} draggable={canMove} />
            ))}
            {cards.hasNextPage && (
              <Button
                size="xs"
                variant="subtle"
                loading={cards.isFetchingNextPage}
                onClick={() => void cards.fetchNextPage()}
                style={{ flexShrink: 0 }}
              >
                Show more
                {count !== undefined ? ` (${numbers.format(count - leads.length)} more)` : ''}
              </Button>
            )}
          </>
        )}
      </Stack>
    </section>
  );
}

function Board({ pipeline, filters }: { pipeline: Pipeline; filters: Filters }) {
  const { can } = useSession();
  const canMove = can('lead:update');
  const flow = useStageMoveFlow();
  const summary = useStageSummary(pipeline.id, filters);
  const [dragged, setDragged] = useState<{ lead: LeadListItem; stage: Stage } | null>(null);
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(KeyboardSensor),
  );
  const sumsOf = (stageId: string) =>
    summary.data?.stages.find((stage) => stage.stageId === stageId);
  const onDragStart = (event: DragStartEvent) => {
    const lead = (event.active.data.current as { lead: LeadListItem } | undefined)?.lead;
    const stage = pipeline.stages.find((s) => s.id === lead?.stageId);
    if (lead && stage) setDragged({ lead, stage });
  };
  const onDragEnd = (event: DragEndEvent) => {
    setDragged(null);
    const lead = (event.active.data.current as { lead: LeadListItem } | undefined)?.lead;
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
      {summary.isError && (
        <Text size="sm" c="red.9">
          The column sums could not load.{' '}
          <Anchor component="button" size="sm" onClick={() => void summary.refetch()}>
            Try again
          </Anchor>
        </Text>
      )}
      <ScrollArea type="auto" offsetScrollbars>
        <Group align="start" wrap="nowrap" gap="sm" pb="sm">
          {pipeline.stages.map((stage) => (
            <StageColumn
              key={stage.id}
              pipelineId={pipeline.id}
              stage={stage}
              filters={filters}
              sums={sumsOf(stage.id)}
              canMove={canMove}
            />
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
  const filters = useMemo(() => boardFiltersOf(params), [params]);
  const active = useMemo(() => (pipelines.data ?? []).filter((p) => !p.archived), [pipelines.data]);
  const pipeline =
    active.find((p) => p.id === selectedId) ?? active.find((p) => p.isDefault) ?? active[0];
  const updateParams = (change: (next: URLSearchParams) => void) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        change(next);
        return next;
      },
      { replace: true },
    );
  const setFilter = (key: BoardFilterKey, value: string | null) =>
    updateParams((next) => (value ? next.set(key, value) : next.delete(key)));
  return (
    <Stack gap="sm">
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
            onChange={(id) => id && updateParams((next) => next.set('pipelineId', id))}
          />
        )}
      </Group>
      <BoardFilters
        filters={filters}
        setFilter={setFilter}
        onClear={() => updateParams((next) => BOARD_FILTER_KEYS.forEach((key) => next.delete(key)))}
      />
      <QueryView query={pipelines}>
        {() =>
          pipeline ? (
            <Board key={pipeline.id} pipeline={pipeline} filters={filters} />
          ) : (
            <Text>No pipeline yet. An admin can add one in settings.</Text>
          )
        }
      </QueryView>
    </Stack>
  );
}
