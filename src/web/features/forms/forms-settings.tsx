// Settings → Forms: the workspace's web-to-lead forms (list, create, edit), each with its hosted
// link and the snippets to paste into a website, and its submissions (rejected ones fixable).
import {
  Anchor,
  Badge,
  Button,
  Card,
  Code,
  CopyButton,
  Group,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useState } from 'react';
import { Link, Route, Routes, useNavigate, useParams } from 'react-router';
import { PageSkeleton, QueryView } from '../../components/ui/screens';
import { EmptyHint, SectionHeader } from '../settings/settings-ui';
import { useForm, useForms, type Form } from './api/forms-api';
import { FormEditor } from './components/form-editor';
import { FormSubmissions } from './components/form-submissions';

function Snippet({ label, value }: { label: string; value: string }) {
  return (
    <Stack gap={4}>
      <Group justify="space-between">
        <Text size="sm" fw={600}>
          {label}
        </Text>
        <CopyButton value={value} timeout={3000}>
          {({ copied, copy }) => (
            <Button size="compact-xs" variant={copied ? 'light' : 'default'} onClick={copy}>
              {copied ? 'Copied' : 'Copy'}
              <VisuallyHidden> {label}</VisuallyHidden>
            </Button>
          )}
        </CopyButton>
      </Group>
      <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }} data-testid="snippet">
        {value}
      </Code>
    </Stack>
  );
}

function FormLinks({ form }: { form: Form }) {
  return (
    <Card withBorder component="section" aria-labelledby="form-links-title">
      <Title order={3} size="h4" id="form-links-title" mb="xs">
        Put it on your website
      </Title>
      <Stack gap="sm">
        <Group gap="xs">
          <Text size="sm">Hosted page:</Text>
          <Anchor href={form.hostedUrl} target="_blank" rel="noreferrer" data-testid="hosted-link">
            {form.hostedUrl}
          </Anchor>
        </Group>
        <Snippet label="Hosted page link" value={form.hostedUrl} />
        <Snippet label="Embed as an HTML form" value={form.embedHtml} />
        <Snippet label="Embed in an iframe" value={form.iframeHtml} />
        <Snippet label="Capture URL for webhooks and servers" value={form.captureUrl} />
        <Text size="xs" c="dimmed">
          Adapters: add /meta, /google-ads, /typeform or /generic to the capture URL. The iframe
          needs your site in the allowed sites.
        </Text>
      </Stack>
    </Card>
  );
}

function FormDetail() {
  const { formId = '' } = useParams();
  const form = useForm(formId);
  return (
    <QueryView query={form} skeleton={<PageSkeleton rows={6} />}>
      {(data) => (
        <Stack>
          <SectionHeader
            title={data.name}
            description={
              <Anchor component={Link} to="/settings/forms">
                All forms
              </Anchor>
            }
          />
          <FormLinks form={data} />
          <Card withBorder component="section" aria-labelledby="form-settings-title">
            <Title order={3} size="h4" id="form-settings-title" mb="xs">
              Settings
            </Title>
            <FormEditor key={data.version} form={data} onSaved={() => undefined} />
          </Card>
          <Card withBorder component="section" aria-labelledby="form-submissions-title">
            <Title order={3} size="h4" id="form-submissions-title" mb="xs">
              Submissions
            </Title>
            <FormSubmissions formId={data.id} />
          </Card>
        </Stack>
      )}
    </QueryView>
  );
}

function FormsList() {
  const forms = useForms();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  return (
    <Stack>
      <SectionHeader
        title="Forms"
        description="Web-to-lead forms: a hosted page or a snippet for your website, and webhooks for Meta, Google Ads, Typeform, Zapier and Make. Every submission becomes a contact and a lead once."
        action={
          !creating && (
            <Button onClick={() => setCreating(true)} data-testid="new-form">
              New form
            </Button>
          )
        }
      />
      {creating && (
        <Card withBorder component="section" aria-labelledby="new-form-title">
          <Title order={3} size="h4" id="new-form-title" mb="xs">
            New form
          </Title>
          <FormEditor
            form={null}
            onSaved={(form) => void navigate(`/settings/forms/${form.id}`)}
            onCancel={() => setCreating(false)}
          />
        </Card>
      )}
      <QueryView query={forms} skeleton={<PageSkeleton rows={4} />}>
        {(items) =>
          items.length === 0 ? (
            <EmptyHint>No forms yet. Create one to take inquiries from your website.</EmptyHint>
          ) : (
            <Table striped highlightOnHover verticalSpacing="xs" aria-label="Forms">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Hosted page</Table.Th>
                  <Table.Th>Status</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((form) => (
                  <Table.Tr key={form.id} data-testid="form-row">
                    <Table.Td>
                      <Anchor component={Link} to={`/settings/forms/${form.id}`} fw={500}>
                        {form.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <Anchor href={form.hostedUrl} target="_blank" rel="noreferrer" size="sm">
                        /f/{form.key}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={form.active ? 'green' : 'gray'}>
                        {form.active ? 'Active' : 'Off'}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )
        }
      </QueryView>
    </Stack>
  );
}

export function FormsSettings() {
  return (
    <Routes>
      <Route index element={<FormsList />} />
      <Route path=":formId" element={<FormDetail />} />
    </Routes>
  );
}
