import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { deploy, idempotencyKey, startCommand } from './agent-deploy.ts';
import { readAgentToml } from '../deployments/bundles/agent-toml.ts';
import { buildBundle } from '../deployments/bundles/pack.ts';
import { AgentConfig } from '../deployments/config-schema.ts';
import { freePort, startHarness, type Harness } from '../testing/harness.ts';
import { CliError } from './errors.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/atoll.js');
const HELLO_JOB = path.resolve(import.meta.dirname, '../../examples/agents/hello-job');

function atoll(args: string[]) {
  // No DATA_DIR, token or server: a dry run must not need any of them.
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH },
    timeout: 60_000,
  });
}

describe('atoll agent deploy', () => {
  test('--dry-run of the hello-job example prints the plan without a server or token', () => {
    const res = atoll(['agent', 'deploy', HELLO_JOB, '--dry-run']);
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /^atoll.agent.toml: hello-job \(job\), workdir \/workspace\/project/);
    assert.match(res.stdout, /\+ main\.js +\S+ B? ?.*0644 {2}sha256:[0-9a-f]{12}… {2}\(not excluded\)/);
    assert.match(res.stdout, /bundle_digest {6}sha256:[0-9a-f]{64}/);
    assert.match(res.stdout, /dry run: nothing was sent/);
  });

  test('--dry-run --json prints the config and the manifest, the same on every run', () => {
    const first = JSON.parse(atoll(['agent', 'deploy', HELLO_JOB, '--dry-run', '--json']).stdout);
    const second = JSON.parse(atoll(['agent', 'deploy', HELLO_JOB, '--dry-run', '--json']).stdout);
    assert.equal(first.config.name, 'hello-job');
    assert.deepEqual(first.config.outputs.paths, ['result.json', 'reports']);
    assert.ok(first.bundle_manifest.entries.some((e: { path: string }) => e.path === 'main.js'));
    assert.equal(second.bundle_manifest.bundle_digest, first.bundle_manifest.bundle_digest);
  });

  test('a TOML problem exits 2 naming the key, also as a JSON error with --json', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-agent-'));
    fs.writeFileSync(
      path.join(dir, 'atoll.agent.toml'),
      'entrypoint = "x"\n[resources]\nmemory_mb = "lots"\n',
    );
    const res = atoll(['agent', 'deploy', dir, '--dry-run']);
    assert.equal(res.status, 2);
    assert.match(res.stderr, /atoll: atoll.agent.toml: resources.memory_mb: /);
    const json = atoll(['agent', 'deploy', dir, '--dry-run', '--json']);
    assert.equal(json.status, 2);
    assert.match(JSON.parse(json.stdout).error.message, /resources.memory_mb/);
  });

  test('--help explains the command', () => {
    const res = atoll(['agent', '--help']);
    assert.equal(res.status, 0);
    assert.match(res.stdout, /^Usage: atoll agent deploy \[dir\]/);
    assert.match(atoll(['--help']).stdout, /agent deploy/);
  });

  test('idempotency keys are stable, distinct per input and at most 64 characters', () => {
    const key = idempotencyKey('deploy-ver', 'adpl_1', 'hello', 'sha256:a', 'sha256:b');
    assert.equal(key, idempotencyKey('deploy-ver', 'adpl_1', 'hello', 'sha256:a', 'sha256:b'));
    assert.notEqual(key, idempotencyKey('deploy-ver', 'adpl_1', 'hello', 'sha256:a', 'sha256:c'));
    assert.match(key, /^deploy-ver-[0-9a-f]{40}$/);
    assert.ok(key.length <= 64);
  });

  test('the start command posts to /runs for a job and /services for a service, with the required envs', () => {
    const job = AgentConfig.parse({ entrypoint: 'x', env: { required: ['OPENAI_API_KEY'] } });
    const run = startCommand({ url: 'http://h:1', workspace: undefined }, 'adpl_1', job);
    assert.match(run, /curl -X POST http:\/\/h:1\/v1\/agent-deployments\/adpl_1\/runs/);
    assert.match(run, /-H "authorization: Bearer \$TOKEN"/);
    assert.match(run, /-d '\{"input":\{\},"envs":\{"OPENAI_API_KEY":"<OPENAI_API_KEY>"\}\}'/);
    const service = AgentConfig.parse({ entrypoint: 'x', mode: 'service', service: { port: 8000 } });
    assert.match(
      startCommand({ url: 'http://h:1', workspace: 'ws_1' }, 'adpl_2', service),
      /adpl_2\/services[\s\S]*akua-context: ws_1[\s\S]*-d '\{\}'/,
    );
  });
});

describe('atoll agent deploy against a server', () => {
  let h: Harness;
  let url: string;
  before(async () => {
    h = await startHarness();
    url = await h.listen();
  });
  after(() => h.close());

  async function prepared() {
    const toml = await readAgentToml(HELLO_JOB);
    return { toml, bundle: await buildBundle(HELLO_JOB, toml.bundle, toml.config) };
  }

  test('creates the deployment and a ready version; the same tree again replays it', async () => {
    const { toml, bundle } = await prepared();
    const first = await deploy({ url, token: h.token, workspace: undefined }, toml, bundle);
    assert.equal(first.deployment_created, true);
    assert.equal(first.deployment_name, 'hello-job');
    assert.equal(first.status, 'ready');
    assert.equal(first.bundle_digest, bundle.manifest.bundle_digest);
    const again = await deploy({ url, token: h.token, workspace: undefined }, toml, bundle);
    assert.equal(again.deployment_created, false);
    assert.equal(again.deployment_id, first.deployment_id);
    assert.equal(again.version_id, first.version_id);
    const version = await h.request(
      'GET',
      `/v1/agent-deployments/${first.deployment_id}/versions/${first.version_id}`,
    );
    assert.equal(version.body.status, 'ready');
  });

  test("a refused token exits 4 with the server's message; no server exits 1 saying where it looked", async () => {
    const { toml, bundle } = await prepared();
    const refused = await deploy({ url, token: 'sk_wrong', workspace: undefined }, toml, bundle).catch(
      (e: unknown) => e,
    );
    assert.ok(refused instanceof CliError);
    assert.equal(refused.exitCode, 4);
    assert.match(refused.message, /^looking up the deployment failed \(HTTP 401 \w+\): /);
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const unreachable = await deploy(
      { url: nowhere, token: h.token, workspace: undefined },
      toml,
      bundle,
    ).catch((e: unknown) => e);
    assert.ok(unreachable instanceof CliError);
    assert.equal(unreachable.exitCode, 1);
    assert.match(
      unreachable.message,
      new RegExp(`^cannot reach ${nowhere} \\(.+\\); is "atoll serve" running\\? \\(--url\\)$`),
    );
  });
});
