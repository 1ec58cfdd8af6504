// Editing a company: validated in the browser by the server's schema pieces, sent as a PATCH of
// what changed with If-Match. A 422 lands on its fields and a version conflict (412) says so and
// offers to reload; the form keeps what was typed in every case.
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Group, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMemo, useState } from 'react';
import { Controller, useForm, useWatch, type Path } from 'react-hook-form';
import { z } from 'zod';
import {
  addressSchema,
  updateCompanyBodySchema,
} from '../../../../server/modules/companies/companies.schemas';
import { useSession } from '../../../app/session';
import { applyServerErrors } from '../../../lib/forms';
import { humanize } from '../../../lib/labels';
import type { CustomField } from '../../../lib/types';
import {
  ADDRESS_PARTS,
  AddressInputs,
  CustomFieldInputs,
  VersionConflictAlert,
  addressFromForm,
  addressToForm,
  customFieldsChanges,
  customFieldsToForm,
  isVersionConflict,
  moneyInputText,
} from '../../contacts/components/record-parts';
import { ContactSelect } from '../../contacts/components/record-pickers';
import { useCompanyActions, type Company } from '../api/companies-api';
import {
  COMPANY_STATUSES,
  COMPANY_TYPES,
  INDUSTRY_SCHEMA,
  MAIN_PHONE_SCHEMA,
  WEBSITE_SCHEMA,
} from './company-schemas';

const shape = updateCompanyBodySchema.shape;

const companyFormSchema = z.object({
  name: shape.name.unwrap(),
  type: shape.type.unwrap(),
  status: z.enum([...COMPANY_STATUSES, 'archived']),
  mainPhone: MAIN_PHONE_SCHEMA,
  website: WEBSITE_SCHEMA,
  industry: INDUSTRY_SCHEMA,
  billingAddress: addressSchema,
  primaryContactId: z.string(),
  customFields: z.record(z.string(), z.union([z.string(), z.boolean(), z.array(z.string())])),
});
type CompanyFormInput = z.input<typeof companyFormSchema>;
type CompanyFormValues = z.output<typeof companyFormSchema>;

function toForm(
  company: Company,
  fields: CustomField[] | undefined,
  moneyText: (minor: number) => string,
): CompanyFormInput {
  return {
    name: company.name,
    type: company.type,
    status: company.status,
    mainPhone: company.mainPhone ?? '',
    website: company.website ?? '',
    industry: company.industry ?? '',
    billingAddress: addressToForm(company.billingAddress),
    primaryContactId: company.primaryContactId ?? '',
    customFields: customFieldsToForm(fields, company.customFields, moneyText),
  };
}

function changesOf(company: Company, values: CompanyFormValues): Record<string, unknown> {
  const next: Record<string, unknown> = {
    name: values.name,
    type: values.type,
    mainPhone: values.mainPhone || null,
    website: values.website || null,
    industry: values.industry || null,
    billingAddress: addressFromForm(values.billingAddress),
    primaryContactId: values.primaryContactId || null,
    // "archived" is not a status one sets; it stays until the company is restored.
    ...(values.status !== 'archived' ? { status: values.status } : {}),
  };
  const before = company as unknown as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(next).filter(
      ([key, value]) => JSON.stringify(value) !== JSON.stringify(before[key] ?? null),
    ),
  );
}

