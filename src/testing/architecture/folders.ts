/**
 * One line per folder of src/ for the generated map in docs/architecture.md. The guard test fails when a
 * folder (or a file directly in src/) has no line here, so a new family arrives with its description.
 */
export const FOLDER_PURPOSE: Record<string, string> = {
  agents:
    'agents, sessions, turns, approval requests and preferences (the turn state machine runs in the database)',
  console: 'serving the web console (console/, React + Vite) at /, and its build into console/dist',
  catalog: 'the curated skills and templates shipped as data files; no table',
  cli: '`atoll` commands other than `serve`: token, migrate, package publish, agent deploy',
  dashboards:
    'dashboards, their widgets and revisions (each change one immutable revision); snippets read through a port',
  db: 'the `Database` seam (Kysely over PGlite or PostgreSQL), migrations, ids, time',
  deployments:
    'agent deployments: versions, bundles, job runs and service instances in sandboxes, logs, outputs',
  events: 'the agent event log: emit, read, live fan-out and SSE streams, work conflicts',
  git: 'bare repositories: smart HTTP, commits through fast-import, reads of trees and history',
  http: 'the one HTTP layer: routing, auth, validation, typed errors, idempotency, etags, pagination, OpenAPI',
  installs: 'packages and versions, installs, renders, repositories and change requests',
  isolate: 'the isolate executor: executor processes, warm isolates, limits, the platform.request() bridge',
  jobs: 'the durable job queue and its runners',
  lib: 'neutral helpers of no family: canonical JSON, SHA-256 digests, token hashing, sealing, helm, registry addresses',
  notifications: 'the caller’s notifications; other families create them through a port',
  operations: 'the Operation record (`op_…`) every asynchronous action leaves, its steps and waiters',
  platform: 'workspaces, members, API tokens, JWT, regions, entitlements, quotas, bootstrap',
  sandbox: 'the bwrap sandbox driver: spawner, limits, network, cgroups',
  snippets: 'snippets, their runs, input descriptors, result contracts, execution (the model family)',
  testing: 'test harness, OpenAPI conformance tools, this architecture analyzer',
  'atoll.ts': 'the composition root: opens the store, builds the modules, starts background work',
  'config.ts': 'the one config module: parses the environment with zod at boot',
  'log.ts': 'the pino logger',
  'main.ts': 'the `atoll` command line entry point',
  'version.ts': 'the build version',
  'module.ts': 'the AtollModule shape every family exposes to the composition root',
};
