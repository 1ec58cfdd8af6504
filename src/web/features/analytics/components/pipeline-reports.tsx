// The reports about the pipeline itself: conversion funnel, time in stage, lead velocity and
// the weighted forecast with its backtest.
import { AreaChart, BarChart } from '@mantine/charts';
import { Badge, Stack, Text, Title } from '@mantine/core';
import type {
  ForecastReport,
  FunnelReport,
  TimeInStageReport,
  VelocityReport,
} from '../api/analytics-api';
import type { ReportQuery } from '../api/analytics-filters';
import { NONE, useReportFormat, type ReportFormat } from './report-format';
import { ChartFrame, Figure, Figures, ReportSection, ReportTable } from './report-section';

const CHART_HEIGHT = 280;

export function FunnelSection({ query, currency }: { query: ReportQuery; currency: string }) {
  const f = useReportFormat(currency);
  return (
    <ReportSection
      report="funnel"
      title="Conversion funnel"
      description="Leads created in the period that reached each stage (or a later one), with the conversion from the stage before."
      query={query}
      isEmpty={(report) => report.leads === 0}
      figures={(report) => <FunnelFigures report={report} f={f} />}
      chart={(report) => (
        <ChartFrame
          label={`Bar chart: leads that reached each stage, of ${f.count(report.leads)} created`}
        >
          <BarChart
            h={Math.max(CHART_HEIGHT, report.stages.length * 44)}
            data={report.stages.map((stage, index) => ({
              // The conversion from the stage before sits next to the stage's name.
              stage:
                index === 0
                  ? stage.name
                  : `${stage.name} (${f.percent(stage.conversionFromPrevious)})`,
              reached: stage.reached,
            }))}
            dataKey="stage"
            orientation="vertical"
            series={[{ name: 'reached', label: 'Reached', color: 'blue.7' }]}
            yAxisProps={{ width: 200 }}
            withBarValueLabel
            valueFormatter={f.count}
            gridAxis="y"
            accessibilityLayer={false}
          />
        </ChartFrame>
      )}
      table={(report) => (
        <ReportTable
          label="Conversion funnel"
          columns={[
            { label: 'Stage' },
            { label: 'Reached', numeric: true },
            { label: 'From previous stage', numeric: true },
            { label: 'From start', numeric: true },
          ]}
          rows={report.stages.map((stage) => ({
            key: stage.stageId,
            cells: [
              stage.name,
              f.count(stage.reached),
              f.percent(stage.conversionFromPrevious),
              f.percent(stage.conversionFromStart),
            ],
          }))}
        />
      )}
    />
  );
}

function FunnelFigures({ report, f }: { report: FunnelReport; f: ReportFormat }) {
  const { consultations } = report;
  return (
    <Figures>
      <Figure label="Leads" value={f.count(report.leads)} />
      <Figure label="Lost" value={f.count(report.lost)} />
      <Figure
        label="Consultation show rate"
        value={f.percent(consultations.showRate)}
        hint={`${f.countOf(consultations.meetings, 'meeting', 'meetings')} held or missed`}
      />
      <Figure
        label="Acceptance rate"
        value={f.percent(consultations.acceptanceRate)}
        hint={`${f.countOf(consultations.proposalsDecided, 'proposal', 'proposals')} decided`}
      />
    </Figures>
  );
}

function isTimeInStageEmpty(report: TimeInStageReport): boolean {
  return (
    report.timeToConvert.won === 0 &&
    report.stages.every((stage) => stage.stays === 0 && stage.openNow === 0)
  );
}

