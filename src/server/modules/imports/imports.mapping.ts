// Column mapping of a CSV import: which header feeds which field. Headers are matched after
// normalising them (case, accents, spaces and punctuation dropped), against the column names of
// common CRM exports (HubSpot, Salesforce, Pipedrive, Zoho, SuiteCRM, Odoo, Krayin) and of our own
// exports, then against the workspace's custom fields by key or label. A manual mapping overrides.
import type { CustomFieldRow } from '../../platform/db/schema.js';

export const IMPORT_ENTITIES = ['leads', 'contacts', 'companies'] as const;
export type ImportEntity = (typeof IMPORT_ENTITIES)[number];

const CONTACT_TARGETS = [
  'firstName',
  'lastName',
  'fullName',
  'email',
  'phone',
  'mobilePhone',
  'street',
  'city',
  'region',
  'postalCode',
  'country',
  'notes',
  'tags',
  'preferredChannel',
  'preferredTime',
  'optInEmail',
  'optInSms',
  'doNotContact',
] as const;

const LEAD_TARGETS = [
  'title',
  'description',
  'companyName',
  'source',
  'sourceCampaign',
  'sourceDetail',
  'value',
  'currency',
  'probability',
  'priority',
  'expectedCloseDate',
  'assignee',
  'stage',
  'outcome',
  'converted',
  'lostReason',
  'contactStatus',
  'createdAt',
] as const;

const COMPANY_TARGETS = [
  'name',
  'type',
  'website',
  'industry',
  'phone',
  'street',
  'city',
  'region',
  'postalCode',
  'country',
] as const;

export type BuiltInTarget =
  | 'externalId'
  | (typeof CONTACT_TARGETS)[number]
  | (typeof LEAD_TARGETS)[number]
  | (typeof COMPANY_TARGETS)[number]
  | 'lifecycleStage';
/** A built-in field, a custom field (`custom:<key>`), or `ignore`. */
export type ImportTarget = BuiltInTarget | `custom:${string}` | 'ignore';

/** The built-in targets of each entity, in the order the UI lists them. */
export const TARGETS_OF: Record<ImportEntity, readonly BuiltInTarget[]> = {
  leads: ['externalId', ...LEAD_TARGETS, ...CONTACT_TARGETS.filter((t) => t !== 'tags'), 'tags'],
  contacts: ['externalId', ...CONTACT_TARGETS, 'companyName', 'lifecycleStage', 'createdAt'],
  companies: ['externalId', ...COMPANY_TARGETS, 'notes', 'createdAt'],
};

/** Targets that take several columns (each adds values); the others take the first column. */
export const MULTI_COLUMN_TARGETS = new Set<string>(['email', 'phone', 'mobilePhone', 'tags']);

/** "First Name", "first_name", "FirstName" and "Prénom" all become "firstname"/"prenom". */
export function normaliseHeader(header: string): string {
  return header
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[^a-z0-9]/g, '');
}

