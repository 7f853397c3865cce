/** Region request and response schemas (Akua `Region`, `RegionList`, the regions.create body). */
import { z } from '@hono/zod-openapi';
import { listOf, UnixSeconds } from '../../http/schemas.ts';

/** The region every workspace has from the start; `local` is both its id and its name. */
export const LOCAL_REGION = 'local';

export const Region = z
  .object({
    id: z
      .string()
      .min(1)
      .max(54)
      .openapi({ description: '`local` for the built-in region, `reg_…` for the others.' }),
    name: z.string().openapi({ example: 'us-east-1' }),
    icon: z.string().nullable().openapi({ description: 'Icon URL' }),
    workspace_id: z.string().min(1).max(53),
    created_at: UnixSeconds,
  })
  .openapi('Region');
export type Region = z.infer<typeof Region>;

export const RegionList = listOf(Region, 'RegionList');

const ICON_MESSAGE = 'icon must be an absolute http or https URL';

export const CreateRegionBody = z
  .strictObject({
    name: z.string().min(1).max(100).openapi({ example: 'us-east-1' }),
    icon: z
      .url({ protocol: /^https?$/, error: ICON_MESSAGE })
      .max(256)
      .optional()
      .openapi({ format: 'uri', description: 'Icon URL (http or https)' }),
  })
  .openapi('CreateRegionBody');
export type CreateRegionBody = z.infer<typeof CreateRegionBody>;
