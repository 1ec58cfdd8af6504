// The reports about where leads come from and who works them: source performance, the
// coordinator leaderboard and the reasons leads are lost.
import { BarChart, DonutChart } from '@mantine/charts';
import { ColorSwatch, getThemeColor, Group, Stack, Text, useMantineTheme } from '@mantine/core';
import type { LostReasonsReport, SourcesReport } from '../api/analytics-api';
import type { ReportQuery } from '../api/analytics-filters';
import { useReportFormat, type ReportFormat } from './report-format';
import { ChartFrame, Figure, Figures, ReportSection, ReportTable } from './report-section';

const CHART_HEIGHT = 280;
/** Distinct, dark enough on white: one per lost reason, repeating after eight. */
const PALETTE = ['blue.7', 'orange.8', 'teal.8', 'grape.7', 'red.8', 'cyan.8', 'lime.9', 'gray.7'];

type SourceRow = SourcesReport['items'][number];

/**
 * The rows to show. The report lists every active source with its cost; filtered by one source,
 * the others have no leads of their own, so only those with first-touch wins stay.
 */
function sourceRows(report: SourcesReport, query: ReportQuery): SourceRow[] {
  if (!query.sourceId) return report.items;
  return report.items.filter((item) => item.sourceId === query.sourceId || item.firstTouchWon > 0);
}

export function SourcesSection({ query, currency }: { query: ReportQuery; currency: string }) {
  const f = useReportFormat(currency);
  return (
    <ReportSection
      report="sources"
      title="Sources"
      description="Leads and won leads per source (the lead's own source: last touch), with the source's monthly cost prorated to the period. First-touch won counts won leads by the source of the contact's earliest lead."
      query={query}
      isEmpty={(report) => report.items.every((item) => item.leads === 0)}
      figures={(report) => <SourcesFigures report={report} query={query} f={f} />}
      chart={(report) => (
        <ChartFrame label="Bar chart: leads and won leads per source">
          <BarChart
            h={CHART_HEIGHT}
            data={sourceRows(report, query)
              .filter((item) => item.leads > 0)
              .map((item) => ({ source: item.name, leads: item.leads, won: item.won }))}
            dataKey="source"
            series={[
              { name: 'leads', label: 'Leads', color: 'blue.7' },
              { name: 'won', label: 'Won', color: 'teal.8' },
            ]}
            withLegend
            valueFormatter={f.count}
            yAxisProps={{ allowDecimals: false }}
            accessibilityLayer={false}
          />
        </ChartFrame>
      )}
      table={(report) => (
        <ReportTable
          label="Sources"
          columns={[
            { label: 'Source' },
            { label: 'Leads', numeric: true },
            { label: 'Won', numeric: true },
            { label: 'Lost', numeric: true },
            { label: 'Conversion', numeric: true },
            { label: 'Won value', numeric: true },
            { label: 'Cost', numeric: true },
            { label: 'Cost per lead', numeric: true },
            { label: 'Cost per acquisition', numeric: true },
            { label: 'ROI', numeric: true },
            { label: 'First-touch won', numeric: true },
            { label: 'First-touch won value', numeric: true },
          ]}
          rows={sourceRows(report, query).map((item) => ({
            key: item.sourceId ?? 'none',
            cells: [
              item.name,
              f.count(item.leads),
              f.count(item.won),
              f.count(item.lost),
              f.percent(item.conversionRate),
              f.money(item.wonValue),
              f.money(item.cost),
              f.money(item.costPerLead),
              f.money(item.costPerAcquisition),
              f.percent(item.roi),
              f.count(item.firstTouchWon),
              f.money(item.firstTouchWonValue),
            ],
          }))}
        />
      )}
    />
  );
}

function SourcesFigures({
  report,
  query,
  f,
}: {
  report: SourcesReport;
  query: ReportQuery;
  f: ReportFormat;
}) {
  // Filtered by a source, the other sources' costs bought none of these leads.
  const costed = report.items.filter((item) => !query.sourceId || item.sourceId === query.sourceId);
  const cost = costed.reduce((total, item) => total + item.cost, 0);
  const wonValue = report.items.reduce((total, item) => total + item.wonValue, 0);
  return (
    <Figures>
      <Figure label="Won value" value={f.money(wonValue)} />
      <Figure label="Cost" value={f.money(cost)} hint={`${f.decimal(report.months)} months`} />
      <Figure label="ROI" value={f.percent(cost === 0 ? null : (wonValue - cost) / cost)} />
    </Figures>
  );
}

