/**
 * Agent request and response schemas (Akua `Agent`, `AgentList`, `AgentAmbientConfig`,
 * `AgentModelPolicy`, `AgentUsageSummary` and the create / update bodies), transcribed from the spec.
 * Every object a client sends is closed except inside `ambient` and `model_policy`, which the spec
 * leaves open: unknown keys there are kept and returned (bounded, src/agents/open-objects.ts). The few
 * rules the spec leaves implicit (unique capabilities, trigger ids and severities; a default model among
 * the allowed ones; real clock times and time zones) are checked here so that each violation names its
 * field (docs/agents.md).
 */
import { z } from '@hono/zod-openapi';
import { listOf, UnixSeconds } from '../http/schemas.ts';
import { boundUnknownKeys } from './open-objects.ts';

/** A resource id in the spec's limits: a three-letter prefix plus at most 50 characters. */
export const Id54 = z.string().min(1).max(54);

export const AgentCapability = z.enum(['CHAT', 'CODING', 'AMBIENT']);
export type AgentCapability = z.infer<typeof AgentCapability>;

export const AgentState = z.enum(['ENABLED', 'ARCHIVED']);
export const AgentOrigin = z.enum(['PLATFORM', 'USER', 'SYSTEM']);
export const Severity = z.enum(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);
export const RuntimeHint = z.enum(['AUTO', 'CODE_MODE', 'RETAINED_RUNTIME']);
export type RuntimeHint = z.infer<typeof RuntimeHint>;

export const AgentUsageSummary = z
  .object({
    provider_cost_cents: z.number().int().min(0),
    provider_token_count: z.number().int().min(0),
    runtime_compute_seconds: z.number().min(0),
    runtime_storage_gb_hours: z.number().min(0),
    mcp_call_count: z.number().int().min(0),
    api_call_count: z.number().int().min(0),
    ambient_trigger_count: z.number().int().min(0),
  })
  .openapi('AgentUsageSummary');

/** Adds an issue at `[list, i, field]` for every item whose `field` repeats an earlier item's. */
function uniqueBy<T, K extends keyof T & string>(
  items: readonly T[] | undefined,
  list: string,
  field: K,
  ctx: z.RefinementCtx,
): void {
  const seen = new Set<unknown>();
  (items ?? []).forEach((item, i) => {
    const key = item[field];
    if (seen.has(key)) {
      ctx.addIssue({
        code: 'custom',
        path: [list, i, field],
        message: `${field} ${String(key)} is listed twice`,
      });
    }
    seen.add(key);
  });
}

export const AgentAmbientResourceScope = z
  .looseObject({ type: z.string().min(1).max(120), id: z.string().min(1).max(200).optional() })
  .openapi('AgentAmbientResourceScope');

export const AgentAmbientPolicy = z
  .looseObject({
    remediation_mode: z.enum(['READ_ONLY', 'APPROVAL_GATED']),
    allowed_resource_scopes: z.array(AgentAmbientResourceScope).max(100),
    max_spend_cents_per_trigger: z.number().int().min(0).optional(),
  })
  .openapi('AgentAmbientPolicy');

/** "HH:MM" on a 24-hour clock: the spec's pattern is two digit pairs; 25:99 is no time of day. */
const ClockTime = z
  .string()
  .regex(/^\d{2}:\d{2}$/, 'must be HH:MM')
  .refine(
    (v) => Number(v.slice(0, 2)) < 24 && Number(v.slice(3)) < 60,
    'must be a time of day from 00:00 to 23:59',
  );

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const RelationshipScope = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('WORKSPACE') }),
  z.looseObject({
    type: z.literal('SELLER_CUSTOMER'),
    seller_workspace_id: z.string().min(1).max(53),
    customer_workspace_id: z.string().min(1).max(53),
    support_relationship_id: z.string().min(1).max(200).optional(),
  }),
]);

export const AgentAmbientTrigger = z
  .looseObject({
    trigger_id: z.string().min(1).max(120),
    type: z.enum([
      'INSTALL_STATE',
      'CLUSTER_DEGRADATION',
      'SECURITY_FINDING',
      'QUOTA_PRESSURE',
      'COST_ANOMALY',
      'MANUAL_TEST',
    ]),
    state: z.enum(['ENABLED', 'DISABLED']),
    severity_min: Severity.optional(),
    runtime_hint: RuntimeHint,
    cooldown_seconds: z.number().int().positive().optional(),
    relationship_scope: RelationshipScope.optional(),
    resource_filters: z
      .array(z.looseObject({ type: z.string().min(1).max(120), id: z.string().min(1).max(200) }))
      .max(50)
      .optional(),
    quiet_hours: z
      .looseObject({
        timezone: z
          .string()
          .min(1)
          .max(120)
          .refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin'),
        start: ClockTime,
        end: ClockTime,
      })
      .optional(),
  })
  .openapi('AgentAmbientTrigger');

const AmbientFields = z.looseObject({
  enabled: z.boolean(),
  policy: AgentAmbientPolicy.optional(),
  triggers: z.array(AgentAmbientTrigger).max(50),
});

