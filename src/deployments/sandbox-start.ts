/**
 * The start-up a run (job mode) and a service instance (service mode) share, as steps their job
 * handlers call in order once they have claimed their row: the sealed envs leave the job's payload
 * and are opened, the sandbox host is checked, the version is loaded, internet access is checked,
 * the sandbox is created, the bundle materialised and config.install run. A step that cannot go on
 * returns the reason the row ends failed with; the two workers differ only in what they write.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { JobLeaseLostError } from '../jobs/errors.ts';
import { removeJobPayloadKey } from '../jobs/store.ts';
import { openValues, type SealedValues } from '../lib/seal.ts';
import type { Sandbox, SandboxDriver } from '../sandbox/driver.ts';
import type { BlobStore } from './blobs.ts';
import { materializeBundle } from './bundles/materialize.ts';
import type { AgentConfig } from './config-schema.ts';
import type { LogSink } from './logs/sink.ts';
import { waitFor, type Ending } from './runs/process-wait.ts';
import { getVersion, type VersionRow } from './versions/store.ts';

export type SandboxStartDeps = {
  db: Kysely<DB>;
  driver: SandboxDriver;
  blobs: BlobStore;
  envKey: Buffer;
  limits: { processes: number; openFiles: number };
};

/** The sealed values leave the database as soon as this worker holds them in memory. */
export async function dropSealedEnvs(
  db: Kysely<DB>,
  jobId: string,
  sealed: SealedValues | undefined,
): Promise<void> {
  if (sealed) await removeJobPayloadKey(db, jobId, 'envs');
}

export type Preflight =
  { ok: true; envs: Record<string, string>; version: VersionRow } | { ok: false; reason: string };

/**
 * Everything checked before a sandbox is made: the envs open under this server's key, a sandbox can
 * be made, the version suits the mode (`checkVersion`), and internet access exists when it is asked for.
 */
export async function preflight(
  deps: SandboxStartDeps,
  start: {
    /** What the envs were sealed to, and what the row is called in the failure reason. */
    sealed: SealedValues | undefined;
    envsOwner: string;
    what: 'run' | 'service';
    versionId: string;
    checkVersion?(version: VersionRow): string | undefined;
  },
): Promise<Preflight> {
  const envs = start.sealed ? openValues(deps.envKey, start.envsOwner, start.sealed) : {};
  if (envs === undefined)
    return {
      ok: false,
      reason: `the ${start.what} envs could not be decrypted: every process sharing this database needs the same ATOLL_ENV_KEY`,
    };
  const check = await deps.driver.check();
  if (!check.ok) return { ok: false, reason: `no sandbox available: ${check.reason}` };
  const version = await getVersion(deps.db, start.versionId);
  const unsuitable = start.checkVersion?.(version);
  if (unsuitable !== undefined) return { ok: false, reason: unsuitable };
  if (version.config.permissions.internet_access) {
    const net = await deps.driver.checkInternet();
    if (!net.ok) return { ok: false, reason: `internet_access is not available: ${net.reason}` };
  }
  return { ok: true, envs, version };
}

/** The memory and disk limits a process ending is judged against. */
export function memoryAndDisk(config: AgentConfig): { memoryMb: number; diskMb: number } {
  return { memoryMb: config.resources.memory_mb, diskMb: config.resources.disk_mb };
}

/** Creates the sandbox the version's config asks for. */
export function createSandbox(
  deps: SandboxStartDeps,
  sandboxId: string,
  config: AgentConfig,
): Promise<Sandbox> {
  return deps.driver.create({
    id: sandboxId,
    workdir: config.workdir,
    internetAccess: config.permissions.internet_access,
    resources: {
      ...memoryAndDisk(config),
      vcpus: config.resources.vcpus,
      processes: deps.limits.processes,
      openFiles: deps.limits.openFiles,
    },
  });
}

/** Writes the version's bundle into the sandbox's workdir; a bundle missing from the store is a platform error. */
export async function materializeVersion(
  deps: SandboxStartDeps,
  workspaceId: string,
  version: VersionRow,
  sandbox: Sandbox,
): Promise<void> {
  const bundle = await deps.blobs.get(workspaceId, version.bundle_digest);
  if (!bundle)
    throw new Error(`bundle ${version.bundle_digest} of version ${version.id} is missing from the store`);
  await materializeBundle(bundle, sandbox.hostWorkdir);
}

/** Runs config.install (the caller checked it is set) under the deadline and the job's signal. */
export async function runInstall(
  sandbox: Sandbox,
  install: string,
  io: {
    env: Record<string, string>;
    sink: LogSink;
    onOutput(stream: 'stdout' | 'stderr', chunk: Buffer): void;
    deadline: number;
    signal: AbortSignal;
  },
): Promise<Ending> {
  io.sink.system(`$ ${install}`);
  return waitFor(
    sandbox.exec({ command: install, env: io.env, onOutput: io.onOutput }),
    io.deadline,
    io.signal,
  );
}

/**
 * Whether the job's lease was lost: then another worker settles the row (its `lost()`), and this one
 * only removes the sandbox it made and touches nothing more.
 */
export async function leaseLost(signal: AbortSignal, sandbox: Sandbox | undefined): Promise<boolean> {
  if (!(signal.reason instanceof JobLeaseLostError)) return false;
  await sandbox?.destroy().catch(() => {});
  return true;
}
