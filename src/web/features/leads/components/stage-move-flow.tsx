// Moving a lead to another stage, with what the server may ask for on the way: a lost reason,
// a reason to move back, or the fields a conversion still needs (its checklist). Used by the
// board's drag and drop and by the lead page.
import {
  Alert,
  Anchor,
  Button,
  Group,
  List,
  Modal,
  Select,
  Stack,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { useLeadCustomFields, useLeadSources, useLostReasons } from '../../../app/reference-data';
import { errorMessage } from '../../../app/query-client';
import { useSession } from '../../../app/session';
import { ApiError } from '../../../lib/api-client';
import { parseMoney } from '../../../lib/format';
import type { FieldError } from '../../../lib/problem';
import type { CustomField, Lead, Stage } from '../../../lib/types';
import { useLeadActions, type StageMoveInput } from '../api/leads-api';

type Pending =
  | { kind: 'lost'; lead: Lead; stage: Stage }
  | { kind: 'reason'; lead: Lead; stage: Stage }
  | { kind: 'checklist'; lead: Lead; missing: FieldError[] };

function fieldErrorsOf(error: unknown): FieldError[] {
  return error instanceof ApiError && error.status === 422 ? (error.problem?.errors ?? []) : [];
}

function LostDialog({
  pending,
  onSubmit,
  onClose,
  busy,
}: {
  pending: Extract<Pending, { kind: 'lost' }>;
  onSubmit: (input: StageMoveInput) => void;
  onClose: () => void;
  busy: boolean;
}) {
  const reasons = useLostReasons();
  const [reasonId, setReasonId] = useState<string | null>(null);
  const [notes, setNotes] = useState('');
  return (
    <Modal opened onClose={onClose} title={`Why was “${pending.lead.title}” lost?`}>
      <Stack>
        <Select
          label="Lost reason"
          required
          data={(reasons.data ?? []).map((r) => ({ value: r.id, label: r.name }))}
          value={reasonId}
          onChange={setReasonId}
          data-autofocus
        />
        <Textarea label="Notes" value={notes} onChange={(e) => setNotes(e.currentTarget.value)} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            color="red"
            disabled={!reasonId}
            loading={busy}
            onClick={() =>
              reasonId &&
              onSubmit({ stageId: pending.stage.id, lostReasonId: reasonId, lostNotes: notes })
            }
          >
            Mark lost
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function ReasonDialog({
  pending,
  onSubmit,
  onClose,
  busy,
}: {
  pending: Extract<Pending, { kind: 'reason' }>;
  onSubmit: (input: StageMoveInput) => void;
  onClose: () => void;
  busy: boolean;
}) {
  const [reason, setReason] = useState('');
  return (
    <Modal opened onClose={onClose} title={`Move back to “${pending.stage.name}”`}>
      <Stack>
        <Text size="sm">This pipeline asks for a reason when a lead moves back.</Text>
        <TextInput
          label="Reason"
          required
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
          data-autofocus
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            disabled={!reason.trim()}
            loading={busy}
            onClick={() => onSubmit({ stageId: pending.stage.id, reason: reason.trim() })}
          >
            Move back
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Fields a conversion asks for that can be filled right here; others link to the lead. */
const EDITABLE_CHECKLIST = ['value', 'expectedCloseDate', 'companyId', 'sourceId'] as const;

function CustomFieldInput({
  field,
  value,
  onChange,
}: {
  field: CustomField;
  value: string;
  onChange: (value: string) => void;
}) {
  if (field.type === 'select') {
    return (
      <Select
        label={field.label}
        data={field.options}
        value={value || null}
        onChange={(next) => onChange(next ?? '')}
      />
    );
  }
  const type = field.type === 'date' ? 'date' : field.type === 'number' ? 'number' : 'text';
  return (
    <TextInput
      label={field.label}
      type={type}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
    />
  );
}

/** The PATCH body for what was typed in the checklist. */
function checklistChanges(
  values: Record<string, string>,
  customFields: CustomField[],
  toMinorUnits: (text: string) => number | null,
): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  if (values.value) changes.value = toMinorUnits(values.value);
  if (values.expectedCloseDate) changes.expectedCloseDate = values.expectedCloseDate;
  if (values.companyId) changes.companyName = values.companyId;
  if (values.sourceId) changes.sourceId = values.sourceId;
  const custom: Record<string, unknown> = {};
  for (const field of customFields) {
    const typed = values[`customFields.${field.key}`];
    if (!typed) continue;
    custom[field.key] = field.type === 'number' || field.type === 'money' ? Number(typed) : typed;
  }
  if (Object.keys(custom).length > 0) changes.customFields = custom;
  return changes;
}

function ChecklistDialog({
  pending,
  onSave,
  onClose,
  busy,
}: {
  pending: Extract<Pending, { kind: 'checklist' }>;
  onSave: (changes: Record<string, unknown>) => void;
  onClose: () => void;
  busy: boolean;
}) {
  const { format } = useSession();
  const sources = useLeadSources();
  const customFields = useLeadCustomFields();
  const [values, setValues] = useState<Record<string, string>>({});
  const missing = new Set(pending.missing.map((error) => error.field));
  const set = (key: string) => (value: string | null) =>
    setValues((current) => ({ ...current, [key]: value ?? '' }));
  const missingCustom = (customFields.data ?? []).filter((f) =>
    missing.has(`customFields.${f.key}`),
  );
  const fillable = new Set<string>([
    ...EDITABLE_CHECKLIST.filter((key) => missing.has(key)),
    ...missingCustom.map((f) => `customFields.${f.key}`),
  ]);
  const others = pending.missing.filter((error) => !fillable.has(error.field));
  const complete = [...fillable].every((key) => values[key]) && others.length === 0;
  const changes = checklistChanges(values, missingCustom, (text) =>
    parseMoney(text, pending.lead.currency, format.locale),
  );
  return (
    <Modal opened onClose={onClose} title="Before this lead converts">
      <Stack>
        <Text size="sm">The pipeline needs these before “{pending.lead.title}” can be won:</Text>
        <List size="sm">
          {pending.missing.map((error) => (
            <List.Item key={error.field}>{error.message}</List.Item>
          ))}
        </List>
        {missing.has('value') && (
          <TextInput
            label={`Value (${pending.lead.currency})`}
            value={values.value ?? ''}
            onChange={(e) => set('value')(e.currentTarget.value)}
          />
        )}
        {missing.has('expectedCloseDate') && (
          <TextInput
            label="Expected close date"
            type="date"
            value={values.expectedCloseDate ?? ''}
            onChange={(e) => set('expectedCloseDate')(e.currentTarget.value)}
          />
        )}
        {missing.has('companyId') && (
          <TextInput
            label="Company name"
            value={values.companyId ?? ''}
            onChange={(e) => set('companyId')(e.currentTarget.value)}
          />
        )}
        {missing.has('sourceId') && (
          <Select
            label="Source"
            data={(sources.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
            value={values.sourceId ?? null}
            onChange={set('sourceId')}
          />
        )}
        {missingCustom.map((field) => (
          <CustomFieldInput
            key={field.id}
            field={field}
            value={values[`customFields.${field.key}`] ?? ''}
            onChange={set(`customFields.${field.key}`)}
          />
        ))}
        {others.length > 0 && (
          <Alert color="yellow">
            {others.map((error) => error.message).join(' ')} Fill this in on the{' '}
            <Anchor component={Link} to={`/leads/${pending.lead.id}`}>
              lead page
            </Anchor>
            .
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button disabled={!complete} loading={busy} onClick={() => onSave(changes)}>
            Save and convert
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** `requestMove(lead, stage)` moves, converts or asks first; render `dialogs` somewhere. */
export function useStageMoveFlow() {
  const { can } = useSession();
  const actions = useLeadActions();
  const [pending, setPending] = useState<Pending | null>(null);
  const close = () => setPending(null);

  const fail = (error: unknown) =>
    notifications.show({ color: 'red', title: 'Not moved', message: errorMessage(error) });

  const move = (lead: Lead, stage: Stage, input: StageMoveInput) =>
    actions.moveStage.mutate(
      { leadId: lead.id, input },
      {
        onSuccess: close,
        onError: (error) => {
          const fields = fieldErrorsOf(error).map((e) => e.field);
          if (fields.includes('reason')) setPending({ kind: 'reason', lead, stage });
          else if (fields.includes('lostReasonId')) setPending({ kind: 'lost', lead, stage });
          else fail(error);
        },
      },
    );

  const convert = (lead: Lead) =>
    actions.convert.mutate(lead.id, {
      onSuccess: (converted) => {
        close();
        notifications.show({ color: 'green', message: `Won and converted: ${converted.title}` });
      },
      onError: (error) => {
        const missing = fieldErrorsOf(error);
        if (missing.length > 0) setPending({ kind: 'checklist', lead, missing });
        else fail(error);
      },
    });

  const requestMove = (lead: Lead, stage: Stage) => {
    if (lead.stageId === stage.id) return;
    if (stage.kind === 'lost') setPending({ kind: 'lost', lead, stage });
    else if (stage.kind === 'won' && can('lead:convert')) convert(lead);
    else move(lead, stage, { stageId: stage.id });
  };

  let dialogs: ReactNode = null;
  if (pending?.kind === 'lost') {
    dialogs = (
      <LostDialog
        pending={pending}
        busy={actions.moveStage.isPending}
        onClose={close}
        onSubmit={(input) => move(pending.lead, pending.stage, input)}
      />
    );
  } else if (pending?.kind === 'reason') {
    dialogs = (
      <ReasonDialog
        pending={pending}
        busy={actions.moveStage.isPending}
        onClose={close}
        onSubmit={(input) => move(pending.lead, pending.stage, input)}
      />
    );
  } else if (pending?.kind === 'checklist') {
    dialogs = (
      <ChecklistDialog
        pending={pending}
        busy={actions.update.isPending || actions.convert.isPending}
        onClose={close}
        onSave={(changes) =>
          actions.update.mutate(
            { lead: pending.lead, changes },
            { onSuccess: (updated) => convert(updated) },
          )
        }
      />
    );
  }
  return {
    requestMove,
    dialogs,
    isMoving: actions.moveStage.isPending || actions.convert.isPending,
  };
}