export const AgentAmbientConfig = AmbientFields.superRefine((config, ctx) =>
  uniqueBy(config.triggers, 'triggers', 'trigger_id', ctx),
)
  .superRefine(boundUnknownKeys('ambient', AmbientFields))
  .nullable()
  .openapi('AgentAmbientConfig');
export type AgentAmbientConfig = z.infer<typeof AgentAmbientConfig>;

const ModelName = z.string().min(1).max(120);

const ModelPolicyFields = z.looseObject({
  default_model: ModelName,
  billing_mode: z.enum(['PLATFORM_SUBSCRIPTION', 'PLATFORM_API', 'WORKSPACE_BYOK']),
  credential_secret_id: Id54.nullable(),
  allowed_models: z.array(ModelName).min(1).max(50),
  severity_model_overrides: z
    .array(z.looseObject({ severity: Severity, model: ModelName }))
    .max(4)
    .optional(),
  max_budget_cents: z.number().int().min(0).optional(),
  budget_period: z.enum(['DAY', 'WEEK', 'MONTH']).optional(),
  max_turn_budget_cents: z.number().int().min(0).optional(),
});

export const AgentModelPolicy = ModelPolicyFields.superRefine((policy, ctx) => {
  // A policy that names a model it does not allow contradicts itself; say so rather than guess.
  if (!policy.allowed_models.includes(policy.default_model)) {
    ctx.addIssue({
      code: 'custom',
      path: ['default_model'],
      message: 'default_model must be one of allowed_models',
    });
  }
  (policy.severity_model_overrides ?? []).forEach((o, i) => {
    if (!policy.allowed_models.includes(o.model)) {
      ctx.addIssue({
        code: 'custom',
        path: ['severity_model_overrides', i, 'model'],
        message: 'model must be one of allowed_models',
      });
    }
  });
  uniqueBy(policy.severity_model_overrides, 'severity_model_overrides', 'severity', ctx);
})
  .superRefine(boundUnknownKeys('model_policy', ModelPolicyFields))
  .openapi('AgentModelPolicy');
export type AgentModelPolicy = z.infer<typeof AgentModelPolicy>;

/**
 * The model policy of an agent created without one. Atoll runs no model itself: "auto" leaves the
 * choice to the agent runtime, which bills through the credentials its operator configured.
 */
export const DEFAULT_MODEL_POLICY: AgentModelPolicy = {
  default_model: 'auto',
  billing_mode: 'PLATFORM_API',
  credential_secret_id: null,
  allowed_models: ['auto'],
};

/** Atoll extension: the job-mode agent deployment whose runs carry the agent's turns, or null. */
export const RuntimeDeploymentId = z.string().min(1).max(64).nullable().openapi({
  description:
    'Atoll extension: a job-mode agent deployment (adpl_…) of the workspace; each turn of the agent then starts a run of it (docs/agents.md "Deployment runtimes"). null: no runtime.',
  example: 'adpl_j572abc123def456',
});

export const Agent = z
  .object({
    id: Id54.openapi({ example: 'agt_j572abc123def456' }),
    workspace_id: z.string().min(1).max(53),
    organization_id: Id54.nullable(),
    name: z.string(),
    description: z.string().nullable(),
    instructions: z.string(),
    state: AgentState,
    origin: AgentOrigin,
    capabilities: z.array(AgentCapability),
    ambient: AgentAmbientConfig,
    model_policy: AgentModelPolicy,
    created_by: z.string(),
    usage_summary: AgentUsageSummary,
    runtime_deployment_id: RuntimeDeploymentId,
    created_at: UnixSeconds,
    updated_at: UnixSeconds,
    etag: z.string(),
  })
  .openapi('Agent');
export type Agent = z.infer<typeof Agent>;

export const AgentList = listOf(Agent, 'AgentList');

const Capabilities = z
  .array(AgentCapability)
  .min(1)
  .max(10)
  .superRefine((caps, ctx) => {
    caps.forEach((cap, i) => {
      if (caps.indexOf(cap) !== i)
        ctx.addIssue({ code: 'custom', path: [i], message: `capability ${cap} is listed twice` });
    });
  });

const agentFields = {
  name: z.string().min(1).max(120).openapi({ example: 'Cluster doctor' }),
  description: z.string().max(500),
  instructions: z.string().min(1).max(20_000),
  capabilities: Capabilities,
  ambient: AgentAmbientConfig,
  model_policy: AgentModelPolicy,
  runtime_deployment_id: RuntimeDeploymentId,
};

export const CreateAgentBody = z
  .strictObject({
    ...agentFields,
    description: agentFields.description.optional(),
    ambient: agentFields.ambient.optional(),
    model_policy: agentFields.model_policy.optional(),
    runtime_deployment_id: agentFields.runtime_deployment_id.optional(),
  })
  .openapi('CreateAgentBody');
export type CreateAgentBody = z.infer<typeof CreateAgentBody>;

/** Only the fields given change; `ambient: null` / `runtime_deployment_id: null` remove them. */
export const UpdateAgentBody = z.strictObject(agentFields).partial().openapi('UpdateAgentBody');
export type UpdateAgentBody = z.infer<typeof UpdateAgentBody>;
