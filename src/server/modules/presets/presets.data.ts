// The trades Leadkeeper knows out of the box. A preset gives a new workspace its pipelines
// (stages, probabilities, days allowed per stage, fields required to convert a lead and the
// onboarding tasks made at conversion), lead sources, lost reasons and custom fields; everything
// stays editable. Default automation rules join these definitions as that feature lands.
import type {
  CustomFieldOption,
  CustomFieldRecordType,
  CustomFieldType,
  OnboardingTask,
  PipelinePolicy,
  SourceCategory,
  StageKind,
} from '../../platform/db/schema.js';

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

interface PresetPipeline {
  name: string;
  policy: PipelinePolicy;
  stages: PresetStage[];
  /** Standard lead fields or custom.<key> (the preset's lead fields). */
  requiredForConversion: string[];
  onboardingTasks: OnboardingTask[];
}

export interface PresetCustomField {
  recordType: CustomFieldRecordType;
  key: string;
  label: string;
  type: CustomFieldType;
  options?: CustomFieldOption[];
  sensitive?: boolean;
  helpText?: string;
}

export interface Preset {
  label: string;
  description: string;
  pipelines: PresetPipeline[];
  sources: { name: string; category: SourceCategory }[];
  lostReasons: string[];
  customFields: PresetCustomField[];
}

const options = (...pairs: [value: string, label: string][]): CustomFieldOption[] =>
  pairs.map(([value, label]) => ({ value, label }));

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
        requiredForConversion: ['companyId', 'value', 'custom.services'],
        onboardingTasks: [
          { title: 'Schedule the kick-off call', type: 'call', dueInDays: 2 },
          { title: 'Send the onboarding questionnaire', type: 'email', dueInDays: 1 },
          {
            title: 'Collect account access (ads, analytics, CMS)',
            type: 'follow_up',
            dueInDays: 5,
          },
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
    customFields: [
      {
        recordType: 'lead',
        key: 'services',
        label: 'Services',
        type: 'multiselect',
        options: options(
          ['seo', 'SEO'],
          ['ppc', 'PPC / paid ads'],
          ['social', 'Social media'],
          ['web', 'Website'],
          ['content', 'Content'],
        ),
      },
      {
        recordType: 'lead',
        key: 'monthly_budget',
        label: 'Monthly budget',
        type: 'money',
      },
      { recordType: 'company', key: 'current_agency', label: 'Current agency', type: 'text' },
    ],
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
        requiredForConversion: ['value', 'expectedCloseDate', 'companyId'],
        onboardingTasks: [
          { title: 'Send the welcome email', type: 'email', dueInDays: 1 },
          { title: 'Hold the kick-off meeting', type: 'meeting', dueInDays: 7 },
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
    customFields: [
      { recordType: 'lead', key: 'decision_maker', label: 'Decision maker', type: 'text' },
      { recordType: 'lead', key: 'budget_confirmed', label: 'Budget confirmed', type: 'boolean' },
      { recordType: 'contact', key: 'job_title', label: 'Job title', type: 'text' },
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
        requiredForConversion: ['custom.patient_name', 'custom.date_of_birth', 'contact.phone'],
        onboardingTasks: [
          { title: 'Send the financial agreement', type: 'email', dueInDays: 1 },
          { title: 'Schedule the bonding appointment', type: 'call', dueInDays: 2 },
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
    customFields: [
      {
        recordType: 'lead',
        key: 'patient_name',
        label: 'Patient name',
        type: 'text',
        helpText: 'When the patient is not the contact (a child, say)',
      },
      {
        recordType: 'lead',
        key: 'date_of_birth',
        label: 'Date of birth',
        type: 'date',
        sensitive: true,
      },
      {
        recordType: 'lead',
        key: 'relationship',
        label: 'Relationship to patient',
        type: 'select',
        options: options(
          ['self', 'Self'],
          ['parent', 'Parent'],
          ['guardian', 'Guardian'],
          ['other', 'Other'],
        ),
      },
      {
        recordType: 'lead',
        key: 'treatment_interest',
        label: 'Treatment interest',
        type: 'select',
        options: options(
          ['braces', 'Braces'],
          ['clear_aligners', 'Clear aligners'],
          ['retainer', 'Retainer'],
          ['early_treatment', 'Early treatment'],
          ['other', 'Other'],
        ),
      },
      { recordType: 'lead', key: 'insurance', label: 'Insurance', type: 'text' },
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
        requiredForConversion: ['value', 'custom.property_address', 'contact.phone'],
        onboardingTasks: [
          { title: 'Send the job confirmation', type: 'email', dueInDays: 0 },
          { title: 'Confirm the visit the day before', type: 'call', dueInDays: 1 },
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
    customFields: [
      {
        recordType: 'lead',
        key: 'service_type',
        label: 'Service type',
        type: 'select',
        options: options(
          ['repair', 'Repair'],
          ['installation', 'Installation'],
          ['maintenance', 'Maintenance'],
          ['inspection', 'Inspection / estimate'],
          ['emergency', 'Emergency'],
          ['other', 'Other'],
        ),
      },
      { recordType: 'lead', key: 'property_address', label: 'Property address', type: 'text' },
      { recordType: 'lead', key: 'budget', label: 'Budget', type: 'money' },
    ],
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
        requiredForConversion: ['custom.budget', 'custom.pre_approved', 'contact.email'],
        onboardingTasks: [
          { title: 'Set up listing alerts', type: 'email', dueInDays: 1 },
          { title: 'Schedule the buyer consultation', type: 'meeting', dueInDays: 3 },
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
    customFields: [
      { recordType: 'lead', key: 'budget', label: 'Budget', type: 'money' },
      {
        recordType: 'lead',
        key: 'timeline',
        label: 'Timeline',
        type: 'select',
        options: options(
          ['0_3_months', '0–3 months'],
          ['3_6_months', '3–6 months'],
          ['6_12_months', '6–12 months'],
          ['12_plus_months', '12+ months'],
        ),
      },
      { recordType: 'lead', key: 'pre_approved', label: 'Mortgage pre-approved', type: 'boolean' },
      {
        recordType: 'lead',
        key: 'property_type',
        label: 'Property type',
        type: 'select',
        options: options(
          ['house', 'House'],
          ['condo', 'Condo'],
          ['townhouse', 'Townhouse'],
          ['land', 'Land'],
          ['commercial', 'Commercial'],
        ),
      },
    ],
  },
};
