// The workspace: name, time zone, locale, currency, country, business hours and a few rules.
// Saving refreshes the session, so every page formats money and dates the new way at once.
import { zodResolver } from '@hookform/resolvers/zod';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  CloseButton,
  Fieldset,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMemo, useState } from 'react';
import {
  Controller,
  useFieldArray,
  useForm,
  useWatch,
  type Control,
  type FieldErrors,
} from 'react-hook-form';
import { z } from 'zod';
import {
  businessHoursSchema,
  updateWorkspaceBodySchema,
} from '../../../server/modules/workspaces/workspaces.schemas';
import { useSession } from '../../app/session';
import { PageSkeleton, QueryView } from '../../components/ui/screens';
import { ApiError } from '../../lib/api-client';
import { formatDateTime, formatMoney } from '../../lib/format';
import { applyServerErrors } from '../../lib/forms';
import { useUpdateWorkspace, useWorkspace, type Workspace } from './settings-api';
import { SectionHeader } from './settings-ui';

const WEEKDAYS = [
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
] as const;
const DEFAULT_RANGE = { start: '09:00', end: '17:00' };

// Locales people pick most; the workspace's own is always offered too.
const COMMON_LOCALES = [
  'en-US',
  'en-GB',
  'en-CA',
  'en-AU',
  'en-IE',
  'de-DE',
  'de-AT',
  'de-CH',
  'fr-FR',
  'fr-CA',
  'fr-CH',
  'es-ES',
  'es-MX',
  'it-IT',
  'nl-NL',
  'nl-BE',
  'pt-PT',
  'pt-BR',
  'pl-PL',
  'cs-CZ',
  'sv-SE',
  'da-DK',
  'nb-NO',
  'fi-FI',
  'tr-TR',
  'ja-JP',
  'zh-CN',
];

// Business hours as the form edits them: a list of ranges per weekday, Monday first.
const formSchema = updateWorkspaceBodySchema
  .required()
  .omit({ businessHours: true })
  .extend({ hours: z.array(businessHoursSchema.valueType).length(7) });
type FormInput = z.input<typeof formSchema>;
type FormValues = z.output<typeof formSchema>;
const FORM_FIELDS = [
  'name',
  'timeZone',
  'locale',
  'currency',
  'country',
  'agentsOwnLeadsOnly',
  'duplicateSimilarity',
  'hours',
] as const;
// `businessHours.3.0.end` (ISO weekday 3) is the form's `hours.2`.
const FIELD_MAP = Object.fromEntries(
  WEEKDAYS.map((_, index) => [`businessHours.${index + 1}`, `hours.${index}`]),
) as Record<string, `hours.${number}`>;

function toForm(workspace: Workspace): FormInput {
  return {
    name: workspace.name,
    timeZone: workspace.timeZone,
    locale: workspace.locale,
    currency: workspace.currency,
    country: workspace.country,
    agentsOwnLeadsOnly: workspace.agentsOwnLeadsOnly,
    duplicateSimilarity: workspace.duplicateSimilarity,
    hours: WEEKDAYS.map((_, index) => {
      const day = String(index + 1) as keyof Workspace['businessHours'];
      return workspace.businessHours[day] ?? [];
    }),
  };
}

function toBody(values: FormValues) {
  const { hours, ...rest } = values;
  const businessHours = Object.fromEntries(
    hours.flatMap((ranges, index) => (ranges.length > 0 ? [[String(index + 1), ranges]] : [])),
  );
  return { ...rest, businessHours };
}

