/** Test helpers: deploy an agent from in-memory files through the real API, and wait for runs. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { Harness, TestResponse } from '../testing/harness.ts';
import { eventually } from '../testing/eventually.ts';
import { tempDir } from '../testing/harness.ts';
import { buildBundle } from './bundles/pack.ts';
import { writeTree } from './bundles/tar-fixtures.ts';
import { AgentConfig, type AgentConfigInput } from './config-schema.ts';

let keys = 0;
/** A fresh idempotency key. */
export const key = (prefix = 'k') => `${prefix}-${process.pid}-${++keys}-${Date.now()}`;

export type Deployed = { deploymentId: string; versionId: string; name: string };

/** Creates a deployment (unless given) and a ready version holding `files`. */
export async function deployAgent(
  h: Harness,
  options: {
    files: Record<string, string>;
    config: Partial<AgentConfigInput> & { entrypoint: string };
    name?: string;
    deploymentId?: string;
    token?: string;
  },
): Promise<Deployed> {
  const name = options.name ?? `agent-${++keys}`;
  const token = options.token;
  const config = AgentConfig.parse({ mode: 'job', ...options.config });
  let deploymentId = options.deploymentId;
  if (!deploymentId) {
    const created = await h.request('POST', '/v1/agent-deployments', {
      token,
      headers: { 'idempotency-key': key('dep') },
      body: { name, mode: config.mode },
    });
    if (created.status !== 201) throw new Error(`create deployment: ${created.status} ${created.text}`);
    deploymentId = created.body.id as string;
  }
  const dir = writeTree(tempDir('atoll-agent-'), options.files);
  try {
    const bundle = await buildBundle(dir, { include: [], exclude: [] }, config);
    const version = await h.request('POST', `/v1/agent-deployments/${deploymentId}/versions`, {
      token,
      headers: { 'idempotency-key': key('ver') },
      body: { config: { mode: config.mode, ...options.config }, bundle_manifest: bundle.manifest },
    });
    if (version.status !== 201) throw new Error(`create version: ${version.status} ${version.text}`);
    const upload = await h.request(
      'PUT',
      `/v1/agent-deployments/${deploymentId}/versions/${version.body.id}/bundle`,
      {
        token,
        raw: Buffer.from(bundle.bytes),
        headers: {
          'idempotency-key': key('up'),
          'content-type': 'application/x-tar',
          'x-nullspace-bundle-digest': bundle.manifest.bundle_digest,
        },
      },
    );
    if (upload.status !== 200) throw new Error(`upload: ${upload.status} ${upload.text}`);
    return { deploymentId, versionId: version.body.id as string, name };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts a run and returns its id. */
export async function startRun(
  h: Harness,
  deploymentId: string,
  body: Record<string, unknown> = {},
  token?: string,
): Promise<string> {
  const res = await h.request('POST', `/v1/agent-deployments/${deploymentId}/runs`, {
    token,
    headers: { 'idempotency-key': key('run') },
    body,
  });
  if (res.status !== 201) throw new Error(`create run: ${res.status} ${res.text}`);
  return res.body.id as string;
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);

/** Reads the run until `until` (default: terminal) holds; returns it. */
export function waitForRun(
  h: Harness,
  deploymentId: string,
  runId: string,
  until: (run: any) => boolean = (run) => TERMINAL.has(run.status),
  timeoutMs = 30_000,
): Promise<any> {
  return eventually(
    async () => {
      const res = await h.request('GET', `/v1/agent-deployments/${deploymentId}/runs/${runId}`);
      if (res.status !== 200) throw new Error(`get run: ${res.status} ${res.text}`);
      assert.ok(until(res.body), `run ${runId} stuck in ${res.body.status}`);
      return res.body;
    },
    { timeoutMs, intervalMs: 25, message: `run ${runId}` },
  );
}

/** Every log line of a run, in order. */
export async function runLogs(h: Harness, deploymentId: string, runId: string): Promise<any[]> {
  const lines: any[] = [];
  let cursor: string | null = '0';
  while (cursor !== null) {
    const res: TestResponse = await h.request(
      'GET',
      `/v1/agent-deployments/${deploymentId}/runs/${runId}/logs?cursor=${cursor}&limit=200`,
    );
    if (res.status !== 200) throw new Error(`logs: ${res.status} ${res.text}`);
    lines.push(...res.body.items);
    if (res.body.complete) break;
    cursor = res.body.next_cursor;
  }
  return lines;
}
