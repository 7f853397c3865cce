/**
 * The `atoll` command line: serve, migrate, token create, workspace create. Thin: each command parses
 * its flags and calls services; errors print one line and set the exit code.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultToken, publishHelmPackage, publishPackage } from './cli/package-publish.ts';
import { agentDeployCommand } from './cli/agent-deploy.ts';
import type { Role } from './atoll.ts';
import { CliError } from './cli/errors.ts';
import { serve } from './cli/serve.ts';
import { withStore } from './cli/store-command.ts';
import { createToken, parseDuration } from './cli/token.ts';
import { ConfigError, loadConfig } from './config.ts';
import { DataDirLockedError } from './db/database.ts';
import { migrate, SchemaError } from './db/migrate.ts';
import { ApiError } from './http/errors.ts';
import { createLogger } from './log.ts';
import { createWorkspaceRecord } from './platform/workspaces/service.ts';
import { issueToken } from './platform/api-tokens/service.ts';
import { VERSION } from './version.ts';

const HELP: Record<string, string> = {
  main: `atoll ${VERSION}: self-hostable control plane for agents and automation

Usage: atoll <command> [options]

Commands:
  serve              serve the HTTP API and run the workers (default command)
  migrate            apply pending database migrations and exit
  token create       create an API token for a workspace and print it
  workspace create   create a workspace and print an API token for it
  package publish    pack a package directory and publish it to a running server
  agent deploy       bundle an agent directory and deploy it as a new version

Run "atoll <command> --help" for a command's options. Configuration comes from environment
variables (see the README): HOST, PORT, DATA_DIR, DATABASE_URL, LOG_LEVEL, ATOLL_*.`,
  serve: `Usage: atoll serve [--role all|api|worker]

Serves the API on HOST:PORT (default 127.0.0.1:8787) with the store from DATABASE_URL, or the embedded
PGlite store under DATA_DIR (default ./data). Applies migrations and, on an empty store, creates the
"default" workspace and its bootstrap token.

Options:
  --role all      API and workers in this process (default)
  --role api      only the HTTP API (run workers elsewhere on the same Postgres)
  --role worker   only background workers, no HTTP listener`,
  migrate: `Usage: atoll migrate

Applies pending migrations to the configured store and prints the schema version.`,
  token: `Usage: atoll token create --workspace <id|slug|name> --name <name> [--expires-in 30d]

Creates an API token for the workspace and prints it on stdout (it is shown only once).
With the embedded store, stop the server first or create tokens over HTTP (POST /v1/api_tokens).`,
  workspace: `Usage: atoll workspace create --name <name> [--slug <slug>] [--token-name <name>]

Creates a workspace and an API token for it; prints the workspace id and the token.`,
  package: `Usage: atoll package publish [dir] [--url <url>] [--token <token>] [--workspace <ws_id>]
       atoll package publish --helm oci://host[:port]/path/chart --version <chart version>
                             [--name <package>] [--values <file.yaml|json>] [--url …] [--token …]

Packs dir (default .): atoll.package.json, inputs.schema.json, render.js and manifests/*.yaml, as a
deterministic tar.gz; uploads it (POST /v1/package_artifacts) and registers it as a new package, or as a
new version of the package with the same name. Prints the package, version and artifact ref as JSON.

With --helm: a Helm package of the chart at that version (the server pulls it with the workspace's
registry connections), named by the chart (or --name): created, or given the version as a new one.

Options:
  --url        the server (default ATOLL_PUBLIC_URL, else http://HOST:PORT)
  --token      an API token (default: the bootstrap token in DATA_DIR)
  --workspace  the workspace, for credentials that are not tied to one (akua-context)`,
  agent: `Usage: atoll agent deploy [dir] [--url <url>] [--token <token>] [--workspace <ws_id>] [--dry-run] [--json]

Reads dir/atoll.agent.toml (else nullspace.agent.toml), plans and packs the bundle (docs/agent-bundles.md),
then finds or creates the deployment of that name, creates a version and uploads the bundle, which makes
the version ready and active. Re-running it on the same tree replays instead of creating duplicates.
Prints the deployment, the version and a curl line that starts a run (or a service).

Options:
  --dry-run    only print the plan (included and excluded paths with reasons, sizes, digests); no server
  --json       print the result (or the plan, or the error envelope) as JSON
  --url        the server (default ATOLL_PUBLIC_URL, else http://HOST:PORT)
  --token      an API token (default: the bootstrap token in DATA_DIR)
  --workspace  the workspace, for credentials that are not tied to one (akua-context)`,
};

async function run(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') return print(HELP.main!);
  if (command === '--version' || command === '-v') return print(VERSION);
  switch (command) {
    case 'serve': {
      const { values } = parse(rest, { role: { type: 'string', default: 'all' } }, 'serve');
      if (values.help) return print(HELP.serve!);
      const role = values.role as string;
      if (!['all', 'api', 'worker'].includes(role))
        throw new CliError(`--role must be all, api or worker (got "${role}")`);
      const config = loadConfig();
      await serve(config, role as Role, createLogger(config.logLevel));
      return -1; // keeps running
    }
    case 'migrate': {
      const { values } = parse(rest, {}, 'migrate');
      if (values.help) return print(HELP.migrate!);
      const config = loadConfig();
      await withStore(config, async (database) => {
        const applied = await migrate(database);
        console.log(
          applied.length === 0
            ? 'schema is up to date'
            : `applied ${applied.map((m) => `${m.version}_${m.name}`).join(', ')}`,
        );
      });
      return 0;
    }
    case 'token': {
      const [sub, ...flags] = rest;
      if (sub === '--help' || sub === undefined) return print(HELP.token!);
      if (sub !== 'create') throw new CliError(`unknown token command "${sub}"; see "atoll token --help"`);
      const { values } = parse(
        flags,
        { workspace: { type: 'string' }, name: { type: 'string' }, 'expires-in': { type: 'string' } },
        'token',
      );
      if (values.help) return print(HELP.token!);
      if (!values.workspace || !values.name)
        throw new CliError('--workspace and --name are required; see "atoll token --help"');
      const expiresInMs = parseDuration(values['expires-in'] as string | undefined);
      const config = loadConfig();
      const created = await withStore(config, (database) =>
        createToken(database.db, {
          workspace: values.workspace as string,
          name: values.name as string,
          expiresInMs,
        }),
      );
      console.error(
        `created API token ${created.id} for workspace ${created.workspaceId}; it is shown only once:`,
      );
      console.log(created.token);
      return 0;
    }
    case 'workspace': {
      const [sub, ...flags] = rest;
      if (sub === '--help' || sub === undefined) return print(HELP.workspace!);
      if (sub !== 'create')
        throw new CliError(`unknown workspace command "${sub}"; see "atoll workspace --help"`);
      const { values } = parse(
        flags,
        {
          name: { type: 'string' },
          slug: { type: 'string' },
          'token-name': { type: 'string', default: 'cli' },
        },
        'workspace',
      );
      if (values.help) return print(HELP.workspace!);
      const name = values.name as string | undefined;
      if (!name || name.length > 100) throw new CliError('--name is required (1–100 characters)');
      const config = loadConfig();
      const out = await withStore(config, async (database) => {
        const ws = await createWorkspaceRecord(database.db, {
          name,
          slug: values.slug as string | undefined,
          createdBy: 'cli',
          member: undefined,
        });
        const token = await issueToken(database.db, {
          workspaceId: ws.id,
          name: values['token-name'] as string,
          createdBy: 'cli',
          expiresAt: null,
        });
        return { ws, token };
      });
      console.error(
        `created workspace ${out.ws.id} (slug ${out.ws.slug}) and API token ${out.token.id}; the token is shown only once:`,
      );
      console.log(JSON.stringify({ workspace_id: out.ws.id, slug: out.ws.slug, token: out.token.token }));
      return 0;
    }
    case 'package': {
      const [sub, ...flags] = rest;
      if (sub === '--help' || sub === '-h' || sub === undefined) return print(HELP.package!);
      if (sub !== 'publish')
        throw new CliError(`unknown package command "${sub}"; see "atoll package --help"`);
      let parsed: ReturnType<typeof parseArgs>;
      try {
        parsed = parseArgs({
          args: flags,
          options: {
            url: { type: 'string' },
            token: { type: 'string' },
            workspace: { type: 'string' },
            helm: { type: 'string' },
            version: { type: 'string' },
            name: { type: 'string' },
            values: { type: 'string' },
            help: { type: 'boolean', short: 'h' },
          },
          allowPositionals: true,
        });
      } catch (error) {
        throw new CliError(`${(error as Error).message}; see "atoll package --help"`);
      }
      const values = parsed.values as Record<string, string | boolean | undefined>;
      if (values.help) return print(HELP.package!);
      const helmOnly = (['version', 'name', 'values'] as const).find((k) => values[k] !== undefined);
      if (values.helm !== undefined) {
        if (parsed.positionals.length > 0)
          throw new CliError(
            '--helm publishes a chart from a registry, not a directory; give one or the other',
          );
        if (values.version === undefined)
          throw new CliError('--helm needs --version <chart version>; see "atoll package --help"');
        const config = loadConfig();
        const result = await publishHelmPackage({
          chartUrl: values.helm as string,
          version: values.version as string,
          name: values.name as string | undefined,
          valuesFile: values.values as string | undefined,
          url: ((values.url as string | undefined) ?? config.publicUrl).replace(/\/+$/, ''),
          token: (values.token as string | undefined) ?? (await defaultToken(config.dataDir)),
          workspace: values.workspace as string | undefined,
        });
        console.log(JSON.stringify(result));
        return 0;
      }
      if (helmOnly) throw new CliError(`--${helmOnly} goes with --helm; see "atoll package --help"`);
      if (parsed.positionals.length > 1)
        throw new CliError('give one package directory; see "atoll package --help"');
      const config = loadConfig();
      const result = await publishPackage({
        dir: path.resolve(parsed.positionals[0] ?? '.'),
        url: ((values.url as string | undefined) ?? config.publicUrl).replace(/\/+$/, ''),
        token: (values.token as string | undefined) ?? (await defaultToken(config.dataDir)),
        workspace: values.workspace as string | undefined,
      });
      console.log(JSON.stringify(result));
      return 0;
    }
    case 'agent': {
      const [sub, ...flags] = rest;
      if (
        sub === '--help' ||
        sub === '-h' ||
        sub === undefined ||
        flags.includes('--help') ||
        flags.includes('-h')
      )
        return print(HELP.agent!);
      if (sub !== 'deploy') throw new CliError(`unknown agent command "${sub}"; see "atoll agent --help"`);
      return agentDeployCommand(flags, {
        url: () => loadConfig().publicUrl,
        token: () => defaultToken(loadConfig().dataDir),
      });
    }
    default:
      throw new CliError(`unknown command "${command}"; see "atoll --help"`);
  }
}

type FlagSpec = Record<string, { type: 'string' | 'boolean'; default?: string; short?: string }>;

function parse(
  args: string[],
  options: FlagSpec,
  command: string,
): { values: Record<string, string | boolean | undefined> } {
  try {
    const { values } = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: false,
    });
    return { values: values as Record<string, string | boolean | undefined> };
  } catch (error) {
    throw new CliError(`${(error as Error).message}; see "atoll ${command} --help"`);
  }
}

function print(text: string): number {
  console.log(text);
  return 0;
}

try {
  const code = await run(process.argv.slice(2));
  if (code >= 0) process.exitCode = code;
} catch (error) {
  if (error instanceof ConfigError || error instanceof SchemaError || error instanceof DataDirLockedError) {
    console.error(`atoll: ${error.message}`);
    process.exitCode = 1;
  } else if (error instanceof CliError) {
    console.error(`atoll: ${error.message}`);
    process.exitCode = error.exitCode;
  } else if (error instanceof ApiError) {
    console.error(`atoll: ${error.message}`);
    process.exitCode = 1;
  } else {
    console.error('atoll: unexpected failure:', error);
    process.exitCode = 1;
  }
}
