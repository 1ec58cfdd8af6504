// Personal API tokens for scripts and integrations: created with a role no higher than one's
// own, the secret shown once, revocable at any time. Admins see and revoke everyone's.
import { zodResolver } from '@hookform/resolvers/zod';
import {
  Button,
  Card,
  Code,
  Group,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import type { z } from 'zod';
import { createApiTokenBodySchema } from '../../../server/modules/api-tokens/api-tokens.schemas';
import { isRoleWithin } from '../../../server/platform/auth/permissions';
import { useMembers } from '../../app/reference-data';
import { useSession } from '../../app/session';
import { PageSkeleton, QueryView } from '../../components/ui/screens';
import { applyServerErrors } from '../../lib/forms';
import { humanize } from '../../lib/labels';
import { ROLE_DESCRIPTIONS, ROLE_OPTIONS } from './roles';
import {
  useApiTokenActions,
  useApiTokens,
  type ApiToken,
  type CreatedApiToken,
} from './settings-api';
import { ConfirmDialog, EmptyHint, SecretOnce, SectionHeader } from './settings-ui';

type TokenInput = z.input<typeof createApiTokenBodySchema>;
type TokenValues = z.output<typeof createApiTokenBodySchema>;

function CreateTokenForm({ onCreated }: { onCreated: (token: CreatedApiToken) => void }) {
  const { me } = useSession();
  const { create } = useApiTokenActions();
  // A token may not have more rights than its owner.
  const roles = ROLE_OPTIONS.filter((option) => isRoleWithin(option.value, me.role));
  const form = useForm<TokenInput, unknown, TokenValues>({
    resolver: zodResolver(createApiTokenBodySchema),
    defaultValues: { name: '', role: me.role },
  });
  const errors = form.formState.errors;
  const submit = form.handleSubmit((values) =>
    create.mutate(values, {
      onSuccess: (token) => {
        form.reset({ name: '', role: me.role });
        onCreated(token);
      },
      onError: (error) => applyServerErrors(error, form.setError, ['name', 'role']),
    }),
  );
  return (
    <form noValidate onSubmit={(event) => void submit(event)}>
      <Group align="start" gap="sm">
        <TextInput
          label="Token name"
          description="What uses it, e.g. “Website form”"
          required
          w={280}
          {...form.register('name')}
          error={errors.name?.message}
        />
        <Controller
          control={form.control}
          name="role"
          render={({ field }) => (
            <Select
              label="Acts as"
              w={200}
              allowDeselect={false}
              data={roles}
              value={field.value ?? me.role}
              onChange={(value) => value && field.onChange(value)}
              description={ROLE_DESCRIPTIONS[field.value ?? me.role]}
              error={errors.role?.message}
            />
          )}
        />
        <Button type="submit" mt={44} loading={create.isPending}>
          Create token
        </Button>
      </Group>
    </form>
  );
}

function TokensTable({
  tokens,
  onRevoke,
}: {
  tokens: ApiToken[];
  onRevoke: (t: ApiToken) => void;
}) {
  const { me, can, dateTime, relative } = useSession();
  const members = useMembers();
  const showOwner = can('user:manage');
  const ownerName = (userId: string) =>
    userId === me.user.id
      ? 'You'
      : (members.data?.find((member) => member.id === userId)?.name ?? 'A former member');
  return (
    <Table verticalSpacing="xs" highlightOnHover aria-label="API tokens">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Name</Table.Th>
          <Table.Th>Starts with</Table.Th>
          <Table.Th>Acts as</Table.Th>
          {showOwner && <Table.Th>Owner</Table.Th>}
          <Table.Th>Created</Table.Th>
          <Table.Th>Last used</Table.Th>
          <Table.Th>
            <VisuallyHidden>Actions</VisuallyHidden>
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {tokens.map((token) => (
          <Table.Tr key={token.id} data-testid="api-token-row">
            <Table.Td>
              <Text size="sm" fw={500}>
                {token.name}
              </Text>
            </Table.Td>
            <Table.Td>
              <Code>{token.prefix}…</Code>
            </Table.Td>
            <Table.Td>{humanize(token.role)}</Table.Td>
            {showOwner && <Table.Td>{ownerName(token.userId)}</Table.Td>}
            <Table.Td style={{ whiteSpace: 'nowrap' }}>{dateTime(token.createdAt)}</Table.Td>
            <Table.Td style={{ whiteSpace: 'nowrap' }}>
              {token.lastUsedAt ? relative(token.lastUsedAt) : 'Never'}
            </Table.Td>
            <Table.Td style={{ textAlign: 'right' }}>
              <Button
                size="compact-sm"
                variant="subtle"
                color="red"
                onClick={() => onRevoke(token)}
              >
                Revoke<VisuallyHidden> {token.name}</VisuallyHidden>
              </Button>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function ApiTokensSettings() {
  const { can } = useSession();
  const tokens = useApiTokens();
  const { revoke } = useApiTokenActions();
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  return (
    <Stack>
      <SectionHeader
        title="API tokens"
        description={
          can('user:manage')
            ? 'Tokens let scripts and integrations use the API. You see every token of this workspace.'
            : 'Tokens let your scripts and integrations use the API as you.'
        }
      />
      <Card withBorder component="section" aria-labelledby="new-token-title">
        <Title order={3} size="h4" id="new-token-title" mb="xs">
          New token
        </Title>
        <CreateTokenForm onCreated={setCreated} />
      </Card>
      {created && (
        <SecretOnce
          title={`Token “${created.name}” created`}
          value={created.token}
          onDismiss={() => setCreated(null)}
        >
          Copy it now and store it somewhere safe: it is shown only this once. Send it as{' '}
          <Code>Authorization: Bearer …</Code>.
        </SecretOnce>
      )}
      <QueryView query={tokens} skeleton={<PageSkeleton rows={3} />}>
        {(items) =>
          items.length === 0 ? (
            <EmptyHint>
              No API tokens yet. Create one to connect a website form, an automation tool or a
              script.
            </EmptyHint>
          ) : (
            <TokensTable tokens={items} onRevoke={setRevoking} />
          )
        }
      </QueryView>
      <ConfirmDialog
        opened={revoking !== null}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        confirmLabel="Revoke token"
        busy={revoke.isPending}
        onClose={() => setRevoking(null)}
        onConfirm={() =>
          revoking &&
          revoke.mutate(revoking, {
            onSuccess: () => {
              notifications.show({ color: 'green', message: `Revoked ${revoking.name}` });
              if (created?.id === revoking.id) setCreated(null);
              setRevoking(null);
            },
          })
        }
      >
        <Text size="sm">
          Anything using this token stops working at once. This cannot be undone; create a new token
          if it is needed again.
        </Text>
      </ConfirmDialog>
    </Stack>
  );
}
