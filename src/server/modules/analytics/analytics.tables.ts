// Each report as a table: the CSV download of a chart, with the same rows the web page's table
// shows. Rates are percentages with one decimal; money is in major units of the currency.
import { CSV_BOM, csvLines, neutralizeFormula } from '../../platform/csv.js';
import { toMajorUnits } from '../exports/exports.service.js';
import type {
  CoordinatorsReportDto,
  ForecastReportDto,
  FunnelDto,
  LostReasonsReportDto,
  SourcesReportDto,
  TimeInStageReportDto,
  VelocityReportDto,
} from './analytics.schemas.js';

export interface Table {
  header: string[];
  rows: (string | number | null)[][];
}

const percent = (rate: number | null) => (rate === null ? null : Math.round(rate * 1000) / 10);

export const TABLES = {
  funnel: (report: FunnelDto): Table => ({
    header: ['Stage', 'Reached', 'Conversion from previous %', 'Conversion from start %'],
    rows: report.stages.map((stage) => [
      stage.name,
      stage.reached,
      percent(stage.conversionFromPrevious),
      percent(stage.conversionFromStart),
    ]),
  }),
  sources: (report: SourcesReportDto): Table => {
    const money = (value: number | null) =>
      value === null ? null : toMajorUnits(value, report.period.currency);
    return {
      header: [
        'Source',
        'Leads',
        'Won',
        'Lost',
        'Conversion %',
        'Won value',
        'Cost',
        'Cost per lead',
        'Cost per acquisition',
        'ROI',
        'First-touch won',
        'First-touch won value',
      ],
      rows: report.items.map((item) => [
        item.name,
        item.leads,
        item.won,
        item.lost,
        percent(item.conversionRate),
        money(item.wonValue),
        money(item.cost),
        money(item.costPerLead),
        money(item.costPerAcquisition),
        item.roi,
        item.firstTouchWon,
        money(item.firstTouchWonValue),
      ]),
    };
  },
  coordinators: (report: CoordinatorsReportDto): Table => ({
    header: [
      'Assignee',
      'Leads',
      'Contacted within 5 minutes %',
      'Median minutes to first contact',
      'Won',
      'Conversion %',
      'Median days to convert',
      'Activities',
    ],
    rows: report.items.map((item) => [
      item.name,
      item.leads,
      percent(item.contactedWithin5MinutesRate),
      item.medianMinutesToFirstContact,
      item.won,
      percent(item.conversionRate),
      item.medianDaysToConvert,
      item.activities,
    ]),
  }),
  'lost-reasons': (report: LostReasonsReportDto): Table => ({
    header: ['Lost reason', 'Leads', 'Share %', 'Value'],
    rows: report.items.map((item) => [
      item.name,
      item.leads,
      percent(item.share),
      toMajorUnits(item.value, report.period.currency),
    ]),
  }),
  'time-in-stage': (report: TimeInStageReportDto): Table => ({
    header: [
      'Stage',
      'Stays',
      'Median days',
      'P90 days',
      'Open now',
      'Limit (days)',
      'Past limit',
      'Bottleneck',
    ],
    rows: report.stages.map((stage) => [
      stage.name,
      stage.stays,
      stage.medianDays,
      stage.p90Days,
      stage.openNow,
      stage.maxDaysInStage,
      stage.pastLimit,
      stage.isBottleneck ? 'yes' : '',
    ]),
  }),
  velocity: (report: VelocityReportDto): Table => ({
    header: ['Week starting', 'New leads'],
    rows: report.weeks.map((week) => [week.weekStart, week.leads]),
  }),
  forecast: (report: ForecastReportDto): Table => ({
    header: ['Expected close month', 'Open leads', 'Value', 'Weighted value'],
    rows: report.months.map((month) => [
      month.month,
      month.openLeads,
      toMajorUnits(month.value, report.period.currency),
      toMajorUnits(month.weightedValue, report.period.currency),
    ]),
  }),
};

/** A table as CSV text: UTF-8 with a BOM, formula-like cells neutralised (as exports do). */
export function tableCsv(table: Table): string {
  const cell = (value: string | number | null) =>
    value === null ? '' : neutralizeFormula(String(value));
  return `${CSV_BOM}${csvLines([table.header, ...table.rows.map((row) => row.map(cell))])}`;
}
