/**
 * `atoll agent deploy [dir]`: reads the agent TOML, plans and packs the bundle, and deploys it to a
 * running server like any other client: find or create the deployment by name, create a version
 * with the config and manifest, upload the tar (which makes the version ready and active). Every
 * write carries an Idempotency-Key derived from what it sends, so deploying the same tree
 * again replays instead of creating duplicates. `--dry-run` only plans, without a server or token.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { AgentConfig } from '../deployments/config-schema.ts';
import { AgentTomlError, readAgentToml, type AgentToml } from '../deployments/bundles/agent-toml.ts';
import { canonicalJsonOmittingUndefined } from '../lib/canonical-json.ts';
import { sha256Hex } from '../lib/digest.ts';
import { buildBundle, type Bundle } from '../deployments/bundles/pack.ts';
import { BundlePlanError } from '../deployments/bundles/plan.ts';
import {
  createAtollClient,
  isNullspaceError,
  type AtollClient,
  type NullspaceErrorEnvelope,
  type Schema,
} from '../../packages/client/src/index.ts';
import { CliError } from './errors.ts';

/** Where url and token come from when the flags do not give them (as for `package publish`). */
export type ConnectionDefaults = { url(): string; token(): Promise<string> };

export type Connection = { url: string; token: string; workspace: string | undefined };

export type DeployResult = {
  deployment_id: string;
  deployment_name: string;
  deployment_created: boolean;
  version_id: string;
  version_number: number;
  status: string;
  bundle_digest: string;
  config_digest: string;
  file_count: number;
  total_size: number;
  run_command: string;
};

/** The deployments family's error, as the server sent it, or made up from an answer without one. */
type ErrorBody = Pick<NullspaceErrorEnvelope['error'], 'code' | 'message'> &
  Partial<NullspaceErrorEnvelope['error']>;

/** A failed API call, kept whole so `--json` can print the server's envelope. */
class DeployError extends CliError {
  readonly envelope: { error: ErrorBody };
  constructor(message: string, exitCode: number, envelope: { error: ErrorBody }) {
    super(message, exitCode);
    this.envelope = envelope;
  }
}

/** Parses the flags, runs the deploy (or dry run) and prints the outcome; returns the exit code. */
export async function agentDeployCommand(args: string[], defaults: ConnectionDefaults): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        workspace: { type: 'string' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
      },
      allowPositionals: true,
    });
  } catch (error) {
    throw new CliError(`${(error as Error).message}; see "atoll agent --help"`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (parsed.positionals.length > 1) throw new CliError('give one agent directory; see "atoll agent --help"');
  const json = values.json === true;
  try {
    const dir = path.resolve(parsed.positionals[0] ?? '.');
    const { toml, bundle } = await prepare(dir);
    if (values['dry-run']) {
      console.log(json ? JSON.stringify(dryRunJson(toml, bundle)) : formatPlan(toml, bundle));
      return 0;
    }
    const connection: Connection = {
      url: ((values.url as string | undefined) ?? defaults.url()).replace(/\/+$/, ''),
      token: (values.token as string | undefined) ?? (await defaults.token()),
      workspace: values.workspace as string | undefined,
    };
    const result = await deploy(connection, toml, bundle);
    console.log(json ? JSON.stringify(result) : formatResult(result, toml.config));
    return 0;
  } catch (error) {
    if (json) {
      const envelope =
        error instanceof DeployError
          ? error.envelope
          : { error: { code: 'cli_error', message: (error as Error).message, retryable: false } };
      console.log(JSON.stringify(envelope));
    }
    throw error;
  }
}

/** Reads the TOML and builds the bundle; local problems exit 2 naming the key or file. */
async function prepare(dir: string): Promise<{ toml: AgentToml; bundle: Bundle }> {
  try {
    const toml = await readAgentToml(dir);
    return { toml, bundle: await buildBundle(dir, toml.bundle, toml.config) };
  } catch (error) {
    if (error instanceof AgentTomlError) throw new CliError(error.message, 2);
    if (error instanceof BundlePlanError) throw new CliError(`bundle: ${error.message}`, 2);
    if (
      (error as NodeJS.ErrnoException).code === 'ENOENT' ||
      (error as NodeJS.ErrnoException).code === 'ENOTDIR'
    )
      throw new CliError((error as Error).message, 2);
    throw error;
  }
}

// ---- the server conversation -------------------------------------------------------------------

/** What a failure report needs of an answer: its status and its body (the error envelope, if any). */
type Answer = { status: number; body: unknown };

function clientFor(connection: Connection): AtollClient {
  return createAtollClient({
    baseUrl: connection.url,
    token: connection.token,
    workspace: connection.workspace,
  });
}

/** Awaits one call of the client; no answer at all (the server is not there) is the CLI's own error. */
async function answered<R extends { data?: unknown; error?: unknown; response: Response }>(
  connection: Connection,
  pending: Promise<R>,
): Promise<R & Answer> {
  let result: R;
  try {
    result = await pending;
  } catch (error) {
    throw new CliError(
      `cannot reach ${connection.url} (${(error as Error).message}); is "atoll serve" running? (--url)`,
      1,
    );
  }
  return { ...result, status: result.response.status, body: result.error ?? result.data };
}

/** Exit classes of the Nullspace CLI: 2 validation, 3 not found, 4 auth, 5 permission, 6 quota, 7 conflict, 8 runtime. */
function exitCodeFor(status: number): number {
  if (status === 400 || status === 413 || status === 415 || status === 422) return 2;
  if (status === 404) return 3;
  if (status === 401) return 4;
  if (status === 403) return 5;
  if (status === 429) return 6;
  if (status === 409 || status === 428) return 7;
  return 8;
}

function failure(what: string, answer: Answer): DeployError {
  const error: ErrorBody = isNullspaceError(answer.body)
    ? answer.body.error
    : { code: `http_${answer.status}`, message: String(answer.body).slice(0, 500) };
  const lines = [
    `${what} failed (HTTP ${answer.status}${error.code ? ` ${error.code}` : ''}): ${error.message}`,
  ];
  for (const d of error.details ?? [])
    if (d.message !== error.message || d.path?.length)
      lines.push(`  ${d.path?.length ? `${d.path.join('.')}: ` : ''}${d.message}`);
  if (error.hint) lines.push(`  hint: ${error.hint}`);
  if (error.request_id)
    lines.push(`  request id: ${error.request_id}${error.retryable ? ' (retryable)' : ''}`);
  return new DeployError(lines.join('\n'), exitCodeFor(answer.status), { error });
}

/** `<prefix>-` and the first 40 hex digits of sha256(parts joined by "|"): at most 64 characters. */
export function idempotencyKey(prefix: string, ...parts: string[]): string {
  return `${prefix}-${sha256Hex(parts.join('|')).slice(0, 40)}`;
}

type Deployment = Schema<'AgentDeployment'>;

async function findDeployment(connection: Connection, name: string): Promise<Deployment | undefined> {
  const client = clientFor(connection);
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const query: { name: string; limit: number; cursor?: string } = { name, limit: 200 };
    if (cursor) query.cursor = cursor;
    const answer = await answered(connection, client.GET('/v1/agent-deployments', { params: { query } }));
    if (answer.status !== 200 || !answer.data) throw failure('looking up the deployment', answer);
    const found = answer.data.items.find((d) => d.name === name && d.status !== 'deleted');
    if (found) return found;
    cursor = answer.data.next_cursor ?? null;
    if (!cursor) return undefined;
  }
  return undefined;
}

