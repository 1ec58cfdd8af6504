// Quick entry: a phone inquiry in under 30 seconds. Name, phone or email, "how did you hear
// about us?", a note. While typing, contacts with the same phone or email are shown so the
// inquiry can be linked to the person instead of making a duplicate.
import { zodResolver } from '@hookform/resolvers/zod';
import {
  Alert,
  Anchor,
  Button,
  Chip,
  Group,
  Paper,
  Select,
  Stack,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Controller, useForm, useWatch } from 'react-hook-form';
import { Link } from 'react-router';
import { z } from 'zod';
import { createLeadBodySchema } from '../../../../server/modules/leads/leads.schemas';
import { emailSchema } from '../../../../server/modules/users/users.schemas';
import { useLeadSources } from '../../../app/reference-data';
import { api, ApiError } from '../../../lib/api-client';
import { applyServerErrors } from '../../../lib/forms';
import type { Contact, DuplicateCandidate, DuplicateWarning, Lead, Page } from '../../../lib/types';
import { invalidateLeadViews } from '../api/leads-api';

const quickEntrySchema = z.object({
  name: z.string().trim().min(1).max(200),
  phone: z.string().trim().max(40),
  email: z.union([z.literal(''), emailSchema]),
  sourceId: z.string(),
  priority: createLeadBodySchema.shape.priority,
  notes: createLeadBodySchema.shape.description,
});
type QuickEntryInput = z.input<typeof quickEntrySchema>;
type QuickEntryValues = z.output<typeof quickEntrySchema>;
const FORM_FIELDS = ['name', 'phone', 'email', 'sourceId', 'priority', 'notes'] as const;
// Where the server's field paths land on this form.
const FIELD_MAP = {
  title: 'name',
  'contact.firstName': 'name',
  'contact.lastName': 'name',
  'contact.phones': 'phone',
  phones: 'phone',
  'contact.emails': 'email',
  emails: 'email',
  description: 'notes',
} as const;
const EMPTY: QuickEntryInput = {
  name: '',
  phone: '',
  email: '',
  sourceId: '',
  priority: 'normal',
  notes: '',
};

/** Contacts whose phone or email matches what is typed (the API matches phones exactly). */
function useMatchingContacts(phone: string, email: string) {
  const [debouncedPhone] = useDebouncedValue(phone.replace(/[^\d+]/g, ''), 350);
  const [debouncedEmail] = useDebouncedValue(email.trim(), 350);
  const terms = [
    debouncedPhone.replace(/\D/g, '').length >= 6 ? debouncedPhone : '',
    /^\S+@\S+\.\S+$/.test(debouncedEmail) ? debouncedEmail : '',
  ].filter(Boolean);
  return useQuery({
    queryKey: ['contacts', 'matching', terms],
    enabled: terms.length > 0,
    queryFn: async () => {
      const pages = await Promise.all(
        terms.map((q) => api.get<Page<Contact>>('/api/contacts', { q, limit: 5 })),
      );
      const byId = new Map(pages.flatMap((page) => page.items).map((c) => [c.id, c]));
      return [...byId.values()];
    },
  });
}

function splitName(name: string): { firstName: string; lastName: string } {
  const [first = '', ...rest] = name.trim().split(/\s+/);
  return { firstName: first, lastName: rest.join(' ') };
}

