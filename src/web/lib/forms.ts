// Server answers on a react-hook-form form: 422 field errors inline, the rest above the form.
import type { FieldValues, Path, UseFormSetError } from 'react-hook-form';
import { ApiError } from './api-client';
import { toFormErrors, type FieldError } from './problem';

/**
 * Puts the problem's field errors on the form's fields (values stay as typed) and returns
 * the errors no field took, for an alert. Non-API errors come back as one message.
 */
export function applyServerErrors<T extends FieldValues>(
  error: unknown,
  setError: UseFormSetError<T>,
  formFields: readonly Path<T>[],
  fieldMap: Readonly<Record<string, Path<T>>> = {},
): FieldError[] {
  if (!(error instanceof ApiError) || !error.problem) return [];
  const { fields, unmatched } = toFormErrors(error.problem, formFields, fieldMap);
  let first = true;
  for (const [field, message] of Object.entries(fields)) {
    setError(field as Path<T>, { type: 'server', message }, { shouldFocus: first });
    first = false;
  }
  return unmatched;
}