export function CompanyForm({
  company: loaded,
  customFields,
  primaryContactName,
  onDone,
  onReload,
}: {
  company: Company;
  customFields: CustomField[] | undefined;
  primaryContactName: string | undefined;
  onDone: () => void;
  onReload: () => Promise<Company | undefined>;
}) {
  const { format } = useSession();
  const { update } = useCompanyActions();
  // The version the form was opened with: a refetch meanwhile must not hide someone else's save.
  const [company, setCompany] = useState(loaded);
  const moneyText = (minor: number) => moneyInputText(minor, format);
  const initial = toForm(company, customFields, moneyText);
  const form = useForm<CompanyFormInput, unknown, CompanyFormValues>({
    resolver: zodResolver(companyFormSchema),
    defaultValues: initial,
  });
  const custom = useWatch({ control: form.control, name: 'customFields' });
  const [unmatched, setUnmatched] = useState<string[]>([]);
  const [conflict, setConflict] = useState(false);
  const [reloading, setReloading] = useState(false);
  const hidden = useMemo(
    () =>
      new Set(
        Object.entries(company.customFields)
          .filter(([, value]) => typeof value === 'object' && !Array.isArray(value))
          .map(([key]) => key),
      ),
    [company.customFields],
  );
  const errors = form.formState.errors;
  const formFields: Path<CompanyFormInput>[] = [
    'name',
    'type',
    'status',
    'mainPhone',
    'website',
    'industry',
    'billingAddress',
    ...ADDRESS_PARTS.map((part) => `billingAddress.${part}` as const),
    'primaryContactId',
    ...(customFields ?? []).map((f) => `customFields.${f.key}` as const),
  ];

  const save = form.handleSubmit((values) => {
    setUnmatched([]);
    setConflict(false);
    const changes = changesOf(company, values);
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
      { company, changes },
      {
        onSuccess: () => {
          notifications.show({ color: 'green', message: 'Company saved' });
          onDone();
        },
        onError: (error) => {
          if (isVersionConflict(error)) return setConflict(true);
          const rest = applyServerErrors(error, form.setError, formFields);
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
        setCompany(fresh);
        form.reset(toForm(fresh, customFields, moneyText));
        setConflict(false);
      }
    } finally {
      setReloading(false);
    }
  };

  return (
    <form noValidate onSubmit={(event) => void save(event)} aria-label="Edit company">
      <Stack gap="sm">
        <TextInput label="Name" required {...form.register('name')} error={errors.name?.message} />
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <Controller
            control={form.control}
            name="type"
            render={({ field }) => (
              <Select
                label="Type"
                allowDeselect={false}
                data={COMPANY_TYPES.map((value) => ({ value, label: humanize(value) }))}
                value={field.value ?? null}
                onChange={(value) => value && field.onChange(value)}
                error={errors.type?.message}
              />
            )}
          />
          <Controller
            control={form.control}
            name="status"
            render={({ field }) => (
              <Select
                label="Status"
                allowDeselect={false}
                disabled={field.value === 'archived'}
                data={[
                  ...COMPANY_STATUSES.map((value) => ({ value, label: humanize(value) })),
                  ...(field.value === 'archived' ? [{ value: 'archived', label: 'Archived' }] : []),
                ]}
                value={field.value}
                onChange={(value) => value && field.onChange(value)}
                error={errors.status?.message}
              />
            )}
          />
          <TextInput
            label="Industry"
            {...form.register('industry')}
            error={errors.industry?.message}
          />
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <TextInput
            label="Main phone"
            type="tel"
            {...form.register('mainPhone')}
            error={errors.mainPhone?.message}
          />
          <TextInput
            label="Website"
            type="url"
            placeholder="https://…"
            {...form.register('website')}
            error={errors.website?.message}
          />
        </SimpleGrid>
        <Controller
          control={form.control}
          name="primaryContactId"
          render={({ field }) => (
            <ContactSelect
              label="Primary contact"
              value={field.value || null}
              selectedName={primaryContactName}
              onChange={(id) => field.onChange(id ?? '')}
              error={errors.primaryContactId?.message}
            />
          )}
        />
        <AddressInputs
          legend="Billing address"
          inputProps={(part) => form.register(`billingAddress.${part}`)}
          errorOf={(part) => errors.billingAddress?.[part]?.message}
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
        {conflict && (
          <VersionConflictAlert
            what="company"
            reloading={reloading}
            onReload={() => void reload()}
          />
        )}
        <Group>
          <Button type="submit" loading={update.isPending}>
            Save company
          </Button>
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