export function TimeInStageSection({ query, currency }: { query: ReportQuery; currency: string }) {
  const f = useReportFormat(currency);
  return (
    <ReportSection
      report="time-in-stage"
      title="Time in stage"
      description="How long leads stay in each stage before moving on (median and 90th percentile), where they stall, and how many open ones are past the stage's limit. Over 20,000 leads or more, medians and percentiles are within 1%."
      query={query}
      isEmpty={isTimeInStageEmpty}
      figures={(report) => <TimeInStageFigures report={report} f={f} />}
      chart={(report) => (
        <ChartFrame label="Bar chart: median and 90th percentile days in each stage">
          <BarChart
            h={CHART_HEIGHT}
            data={report.stages
              .filter((stage) => stage.stays > 0)
              .map((stage) => ({
                stage: stage.isBottleneck ? `${stage.name} (bottleneck)` : stage.name,
                median: stage.medianDays ?? 0,
                p90: stage.p90Days ?? 0,
              }))}
            dataKey="stage"
            series={[
              { name: 'median', label: 'Median days', color: 'blue.7' },
              { name: 'p90', label: '90th percentile days', color: 'orange.8' },
            ]}
            withLegend
            valueFormatter={(value) => f.days(value)}
            accessibilityLayer={false}
          />
        </ChartFrame>
      )}
      table={(report) => (
        <ReportTable
          label="Time in stage"
          columns={[
            { label: 'Stage' },
            { label: 'Stays', numeric: true },
            { label: 'Median', numeric: true },
            { label: '90th percentile', numeric: true },
            { label: 'Open now', numeric: true },
            { label: 'Limit', numeric: true },
            { label: 'Past limit', numeric: true },
          ]}
          rows={report.stages.map((stage) => ({
            key: stage.stageId,
            highlight: stage.isBottleneck,
            cells: [
              <>
                {stage.name}{' '}
                {stage.isBottleneck && (
                  <Badge color="orange" variant="light" size="sm">
                    Bottleneck
                  </Badge>
                )}
              </>,
              f.count(stage.stays),
              f.days(stage.medianDays),
              f.days(stage.p90Days),
              f.count(stage.openNow),
              stage.maxDaysInStage === null ? NONE : f.days(stage.maxDaysInStage),
              stage.pastLimit > 0 ? (
                <Badge color="red" variant="light">
                  {f.count(stage.pastLimit)}
                </Badge>
              ) : (
                f.count(0)
              ),
            ],
          }))}
        />
      )}
    />
  );
}

function TimeInStageFigures({ report, f }: { report: TimeInStageReport; f: ReportFormat }) {
  const bottleneck = report.stages.find((stage) => stage.isBottleneck);
  const pastLimit = report.stages.reduce((sum, stage) => sum + stage.pastLimit, 0);
  return (
    <Figures>
      <Figure
        label="Bottleneck"
        value={bottleneck?.name ?? NONE}
        hint={bottleneck ? `median ${f.days(bottleneck.medianDays)}` : 'no finished stays yet'}
        color={bottleneck ? 'orange.9' : undefined}
      />
      <Figure
        label="Open leads past the limit"
        value={f.count(pastLimit)}
        color={pastLimit > 0 ? 'red.9' : undefined}
      />
      <Figure
        label="Time to convert (median)"
        value={f.days(report.timeToConvert.medianDays)}
        hint={`90th percentile ${f.days(report.timeToConvert.p90Days)}, ${f.count(report.timeToConvert.won)} won`}
      />
    </Figures>
  );
}

export function VelocitySection({ query, currency }: { query: ReportQuery; currency: string }) {
  const f = useReportFormat(currency);
  return (
    <ReportSection
      report="velocity"
      title="Lead velocity"
      description="New leads per week (weeks start on Monday) and the trend."
      query={query}
      isEmpty={(report) => report.weeks.every((week) => week.leads === 0)}
      figures={(report) => <VelocityFigures report={report} f={f} />}
      chart={(report) => (
        <ChartFrame label="Area chart: new leads per week">
          <AreaChart
            h={CHART_HEIGHT}
            data={report.weeks.map((week) => ({ week: f.day(week.weekStart), leads: week.leads }))}
            dataKey="week"
            series={[{ name: 'leads', label: 'New leads', color: 'blue.7' }]}
            curveType="linear"
            valueFormatter={f.count}
            yAxisProps={{ allowDecimals: false }}
            accessibilityLayer={false}
          />
        </ChartFrame>
      )}
      table={(report) => (
        <ReportTable
          label="Lead velocity"
          columns={[{ label: 'Week starting' }, { label: 'New leads', numeric: true }]}
          rows={report.weeks.map((week) => ({
            key: week.weekStart,
            cells: [f.day(week.weekStart), f.count(week.leads)],
          }))}
        />
      )}
    />
  );
}

