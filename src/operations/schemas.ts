/**
 * The Operation resource (`op_…`): the record every asynchronous action leaves behind. Its `metadata`
 * and `response` are typed by kind in kinds.ts.
 */
import { z } from '@hono/zod-openapi';
import { listOf, PageQuery, pathId, UnixSeconds } from '../http/schemas.ts';
import { OperationMetadata, OperationResponse } from './kinds.ts';

export const OWNER_TYPES = [
  'install',
  'repository_change_request',
  'repository',
  'workspace',
  'machine',
  'cluster',
  'package',
] as const;
export type OwnerType = (typeof OWNER_TYPES)[number];

/**
 * An operation id as a path parameter. The published API reads "Prefixed form `op_<id>` is canonical;
 * bare IDs accepted during transition": a bare id (`j572abc…`) means `op_j572abc…`, so handlers and
 * errors always see the canonical form.
 */
export const OperationIdParam = pathId(
  53,
  'Operation ID. Prefixed form `op_<id>` is canonical; bare IDs accepted during transition.',
).transform((id) => (id.startsWith('op_') ? id : `op_${id}`));

export const OperationStep = z
  .object({
    name: z.string(),
    status: z.enum(['pending', 'running', 'completed', 'failed', 'skipped']),
    execution_type: z.enum(['system', 'user', 'approval', 'skipped']),
    started_at: UnixSeconds,
    completed_at: UnixSeconds.nullable(),
    error_message: z.string().nullable(),
    retryable: z.boolean(),
    skippable: z.boolean(),
  })
  .openapi('OperationStep');
export type OperationStep = z.infer<typeof OperationStep>;

export const Operation = z
  .object({
    id: z.string().min(1).max(53),
    workspace_id: z.string().min(1).max(53).nullable(),
    organization_id: z.string().nullable(),
    owner_type: z.enum(OWNER_TYPES),
    owner_id: z.string(),
    parent_operation_id: z.string().nullable(),
    state: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED']),
    done: z.boolean(),
    html_url: z.string(),
    metadata: OperationMetadata,
    response: OperationResponse,
    error: z.object({ message: z.string() }).nullable(),
    last_error: z.object({ message: z.string(), step_name: z.string().optional() }).nullable(),
    started_at: UnixSeconds,
    completed_at: UnixSeconds.nullable(),
    // Optional because lists leave per-step detail out (spec: "List of operations (without per-step detail)").
    steps: z.array(OperationStep).optional().openapi({
      description: 'Per-step progress. Present on get, :wait and :cancel; left out of lists.',
    }),
  })
  .openapi('Operation');
export type Operation = z.infer<typeof Operation>;

export const OperationList = listOf(Operation, 'OperationList');
export type OperationList = z.infer<typeof OperationList>;

/** Steps' statuses; `pending` until started, then `running`, then one of the last three. */
export type StepStatus = OperationStep['status'];

const OWNER_TYPE_MESSAGE = `owner_type must be one of ${OWNER_TYPES.join(', ')}`;

/** GET /v1/operations: a page, optionally narrowed to one owner (owner_type and owner_id go together). */
export const ListOperationsQuery = PageQuery.extend({
  owner_type: z.enum(OWNER_TYPES, { error: OWNER_TYPE_MESSAGE }).optional(),
  owner_id: z
    .string()
    .min(1)
    .max(128)
    .optional()
    .openapi({ description: 'Required when `owner_type` is set, and the other way round.' }),
}).superRefine((query, ctx) => {
  // The spec's "requires-together" contract: name the one that is missing.
  if (query.owner_type !== undefined && query.owner_id === undefined)
    ctx.addIssue({ code: 'custom', path: ['owner_id'], message: 'required when owner_type is given' });
  if (query.owner_id !== undefined && query.owner_type === undefined)
    ctx.addIssue({ code: 'custom', path: ['owner_type'], message: 'required when owner_id is given' });
});

const TIMEOUT_MESSAGE = 'timeout must be an integer number of seconds from 1 to 60';

/** POST /v1/operations/{id}:wait. */
export const WaitQuery = z.strictObject({
  timeout: z.coerce
    .number({ error: TIMEOUT_MESSAGE })
    .min(1, TIMEOUT_MESSAGE)
    .max(60, TIMEOUT_MESSAGE)
    // Not .int(): its failure is an invalid_type issue, which src/http/validation.ts words as "required".
    .refine(Number.isInteger, TIMEOUT_MESSAGE)
    .default(30)
    // Coerced schemas lose their bounds in the generated document, so they are stated again here.
    .openapi({
      type: 'integer',
      minimum: 1,
      maximum: 60,
      default: 30,
      description: 'Max seconds to wait for the operation to reach a terminal state. Default 30, max 60.',
    }),
});
