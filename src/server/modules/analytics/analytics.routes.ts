import type { z } from 'zod';
import { actorOf } from '../../platform/auth/authenticate.js';
import type { Actor } from '../../platform/auth/actor.js';
import type { App } from '../../platform/http/types.js';
import {
  analyticsQuerySchema,
  coordinatorsReportSchema,
  forecastReportSchema,
  funnelSchema,
  lostReasonsReportSchema,
  sourcesReportSchema,
  timeInStageReportSchema,
  velocityReportSchema,
  type AnalyticsQuery,
} from './analytics.schemas.js';
import type { AnalyticsService } from './analytics.service.js';
import { TABLES, tableCsv, type Table } from './analytics.tables.js';

const tags = ['analytics'];

interface Report<T> {
  summary: string;
  /** The response schema (the reply is serialised by it, not checked against T). */
  schema: z.ZodType;
  run: (actor: Actor, query: AnalyticsQuery) => Promise<T>;
  table: (report: T) => Table;
}

function registerReport<T>(app: App, name: keyof typeof TABLES, report: Report<T>) {
  app.get(
    `/api/analytics/${name}`,
    {
      config: { access: 'lead:analytics' },
      schema: {
        tags,
        summary: report.summary,
        querystring: analyticsQuerySchema,
        response: { 200: report.schema },
      },
    },
    (request): Promise<unknown> => report.run(actorOf(request), request.query),
  );
  app.get(
    `/api/analytics/${name}.csv`,
    {
      config: { access: 'lead:analytics' },
      schema: {
        tags,
        summary: `${report.summary} (CSV, as the page's table shows it)`,
        querystring: analyticsQuerySchema,
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const csv = tableCsv(report.table(await report.run(actorOf(request), request.query)));
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}.csv"`)
        .send(csv);
    },
  );
}

export function registerAnalyticsRoutes(app: App, analytics: AnalyticsService): void {
  registerReport(app, 'funnel', {
    summary:
      'Conversion funnel of a pipeline: leads that reached each stage, show and acceptance rates',
    schema: funnelSchema,
    run: (actor, query) => analytics.funnel(actor, query),
    table: TABLES.funnel,
  });
  registerReport(app, 'sources', {
    summary: 'Source performance: leads, conversion, won value, cost per lead and acquisition, ROI',
    schema: sourcesReportSchema,
    run: (actor, query) => analytics.sources(actor, query),
    table: TABLES.sources,
  });
  registerReport(app, 'coordinators', {
    summary: 'Per assignee: leads, speed to first contact, conversion, time to convert, activities',
    schema: coordinatorsReportSchema,
    run: (actor, query) => analytics.coordinators(actor, query),
    table: TABLES.coordinators,
  });
  registerReport(app, 'lost-reasons', {
    summary: 'Lost leads by reason: count, share and value',
    schema: lostReasonsReportSchema,
    run: (actor, query) => analytics.lostReasons(actor, query),
    table: TABLES['lost-reasons'],
  });
  registerReport(app, 'time-in-stage', {
    summary: 'Time in stage (median, p90), leads past the stage limit, bottleneck, time to convert',
    schema: timeInStageReportSchema,
    run: (actor, query) => analytics.timeInStage(actor, query),
    table: TABLES['time-in-stage'],
  });
  registerReport(app, 'velocity', {
    summary: 'Lead velocity: new leads per week and the trend',
    schema: velocityReportSchema,
    run: (actor, query) => analytics.velocity(actor, query),
    table: TABLES.velocity,
  });
  registerReport(app, 'forecast', {
    summary: 'Weighted pipeline by expected close month, and a backtest of past months',
    schema: forecastReportSchema,
    run: (actor, query) => analytics.forecast(actor, query),
    table: TABLES.forecast,
  });
}
