// Editing a contact: every field the API takes, validated in the browser by the server's own
// schema pieces, sent as a PATCH of what changed with If-Match. A 422 lands on its fields, a
// duplicate email or phone (409) names the other contact, and a version conflict (412) says so
// and offers to reload; the form keeps what was typed in every case.
import { zodResolver } from '@hookform/resolvers/zod';
import {
  ActionIcon,
  Alert,
  Button,
  Checkbox,
  Group,
  Select,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMemo, useState } from 'react';
import { Controller, useFieldArray, useForm, useWatch, type Path } from 'react-hook-form';
import { z } from 'zod';
import { addressSchema } from '../../../../server/modules/companies/companies.schemas';
import { updateContactBodySchema } from '../../../../server/modules/contacts/contacts.schemas';
import { useSession } from '../../../app/session';
import { applyServerErrors } from '../../../lib/forms';
import { humanize } from '../../../lib/labels';
import type { Contact, CustomField, DuplicateCandidate } from '../../../lib/types';
import { useContactActions } from '../api/contacts-api';
import {
  ADDRESS_PARTS,
  AddressInputs,
  CustomFieldInputs,
  DuplicateContactAlert,
  VersionConflictAlert,
  addressFromForm,
  addressToForm,
  customFieldsChanges,
  customFieldsToForm,
  duplicateCandidatesOf,
  isVersionConflict,
  moneyInputText,
} from './record-parts';
import {
  EMAIL_ENTRY,
  EMAIL_SCHEMA,
  LIFECYCLE_STAGES,
  PHONE_ENTRY,
  PHONE_SCHEMA,
  PREFERRED_CHANNELS,
} from './contact-schemas';
import { CompanySelect } from './record-pickers';

const shape = updateContactBodySchema.shape;

const contactFormSchema = z.object({
  firstName: shape.firstName.unwrap(),
  lastName: shape.lastName.unwrap(),
  emails: z.array(z.object({ value: EMAIL_SCHEMA, label: EMAIL_ENTRY.label })).max(10),
  phones: z.array(z.object({ value: PHONE_SCHEMA, label: PHONE_ENTRY.label })).max(10),
  address: addressSchema,
  preferredChannel: shape.preferredChannel.unwrap(),
  preferredTime: shape.preferredTime.unwrap(),
  lifecycleStage: shape.lifecycleStage.unwrap(),
  tags: shape.tags.unwrap(),
  optInEmail: z.boolean(),
  optInSms: z.boolean(),
  doNotContact: z.boolean(),
  notes: shape.notes.unwrap(),
  companyId: z.string(),
  customFields: z.record(z.string(), z.union([z.string(), z.boolean(), z.array(z.string())])),
});
type ContactFormInput = z.input<typeof contactFormSchema>;
type ContactFormValues = z.output<typeof contactFormSchema>;

function toForm(
  contact: Contact,
  fields: CustomField[] | undefined,
  moneyText: (minor: number) => string,
): ContactFormInput {
  return {
    firstName: contact.firstName,
    lastName: contact.lastName,
    emails: contact.emails.map((e) => ({ value: e.value, label: e.label })),
    phones: contact.phones.map((p) => ({ value: p.value, label: p.label })),
    address: addressToForm(contact.address),
    preferredChannel: contact.preferredChannel,
    preferredTime: contact.preferredTime,
    lifecycleStage: contact.lifecycleStage,
    tags: contact.tags,
    optInEmail: contact.optInEmail,
    optInSms: contact.optInSms,
    doNotContact: contact.doNotContact,
    notes: contact.notes,
    companyId: contact.companyId ?? '',
    customFields: customFieldsToForm(fields, contact.customFields, moneyText),
  };
}

/** The PATCH body: the fields whose value differs from the contact as loaded. */
function changesOf(contact: Contact, values: ContactFormValues): Record<string, unknown> {
  const next: Record<string, unknown> = {
    firstName: values.firstName,
    lastName: values.lastName,
    emails: values.emails.filter((e) => e.value !== ''),
    phones: values.phones.filter((p) => p.value !== ''),
    address: addressFromForm(values.address),
    preferredChannel: values.preferredChannel,
    preferredTime: values.preferredTime,
    lifecycleStage: values.lifecycleStage,
    tags: values.tags,
    optInEmail: values.optInEmail,
    optInSms: values.optInSms,
    doNotContact: values.doNotContact,
    notes: values.notes,
    companyId: values.companyId || null,
  };
  const before: Record<string, unknown> = {
    ...contact,
    emails: contact.emails.map((e) => ({ value: e.value, label: e.label })),
    phones: contact.phones.map((p) => ({ value: p.value, label: p.label })),
  };
  return Object.fromEntries(
    Object.entries(next).filter(
      ([key, value]) => JSON.stringify(value) !== JSON.stringify(before[key] ?? null),
    ),
  );
}

