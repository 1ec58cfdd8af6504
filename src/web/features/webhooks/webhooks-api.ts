// Outbound webhooks, their delivery log and the accounting connector and handoff.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  connectorSchema,
  connectorWithSecretSchema,
  handoffResultSchema,
  handoffStatusSchema,
} from '../../../server/modules/accounting/accounting.schemas';
import type {
  createWebhookBodySchema,
  deliverySchema,
  updateWebhookBodySchema,
  webhookSchema,
  webhookWithSecretSchema,
} from '../../../server/modules/webhooks/webhooks.schemas';
import { api, apiRequest } from '../../lib/api-client';

export type Webhook = z.infer<typeof webhookSchema>;
export type WebhookWithSecret = z.infer<typeof webhookWithSecretSchema>;
export type Delivery = z.infer<typeof deliverySchema>;
export type Connector = z.infer<typeof connectorSchema>;
export type ConnectorWithSecret = z.infer<typeof connectorWithSecretSchema>;
export type HandoffStatus = z.infer<typeof handoffStatusSchema>;
export type HandoffResult = z.infer<typeof handoffResultSchema>;

const WEBHOOKS = ['webhooks'];

export function useWebhooks() {
  return useQuery({
    queryKey: WEBHOOKS,
    queryFn: () => api.get<{ items: Webhook[] }>('/api/webhooks').then((page) => page.items),
  });
}

export function useDeliveries(webhookId: string | null) {
  return useQuery({
    queryKey: [...WEBHOOKS, webhookId, 'deliveries'],
    queryFn: () =>
      api.get<{ items: Delivery[] }>(`/api/webhooks/${webhookId}/deliveries`, { limit: 25 }),
    enabled: webhookId !== null,
  });
}

export function useWebhookActions() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: WEBHOOKS });
  return {
    create: useMutation({
      mutationFn: (body: z.output<typeof createWebhookBodySchema>) =>
        api.post<WebhookWithSecret>('/api/webhooks', body),
      onSuccess: refresh,
    }),
    update: useMutation({
      mutationFn: ({
        webhook,
        changes,
      }: {
        webhook: Webhook;
        changes: z.input<typeof updateWebhookBodySchema>;
      }) =>
        api.patch<Webhook & { secret?: string }>(`/api/webhooks/${webhook.id}`, changes, {
          ifMatch: webhook.version,
        }),
      onSuccess: refresh,
    }),
    remove: useMutation({
      mutationFn: (webhook: Webhook) =>
        apiRequest<null>('DELETE', `/api/webhooks/${webhook.id}`, { ifMatch: webhook.version }),
      onSuccess: refresh,
    }),
    redeliver: useMutation({
      mutationFn: (delivery: Delivery) =>
        api.post<Delivery>(`/api/webhooks/deliveries/${delivery.id}/redeliver`),
      onSuccess: refresh,
    }),
  };
}

const CONNECTOR = ['accounting-connector'];

export function useConnector() {
  return useQuery({
    queryKey: CONNECTOR,
    queryFn: () => api.get<Connector>('/api/accounting/connector'),
  });
}

export function useSaveConnector() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { url: string; rotateSecret: boolean }) =>
      api.put<ConnectorWithSecret>('/api/accounting/connector', body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: CONNECTOR }),
  });
}

export function useHandoff(leadId: string, enabled: boolean) {
  return useQuery({
    queryKey: ['accounting-handoff', leadId],
    queryFn: () => api.get<HandoffStatus>(`/api/leads/${leadId}/accounting-handoff`),
    enabled,
  });
}

export function useRunHandoff(leadId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      api.post<HandoffResult>(`/api/leads/${leadId}/accounting-handoff`, { confirm: true }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['accounting-handoff', leadId] }),
  });
}
