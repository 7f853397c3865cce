/**
 * Catalogue schemas: the spec's `AgentSkill`, `AgentTemplate` and their lists (what is served), and the
 * entries of the data files under src/catalog/skills/ and src/catalog/templates/ (what is curated).
 * A template's agent part is checked with the agents' own create body, so every template is an agent a
 * client can create as it is.
 */
import { z } from '@hono/zod-openapi';
import { listOf, UnixSeconds } from '../http/schemas.ts';
import {
  AgentAmbientConfig,
  AgentCapability,
  AgentModelPolicy,
  CreateAgentBody,
  Severity,
} from '../agents/schemas.ts';

const Grant = z
  .strictObject({ resource: z.string().min(1).max(120), actions: z.array(z.string().min(1).max(120)).min(1) })
  .openapi({
    description:
      'A published API operation the skill uses: `resource` is its collection, `actions` its method names (agentTurns.emit → {resource: "agent_turns", actions: ["emit"]}).',
  });

const SkillState = z.enum(['PUBLISHED', 'ARCHIVED']);

export const AgentSkill = z
  .object({
    id: z.string().min(1).max(54).openapi({ example: 'skl_turn_messages' }),
    workspace_id: z
      .string()
      .min(1)
      .max(53)
      .openapi({ description: 'The workspace the skill is visible to: the one the request acts in.' }),
    name: z.string(),
    version: z.string(),
    description: z.string(),
    state: SkillState,
    required_grants: z.array(Grant),
    supported_capabilities: z.array(AgentCapability),
    created_at: UnixSeconds,
    updated_at: UnixSeconds,
    etag: z.string(),
  })
  .openapi('AgentSkill');
export type AgentSkill = z.infer<typeof AgentSkill>;

export const AgentSkillList = listOf(AgentSkill, 'AgentSkillList');

export const AgentTemplateTriggerFilter = z
  .strictObject({
    type: z.enum([
      'INSTALL_STATE',
      'CLUSTER_DEGRADATION',
      'SECURITY_FINDING',
      'QUOTA_PRESSURE',
      'COST_ANOMALY',
      'MANUAL_TEST',
    ]),
    resource_types: z.array(z.string()),
    states: z.array(z.string()),
    min_severity: Severity.optional(),
  })
  .openapi('AgentTemplateTriggerFilter');

export const AgentRuntimePolicy = z
  .strictObject({
    execution_environment: z.enum(['CODE_MODE_FIRST', 'RETAINED_RUNTIME_ALLOWED', 'NO_RETAINED_RUNTIME']),
    filesystem: z.string().min(1),
    shell: z.string().min(1),
    browser: z.string().min(1),
  })
  .openapi('AgentRuntimePolicy');

export const AgentTemplateRemediationPolicy = z
  .strictObject({
    repository_change_request: z
      .strictObject({
        mode: z.enum(['LIKELY_SOURCE_OR_CONFIG_FIX_ONLY']),
        evidence_required: z.boolean(),
        allowed_actions: z.array(z.string()),
        blocked_actions: z.array(z.string()),
      })
      .openapi('AgentTemplateRepositoryChangeRequestRemediationPolicy'),
  })
  .nullable()
  .openapi('AgentTemplateRemediationPolicy');

/** Atoll extension: the agent deployment that goes with the template (docs/agent-catalog.md). */
export const AgentTemplateDeployment = z
  .strictObject({
    source: z.string().min(1).openapi({
      description: 'The agent directory in the Atoll repository (with its atoll.agent.toml).',
      example: 'examples/agents/hello-turn',
    }),
    name: z.string().min(1).max(128).openapi({ description: 'The deployment name its TOML gives.' }),
    mode: z.enum(['job', 'service']),
    runtime: z.boolean().openapi({
      description:
        "true: set the agent's runtime_deployment_id to the deployment, so each turn runs it (job mode only). false: the deployment runs on its own (a service), not the agent's turns.",
    }),
    deploy_command: z.string().min(1).openapi({ example: 'atoll agent deploy examples/agents/hello-turn' }),
  })
  .openapi({
    description:
      'Atoll: the agent deployment that goes with the template (the published template has no field for the code an agent runs; docs/agent-catalog.md).',
  });

const templateFields = {
  id: z.string().min(1).max(56).openapi({ example: 'tpl_hello_turn' }),
  name: z.string(),
  description: z.string(),
  instructions: z.string(),
  state: z.enum(['PUBLISHED']),
  capabilities: z.array(AgentCapability),
  ambient: AgentAmbientConfig,
  trigger_filters: z.array(AgentTemplateTriggerFilter),
  model_policy: AgentModelPolicy,
  runtime_policy: AgentRuntimePolicy,
  remediation_policy: AgentTemplateRemediationPolicy,
  grants: z.array(Grant),
};

export const AgentTemplate = z
  .object({
    ...templateFields,
    deployment: AgentTemplateDeployment,
    created_at: UnixSeconds,
    updated_at: UnixSeconds,
    etag: z.string(),
  })
  .openapi('AgentTemplate');
export type AgentTemplate = z.infer<typeof AgentTemplate>;

export const AgentTemplateList = listOf(AgentTemplate, 'AgentTemplateList');

/** A curated date (ISO-8601), served as Unix seconds. */
const CuratedDate = z.iso.datetime().transform((v) => Math.floor(Date.parse(v) / 1000));

/** One file of src/catalog/skills/: a skill without the fields a request fills in. */
export const SkillEntry = z.strictObject({
  id: z
    .string()
    .regex(/^skl_[a-z0-9_]{1,50}$/, 'must be skl_ and 1–50 lowercase letters, digits or underscores'),
  name: z.string().min(1).max(120),
  version: z.string().min(1).max(40),
  description: z.string().min(1).max(2000),
  state: SkillState,
  required_grants: z.array(Grant).min(1),
  supported_capabilities: z.array(AgentCapability).min(1),
  created_at: CuratedDate,
  updated_at: CuratedDate,
});
export type SkillEntry = z.infer<typeof SkillEntry>;

/** The fields of a template that make the agent: they must be a valid create body (POST /v1/agents). */
const TemplateAgent = CreateAgentBody.pick({
  name: true,
  description: true,
  instructions: true,
  capabilities: true,
  ambient: true,
  model_policy: true,
}).required();

/** One file of src/catalog/templates/. */
export const TemplateEntry = z.strictObject({
  ...TemplateAgent.shape,
  id: z
    .string()
    .regex(/^tpl_[a-z0-9_]{1,52}$/, 'must be tpl_ and 1–52 lowercase letters, digits or underscores'),
  state: templateFields.state,
  trigger_filters: templateFields.trigger_filters,
  runtime_policy: AgentRuntimePolicy,
  remediation_policy: AgentTemplateRemediationPolicy,
  grants: z.array(Grant),
  deployment: AgentTemplateDeployment.omit({ deploy_command: true }),
  created_at: CuratedDate,
  updated_at: CuratedDate,
});
export type TemplateEntry = z.infer<typeof TemplateEntry>;
