// A form's settings: where its leads go (source, pipeline, stage, assignee), what a person sees
// after posting, which sites may use it, and its secrets (write-only: the server never shows them).
import { zodResolver } from '@hookform/resolvers/zod';
import {
  Alert,
  Button,
  Group,
  PasswordInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  TextInput,
  Textarea,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Controller, useForm as useHookForm } from 'react-hook-form';
import { z } from 'zod';
import { createFormBodySchema } from '../../../../server/modules/forms/forms.schemas';
import { useLeadSources, useMembers, usePipelines } from '../../../app/reference-data';
import { applyServerErrors } from '../../../lib/forms';
import { useFormActions, type Form, type UpdateFormInput } from '../api/forms-api';

const NONE = '';

// The server's rules for the text fields; lists and secrets are typed as text here.
const editorSchema = z.object({
  name: createFormBodySchema.shape.name,
  sourceId: z.string(),
  pipelineId: z.string(),
  stageId: z.string(),
  assigneeId: z.string(),
  allowedOrigins: z.string(),
  thankYouMessage: z.string().max(2000),
  redirectUrl: z.string().trim(),
  honeypotField: z.string().trim().min(1, 'Required'),
  signingSecret: z.string(),
  googleKey: z.string(),
  fields: z.string(),
  adapterMapping: z.string(),
  active: z.boolean(),
});
type EditorValues = z.infer<typeof editorSchema>;
const FIELDS = [
  'name',
  'sourceId',
  'pipelineId',
  'stageId',
  'assigneeId',
  'allowedOrigins',
  'thankYouMessage',
  'redirectUrl',
  'honeypotField',
  'signingSecret',
  'googleKey',
  'fields',
  'adapterMapping',
  'active',
] as const;

function valuesOf(form: Form | null): EditorValues {
  return {
    name: form?.name ?? '',
    sourceId: form?.sourceId ?? NONE,
    pipelineId: form?.pipelineId ?? NONE,
    stageId: form?.stageId ?? NONE,
    assigneeId: form?.assigneeId ?? NONE,
    allowedOrigins: form?.allowedOrigins.join('\n') ?? '',
    thankYouMessage: form?.thankYouMessage ?? '',
    redirectUrl: form?.redirectUrl ?? '',
    honeypotField: form?.honeypotField ?? 'website_url',
    signingSecret: '',
    googleKey: '',
    fields: mappingText(form?.fields ?? {}),
    adapterMapping: mappingText(form?.adapterMapping ?? {}),
    active: form?.active ?? true,
  };
}

/** A mapping as lines "name = target", the way the editor shows it. */
function mappingText(mapping: Record<string, string>): string {
  return Object.entries(mapping)
    .map(([name, target]) => `${name} = ${target}`)
    .join('\n');
}

/** Lines "name = target" back to a mapping; the server checks the targets. */
function parseMapping(text: string): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.lastIndexOf('=');
    if (at <= 0) continue;
    const name = line.slice(0, at).trim();
    const target = line.slice(at + 1).trim();
    if (name && target) mapping[name] = target;
  }
  return mapping;
}

function toInput(values: EditorValues): UpdateFormInput {
  const orNull = (value: string) => (value === NONE ? null : value);
  return {
    name: values.name,
    sourceId: orNull(values.sourceId),
    pipelineId: orNull(values.pipelineId),
    stageId: orNull(values.stageId),
    assigneeId: orNull(values.assigneeId),
    allowedOrigins: values.allowedOrigins
      .split(/\s+/)
      .map((origin) => origin.trim().replace(/\/$/, ''))
      .filter(Boolean),
    thankYouMessage: values.thankYouMessage,
    redirectUrl: values.redirectUrl || null,
    honeypotField: values.honeypotField,
    // Left empty, a secret stays as it is.
    ...(values.signingSecret ? { signingSecret: values.signingSecret } : {}),
    ...(values.googleKey ? { googleKey: values.googleKey } : {}),
    fields: parseMapping(values.fields),
    adapterMapping: parseMapping(values.adapterMapping),
    active: values.active,
  };
}

