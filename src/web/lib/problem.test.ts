import { describe, expect, it } from 'vitest';
import { describeProblem, parseProblem, toFormErrors } from './problem';

const validation = {
  type: 'urn:leadkeeper:problem:validation-failed',
  title: 'Validation failed',
  status: 422,
  detail: 'Some fields are not valid.',
  requestId: 'r1',
  errors: [
    { field: 'title', message: 'Too long' },
    { field: 'contact.phones.0', message: 'Not a phone number' },
    { field: 'customFields.budget', message: 'Use a number' },
  ],
};

describe('problem+json', () => {
  it('reads a problem body and ignores other bodies', () => {
    expect(parseProblem(validation, 422)?.errors).toHaveLength(3);
    expect(parseProblem({ items: [] }, 500)).toBeNull();
    expect(parseProblem('oops', 500)).toBeNull();
  });

  it("puts each field error on the form's field, renaming server paths", () => {
    const problem = parseProblem(validation, 422)!;
    const { fields, unmatched } = toFormErrors(problem, ['title', 'phone'], {
      'contact.phones': 'phone',
    });
    expect(fields).toEqual({ title: 'Too long', phone: 'Not a phone number' });
    expect(unmatched).toEqual([{ field: 'customFields.budget', message: 'Use a number' }]);
  });

  it('keeps the first error of a field', () => {
    const problem = parseProblem(
      { ...validation, errors: [validation.errors[0], { field: 'title', message: 'Required' }] },
      422,
    )!;
    expect(toFormErrors(problem, ['title']).fields).toEqual({ title: 'Too long' });
  });

  it('describes a problem in one line for a toast', () => {
    expect(describeProblem(parseProblem(validation, 422)!)).toBe(
      'Some fields are not valid. Title: Too long',
    );
    const phone = parseProblem(
      { ...validation, errors: [{ field: 'contact.phones.0.value', message: 'Not valid' }] },
      422,
    )!;
    expect(describeProblem(phone)).toBe('Some fields are not valid. Phones: Not valid');
  });
});
