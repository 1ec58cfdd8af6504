// Pieces the contact and company pages share: labelled values, custom fields (shown and
// edited), addresses, a record's leads, its activity, and the alerts a save may answer with.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  MultiSelect,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { stageIndex, usePipelines } from '../../../app/reference-data';
import { errorMessage } from '../../../app/query-client';
import { useSession } from '../../../app/session';
import { PageSkeleton } from '../../../components/ui/screens';
import { ApiError } from '../../../lib/api-client';
import { parseMoney } from '../../../lib/format';
import { asText, isMasked, showCustomValue } from '../../../lib/custom-values';
import { humanize } from '../../../lib/labels';
import type { CustomField, DuplicateCandidate } from '../../../lib/types';
import { useRecordLeads, type RecordLink } from '../api/contacts-api';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Downloads the list as the server's CSV export, with the list's current filters. */
export function ExportCsvButton({
  entity,
  filters,
}: {
  entity: 'contacts' | 'companies';
  /** The list's filters by query parameter name (ContactFilters, CompanyFilters). */
  filters: object;
}) {
  const query = new URLSearchParams(
    Object.entries(filters as Record<string, unknown>).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '',
    ),
  );
  return (
    <Button component="a" variant="default" href={`/api/exports/${entity}.csv?${query}`} download>
      Export CSV
    </Button>
  );
}

export function InfoItem({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" component="div" style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </div>
  );
}

/** A card that is a labelled section of the page. */
export function SectionCard({
  id,
  title,
  actions,
  children,
}: {
  id: string;
  title: string;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <Card withBorder component="section" aria-labelledby={id}>
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4" id={id}>
          {title}
        </Title>
        {actions}
      </Group>
      {children}
    </Card>
  );
}

export function yesNo(value: boolean): string {
  return value ? 'Yes' : 'No';
}

// ---- Addresses ----

export interface AddressValue {
  street?: string | undefined;
  postalCode?: string | undefined;
  city?: string | undefined;
  region?: string | undefined;
  country?: string | undefined;
}

export const ADDRESS_PARTS = ['street', 'postalCode', 'city', 'region', 'country'] as const;
export type AddressForm = Record<(typeof ADDRESS_PARTS)[number], string>;

const ADDRESS_LABELS: Record<(typeof ADDRESS_PARTS)[number], string> = {
  street: 'Street',
  postalCode: 'Postal code',
  city: 'City',
  region: 'Region',
  country: 'Country',
};

export function AddressView({ address }: { address: AddressValue | null }) {
  if (!address) return <>—</>;
  const cityLine = [address.postalCode, address.city].filter(Boolean).join(' ');
  const lines = [address.street, cityLine, address.region, address.country].filter(Boolean);
  if (lines.length === 0) return <>—</>;
  return (
    <>
      {lines.map((line) => (
        <div key={line}>{line}</div>
      ))}
    </>
  );
}

export function addressToForm(address: AddressValue | null): AddressForm {
  return {
    street: address?.street ?? '',
    postalCode: address?.postalCode ?? '',
    city: address?.city ?? '',
    region: address?.region ?? '',
    country: address?.country ?? '',
  };
}

/** The address to send: only the parts filled in, or null when none is. */
export function addressFromForm(form: Partial<AddressForm>): AddressValue | null {
  const address: AddressValue = {};
  for (const part of ADDRESS_PARTS) {
    const value = form[part]?.trim();
    if (value) address[part] = value;
  }
  return Object.keys(address).length > 0 ? address : null;
}

/** The address inputs; `inputProps(part)` registers each on the caller's form. */
export function AddressInputs({
  legend,
  inputProps,
  errorOf,
}: {
  legend: string;
  inputProps: (part: (typeof ADDRESS_PARTS)[number]) => object;
  errorOf: (part: (typeof ADDRESS_PARTS)[number]) => string | undefined;
}) {
  return (
    <Stack gap={4} component="fieldset" style={{ border: 0, padding: 0, margin: 0 }}>
      <Text component="legend" size="sm" fw={500}>
        {legend}
      </Text>
      <TextInput label="Street" {...inputProps('street')} error={errorOf('street')} />
      <Group grow align="start">
        <TextInput
          label={ADDRESS_LABELS.postalCode}
          {...inputProps('postalCode')}
          error={errorOf('postalCode')}
        />
        <TextInput label={ADDRESS_LABELS.city} {...inputProps('city')} error={errorOf('city')} />
      </Group>
      <Group grow align="start">
        <TextInput
          label={ADDRESS_LABELS.region}
          {...inputProps('region')}
          error={errorOf('region')}
        />
        <TextInput
          label={ADDRESS_LABELS.country}
          {...inputProps('country')}
          error={errorOf('country')}
        />
      </Group>
    </Stack>
  );
}

// ---- Custom fields ----

