// The analytics reports from /api/analytics/<report>, typed by the server's own schemas.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  coordinatorsReportSchema,
  forecastReportSchema,
  funnelSchema,
  lostReasonsReportSchema,
  sourcesReportSchema,
  timeInStageReportSchema,
  velocityReportSchema,
} from '../../../../server/modules/analytics/analytics.schemas';
import { api } from '../../../lib/api-client';
import type { ReportQuery } from './analytics-filters';

export type FunnelReport = z.infer<typeof funnelSchema>;
export type SourcesReport = z.infer<typeof sourcesReportSchema>;
export type CoordinatorsReport = z.infer<typeof coordinatorsReportSchema>;
export type LostReasonsReport = z.infer<typeof lostReasonsReportSchema>;
export type TimeInStageReport = z.infer<typeof timeInStageReportSchema>;
export type VelocityReport = z.infer<typeof velocityReportSchema>;
export type ForecastReport = z.infer<typeof forecastReportSchema>;

export interface Reports {
  funnel: FunnelReport;
  sources: SourcesReport;
  coordinators: CoordinatorsReport;
  'lost-reasons': LostReasonsReport;
  'time-in-stage': TimeInStageReport;
  velocity: VelocityReport;
  forecast: ForecastReport;
}
export type ReportName = keyof Reports;

/** Reports are computed on request; a minute of reuse keeps flipping filters back cheap. */
const REPORT_STALE_MS = 60_000;

export function useReport<Name extends ReportName>(name: Name, query: ReportQuery) {
  return useQuery({
    queryKey: ['analytics', name, query],
    queryFn: ({ signal }) => api.get<Reports[Name]>(`/api/analytics/${name}`, { ...query }, signal),
    staleTime: REPORT_STALE_MS,
    // Keep the last figures on screen while a new filter loads.
    placeholderData: keepPreviousData,
  });
}
