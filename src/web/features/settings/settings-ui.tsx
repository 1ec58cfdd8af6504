// Pieces every settings section uses: its heading, a confirm dialog, a secret shown once with a
// copy button, and the empty-state line.
import { Alert, Button, Code, CopyButton, Group, Modal, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

export function SectionHeader({
  title,
  description,
  action,
}: {
  title: string;
  description?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <Group justify="space-between" align="start" wrap="nowrap">
      <div>
        <Title order={2} size="h3">
          {title}
        </Title>
        {description && (
          <Text size="sm" c="dimmed" mt={2}>
            {description}
          </Text>
        )}
      </div>
      {action}
    </Group>
  );
}

/** Mantine's modal with a named close button (its × has no text of its own). */
export function ConfirmDialog({
  opened,
  title,
  children,
  confirmLabel,
  color = 'red',
  busy = false,
  onConfirm,
  onClose,
}: {
  opened: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  color?: string;
  busy?: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title={title}>
      <Stack>
        {children}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} data-autofocus>
            Cancel
          </Button>
          <Button color={color} loading={busy} onClick={onConfirm}>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** A secret (token, invite link) the server shows once: copy it now or lose it. */
export function SecretOnce({
  title,
  value,
  onDismiss,
  children,
}: {
  title: string;
  value: string;
  onDismiss: () => void;
  children: ReactNode;
}) {
  return (
    <Alert color="yellow" title={title} role="status" data-testid="secret-once">
      <Stack gap="xs">
        <Text size="sm">{children}</Text>
        <Code
          block
          data-testid="secret-value"
          style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}
        >
          {value}
        </Code>
        <Group gap="xs">
          <CopyButton value={value} timeout={4000}>
            {({ copied, copy }) => (
              <Button size="xs" variant={copied ? 'light' : 'filled'} onClick={copy}>
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
          <Button size="xs" variant="default" onClick={onDismiss}>
            I have stored it
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}

export function EmptyHint({ children }: { children: ReactNode }) {
  return (
    <Text size="sm" c="dimmed" py="sm">
      {children}
    </Text>
  );
}

/**
 * The order cell of a list of rules run in order (automation, assignment): its place, and
 * buttons that swap it with the rule above or below.
 */
export function OrderControls<Rule extends { name: string }>({
  rule,
  rules,
  index,
  swap,
}: {
  rule: Rule;
  rules: readonly Rule[];
  index: number;
  swap: (rule: Rule, other: Rule | undefined) => void;
}) {
  return (
    <Group gap={4} wrap="nowrap">
      <Text size="sm">{index + 1}</Text>
      <Button
        size="compact-xs"
        variant="subtle"
        disabled={index === 0}
        onClick={() => swap(rule, rules[index - 1])}
        aria-label={`Move ${rule.name} up`}
      >
        ↑
      </Button>
      <Button
        size="compact-xs"
        variant="subtle"
        disabled={index === rules.length - 1}
        onClick={() => swap(rule, rules[index + 1])}
        aria-label={`Move ${rule.name} down`}
      >
        ↓
      </Button>
    </Group>
  );
}
