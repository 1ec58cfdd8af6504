// Template variables: `{{contact.firstName}}` and friends. Pure functions: which variables a
// text uses, which of them we don't know (a 422 before anything is saved), and the text with
// every variable replaced from a lead, its contact, its assignee and the workspace.

export const TEMPLATE_VARIABLES = {
  'contact.firstName': "The contact's first name",
  'contact.lastName': "The contact's last name",
  'contact.fullName': "The contact's first and last name",
  'contact.email': "The contact's first email address",
  'contact.phone': "The contact's first phone number",
  'lead.title': "The lead's title",
  'lead.value': "The lead's value, as money in the workspace's format",
  'lead.stage': "The name of the lead's stage",
  'lead.companyName': 'The company named on the lead',
  'assignee.name': "The name of the lead's owner",
  'assignee.email': "The email address of the lead's owner",
  'workspace.name': 'The name of the business (the workspace)',
} as const;

export type TemplateVariable = keyof typeof TEMPLATE_VARIABLES;
export type TemplateValues = Partial<Record<TemplateVariable, string>>;

const VARIABLE = /\{\{\s*([^{}]*?)\s*\}\}/g;

const isKnown = (name: string): name is TemplateVariable =>
  Object.prototype.hasOwnProperty.call(TEMPLATE_VARIABLES, name);

/** The variables a text names that we don't know, in order of first use. */
export function unknownVariables(text: string): string[] {
  const unknown = new Set<string>();
  for (const match of text.matchAll(VARIABLE)) {
    const name = match[1] ?? '';
    if (!isKnown(name)) unknown.add(name);
  }
  return [...unknown];
}

/** The text with every known variable replaced; one without a value becomes empty. */
export function renderTemplate(text: string, values: TemplateValues): string {
  return text.replace(VARIABLE, (whole, name: string) =>
    isKnown(name) ? (values[name] ?? '') : whole,
  );
}

export function formatMoney(minorUnits: number, currency: string, locale: string): string {
  try {
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(minorUnits / 10 ** digits);
  } catch {
    return `${(minorUnits / 100).toFixed(2)} ${currency}`;
  }
}
