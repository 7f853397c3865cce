/**
 * The agent config a version carries: the server-side mirror of `atoll.agent.toml` (the keys of
 * nullspace.agent.toml). One zod schema validates version creates, types the worker and the CLI, and
 * generates OpenAPI. Unknown keys are refused so that nothing a user wrote is silently ignored, except
 * inside `service.readiness`, whose unknown keys the spec keeps verbatim. Defaults are documented in
 * docs/agent-deployments.md.
 */
import { z } from '@hono/zod-openapi';
import { orNull } from '../http/schemas.ts';

export const DEPLOYMENT_MODES = ['job', 'service'] as const;
export const DeploymentMode = z.enum(DEPLOYMENT_MODES);
export type DeploymentMode = z.infer<typeof DeploymentMode>;

/** Environment variable names: the portable POSIX shape. */
const EnvName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*)');

/** A path relative to the workdir: no leading `/`, no `..` segment. */
export const RelativePath = z
  .string()
  .min(1)
  .max(1024)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..') && !p.includes('\0'), {
    message: 'must be a path relative to the workdir, without ".." segments',
  });

export const AgentResources = z
  .strictObject({
    vcpus: z.number().int().min(1).max(64).default(1),
    memory_mb: z.number().int().min(64).max(65_536).default(1024),
    disk_mb: z.number().int().min(16).max(131_072).default(1024),
    timeout_seconds: z.number().int().min(1).max(86_400).default(1800),
  })
  .openapi('AgentResources');
export type AgentResources = z.infer<typeof AgentResources>;

export const ReadinessType = z.enum(['http', 'tcp', 'timeout']);
export const AgentReadiness = z
  .looseObject({
    type: ReadinessType.default('http'),
    path: z.string().startsWith('/', 'must start with "/"').max(2048).default('/'),
    timeout_seconds: z.number().int().min(1).max(3600).default(60),
  })
  .openapi('AgentReadiness');

export const AgentServiceConfig = z
  .strictObject({
    port: z.number().int().min(1).max(65_535),
    readiness: AgentReadiness.default({ type: 'http', path: '/', timeout_seconds: 60 }),
  })
  .openapi('AgentServiceConfig');

export const AgentDebugConfig = z
  .strictObject({
    retain_on_failure: z.boolean().default(false),
    retain_seconds: z
      .number()
      .int()
      .min(1)
      .max(30 * 86_400)
      .default(3600),
  })
  .openapi('AgentDebugConfig');

const ANY_IPV4 = '0.0.0.0/0';
const ANY_IPV6 = '::/0';
export const AgentPermissions = z
  .strictObject({
    internet_access: z.boolean().default(false),
    allow_out: z
      .array(z.string())
      .max(64)
      .default([])
      .refine((cidrs) => cidrs.every((c) => c === ANY_IPV4 || c === ANY_IPV6), {
        message: `the bwrap sandbox cannot filter by destination: allow_out may only list ${ANY_IPV4} and ${ANY_IPV6} (docs/sandbox.md)`,
      }),
    public_url: z
      .boolean()
      .default(false)
      .refine((v) => v === false, {
        message:
          'public URLs are not available on this server; reach services through the authenticated proxy path',
      }),
  })
  .openapi('AgentPermissions');

export const AgentConfig = z
  .strictObject({
    name: z.string().min(1).max(128).optional(),
    mode: DeploymentMode.default('job'),
    template: z.literal('base', { error: 'the only sandbox template is "base"' }).default('base'),
    workdir: z
      .string()
      .regex(/^\/[A-Za-z0-9._/-]*$/, 'must be an absolute path of letters, digits and . _ - /')
      .max(256)
      .refine((p) => !p.split('/').includes('..'), { message: 'must not contain ".."' })
      .refine((p) => /^\/(workspace|work|app|home|srv)(\/|$)/.test(p), {
        message: 'must be below /workspace, /work, /app, /home or /srv',
      })
      .default('/workspace/project'),
    install: z.string().min(1).max(16_384).nullable().default(null),
    entrypoint: z.string().min(1).max(16_384),
    env: z
      .strictObject({
        required: z.array(EnvName).max(256).default([]),
        optional: z.array(EnvName).max(256).default([]),
      })
      .default({ required: [], optional: [] }),
    resources: AgentResources.default({ vcpus: 1, memory_mb: 1024, disk_mb: 1024, timeout_seconds: 1800 }),
    service: orNull(AgentServiceConfig).default(null),
    debug: AgentDebugConfig.default({ retain_on_failure: false, retain_seconds: 3600 }),
    permissions: AgentPermissions.default({ internet_access: false, allow_out: [], public_url: false }),
    outputs: z.strictObject({ paths: z.array(RelativePath).max(256).default([]) }).default({ paths: [] }),
  })
  .superRefine((config, ctx) => {
    if (config.mode === 'service' && config.service === null)
      ctx.addIssue({
        code: 'custom',
        path: ['service'],
        message: 'a service-mode agent needs [service] with a port',
      });
  })
  .openapi('AgentConfig');
/** The config as stored (defaults applied). */
export type AgentConfig = z.infer<typeof AgentConfig>;
/** The config as a client writes it. */
export type AgentConfigInput = z.input<typeof AgentConfig>;