function VelocityFigures({ report, f }: { report: VelocityReport; f: ReportFormat }) {
  const { trend } = report;
  const slope = trend.slopePerWeek;
  return (
    <Figures>
      <Figure
        label="Trend"
        value={slope === null ? NONE : `${slope > 0 ? '+' : ''}${f.decimal(slope)} per week`}
        hint="least-squares change in new leads"
      />
      <Figure
        label="Last 4 weeks"
        value={f.count(trend.lastFourWeeks)}
        hint={`previous 4 weeks: ${f.count(trend.previousFourWeeks)}`}
      />
      <Figure
        label="Change"
        value={
          trend.change === null ? NONE : `${trend.change > 0 ? '+' : ''}${f.percent(trend.change)}`
        }
      />
    </Figures>
  );
}

function isForecastEmpty(report: ForecastReport): boolean {
  return (
    report.months.length === 0 &&
    report.backtest.every((month) => month.forecastWeightedValue === 0 && month.wonValue === 0)
  );
}

export function ForecastSection({ query, currency }: { query: ReportQuery; currency: string }) {
  const f = useReportFormat(currency);
  return (
    <ReportSection
      report="forecast"
      title="Forecast"
      description="Open leads by expected close month: value, and value weighted by the stage's probability. The backtest compares each month's forecast (as it stood on the month's first day) with what was won."
      query={query}
      isEmpty={isForecastEmpty}
      emptyText="No open leads with an expected close date, and nothing forecast or won in this period"
      figures={(report) => <ForecastFigures report={report} f={f} />}
      chart={(report) => (
        <Stack gap="md">
          {report.months.length > 0 ? (
            <ChartFrame label="Bar chart: open value and weighted value by expected close month">
              <BarChart
                h={CHART_HEIGHT}
                data={report.months.map((month) => ({
                  month: f.month(month.month),
                  value: month.value,
                  weighted: month.weightedValue,
                }))}
                dataKey="month"
                series={[
                  { name: 'value', label: 'Value', color: 'gray.6' },
                  { name: 'weighted', label: 'Weighted value', color: 'blue.7' },
                ]}
                withLegend
                // Exact money in the tooltip, short money on the axis.
                valueFormatter={f.money}
                yAxisProps={{ tickFormatter: f.compactMoney, width: 70 }}
                accessibilityLayer={false}
              />
            </ChartFrame>
          ) : (
            <Text c="dimmed">No open leads with an expected close date.</Text>
          )}
          <BacktestTable report={report} f={f} />
        </Stack>
      )}
      table={(report) => (
        <Stack gap="md">
          <ReportTable
            label="Forecast by expected close month"
            columns={[
              { label: 'Expected close month' },
              { label: 'Open leads', numeric: true },
              { label: 'Value', numeric: true },
              { label: 'Weighted value', numeric: true },
            ]}
            rows={report.months.map((month) => ({
              key: month.month,
              cells: [
                f.month(month.month),
                f.count(month.openLeads),
                f.money(month.value),
                f.money(month.weightedValue),
              ],
            }))}
          />
          <BacktestTable report={report} f={f} />
        </Stack>
      )}
    />
  );
}

function ForecastFigures({ report, f }: { report: ForecastReport; f: ReportFormat }) {
  const value = report.months.reduce((sum, month) => sum + month.value, 0);
  const weighted = report.months.reduce((sum, month) => sum + month.weightedValue, 0);
  return (
    <Figures>
      <Figure label="Open pipeline" value={f.money(value)} />
      <Figure label="Weighted pipeline" value={f.money(weighted)} />
    </Figures>
  );
}

function BacktestTable({ report, f }: { report: ForecastReport; f: ReportFormat }) {
  return (
    <Stack gap="xs">
      <Title order={3} size="h5">
        Backtest
      </Title>
      <ReportTable
        label="Forecast backtest"
        columns={[
          { label: 'Month' },
          { label: 'Forecast on the 1st', numeric: true },
          { label: 'Won', numeric: true },
          { label: 'Accuracy', numeric: true },
        ]}
        rows={report.backtest.map((month) => ({
          key: month.month,
          cells: [
            f.month(month.month),
            f.money(month.forecastWeightedValue),
            f.money(month.wonValue),
            f.percent(month.accuracy),
          ],
        }))}
      />
    </Stack>
  );
}
