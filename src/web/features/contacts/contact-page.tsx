// A contact: every field (phones as typed and in E.164, emails as mail links, sensitive custom
// fields as the API masks them), its company, its leads and its timeline; editing, archiving
// and restoring for the roles that may.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Grid,
  Group,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useSession } from '../../app/session';
import { NotFoundScreen, PageSkeleton, QueryView } from '../../components/ui/screens';
import { ApiError } from '../../lib/api-client';
import { humanize } from '../../lib/labels';
import type { Contact } from '../../lib/types';
import { useCompany } from '../companies/api/companies-api';
import { useContact, useContactActions, useCustomFields } from './api/contacts-api';
import { ContactForm } from './components/contact-form';
import { ContactTimelineCard } from './components/contact-timeline';
import { ContactPrivacyActions, ErasedNotice } from '../privacy/contact-privacy';
import {
  AddressView,
  CustomFieldItems,
  InfoItem,
  RecordLeadsCard,
  SectionCard,
  UUID,
  yesNo,
} from './components/record-parts';

function CompanyLink({ companyId }: { companyId: string | null }) {
  const company = useCompany(companyId);
  if (companyId === null) return <>—</>;
  if (company.isPending) return <>…</>;
  if (company.isError) return <>Company not available</>;
  return (
    <>
      <Anchor component={Link} to={`/companies/${companyId}`}>
        {company.data.name}
      </Anchor>
      {company.data.archived && (
        <Badge size="xs" color="gray" ml={6}>
          Archived
        </Badge>
      )}
    </>
  );
}

function ContactDetails({ contact }: { contact: Contact }) {
  const { dateTime } = useSession();
  const customFields = useCustomFields('contact');
  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        <InfoItem label="Emails">
          {contact.emails.length === 0
            ? '—'
            : contact.emails.map((email) => (
                <div key={email.value}>
                  <Anchor href={`mailto:${email.value}`} size="sm">
                    {email.value}
                  </Anchor>
                  {email.label && (
                    <Text span size="xs" c="dimmed">
                      {' '}
                      ({email.label})
                    </Text>
                  )}
                </div>
              ))}
        </InfoItem>
        <InfoItem label="Phones">
          {contact.phones.length === 0
            ? '—'
            : contact.phones.map((phone) => (
                <div key={`${phone.e164}-${phone.value}`}>
                  <Anchor href={`tel:${phone.e164}`} size="sm">
                    {phone.value}
                  </Anchor>
                  <Text span size="xs" c="dimmed">
                    {' '}
                    {phone.e164}
                    {phone.label && ` · ${phone.label}`}
                  </Text>
                </div>
              ))}
        </InfoItem>
      </SimpleGrid>
      <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="sm">
        <InfoItem label="Company">
          <CompanyLink companyId={contact.companyId} />
        </InfoItem>
        <InfoItem label="Lifecycle stage">{humanize(contact.lifecycleStage)}</InfoItem>
        <InfoItem label="Preferred channel">{humanize(contact.preferredChannel)}</InfoItem>
        <InfoItem label="Preferred time">{contact.preferredTime || '—'}</InfoItem>
        <InfoItem label="Email opt-in">{yesNo(contact.optInEmail)}</InfoItem>
        <InfoItem label="SMS opt-in">{yesNo(contact.optInSms)}</InfoItem>
        <InfoItem label="Do not contact">{yesNo(contact.doNotContact)}</InfoItem>
        <InfoItem label="Tags">{contact.tags.length > 0 ? contact.tags.join(', ') : '—'}</InfoItem>
        <InfoItem label="Address">
          <AddressView address={contact.address} />
        </InfoItem>
        <CustomFieldItems fields={customFields.data} values={contact.customFields} />
        <InfoItem label="Created">{dateTime(contact.createdAt)}</InfoItem>
        <InfoItem label="Last changed">{dateTime(contact.updatedAt)}</InfoItem>
      </SimpleGrid>
      <InfoItem label="Notes">
        <span style={{ whiteSpace: 'pre-wrap' }}>{contact.notes || '—'}</span>
      </InfoItem>
    </Stack>
  );
}

