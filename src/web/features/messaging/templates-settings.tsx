// Settings → Templates: email and SMS templates with variables, the editor's variable help and
// a live preview rendered by the server with a real lead. Shipped per-stage templates are
// editable like any other; DELETE archives.
import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { errorMessage } from '../../app/query-client';
import { PageSkeleton, QueryView } from '../../components/ui/screens';
import { api, ApiError } from '../../lib/api-client';
import { EmptyHint, SectionHeader } from '../settings/settings-ui';
import {
  previewText,
  useTemplateActions,
  useTemplates,
  type Preview,
  type Template,
} from './api/messaging-api';

interface Draft {
  name: string;
  channel: 'email' | 'sms';
  purpose: 'transactional' | 'marketing';
  subject: string;
  body: string;
  stageSlug: string;
}

function useRecentLeads() {
  return useQuery({
    queryKey: ['leads', 'for-preview'],
    queryFn: ({ signal }) =>
      api.get<{ items: { id: string; title: string }[] }>('/api/leads', { limit: 50 }, signal),
  });
}

/** The server's rendering of the text with the chosen lead, refreshed as the text changes. */
function LivePreview({ draft }: { draft: Draft }) {
  const leads = useRecentLeads();
  const [leadId, setLeadId] = useState<string | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!leadId || !draft.body.trim()) return;
    let stale = false;
    const timer = setTimeout(() => {
      previewText({ leadId, channel: draft.channel, subject: draft.subject, body: draft.body })
        .then((result) => {
          if (stale) return;
          setPreview(result);
          setError(null);
        })
        .catch((e: unknown) => {
          if (!stale) setError(errorMessage(e));
        });
    }, 300);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [leadId, draft.channel, draft.subject, draft.body]);
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Select
          label="Preview with lead"
          placeholder="Pick a lead"
          searchable
          data={(leads.data?.items ?? []).map((lead) => ({ value: lead.id, label: lead.title }))}
          value={leadId}
          onChange={setLeadId}
        />
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        {leadId && preview && !error && (
          <div aria-live="polite" data-testid="template-preview">
            <Text size="xs">To: {preview.to || 'no address on this channel'}</Text>
            {draft.channel === 'email' && (
              <Text size="sm" fw={600}>
                {preview.subject}
              </Text>
            )}
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
              {preview.body}
            </Text>
          </div>
        )}
      </Stack>
    </Card>
  );
}

