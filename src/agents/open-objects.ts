/**
 * Open objects: the published `AgentAmbientConfig` and `AgentModelPolicy` (and every object inside
 * them) declare their fields without `additionalProperties: false`, so a client may send keys Atoll does
 * not know. Atoll keeps them and returns them as sent, while the keys it knows are validated as usual.
 * What such keys may hold is bounded: at most MAX_UNKNOWN_BYTES of JSON per open tree, so an agent row
 * cannot be made to carry arbitrary data (docs/agents.md "Open objects").
 */
import { z } from '@hono/zod-openapi';

/** The most JSON (UTF-8 bytes, keys and values) the unknown keys of one open tree may hold in total. */
export const MAX_UNKNOWN_BYTES = 16 * 1024;

type Unknown = { path: PropertyKey[]; bytes: number };

/**
 * The keys of `value` that `schema` does not declare, at any depth, with the JSON size of each (key
 * and value). Follows objects, arrays, optional / nullable / default wrappers and unions (the branch
 * the value parses as, else the first).
 */
export function unknownKeys(schema: z.ZodType, value: unknown, path: PropertyKey[] = []): Unknown[] {
  const def = (schema as unknown as { _zod: { def: any } })._zod.def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      return unknownKeys(def.innerType, value, path);
    case 'pipe':
      return unknownKeys(def.in, value, path);
    case 'array':
      return Array.isArray(value)
        ? value.flatMap((item, i) => unknownKeys(def.element, item, [...path, i]))
        : [];
    case 'union': {
      const options = def.options as z.ZodType[];
      const branch = options.find((o) => o.safeParse(value).success) ?? options[0];
      return branch ? unknownKeys(branch, value, path) : [];
    }
    case 'object': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
      const shape = def.shape as Record<string, z.ZodType>;
      return Object.entries(value).flatMap(([key, v]) =>
        Object.hasOwn(shape, key)
          ? unknownKeys(shape[key]!, v, [...path, key])
          : [{ path: [...path, key], bytes: Buffer.byteLength(JSON.stringify({ [key]: v })) - 2 }],
      );
    }
    default:
      return [];
  }
}

/**
 * A refinement for the root of an open tree: an issue at the first unknown key past MAX_UNKNOWN_BYTES.
 * `schema` is the tree's own (loose) schema, which tells known keys from unknown ones.
 */
export function boundUnknownKeys(name: string, schema: z.ZodType) {
  return (value: unknown, ctx: z.RefinementCtx): void => {
    let total = 0;
    for (const key of unknownKeys(schema, value)) {
      total += key.bytes;
      if (total > MAX_UNKNOWN_BYTES) {
        ctx.addIssue({
          code: 'custom',
          path: key.path,
          message: `keys ${name} does not define may hold at most ${MAX_UNKNOWN_BYTES} bytes of JSON in total; this one goes past it`,
        });
        return;
      }
    }
  };
}
