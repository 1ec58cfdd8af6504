// "Write email/SMS" on the lead page: picks a template (or free text) and saves a draft in the
// outbox. Nothing is sent from here; the draft waits for approval.
import {
  Alert,
  Button,
  Group,
  Modal,
  SegmentedControl,
  Select,
  Stack,
  TextInput,
  Textarea,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '../../../app/query-client';
import { ApiError } from '../../../lib/api-client';
import { useMessageActions, useTemplates } from '../api/messaging-api';

function WriteMessageDialog({ leadId, onClose }: { leadId: string; onClose: () => void }) {
  const [channel, setChannel] = useState<'email' | 'sms'>('email');
  const [templateId, setTemplateId] = useState<string | null>(null);
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const templates = useTemplates(channel);
  const { create } = useMessageActions();

  const pickTemplate = (id: string | null) => {
    setTemplateId(id);
    const template = templates.data?.items.find((item) => item.id === id);
    // The template's text is a starting point; the server renders its variables.
    setSubject(template?.subject ?? '');
    setBody(template?.body ?? '');
  };

  const submit = () => {
    setErrors({});
    setError(null);
    create.mutate(
      {
        leadId,
        channel,
        ...(templateId ? { templateId } : {}),
        ...(channel === 'email' && subject ? { subject } : {}),
        ...(body ? { body } : {}),
      },
      {
        onSuccess: () => {
          notifications.show({
            color: 'green',
            title: 'Draft saved in the outbox',
            message: 'It is sent once it is approved.',
          });
          onClose();
        },
        onError: (e) => {
          const fields = e instanceof ApiError ? (e.problem?.errors ?? []) : [];
          setErrors(Object.fromEntries(fields.map((f) => [f.field, f.message])));
          setError(errorMessage(e));
        },
      },
    );
  };

  return (
    <Modal opened onClose={onClose} title="Write a message" size="lg">
      <Stack>
        <SegmentedControl
          aria-label="Channel"
          value={channel}
          onChange={(value) => {
            setChannel(value);
            pickTemplate(null);
          }}
          data={[
            { value: 'email', label: 'Email' },
            { value: 'sms', label: 'SMS' },
          ]}
        />
        <Select
          label="Template"
          placeholder="No template: write it yourself"
          clearable
          data={(templates.data?.items ?? []).map((t) => ({ value: t.id, label: t.name }))}
          value={templateId}
          onChange={pickTemplate}
          error={errors.templateId}
        />
        {channel === 'email' && (
          <TextInput
            label="Subject"
            value={subject}
            onChange={(event) => setSubject(event.currentTarget.value)}
            error={errors.subject}
          />
        )}
        <Textarea
          label="Message"
          description="Variables such as {{contact.firstName}} are filled in from this lead."
          autosize
          minRows={6}
          value={body}
          onChange={(event) => setBody(event.currentTarget.value)}
          error={errors.body}
        />
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        <Group justify="space-between">
          <Button component={Link} to="/outbox" variant="subtle">
            Open the outbox
          </Button>
          <Group>
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button loading={create.isPending} onClick={submit}>
              Save draft
            </Button>
          </Group>
        </Group>
      </Stack>
    </Modal>
  );
}

export function WriteMessageButton({ leadId }: { leadId: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button size="xs" variant="default" onClick={() => setOpen(true)}>
        Write email/SMS
      </Button>
      {open && <WriteMessageDialog leadId={leadId} onClose={() => setOpen(false)} />}
    </>
  );
}
