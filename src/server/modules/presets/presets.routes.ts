import { z } from 'zod';
import { actorOf } from '../../platform/auth/authenticate.js';
import type { App } from '../../platform/http/types.js';
import { PRESET_KEYS } from './presets.data.js';
import type { PresetsService } from './presets.service.js';

const tags = ['presets'];
const presetKeySchema = z.enum(PRESET_KEYS).meta({ id: 'PresetKey' });

export function registerPresetsRoutes(app: App, presets: PresetsService): void {
  app.get(
    '/api/presets',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'The trade presets a workspace can start from',
        response: {
          200: z.object({
            items: z.array(
              z.object({
                key: presetKeySchema,
                label: z.string(),
                description: z.string(),
                pipelines: z.array(z.object({ name: z.string(), stages: z.array(z.string()) })),
              }),
            ),
            nextCursor: z.null(),
          }),
        },
      },
    },
    () => ({ items: presets.listPresets(), nextCursor: null }),
  );

  app.post(
    '/api/presets/:key/apply',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary:
          "Add a preset's custom fields, pipelines, sources, lost reasons and follow-up templates to the current workspace",
        description:
          'Only what the workspace does not have yet is added: custom fields by record type and ' +
          'key, the rest by name.',
        params: z.object({ key: presetKeySchema }),
        response: {
          200: z.object({
            preset: presetKeySchema,
            added: z.object({
              pipelines: z.number(),
              sources: z.number(),
              lostReasons: z.number(),
              customFields: z.number(),
              templates: z.number().describe('Per-stage follow-up email templates'),
            }),
          }),
        },
      },
    },
    (request) => presets.applyPreset(actorOf(request), request.params.key),
  );
}