export function CustomFieldItems({
  fields,
  values,
}: {
  fields: CustomField[] | undefined;
  values: Record<string, unknown>;
}) {
  const { money, date } = useSession();
  return (
    <>
      {(fields ?? []).map((field) => {
        const value = values[field.key];
        if (value === undefined) return null;
        return (
          <InfoItem key={field.id} label={field.label}>
            {showCustomValue(field, value, { money, date })}
          </InfoItem>
        );
      })}
    </>
  );
}

/** What a custom field holds while it is edited: text, a checkbox, or chosen options. */
export type CustomFormValue = string | boolean | string[];

/** Minor units as a plain number to edit (`12500,5` in de-DE), as parseMoney reads it back. */
export function moneyInputText(minor: number, format: { locale: string; currency: string }) {
  const digits =
    new Intl.NumberFormat(format.locale, {
      style: 'currency',
      currency: format.currency,
    }).resolvedOptions().maximumFractionDigits ?? 2;
  return new Intl.NumberFormat(format.locale, {
    useGrouping: false,
    maximumFractionDigits: digits,
  }).format(minor / 10 ** digits);
}

/** Form values for the record's custom fields; a hidden (masked) value starts empty. */
export function customFieldsToForm(
  fields: CustomField[] | undefined,
  values: Record<string, unknown>,
  toMoneyText: (minor: number) => string,
): Record<string, CustomFormValue> {
  const form: Record<string, CustomFormValue> = {};
  for (const field of fields ?? []) {
    const value = values[field.key];
    if (field.type === 'boolean') form[field.key] = value === true;
    else if (field.type === 'multiselect') form[field.key] = Array.isArray(value) ? value : [];
    else if (value === undefined || isMasked(value)) form[field.key] = '';
    else if (field.type === 'money' && typeof value === 'number')
      form[field.key] = toMoneyText(value);
    else form[field.key] = asText(value);
  }
  return form;
}

/** The custom field changes to send: only the keys that changed; a cleared one is null. */
export function customFieldsChanges(
  fields: CustomField[] | undefined,
  initial: Record<string, CustomFormValue>,
  current: Record<string, CustomFormValue> | undefined,
  money: { currency: string; locale: string },
): Record<string, string | number | boolean | string[] | null> {
  const changes: Record<string, string | number | boolean | string[] | null> = {};
  for (const field of fields ?? []) {
    const before = initial[field.key];
    const after = current?.[field.key];
    if (after === undefined || JSON.stringify(before) === JSON.stringify(after)) continue;
    if (typeof after === 'boolean' || Array.isArray(after)) {
      changes[field.key] = after;
      continue;
    }
    const text = after.trim();
    if (text === '') changes[field.key] = null;
    else if (field.type === 'number') changes[field.key] = Number(text.replace(',', '.'));
    else if (field.type === 'money')
      changes[field.key] = parseMoney(text, money.currency, money.locale) ?? text;
    else changes[field.key] = text;
  }
  return changes;
}

/** One input per custom field, controlled by the caller's form. */
export function CustomFieldInputs({
  fields,
  values,
  hidden,
  onChange,
  errorOf,
}: {
  fields: CustomField[] | undefined;
  values: Record<string, CustomFormValue> | undefined;
  /** Keys whose value is set but hidden from this role. */
  hidden: ReadonlySet<string>;
  onChange: (key: string, value: CustomFormValue) => void;
  errorOf: (key: string) => string | undefined;
}) {
  const { format } = useSession();
  if (!fields || fields.length === 0) return null;
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
      {fields.map((field) => {
        const value = values?.[field.key];
        const common = {
          label: field.label,
          description: field.helpText || undefined,
          error: errorOf(field.key),
          required: field.required,
        };
        const text = typeof value === 'string' ? value : '';
        switch (field.type) {
          case 'boolean':
            return (
              <Checkbox
                key={field.id}
                mt="lg"
                label={field.label}
                error={errorOf(field.key)}
                checked={value === true}
                onChange={(event) => onChange(field.key, event.currentTarget.checked)}
              />
            );
          case 'select':
            return (
              <Select
                key={field.id}
                {...common}
                clearable
                data={field.options}
                value={text || null}
                onChange={(next) => onChange(field.key, next ?? '')}
              />
            );
          case 'multiselect':
            return (
              <MultiSelect
                key={field.id}
                {...common}
                data={field.options}
                value={Array.isArray(value) ? value : []}
                onChange={(next) => onChange(field.key, next)}
              />
            );
          case 'long_text':
            return (
              <Textarea
                key={field.id}
                {...common}
                autosize
                minRows={2}
                placeholder={hidden.has(field.key) ? 'Hidden — type to replace' : undefined}
                value={text}
                onChange={(event) => onChange(field.key, event.currentTarget.value)}
              />
            );
          case 'text':
          case 'number':
          case 'money':
          case 'date':
          case 'email':
          case 'phone':
          case 'url':
            return (
              <TextInput
                key={field.id}
                {...common}
                label={field.type === 'money' ? `${field.label} (${format.currency})` : field.label}
                type={
                  field.type === 'date'
                    ? 'date'
                    : field.type === 'email'
                      ? 'email'
                      : field.type === 'url'
                        ? 'url'
                        : field.type === 'phone'
                          ? 'tel'
                          : 'text'
                }
                inputMode={
                  field.type === 'number' || field.type === 'money' ? 'decimal' : undefined
                }
                placeholder={hidden.has(field.key) ? 'Hidden — type to replace' : undefined}
                value={text}
                onChange={(event) => onChange(field.key, event.currentTarget.value)}
              />
            );
        }
      })}
    </SimpleGrid>
  );
}

