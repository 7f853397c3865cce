/**
 * Schemas every Akua-family route shares: the error envelope, the common headers, Unix timestamps,
 * page queries and list envelopes. They validate requests and generate /v1/openapi.json alike.
 */
import { z } from '@hono/zod-openapi';

export const ApiErrorEntry = z
  .object({
    code: z
      .number()
      .int()
      .openapi({ example: 7002, description: 'Machine-readable error code (docs/errors.md)' }),
    message: z.string().openapi({ example: 'Resource not found' }),
    path: z
      .array(z.string())
      .optional()
      .openapi({ example: ['body', 'name'] }),
    metadata: z.record(z.string(), z.string()).optional(),
  })
  .openapi('ApiErrorEntry');

export const ApiErrorResponse = z
  .object({ success: z.literal(false), errors: z.array(ApiErrorEntry), result: z.object({}) })
  .openapi('ApiErrorResponse');

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable entity',
  428: 'Precondition required',
  429: 'Too many requests',
  503: 'Service unavailable',
};

/** OpenAPI response entries for the given error statuses, all with the Akua envelope. */
export function errorResponses<const S extends number>(...statuses: S[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: ERROR_DESCRIPTIONS[s] ?? 'Error',
        content: { 'application/json': { schema: ApiErrorResponse } },
      },
    ]),
  ) as Record<
    S,
    { description: string; content: { 'application/json': { schema: typeof ApiErrorResponse } } }
  >;
}

/** A JSON response entry. */
export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

/** A required JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { content: { 'application/json': { schema } }, required: true };
}

/**
 * `schema` or null, for a schema registered as a component (`.openapi('Name')`). `.nullable()` would
 * carry the component's name to the wrapper (zod-to-openapi 9 with zod 4), so the component itself
 * would become nullable, every use of it would allow null, and the use's description would move into
 * it. A union with null stays where it is used: `anyOf: [{$ref}, {type: 'null'}]`. A union that fails
 * reports only "Invalid input", so a value that is not null is first checked against `schema`, whose
 * issues name the field, as `.nullable()` would.
 */
export function orNull<T extends z.ZodType>(schema: T) {
  return z.preprocess(
    (input, ctx) => {
      const checked = input === null ? undefined : schema.safeParse(input);
      for (const issue of checked?.error?.issues ?? []) ctx.addIssue({ ...issue });
      return input;
    },
    z.union([schema, z.null()]),
  );
}

export const UnixSeconds = z.number().int().min(0).openapi({ description: 'Unix timestamp (seconds)' });

export const AkuaContextHeader = z.string().min(1).max(53).optional().openapi({
  description:
    'Workspace a broad credential (OAuth2 JWT) acts in. A workspace API token implies its workspace; if sent with one, it must name that workspace.',
  example: 'ws_j572abc123def456',
});

export const IdempotencyKeyHeader = z.string().min(1).max(64).openapi({
  description:
    'Caller-supplied idempotency key. A retry with the same key and request returns the first response; the same key with a different request is 409.',
  example: 'create-prod-2026-05-07',
});

export const IfMatchHeader = z.string().min(1).max(256).openapi({
  description:
    'The `etag` you last read. A mismatch returns 409 (metadata.status ABORTED) with the current etag in metadata.etag.',
  example: '42',
});

/** Header schema for workspace-scoped routes. */
export const WorkspaceHeaders = z.object({ 'akua-context': AkuaContextHeader });

/** The most items a page holds; the published `limit` has this maximum. */
export const MAX_PAGE_LIMIT = 100;
const LIMIT_MESSAGE = 'limit must be a whole number of at least 1';

/**
 * A page size from the query string. A limit above the maximum is served as the maximum rather than
 * refused: the published list operations list no status for a refusal, and `has_more` (or the next
 * cursor) tells the client there is more.
 */
export const PageLimit = z.coerce
  .number({ error: LIMIT_MESSAGE })
  .int(LIMIT_MESSAGE)
  .min(1, LIMIT_MESSAGE)
  .transform((limit) => Math.min(limit, MAX_PAGE_LIMIT));

export const PageQuery = z.strictObject({
  cursor: z
    .string()
    .min(1)
    .max(512)
    .optional()
    .openapi({ description: "Pagination cursor from a previous response's `next_cursor`." }),
  limit: PageLimit.default(50).openapi({
    type: 'integer',
    minimum: 1,
    maximum: MAX_PAGE_LIMIT,
    default: 50,
    description: `Items per page (1-${MAX_PAGE_LIMIT}, default 50); a larger value is served as ${MAX_PAGE_LIMIT}`,
    example: 50,
  }),
});

/** The Akua list envelope `{data, has_more, next_cursor}` around an item schema. */
export function listOf<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      data: z.array(item),
      has_more: z.boolean().openapi({ description: 'True if more items exist after this page.' }),
      next_cursor: z
        .string()
        .nullable()
        .openapi({ description: 'Opaque cursor for the next page, or null if no more pages.' }),
    })
    .openapi(name);
}

/** A path id: 1..max characters. */
export function pathId(max: number, description: string) {
  return z.string().min(1).max(max).openapi({ description });
}
