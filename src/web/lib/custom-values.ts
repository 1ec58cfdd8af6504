// Custom field values as people read them, the same on every page that shows them.
import type { CustomField } from './types';

/** A sensitive value the role may not read comes from the server as `{ masked: true }`. */
export function isMasked(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'masked' in value;
}

export function asText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : JSON.stringify(value);
}

/** A custom field's value as people read it; a sensitive one the role may not see is hidden. */
export function showCustomValue(
  field: CustomField,
  value: unknown,
  format: { money: (minor: number) => string; date: (iso: string) => string },
): string {
  if (isMasked(value)) return 'Hidden';
  const label = (option: unknown) =>
    field.options.find((o) => o.value === option)?.label ?? asText(option);
  switch (field.type) {
    case 'money':
      return typeof value === 'number' ? format.money(value) : asText(value);
    case 'date':
      return typeof value === 'string' ? format.date(value) : asText(value);
    case 'boolean':
      return value === true ? 'Yes' : 'No';
    case 'select':
      return label(value);
    case 'multiselect':
      return Array.isArray(value) ? value.map(label).join(', ') : asText(value);
    case 'text':
    case 'long_text':
    case 'number':
    case 'email':
    case 'phone':
    case 'url':
      return asText(value);
  }
}