// Known column names (normalised) per target. Lists are ordered by how sure the match is only
// where one header could mean two things; see AMBIGUOUS below.
const COMMON: Partial<Record<BuiltInTarget, string[]>> = {
  externalId: ['id', 'recordid', 'externalid', 'leadid', 'contactid', 'companyid', 'accountid'],
  firstName: ['firstname', 'givenname', 'fname', 'forename', 'contactfirstname', 'vorname'],
  lastName: ['lastname', 'surname', 'familyname', 'lname', 'contactlastname', 'nachname'],
  fullName: ['fullname', 'contactname', 'personname', 'contact', 'contactperson', 'person'],
  email: [
    'email',
    'emailaddress',
    'emails',
    'email1',
    'primaryemail',
    'emailfrom',
    'workemail',
    'businessemail',
    'contactemail',
    'otheremails',
    'nonprimaryemails',
    'secondaryemail',
    'email2',
  ],
  phone: [
    'phone',
    'phonenumber',
    'officephone',
    'workphone',
    'businessphone',
    'telephone',
    'tel',
    'primaryphone',
    'contactnumber',
    'contactnumbers',
    'homephone',
    'otherphone',
    'otherphones',
    'phonee164',
    'phone1',
    'phone2',
    'telefon',
  ],
  mobilePhone: ['mobile', 'mobilephone', 'mobilenumber', 'mobileno', 'cell', 'cellphone', 'handy'],
  street: [
    'street',
    'address',
    'streetaddress',
    'address1',
    'addressline1',
    'primaryaddressstreet',
    'mailingstreet',
    'billingstreet',
    'strasse',
  ],
  city: ['city', 'town', 'primaryaddresscity', 'mailingcity', 'billingcity', 'ort', 'stadt'],
  region: [
    'state',
    'region',
    'province',
    'county',
    'stateprovince',
    'primaryaddressstate',
    'mailingstate',
    'billingstate',
  ],
  postalCode: [
    'zip',
    'zipcode',
    'postalcode',
    'postcode',
    'plz',
    'primaryaddresspostalcode',
    'mailingpostalcode',
    'mailingzip',
    'billingpostalcode',
  ],
  country: [
    'country',
    'countrycode',
    'countryregion',
    'primaryaddresscountry',
    'mailingcountry',
    'billingcountry',
    'land',
  ],
  notes: ['notes', 'note', 'remarks'],
  tags: ['tags', 'tag', 'labels', 'label', 'categories'],
  preferredChannel: ['preferredchannel', 'preferredcontactmethod'],
  preferredTime: ['preferredtime', 'besttimetocall', 'besttime'],
  optInEmail: ['emailoptin', 'optinemail', 'marketingemailoptin', 'emailconsent'],
  optInSms: ['smsoptin', 'optinsms', 'smsconsent'],
  doNotContact: ['donotcontact', 'donotcall', 'dnc'],
  createdAt: [
    'created',
    'createdtime',
    'createddate',
    'createdat',
    'datecreated',
    'createdon',
    'createdate',
    'leadcreateddate',
    'creationdate',
  ],
};

const LEADS: Partial<Record<BuiltInTarget, string[]>> = {
  externalId: ['prospectid', 'xmlid', 'leadnumber', 'dealid', 'opportunityid'],
  title: [
    'title',
    'leadtitle',
    'leadname',
    'subject',
    'opportunityname',
    'opportunity',
    'dealname',
    'dealtitle',
    'topic',
  ],
  description: [
    'description',
    'details',
    'message',
    'comments',
    'comment',
    'inquiry',
    'enquiry',
    'leaddescription',
    'notes',
  ],
  companyName: [
    'company',
    'companyname',
    'accountname',
    'account',
    'organization',
    'organisation',
    'organizationname',
    'organisationname',
    'partnername',
    'business',
    'businessname',
    'firma',
  ],
  source: ['leadsource', 'source', 'sourcename', 'channel', 'originalsource', 'herkunft'],
  sourceCampaign: ['campaign', 'campaignname', 'sourcecampaign', 'utmcampaign'],
  sourceDetail: [
    'sourcedetail',
    'leadsourcedescription',
    'leadorigin',
    'medium',
    'utmmedium',
    'utmsource',
    'referredby',
  ],
  value: [
    'value',
    'amount',
    'leadvalue',
    'dealvalue',
    'dealamount',
    'expectedrevenue',
    'opportunityamount',
    'budget',
  ],
  currency: ['currency', 'currencycode', 'currencyisocode'],
  probability: ['probability', 'probabilitypercent', 'winprobability'],
  priority: ['priority', 'rating', 'leadrating'],
  expectedCloseDate: [
    'expectedclosedate',
    'expectedclose',
    'closedate',
    'expectedclosingdate',
    'closingdate',
  ],
  assignee: [
    'assignee',
    'assignedto',
    'assigneduser',
    'assignedusername',
    'leadowner',
    'owner',
    'ownername',
    'dealowner',
    'contactowner',
    'salesperson',
    'salesrep',
  ],
  stage: ['stage', 'pipelinestage', 'dealstage', 'leadstage', 'stagename'],
  outcome: ['leadstatus', 'status', 'outcome', 'result'],
  converted: ['converted', 'isconverted', 'won', 'iswon'],
  lostReason: ['lostreason', 'reasonlost', 'lossreason', 'closedlostreason', 'lostreasons'],
  contactStatus: ['contactstatus'],
};

const CONTACTS: Partial<Record<BuiltInTarget, string[]>> = {
  companyName: ['company', 'companyname', 'accountname', 'organization', 'organisation'],
  lifecycleStage: ['lifecyclestage', 'lifecycle'],
  notes: ['description'],
};

