// "New contact": the few fields a person starts with. A contact with the same email or phone
// is a 409 whose candidates are shown with links, and the contact may be created anyway.
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Group, Modal, Select, Stack, TextInput, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { useNavigate } from 'react-router';
import { z } from 'zod';
import { createContactBodySchema } from '../../../../server/modules/contacts/contacts.schemas';
import { applyServerErrors } from '../../../lib/forms';
import { humanize } from '../../../lib/labels';
import type { DuplicateCandidate } from '../../../lib/types';
import { useContactActions } from '../api/contacts-api';
import { EMAIL_SCHEMA, LIFECYCLE_STAGES, PHONE_SCHEMA } from './contact-schemas';
import { DuplicateContactAlert, duplicateCandidatesOf } from './record-parts';
import { CompanySelect } from './record-pickers';

const shape = createContactBodySchema.shape;
const newContactSchema = z
  .object({
    firstName: shape.firstName.unwrap(),
    lastName: shape.lastName.unwrap(),
    email: EMAIL_SCHEMA,
    phone: PHONE_SCHEMA,
    companyId: z.string(),
    lifecycleStage: shape.lifecycleStage.unwrap(),
    notes: shape.notes.unwrap(),
  })
  .refine((values) => values.firstName !== '' || values.lastName !== '', {
    path: ['firstName'],
    message: 'Give a first or last name.',
  });
type NewContactInput = z.input<typeof newContactSchema>;
type NewContactValues = z.output<typeof newContactSchema>;
const FORM_FIELDS = [
  'firstName',
  'lastName',
  'email',
  'phone',
  'companyId',
  'lifecycleStage',
  'notes',
] as const;
const FIELD_MAP = { emails: 'email', phones: 'phone' } as const;
const EMPTY: NewContactInput = {
  firstName: '',
  lastName: '',
  email: '',
  phone: '',
  companyId: '',
  lifecycleStage: 'prospect',
  notes: '',
};

export function NewContactModal({
  opened,
  onClose,
  companyId,
  companyName,
}: {
  opened: boolean;
  onClose: () => void;
  /** Pre-chosen company (from a company's page). */
  companyId?: string | undefined;
  companyName?: string | undefined;
}) {
  const navigate = useNavigate();
  const { create } = useContactActions();
  const [duplicates, setDuplicates] = useState<DuplicateCandidate[] | null>(null);
  const [unmatched, setUnmatched] = useState<string[]>([]);
  const form = useForm<NewContactInput, unknown, NewContactValues>({
    resolver: zodResolver(newContactSchema),
    defaultValues: { ...EMPTY, companyId: companyId ?? '' },
  });
  const errors = form.formState.errors;

  const save = (allowDuplicate: boolean) =>
    form.handleSubmit((values) => {
      setDuplicates(null);
      setUnmatched([]);
      create.mutate(
        {
          firstName: values.firstName,
          lastName: values.lastName,
          emails: values.email ? [values.email] : [],
          phones: values.phone ? [values.phone] : [],
          companyId: values.companyId || null,
          lifecycleStage: values.lifecycleStage,
          notes: values.notes,
          allowDuplicate,
        },
        {
          onSuccess: ({ warnings, ...contact }) => {
            notifications.show({ color: 'green', message: `Contact created: ${contact.name}` });
            for (const warning of warnings) {
              notifications.show({
                color: 'yellow',
                title: 'Possible duplicate',
                message: warning.message,
              });
            }
            form.reset(EMPTY);
            onClose();
            void navigate(`/contacts/${contact.id}`);
          },
          onError: (error) => {
            const candidates = duplicateCandidatesOf(error);
            if (candidates) return setDuplicates(candidates);
            const rest = applyServerErrors(error, form.setError, FORM_FIELDS, FIELD_MAP);
            setUnmatched(rest.map((e) => `${e.field}: ${e.message}`));
          },
        },
      );
    });

  return (
    <Modal opened={opened} onClose={onClose} title="New contact" size="lg">
      <form noValidate onSubmit={(event) => void save(false)(event)}>
        <Stack gap="sm">
          <Group grow align="start">
            <TextInput
              label="First name"
              data-autofocus
              {...form.register('firstName')}
              error={errors.firstName?.message}
            />
            <TextInput
              label="Last name"
              {...form.register('lastName')}
              error={errors.lastName?.message}
            />
          </Group>
          <Group grow align="start">
            <TextInput
              label="Email"
              type="email"
              {...form.register('email')}
              error={errors.email?.message}
            />
            <TextInput
              label="Phone"
              type="tel"
              {...form.register('phone')}
              error={errors.phone?.message}
            />
          </Group>
          <Group grow align="start">
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
                  comboboxProps={{ withinPortal: true }}
                />
              )}
            />
            <Controller
              control={form.control}
              name="lifecycleStage"
              render={({ field }) => (
                <Select
                  label="Lifecycle stage"
                  allowDeselect={false}
                  data={LIFECYCLE_STAGES.map((value) => ({ value, label: humanize(value) }))}
                  value={field.value ?? 'prospect'}
                  onChange={(value) => value && field.onChange(value)}
                />
              )}
            />
          </Group>
          <Textarea
            label="Notes"
            autosize
            minRows={2}
            {...form.register('notes')}
            error={errors.notes?.message}
          />
          {unmatched.length > 0 && (
            <Alert color="red" title="Not saved" role="alert">
              {unmatched.join('; ')}
            </Alert>
          )}
          {duplicates && (
            <DuplicateContactAlert
              candidates={duplicates}
              proceedLabel="Create a new contact anyway"
              onProceed={() => void save(true)()}
            />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create contact
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
