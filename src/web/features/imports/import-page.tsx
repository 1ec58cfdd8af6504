// The Import page: choose a CSV, check the detected columns (and change them), dry-run or
// import it, watch its progress (rows, rate, ETA), cancel or undo it, and see past imports.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  FileInput,
  Group,
  Paper,
  Progress,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { useSession } from '../../app/session';
import { ApiError } from '../../lib/api-client';
import { describeProblem } from '../../lib/problem';
import {
  isActive,
  useImport,
  useImportActions,
  useImports,
  useSaveMapping,
  useSavedMappings,
  type DuplicatePolicy,
  type Import,
  type ImportEntity,
  type ImportPreview,
} from './api/imports-api';

const NEW_FIELD = '__new_field__';

const ENTITIES: { value: ImportEntity; label: string }[] = [
  { value: 'leads', label: 'Leads' },
  { value: 'contacts', label: 'Contacts' },
  { value: 'companies', label: 'Companies' },
];

const POLICIES: { value: DuplicatePolicy; label: string }[] = [
  { value: 'skip', label: 'Skip rows that match an existing record' },
  { value: 'update', label: 'Update the existing record' },
  { value: 'create', label: 'Create anyway' },
];

const STATUS_COLORS: Record<Import['status'], string> = {
  queued: 'gray',
  running: 'blue',
  completed: 'green',
  failed: 'red',
  cancelled: 'orange',
};

function messageOf(error: unknown): string {
  if (error instanceof ApiError && error.problem) return describeProblem(error.problem);
  return error instanceof Error ? error.message : 'Something went wrong.';
}

