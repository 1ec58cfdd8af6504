// A contact's timeline (its own entries and its leads'), and logging a note or a touch on it.
import { ActivityList } from '../../../components/ui/activity-list';
import { zodResolver } from '@hookform/resolvers/zod';
import { Button, Group, Select, Stack, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Controller, useForm, useWatch } from 'react-hook-form';
import { z } from 'zod';
import {
  LOGGABLE_TYPES,
  logActivityBodySchema,
} from '../../../../server/modules/activities/activities.schemas';
import { useSession } from '../../../app/session';
import { PageSkeleton } from '../../../components/ui/screens';
import { applyServerErrors } from '../../../lib/forms';
import { humanize } from '../../../lib/labels';
import { useContactActions, useContactActivities } from '../api/contacts-api';
import { InlineError, SectionCard } from './record-parts';

const noteFormSchema = z.object({
  type: logActivityBodySchema.shape.type,
  body: logActivityBodySchema.shape.body.unwrap().trim().min(1, 'Write what happened'),
});
type NoteFormInput = z.input<typeof noteFormSchema>;
type NoteFormValues = z.output<typeof noteFormSchema>;

function LogNoteForm({ contactId }: { contactId: string }) {
  const { logActivity } = useContactActions();
  const form = useForm<NoteFormInput, unknown, NoteFormValues>({
    resolver: zodResolver(noteFormSchema),
    defaultValues: { type: 'note', body: '' },
  });
  const type = useWatch({ control: form.control, name: 'type' });
  const submit = form.handleSubmit((values) =>
    logActivity.mutate(
      { contactId, input: values },
      {
        onSuccess: () => {
          form.reset({ type: values.type, body: '' });
          notifications.show({ color: 'green', message: 'Logged on the timeline' });
        },
        onError: (error) => applyServerErrors(error, form.setError, ['type', 'body']),
      },
    ),
  );
  return (
    <form noValidate onSubmit={(event) => void submit(event)} aria-label="Log on this contact">
      <Stack gap="xs">
        <Controller
          control={form.control}
          name="type"
          render={({ field }) => (
            <Select
              label="Type"
              allowDeselect={false}
              maw={180}
              data={LOGGABLE_TYPES.map((value) => ({ value, label: humanize(value) }))}
              value={field.value}
              onChange={(value) => value && field.onChange(value)}
            />
          )}
        />
        <Textarea
          label="What happened"
          autosize
          minRows={2}
          {...form.register('body')}
          error={form.formState.errors.body?.message}
        />
        <Group>
          <Button type="submit" size="sm" loading={logActivity.isPending}>
            Log {humanize(type).toLowerCase()}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function ContactTimelineCard({ contactId }: { contactId: string }) {
  const activities = useContactActivities(contactId);
  const { can } = useSession();
  return (
    <SectionCard id="contact-timeline-title" title="Timeline">
      <Stack>
        {can('lead:update') && <LogNoteForm contactId={contactId} />}
        {activities.isPending ? (
          <PageSkeleton rows={3} />
        ) : activities.isError ? (
          <InlineError error={activities.error} onRetry={() => void activities.refetch()} />
        ) : activities.data.length === 0 ? (
          <Text size="sm" c="dimmed">
            Nothing has happened yet.{' '}
            {can('lead:update') ? 'Log a call or a note above to start the timeline.' : ''}
          </Text>
        ) : (
          <ActivityList activities={activities.data} />
        )}
      </Stack>
    </SectionCard>
  );
}
