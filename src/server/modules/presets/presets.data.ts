// The trades Leadkeeper knows out of the box. A preset gives a new workspace its pipelines
// (stages, probabilities, days allowed per stage), lead sources and lost reasons; everything
// stays editable. Custom fields, required-for-conversion fields and default automation rules
// join these definitions as those features land.
import type { PipelinePolicy, SourceCategory, StageKind } from '../../platform/db/schema.js';

export const PRESET_KEYS = [
  'agency',
  'b2b',
  'orthodontics',
  'home_services',
  'real_estate',
] as const;
export type PresetKey = (typeof PRESET_KEYS)[number];

interface PresetStage {
  name: string;
  slug?: string;
  kind?: StageKind;
  probability?: number;
  maxDaysInStage?: number;
}

export interface Preset {
  label: string;
  description: string;
  pipelines: { name: string; policy: PipelinePolicy; stages: PresetStage[] }[];
  sources: { name: string; category: SourceCategory }[];
  lostReasons: string[];
}

export const PRESETS: Record<PresetKey, Preset> = {
  agency: {
    label: 'Marketing agency',
    description: 'New business for an agency: prospects, proposals, retainers.',
    pipelines: [
      {
        name: 'New business',
        policy: 'backward_with_reason',
        stages: [
          { name: 'Prospect', slug: 'prospect', probability: 10, maxDaysInStage: 7 },
          { name: 'Qualified', slug: 'qualified', probability: 30, maxDaysInStage: 14 },
          { name: 'Proposal', slug: 'proposal', probability: 60, maxDaysInStage: 14 },
          { name: 'Closed won', slug: 'closed_won', kind: 'won' },
          { name: 'Closed lost', slug: 'closed_lost', kind: 'lost' },
        ],
      },
    ],
    sources: [
      { name: 'Website', category: 'web_organic' },
      { name: 'Referral', category: 'referral' },
      { name: 'Partner', category: 'partner_referral' },
      { name: 'LinkedIn', category: 'web_social' },
      { name: 'Outbound', category: 'cold_call' },
      { name: 'Event', category: 'community_event' },
    ],
    lostReasons: ['Budget', 'Chose a competitor', 'Timing', 'Not a fit', 'No response'],
  },
  b2b: {
    label: 'B2B sales',
    description: 'A classic sales pipeline from first contact to signed deal.',
    pipelines: [
      {
        name: 'Sales',
        policy: 'backward_with_reason',
        stages: [
          { name: 'New', probability: 5, maxDaysInStage: 2 },
          { name: 'Contacted', probability: 10, maxDaysInStage: 7 },
          { name: 'Qualified', probability: 25, maxDaysInStage: 14 },
          { name: 'Proposal', probability: 50, maxDaysInStage: 14 },
          { name: 'Negotiation', probability: 75, maxDaysInStage: 21 },
          { name: 'Won', kind: 'won' },
          { name: 'Lost', kind: 'lost' },
        ],
      },
    ],
    sources: [
      { name: 'Website', category: 'web_organic' },
      { name: 'Web form', category: 'web_form' },
      { name: 'Paid search', category: 'web_paid' },
      { name: 'Referral', category: 'referral' },
      { name: 'Partner', category: 'partner_referral' },
      { name: 'Cold call', category: 'cold_call' },
      { name: 'Email campaign', category: 'email' },
    ],
    lostReasons: [
      'Price',
      'Chose a competitor',
      'No budget',
      'No decision',
      'Timing',
      'No response',
    ],
  },
  orthodontics: {
    label: 'Orthodontic clinic',
    description:
      'New patients from first call to treatment start, for coordinators and front desk.',
    pipelines: [
      {
        name: 'New patients',
        policy: 'forward_only',
        stages: [
          { name: 'New Lead', probability: 10, maxDaysInStage: 1 },
          { name: 'Contacted', probability: 20, maxDaysInStage: 3 },
          { name: 'Consultation Scheduled', probability: 40, maxDaysInStage: 14 },
          { name: 'Consultation Completed', probability: 55, maxDaysInStage: 3 },
          { name: 'Pending Decision', probability: 65, maxDaysInStage: 7 },
          { name: 'Treatment Accepted', probability: 90, maxDaysInStage: 14 },
          { name: 'Treatment Started', kind: 'won' },
          { name: 'Lost', kind: 'lost' },
        ],
      },
    ],
    sources: [
      { name: 'Dentist referral', category: 'doctor_referral' },
      { name: 'Patient referral', category: 'patient_referral' },
      { name: 'Website / Google', category: 'web_organic' },
      { name: 'Google Ads', category: 'web_paid' },
      { name: 'Instagram / Facebook', category: 'web_social' },
      { name: 'Print ad', category: 'print_ad' },
      { name: 'Community event', category: 'community_event' },
      { name: 'School screening', category: 'school_screening' },
      { name: 'Walk-in', category: 'walk_in' },
      { name: 'Phone call', category: 'phone_call' },
    ],
    lostReasons: [
      'Cost / financing',
      'Insurance coverage',
      'Chose another practice',
      'Not ready yet',
      'Treatment not needed',
      'No response',
    ],
  },
  home_services: {
    label: 'Home services',
    description: 'Inquiries to booked jobs for contractors, cleaners and installers.',
    pipelines: [
      {
        name: 'Jobs',
        policy: 'backward_with_reason',
        stages: [
          { name: 'Inquiry', slug: 'inquiry', probability: 10, maxDaysInStage: 1 },
          { name: 'Needs analysis', slug: 'needs_analysis', probability: 25, maxDaysInStage: 3 },
          { name: 'Estimate sent', slug: 'estimate_sent', probability: 50, maxDaysInStage: 5 },
          { name: 'Follow-up', slug: 'follow_up', probability: 60, maxDaysInStage: 7 },
          { name: 'Visit scheduled', slug: 'scheduled_visit', probability: 80, maxDaysInStage: 14 },
          { name: 'Won', slug: 'won', kind: 'won' },
          { name: 'Lost', slug: 'lost', kind: 'lost' },
        ],
      },
    ],
    sources: [
      { name: 'Google Business Profile', category: 'web_organic' },
      { name: 'Google Ads', category: 'web_paid' },
      { name: 'Facebook', category: 'web_social' },
      { name: 'Neighbour referral', category: 'referral' },
      { name: 'Yard sign / flyer', category: 'print_ad' },
      { name: 'Phone call', category: 'phone_call' },
    ],
    lostReasons: ['Budget', 'Timing', 'Outside scope', 'No response', 'Other'],
  },
  real_estate: {
    label: 'Real estate agent',
    description: 'Buyers and sellers from first inquiry to closing.',
    pipelines: [
      {
        name: 'Buyers',
        policy: 'backward_with_reason',
        stages: [
          { name: 'New Lead', probability: 10, maxDaysInStage: 2 },
          { name: 'Qualified', probability: 25, maxDaysInStage: 14 },
          { name: 'Appointment Set', probability: 40, maxDaysInStage: 14 },
          { name: 'Property Shown', probability: 60, maxDaysInStage: 30 },
          { name: 'Offer Prepared', probability: 80, maxDaysInStage: 7 },
          { name: 'Under Contract', probability: 90, maxDaysInStage: 45 },
          { name: 'Closed', kind: 'won' },
          { name: 'Lost', kind: 'lost' },
        ],
      },
    ],
    sources: [
      { name: 'Open house', category: 'open_house' },
      { name: 'Past client referral', category: 'referral' },
      { name: 'Portal listing', category: 'web_organic' },
      { name: 'Social media', category: 'social' },
      { name: 'Paid ad', category: 'ad' },
      { name: 'Walk-in', category: 'walk_in' },
    ],
    lostReasons: [
      'Chose another agent',
      'Financing fell through',
      'Not ready to buy',
      'Priced out',
      'No response',
    ],
  },
};
