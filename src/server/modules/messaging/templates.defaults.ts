// The follow-up templates a preset ships: one email per key moment of the trade's pipeline
// (inquiry received, estimate or proposal sent, proposal accepted), tied to that stage by slug,
// and the break-up email the "3 attempts without a response" rule drafts (no stage of its own).
// Added once per workspace (by default_key) and editable like any other template.
import type { PresetKey } from '../presets/presets.data.js';

export interface ShippedTemplate {
  key: 'inquiry_received' | 'estimate_sent' | 'proposal_accepted' | 'break_up';
  name: string;
  stageSlug: string | null;
  subject: string;
  body: string;
}

const SIGN_OFF = '\n\nBest regards,\n{{assignee.name}}\n{{workspace.name}}';

function shipped(
  stages: Record<Exclude<ShippedTemplate['key'], 'break_up'>, string>,
  words: { estimate: string; accepted: string },
): ShippedTemplate[] {
  return [
    {
      key: 'inquiry_received',
      name: 'Inquiry received',
      stageSlug: stages.inquiry_received,
      subject: 'Thanks for your inquiry, {{contact.firstName}}',
      body:
        'Hello {{contact.firstName}},\n\nthank you for getting in touch about "{{lead.title}}". ' +
        "We have your inquiry and will get back to you shortly; if it's urgent, just reply to " +
        'this email.' +
        SIGN_OFF,
    },
    {
      key: 'estimate_sent',
      name: `${words.estimate} sent — follow-up`,
      stageSlug: stages.estimate_sent,
      subject: `Your ${words.estimate.toLowerCase()} for {{lead.title}}`,
      body:
        `Hello {{contact.firstName}},\n\nI wanted to follow up on the ${words.estimate.toLowerCase()} ` +
        'we sent for "{{lead.title}}" ({{lead.value}}). Do you have any questions, or shall we ' +
        'go ahead?' +
        SIGN_OFF,
    },
    {
      key: 'proposal_accepted',
      name: `${words.accepted} — next steps`,
      stageSlug: stages.proposal_accepted,
      subject: 'Welcome aboard, {{contact.firstName}}',
      body:
        'Hello {{contact.firstName}},\n\nthank you for your decision on "{{lead.title}}" — we ' +
        "are glad to work with you. We'll be in touch about the next steps within the next " +
        'business day.' +
        SIGN_OFF,
    },
    {
      key: 'break_up',
      name: 'No response — last message',
      stageSlug: null,
      subject: 'Shall I close your inquiry, {{contact.firstName}}?',
      body:
        'Hello {{contact.firstName}},\n\nI have tried to reach you a few times about ' +
        '"{{lead.title}}" without luck. I don\'t want to keep bothering you, so unless I hear ' +
        'back I will close your inquiry for now. If the timing is just wrong, reply to this ' +
        'email and we will pick it up whenever suits you.' +
        SIGN_OFF,
    },
  ];
}

export const SHIPPED_TEMPLATES: Record<PresetKey, ShippedTemplate[]> = {
  agency: shipped(
    {
      inquiry_received: 'prospect',
      estimate_sent: 'proposal',
      proposal_accepted: 'closed_won',
    },
    { estimate: 'Proposal', accepted: 'Proposal accepted' },
  ),
  b2b: shipped(
    { inquiry_received: 'new', estimate_sent: 'proposal', proposal_accepted: 'won' },
    { estimate: 'Proposal', accepted: 'Proposal accepted' },
  ),
  orthodontics: shipped(
    {
      inquiry_received: 'new_lead',
      estimate_sent: 'pending_decision',
      proposal_accepted: 'treatment_accepted',
    },
    { estimate: 'Treatment plan', accepted: 'Treatment accepted' },
  ),
  home_services: shipped(
    { inquiry_received: 'inquiry', estimate_sent: 'estimate_sent', proposal_accepted: 'won' },
    { estimate: 'Estimate', accepted: 'Estimate accepted' },
  ),
  real_estate: shipped(
    {
      inquiry_received: 'new_lead',
      estimate_sent: 'offer_prepared',
      proposal_accepted: 'under_contract',
    },
    { estimate: 'Offer', accepted: 'Offer accepted' },
  ),
};
