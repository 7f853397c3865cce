/**
 * Snippet request and response schemas (Akua `Snippet`, `SnippetList`, `CreateSnippetBody`,
 * `UpdateSnippetBody`). The spec gives the snippet and both bodies as a oneOf of a legacy variant
 * (no result contract) and a result-contract variant; they are written so here too.
 */
import { z } from '@hono/zod-openapi';
import { listOf, UnixSeconds } from '../http/schemas.ts';
import {
  CONTRACT_FIELDS,
  DefaultVisualization,
  ResultContractVersion,
  ResultType,
  type ContractField,
} from './contract.ts';
import { exactUnion } from './exact-union.ts';
import { InputDescriptors } from './inputs.ts';

export const DisplayType = z.enum(['table', 'stat', 'json', 'logs', 'timeseries']).openapi({
  description: 'Controls how the snippet result is rendered in dashboard widgets',
  example: 'table',
});
export type DisplayType = z.infer<typeof DisplayType>;

export const Visibility = z
  .enum(['workspace', 'session'])
  .openapi({ description: 'Whether the snippet is reusable workspace state or scoped to an agent session.' });
export type Visibility = z.infer<typeof Visibility>;

export const Origin = z
  .enum(['user', 'agent', 'system'])
  .openapi({ description: 'Who authored the snippet descriptor.' });
export type Origin = z.infer<typeof Origin>;

export const Purpose = z.enum(['general', 'prepared_action', 'reactive_read', 'widget']);
export type Purpose = z.infer<typeof Purpose>;

export const CODE_MAX = 50_000;

/** An agent session or turn id. */
const AgentRef = z.string().min(1).max(54);

const Code = z.string().min(1).max(CODE_MAX).openapi({
  description:
    'Async JavaScript function body. Executed in a sandboxed runtime with access to platform.request().',
});

const snippetFields = {
  id: z.string().min(1).max(54).openapi({ example: 'snp_j572abc123def456' }),
  html_url: z
    .string()
    .max(2048)
    .openapi({ format: 'uri', description: 'Absolute dashboard URL for this resource. OUTPUT_ONLY.' }),
  name: z.string().openapi({ example: 'Cluster Resource Audit' }),
  description: z.string().nullable().openapi({ example: 'Checks resource requests and limits' }),
  code: z.string().openapi({
    example: 'async () => { ... }',
    description:
      'Async JavaScript function body executed in a sandboxed runtime. Has access to platform.request() for API calls.',
  }),
  display_type: DisplayType,
  inputs: InputDescriptors,
  visibility: Visibility,
  origin: Origin,
  agent_session_id: AgentRef.nullable(),
  agent_turn_id: AgentRef.nullable(),
  purpose: Purpose,
  workspace_id: z.string().min(1).max(53).openapi({ example: 'ws_j572abc123def456' }),
  created_by: z.string().openapi({ description: 'Who created the snippet: the token id or JWT subject' }),
  created_at: UnixSeconds,
  updated_at: UnixSeconds,
  archived_at: UnixSeconds.nullable().openapi({
    description: 'Unix timestamp (seconds) when this snippet was archived, or null while active',
  }),
  etag: z.string(),
};

export const Snippet = z
  .union([
    z.object({
      ...snippetFields,
      result_contract_version: z.null(),
      result_type: z.null(),
      default_visualization: z.null(),
    }),
    z.object({
      ...snippetFields,
      result_contract_version: ResultContractVersion,
      result_type: ResultType,
      default_visualization: DefaultVisualization,
    }),
  ])
  .openapi('Snippet', {}, { unionPreferredType: 'oneOf' });
export type Snippet = z.infer<typeof Snippet>;

export const SnippetList = listOf(Snippet, 'SnippetList');

/** Response of create and update: the snippet's id (the etag is in the ETag header). */
export const SnippetIdResponse = z.object({ snippet_id: z.string() });

const createFields = {
  name: z.string().min(1).max(100).openapi({ example: 'Cluster Resource Audit' }),
  description: z.string().max(500).optional().openapi({ description: 'Optional human-readable description' }),
  code: Code,
  display_type: DisplayType,
  inputs: InputDescriptors.optional(),
  visibility: Visibility.optional(),
  origin: Origin.optional(),
  agent_session_id: AgentRef.optional(),
  agent_turn_id: AgentRef.optional(),
  purpose: Purpose.optional(),
};

const contractShape = {
  result_contract_version: ResultContractVersion,
  result_type: ResultType,
  default_visualization: DefaultVisualization,
} satisfies Record<ContractField, z.ZodType>;
const optionalContractShape = z.object(contractShape).partial().shape;

/**
 * An issue for each contract field missing from a body that starts a contract: one giving any of the
 * three (create), or one giving result_contract_version (update, where the other two may be retuned alone).
 */
function requireTrio(
  body: Partial<Record<ContractField, unknown>>,
  ctx: z.RefinementCtx,
  when: 'any' | 'version',
): void {
  const given = CONTRACT_FIELDS.filter((f) => body[f] !== undefined);
  const triggered = when === 'any' ? given.length > 0 : body.result_contract_version !== undefined;
  if (!triggered) return;
  for (const field of CONTRACT_FIELDS.filter((f) => body[f] === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: [field],
      message: `required with ${given.join(', ')}: a result contract sets result_contract_version, result_type and default_visualization together`,
    });
  }
}

export const CreateSnippetBody = exactUnion(
  z
    .strictObject({ ...createFields, ...optionalContractShape })
    .superRefine((body, ctx) => requireTrio(body, ctx, 'any')),
  z.union([z.strictObject(createFields), z.strictObject({ ...createFields, ...contractShape })]),
).openapi('CreateSnippetBody');
export type CreateSnippetBody = z.infer<typeof CreateSnippetBody>;

const updateFields = {
  name: z.string().min(1).max(100).optional(),
  description: z.string().max(500).optional(),
  code: Code.optional(),
  display_type: DisplayType.optional(),
  inputs: InputDescriptors.optional(),
  visibility: Visibility.optional(),
  purpose: Purpose.optional(),
};

/** Legacy updates may retune result_type and default_visualization of a snippet that has a contract. */
const legacyUpdateFields = {
  ...updateFields,
  result_type: ResultType.optional(),
  default_visualization: DefaultVisualization.optional(),
};

export const UpdateSnippetBody = exactUnion(
  z
    .strictObject({ ...updateFields, ...optionalContractShape })
    .superRefine((body, ctx) => requireTrio(body, ctx, 'version')),
  z.union([z.strictObject(legacyUpdateFields), z.strictObject({ ...updateFields, ...contractShape })]),
).openapi('UpdateSnippetBody');
export type UpdateSnippetBody = z.infer<typeof UpdateSnippetBody>;