export function CoordinatorsSection({ query, currency }: { query: ReportQuery; currency: string }) {
  const f = useReportFormat(currency);
  return (
    <ReportSection
      report="coordinators"
      title="Leaderboard"
      description="Per assignee: leads created in the period, speed to the first outbound touch, conversion, time to convert, and the touches they logged. Medians over 20,000 leads or more are within 1%."
      query={query}
      defaultView="table"
      isEmpty={(report) => report.items.length === 0}
      chart={(report) => (
        <ChartFrame label="Bar chart: leads and won leads per assignee">
          <BarChart
            h={Math.max(CHART_HEIGHT, report.items.length * 48)}
            data={report.items.map((item) => ({
              name: item.name,
              leads: item.leads,
              won: item.won,
            }))}
            dataKey="name"
            orientation="vertical"
            series={[
              { name: 'leads', label: 'Leads', color: 'blue.7' },
              { name: 'won', label: 'Won', color: 'teal.8' },
            ]}
            withLegend
            yAxisProps={{ width: 150 }}
            valueFormatter={f.count}
            gridAxis="y"
            accessibilityLayer={false}
          />
        </ChartFrame>
      )}
      table={(report) => (
        <ReportTable
          label="Leaderboard"
          columns={[
            { label: 'Assignee' },
            { label: 'Leads', numeric: true },
            { label: 'Contacted within 5 min', numeric: true },
            { label: 'Median time to first contact', numeric: true },
            { label: 'Won', numeric: true },
            { label: 'Conversion', numeric: true },
            { label: 'Median time to convert', numeric: true },
            { label: 'Activities', numeric: true },
          ]}
          rows={report.items.map((item) => ({
            key: item.userId ?? 'unassigned',
            cells: [
              item.name,
              f.count(item.leads),
              f.percent(item.contactedWithin5MinutesRate),
              item.medianMinutesToFirstContact === null
                ? '–'
                : `${f.decimal(item.medianMinutesToFirstContact)} min`,
              f.count(item.won),
              f.percent(item.conversionRate),
              f.days(item.medianDaysToConvert),
              f.count(item.activities),
            ],
          }))}
        />
      )}
    />
  );
}

export function LostReasonsSection({ query, currency }: { query: ReportQuery; currency: string }) {
  const f = useReportFormat(currency);
  const theme = useMantineTheme();
  const colorOf = (index: number) => PALETTE[index % PALETTE.length] ?? 'gray.7';
  return (
    <ReportSection
      report="lost-reasons"
      title="Lost reasons"
      description="Leads created in the period and since lost, by the reason given."
      query={query}
      isEmpty={(report) => report.lost === 0}
      emptyText="No lost leads in this period"
      figures={(report) => <LostFigures report={report} f={f} />}
      chart={(report) => (
        <Group gap="xl" align="center" wrap="wrap">
          <ChartFrame label={`Donut chart: ${f.count(report.lost)} lost leads by reason`}>
            <DonutChart
              size={200}
              thickness={36}
              data={report.items.map((item, index) => ({
                name: item.name,
                value: item.leads,
                color: colorOf(index),
              }))}
              chartLabel={f.count(report.lost)}
              tooltipDataSource="segment"
              valueFormatter={f.count}
              accessibilityLayer={false}
            />
          </ChartFrame>
          {/* The legend is text beside the image, so it is read and checked like text. */}
          <Stack gap={6}>
            {report.items.map((item, index) => (
              <Group key={item.lostReasonId ?? 'none'} gap="xs" wrap="nowrap">
                <ColorSwatch
                  size={14}
                  color={getThemeColor(colorOf(index), theme)}
                  withShadow={false}
                  aria-hidden
                />
                <Text size="sm">
                  {item.name}: {f.count(item.leads)} ({f.percent(item.share)})
                </Text>
              </Group>
            ))}
          </Stack>
        </Group>
      )}
      table={(report) => (
        <ReportTable
          label="Lost reasons"
          columns={[
            { label: 'Lost reason' },
            { label: 'Leads', numeric: true },
            { label: 'Share', numeric: true },
            { label: 'Value', numeric: true },
          ]}
          rows={report.items.map((item) => ({
            key: item.lostReasonId ?? 'none',
            cells: [item.name, f.count(item.leads), f.percent(item.share), f.money(item.value)],
          }))}
        />
      )}
    />
  );
}

function LostFigures({ report, f }: { report: LostReasonsReport; f: ReportFormat }) {
  const value = report.items.reduce((sum, item) => sum + item.value, 0);
  return (
    <Figures>
      <Figure label="Lost leads" value={f.count(report.lost)} />
      <Figure label="Lost value" value={f.money(value)} />
    </Figures>
  );
}
