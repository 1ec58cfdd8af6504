import { describe, expect, it } from 'vitest';
import { toE164 } from './phone.js';

describe('toE164', () => {
  it('reads national numbers with the workspace country and keeps international ones', () => {
    expect(toE164('030 1234567', 'DE')).toBe('+49301234567');
    expect(toE164('(415) 555-2671', 'US')).toBe('+14155552671');
    expect(toE164('+44 20 7946 0958', 'US')).toBe('+442079460958');
    expect(toE164('0044 20 7946 0958', 'DE')).toBe('+442079460958');
  });

  it('refuses what is not a phone number', () => {
    expect(toE164('12', 'US')).toBeNull();
    expect(toE164('call me maybe', 'DE')).toBeNull();
  });
});