export function QuickEntryPage() {
  const queryClient = useQueryClient();
  const sources = useLeadSources();
  // The existing contact this inquiry is added to, instead of a new one.
  const [linked, setLinked] = useState<Pick<Contact, 'id' | 'name'> | null>(null);
  const [conflict, setConflict] = useState<DuplicateCandidate[] | null>(null);
  const [saved, setSaved] = useState<{ lead: Lead; warnings: DuplicateWarning[] } | null>(null);
  const [unmatched, setUnmatched] = useState<string[]>([]);
  const form = useForm<QuickEntryInput, unknown, QuickEntryValues>({
    resolver: zodResolver(quickEntrySchema),
    defaultValues: EMPTY,
  });
  const [phone = '', email = ''] = useWatch({ control: form.control, name: ['phone', 'email'] });
  const matches = useMatchingContacts(phone, email);
  const candidates = (matches.data ?? []).filter((contact) => contact.id !== linked?.id);

  const create = useMutation({
    mutationFn: ({
      values,
      allowDuplicate,
    }: {
      values: QuickEntryValues;
      allowDuplicate: boolean;
    }) =>
      api.post<Lead & { warnings: DuplicateWarning[] }>('/api/leads', {
        title: values.name,
        description: values.notes,
        priority: values.priority,
        ...(values.sourceId ? { sourceId: values.sourceId } : {}),
        ...(linked
          ? { contactId: linked.id }
          : {
              contact: {
                ...splitName(values.name),
                phones: values.phone ? [values.phone] : [],
                emails: values.email ? [values.email] : [],
              },
              allowDuplicate,
            }),
      }),
    meta: { handledStatuses: [409] },
    onSuccess: async ({ warnings, ...lead }) => {
      setSaved({ lead, warnings });
      setConflict(null);
      setLinked(null);
      setUnmatched([]);
      form.reset(EMPTY);
      notifications.show({ color: 'green', message: `Inquiry saved: ${lead.title}` });
      await invalidateLeadViews(queryClient);
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 409 && error.problem?.candidates) {
        setConflict(error.problem.candidates as DuplicateCandidate[]);
        return;
      }
      const rest = applyServerErrors(error, form.setError, FORM_FIELDS, FIELD_MAP);
      setUnmatched(rest.map((e) => `${e.field}: ${e.message}`));
    },
  });

  const submit = (allowDuplicate: boolean) =>
    form.handleSubmit((values) => {
      setSaved(null);
      create.mutate({ values, allowDuplicate });
    });

  return (
    <Stack maw={640}>
      <Title order={1}>New inquiry</Title>
      {saved && (
        <Alert color="green" title="Saved" role="status">
          <Anchor component={Link} to={`/leads/${saved.lead.id}`}>
            Open {saved.lead.title}
          </Anchor>
          {saved.warnings.map((warning) => (
            <Text key={warning.message} size="sm" mt={4}>
              {warning.message}
            </Text>
          ))}
        </Alert>
      )}
      <Paper withBorder p="md">
        <form noValidate onSubmit={(event) => void submit(false)(event)}>
          <Stack gap="sm">
            <TextInput
              label="Name"
              required
              autoFocus
              autoComplete="off"
              {...form.register('name')}
              error={form.formState.errors.name?.message}
            />
            <Group grow align="start">
              <TextInput
                label="Phone"
                type="tel"
                autoComplete="off"
                {...form.register('phone')}
                error={form.formState.errors.phone?.message}
              />
              <TextInput
                label="Email"
                type="email"
                autoComplete="off"
                {...form.register('email')}
                error={form.formState.errors.email?.message}
              />
            </Group>
            {linked && (
              <Alert color="blue" title="Linked to an existing contact">
                This inquiry will be added to {linked.name}.{' '}
                <Anchor component="button" type="button" onClick={() => setLinked(null)}>
                  Unlink
                </Anchor>
              </Alert>
            )}
            {!linked && candidates.length > 0 && (
              <Alert color="yellow" title="Possible duplicate" role="alert">
                <Stack gap={4}>
                  {candidates.map((contact) => (
                    <Group key={contact.id} justify="space-between" wrap="nowrap">
                      <Text size="sm">
                        {contact.name || 'Unnamed'} —{' '}
                        {[contact.phones[0]?.value, contact.emails[0]?.value]
                          .filter(Boolean)
                          .join(', ')}
                      </Text>
                      <Button size="compact-xs" variant="light" onClick={() => setLinked(contact)}>
                        Use this contact
                      </Button>
                    </Group>
                  ))}
                </Stack>
              </Alert>
            )}
            <Controller
              control={form.control}
              name="sourceId"
              render={({ field }) => (
                <Stack gap={4}>
                  <Text size="sm" fw={500} id="source-label">
                    How did they hear about us?
                  </Text>
                  <Chip.Group value={field.value} onChange={(value) => field.onChange(value)}>
                    <Group gap={6} role="radiogroup" aria-labelledby="source-label">
                      {(sources.data ?? []).map((source) => (
                        <Chip key={source.id} value={source.id} size="xs" variant="outline">
                          {source.name}
                        </Chip>
                      ))}
                    </Group>
                  </Chip.Group>
                  {form.formState.errors.sourceId && (
                    <Text size="xs" c="red.9">
                      {form.formState.errors.sourceId.message}
                    </Text>
                  )}
                </Stack>
              )}
            />
            <Controller
              control={form.control}
              name="priority"
              render={({ field }) => (
                <Select
                  label="Priority"
                  w={160}
                  allowDeselect={false}
                  data={['low', 'normal', 'high', 'urgent'].map((value) => ({
                    value,
                    label: value.charAt(0).toUpperCase() + value.slice(1),
                  }))}
                  value={field.value ?? 'normal'}
                  onChange={(value) => field.onChange(value ?? 'normal')}
                />
              )}
            />
            <Textarea
              label="Notes"
              autosize
              minRows={2}
              {...form.register('notes')}
              error={form.formState.errors.notes?.message}
            />
            {unmatched.length > 0 && (
              <Alert color="red" title="Not saved">
                {unmatched.join('; ')}
              </Alert>
            )}
            {conflict && (
              <Alert color="orange" title="This phone or email belongs to a contact" role="alert">
                <Text size="sm" mb="xs">
                  {conflict.map((c) => `${c.name} (${c.matchedOn.join(', ')})`).join('; ')}
                </Text>
                <Group gap="xs">
                  {conflict.map((candidate) => (
                    <Button
                      key={candidate.id}
                      size="xs"
                      onClick={() => {
                        setLinked({ id: candidate.id, name: candidate.name });
                        setConflict(null);
                      }}
                    >
                      Add to {candidate.name}
                    </Button>
                  ))}
                  <Button size="xs" variant="default" onClick={(event) => void submit(true)(event)}>
                    Create a new contact anyway
                  </Button>
                </Group>
              </Alert>
            )}
            <Group>
              <Button type="submit" loading={create.isPending}>
                Save inquiry
              </Button>
            </Group>
          </Stack>
        </form>
      </Paper>
    </Stack>
  );
}
