// Pipelines: create, rename, policy, default, archive; their stages (stages-editor.tsx); and
// what a lead needs before it converts, with the tasks a conversion creates.
import { zodResolver } from '@hookform/resolvers/zod';
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  Modal,
  MultiSelect,
  NumberInput,
  Select,
  Stack,
  Tabs,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Controller, useFieldArray, useForm } from 'react-hook-form';
import { useSearchParams } from 'react-router';
import { z } from 'zod';
import {
  createPipelineBodySchema,
  onboardingTaskSchema,
  pipelinePolicySchema,
  stageKindSchema,
  updatePipelineBodySchema,
} from '../../../server/modules/pipelines/pipelines.schemas';
import { TASK_TYPES } from '../../../server/platform/db/schema';
import { useLeadCustomFields, usePipelines } from '../../app/reference-data';
import { PageSkeleton, QueryView } from '../../components/ui/screens';
import { applyServerErrors } from '../../lib/forms';
import { humanize } from '../../lib/labels';
import type { Pipeline } from '../../lib/types';
import { usePipelineActions } from './settings-api';
import { ConfirmDialog, EmptyHint, SectionHeader } from './settings-ui';
import { StagesEditor } from './stages-editor';

const POLICY_LABELS: Record<Pipeline['policy'], { label: string; description: string }> = {
  forward_only: {
    label: 'Forward only',
    description: 'Leads skip ahead freely but never move back, except to a lost stage.',
  },
  backward_with_reason: {
    label: 'Back with a reason',
    description: 'Leads may move back to an earlier stage when someone gives a reason.',
  },
};

// The standard lead fields a pipeline may require before conversion (the server's
// STANDARD_CONVERSION_FIELDS); lead custom fields join them as custom.<key>.
const STANDARD_CONVERSION_FIELDS: { value: string; label: string }[] = [
  { value: 'value', label: 'Value' },
  { value: 'expectedCloseDate', label: 'Expected close date' },
  { value: 'companyId', label: 'Company' },
  { value: 'contactId', label: 'Contact' },
  { value: 'sourceId', label: 'Source' },
  { value: 'contact.email', label: 'Contact’s email' },
  { value: 'contact.phone', label: 'Contact’s phone' },
];

// ── Create ───────────────────────────────────────────────────────────────────

type CreateInput = z.input<typeof createPipelineBodySchema>;
type CreateValues = z.output<typeof createPipelineBodySchema>;

function CreatePipelineDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (pipeline: Pipeline) => void;
}) {
  const { create } = usePipelineActions();
  const [unmatched, setUnmatched] = useState<string[]>([]);
  const form = useForm<CreateInput, unknown, CreateValues>({
    resolver: zodResolver(createPipelineBodySchema),
    defaultValues: {
      name: '',
      policy: 'backward_with_reason',
      isDefault: false,
      stages: [
        { name: 'New', kind: 'open' },
        { name: 'In progress', kind: 'open' },
        { name: 'Won', kind: 'won' },
        { name: 'Lost', kind: 'lost' },
      ],
    },
  });
  const stages = useFieldArray({ control: form.control, name: 'stages' });
  const errors = form.formState.errors;
  const submit = form.handleSubmit((values) => {
    setUnmatched([]);
    create.mutate(values, {
      onSuccess: (pipeline) => {
        notifications.show({ color: 'green', message: `Pipeline created: ${pipeline.name}` });
        onCreated(pipeline);
      },
      onError: (error) => {
        const fields = stages.fields.flatMap((_, i) => [`stages.${i}.name`, `stages.${i}.kind`]);
        const rest = applyServerErrors(error, form.setError, [
          'name',
          'policy',
          'stages',
          ...(fields as `stages.${number}.name`[]),
        ]);
        setUnmatched(rest.map((e) => e.message));
      },
    });
  });
  const stagesMessage = errors.stages?.message ?? errors.stages?.root?.message;
  return (
    <Modal opened onClose={onClose} title="New pipeline" size="lg">
      <form noValidate onSubmit={(event) => void submit(event)}>
        <Stack gap="sm">
          <TextInput
            label="Name"
            required
            data-autofocus
            {...form.register('name')}
            error={errors.name?.message}
          />
          <Controller
            control={form.control}
            name="policy"
            render={({ field }) => (
              <Select
                label="Moving back"
                allowDeselect={false}
                data={pipelinePolicySchema.options.map((policy) => ({
                  value: policy,
                  label: POLICY_LABELS[policy].label,
                }))}
                value={field.value ?? 'backward_with_reason'}
                onChange={(value) => value && field.onChange(value)}
                description={POLICY_LABELS[field.value ?? 'backward_with_reason'].description}
              />
            )}
          />
          <Controller
            control={form.control}
            name="isDefault"
            render={({ field }) => (
              <Checkbox
                label="Make it the default pipeline (new leads go here)"
                checked={field.value ?? false}
                onChange={(event) => field.onChange(event.currentTarget.checked)}
              />
            )}
          />
          <Text size="sm" fw={500}>
            Stages (in order; at least one open, one won and one lost)
          </Text>
          {stages.fields.map((field, index) => (
            <Group key={field.id} gap="xs" align="start" wrap="nowrap">
              <TextInput
                style={{ flex: 1 }}
                aria-label={`Stage ${index + 1} name`}
                {...form.register(`stages.${index}.name`)}
                error={errors.stages?.[index]?.name?.message}
              />
              <Controller
                control={form.control}
                name={`stages.${index}.kind`}
                render={({ field: kind }) => (
                  <Select
                    w={120}
                    aria-label={`Stage ${index + 1} kind`}
                    allowDeselect={false}
                    data={stageKindSchema.options.map((value) => ({
                      value,
                      label: humanize(value),
                    }))}
                    value={kind.value ?? 'open'}
                    onChange={(value) => value && kind.onChange(value)}
                  />
                )}
              />
              <ActionIcon
                variant="subtle"
                color="red"
                mt={4}
                aria-label={`Remove stage ${index + 1}`}
                onClick={() => stages.remove(index)}
              >
                ×
              </ActionIcon>
            </Group>
          ))}
          {stagesMessage && (
            <Text size="xs" c="red.9">
              {stagesMessage}
            </Text>
          )}
          <Group>
            <Button
              size="xs"
              variant="light"
              onClick={() =>
                // New open stages go before the won and lost ones.
                stages.insert(
                  Math.max(
                    0,
                    stages.fields.findIndex((f) => f.kind !== 'open'),
                  ),
                  { name: '', kind: 'open' },
                )
              }
            >
              Add a stage
            </Button>
          </Group>
          {unmatched.length > 0 && (
            <Alert color="red" title="Not saved">
              {unmatched.join(' ')}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create pipeline
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

// ── Name, policy, default, archive ──────────────────────────────────────────

const nameSchema = z.object({ name: createPipelineBodySchema.shape.name });

function PipelineBasics({ pipeline, onArchived }: { pipeline: Pipeline; onArchived: () => void }) {
  const { update, archive } = usePipelineActions();
  const [archiving, setArchiving] = useState(false);
  const form = useForm<z.input<typeof nameSchema>, unknown, z.output<typeof nameSchema>>({
    resolver: zodResolver(nameSchema),
    values: { name: pipeline.name },
  });
  const rename = form.handleSubmit(({ name }) =>
    update.mutate(
      { pipeline, changes: { name } },
      {
        onSuccess: () => notifications.show({ color: 'green', message: `Renamed to ${name}` }),
        onError: (error) => applyServerErrors(error, form.setError, ['name']),
      },
    ),
  );
  return (
    <Card withBorder component="section" aria-labelledby="pipeline-basics-title">
      <Title order={3} size="h4" id="pipeline-basics-title" mb="xs">
        Pipeline
      </Title>
      <Stack gap="sm">
        <Group align="start" gap="lg" wrap="wrap">
          <form noValidate onSubmit={(event) => void rename(event)}>
            <Group align="end" gap="xs" wrap="nowrap">
              <TextInput
                label="Name"
                required
                w={260}
                {...form.register('name')}
                error={form.formState.errors.name?.message}
              />
              <Button
                type="submit"
                variant="default"
                disabled={!form.formState.isDirty}
                loading={update.isPending && update.variables?.changes.name !== undefined}
              >
                Rename
              </Button>
            </Group>
          </form>
          <Select
            label="Moving back"
            w={240}
            allowDeselect={false}
            data={pipelinePolicySchema.options.map((policy) => ({
              value: policy,
              label: POLICY_LABELS[policy].label,
            }))}
            value={pipeline.policy}
            onChange={(value) => {
              const policy = pipelinePolicySchema.safeParse(value);
              if (policy.success && policy.data !== pipeline.policy) {
                update.mutate(
                  { pipeline, changes: { policy: policy.data } },
                  {
                    onSuccess: () =>
                      notifications.show({
                        color: 'green',
                        message: `Policy: ${POLICY_LABELS[policy.data].label}`,
                      }),
                  },
                );
              }
            }}
          />
        </Group>
        <Text size="xs" c="dimmed">
          {POLICY_LABELS[pipeline.policy].description}
        </Text>
        <Group gap="xs">
          {pipeline.isDefault ? (
            <Text size="sm">New leads go into this pipeline (the default).</Text>
          ) : (
            <>
              <Button
                variant="light"
                size="xs"
                onClick={() =>
                  update.mutate(
                    { pipeline, changes: { isDefault: true } },
                    {
                      onSuccess: () =>
                        notifications.show({
                          color: 'green',
                          message: `${pipeline.name} is now the default pipeline`,
                        }),
                    },
                  )
                }
              >
                Make default
              </Button>
              <Button variant="subtle" color="red" size="xs" onClick={() => setArchiving(true)}>
                Archive pipeline
              </Button>
            </>
          )}
        </Group>
      </Stack>
      <ConfirmDialog
        opened={archiving}
        title={`Archive “${pipeline.name}”?`}
        confirmLabel="Archive pipeline"
        busy={archive.isPending}
        onClose={() => setArchiving(false)}
        onConfirm={() =>
          archive.mutate(pipeline, {
            onSuccess: () => {
              setArchiving(false);
              notifications.show({ color: 'green', message: `Archived ${pipeline.name}` });
              onArchived();
            },
          })
        }
      >
        <Text size="sm">
          The pipeline leaves the board and the pickers. Its leads and their history stay.
        </Text>
      </ConfirmDialog>
    </Card>
  );
}

// ── Conversion ───────────────────────────────────────────────────────────────

const conversionSchema = z.object({
  requiredForConversion: updatePipelineBodySchema.shape.requiredForConversion.unwrap(),
  onboardingTasks: z.array(onboardingTaskSchema).max(20),
});
type ConversionInput = z.input<typeof conversionSchema>;

function ConversionSettings({ pipeline }: { pipeline: Pipeline }) {
  const { update } = usePipelineActions();
  const customFields = useLeadCustomFields();
  const [unmatched, setUnmatched] = useState<string[]>([]);
  const form = useForm<ConversionInput, unknown, z.output<typeof conversionSchema>>({
    resolver: zodResolver(conversionSchema),
    values: {
      requiredForConversion: pipeline.requiredForConversion,
      onboardingTasks: pipeline.onboardingTasks,
    },
  });
  const tasks = useFieldArray({ control: form.control, name: 'onboardingTasks' });
  const errors = form.formState.errors;
  const options = [
    ...STANDARD_CONVERSION_FIELDS,
    ...(customFields.data ?? []).map((field) => ({
      value: `custom.${field.key}`,
      label: `${field.label} (custom field)`,
    })),
  ];
  // A requirement on a field that is gone still shows, so it can be removed.
  for (const key of pipeline.requiredForConversion) {
    if (!options.some((option) => option.value === key)) options.push({ value: key, label: key });
  }
  const submit = form.handleSubmit((values) => {
    setUnmatched([]);
    update.mutate(
      { pipeline, changes: values },
      {
        onSuccess: () =>
          notifications.show({ color: 'green', message: 'Conversion settings saved' }),
        onError: (error) => {
          const taskFields = tasks.fields.flatMap((_, i) =>
            (['title', 'type', 'dueInDays'] as const).map(
              (key) => `onboardingTasks.${i}.${key}` as const,
            ),
          );
          const rest = applyServerErrors(error, form.setError, [
            'requiredForConversion',
            'onboardingTasks',
            ...taskFields,
          ]);
          setUnmatched(rest.map((e) => e.message));
        },
      },
    );
  });
  return (
    <Card withBorder component="section" aria-labelledby="conversion-title">
      <Title order={3} size="h4" id="conversion-title">
        Conversion
      </Title>
      <Text size="xs" c="dimmed" mb="sm">
        What a lead of this pipeline needs before it is won and converted, and the tasks the
        assignee gets then.
      </Text>
      <form noValidate onSubmit={(event) => void submit(event)}>
        <Stack gap="sm">
          <Controller
            control={form.control}
            name="requiredForConversion"
            render={({ field }) => (
              <MultiSelect
                label="Required before conversion"
                placeholder={field.value.length === 0 ? 'Nothing required' : undefined}
                searchable
                data={options}
                value={field.value}
                onChange={field.onChange}
                error={errors.requiredForConversion?.message}
              />
            )}
          />
          <Text size="sm" fw={500}>
            Onboarding tasks
          </Text>
          {tasks.fields.length === 0 && (
            <EmptyHint>
              No tasks are created at conversion. Add one to plan the first step.
            </EmptyHint>
          )}
          {tasks.fields.map((field, index) => (
            <Group key={field.id} gap="xs" align="start" wrap="nowrap">
              <TextInput
                style={{ flex: 1 }}
                aria-label={`Task ${index + 1} title`}
                {...form.register(`onboardingTasks.${index}.title`)}
                error={errors.onboardingTasks?.[index]?.title?.message}
              />
              <Controller
                control={form.control}
                name={`onboardingTasks.${index}.type`}
                render={({ field: type }) => (
                  <Select
                    w={130}
                    aria-label={`Task ${index + 1} type`}
                    allowDeselect={false}
                    data={TASK_TYPES.map((value) => ({ value, label: humanize(value) }))}
                    value={type.value}
                    onChange={(value) => value && type.onChange(value)}
                  />
                )}
              />
              <Controller
                control={form.control}
                name={`onboardingTasks.${index}.dueInDays`}
                render={({ field: due }) => (
                  <NumberInput
                    w={150}
                    aria-label={`Task ${index + 1} due after days`}
                    leftSection={<Text size="xs">+</Text>}
                    rightSection={<Text size="xs">d</Text>}
                    rightSectionPointerEvents="none"
                    hideControls
                    min={0}
                    max={365}
                    allowDecimal={false}
                    value={due.value}
                    onChange={(value) => due.onChange(typeof value === 'number' ? value : 0)}
                    error={errors.onboardingTasks?.[index]?.dueInDays?.message}
                  />
                )}
              />
              <ActionIcon
                variant="subtle"
                color="red"
                mt={4}
                aria-label={`Remove task ${index + 1}`}
                onClick={() => tasks.remove(index)}
              >
                ×
              </ActionIcon>
            </Group>
          ))}
          <Group>
            <Button
              size="xs"
              variant="light"
              onClick={() => tasks.append({ title: '', type: 'call', dueInDays: 1 })}
            >
              Add a task
            </Button>
          </Group>
          {unmatched.length > 0 && (
            <Alert color="red" title="Not saved">
              {unmatched.join(' ')}
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={update.isPending}>
              Save conversion settings
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

// ── The section ──────────────────────────────────────────────────────────────

export function PipelinesSettings() {
  const pipelines = usePipelines();
  const [params, setParams] = useSearchParams();
  const [creating, setCreating] = useState(false);
  const select = (id: string | null) => {
    if (id) setParams({ pipeline: id }, { replace: true });
  };
  return (
    <Stack>
      <SectionHeader
        title="Pipelines and stages"
        description="The road a lead travels, and the rules on the way."
        action={<Button onClick={() => setCreating(true)}>New pipeline</Button>}
      />
      <QueryView query={pipelines} skeleton={<PageSkeleton rows={6} />}>
        {(items) => {
          if (items.length === 0) {
            return (
              <EmptyHint>
                No pipeline yet. Create one, or apply a preset for your trade under Presets.
              </EmptyHint>
            );
          }
          const current =
            items.find((p) => p.id === params.get('pipeline')) ??
            items.find((p) => p.isDefault) ??
            items[0]!;
          return (
            <Tabs value={current.id} onChange={select} keepMounted={false}>
              <Tabs.List aria-label="Pipelines">
                {items.map((pipeline) => (
                  <Tabs.Tab key={pipeline.id} value={pipeline.id}>
                    {pipeline.name}
                    {pipeline.isDefault && (
                      <Badge size="xs" variant="light" ml={6}>
                        Default
                      </Badge>
                    )}
                  </Tabs.Tab>
                ))}
              </Tabs.List>
              {items.map((pipeline) => (
                <Tabs.Panel key={pipeline.id} value={pipeline.id} pt="md">
                  <Stack>
                    <PipelineBasics pipeline={pipeline} onArchived={() => setParams({})} />
                    <StagesEditor pipeline={pipeline} />
                    <ConversionSettings pipeline={pipeline} />
                  </Stack>
                </Tabs.Panel>
              ))}
            </Tabs>
          );
        }}
      </QueryView>
      {creating && (
        <CreatePipelineDialog
          onClose={() => setCreating(false)}
          onCreated={(pipeline) => {
            setCreating(false);
            select(pipeline.id);
          }}
        />
      )}
    </Stack>
  );
}