/** Deploys the prepared bundle; see the module comment for the steps. */
export async function deploy(connection: Connection, toml: AgentToml, bundle: Bundle): Promise<DeployResult> {
  const { config } = toml;
  const { manifest } = bundle;
  const name = config.name;
  if (!name)
    throw new CliError(`${path.basename(toml.file)}: name: is required to deploy (the deployment's name)`, 2);

  const client = clientFor(connection);
  let deployment = await findDeployment(connection, name);
  const created = deployment === undefined;
  if (!deployment) {
    const answer = await answered(
      connection,
      client.POST('/v1/agent-deployments', {
        body: { name, mode: config.mode },
        // A fresh key: names are unique, so a retried create answers 409 and the lookup finds it; a key
        // derived from the name would replay a deployment deleted since.
        params: { header: { 'idempotency-key': `deploy-dpl-${randomUUID()}` } },
      }),
    );
    if (answer.status === 409)
      deployment = await findDeployment(connection, name); // created meanwhile
    else if (answer.data) deployment = answer.data;
    if (!deployment) throw failure(`creating deployment "${name}"`, answer);
  }
  if (deployment.mode !== config.mode)
    throw new CliError(
      `deployment "${name}" (${deployment.id}) is a ${deployment.mode} deployment but ${path.basename(toml.file)} says mode = "${config.mode}"; change the mode or the name`,
      7,
    );
  const deploymentId = deployment.id;

  // The key hashes the whole body, so the same tree replays and any change (a pattern, a reason) is a new version.
  const versionBody = { config, bundle_manifest: manifest };
  const versionAnswer = await answered(
    connection,
    client.POST('/v1/agent-deployments/{deployment_id}/versions', {
      params: {
        path: { deployment_id: deploymentId },
        header: {
          'idempotency-key': idempotencyKey(
            'deploy-ver',
            deploymentId,
            name,
            canonicalJsonOmittingUndefined(versionBody),
          ),
        },
      },
      body: versionBody,
    }),
  );
  if (!versionAnswer.data) throw failure('creating the version', versionAnswer);
  let version = versionAnswer.data;

  if (!(version.status === 'ready' && version.bundle_digest === manifest.bundle_digest)) {
    const upload = await answered(
      connection,
      client.PUT('/v1/agent-deployments/{deployment_id}/versions/{version_id}/bundle', {
        params: {
          path: { deployment_id: deploymentId, version_id: version.id },
          header: {
            'content-type': 'application/x-tar',
            'x-nullspace-bundle-digest': manifest.bundle_digest,
            'idempotency-key': idempotencyKey('deploy-upl', version.id, manifest.bundle_digest),
          },
        },
        body: bundle.bytes,
      }),
    );
    if (!upload.data) throw failure('uploading the bundle', upload);
    version = upload.data;
  }
  return {
    deployment_id: deployment.id,
    deployment_name: name,
    deployment_created: created,
    version_id: version.id,
    version_number: version.version_number,
    status: version.status,
    bundle_digest: manifest.bundle_digest,
    config_digest: manifest.config_digest ?? '',
    file_count: manifest.file_count,
    total_size: manifest.total_size,
    run_command: startCommand(connection, deployment.id, config),
  };
}

