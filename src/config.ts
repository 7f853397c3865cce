/**
 * Configuration: the only module that reads `process.env`. Every variable is parsed once at boot with
 * zod; a bad value stops start-up with a message naming the variable and what to put there instead.
 * The README's configuration table lists the same variables.
 */
import path from 'node:path';
import { z } from 'zod';
import { plainHttpHosts } from './lib/registry-address.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const int = (def: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be an integer from ${min} to ${max} (got "${v}")` });
        return z.NEVER;
      }
      return n;
    });

const EnvSchema = z
  .object({
    /** Interface the HTTP server binds to. */
    HOST: optionalString.transform((v) => v ?? '127.0.0.1'),
    /** TCP port of the HTTP server. */
    PORT: int(8787, 0, 65535),
    /** Directory for the embedded store, bootstrap token, repositories and sandboxes. */
    DATA_DIR: optionalString.transform((v) => path.resolve(v ?? './data')),
    /** Postgres connection string; when unset the embedded PGlite store under DATA_DIR is used. */
    DATABASE_URL: optionalString.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
      message: 'must be a postgres:// or postgresql:// connection string',
    }),
    /** Connections in the Postgres pool (ignored for PGlite). */
    ATOLL_DB_POOL_SIZE: int(10, 1, 200),
    /** Base URL clients use to reach this server; used in html_url, clone URLs and Location headers. */
    ATOLL_PUBLIC_URL: optionalString.refine((v) => v === undefined || URL.canParse(v), {
      message: 'must be an absolute URL such as https://atoll.example.com',
    }),
    /** Token for the first workspace on an empty store; random (written to DATA_DIR/bootstrap-token) when unset. */
    ATOLL_BOOTSTRAP_TOKEN: optionalString.refine(
      (v) => v === undefined || /^sk_[A-Za-z0-9_-]{32,}$/.test(v),
      {
        message: 'must be "sk_" followed by at least 32 URL-safe characters (A-Z a-z 0-9 _ -)',
      },
    ),
    /** HS256 secret for OAuth2 JWT bearer credentials (at least 32 characters). */
    ATOLL_JWT_SECRET: optionalString.refine((v) => v === undefined || v.length >= 32, {
      message: 'must be at least 32 characters long',
    }),
    /** JWKS URL for OAuth2 JWT bearer credentials (RS256/ES256/EdDSA...). */
    ATOLL_JWT_JWKS_URL: optionalString.refine((v) => v === undefined || /^https?:\/\//.test(v), {
      message: 'must be an http(s) URL',
    }),
    /** Required `iss` of accepted JWTs. */
    ATOLL_JWT_ISSUER: optionalString,
    /** Required `aud` of accepted JWTs. */
    ATOLL_JWT_AUDIENCE: optionalString,
    /** JWT claim listing the workspace ids the subject may act in ("*" for all). */
    ATOLL_JWT_WORKSPACES_CLAIM: optionalString.transform((v) => v ?? 'atoll_workspaces'),
    /**
     * JWT claim naming the workspace a JWT acts in when a request names none (no akua-context header
     * and no resource that implies one); without it, the only workspace the JWT may act in.
     */
    ATOLL_JWT_DEFAULT_WORKSPACE_CLAIM: optionalString.transform((v) => v ?? 'atoll_default_workspace'),
    /** Largest JSON request body, in bytes. */
    ATOLL_MAX_BODY_BYTES: int(1024 * 1024, 1024, 64 * 1024 * 1024),
    /** How long idempotency keys are remembered, in hours (at least 24). */
    ATOLL_IDEMPOTENCY_TTL_HOURS: int(24, 24, 24 * 30),
    /** Memory limit of one snippet isolate, in MB. */
    ATOLL_SNIPPET_MEMORY_MB: int(64, 8, 4096),
    /** CPU time limit of one snippet run, in ms. */
    ATOLL_SNIPPET_CPU_MS: int(30_000, 10, 3_600_000),
    /** Wall-clock limit of one snippet run (also while it awaits requests), in ms. */
    ATOLL_SNIPPET_WALL_MS: int(60_000, 10, 3_600_000),
    /** Largest JSON result of a snippet run, in bytes. */
    ATOLL_SNIPPET_RESULT_BYTES: int(10 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    /** Console entries kept per run, the UTF-8 size of each, and of all of them together (enforced inside the isolate). */
    ATOLL_SNIPPET_LOG_ENTRIES: int(1000, 0, 100_000),
    ATOLL_SNIPPET_LOG_ENTRY_BYTES: int(4096, 64, 1024 * 1024),
    ATOLL_SNIPPET_LOG_BYTES: int(4 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    /** platform.request() limits per run: count, concurrency, request body and response body bytes. */
    ATOLL_SNIPPET_MAX_REQUESTS: int(50, 0, 10_000),
    ATOLL_SNIPPET_MAX_CONCURRENT_REQUESTS: int(8, 1, 1000),
    ATOLL_SNIPPET_REQUEST_BODY_BYTES: int(1024 * 1024, 1024, 64 * 1024 * 1024),
    ATOLL_SNIPPET_RESPONSE_BYTES: int(10 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    /** Snippets starting snippets (platform.request): nested executions in flight under one run, and in one workspace. */
    ATOLL_SNIPPET_MAX_NESTED: int(8, 1, 1000),
    ATOLL_SNIPPET_WORKSPACE_NESTED: int(16, 1, 100_000),
    /** Executor child processes hosting isolates, isolates kept warm in each, and runs at once in each. */
    ATOLL_EXECUTOR_PROCESSES: int(2, 1, 64),
    ATOLL_EXECUTOR_WARM_ISOLATES: int(4, 0, 256),
    ATOLL_EXECUTOR_CONCURRENCY: int(16, 1, 1024),
    /** Executions of one workspace running at once in all executors (0: half of all executor slots); more wait their turn. */
    ATOLL_EXECUTOR_WORKSPACE_CONCURRENCY: int(0, 0, 1_000_000),
    /** Resident memory ceiling of one executor process, in MB: a process over it is killed and its other runs are run again. */
    ATOLL_EXECUTOR_MAX_RSS_MB: int(1536, 128, 1_048_576),
    /** Render programs (package versions): memory of the isolate in MB, CPU and wall-clock limit in ms, largest output in bytes. */
    ATOLL_RENDER_MEMORY_MB: int(256, 16, 4096),
    ATOLL_RENDER_TIMEOUT_MS: int(30_000, 100, 600_000),
    ATOLL_RENDER_OUTPUT_BYTES: int(32 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    /** Helm packages (docs/packages.md): the helm binary (default: helm on PATH, then the one `npm install` fetched), registries spoken to over plain HTTP besides loopback (comma-separated host:port), the largest chart archive in bytes. */
    ATOLL_HELM: optionalString,
    ATOLL_OCI_PLAIN_HTTP: optionalString.superRefine((v, ctx) => {
      try {
        plainHttpHosts(v);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
    ATOLL_CHART_MAX_BYTES: int(10 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    /** The web console (docs/console.md): `auto` builds it at start when missing or stale; `off` serves whatever build exists. */
    ATOLL_CONSOLE_BUILD: z.enum(['auto', 'off']).default('auto'),
    /** Durable job queue (renders): jobs one worker process runs at once, how long a lease lasts unrenewed (a dead worker's jobs are taken over after it), the safety-net poll. */
    ATOLL_WORKER_CONCURRENCY: int(4, 1, 256),
    ATOLL_JOB_LEASE_MS: int(30_000, 1000, 3_600_000),
    ATOLL_JOB_POLL_MS: int(1000, 10, 60_000),
    /** Agent runs and services: sandboxes admitted at once (runs queued or running, live services, retained sandboxes); more get 429 capacity_exceeded. */
    ATOLL_SANDBOX_CAPACITY: int(8, 1, 4096),
    /** Processes and open files allowed in one sandbox. */
    ATOLL_SANDBOX_PROCESSES: int(256, 8, 65_536),
    ATOLL_SANDBOX_OPEN_FILES: int(1024, 64, 1_048_576),
    /** Largest agent bundle (tar bytes) and most entries in one. */
    ATOLL_BUNDLE_MAX_BYTES: int(64 * 1024 * 1024, 1024, 2 * 1024 * 1024 * 1024 - 1),
    ATOLL_BUNDLE_MAX_ENTRIES: int(10_000, 1, 1_000_000),
    /** Log bytes kept per run or service (later output is dropped and the truncation marked), and output bytes collected per run. */
    ATOLL_RUN_LOG_BYTES: int(1024 * 1024, 1024, 1024 * 1024 * 1024),
    ATOLL_RUN_OUTPUT_BYTES: int(64 * 1024 * 1024, 0, 1024 * 1024 * 1024),
    /** AES-256-GCM key (64 hex digits or base64 of 32 bytes) sealing run envs between API and worker processes; when unset, DATA_DIR/env-key (created on first start). Processes sharing one Postgres must share it. */
    ATOLL_ENV_KEY: optionalString.refine(
      (v) => v === undefined || /^[0-9a-fA-F]{64}$/.test(v) || Buffer.from(v, 'base64').length === 32,
      { message: 'must be 64 hex digits or the base64 of 32 random bytes (openssl rand -hex 32)' },
    ),
    /** SSE: interval of heartbeat comments, and the unread bytes a stream may queue before it is closed as too slow. */
    ATOLL_SSE_HEARTBEAT_MS: int(15_000, 100, 3_600_000),
    ATOLL_SSE_BUFFER_BYTES: int(1024 * 1024, 1024, 256 * 1024 * 1024),
    /** On SIGTERM/SIGINT: how long in-flight requests and jobs get to finish before their connections are closed and jobs aborted, in ms. */
    ATOLL_SHUTDOWN_GRACE_MS: int(10_000, 0, 3_600_000),
    /** pino log level. */
    LOG_LEVEL: optionalString.pipe(z.enum(LOG_LEVELS).optional()).transform((v) => v ?? 'info'),
  })
  .superRefine((env, ctx) => {
    if (env.ATOLL_JWT_SECRET && env.ATOLL_JWT_JWKS_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['ATOLL_JWT_JWKS_URL'],
        message: 'set either ATOLL_JWT_SECRET (HS256) or ATOLL_JWT_JWKS_URL, not both',
      });
    }
  });

export type LogLevel = (typeof LOG_LEVELS)[number];

/** JWT verification settings; absent when neither a secret nor a JWKS URL is configured. */
export type JwtConfig = {
  readonly secret: string | undefined;
  readonly jwksUrl: string | undefined;
  readonly issuer: string | undefined;
  readonly audience: string | undefined;
  readonly workspacesClaim: string;
  /** Claim naming the workspace to act in when a request names none. */
  readonly defaultWorkspaceClaim: string;
};

/** Limits and sizing of the isolate executor (snippets; render programs reuse it). */
export type ExecutorConfig = {
  readonly processes: number;
  readonly warmIsolates: number;
  readonly concurrencyPerProcess: number;
  /** Executions of one workspace running at once, all processes together. */
  readonly workspaceConcurrency: number;
  readonly maxRssMb: number;
  /** Nested executions (snippets starting snippets) in flight per outermost run and per workspace. */
  readonly nesting: { readonly perTree: number; readonly perWorkspace: number };
  readonly limits: {
    memoryMb: number;
    cpuMs: number;
    wallMs: number;
    resultBytes: number;
    logEntries: number;
    logEntryBytes: number;
    logBytes: number;
    requests: { maxRequests: number; maxConcurrent: number; maxBodyBytes: number; maxResponseBytes: number };
  };
};

export type Config = {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly dbPoolSize: number;
  readonly publicUrl: string;
  readonly bootstrapToken: string | undefined;
  readonly jwt: JwtConfig | undefined;
  readonly maxBodyBytes: number;
  readonly idempotencyTtlSeconds: number;
  readonly executor: ExecutorConfig;
  readonly sse: { readonly heartbeatMs: number; readonly bufferBytes: number };
  /** Limits of one render program run. */
  readonly render: {
    readonly memoryMb: number;
    readonly cpuMs: number;
    readonly wallMs: number;
    readonly resultBytes: number;
  };
  /** Whether `atoll serve` builds the console when its build is missing or stale. */
  readonly consoleBuild: 'auto' | 'off';
  /** Helm packages: the helm binary (undefined: look it up), plain-HTTP registries, the largest chart. */
  readonly helm: {
    readonly path: string | undefined;
    /** The PATH helm is looked up on when ATOLL_HELM is unset. */
    readonly searchPath: string | undefined;
    readonly plainHttp: readonly string[];
    readonly chartMaxBytes: number;
  };
  /** The job runner of worker processes. */
  readonly jobs: { readonly concurrency: number; readonly leaseMs: number; readonly pollMs: number };
  /** Agent deployments: sandboxes, bundles, logs, outputs and the env key. */
  readonly agents: {
    readonly capacity: number;
    readonly processes: number;
    readonly openFiles: number;
    readonly bundleMaxBytes: number;
    readonly bundleMaxEntries: number;
    readonly logBytes: number;
    readonly outputBytes: number;
    /** 32 bytes, or undefined to use DATA_DIR/env-key. */
    readonly envKey: Buffer | undefined;
  };
  /** On SIGTERM/SIGINT, how long in-flight requests and jobs get to finish (ms). */
  readonly shutdownGraceMs: number;
  readonly logLevel: LogLevel;
};

/** Raised when the environment cannot be turned into a Config; its message lists every bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses the environment (process.env unless given) into a Config, or throws ConfigError with one line
 * per bad variable.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration; fix these environment variables:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const displayHost = e.HOST === '0.0.0.0' || e.HOST === '::' ? '127.0.0.1' : e.HOST;
  const jwtEnabled = e.ATOLL_JWT_SECRET !== undefined || e.ATOLL_JWT_JWKS_URL !== undefined;
  return {
    host: e.HOST,
    port: e.PORT,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    dbPoolSize: e.ATOLL_DB_POOL_SIZE,
    publicUrl: (
      e.ATOLL_PUBLIC_URL ?? `http://${displayHost.includes(':') ? `[${displayHost}]` : displayHost}:${e.PORT}`
    ).replace(/\/+$/, ''),
    bootstrapToken: e.ATOLL_BOOTSTRAP_TOKEN,
    jwt: jwtEnabled
      ? {
          secret: e.ATOLL_JWT_SECRET,
          jwksUrl: e.ATOLL_JWT_JWKS_URL,
          issuer: e.ATOLL_JWT_ISSUER,
          audience: e.ATOLL_JWT_AUDIENCE,
          workspacesClaim: e.ATOLL_JWT_WORKSPACES_CLAIM,
          defaultWorkspaceClaim: e.ATOLL_JWT_DEFAULT_WORKSPACE_CLAIM,
        }
      : undefined,
    maxBodyBytes: e.ATOLL_MAX_BODY_BYTES,
    idempotencyTtlSeconds: e.ATOLL_IDEMPOTENCY_TTL_HOURS * 3600,
    executor: {
      processes: e.ATOLL_EXECUTOR_PROCESSES,
      warmIsolates: e.ATOLL_EXECUTOR_WARM_ISOLATES,
      concurrencyPerProcess: e.ATOLL_EXECUTOR_CONCURRENCY,
      workspaceConcurrency:
        e.ATOLL_EXECUTOR_WORKSPACE_CONCURRENCY ||
        Math.max(1, Math.floor((e.ATOLL_EXECUTOR_PROCESSES * e.ATOLL_EXECUTOR_CONCURRENCY) / 2)),
      maxRssMb: e.ATOLL_EXECUTOR_MAX_RSS_MB,
      nesting: { perTree: e.ATOLL_SNIPPET_MAX_NESTED, perWorkspace: e.ATOLL_SNIPPET_WORKSPACE_NESTED },
      limits: {
        memoryMb: e.ATOLL_SNIPPET_MEMORY_MB,
        cpuMs: e.ATOLL_SNIPPET_CPU_MS,
        wallMs: e.ATOLL_SNIPPET_WALL_MS,
        resultBytes: e.ATOLL_SNIPPET_RESULT_BYTES,
        logEntries: e.ATOLL_SNIPPET_LOG_ENTRIES,
        logEntryBytes: e.ATOLL_SNIPPET_LOG_ENTRY_BYTES,
        logBytes: e.ATOLL_SNIPPET_LOG_BYTES,
        requests: {
          maxRequests: e.ATOLL_SNIPPET_MAX_REQUESTS,
          maxConcurrent: e.ATOLL_SNIPPET_MAX_CONCURRENT_REQUESTS,
          maxBodyBytes: e.ATOLL_SNIPPET_REQUEST_BODY_BYTES,
          maxResponseBytes: e.ATOLL_SNIPPET_RESPONSE_BYTES,
        },
      },
    },
    sse: { heartbeatMs: e.ATOLL_SSE_HEARTBEAT_MS, bufferBytes: e.ATOLL_SSE_BUFFER_BYTES },
    render: {
      memoryMb: e.ATOLL_RENDER_MEMORY_MB,
      cpuMs: e.ATOLL_RENDER_TIMEOUT_MS,
      wallMs: e.ATOLL_RENDER_TIMEOUT_MS,
      resultBytes: e.ATOLL_RENDER_OUTPUT_BYTES,
    },
    consoleBuild: e.ATOLL_CONSOLE_BUILD,
    helm: {
      path: e.ATOLL_HELM,
      searchPath: env.PATH,
      plainHttp: [...plainHttpHosts(e.ATOLL_OCI_PLAIN_HTTP)],
      chartMaxBytes: e.ATOLL_CHART_MAX_BYTES,
    },
    jobs: {
      concurrency: e.ATOLL_WORKER_CONCURRENCY,
      leaseMs: e.ATOLL_JOB_LEASE_MS,
      pollMs: e.ATOLL_JOB_POLL_MS,
    },
    agents: {
      capacity: e.ATOLL_SANDBOX_CAPACITY,
      processes: e.ATOLL_SANDBOX_PROCESSES,
      openFiles: e.ATOLL_SANDBOX_OPEN_FILES,
      bundleMaxBytes: e.ATOLL_BUNDLE_MAX_BYTES,
      bundleMaxEntries: e.ATOLL_BUNDLE_MAX_ENTRIES,
      logBytes: e.ATOLL_RUN_LOG_BYTES,
      outputBytes: e.ATOLL_RUN_OUTPUT_BYTES,
      envKey:
        e.ATOLL_ENV_KEY === undefined
          ? undefined
          : /^[0-9a-fA-F]{64}$/.test(e.ATOLL_ENV_KEY)
            ? Buffer.from(e.ATOLL_ENV_KEY, 'hex')
            : Buffer.from(e.ATOLL_ENV_KEY, 'base64'),
    },
    shutdownGraceMs: e.ATOLL_SHUTDOWN_GRACE_MS,
    logLevel: e.LOG_LEVEL,
  };
}
