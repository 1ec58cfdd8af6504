// The automation rules a preset ships with (docs/automation.md): speed-to-lead, escalation of a
// lead nobody contacted, the follow-up after the consultation (or the trade's equivalent), the
// check-in on a pending decision, the break-up after unanswered attempts and the stale-lead
// alert. Stages are named as in the preset's pipeline and resolved to ids when installed; every
// rule stays editable and can be switched off.
import type { PresetKey } from '../presets/presets.data.js';
import type { ShippedTemplate } from '../messaging/templates.defaults.js';
import type { Action, Condition, Trigger } from './automation.schemas.js';

/**
 * A trigger or action whose stage ids are still stage names of the preset's pipeline, and whose
 * template id is still the key of a template the preset ships (templates.defaults.ts).
 */
type Named<T> = T extends { stageId: string }
  ? Omit<T, 'stageId'> & { stageName: string }
  : T extends { templateId: string }
    ? Omit<T, 'templateId'> & { templateKey: ShippedTemplate['key'] }
    : T extends { toStageIds: string[] }
      ? Omit<T, 'toStageIds' | 'fromStageIds'> & { toStageNames: string[] }
      : T extends { stageIds: string[] }
        ? Omit<T, 'stageIds'> & { stageNames: string[] }
        : T;

export interface DefaultRule {
  /** Unique per workspace: applying the preset again adds no second copy. */
  key: string;
  name: string;
  description: string;
  trigger: Named<Trigger>;
  conditions: Condition[];
  actions: Named<Action>[];
}

/** Which stage of each preset's main pipeline plays which part. */
const PRESET_STAGES: Record<PresetKey, { pipeline: string; consulted: string; deciding: string }> =
  {
    agency: { pipeline: 'New business', consulted: 'Qualified', deciding: 'Proposal' },
    b2b: { pipeline: 'Sales', consulted: 'Qualified', deciding: 'Proposal' },
    orthodontics: {
      pipeline: 'New patients',
      consulted: 'Consultation Completed',
      deciding: 'Pending Decision',
    },
    home_services: { pipeline: 'Jobs', consulted: 'Needs analysis', deciding: 'Estimate sent' },
    real_estate: { pipeline: 'Buyers', consulted: 'Property Shown', deciding: 'Offer Prepared' },
  };

export function defaultRulesOf(key: PresetKey): { pipeline: string; rules: DefaultRule[] } {
  const stages = PRESET_STAGES[key];
  return {
    pipeline: stages.pipeline,
    rules: [
      {
        key: 'speed-to-lead',
        name: 'Speed to lead: call a new lead',
        description:
          'A new lead gets a call task for its assignee, due 5 minutes into business hours.',
        trigger: { type: 'lead_created' },
        conditions: [],
        actions: [
          {
            type: 'create_task',
            title: 'Call {{lead.title}}',
            description: 'A new lead: call within minutes, while they are still interested.',
            taskType: 'call',
            priority: 'high',
            due: { amount: 5, unit: 'minutes', businessTime: true },
            assigneeId: null,
          },
        ],
      },
      {
        key: 'not-contacted-escalation',
        name: 'Not contacted in 24 hours: tell the managers',
        description: 'A lead that nobody has reached 24 hours after it arrived is escalated.',
        trigger: { type: 'no_activity', after: { amount: 24, unit: 'hours', businessTime: false } },
        conditions: [{ type: 'field', field: 'contactStatus', op: 'eq', value: 'not_contacted' }],
        actions: [
          {
            type: 'notify',
            to: 'managers',
            userId: null,
            title: 'Not contacted in 24 h: {{lead.title}}',
            body: 'Nobody has reached this lead since it arrived a day ago.',
          },
        ],
      },
      {
        key: 'consultation-follow-up',
        name: `${stages.consulted}: follow up in 3 days`,
        description: `When a lead reaches "${stages.consulted}", a follow-up task 3 business days later.`,
        trigger: { type: 'stage_changed', toStageNames: [stages.consulted] },
        conditions: [],
        actions: [
          {
            type: 'create_task',
            title: 'Follow up with {{lead.title}}',
            description: '',
            taskType: 'follow_up',
            priority: 'normal',
            due: { amount: 3, unit: 'days', businessTime: true },
            assigneeId: null,
          },
        ],
      },
      {
        key: 'pending-decision-check-in',
        name: `${stages.deciding} too long: check-in call`,
        description: `A lead longer in "${stages.deciding}" than the stage allows gets a check-in call.`,
        trigger: { type: 'time_in_stage', stageNames: [stages.deciding] },
        conditions: [],
        actions: [
          {
            type: 'create_task',
            title: 'Check-in call: {{lead.title}}',
            description: 'They have been deciding for a while; call to answer their questions.',
            taskType: 'call',
            priority: 'normal',
            due: { amount: 0, unit: 'minutes', businessTime: true },
            assigneeId: null,
          },
        ],
      },
      {
        key: 'no-response-break-up',
        name: '3 attempts without a response: break-up email, suggest lost',
        description:
          'After three unanswered attempts in a row, a break-up email is drafted for approval and ' +
          'the assignee is asked whether to move the lead to lost.',
        trigger: { type: 'contact_attempts', attempts: 3 },
        conditions: [],
        actions: [
          {
            type: 'notify',
            to: 'assignee',
            userId: null,
            title: 'No response after 3 attempts: {{lead.title}}',
            body: 'A break-up email waits in the outbox for approval; consider moving the lead to lost.',
          },
          { type: 'send_message', channel: 'email', templateKey: 'break_up', autoSend: false },
          {
            type: 'create_task',
            title: 'Approve the break-up email or move {{lead.title}} to lost',
            description: 'Three attempts got no answer.',
            taskType: 'email',
            priority: 'normal',
            due: { amount: 1, unit: 'days', businessTime: true },
            assigneeId: null,
          },
        ],
      },
      {
        key: 'stale-lead-alert',
        name: 'No activity in 3 business days: tell the owner',
        description:
          'An open lead with no call, message, meeting, note or stage change in 3 business days.',
        trigger: { type: 'no_activity', after: { amount: 3, unit: 'days', businessTime: true } },
        conditions: [],
        actions: [
          {
            type: 'notify',
            to: 'assignee',
            userId: null,
            title: 'Stale lead: {{lead.title}}',
            body: 'No activity in 3 business days.',
          },
        ],
      },
    ],
  };
}