export function ContactForm({
  contact: loaded,
  customFields,
  companyName,
  onDone,
  onReload,
}: {
  contact: Contact;
  customFields: CustomField[] | undefined;
  companyName: string | undefined;
  onDone: () => void;
  onReload: () => Promise<Contact | undefined>;
}) {
  const { format } = useSession();
  const { update } = useContactActions();
  // The version the form was opened with: a refetch meanwhile must not hide someone else's save.
  const [contact, setContact] = useState(loaded);
  const moneyText = (minor: number) => moneyInputText(minor, format);
  const initial = toForm(contact, customFields, moneyText);
  const form = useForm<ContactFormInput, unknown, ContactFormValues>({
    resolver: zodResolver(contactFormSchema),
    defaultValues: initial,
  });
  const emails = useFieldArray({ control: form.control, name: 'emails' });
  const phones = useFieldArray({ control: form.control, name: 'phones' });
  const custom = useWatch({ control: form.control, name: 'customFields' });
  const [unmatched, setUnmatched] = useState<string[]>([]);
  const [duplicates, setDuplicates] = useState<DuplicateCandidate[] | null>(null);
  const [conflict, setConflict] = useState(false);
  const [reloading, setReloading] = useState(false);
  const hidden = useMemo(
    () =>
      new Set(
        Object.entries(contact.customFields)
          .filter(([, value]) => typeof value === 'object' && !Array.isArray(value))
          .map(([key]) => key),
      ),
    [contact.customFields],
  );
  const errors = form.formState.errors;

  const formFields: Path<ContactFormInput>[] = [
    'firstName',
    'lastName',
    'emails',
    'phones',
    'address',
    ...ADDRESS_PARTS.map((part) => `address.${part}` as const),
    'preferredChannel',
    'preferredTime',
    'lifecycleStage',
    'tags',
    'optInEmail',
    'optInSms',
    'doNotContact',
    'notes',
    'companyId',
    ...emails.fields.map((_, i) => `emails.${i}.value` as const),
    ...phones.fields.map((_, i) => `phones.${i}.value` as const),
    ...(customFields ?? []).map((f) => `customFields.${f.key}` as const),
  ];
  // The API names an email or phone by its index (`emails.0`), the form by its input.
  const fieldMap: Record<string, Path<ContactFormInput>> = Object.fromEntries([
    ...emails.fields.map((_, i) => [`emails.${i}`, `emails.${i}.value`] as const),
    ...phones.fields.map((_, i) => [`phones.${i}`, `phones.${i}.value`] as const),
  ]);

  const save = (allowDuplicate: boolean) =>
    form.handleSubmit((values) => {
      setUnmatched([]);
      setDuplicates(null);
      setConflict(false);
      const changes = changesOf(contact, values);
      const customChanges = customFieldsChanges(
        customFields,
        initial.customFields,
        values.customFields,
        format,
      );
      if (Object.keys(customChanges).length > 0) changes.customFields = customChanges;
      if (Object.keys(changes).length === 0) {
        onDone();
        return;
      }
      update.mutate(
        { contact, changes: allowDuplicate ? { ...changes, allowDuplicate } : changes },
        {
          onSuccess: () => {
            notifications.show({ color: 'green', message: 'Contact saved' });
            onDone();
          },
          onError: (error) => {
            const candidates = duplicateCandidatesOf(error);
            if (candidates) return setDuplicates(candidates);
            if (isVersionConflict(error)) return setConflict(true);
            const rest = applyServerErrors(error, form.setError, formFields, fieldMap);
            setUnmatched(rest.map((e) => `${e.field}: ${e.message}`));
          },
        },
      );
    });

  const reload = async () => {
    setReloading(true);
    try {
      const fresh = await onReload();
      if (fresh) {
        setContact(fresh);
        form.reset(toForm(fresh, customFields, moneyText));
        setConflict(false);
      }
    } finally {
      setReloading(false);
    }
  };

  return (
    <form noValidate onSubmit={(event) => void save(false)(event)} aria-label="Edit contact">
      <Stack gap="sm">
        <Group grow align="start">
          <TextInput
            label="First name"
            {...form.register('firstName')}
            error={errors.firstName?.message}
          />
          <TextInput
            label="Last name"
            {...form.register('lastName')}
            error={errors.lastName?.message}
          />
        </Group>

        <Stack gap={4}>
          <Text size="sm" fw={500}>
            Emails
          </Text>
          {emails.fields.map((row, index) => (
            <Group key={row.id} align="start" wrap="nowrap">
              <TextInput
                style={{ flex: 2 }}
                type="email"
                aria-label={`Email ${index + 1}`}
                {...form.register(`emails.${index}.value`)}
                error={errors.emails?.[index]?.value?.message}
              />
              <TextInput
                style={{ flex: 1 }}
                aria-label={`Email ${index + 1} label`}
                placeholder="Label (work, home)"
                {...form.register(`emails.${index}.label`)}
                error={errors.emails?.[index]?.label?.message}
              />
              <ActionIcon
                variant="subtle"
                color="gray"
                size="lg"
                aria-label={`Remove email ${index + 1}`}
                onClick={() => emails.remove(index)}
              >
                ×
              </ActionIcon>
            </Group>
          ))}
          <Group>
            <Button
              size="compact-sm"
              variant="subtle"
              disabled={emails.fields.length >= 10}
              onClick={() => emails.append({ value: '', label: '' })}
            >
              Add email
            </Button>
          </Group>
        </Stack>

        <Stack gap={4}>
          <Text size="sm" fw={500}>
            Phones
          </Text>
          {phones.fields.map((row, index) => (
            <Group key={row.id} align="start" wrap="nowrap">
              <TextInput
                style={{ flex: 2 }}
                type="tel"
                aria-label={`Phone ${index + 1}`}
                {...form.register(`phones.${index}.value`)}
                error={errors.phones?.[index]?.value?.message}
              />
              <TextInput
                style={{ flex: 1 }}
                aria-label={`Phone ${index + 1} label`}
                placeholder="Label (mobile, work)"
                {...form.register(`phones.${index}.label`)}
                error={errors.phones?.[index]?.label?.message}
              />
              <ActionIcon
                variant="subtle"
                color="gray"
                size="lg"
                aria-label={`Remove phone ${index + 1}`}
                onClick={() => phones.remove(index)}
              >
                ×
              </ActionIcon>
            </Group>
          ))}
          <Group>
            <Button
              size="compact-sm"
              variant="subtle"
              disabled={phones.fields.length >= 10}
              onClick={() => phones.append({ value: '', label: '' })}
            >
              Add phone
            </Button>
          </Group>
        </Stack>

        <Controller
          control={form.control}
          name="companyId"
          render={({ field }) => (
            <CompanySelect
              label="Company"
              value={field.value || null}
              selectedName={companyName}
              onChange={(id) => field.onChange(id ?? '')}
              error={errors.companyId?.message}
            />
          )}
        />

        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <Controller
            control={form.control}
            name="lifecycleStage"
            render={({ field }) => (
              <Select
                label="Lifecycle stage"
                allowDeselect={false}
                data={LIFECYCLE_STAGES.map((value) => ({ value, label: humanize(value) }))}
                value={field.value ?? null}
                onChange={(value) => value && field.onChange(value)}
                error={errors.lifecycleStage?.message}
              />
            )}
          />
          <Controller
            control={form.control}
            name="preferredChannel"
            render={({ field }) => (
              <Select
                label="Preferred channel"
                allowDeselect={false}
                data={PREFERRED_CHANNELS.map((value) => ({ value, label: humanize(value) }))}
                value={field.value ?? null}
                onChange={(value) => value && field.onChange(value)}
                error={errors.preferredChannel?.message}
              />
            )}
          />
          <TextInput
            label="Preferred time"
            placeholder="e.g. weekdays after 17:00"
            {...form.register('preferredTime')}
            error={errors.preferredTime?.message}
          />
        </SimpleGrid>

        <Group gap="lg">
          <Checkbox label="Email opt-in" {...form.register('optInEmail')} />
          <Checkbox label="SMS opt-in" {...form.register('optInSms')} />
          <Checkbox label="Do not contact" color="red" {...form.register('doNotContact')} />
        </Group>

        <Controller
          control={form.control}
          name="tags"
          render={({ field }) => (
            <TagsInput
              label="Tags"
              placeholder="Type a tag and press Enter"
              value={field.value ?? []}
              onChange={field.onChange}
              error={errors.tags?.message}
            />
          )}
        />

        <AddressInputs
          legend="Address"
          inputProps={(part) => form.register(`address.${part}`)}
          errorOf={(part) => errors.address?.[part]?.message}
        />

        <Textarea
          label="Notes"
          autosize
          minRows={2}
          {...form.register('notes')}
          error={errors.notes?.message}
        />

        <CustomFieldInputs
          fields={customFields}
          values={custom}
          hidden={hidden}
          onChange={(key, value) =>
            form.setValue(`customFields.${key}`, value, { shouldDirty: true })
          }
          errorOf={(key) => errors.customFields?.[key]?.message}
        />

        {unmatched.length > 0 && (
          <Alert color="red" title="Not saved" role="alert">
            {unmatched.join('; ')}
          </Alert>
        )}
        {duplicates && (
          <DuplicateContactAlert
            candidates={duplicates}
            proceedLabel="Save anyway"
            onProceed={() => void save(true)()}
          />
        )}
        {conflict && (
          <VersionConflictAlert
            what="contact"
            reloading={reloading}
            onReload={() => void reload()}
          />
        )}
        <Group>
          <Button type="submit" loading={update.isPending}>
            Save contact
          </Button>
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