function ContactView({
  contact,
  reload,
}: {
  contact: Contact;
  reload: () => Promise<Contact | undefined>;
}) {
  const { can } = useSession();
  const actions = useContactActions();
  const customFields = useCustomFields('contact');
  const company = useCompany(contact.companyId);
  const [editing, setEditing] = useState(false);
  const [mergedIntoId, setMergedIntoId] = useState<string | null>(null);
  const canEdit = can('lead:update');

  const archive = () =>
    actions.archive.mutate(contact, {
      onSuccess: () => {
        setEditing(false);
        notifications.show({
          color: 'green',
          message: `Archived ${contact.name}. Restore brings it back.`,
        });
      },
      onError: (error) => {
        if (error instanceof ApiError && error.status === 412) void reload();
      },
    });
  const restore = () =>
    actions.restore.mutate(contact, {
      onSuccess: () => notifications.show({ color: 'green', message: `Restored ${contact.name}` }),
      onError: (error) => {
        const target = error instanceof ApiError ? error.problem?.mergedIntoId : undefined;
        if (typeof target === 'string') setMergedIntoId(target);
        if (error instanceof ApiError && error.status === 412) void reload();
      },
    });

  return (
    <Stack>
      <Group justify="space-between" align="start">
        <div>
          <Anchor component={Link} to="/contacts" size="sm">
            ← Contacts
          </Anchor>
          <Title order={1}>{contact.name || 'Unnamed contact'}</Title>
          <Group gap="xs" mt={4}>
            <Badge variant="light">{humanize(contact.lifecycleStage)}</Badge>
            {contact.archived && <Badge color="gray">Archived</Badge>}
            {contact.doNotContact && <Badge color="red">Do not contact</Badge>}
          </Group>
        </div>
        {/* An erased contact is archived for good: nothing to edit or restore. */}
        {canEdit && !contact.erasedAt && (
          <Group gap="xs">
            {!contact.archived && !editing && (
              <Button size="xs" onClick={() => setEditing(true)}>
                Edit
              </Button>
            )}
            {contact.archived ? (
              <Button
                size="xs"
                variant="light"
                loading={actions.restore.isPending}
                onClick={restore}
              >
                Restore
              </Button>
            ) : (
              <Button
                size="xs"
                variant="light"
                color="red"
                loading={actions.archive.isPending}
                onClick={archive}
              >
                Archive
              </Button>
            )}
          </Group>
        )}
        <Group gap="xs">
          <ContactPrivacyActions contact={contact} />
        </Group>
      </Group>
      <ErasedNotice contact={contact} />
      {contact.archived && !contact.erasedAt && (
        <Alert color="gray" title="Archived contact">
          This contact is archived: it is left out of lists and searches, and nothing about it was
          deleted.{canEdit ? ' Restore it to work with it again.' : ''}
        </Alert>
      )}
      {mergedIntoId && (
        <Alert color="orange" title="Merged into another contact" role="alert">
          This contact was merged and cannot be restored.{' '}
          <Anchor component={Link} to={`/contacts/${mergedIntoId}`}>
            Open the contact it was merged into
          </Anchor>
          .
        </Alert>
      )}
      <Grid>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack>
            <SectionCard id="contact-details-title" title={editing ? 'Edit contact' : 'Details'}>
              {editing && customFields.isPending ? (
                <PageSkeleton rows={4} />
              ) : editing ? (
                <ContactForm
                  contact={contact}
                  customFields={customFields.data}
                  companyName={company.data?.name}
                  onDone={() => setEditing(false)}
                  onReload={reload}
                />
              ) : (
                <ContactDetails contact={contact} />
              )}
            </SectionCard>
            <RecordLeadsCard
              link={{ contactId: contact.id }}
              empty="No leads for this contact yet. Take a new inquiry from Quick entry and link it to this person."
            />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <ContactTimelineCard contactId={contact.id} />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function ContactById({ id }: { id: string }) {
  const contact = useContact(id);
  const reload = async () => (await contact.refetch()).data;
  return (
    <QueryView query={contact}>
      {(data) => <ContactView contact={data} reload={reload} />}
    </QueryView>
  );
}

export function ContactPage() {
  const { id = '' } = useParams();
  // A malformed id would be a 422 from the server; it is simply not a contact.
  if (!UUID.test(id)) return <NotFoundScreen what="contact" />;
  return <ContactById key={id} id={id} />;
}