// ---- output ------------------------------------------------------------------------------------

/** A curl line that starts a run (job) or a service instance (service) of the active version. */
export function startCommand(
  connection: Pick<Connection, 'url' | 'workspace'>,
  deploymentId: string,
  config: AgentConfig,
): string {
  const envs = Object.fromEntries(config.env.required.map((n) => [n, `<${n}>`]));
  const hasEnvs = config.env.required.length > 0;
  const body = config.mode === 'job' ? { input: {}, ...(hasEnvs ? { envs } : {}) } : hasEnvs ? { envs } : {};
  const lines = [
    `curl -X POST ${connection.url}/v1/agent-deployments/${deploymentId}/${config.mode === 'job' ? 'runs' : 'services'}`,
    `-H "authorization: Bearer $TOKEN"`,
    `-H "idempotency-key: ${config.mode === 'job' ? 'run' : 'svc'}-$(date +%s)"`,
    `-H 'content-type: application/json'`,
    ...(connection.workspace ? [`-H 'akua-context: ${connection.workspace}'`] : []),
    `-d '${JSON.stringify(body)}'`,
  ];
  return lines.join(' \\\n    ');
}

function formatResult(result: DeployResult, config: AgentConfig): string {
  const lines = [
    `deployed ${result.deployment_name} (${config.mode})`,
    `  deployment  ${result.deployment_id}${result.deployment_created ? ' (created)' : ''}`,
    `  version     ${result.version_number}  ${result.version_id}  ${result.status}`,
    `  bundle      ${result.file_count} files, ${formatSize(result.total_size)}, ${result.bundle_digest}`,
    '',
    config.mode === 'job'
      ? 'Start a run (TOKEN holds your API token):'
      : 'Start a service instance (TOKEN holds your API token):',
    `  ${result.run_command}`,
  ];
  if (config.env.required.length > 0)
    lines.push(`Required envs: ${config.env.required.join(', ')} (pass their values in "envs").`);
  if (config.env.optional.length > 0) lines.push(`Optional envs: ${config.env.optional.join(', ')}.`);
  return lines.join('\n');
}

function dryRunJson(toml: AgentToml, bundle: Bundle) {
  return {
    dry_run: true,
    file: toml.file,
    config: toml.config,
    bundle_manifest: bundle.manifest,
    tar_size: bundle.bytes.byteLength,
  };
}

/** The human dry-run report: the config in brief, every planned entry with its reason, the digests. */
export function formatPlan(toml: AgentToml, bundle: Bundle): string {
  const { config } = toml;
  const { manifest } = bundle;
  const lines = [
    `${path.basename(toml.file)}: ${config.name ?? '(no name)'} (${config.mode}), workdir ${config.workdir}`,
    `  entrypoint  ${config.entrypoint}`,
    ...(config.install ? [`  install     ${config.install}`] : []),
    ...(config.service
      ? [
          `  service     port ${config.service.port}, readiness ${config.service.readiness.type} ${config.service.readiness.path}`,
        ]
      : []),
    '',
    `Bundle plan for ${bundle.plan.root}:`,
  ];
  const width = Math.min(60, Math.max(...manifest.entries.map((e) => e.path.length)));
  for (const e of manifest.entries) {
    if (e.included) {
      const what =
        e.symlink_target !== null
          ? `-> ${e.symlink_target}`
          : `${formatSize(e.size ?? 0).padStart(9)}  ${(e.mode ?? 0).toString(8).padStart(4, '0')}  ${e.digest!.slice(0, 19)}…`;
      lines.push(`  + ${e.path.padEnd(width)}  ${what}  (${e.reason})`);
    } else {
      lines.push(`  - ${e.path.padEnd(width)}  ${e.reason}`);
    }
  }
  const excluded = manifest.entries.length - manifest.file_count;
  lines.push(
    '',
    `${manifest.file_count} included (${formatSize(manifest.total_size)}), ${excluded} excluded; tar ${formatSize(bundle.bytes.byteLength)}`,
    `  include patterns   ${manifest.include_patterns.join(' ') || '(none: everything not excluded)'}`,
    `  exclude patterns   ${manifest.exclude_patterns.join(' ') || '(none)'}`,
    `  default excludes   ${manifest.default_exclude_patterns.join(' ')}`,
    `  bundle_digest      ${manifest.bundle_digest}`,
    `  config_digest      ${manifest.config_digest}`,
    '',
    'dry run: nothing was sent',
  );
  return lines.join('\n');
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