function displayName(type: 'language' | 'currency', code: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** How money and a date will look with the locale, currency and zone being typed. */
function FormatPreview({ control }: { control: Control<FormInput, unknown, FormValues> }) {
  const [locale, currency, timeZone] = useWatch({
    control,
    name: ['locale', 'currency', 'timeZone'],
  });
  let text: string;
  try {
    text = `${formatMoney(1_250_000, currency.toUpperCase(), locale)} · ${formatDateTime(
      new Date().toISOString(),
      { locale, currency, timeZone },
    )}`;
  } catch {
    text = 'Pick a valid locale, currency and time zone to see an example.';
  }
  return (
    <Text size="sm" data-testid="format-preview">
      <Text span c="dimmed" size="sm">
        Looks like:{' '}
      </Text>
      {text}
    </Text>
  );
}

function DayHours({
  index,
  control,
  errors,
}: {
  index: number;
  control: Control<FormInput, unknown, FormValues>;
  errors: FieldErrors<FormInput>;
}) {
  const day = WEEKDAYS[index] ?? '';
  const { fields, append, remove, replace } = useFieldArray({ control, name: `hours.${index}` });
  const dayErrors = errors.hours?.[index];
  const dayMessage = dayErrors?.message ?? dayErrors?.root?.message;
  return (
    <Group align="start" wrap="nowrap" gap="md" data-testid="business-day">
      <Checkbox
        w={130}
        mt={6}
        label={day}
        checked={fields.length > 0}
        onChange={(event) => replace(event.currentTarget.checked ? [DEFAULT_RANGE] : [])}
        aria-label={`Open on ${day}`}
      />
      <Stack gap={6} style={{ flex: 1 }}>
        {fields.length === 0 && (
          <Text size="sm" c="dimmed" mt={6}>
            Closed
          </Text>
        )}
        {fields.map((field, rangeIndex) => {
          const rangeErrors = dayErrors?.[rangeIndex];
          const which = fields.length > 1 ? ` (${rangeIndex + 1})` : '';
          return (
            <Group key={field.id} gap="xs" wrap="nowrap" align="start">
              <Controller
                control={control}
                name={`hours.${index}.${rangeIndex}.start`}
                render={({ field: input }) => (
                  <TextInput
                    type="time"
                    size="xs"
                    w={120}
                    aria-label={`${day} opens${which}`}
                    {...input}
                    error={rangeErrors?.start?.message}
                  />
                )}
              />
              <Text size="sm" mt={4}>
                –
              </Text>
              <Controller
                control={control}
                name={`hours.${index}.${rangeIndex}.end`}
                render={({ field: input }) => (
                  <TextInput
                    type="time"
                    size="xs"
                    w={120}
                    aria-label={`${day} closes${which}`}
                    {...input}
                    error={rangeErrors?.end?.message}
                  />
                )}
              />
              <CloseButton
                size="sm"
                mt={4}
                aria-label={`Remove ${day} hours${which}`}
                onClick={() => remove(rangeIndex)}
              />
            </Group>
          );
        })}
        {dayMessage && (
          <Text size="xs" c="red.9">
            {dayMessage}
          </Text>
        )}
      </Stack>
      {fields.length > 0 && (
        <Button
          size="compact-xs"
          variant="subtle"
          mt={6}
          onClick={() => append({ start: '13:00', end: '17:00' })}
          aria-label={`Add hours on ${day}`}
        >
          Add hours
        </Button>
      )}
    </Group>
  );
}

function WorkspaceForm({
  workspace,
  update,
  onReload,
}: {
  workspace: Workspace;
  // Owned by the section: a save remounts this form (new version), and the save's callbacks
  // must outlive it.
  update: ReturnType<typeof useUpdateWorkspace>;
  onReload: () => void;
}) {
  const [unmatched, setUnmatched] = useState<string[]>([]);
  const [stale, setStale] = useState(false);
  const form = useForm<FormInput, unknown, FormValues>({
    resolver: zodResolver(formSchema),
    defaultValues: toForm(workspace),
  });
  const errors = form.formState.errors;
  const timeZones = useMemo(() => [...Intl.supportedValuesOf('timeZone'), 'UTC'], []);
  const currencies = useMemo(
    () =>
      Intl.supportedValuesOf('currency').map((code) => ({
        value: code,
        label: `${code} — ${displayName('currency', code)}`,
      })),
    [],
  );
  const locales = useMemo(
    () =>
      [...new Set([workspace.locale, ...COMMON_LOCALES])].map((code) => ({
        value: code,
        label: `${code} — ${displayName('language', code)}`,
      })),
    [workspace.locale],
  );

  const submit = form.handleSubmit((values) => {
    setUnmatched([]);
    setStale(false);
    update.mutate(
      { workspace, changes: toBody(values) },
      {
        onSuccess: () =>
          notifications.show({ color: 'green', message: 'Workspace settings saved' }),
        onError: (error) => {
          if (error instanceof ApiError && error.status === 412) setStale(true);
          const rest = applyServerErrors(error, form.setError, FORM_FIELDS, FIELD_MAP);
          setUnmatched(rest.map((e) => `${e.field}: ${e.message}`));
        },
      },
    );
  });

  const selectField = (
    name: 'timeZone' | 'locale' | 'currency',
    label: string,
    data: { value: string; label: string }[] | string[],
  ) => (
    <Controller
      control={form.control}
      name={name}
      render={({ field }) => (
        <Select
          label={label}
          required
          searchable
          allowDeselect={false}
          limit={50}
          data={data}
          value={field.value}
          onChange={(value) => value && field.onChange(value)}
          onBlur={field.onBlur}
          error={errors[name]?.message}
        />
      )}
    />
  );

  return (
    <form noValidate onSubmit={(event) => void submit(event)}>
      <Stack>
        {stale && (
          <Alert color="orange" title="Changed by someone else">
            <Group justify="space-between">
              <Text size="sm">
                Another admin saved these settings after you opened them. Reload to see their
                version (your changes here are dropped).
              </Text>
              <Button
                size="xs"
                variant="light"
                onClick={() => {
                  setStale(false);
                  onReload();
                }}
              >
                Reload
              </Button>
            </Group>
          </Alert>
        )}
        <Card withBorder>
          <Stack gap="sm">
            <TextInput
              label="Workspace name"
              required
              {...form.register('name')}
              error={errors.name?.message}
            />
            <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
              {selectField('timeZone', 'Time zone', timeZones)}
              {selectField('locale', 'Locale (number and date format)', locales)}
              {selectField('currency', 'Currency', currencies)}
              <TextInput
                label="Country"
                description="Two letters, e.g. DE: phone numbers without a country code are read as this country's"
                required
                maxLength={2}
                {...form.register('country')}
                error={errors.country?.message}
              />
            </SimpleGrid>
            <FormatPreview control={form.control} />
          </Stack>
        </Card>
        <Fieldset legend={`Business hours (${workspace.timeZone})`}>
          <Text size="sm" c="dimmed" mb="sm">
            Schedules such as “3 business days” count only these hours.
          </Text>
          <Stack gap="xs">
            {WEEKDAYS.map((day, index) => (
              <DayHours key={day} index={index} control={form.control} errors={errors} />
            ))}
          </Stack>
        </Fieldset>
        <Card withBorder>
          <Stack gap="sm">
            <Controller
              control={form.control}
              name="agentsOwnLeadsOnly"
              render={({ field }) => (
                <Switch
                  label="Agents see only the leads assigned to them"
                  checked={field.value}
                  onChange={(event) => field.onChange(event.currentTarget.checked)}
                />
              )}
            />
            <Controller
              control={form.control}
              name="duplicateSimilarity"
              render={({ field }) => (
                <NumberInput
                  label="Duplicate name similarity"
                  description="From 0.1 (flag loosely similar names) to 1 (only identical names)"
                  w={320}
                  min={0.1}
                  max={1}
                  step={0.05}
                  decimalScale={2}
                  value={field.value}
                  onChange={(value) => field.onChange(typeof value === 'number' ? value : NaN)}
                  onBlur={field.onBlur}
                  error={errors.duplicateSimilarity?.message}
                />
              )}
            />
          </Stack>
        </Card>
        {unmatched.length > 0 && (
          <Alert color="red" title="Not saved">
            {unmatched.join('; ')}
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={update.isPending}>
            Save workspace
          </Button>
          {form.formState.isDirty && (
            <Button variant="default" onClick={() => form.reset(toForm(workspace))}>
              Discard changes
            </Button>
          )}
        </Group>
      </Stack>
    </form>
  );
}

export function WorkspaceSettings() {
  const { me } = useSession();
  const workspace = useWorkspace(me.workspace.id);
  const update = useUpdateWorkspace();
  return (
    <Stack>
      <SectionHeader
        title="Workspace"
        description="How this business appears and how its numbers, dates and hours are read."
      />
      <QueryView query={workspace} skeleton={<PageSkeleton rows={8} />}>
        {(data) => (
          <WorkspaceForm
            // A reload (or another admin's save) starts the form from the stored values.
            key={data.version}
            workspace={data}
            update={update}
            onReload={() => void workspace.refetch()}
          />
        )}
      </QueryView>
    </Stack>
  );
}
