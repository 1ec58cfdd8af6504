import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROLES } from '../db/schema.js';
import { isRoleWithin, PERMISSIONS, ROLE_PERMISSIONS } from './permissions.js';

/** The role → permission table as docs/permissions.md shows it. */
function renderTable(): string {
  const header = `| permission | ${ROLES.join(' | ')} |`;
  const rule = `|---|${ROLES.map(() => '---').join('|')}|`;
  const rows = PERMISSIONS.map(
    (permission) =>
      `| \`${permission}\` | ${ROLES.map((role) => (ROLE_PERMISSIONS[role].includes(permission) ? '✓' : '')).join(' | ')} |`,
  );
  return [header, rule, ...rows].join('\n');
}

describe('role → permission table', () => {
  it('is the table shown in docs/permissions.md', () => {
    const doc = readFileSync(new URL('../../../../docs/permissions.md', import.meta.url), 'utf8');
    // Compare without the padding a Markdown formatter adds.
    const normalise = (text: string) => text.replace(/ +/g, '').replace(/-+/g, '-');
    expect(normalise(doc)).toContain(normalise(renderTable()));
  });

  it('orders roles so a token can be narrowed but never widened', () => {
    expect(isRoleWithin('viewer', 'admin')).toBe(true);
    expect(isRoleWithin('agent', 'manager')).toBe(true);
    expect(isRoleWithin('manager', 'agent')).toBe(false);
    expect(isRoleWithin('front_desk', 'agent')).toBe(true);
    expect(isRoleWithin('viewer', 'agent')).toBe(false); // viewers read analytics, agents don't
  });
});