function TemplateEditor({
  template,
  variables,
  onClose,
}: {
  template: Template | null;
  variables: { name: string; description: string }[];
  onClose: () => void;
}) {
  const { create, update } = useTemplateActions();
  const [draft, setDraft] = useState<Draft>({
    name: template?.name ?? '',
    channel: template?.channel ?? 'email',
    purpose: template?.purpose ?? 'transactional',
    subject: template?.subject ?? '',
    body: template?.body ?? '',
    stageSlug: template?.stageSlug ?? '',
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const set = (changes: Partial<Draft>) => setDraft((current) => ({ ...current, ...changes }));

  const submit = () => {
    setErrors({});
    setError(null);
    const values = {
      name: draft.name,
      channel: draft.channel,
      purpose: draft.purpose,
      subject: draft.channel === 'email' ? draft.subject : '',
      body: draft.body,
      stageSlug: draft.stageSlug.trim() || null,
    };
    const onError = (e: unknown) => {
      const fields = e instanceof ApiError ? (e.problem?.errors ?? []) : [];
      setErrors(Object.fromEntries(fields.map((f) => [f.field, f.message])));
      setError(errorMessage(e));
    };
    const onSuccess = () => {
      notifications.show({ color: 'green', message: `Template saved: ${draft.name}` });
      onClose();
    };
    if (template) update.mutate({ template, changes: values }, { onSuccess, onError });
    else create.mutate(values, { onSuccess, onError });
  };

  return (
    <Modal opened onClose={onClose} size="xl" title={template ? 'Edit template' : 'New template'}>
      <Stack>
        <Group grow align="start">
          <TextInput
            label="Name"
            value={draft.name}
            onChange={(e) => set({ name: e.currentTarget.value })}
            error={errors.name}
          />
          <Select
            label="Channel"
            data={[
              { value: 'email', label: 'Email' },
              { value: 'sms', label: 'SMS' },
            ]}
            value={draft.channel}
            allowDeselect={false}
            onChange={(value) => set({ channel: value ?? 'email' })}
          />
          <Select
            label="Purpose"
            description="Marketing goes only to contacts who opted in"
            data={[
              { value: 'transactional', label: 'Transactional (follow-up)' },
              { value: 'marketing', label: 'Marketing' },
            ]}
            value={draft.purpose}
            allowDeselect={false}
            onChange={(value) => set({ purpose: value ?? 'transactional' })}
          />
        </Group>
        <TextInput
          label="For stage (slug, optional)"
          description="A per-stage follow-up template names its stage, e.g. proposal"
          value={draft.stageSlug}
          onChange={(e) => set({ stageSlug: e.currentTarget.value })}
          error={errors.stageSlug}
        />
        {draft.channel === 'email' && (
          <TextInput
            label="Subject"
            value={draft.subject}
            onChange={(e) => set({ subject: e.currentTarget.value })}
            error={errors.subject}
          />
        )}
        <Textarea
          label="Body"
          autosize
          minRows={6}
          value={draft.body}
          onChange={(e) => set({ body: e.currentTarget.value })}
          error={errors.body}
        />
        <details>
          <summary>
            <Text span size="sm" fw={500}>
              Variables you can use
            </Text>
          </summary>
          <Table>
            <Table.Tbody>
              {variables.map((variable) => (
                <Table.Tr key={variable.name}>
                  <Table.Td>
                    <Code>{`{{${variable.name}}}`}</Code>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{variable.description}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </details>
        <LivePreview draft={draft} />
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        <Group justify="end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button loading={create.isPending || update.isPending} onClick={submit}>
            Save template
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function TemplatesSettings() {
  const templates = useTemplates();
  const { archive } = useTemplateActions();
  const [editing, setEditing] = useState<Template | 'new' | null>(null);
  return (
    <Stack>
      <SectionHeader
        title="Templates"
        description="Email and SMS texts for follow-ups. Messages made from them wait in the outbox for approval."
        action={<Button onClick={() => setEditing('new')}>New template</Button>}
      />
      <QueryView query={templates} skeleton={<PageSkeleton rows={3} />}>
        {(list) => (
          <>
            {list.items.length === 0 ? (
              <EmptyHint>No templates yet.</EmptyHint>
            ) : (
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Channel</Table.Th>
                    <Table.Th>Stage</Table.Th>
                    <Table.Th>Actions</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.items.map((template) => (
                    <Table.Tr key={template.id} data-testid="template-row">
                      <Table.Td>
                        <Group gap="xs">
                          <Text size="sm" fw={500}>
                            {template.name}
                          </Text>
                          {template.purpose === 'marketing' && (
                            <Badge size="xs" variant="outline">
                              marketing
                            </Badge>
                          )}
                        </Group>
                      </Table.Td>
                      <Table.Td>{template.channel.toUpperCase()}</Table.Td>
                      <Table.Td>{template.stageSlug ?? '—'}</Table.Td>
                      <Table.Td>
                        <Group gap="xs">
                          <Button
                            size="compact-sm"
                            variant="light"
                            aria-label={`Edit ${template.name}`}
                            onClick={() => setEditing(template)}
                          >
                            Edit
                          </Button>
                          <Button
                            size="compact-sm"
                            variant="subtle"
                            color="red"
                            aria-label={`Archive ${template.name}`}
                            onClick={() =>
                              archive.mutate(template, {
                                onSuccess: () =>
                                  notifications.show({ message: `Archived ${template.name}` }),
                                onError: (e) =>
                                  notifications.show({ color: 'red', message: errorMessage(e) }),
                              })
                            }
                          >
                            Archive
                          </Button>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
            {editing && (
              <TemplateEditor
                template={editing === 'new' ? null : editing}
                variables={list.variables}
                onClose={() => setEditing(null)}
              />
            )}
          </>
        )}
      </QueryView>
    </Stack>
  );
}
