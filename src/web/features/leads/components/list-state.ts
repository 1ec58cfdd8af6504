// The leads list's state is its URL, in GET /api/leads's own terms: filters by name, `cf`
// repeated once per custom-field filter (`cf=<key>:<value>`), the sort, and the saved view it
// came from. A saved view stores the same filters, so applying one writes them into the URL.
import type { z } from 'zod';
import { listLeadsQuerySchema } from '../../../../server/modules/leads/leads.schemas';
import type { LeadFilters } from '../api/leads-api';
import type { ViewFilters } from '../api/saved-views-api';

export const LIST_FILTER_KEYS = [
  'q',
  'pipelineId',
  'stageId',
  'status',
  'assigneeId',
  'sourceId',
  'priority',
  'tag',
  'followUp',
  'staleDays',
  'minScore',
  'contactId',
  'companyId',
] as const satisfies readonly (keyof LeadFilters)[];
export type ListFilterKey = (typeof LIST_FILTER_KEYS)[number];

export const DEFAULT_SORT = '-createdAt';
export const CUSTOM_FILTER_PARAM = 'cf';
export const VIEW_PARAM = 'view';

const sortSchema = listLeadsQuerySchema.shape.sort.unwrap();
export type ListSort = z.infer<typeof sortSchema>;

/** The URL's sort when it is one the list knows (a view stores only those). */
export function sortOf(params: URLSearchParams): ListSort | null {
  const parsed = sortSchema.safeParse(params.get('sort'));
  return parsed.success ? parsed.data : null;
}

/** The custom-field filters in the URL, by field key. */
export function customFieldFiltersOf(params: URLSearchParams): Record<string, string> {
  const values: Record<string, string> = {};
  for (const condition of params.getAll(CUSTOM_FILTER_PARAM)) {
    const at = condition.indexOf(':');
    if (at > 0 && at < condition.length - 1)
      values[condition.slice(0, at)] = condition.slice(at + 1);
  }
  return values;
}

/** Sets (or with null removes) the filter on one custom field, keeping the others. */
export function setCustomFieldFilter(params: URLSearchParams, key: string, value: string | null) {
  const others = params
    .getAll(CUSTOM_FILTER_PARAM)
    .filter((condition) => !condition.startsWith(`${key}:`));
  params.delete(CUSTOM_FILTER_PARAM);
  for (const condition of others) params.append(CUSTOM_FILTER_PARAM, condition);
  if (value) params.append(CUSTOM_FILTER_PARAM, `${key}:${value}`);
}

/** What GET /api/leads gets for the URL. */
export function leadFiltersOf(params: URLSearchParams): LeadFilters {
  const filters: LeadFilters = {};
  for (const key of LIST_FILTER_KEYS) {
    const value = params.get(key);
    if (value) filters[key] = value;
  }
  const sort = params.get('sort');
  if (sort) filters.sort = sort;
  const cf = params.getAll(CUSTOM_FILTER_PARAM).filter(Boolean);
  if (cf.length > 0) filters.cf = cf;
  return filters;
}

/** The filters a saved view stores: every filter in the URL, without the sort or the view. */
export function viewFiltersOf(params: URLSearchParams): ViewFilters {
  const filters: ViewFilters = {};
  for (const key of LIST_FILTER_KEYS) {
    const value = params.get(key);
    if (value) filters[key] = value;
  }
  const cf = params.getAll(CUSTOM_FILTER_PARAM).filter(Boolean);
  if (cf.length > 0) filters[CUSTOM_FILTER_PARAM] = cf;
  return filters;
}

/** The URL that shows a saved view: its filters and sort, and its id. */
export function paramsForView(view: {
  id: string;
  filters: ViewFilters;
  sort: string | null;
}): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(view.filters)) {
    if (Array.isArray(value)) for (const item of value) params.append(name, item);
    else if (value) params.set(name, value);
  }
  if (view.sort) params.set('sort', view.sort);
  params.set(VIEW_PARAM, view.id);
  return params;
}

function normalized(filters: ViewFilters): string {
  const entries = Object.entries(filters)
    .map(([name, value]): [string, string] => [
      name,
      Array.isArray(value) ? [...value].sort().join('\n') : value,
    ])
    .filter(([, value]) => value !== '')
    .sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify(entries);
}

/** Whether the URL still shows exactly the view's filters and sort. */
export function matchesView(
  params: URLSearchParams,
  view: { filters: ViewFilters; sort: string | null },
): boolean {
  return (
    normalized(viewFiltersOf(params)) === normalized(view.filters) &&
    (params.get('sort') || DEFAULT_SORT) === (view.sort || DEFAULT_SORT)
  );
}