function MappingTable({
  preview,
  mapping,
  canCreateFields,
  onChange,
}: {
  preview: ImportPreview;
  mapping: Record<string, string>;
  canCreateFields: boolean;
  onChange: (header: string, target: string) => void;
}) {
  const options = [
    ...preview.targets.map((target) => ({ value: target.value, label: target.label })),
    ...(canCreateFields ? [{ value: NEW_FIELD, label: 'New custom field (text)' }] : []),
  ];
  return (
    <Table striped withTableBorder>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Column in the file</Table.Th>
          <Table.Th scope="col">First value</Table.Th>
          <Table.Th scope="col">Imported as</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {preview.headers.map((header, index) => (
          <Table.Tr key={header}>
            <Table.Td>{header}</Table.Td>
            <Table.Td>
              <Text size="sm" lineClamp={1}>
                {preview.rows[0]?.[index] ?? ''}
              </Text>
            </Table.Td>
            <Table.Td>
              <Select
                aria-label={`Field for column ${header}`}
                data={options}
                value={mapping[header] ?? 'ignore'}
                onChange={(value) => onChange(header, value ?? 'ignore')}
                searchable
                allowDeselect={false}
                size="xs"
              />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** Apply a saved mapping to the file's columns, or save the current one under a name. */
function SavedMappings({
  entity,
  headers,
  mapping,
  onApply,
}: {
  entity: ImportEntity;
  headers: string[];
  mapping: Record<string, string>;
  onApply: (mapping: Record<string, string>) => void;
}) {
  const saved = useSavedMappings();
  const save = useSaveMapping();
  const [name, setName] = useState('');
  const ofEntity = (saved.data ?? []).filter((m) => m.entity === entity);
  return (
    <Group align="end">
      {ofEntity.length > 0 && (
        <Select
          label="Use a saved mapping"
          placeholder="Choose"
          data={ofEntity.map((m) => ({ value: m.id, label: m.name }))}
          value={null}
          onChange={(id) => {
            const chosen = ofEntity.find((m) => m.id === id);
            if (!chosen) return;
            const next = { ...mapping };
            for (const { header, target } of chosen.mapping) {
              if (headers.includes(header)) next[header] = target;
            }
            onApply(next);
          }}
        />
      )}
      <TextInput
        label="Save this mapping as"
        value={name}
        onChange={(event) => setName(event.currentTarget.value)}
        maxLength={100}
      />
      <Button
        variant="default"
        disabled={name.trim() === ''}
        loading={save.isPending}
        onClick={() =>
          save.mutate(
            {
              entity,
              name: name.trim(),
              // A column set to "new custom field" is saved as ignored: the field exists only later.
              mapping: Object.fromEntries(
                Object.entries(mapping).map(([h, t]) => [h, t === NEW_FIELD ? 'ignore' : t]),
              ),
            },
            { onSuccess: () => setName('') },
          )
        }
      >
        Save mapping
      </Button>
      {save.isSuccess && <Text size="sm">Saved.</Text>}
      {save.isError && <Text size="sm">{messageOf(save.error)}</Text>}
    </Group>
  );
}

function ImportProgress({ id }: { id: string }) {
  const state = useImport(id);
  const actions = useImportActions();
  const { can, me } = useSession();
  const [undone, setUndone] = useState<string | null>(null);
  const numbers = new Intl.NumberFormat(me.workspace.locale);
  if (!state.data) return <Text>Loading the import…</Text>;
  const current = state.data;
  const total = current.totalRows ?? 0;
  const percent = total > 0 ? Math.min(100, (current.processedRows / total) * 100) : 0;
  const active = isActive(current.status);
  const mayChange = current.createdBy === me.user.id || can('lead:configure');
  return (
    <Paper withBorder p="md" aria-label="Import progress" component="section">
      <Stack gap="xs">
        <Group justify="space-between">
          <Group gap="xs">
            <Title order={2} size="h4">
              {current.fileName}
              {current.dryRun ? ' (dry run)' : ''}
            </Title>
            <Badge variant="light" color={STATUS_COLORS[current.status]}>
              {current.status}
            </Badge>
          </Group>
          <Group gap="xs">
            {active && mayChange && (
              <Button
                variant="default"
                size="xs"
                loading={actions.cancel.isPending}
                onClick={() => actions.cancel.mutate(current.id)}
              >
                Cancel import
              </Button>
            )}
            {!active && !current.dryRun && !current.undoneAt && mayChange && (
              <Button
                variant="default"
                size="xs"
                color="red"
                loading={actions.undo.isPending}
                onClick={() =>
                  actions.undo.mutate(current.id, {
                    onSuccess: (result) =>
                      setUndone(
                        `Archived ${result.leads} leads, ${result.contacts} contacts and ` +
                          `${result.companies} companies.`,
                      ),
                  })
                }
              >
                Undo import
              </Button>
            )}
          </Group>
        </Group>
        <Progress
          value={current.status === 'completed' ? 100 : percent}
          animated={active}
          aria-label="Rows imported"
          size="lg"
        />
        <Text size="sm" aria-live="polite">
          {numbers.format(current.processedRows)} of {numbers.format(total)} rows
          {current.rate ? ` · ${numbers.format(Math.round(current.rate))} rows/s` : ''}
          {active && current.eta !== null ? ` · about ${current.eta} s left` : ''}
        </Text>
        <Text size="sm">
          Created {numbers.format(current.created)} · updated {numbers.format(current.updated)} ·
          skipped {numbers.format(current.skipped)} · failed {numbers.format(current.failed)}
        </Text>
        {current.message && <Text size="sm">{current.message}</Text>}
        {undone && (
          <Alert color="green" title="Undone">
            {undone}
          </Alert>
        )}
        {actions.undo.isError && <Alert color="red">{messageOf(actions.undo.error)}</Alert>}
        {current.errorCount > 0 && (
          <>
            <Group justify="space-between">
              <Title order={3} size="h5">
                Problems ({numbers.format(current.errorCount)})
              </Title>
              <Anchor href={`/api/imports/${current.id}/report.csv`} download>
                Download the report (CSV)
              </Anchor>
            </Group>
            <Table withTableBorder>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Row</Table.Th>
                  <Table.Th scope="col">Column</Table.Th>
                  <Table.Th scope="col">Value</Table.Th>
                  <Table.Th scope="col">Problem</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {current.errors.slice(0, 20).map((error) => (
                  <Table.Tr key={`${error.row}-${error.column}-${error.message}`}>
                    <Table.Td>{error.row}</Table.Td>
                    <Table.Td>{error.column}</Table.Td>
                    <Table.Td>{error.value}</Table.Td>
                    <Table.Td>{error.message}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </>
        )}
      </Stack>
    </Paper>
  );
}

function PastImports({ onOpen }: { onOpen: (id: string) => void }) {
  const imports = useImports();
  const { dateTime } = useSession();
  if (!imports.data || imports.data.length === 0) return null;
  return (
    <Stack gap="xs" component="section" aria-label="Past imports">
      <Title order={2} size="h4">
        Past imports
      </Title>
      <Table withTableBorder>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">File</Table.Th>
            <Table.Th scope="col">Of</Table.Th>
            <Table.Th scope="col">When</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col">Created</Table.Th>
            <Table.Th scope="col">Failed</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {imports.data.map((item) => (
            <Table.Tr key={item.id}>
              <Table.Td>
                <Anchor component="button" type="button" onClick={() => onOpen(item.id)}>
                  {item.fileName}
                </Anchor>
                {item.dryRun ? ' (dry run)' : ''}
                {item.undoneAt ? ' (undone)' : ''}
              </Table.Td>
              <Table.Td>{item.entity}</Table.Td>
              <Table.Td>{dateTime(item.createdAt)}</Table.Td>
              <Table.Td>
                <Badge variant="light" color={STATUS_COLORS[item.status]}>
                  {item.status}
                </Badge>
              </Table.Td>
              <Table.Td>{item.created}</Table.Td>
              <Table.Td>{item.failed}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

export function ImportPage() {
  const { can } = useSession();
  const actions = useImportActions();
  const [file, setFile] = useState<File | null>(null);
  const [entity, setEntity] = useState<ImportEntity>('leads');
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [policy, setPolicy] = useState<DuplicatePolicy>('skip');
  const [allOrNothing, setAllOrNothing] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);
  const canCreateFields = can('lead:configure');

  const loadPreview = (nextFile: File | null, nextEntity: ImportEntity) => {
    setPreview(null);
    if (!nextFile) return;
    actions.preview.mutate(
      { file: nextFile, entity: nextEntity },
      {
        onSuccess: (result) => {
          setPreview(result);
          setMapping(Object.fromEntries(result.mapping.map((c) => [c.header, c.target])));
        },
      },
    );
  };

  const start = (dryRun: boolean) => {
    if (!file) return;
    const createFields = Object.values(mapping).includes(NEW_FIELD);
    actions.start.mutate(
      {
        file,
        entity,
        // Columns set to "new custom field" are left out: the server makes fields of them.
        mapping: Object.fromEntries(Object.entries(mapping).filter(([, t]) => t !== NEW_FIELD)),
        duplicatePolicy: policy,
        dryRun,
        allOrNothing,
        createFields: createFields && !dryRun,
      },
      { onSuccess: ({ id }) => setOpenId(id) },
    );
  };

  return (
    <Stack gap="md">
      <Title order={1}>Import</Title>
      <Text size="sm">
        A CSV file from a spreadsheet or another CRM (HubSpot, Salesforce, Pipedrive, Zoho, …), up
        to 100 MB or 1,000,000 rows. Columns are recognised by their names; check them below.
      </Text>
      <Group align="end">
        <Select
          label="Import as"
          data={ENTITIES}
          value={entity}
          allowDeselect={false}
          onChange={(value) => {
            const next = value ?? 'leads';
            setEntity(next);
            loadPreview(file, next);
          }}
        />
        <FileInput
          label="CSV file"
          placeholder="Choose a file"
          accept=".csv,text/csv,text/plain"
          value={file}
          onChange={(next) => {
            setFile(next);
            loadPreview(next, entity);
          }}
          clearable
          clearButtonProps={{ 'aria-label': 'Remove the file' }}
          w={320}
        />
      </Group>
      {actions.preview.isPending && <Text>Reading the file…</Text>}
      {actions.preview.isError && (
        <Alert color="red" title="This file cannot be imported">
          {messageOf(actions.preview.error)}
        </Alert>
      )}
      {preview && (
        <Stack gap="sm" component="section" aria-label="Columns">
          <Text size="sm">
            Read as {preview.encoding.toUpperCase()}, separated by{' '}
            {preview.delimiter === '\t' ? 'tabs' : `"${preview.delimiter}"`}.
          </Text>
          <MappingTable
            preview={preview}
            mapping={mapping}
            canCreateFields={canCreateFields}
            onChange={(header, target) => setMapping((m) => ({ ...m, [header]: target }))}
          />
          <SavedMappings
            entity={entity}
            headers={preview.headers}
            mapping={mapping}
            onApply={setMapping}
          />
          <Group align="end">
            <Select
              label="When a row matches an existing record (same email, phone or ID)"
              data={POLICIES}
              value={policy}
              allowDeselect={false}
              onChange={(value) => setPolicy(value ?? 'skip')}
              w={380}
            />
            <Checkbox
              label="All or nothing (import no row if any row fails)"
              checked={allOrNothing}
              onChange={(event) => setAllOrNothing(event.currentTarget.checked)}
            />
          </Group>
          <Group>
            <Button variant="default" onClick={() => start(true)} loading={actions.start.isPending}>
              Dry run
            </Button>
            <Button onClick={() => start(false)} loading={actions.start.isPending}>
              Import
            </Button>
          </Group>
          {actions.start.isError && <Alert color="red">{messageOf(actions.start.error)}</Alert>}
        </Stack>
      )}
      {openId && <ImportProgress key={openId} id={openId} />}
      <PastImports onOpen={setOpenId} />
    </Stack>
  );
}
