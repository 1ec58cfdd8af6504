// What the predictive model knows of a lead, as plain facts (read by the scoring repository, or
// mapped from a public data set by the benchmark), turned into one feature row. Pure.
import type { FeatureRow } from './scoring.model.js';

export interface LeadFacts {
  /** The source's name. */
  source: string | null;
  priority: string | null;
  /** Minor units; null when the lead has no value. */
  value: number | null;
  /** Custom field values by field label: text of a select option, yes/no, or a number. */
  customValues: { label: string; value: string | number | boolean | null }[];
  /** Activities by type before the lead closed (calls, emails, meetings …). */
  activityCounts: Record<string, number>;
  /** Stage moves through open stages before it closed; null when unknown. */
  stageMoves: number | null;
  /** Minutes from arrival to the first call, email, message or meeting; null when none. */
  responseMinutes: number | null;
}

const ACTIVITY_NAMES: Record<string, string> = {
  call: 'Calls',
  email: 'Emails',
  sms: 'Messages',
  meeting: 'Meetings',
  note: 'Notes',
  document_sent: 'Documents sent',
};

/** Readable names of the features a row of these facts may carry. */
export function featureNames(facts: readonly LeadFacts[]): Record<string, string> {
  const names: Record<string, string> = {
    source: 'Source',
    priority: 'Priority',
    value: 'Value',
    stageMoves: 'Stage moves',
    responseMinutes: 'Minutes to first contact',
  };
  for (const [type, name] of Object.entries(ACTIVITY_NAMES)) names[`activity:${type}`] = name;
  for (const lead of facts) {
    for (const { label } of lead.customValues) names[`custom:${label}`] = label;
    for (const type of Object.keys(lead.activityCounts)) {
      names[`activity:${type}`] ??= type;
    }
  }
  return names;
}

/** log(1 + x): money, counts and waiting times are skewed; the model sees their order of size. */
const logScale = (value: number | null) => (value == null ? null : Math.log1p(Math.max(0, value)));

export function toFeatureRow(facts: LeadFacts): FeatureRow {
  const categories: Record<string, string | null> = {
    source: facts.source,
    priority: facts.priority,
  };
  const numbers: Record<string, number | null> = {
    value: logScale(facts.value),
    stageMoves: facts.stageMoves,
    responseMinutes: logScale(facts.responseMinutes),
  };
  const shown: Record<string, string> = {};
  if (facts.value != null) shown.value = String(Math.round(facts.value / 100));
  if (facts.responseMinutes != null)
    shown.responseMinutes = String(Math.round(facts.responseMinutes));
  for (const type of Object.keys(ACTIVITY_NAMES)) {
    const count = facts.activityCounts[type] ?? 0;
    numbers[`activity:${type}`] = count;
  }
  for (const [type, count] of Object.entries(facts.activityCounts)) {
    numbers[`activity:${type}`] = count;
  }
  for (const { label, value } of facts.customValues) {
    const key = `custom:${label}`;
    if (typeof value === 'number') numbers[key] = value;
    else if (typeof value === 'boolean') categories[key] = value ? 'yes' : 'no';
    else categories[key] = value === '' ? null : value;
  }
  return { categories, numbers, shown };
}
