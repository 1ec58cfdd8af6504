// Privacy requests on a contact's page, for roles with contact:privacy: "Export data" downloads
// everything held about the person (GET /api/contacts/:id/data-export), "Erase personal data"
// anonymises them after the user types the contact's name (the server checks it too).
import { Alert, Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useSession } from '../../app/session';
import { api, ApiError } from '../../lib/api-client';
import type { Contact } from '../../lib/types';

function useEraseContact(contactId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (confirmName: string) =>
      api.post<Contact>(`/api/contacts/${contactId}/erase`, { confirmName }),
    onSuccess: (erased) => {
      client.setQueryData(['contact', contactId], erased);
      // Lists, leads and timelines showed the person's name and words.
      void client.invalidateQueries();
    },
  });
}

function EraseDialog({
  contact,
  opened,
  onClose,
}: {
  contact: Contact;
  opened: boolean;
  onClose: () => void;
}) {
  const [typed, setTyped] = useState('');
  const erase = useEraseContact(contact.id);
  const matches = typed.trim().toLowerCase() === contact.name.toLowerCase();
  const close = () => {
    setTyped('');
    erase.reset();
    onClose();
  };
  const submit = () =>
    erase.mutate(typed, {
      onSuccess: () => {
        close();
        notifications.show({ color: 'green', message: 'The personal data was erased.' });
      },
    });
  return (
    <Modal opened={opened} onClose={close} title="Erase personal data">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (matches) submit();
        }}
      >
        <Stack>
          <Text size="sm">
            This removes {contact.name}&apos;s name, emails, phones, address, notes, tags and custom
            values, the words of their timeline, and their details in the audit log. Their leads
            stay, with stages, values and dates. It cannot be undone.
          </Text>
          <TextInput
            label={`Type the contact's name (${contact.name}) to confirm`}
            value={typed}
            onChange={(event) => setTyped(event.currentTarget.value)}
            autoComplete="off"
            data-autofocus
          />
          {erase.error && (
            <Alert color="red" role="alert">
              {erase.error instanceof ApiError ? erase.error.message : 'Erasing failed.'}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" color="red" disabled={!matches} loading={erase.isPending}>
              Erase personal data
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** The two buttons, shown to roles that handle privacy requests. */
export function ContactPrivacyActions({ contact }: { contact: Contact }) {
  const { can } = useSession();
  const [erasing, setErasing] = useState(false);
  if (!can('contact:privacy')) return null;
  return (
    <>
      <Button
        size="xs"
        variant="default"
        component="a"
        href={`/api/contacts/${contact.id}/data-export`}
        download={`contact-${contact.id}.json`}
      >
        Export data
      </Button>
      {!contact.erasedAt && (
        <Button size="xs" variant="outline" color="red" onClick={() => setErasing(true)}>
          Erase personal data
        </Button>
      )}
      <EraseDialog contact={contact} opened={erasing} onClose={() => setErasing(false)} />
    </>
  );
}

/** Says that a contact was anonymised, and when. */
export function ErasedNotice({ contact }: { contact: Contact }) {
  const { dateTime } = useSession();
  if (!contact.erasedAt) return null;
  return (
    <Alert color="gray" title="Personal data erased" data-testid="erased-notice">
      This person&apos;s personal data was erased on {dateTime(contact.erasedAt)} after a privacy
      request. The record stays for the business history and can no longer be changed.
    </Alert>
  );
}
