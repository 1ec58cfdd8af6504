// A company: every field, its primary contact and its people, its leads, and what happened
// with them (there is no company timeline of its own: its people's timelines, which include
// their leads', stand in); editing, archiving and restoring for the roles that may.
import { ActivityList } from '../../components/ui/activity-list';
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
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useSession } from '../../app/session';
import { NotFoundScreen, PageSkeleton, QueryView } from '../../components/ui/screens';
import { api, ApiError } from '../../lib/api-client';
import { humanize } from '../../lib/labels';
import type { Contact } from '../../lib/types';
import {
  useCompanyContacts,
  useContactsActivities,
  useCustomFields,
} from '../contacts/api/contacts-api';
import { NewContactModal } from '../contacts/components/new-contact-modal';
import {
  AddressView,
  CustomFieldItems,
  InfoItem,
  InlineError,
  RecordLeadsCard,
  SectionCard,
  UUID,
} from '../contacts/components/record-parts';
import { useCompany, useCompanyActions, type Company } from './api/companies-api';
import { CompanyForm } from './components/company-form';

const ACTIVITY_CONTACTS = 10;

/** The primary contact: from the company's people, or read on its own when not among them. */
function usePrimaryContact(company: Company, people: Contact[] | undefined) {
  const id = company.primaryContactId;
  const listed = people?.find((person) => person.id === id);
  const own = useQuery({
    queryKey: ['contact', id],
    enabled: id !== null && people !== undefined && !listed,
    queryFn: () => api.get<Contact>(`/api/contacts/${id}`),
    retry: false,
  });
  return { contact: listed ?? own.data, missing: own.isError };
}

function PrimaryContact({ company, people }: { company: Company; people: Contact[] | undefined }) {
  const { contact, missing } = usePrimaryContact(company, people);
  if (company.primaryContactId === null) return <>—</>;
  if (missing) return <>Contact not available</>;
  if (!contact) return <>…</>;
  return (
    <>
      <Anchor component={Link} to={`/contacts/${contact.id}`}>
        {contact.name || 'Unnamed contact'}
      </Anchor>
      {contact.archived && (
        <Badge size="xs" color="gray" ml={6}>
          Archived
        </Badge>
      )}
    </>
  );
}

function CompanyDetails({ company, people }: { company: Company; people: Contact[] | undefined }) {
  const { dateTime } = useSession();
  const customFields = useCustomFields('company');
  return (
    <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="sm">
      <InfoItem label="Type">{humanize(company.type)}</InfoItem>
      <InfoItem label="Status">{humanize(company.status)}</InfoItem>
      <InfoItem label="Industry">{company.industry || '—'}</InfoItem>
      <InfoItem label="Main phone">
        {company.mainPhone ? (
          <>
            <Anchor href={`tel:${company.mainPhoneE164 ?? company.mainPhone}`} size="sm">
              {company.mainPhone}
            </Anchor>
            {company.mainPhoneE164 && (
              <Text span size="xs" c="dimmed">
                {' '}
                {company.mainPhoneE164}
              </Text>
            )}
          </>
        ) : (
          '—'
        )}
      </InfoItem>
      <InfoItem label="Website">
        {company.website ? (
          <Anchor href={company.website} target="_blank" rel="noopener noreferrer" size="sm">
            {company.website}
          </Anchor>
        ) : (
          '—'
        )}
      </InfoItem>
      <InfoItem label="Primary contact">
        <PrimaryContact company={company} people={people} />
      </InfoItem>
      <InfoItem label="Billing address">
        <AddressView address={company.billingAddress} />
      </InfoItem>
      <CustomFieldItems fields={customFields.data} values={company.customFields} />
      <InfoItem label="Created">{dateTime(company.createdAt)}</InfoItem>
      <InfoItem label="Last changed">{dateTime(company.updatedAt)}</InfoItem>
    </SimpleGrid>
  );
}

function PeopleCard({ company }: { company: Company }) {
  const people = useCompanyContacts(company.id);
  const { can } = useSession();
  const [creating, { open, close }] = useDisclosure(false);
  const canAdd = can('lead:create') && !company.archived;
  return (
    <SectionCard
      id="company-people-title"
      title="People"
      actions={
        canAdd && (
          <Button size="compact-sm" variant="light" onClick={open}>
            New contact
          </Button>
        )
      }
    >
      {canAdd && (
        <NewContactModal
          opened={creating}
          onClose={close}
          companyId={company.id}
          companyName={company.name}
        />
      )}
      {people.isPending ? (
        <PageSkeleton rows={2} />
      ) : people.isError ? (
        <InlineError error={people.error} onRetry={() => void people.refetch()} />
      ) : people.data.length === 0 ? (
        <Text size="sm" c="dimmed">
          Nobody is linked to this company yet. Set the company on a contact, or add a new one here.
        </Text>
      ) : (
        <Stack gap={6}>
          {people.data.map((person) => (
            <div key={person.id} data-testid="company-person">
              <Anchor component={Link} to={`/contacts/${person.id}`} size="sm" fw={500}>
                {person.name || 'Unnamed contact'}
              </Anchor>
              {person.id === company.primaryContactId && (
                <Badge size="xs" variant="light" ml={6}>
                  Primary
                </Badge>
              )}
              <Text size="xs" c="dimmed">
                {[person.phones[0]?.value, person.emails[0]?.value].filter(Boolean).join(' · ') ||
                  'No phone or email'}
              </Text>
            </div>
          ))}
          <Anchor component={Link} to={`/contacts?companyId=${company.id}`} size="xs">
            Show them in the contacts list
          </Anchor>
        </Stack>
      )}
    </SectionCard>
  );
}

