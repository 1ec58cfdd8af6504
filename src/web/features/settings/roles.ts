// Roles as people read them, for the users and API token sections.
import { roleSchema } from '../../../server/modules/users/users.schemas';
import { humanize } from '../../lib/labels';
import type { Member } from '../../lib/types';

export type Role = Member['role'];

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  admin: 'Everything, including people and roles',
  manager: 'Works and assigns all leads, configures pipelines, sees reports and the audit log',
  agent: 'Works leads, sees sensitive fields, converts',
  front_desk: 'Takes inquiries and updates leads; sensitive fields stay hidden',
  viewer: 'Reads leads and reports, changes nothing',
};

export const ROLE_OPTIONS = roleSchema.options.map((role) => ({
  value: role,
  label: humanize(role),
}));