const COMPANIES: Partial<Record<BuiltInTarget, string[]>> = {
  name: [
    'name',
    'companyname',
    'company',
    'accountname',
    'account',
    'organization',
    'organisation',
    'organizationname',
    'businessname',
  ],
  type: ['type', 'companytype', 'accounttype'],
  website: ['website', 'web', 'url', 'domain', 'companywebsite', 'homepage'],
  industry: ['industry', 'sector', 'branche'],
  phone: COMMON.phone ?? [],
  notes: ['description'],
};

// A header that means one field when that field has no better column, else another: a leads
// file's "name" is the contact's name next to a "title", but the lead's title next to a
// "contact_name" (Odoo).
const AMBIGUOUS: Record<ImportEntity, Record<string, BuiltInTarget[]>> = {
  leads: { name: ['fullName', 'title'] },
  contacts: { name: ['fullName'] },
  companies: {},
};

function synonymsOf(entity: ImportEntity): Map<string, BuiltInTarget> {
  const byHeader = new Map<string, BuiltInTarget>();
  const own = entity === 'leads' ? LEADS : entity === 'contacts' ? CONTACTS : COMPANIES;
  const allowed = new Set<string>(TARGETS_OF[entity]);
  // The entity's own names win over the common ones (a leads file's "notes" is its description).
  for (const table of [own, COMMON]) {
    for (const [target, names] of Object.entries(table) as [BuiltInTarget, string[]][]) {
      if (!allowed.has(target)) continue;
      for (const name of names) if (!byHeader.has(name)) byHeader.set(name, target);
    }
  }
  return byHeader;
}

export interface ColumnMapping {
  /** The column's header as in the file (made unique: a repeated header gets " (2)"). */
  header: string;
  target: ImportTarget;
}

/** Headers made unique and non-empty, so a mapping can name each column. */
export function uniqueHeaders(raw: string[]): string[] {
  const seen = new Map<string, number>();
  return raw.map((header, index) => {
    const base = header.trim() || `Column ${index + 1}`;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base} (${count})`;
  });
}

/**
 * The detected mapping of a file's headers: known column names first, then custom fields by
 * key or label; a single-column target goes to its first column only, the rest are ignored.
 */
export function detectMapping(
  entity: ImportEntity,
  headers: string[],
  customFields: Pick<CustomFieldRow, 'key' | 'label'>[],
): ColumnMapping[] {
  const synonyms = synonymsOf(entity);
  const custom = new Map<string, string>();
  for (const field of customFields) {
    custom.set(normaliseHeader(field.key), field.key);
    custom.set(normaliseHeader(field.label), field.key);
  }
  const targets: ImportTarget[] = headers.map(() => 'ignore');
  const taken = new Set<string>();
  const take = (index: number, target: ImportTarget) => {
    if (!MULTI_COLUMN_TARGETS.has(target) && taken.has(target)) return false;
    targets[index] = target;
    taken.add(target);
    return true;
  };
  // Custom fields first: a workspace's own field named like a built-in column means that field.
  headers.forEach((header, index) => {
    const key = custom.get(normaliseHeader(header));
    if (key) take(index, `custom:${key}`);
  });
  headers.forEach((header, index) => {
    if (targets[index] !== 'ignore') return;
    const target = synonyms.get(normaliseHeader(header));
    if (target) take(index, target);
  });
  headers.forEach((header, index) => {
    if (targets[index] !== 'ignore') return;
    for (const target of AMBIGUOUS[entity][normaliseHeader(header)] ?? []) {
      if (take(index, target)) break;
    }
  });
  return headers.map((header, index) => ({ header, target: targets[index] ?? 'ignore' }));
}

/** A custom field key made from a header: lowercase letters, digits and _, starting with a letter. */
export function customFieldKeyOf(header: string, taken: Set<string>): string {
  const base =
    header
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/ß/g, 'ss')
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .replace(/^(?=[^a-z])/, 'f_')
      .slice(0, 56) || 'field';
  let key = base;
  for (let n = 2; taken.has(key); n += 1) key = `${base}_${n}`;
  taken.add(key);
  return key;
}

/** Whether a target exists for the entity (custom targets are checked against the fields). */
export function isKnownTarget(
  entity: ImportEntity,
  target: string,
  customKeys: Set<string>,
): target is ImportTarget {
  if (target === 'ignore') return true;
  if (target.startsWith('custom:')) return customKeys.has(target.slice('custom:'.length));
  return (TARGETS_OF[entity] as readonly string[]).includes(target);
}
