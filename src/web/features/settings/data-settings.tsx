// Data: the whole workspace as a download (admins), where privacy requests are handled, and how
// the server's own backups are made. Import of an export is a command or an API call, not a
// button: it creates a workspace and is an admin's deliberate act.
import { Alert, Button, Card, Code, List, Stack, Text, Title } from '@mantine/core';
import { SectionHeader } from './settings-ui';

export function DataSettings() {
  return (
    <Stack>
      <SectionHeader
        title="Data"
        description="Take your data with you, answer privacy requests, and keep backups."
      />
      <Card withBorder>
        <Stack gap="xs">
          <Title order={3} size="h4">
            Workspace export
          </Title>
          <Text size="sm">
            Every record of this workspace as JSON Lines: leads, contacts, companies, timeline,
            tasks, pipelines, custom fields, saved views, forms and the audit log, with the members
            and their names. Sensitive custom values are included decrypted, so keep the file as
            safe as the workspace itself. Passwords, sessions, API tokens and invitations are left
            out.
          </Text>
          <div>
            <Button component="a" href="/api/exports/workspace.jsonl" download>
              Download workspace export
            </Button>
          </div>
          <Text size="sm" c="dimmed">
            Import it into a new workspace with{' '}
            <Code>leadkeeper workspace import FILE --as EMAIL</Code> or{' '}
            <Code>POST /api/workspaces/import</Code>; record ids are kept.
          </Text>
        </Stack>
      </Card>
      <Card withBorder>
        <Stack gap="xs">
          <Title order={3} size="h4">
            Privacy requests
          </Title>
          <Text size="sm">
            To answer a person&apos;s access or erasure request, open their contact: &quot;Export
            data&quot; downloads everything held about them, &quot;Erase personal data&quot;
            anonymises them while their leads stay. Admins and managers can do both; each is
            recorded in the audit log.
          </Text>
        </Stack>
      </Card>
      <Card withBorder>
        <Stack gap="xs">
          <Title order={3} size="h4">
            Backups
          </Title>
          <Text size="sm">On the server, with the embedded database, stop Leadkeeper and run:</Text>
          <List size="sm" spacing={4}>
            <List.Item>
              <Code>leadkeeper backup leadkeeper.tar.gz</Code> — the database; the encryption key is
              written beside it as <Code>leadkeeper.tar.gz.key</Code>. Store the two apart.
            </List.Item>
            <List.Item>
              <Code>leadkeeper restore leadkeeper.tar.gz</Code> — into an empty data directory (
              <Code>--force</Code> moves the current database aside).
            </List.Item>
          </List>
          <Alert color="blue" variant="light">
            With PostgreSQL (<Code>DATABASE_URL</Code>), use <Code>pg_dump</Code> and{' '}
            <Code>pg_restore</Code>, and keep <Code>ENCRYPTION_KEY</Code> with the backups.
          </Alert>
        </Stack>
      </Card>
    </Stack>
  );
}
