// One report on the dashboard: a card with its heading, a Chart | Table switch (every chart is
// readable as a table), a CSV download with the page's filters, and the loading, empty and
// error states.
import {
  Alert,
  Anchor,
  Box,
  Card,
  Group,
  SegmentedControl,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useId, useState, type ReactNode } from 'react';
import { ApiError } from '../../../lib/api-client';
import { describeProblem } from '../../../lib/problem';
import { useReport, type ReportName, type Reports } from '../api/analytics-api';
import { csvHref, type ReportQuery } from '../api/analytics-filters';

type View = 'chart' | 'table';

export const EMPTY_PERIOD = 'No leads in this period';

export interface ReportSectionProps<Name extends ReportName> {
  report: Name;
  title: string;
  description: string;
  query: ReportQuery;
  /** True when the report has nothing to show for these filters. */
  isEmpty: (data: Reports[Name]) => boolean;
  emptyText?: string;
  /** Which view opens first (a leaderboard reads best as a table). */
  defaultView?: View;
  /** Key figures shown above both views. */
  figures?: (data: Reports[Name]) => ReactNode;
  chart: (data: Reports[Name]) => ReactNode;
  table: (data: Reports[Name]) => ReactNode;
}

function ReportError({ error }: { error: unknown }) {
  if (error instanceof ApiError && error.problem) {
    return (
      <Alert color="red" title={error.problem.title}>
        {describeProblem(error.problem)}
      </Alert>
    );
  }
  return (
    <Alert color="red" title="The report could not load">
      {error instanceof Error ? error.message : 'Something went wrong.'}
    </Alert>
  );
}

export function ReportSection<Name extends ReportName>({
  report,
  title,
  description,
  query,
  isEmpty,
  emptyText = EMPTY_PERIOD,
  defaultView = 'chart',
  figures,
  chart,
  table,
}: ReportSectionProps<Name>) {
  const headingId = useId();
  const [view, setView] = useState<View>(defaultView);
  const result = useReport(report, query);
  const data = result.data;
  let body: ReactNode;
  if (result.isError) body = <ReportError error={result.error} />;
  else if (!data) {
    body = (
      <Box role="status" aria-label={`Loading ${title.toLowerCase()}`}>
        <Skeleton height={260} />
      </Box>
    );
  } else if (isEmpty(data)) {
    body = (
      <Text c="dimmed" ta="center" py="xl" data-testid="report-empty">
        {emptyText}
      </Text>
    );
  } else {
    body = (
      <Stack gap="md">
        {figures?.(data)}
        {view === 'chart' ? chart(data) : table(data)}
      </Stack>
    );
  }
  return (
    <Card
      withBorder
      component="section"
      aria-labelledby={headingId}
      data-report={report}
      // Old figures stay while new filters load; dim them so they are not read as current.
      aria-busy={result.isFetching}
      style={{ opacity: result.isPlaceholderData ? 0.6 : 1 }}
    >
      <Stack gap="sm">
        <Group justify="space-between" align="start" wrap="wrap">
          <div>
            <Title order={2} size="h4" id={headingId}>
              {title}
            </Title>
            <Text size="sm" c="dimmed">
              {description}
            </Text>
          </div>
          <Group gap="sm">
            <SegmentedControl
              size="xs"
              aria-label={`${title}: show as`}
              value={view}
              onChange={(value) => setView(value)}
              data={[
                { value: 'chart', label: 'Chart' },
                { value: 'table', label: 'Table' },
              ]}
            />
            <Anchor href={csvHref(report, query)} download size="sm">
              Download CSV<VisuallyHidden> of {title.toLowerCase()}</VisuallyHidden>
            </Anchor>
          </Group>
        </Group>
        {body}
      </Stack>
    </Card>
  );
}

/**
 * A chart as one image with a name: the SVG's own keyboard layer is turned off by the charts
 * (accessibilityLayer={false}), since the Table view is the readable form of the same rows.
 */
export function ChartFrame({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box role="img" aria-label={label} data-testid="report-chart">
      {children}
    </Box>
  );
}

export interface Column {
  label: string;
  numeric?: boolean;
}

/** A report's rows as a table; wide ones scroll sideways in a focusable region. */
export function ReportTable({
  label,
  columns,
  rows,
}: {
  label: string;
  columns: Column[];
  rows: { key: string; cells: ReactNode[]; highlight?: boolean }[];
}) {
  return (
    <Box
      component="div"
      role="region"
      aria-label={label}
      tabIndex={0}
      style={{ overflowX: 'auto' }}
      data-testid="report-table"
    >
      <Table striped highlightOnHover withTableBorder aria-label={label} miw={columns.length * 95}>
        <Table.Thead>
          <Table.Tr>
            {columns.map((column) => (
              <Table.Th key={column.label} ta={column.numeric ? 'right' : 'left'}>
                {column.label}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.key} fw={row.highlight ? 600 : undefined}>
              {row.cells.map((cell, index) => (
                <Table.Td
                  key={columns[index]?.label ?? index}
                  ta={columns[index]?.numeric ? 'right' : 'left'}
                  style={columns[index]?.numeric ? { whiteSpace: 'nowrap' } : undefined}
                >
                  {cell}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Box>
  );
}

/** A key figure: a label over a value, with an optional hint. */
export function Figure({
  label,
  value,
  hint,
  color,
}: {
  label: string;
  value: ReactNode;
  hint?: ReactNode;
  color?: string;
}) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700} size="xl" c={color} data-figure={label}>
        {value}
      </Text>
      {hint !== undefined && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </div>
  );
}

export function Figures({ children }: { children: ReactNode }) {
  return (
    <Group gap="xl" align="start">
      {children}
    </Group>
  );
}
