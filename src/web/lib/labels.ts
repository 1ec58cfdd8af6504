// Words for the API's enum values, as people read them.
import type { Lead } from './types';

/** `left_voicemail` → `Left voicemail`. */
export function humanize(value: string): string {
  const words = value.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const PRIORITY_COLORS: Record<Lead['priority'], string> = {
  low: 'gray',
  normal: 'blue',
  high: 'orange',
  urgent: 'red',
};

/** Call outcomes offered from Today and the board, most frequent first. */
export const CALL_OUTCOMES = [
  'spoke',
  'no_answer',
  'left_voicemail',
  'rescheduled',
  'wrong_number',
] as const;

/** Text for "soon past its limit": a dark orange that keeps AA contrast on white. */
export const AGING_WARNING_COLOR = '#8f4300';
