// The people of the workspace: their role and whether they may sign in; add someone with a
// password or a one-time invite link. People are deactivated, never deleted.
import { zodResolver } from '@hookform/resolvers/zod';
import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  PasswordInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { z } from 'zod';
import {
  createUserBodySchema,
  passwordSchema,
  roleSchema,
} from '../../../server/modules/users/users.schemas';
import { useSession } from '../../app/session';
import { PageSkeleton, QueryView } from '../../components/ui/screens';
import { applyServerErrors } from '../../lib/forms';
import { humanize } from '../../lib/labels';
import type { Member } from '../../lib/types';
import { useAllMembers, useMemberActions, type CreateUserResult } from './settings-api';
import { ROLE_DESCRIPTIONS, ROLE_OPTIONS } from './roles';
import { ConfirmDialog, EmptyHint, SecretOnce, SectionHeader } from './settings-ui';

// The password is optional: empty means "send an invite link instead".
const addMemberSchema = createUserBodySchema.extend({
  password: z.union([z.literal(''), passwordSchema]),
});
type AddMemberInput = z.input<typeof addMemberSchema>;
type AddMemberValues = z.output<typeof addMemberSchema>;
const ADD_FIELDS = ['email', 'name', 'role', 'password'] as const;

function AddMemberDialog({
  onClose,
  onAdded,
}: {
  onClose: () => void;
  onAdded: (result: CreateUserResult) => void;
}) {
  const { create } = useMemberActions();
  const [unmatched, setUnmatched] = useState<string[]>([]);
  const form = useForm<AddMemberInput, unknown, AddMemberValues>({
    resolver: zodResolver(addMemberSchema),
    defaultValues: { name: '', email: '', role: 'agent', password: '' },
  });
  const errors = form.formState.errors;
  const submit = form.handleSubmit(({ password, ...values }) => {
    setUnmatched([]);
    create.mutate(
      { ...values, ...(password ? { password } : {}) },
      {
        onSuccess: (result) => {
          notifications.show({ color: 'green', message: `${result.user.name} added` });
          onAdded(result);
        },
        onError: (error) => {
          const rest = applyServerErrors(error, form.setError, ADD_FIELDS);
          setUnmatched(rest.map((e) => e.message));
        },
      },
    );
  });
  return (
    <Modal opened onClose={onClose} title="Add a person">
      <form noValidate onSubmit={(event) => void submit(event)}>
        <Stack gap="sm">
          <TextInput
            label="Name"
            required
            data-autofocus
            autoComplete="off"
            {...form.register('name')}
            error={errors.name?.message}
          />
          <TextInput
            label="Email"
            type="email"
            required
            autoComplete="off"
            {...form.register('email')}
            error={errors.email?.message}
          />
          <Controller
            control={form.control}
            name="role"
            render={({ field }) => (
              <Select
                label="Role"
                allowDeselect={false}
                data={ROLE_OPTIONS}
                value={field.value}
                onChange={(value) => value && field.onChange(value)}
                description={ROLE_DESCRIPTIONS[field.value]}
                error={errors.role?.message}
              />
            )}
          />
          <PasswordInput
            label="Password"
            description="Leave empty to get a one-time invite link to send them instead"
            autoComplete="new-password"
            {...form.register('password')}
            error={errors.password?.message}
          />
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
              Add person
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function MembersTable({
  members,
  onDeactivate,
}: {
  members: Member[];
  onDeactivate: (member: Member) => void;
}) {
  const { me } = useSession();
  const { update } = useMemberActions();
  return (
    <Table verticalSpacing="xs" highlightOnHover aria-label="People in this workspace">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Name</Table.Th>
          <Table.Th>Email</Table.Th>
          <Table.Th>Role</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>
            <VisuallyHidden>Actions</VisuallyHidden>
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {members.map((member) => (
          <Table.Tr key={member.id} data-testid="member-row">
            <Table.Td>
              <Text size="sm" fw={500} c={member.active ? undefined : 'dimmed'}>
                {member.name}
                {member.id === me.user.id && ' (you)'}
              </Text>
            </Table.Td>
            <Table.Td>
              <Text size="sm">{member.email}</Text>
            </Table.Td>
            <Table.Td>
              <Select
                size="xs"
                w={150}
                aria-label={`Role of ${member.name}`}
                allowDeselect={false}
                data={ROLE_OPTIONS}
                value={member.role}
                disabled={!member.active}
                onChange={(value) => {
                  const role = roleSchema.safeParse(value);
                  if (!role.success || role.data === member.role) return;
                  update.mutate(
                    { member, changes: { role: role.data } },
                    {
                      onSuccess: (saved) =>
                        notifications.show({
                          color: 'green',
                          message: `${saved.name} is now ${humanize(saved.role).toLowerCase()}`,
                        }),
                    },
                  );
                }}
              />
            </Table.Td>
            <Table.Td>
              <Group gap={4}>
                <Badge size="sm" variant="light" color={member.active ? 'green' : 'gray'}>
                  {member.active ? 'Active' : 'Deactivated'}
                </Badge>
                {member.active && !member.hasPassword && (
                  <Badge size="sm" variant="light" color="yellow">
                    Invited
                  </Badge>
                )}
              </Group>
            </Table.Td>
            <Table.Td style={{ textAlign: 'right' }}>
              {member.active ? (
                member.id !== me.user.id && (
                  <Button
                    size="compact-sm"
                    variant="subtle"
                    color="red"
                    onClick={() => onDeactivate(member)}
                  >
                    Deactivate<VisuallyHidden> {member.name}</VisuallyHidden>
                  </Button>
                )
              ) : (
                <Button
                  size="compact-sm"
                  variant="light"
                  onClick={() =>
                    update.mutate(
                      { member, changes: { active: true } },
                      {
                        onSuccess: (saved) =>
                          notifications.show({
                            color: 'green',
                            message: `${saved.name} can sign in again`,
                          }),
                      },
                    )
                  }
                >
                  Reactivate<VisuallyHidden> {member.name}</VisuallyHidden>
                </Button>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function UsersSettings() {
  const members = useAllMembers();
  const { update } = useMemberActions();
  const [adding, setAdding] = useState(false);
  const [invite, setInvite] = useState<{ name: string; url: string } | null>(null);
  const [deactivating, setDeactivating] = useState<Member | null>(null);
  return (
    <Stack>
      <SectionHeader
        title="Users and roles"
        description="Who works in this workspace and what their role lets them do."
        action={<Button onClick={() => setAdding(true)}>Add person</Button>}
      />
      {invite && (
        <SecretOnce
          title={`Invite link for ${invite.name}`}
          value={invite.url}
          onDismiss={() => setInvite(null)}
        >
          Send this link to {invite.name} to set a password. It is shown only this once and works
          for 7 days.
        </SecretOnce>
      )}
      <QueryView query={members} skeleton={<PageSkeleton rows={6} />}>
        {(items) =>
          items.length === 0 ? (
            <EmptyHint>Nobody else here yet. Add the people who answer your inquiries.</EmptyHint>
          ) : (
            <MembersTable members={items} onDeactivate={setDeactivating} />
          )
        }
      </QueryView>
      {adding && (
        <AddMemberDialog
          onClose={() => setAdding(false)}
          onAdded={(result) => {
            setAdding(false);
            if (result.inviteUrl) setInvite({ name: result.user.name, url: result.inviteUrl });
          }}
        />
      )}
      <ConfirmDialog
        opened={deactivating !== null}
        title={`Deactivate ${deactivating?.name ?? ''}?`}
        confirmLabel="Deactivate"
        busy={update.isPending}
        onClose={() => setDeactivating(null)}
        onConfirm={() =>
          deactivating &&
          update.mutate(
            { member: deactivating, changes: { active: false } },
            {
              onSuccess: (saved) => {
                notifications.show({ color: 'green', message: `${saved.name} deactivated` });
                setDeactivating(null);
              },
            },
          )
        }
      >
        <Text size="sm">
          They can no longer sign in and their API tokens stop working. Their leads, tasks and
          history stay; reassign their open leads from the leads list.
        </Text>
      </ConfirmDialog>
    </Stack>
  );
}