// ---- Alerts a save may answer with ----

/** 412: someone else saved first. The form keeps what was typed; reload shows theirs. */
export function VersionConflictAlert({
  what,
  onReload,
  reloading,
}: {
  what: string;
  onReload: () => void;
  reloading: boolean;
}) {
  return (
    <Alert color="orange" title="Changed by someone else" role="alert">
      <Text size="sm">
        Someone else saved this {what} while you were editing it, so your changes were not saved.
        Your changes are still in the form. Reload to see the latest version, then make your changes
        again.
      </Text>
      <Button
        mt="xs"
        size="xs"
        variant="light"
        color="orange"
        onClick={onReload}
        loading={reloading}
      >
        Reload the latest version
      </Button>
    </Alert>
  );
}

/** 409: a contact with the same email or phone exists; link to it, or save anyway. */
export function DuplicateContactAlert({
  candidates,
  proceedLabel,
  onProceed,
}: {
  candidates: DuplicateCandidate[];
  proceedLabel: string;
  onProceed: () => void;
}) {
  return (
    <Alert color="orange" title="This email or phone belongs to another contact" role="alert">
      <Stack gap={4}>
        {candidates.map((candidate) => (
          <Text size="sm" key={candidate.id}>
            <Anchor component={Link} to={`/contacts/${candidate.id}`} underline="always">
              {candidate.name || 'Unnamed contact'}
            </Anchor>{' '}
            — same {candidate.matchedOn.map((m) => m.replace(':', ' ')).join(', ')}
          </Text>
        ))}
        <Group mt={4}>
          <Button size="xs" variant="default" onClick={onProceed}>
            {proceedLabel}
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}

export function duplicateCandidatesOf(error: unknown): DuplicateCandidate[] | null {
  if (!(error instanceof ApiError) || error.status !== 409) return null;
  const candidates = error.problem?.candidates;
  return Array.isArray(candidates) ? (candidates as DuplicateCandidate[]) : null;
}

export function isVersionConflict(error: unknown): boolean {
  return error instanceof ApiError && error.status === 412;
}

/** A part of a page that could not load: the reason and a way to try again. */
export function InlineError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  return (
    <Alert color="red" title="Could not load this part" role="alert">
      <Text size="sm">{errorMessage(error)}</Text>
      <Button mt="xs" size="xs" variant="light" color="red" onClick={onRetry}>
        Try again
      </Button>
    </Alert>
  );
}

// ---- A record's leads and activity ----

export function LeadStatusBadge({ status }: { status: string }) {
  return (
    <Badge
      size="sm"
      variant="light"
      color={status === 'won' ? 'teal' : status === 'lost' ? 'red' : 'blue'}
    >
      {humanize(status)}
    </Badge>
  );
}

/** The leads of a contact or a company, each linking to its lead page. */
export function RecordLeadsCard({ link, empty }: { link: RecordLink; empty: string }) {
  const leads = useRecordLeads(link);
  const pipelines = usePipelines();
  const { money, relative } = useSession();
  const stages = stageIndex(pipelines.data);
  const items = leads.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <SectionCard id="record-leads-title" title="Leads">
      {leads.isPending ? (
        <PageSkeleton rows={2} />
      ) : leads.isError ? (
        <InlineError error={leads.error} onRetry={() => void leads.refetch()} />
      ) : items.length === 0 ? (
        <Text size="sm" c="dimmed">
          {empty}
        </Text>
      ) : (
        <>
          <Table verticalSpacing={4} aria-labelledby="record-leads-title">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Lead</Table.Th>
                <Table.Th>Stage</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th ta="right">Value</Table.Th>
                <Table.Th>Created</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((lead) => (
                <Table.Tr key={lead.id} data-testid="record-lead-row">
                  <Table.Td>
                    <Anchor component={Link} to={`/leads/${lead.id}`} size="sm" fw={500}>
                      {lead.title}
                    </Anchor>
                    {lead.archived && (
                      <Badge size="xs" color="gray" ml={6}>
                        Archived
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{stages.get(lead.stageId)?.name ?? '—'}</Text>
                  </Table.Td>
                  <Table.Td>
                    <LeadStatusBadge status={lead.status} />
                  </Table.Td>
                  <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                    <Text size="sm">{money(lead.value, lead.currency)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{relative(lead.createdAt)}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {leads.hasNextPage && (
            <Button
              mt="xs"
              size="xs"
              variant="subtle"
              loading={leads.isFetchingNextPage}
              onClick={() => void leads.fetchNextPage()}
            >
              Show more leads
            </Button>
          )}
        </>
      )}
    </SectionCard>
  );
}
