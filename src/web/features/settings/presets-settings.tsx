// Trade presets: what each brings, and applying one to add what this workspace lacks (pipelines
// by name, sources and lost reasons by name, custom fields by key). Nothing is changed or removed.
import { Badge, Button, Card, Group, List, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { PageSkeleton, QueryView } from '../../components/ui/screens';
import { api } from '../../lib/api-client';
import type { Page, Pipeline } from '../../lib/types';
import { useApplyPreset, usePresets, type PresetApplied, type PresetSummary } from './settings-api';
import { ConfirmDialog, SectionHeader } from './settings-ui';

/** Pipeline names the workspace has, archived ones too (a preset skips those names). */
function usePipelineNames() {
  return useQuery({
    queryKey: ['pipelines', 'with-archived'],
    queryFn: () =>
      api
        .get<Page<Pipeline>>('/api/pipelines', { includeArchived: true })
        .then((page) => new Set(page.items.map((pipeline) => pipeline.name.toLowerCase()))),
  });
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function describeAdded({ added }: PresetApplied): string {
  const parts = [
    added.pipelines > 0 && count(added.pipelines, 'pipeline', 'pipelines'),
    added.sources > 0 && count(added.sources, 'source', 'sources'),
    added.lostReasons > 0 && count(added.lostReasons, 'lost reason', 'lost reasons'),
    added.customFields > 0 && count(added.customFields, 'custom field', 'custom fields'),
  ].filter((part): part is string => typeof part === 'string');
  return parts.length > 0 ? `Added ${parts.join(', ')}.` : 'Nothing new: all of it was here.';
}

function ApplyDialog({ preset, onClose }: { preset: PresetSummary; onClose: () => void }) {
  const names = usePipelineNames();
  const apply = useApplyPreset();
  const newPipelines = preset.pipelines.filter((p) => !names.data?.has(p.name.toLowerCase()));
  const existing = preset.pipelines.filter((p) => names.data?.has(p.name.toLowerCase()));
  return (
    <ConfirmDialog
      opened
      title={`Apply “${preset.label}”?`}
      confirmLabel="Apply preset"
      color="blue"
      busy={apply.isPending}
      onClose={onClose}
      onConfirm={() =>
        apply.mutate(preset.key, {
          onSuccess: (result) => {
            notifications.show({
              color: 'green',
              title: `${preset.label} applied`,
              message: describeAdded(result),
            });
            onClose();
          },
        })
      }
    >
      <Text size="sm">This adds to the workspace only what it does not have yet:</Text>
      <List size="sm" spacing={4}>
        {newPipelines.map((pipeline) => (
          <List.Item key={pipeline.name}>
            the pipeline “{pipeline.name}” with {pipeline.stages.length} stages
          </List.Item>
        ))}
        {existing.map((pipeline) => (
          <List.Item key={pipeline.name}>
            not “{pipeline.name}”: a pipeline of that name exists and stays as it is
          </List.Item>
        ))}
        <List.Item>its lead sources and lost reasons missing here (matched by name)</List.Item>
        <List.Item>its custom fields missing here (matched by record type and key)</List.Item>
      </List>
      <Text size="sm">Nothing is changed or removed; everything added stays editable.</Text>
    </ConfirmDialog>
  );
}

export function PresetsSettings() {
  const presets = usePresets();
  const [applying, setApplying] = useState<PresetSummary | null>(null);
  return (
    <Stack>
      <SectionHeader
        title="Presets"
        description="Ready-made pipelines, sources, lost reasons and custom fields for a trade. Apply one to add what your workspace lacks."
      />
      <QueryView query={presets} skeleton={<PageSkeleton rows={4} />}>
        {(items) => (
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            {items.map((preset) => (
              <Card
                key={preset.key}
                withBorder
                component="section"
                aria-labelledby={`preset-${preset.key}`}
                data-testid="preset-card"
              >
                <Stack gap="xs" h="100%" justify="space-between">
                  <div>
                    <Title order={3} size="h4" id={`preset-${preset.key}`}>
                      {preset.label}
                    </Title>
                    <Text size="sm" mb="xs">
                      {preset.description}
                    </Text>
                    {preset.pipelines.map((pipeline) => (
                      <div key={pipeline.name}>
                        <Text size="xs" fw={600}>
                          {pipeline.name}
                        </Text>
                        <Group gap={4} mt={2}>
                          {pipeline.stages.map((stage) => (
                            <Badge key={stage} size="xs" variant="light" color="gray">
                              {stage}
                            </Badge>
                          ))}
                        </Group>
                      </div>
                    ))}
                  </div>
                  <Group>
                    <Button size="xs" variant="light" onClick={() => setApplying(preset)}>
                      Apply {preset.label}
                    </Button>
                  </Group>
                </Stack>
              </Card>
            ))}
          </SimpleGrid>
        )}
      </QueryView>
      {applying && <ApplyDialog preset={applying} onClose={() => setApplying(null)} />}
    </Stack>
  );
}