export function FormEditor({
  form,
  onSaved,
  onCancel,
}: {
  /** Null: a new form. */
  form: Form | null;
  onSaved: (form: Form) => void;
  onCancel?: () => void;
}) {
  const { create, update } = useFormActions();
  const pipelines = usePipelines();
  const sources = useLeadSources();
  const members = useMembers();
  const [unmatched, setUnmatched] = useState<string[]>([]);
  const editor = useHookForm<EditorValues>({
    resolver: zodResolver(editorSchema),
    defaultValues: valuesOf(form),
  });
  const errors = editor.formState.errors;
  const pipelineId = editor.watch('pipelineId');
  const pipeline =
    pipelines.data?.find((p) => p.id === pipelineId) ?? pipelines.data?.find((p) => p.isDefault);
  const stageOptions = [
    { value: NONE, label: 'First open stage' },
    ...(pipeline?.stages ?? [])
      .filter((stage) => stage.kind === 'open')
      .map((stage) => ({ value: stage.id, label: stage.name })),
  ];
  const idPrefix = form ? `form-${form.id}` : 'new-form';

  const submit = editor.handleSubmit((values) => {
    setUnmatched([]);
    const callbacks = {
      onSuccess: (saved: Form) => {
        notifications.show({ color: 'green', message: `Form saved: ${saved.name}` });
        onSaved(saved);
      },
      onError: (error: Error) => {
        const rest = applyServerErrors(error, editor.setError, FIELDS);
        setUnmatched(rest.length > 0 ? rest.map((e) => e.message) : [error.message]);
      },
    };
    const input = toInput(values);
    if (form) update.mutate({ form, changes: input }, callbacks);
    else create.mutate({ ...input, name: values.name }, callbacks);
  });

  const select = (
    name: 'sourceId' | 'pipelineId' | 'stageId' | 'assigneeId',
    label: string,
    data: { value: string; label: string }[],
  ) => (
    <Controller
      control={editor.control}
      name={name}
      render={({ field }) => (
        <Select
          id={`${idPrefix}-${name}`}
          label={label}
          allowDeselect={false}
          data={data}
          value={field.value}
          onChange={(value) => {
            field.onChange(value ?? NONE);
            if (name === 'pipelineId') editor.setValue('stageId', NONE);
          }}
          error={errors[name]?.message}
        />
      )}
    />
  );

  return (
    <form
      noValidate
      onSubmit={(event) => void submit(event)}
      aria-label={form ? `Edit form ${form.name}` : 'New form'}
    >
      <Stack gap="sm">
        <TextInput
          id={`${idPrefix}-name`}
          label="Name"
          description="Shown as the heading of the hosted page"
          required
          {...editor.register('name')}
          error={errors.name?.message}
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          {select('sourceId', 'Source of its leads', [
            { value: NONE, label: 'No source' },
            ...(sources.data ?? []).map((s) => ({ value: s.id, label: s.name })),
          ])}
          {select('assigneeId', 'Assignee', [
            { value: NONE, label: 'Unassigned (admins and managers are notified)' },
            ...(members.data ?? []).map((m) => ({ value: m.id, label: m.name })),
          ])}
          {select('pipelineId', 'Pipeline', [
            { value: NONE, label: 'Default pipeline' },
            ...(pipelines.data ?? []).map((p) => ({ value: p.id, label: p.name })),
          ])}
          {select('stageId', 'Stage', stageOptions)}
        </SimpleGrid>
        <Textarea
          id={`${idPrefix}-thanks`}
          label="Thank-you message"
          autosize
          minRows={2}
          {...editor.register('thankYouMessage')}
          error={errors.thankYouMessage?.message}
        />
        <TextInput
          id={`${idPrefix}-redirect`}
          label="Redirect URL after a post (instead of the thank-you page)"
          placeholder="https://www.example.com/thanks"
          {...editor.register('redirectUrl')}
          error={errors.redirectUrl?.message}
        />
        <Textarea
          id={`${idPrefix}-origins`}
          label="Allowed sites (one origin per line)"
          description="Pages of these sites may post from JavaScript and frame the hosted form"
          placeholder="https://www.example.com"
          autosize
          minRows={2}
          {...editor.register('allowedOrigins')}
          error={errors.allowedOrigins?.message}
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            id={`${idPrefix}-honeypot`}
            label="Honeypot field name"
            description="Hidden from people; a bot that fills it is kept as spam"
            {...editor.register('honeypotField')}
            error={errors.honeypotField?.message}
          />
          <PasswordInput
            id={`${idPrefix}-secret`}
            label="Signing secret (server-to-server senders)"
            description={
              form?.hasSigningSecret
                ? 'A secret is set; type a new one to replace it'
                : 'Optional, at least 16 characters'
            }
            autoComplete="new-password"
            {...editor.register('signingSecret')}
            error={errors.signingSecret?.message}
          />
        </SimpleGrid>
        <Textarea
          id={`${idPrefix}-fields`}
          label="Field mapping (one per line: posted name = target)"
          description="Targets: firstName, lastName, name, email, phone, company, message, ignore, lead.<custom field key>, contact.<custom field key>. The usual names (email, first_name, …) need no line."
          placeholder="how_much = lead.budget"
          autosize
          minRows={2}
          {...editor.register('fields')}
          error={errors.fields?.message}
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Textarea
            id={`${idPrefix}-adapter-mapping`}
            label="JSON paths for the generic webhook (path = target)"
            placeholder="$.data.contact.email = email"
            autosize
            minRows={2}
            {...editor.register('adapterMapping')}
            error={errors.adapterMapping?.message}
          />
          <PasswordInput
            id={`${idPrefix}-google-key`}
            label="Google Ads webhook key"
            description={
              form?.hasGoogleKey
                ? 'A key is set; type a new one to replace it'
                : 'The key entered in the Google Ads lead form'
            }
            autoComplete="off"
            {...editor.register('googleKey')}
            error={errors.googleKey?.message}
          />
        </SimpleGrid>
        <Controller
          control={editor.control}
          name="active"
          render={({ field }) => (
            <Switch
              label="Taking submissions"
              checked={field.value}
              onChange={(event) => field.onChange(event.currentTarget.checked)}
            />
          )}
        />
        {unmatched.length > 0 && (
          <Alert color="red" title="Not saved">
            {unmatched.join(' ')}
          </Alert>
        )}
        <Group justify="flex-end">
          {onCancel && (
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          )}
          <Button type="submit" loading={create.isPending || update.isPending}>
            {form ? 'Save form' : 'Create form'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