function ActivityCard({ people }: { people: Contact[] | undefined }) {
  const ids = (people ?? []).slice(0, ACTIVITY_CONTACTS).map((person) => person.id);
  const activities = useContactsActivities(ids);
  return (
    <SectionCard id="company-activity-title" title="Recent activity">
      <Text size="xs" c="dimmed" mb="xs">
        From the timelines of this company&apos;s people and their leads.
      </Text>
      {people === undefined || (ids.length > 0 && activities.isPending) ? (
        <PageSkeleton rows={2} />
      ) : activities.isError ? (
        <InlineError error={activities.error} onRetry={() => void activities.refetch()} />
      ) : ids.length === 0 || !activities.data || activities.data.length === 0 ? (
        <Text size="sm" c="dimmed">
          Nothing yet. Calls and notes logged on its people and their leads show up here.
        </Text>
      ) : (
        <ActivityList activities={activities.data.slice(0, 30)} />
      )}
    </SectionCard>
  );
}

function CompanyView({
  company,
  reload,
}: {
  company: Company;
  reload: () => Promise<Company | undefined>;
}) {
  const { can } = useSession();
  const actions = useCompanyActions();
  const customFields = useCustomFields('company');
  const people = useCompanyContacts(company.id);
  const primary = usePrimaryContact(company, people.data);
  const [editing, setEditing] = useState(false);
  const canEdit = can('lead:update');
  const refreshOnConflict = (error: unknown) => {
    if (error instanceof ApiError && error.status === 412) void reload();
  };

  return (
    <Stack>
      <Group justify="space-between" align="start">
        <div>
          <Anchor component={Link} to="/companies" size="sm">
            ← Companies
          </Anchor>
          <Title order={1}>{company.name}</Title>
          <Group gap="xs" mt={4}>
            <Badge variant="light">{humanize(company.type)}</Badge>
            <Badge variant="light" color={company.status === 'active_customer' ? 'teal' : 'gray'}>
              {humanize(company.status)}
            </Badge>
            {company.archived && <Badge color="gray">Archived</Badge>}
          </Group>
        </div>
        {canEdit && (
          <Group gap="xs">
            {!company.archived && !editing && (
              <Button size="xs" onClick={() => setEditing(true)}>
                Edit
              </Button>
            )}
            {company.archived ? (
              <Button
                size="xs"
                variant="light"
                loading={actions.restore.isPending}
                onClick={() =>
                  actions.restore.mutate(company, {
                    onSuccess: () =>
                      notifications.show({ color: 'green', message: `Restored ${company.name}` }),
                    onError: refreshOnConflict,
                  })
                }
              >
                Restore
              </Button>
            ) : (
              <Button
                size="xs"
                variant="light"
                color="red"
                loading={actions.archive.isPending}
                onClick={() =>
                  actions.archive.mutate(company, {
                    onSuccess: () => {
                      setEditing(false);
                      notifications.show({
                        color: 'green',
                        message: `Archived ${company.name}. Restore brings it back.`,
                      });
                    },
                    onError: refreshOnConflict,
                  })
                }
              >
                Archive
              </Button>
            )}
          </Group>
        )}
      </Group>
      {company.archived && (
        <Alert color="gray" title="Archived company">
          This company is archived: it is left out of lists and searches, and nothing about it was
          deleted.{canEdit ? ' Restore it to work with it again.' : ''}
        </Alert>
      )}
      <Grid>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack>
            <SectionCard id="company-details-title" title={editing ? 'Edit company' : 'Details'}>
              {editing && customFields.isPending ? (
                <PageSkeleton rows={4} />
              ) : editing ? (
                <CompanyForm
                  company={company}
                  customFields={customFields.data}
                  primaryContactName={primary.contact?.name}
                  onDone={() => setEditing(false)}
                  onReload={reload}
                />
              ) : (
                <CompanyDetails company={company} people={people.data} />
              )}
            </SectionCard>
            <RecordLeadsCard
              link={{ companyId: company.id }}
              empty="No leads for this company yet. New inquiries linked to it show up here."
            />
            <ActivityCard people={people.data} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <PeopleCard company={company} />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function CompanyById({ id }: { id: string }) {
  const company = useCompany(id);
  const reload = async () => (await company.refetch()).data;
  return (
    <QueryView query={company}>
      {(data) => <CompanyView company={data} reload={reload} />}
    </QueryView>
  );
}

export function CompanyPage() {
  const { id = '' } = useParams();
  // A malformed id would be a 422 from the server; it is simply not a company.
  if (!UUID.test(id)) return <NotFoundScreen what="company" />;
  return <CompanyById key={id} id={id} />;
}
