import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness } from '../testing/harness.ts';
import { tarOf } from './bundles/tar-fixtures.ts';
import { buildBundle } from './bundles/pack.ts';
import { writeTree } from './bundles/tar-fixtures.ts';
import { AgentConfig } from './config-schema.ts';
import { deployAgent, key } from './test-fixtures.ts';
import { tempDir } from '../testing/harness.ts';

describe('agent deployments and versions', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const post = (path: string, body: unknown, idem: string | null = key(), token?: string) =>
    h.request('POST', path, { token, body, headers: idem === null ? {} : { 'idempotency-key': idem } });

  test('a deployment is created, listed by name, read, and soft-deleted', async () => {
    const created = await post('/v1/agent-deployments', {
      name: 'reviewer',
      mode: 'job',
      description: 'reviews',
      metadata: { team: 'x' },
    });
    assert.equal(created.status, 201, created.text);
    assert.match(created.body.id, /^adpl_/);
    assert.equal(created.body.status, 'active');
    assert.equal(created.body.active_version_id, null);
    assert.deepEqual(created.body.metadata, { team: 'x' });
    assert.match(created.body.created_at, /Z$/);
    const listed = await h.request('GET', '/v1/agent-deployments?name=reviewer');
    assert.deepEqual(
      listed.body.items.map((d: any) => d.id),
      [created.body.id],
    );
    assert.equal(listed.body.next_cursor, null);
    const dup = await post('/v1/agent-deployments', { name: 'reviewer', mode: 'job' });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.code, 'conflict');
    const deleted = await h.request('DELETE', `/v1/agent-deployments/${created.body.id}`);
    assert.equal(deleted.status, 200);
    assert.equal(deleted.body.status, 'deleted');
    assert.ok(deleted.body.deleted_at);
    assert.equal((await h.request('GET', '/v1/agent-deployments?name=reviewer')).body.items.length, 0);
    assert.equal((await post('/v1/agent-deployments', { name: 'reviewer', mode: 'job' })).status, 201);
  });

  test('creates require an idempotency key and name bad fields in the family envelope', async () => {
    const missing = await post('/v1/agent-deployments', { name: 'n', mode: 'job' }, null);
    assert.ok(missing.status === 400 || missing.status === 422, missing.text);
    assert.ok(missing.body.error.request_id);
    assert.equal(typeof missing.body.error.retryable, 'boolean');
    assert.match(JSON.stringify(missing.body.error), /idempotency-key/);
    const bad = await post('/v1/agent-deployments', { name: '', mode: 'worker' });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.code, 'invalid_fields');
    const paths = bad.body.error.details.map((d: any) => d.path.join('.'));
    assert.ok(paths.includes('body.name') && paths.includes('body.mode'), paths.join());
    const unknown = await h.request('GET', '/v1/agent-deployments/adpl_nope');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'agent_deployment_not_found');
  });

  test('uploading a bundle makes the version ready and active and supersedes the previous one', async () => {
    const first = await deployAgent(h, { files: { 'main.js': '1' }, config: { entrypoint: 'node main.js' } });
    const second = await deployAgent(h, {
      deploymentId: first.deploymentId,
      files: { 'main.js': '2' },
      config: { entrypoint: 'node main.js' },
    });
    const dep = await h.request('GET', `/v1/agent-deployments/${first.deploymentId}`);
    assert.equal(dep.body.active_version_id, second.versionId);
    const versions = await h.request('GET', `/v1/agent-deployments/${first.deploymentId}/versions`);
    assert.deepEqual(
      versions.body.items.map((v: any) => [v.version_number, v.status]),
      [
        [2, 'ready'],
        [1, 'superseded'],
      ],
    );
    const one = await h.request(
      'GET',
      `/v1/agent-deployments/${first.deploymentId}/versions/${second.versionId}`,
    );
    assert.equal(one.body.config.workdir, '/workspace/project');
    assert.equal(one.body.config.resources.timeout_seconds, 1800);
  });

  test('a bundle whose bytes, digest or entries do not match its version is refused and the version stays created', async () => {
    const dep = await post('/v1/agent-deployments', { name: 'strict', mode: 'job' });
    const config = AgentConfig.parse({ entrypoint: 'node main.js' });
    const dir = writeTree(tempDir(), { 'main.js': 'console.log(1)' });
    const bundle = await buildBundle(dir, { include: [], exclude: [] }, config);
    const version = await post(`/v1/agent-deployments/${dep.body.id}/versions`, {
      config: { entrypoint: 'node main.js' },
      bundle_manifest: bundle.manifest,
    });
    assert.equal(version.status, 201, version.text);
    assert.equal(version.body.status, 'created');
    const url = `/v1/agent-deployments/${dep.body.id}/versions/${version.body.id}/bundle`;
    const put = (bytes: Uint8Array, digest: string, type = 'application/x-tar') =>
      h.request('PUT', url, {
        raw: Buffer.from(bytes),
        headers: { 'idempotency-key': key(), 'content-type': type, 'x-nullspace-bundle-digest': digest },
      });
    const wrongHeader = await put(bundle.bytes, `sha256:${'0'.repeat(64)}`);
    assert.equal(wrongHeader.status, 409);
    assert.equal(wrongHeader.body.error.code, 'upload_conflict');
    const evil = await tarOf([{ name: '../escape.js', body: 'x' }]);
    const wrongBytes = await put(evil, bundle.manifest.bundle_digest);
    assert.equal(wrongBytes.status, 422, wrongBytes.text);
    assert.match(wrongBytes.body.error.message, /escape\.js/);
    const notTar = await put(bundle.bytes, bundle.manifest.bundle_digest, 'application/json');
    assert.ok(notTar.status === 415 || notTar.status === 422 || notTar.status === 400, notTar.text);
    const still = await h.request('GET', `/v1/agent-deployments/${dep.body.id}/versions/${version.body.id}`);
    assert.equal(still.body.status, 'created');
    const ok = await put(bundle.bytes, bundle.manifest.bundle_digest);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.status, 'ready');
    const again = await put(bundle.bytes, bundle.manifest.bundle_digest);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'upload_conflict');
  });

  test('a version whose config breaks a rule is refused naming the field', async () => {
    const dep = await post('/v1/agent-deployments', { name: 'cfg', mode: 'job' });
    const manifest = {
      bundle_digest: `sha256:${'a'.repeat(64)}`,
      total_size: 1,
      file_count: 1,
    };
    const cases: Array<[unknown, string]> = [
      [{ entrypoint: 'x', mode: 'service', service: { port: 80 } }, 'body.config.mode'],
      [{ entrypoint: 'x', resources: { memory_mb: 1 } }, 'body.config.resources.memory_mb'],
      [{ entrypoint: 'x', service: { port: 70000 } }, 'body.config.service.port'],
      [{ entrypoint: 'x', debug: { retain_on_failure: true, keep: 1 } }, 'body.config.debug'],
      [{ entrypoint: 'x', permissions: { allow_out: ['10.0.0.0/8'] } }, 'body.config.permissions.allow_out'],
      [{ entrypoint: 'x', workdir: '/etc' }, 'body.config.workdir'],
      [{ install: 'x' }, 'body.config.entrypoint'],
    ];
    for (const [config, path] of cases) {
      const res = await post(`/v1/agent-deployments/${dep.body.id}/versions`, {
        config,
        bundle_manifest: manifest,
      });
      assert.equal(res.status, 422, `${path}: ${res.text}`);
      const paths = res.body.error.details.map((d: any) => d.path.join('.'));
      assert.ok(
        paths.some((p: string) => p.startsWith(path)),
        `${path} not in ${paths.join(', ')}`,
      );
    }
  });

  test('runs are refused clearly before anything runs: no active version, missing envs, reserved names', async () => {
    const dep = await post('/v1/agent-deployments', { name: 'empty', mode: 'job' });
    const none = await post(`/v1/agent-deployments/${dep.body.id}/runs`, {});
    assert.equal(none.status, 409);
    assert.match(none.body.error.hint, /atoll agent deploy/);
    const needy = await deployAgent(h, {
      files: { 'main.js': '' },
      config: { entrypoint: 'node main.js', env: { required: ['OPENAI_API_KEY', 'OTHER'] } },
    });
    const missing = await post(`/v1/agent-deployments/${needy.deploymentId}/runs`, { envs: { OTHER: 'x' } });
    assert.equal(missing.status, 422);
    assert.match(missing.body.error.message, /OPENAI_API_KEY/);
    assert.doesNotMatch(missing.body.error.message, /OTHER/);
    const reserved = await post(`/v1/agent-deployments/${needy.deploymentId}/runs`, {
      envs: { OPENAI_API_KEY: 'k', OTHER: 'o', ATOLL_RUN_ID: 'spoof' },
    });
    assert.equal(reserved.status, 422);
    assert.deepEqual(reserved.body.error.details[0].path, ['body', 'envs', 'ATOLL_RUN_ID']);
    const list = await h.request('GET', `/v1/agent-deployments/${needy.deploymentId}/runs`);
    assert.deepEqual(list.body.items, []);
  });

  test("another workspace's deployments are invisible", async () => {
    const mine = await post('/v1/agent-deployments', { name: 'private', mode: 'job' });
    const other = await h.newWorkspace();
    const res = await h.request('GET', `/v1/agent-deployments/${mine.body.id}`, { token: other.token });
    assert.equal(res.status, 404);
    const runs = await h.request('POST', `/v1/agent-deployments/${mine.body.id}/runs`, {
      token: other.token,
      headers: { 'idempotency-key': key() },
      body: {},
    });
    assert.equal(runs.status, 404);
    const list = await h.request('GET', '/v1/agent-deployments', { token: other.token });
    assert.deepEqual(list.body.items, []);
  });
});
