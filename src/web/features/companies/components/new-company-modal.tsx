// "New company": name and the basics; the server warns about companies with a similar name.
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Group, Modal, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { useNavigate } from 'react-router';
import { z } from 'zod';
import { createCompanyBodySchema } from '../../../../server/modules/companies/companies.schemas';
import { applyServerErrors } from '../../../lib/forms';
import { humanize } from '../../../lib/labels';
import { useCompanyActions } from '../api/companies-api';
import {
  COMPANY_STATUSES,
  COMPANY_TYPES,
  INDUSTRY_SCHEMA,
  MAIN_PHONE_SCHEMA,
  WEBSITE_SCHEMA,
} from './company-schemas';

const shape = createCompanyBodySchema.shape;
const newCompanySchema = z.object({
  name: shape.name,
  type: shape.type.unwrap(),
  status: shape.status.unwrap(),
  mainPhone: MAIN_PHONE_SCHEMA,
  website: WEBSITE_SCHEMA,
  industry: INDUSTRY_SCHEMA,
});
type NewCompanyInput = z.input<typeof newCompanySchema>;
type NewCompanyValues = z.output<typeof newCompanySchema>;
const FORM_FIELDS = ['name', 'type', 'status', 'mainPhone', 'website', 'industry'] as const;
const EMPTY: NewCompanyInput = {
  name: '',
  type: 'business',
  status: 'prospect',
  mainPhone: '',
  website: '',
  industry: '',
};

export function NewCompanyModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const navigate = useNavigate();
  const { create } = useCompanyActions();
  const [unmatched, setUnmatched] = useState<string[]>([]);
  const form = useForm<NewCompanyInput, unknown, NewCompanyValues>({
    resolver: zodResolver(newCompanySchema),
    defaultValues: EMPTY,
  });
  const errors = form.formState.errors;

  const save = form.handleSubmit((values) => {
    setUnmatched([]);
    create.mutate(
      {
        name: values.name,
        type: values.type,
        status: values.status,
        ...(values.mainPhone ? { mainPhone: values.mainPhone } : {}),
        ...(values.website ? { website: values.website } : {}),
        ...(values.industry ? { industry: values.industry } : {}),
      },
      {
        onSuccess: ({ warnings, ...company }) => {
          notifications.show({ color: 'green', message: `Company created: ${company.name}` });
          for (const warning of warnings) {
            notifications.show({
              color: 'yellow',
              title: 'Possible duplicate',
              message: warning.message,
            });
          }
          form.reset(EMPTY);
          onClose();
          void navigate(`/companies/${company.id}`);
        },
        onError: (error) => {
          const rest = applyServerErrors(error, form.setError, FORM_FIELDS);
          setUnmatched(rest.map((e) => `${e.field}: ${e.message}`));
        },
      },
    );
  });

  return (
    <Modal opened={opened} onClose={onClose} title="New company" size="lg">
      <form noValidate onSubmit={(event) => void save(event)}>
        <Stack gap="sm">
          <TextInput
            label="Name"
            required
            data-autofocus
            {...form.register('name')}
            error={errors.name?.message}
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <Controller
              control={form.control}
              name="type"
              render={({ field }) => (
                <Select
                  label="Type"
                  allowDeselect={false}
                  data={COMPANY_TYPES.map((value) => ({ value, label: humanize(value) }))}
                  value={field.value ?? 'business'}
                  onChange={(value) => value && field.onChange(value)}
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
                  data={COMPANY_STATUSES.map((value) => ({ value, label: humanize(value) }))}
                  value={field.value ?? 'prospect'}
                  onChange={(value) => value && field.onChange(value)}
                />
              )}
            />
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
          <TextInput
            label="Industry"
            {...form.register('industry')}
            error={errors.industry?.message}
          />
          {unmatched.length > 0 && (
            <Alert color="red" title="Not saved" role="alert">
              {unmatched.join('; ')}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create company
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
