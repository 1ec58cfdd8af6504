import { z } from 'zod';

export const connectorSchema = z
  .object({
    configured: z.boolean(),
    url: z.string().nullable().describe('Where new customers are POSTed (webhook connector)'),
    version: z.number().int().nullable(),
    updatedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'AccountingConnector' });
export type ConnectorDto = z.infer<typeof connectorSchema>;

export const connectorWithSecretSchema = connectorSchema.extend({
  secret: z
    .string()
    .optional()
    .describe('The signing secret: shown only when the connector is set up or the secret rotated'),
});

export const putConnectorBodySchema = z.object({
  url: z.string().trim().min(8).max(2000),
  rotateSecret: z.boolean().default(false).describe('Make a new signing secret (returned once)'),
});
export type PutConnectorInput = z.infer<typeof putConnectorBodySchema>;

const target = z.object({
  type: z.enum(['company', 'contact']),
  id: z.uuid(),
  name: z.string(),
});

export const handoffStatusSchema = z
  .object({
    available: z.boolean().describe('Whether "create customer in accounting" can run now'),
    reason: z.string().nullable().describe('Why not, for the person looking at the lead'),
    target: target
      .nullable()
      .describe('The company (or else the contact) that becomes the customer'),
    customerId: z.string().nullable().describe("The customer's id in accounting, once created"),
  })
  .meta({ id: 'AccountingHandoffStatus' });
export type HandoffStatusDto = z.infer<typeof handoffStatusSchema>;

export const handoffBodySchema = z.object({
  confirm: z.literal(true, 'Confirm the handoff with confirm: true.'),
});

export const handoffResultSchema = z
  .object({
    customerId: z.string(),
    created: z.boolean().describe('False when the customer existed already (nothing was sent)'),
    target,
  })
  .meta({ id: 'AccountingHandoff' });
export type HandoffResultDto = z.infer<typeof handoffResultSchema>;

export const leadIdParamsSchema = z.object({ id: z.uuid() });
