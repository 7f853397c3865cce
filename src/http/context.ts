/**
 * What every request carries through the Hono context: its id and logger, the ports the shared
 * middleware needs (set once by the app root), and, after authentication, the caller and workspace.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import type { IdempotencyStore } from './idempotency-store.ts';

/** The credential a request authenticated with. */
export type Credential =
  /** A workspace API token: implies its workspace. */
  | { kind: 'token'; tokenId: string; workspaceId: string }
  /** An OAuth2 JWT: may act in the workspaces its claim lists ("*" = all) or that it is a member of. */
  | {
      kind: 'jwt';
      subject: string;
      workspaces: readonly string[] | '*';
      /** The workspace to act in when a request names none (the configured default-workspace claim). */
      defaultWorkspace?: string | undefined;
    }
  /** A turn token of a deployment runtime's run: only emits into its turn (docs/agents.md). */
  | { kind: 'turn'; workspaceId: string; turnId: string; runId: string };

/** The resource a by-id request addresses: its collection (`/v1/<collection>/<id>…`) and id. */
export type ResourceRef = { collection: string; id: string };

/** The request a credential is presented with, for credentials valid on one route only. */
export type CredentialUse = { method: string; path: string };

/** An authenticated caller. */
export type Caller = {
  credential: Credential;
  /** Who acts, as recorded in created_by / run_by: the token id or the JWT subject. */
  subject: string;
  /** The bearer secret itself, kept in memory only to derive per-caller encryption keys; never logged. */
  secret: string;
};

/** Verifies credentials and decides which workspace a request acts in (implemented by src/platform). */
export type Authenticator = {
  /**
   * The caller behind a bearer credential; throws 401 ApiError when there is none, 403 when the
   * credential may not be used for `use` (a turn token anywhere but its turn's emit route, or with no
   * `use` given).
   */
  authenticate(bearer: string, use?: CredentialUse): Promise<Caller>;
  /**
   * The workspace a workspace-scoped request acts in: the one `akua-context` names, else the one a
   * workspace token implies, else the workspace of the resource the request addresses, else the
   * caller's default workspace. Throws 400 when that is ambiguous, 403 when a named workspace is not
   * allowed or the caller's role there does not allow `use` (absent: a read), 404 when the addressed
   * resource is in no workspace the caller may see.
   */
  resolveWorkspace(
    caller: Caller,
    requested: string | undefined,
    resource?: ResourceRef | undefined,
    use?: CredentialUse,
  ): Promise<string>;
};

/**
 * Where an execution sits among snippets starting snippets: `tree` names the outermost execution (the
 * one a client started), `depth` counts the platform.request() hops from it (0 for the outermost).
 */
export type Lineage = { tree: string; depth: number };

/** What platform.request() passes to the in-process app beside the request (never from a client). */
export type InternalBindings = { atollLineage: Lineage };

export type AppEnv = {
  /**
   * What the server passes beside a request: nothing from a client's socket that a client controls;
   * `atollLineage` only on requests a running snippet makes through platform.request().
   */
  Bindings: Partial<InternalBindings> | undefined;
  Variables: {
    requestId: string;
    log: Logger;
    authenticator: Authenticator;
    idempotency: IdempotencyStore;
    /** Set by the requireCaller / requireWorkspace middleware. */
    caller: Caller;
    /** Set by the requireWorkspace middleware. */
    workspaceId: string;
    /** The error statuses the matched route declares (src/http/route-statuses.ts); unset off OpenAPI routes. */
    routeStatuses: ReadonlySet<number> | undefined;
  };
};

/** The application type every domain registers its routes on. */
export type ApiApp = OpenAPIHono<AppEnv>;
