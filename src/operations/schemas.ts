/** The Operation resource (`op_…`): the record every asynchronous action leaves behind. */
import { z } from '@hono/zod-openapi';
import { UnixSeconds } from '../http/schemas.ts';

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
    metadata: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'Union on `type`, e.g. {type: "install.render", install_id}' }),
    response: z.record(z.string(), z.unknown()).nullable(),
    error: z.object({ message: z.string() }).nullable(),
    last_error: z.object({ message: z.string(), step_name: z.string().optional() }).nullable(),
    started_at: UnixSeconds,
    completed_at: UnixSeconds.nullable(),
    steps: z.array(OperationStep),
  })
  .openapi('Operation');
export type Operation = z.infer<typeof Operation>;
