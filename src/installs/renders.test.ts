import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { startHarness, type Harness } from '../testing/harness.ts';
import { readArtifact } from './packages/artifact.ts';
import { renderPackage } from './engine/engine.ts';
import {
  addVersion,
  archive,
  cloneInstall,
  git,
  hashOfCheckout,
  install,
  publish,
  render,
  waitOperation,
} from './test-fixtures.ts';

const CLOCK_PROGRAM = `export default function render(input) {
  const d = new Date();
  return [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'clock' },
    data: { now: String(Date.now()), iso: d.toISOString(), r1: String(Math.random()), r2: String(Math.random()), perf: String(typeof performance) } }];
}`;

describe('renders', () => {
  let h: Harness;
  let base: string;
  before(async () => {
    h = await startHarness({ ATOLL_JOB_POLL_MS: '50' });
    base = await h.listen();
  });
  after(() => h.close());

  test('seed 003: POST /v1/installs/{id}/renders answers 201 running, then deploys with a commit and a hash', async () => {
    const { packageId } = await publish(h, { name: 'seed' });
    const inst = await install(h, packageId, { replicas: 2 });
    assert.equal(inst.state, 'healthy');
    const res = await h.request('POST', `/v1/installs/${inst.id}/renders`, {
      body: { message: 'Roll out', skip_unchanged: false, extra_annotations: {} },
    });
    assert.equal(res.status, 201, res.text);
    for (const key of [
      'id',
      'workspace_id',
      'install_id',
      'render_hash',
      'state',
      'created_at',
      'updated_at',
      'operation_id',
      'repository_change_request_id',
      'commit_sha',
      'message',
    ]) {
      assert.ok(key in res.body, `missing ${key}`);
    }
    assert.equal(res.body.state, 'running');
    assert.equal(res.body.install_id, inst.id);
    assert.equal(res.body.message, 'Roll out');
    await waitOperation(h, res.body.operation_id);
    const done = (await h.request('GET', `/v1/installs/${inst.id}/renders/${res.body.id}`)).body;
    assert.equal(done.state, 'deployed');
    assert.match(done.render_hash, /^sha256:[0-9a-f]{64}$/);
    assert.match(done.commit_sha, /^[0-9a-f]{40}$/);
    const repo = (await h.request('GET', `/v1/repositories/${inst.repository_id}`)).body;
    assert.equal(repo.purpose, 'deploy');
    assert.equal(repo.last_deploy_sha, done.commit_sha);
    assert.equal(repo.last_render_hash, done.render_hash);
    assert.equal(repo.cluster_id, 'local');
    const list = (await h.request('GET', `/v1/installs/${inst.id}/renders`)).body;
    assert.deepEqual(list.data.map((r: { id: string }) => r.id).slice(0, 1), [done.id]);
  });

  test('the hash recomputed from the cloned files matches; the clone shows one commit per deployed render, with its message', async () => {
    const { packageId } = await publish(h, { name: 'cloned' });
    const inst = await install(h, packageId, { name: 'api', replicas: 3 });
    const second = await render(h, inst.id, {
      message: 'Second deploy\n\nwith a body',
      skip_unchanged: false,
    });
    assert.equal(second.state, 'deployed');
    const skipped = await render(h, inst.id, { message: 'nothing new' });
    assert.equal(skipped.state, 'skipped');
    const dir = await cloneInstall(base, inst.clone_url, h.token);
    assert.equal(hashOfCheckout(dir), second.render_hash);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'manifests')).sort(), [
      '000-configmap-api-config.yaml',
      '001-deployment-api.yaml',
    ]);
    assert.deepEqual(
      fs
        .readdirSync(dir)
        .filter((f) => f !== '.git')
        .sort(),
      ['inputs.yaml', 'manifests', 'package.yaml'],
    );
    assert.match(fs.readFileSync(path.join(dir, 'inputs.yaml'), 'utf8'), /replicas: 3/);
    const log = (await git(dir, 'log', '--format=%H%x00%B%x01'))
      .split('\x01')
      .map((e) => e.trim())
      .filter(Boolean);
    assert.equal(log.length, 2, 'one commit per deployed render (the skipped one made none)');
    const [newest, first] = log.map((e) => e.split('\0')) as [string[], string[]];
    assert.equal(newest[0], second.commit_sha);
    assert.match(newest[1]!, /^Second deploy\n\nwith a body\n/);
    assert.match(newest[1]!, new RegExp(`Atoll-Render: ${second.id}`));
    assert.match(first[1]!, /^Install 1\.0\.0/);
    // Canonical YAML: keys sorted at every level.
    const deployment = parseAllDocuments(
      fs.readFileSync(path.join(dir, 'manifests', '001-deployment-api.yaml'), 'utf8'),
    );
    assert.deepEqual(Object.keys((deployment as any)[0].toJS()), ['apiVersion', 'kind', 'metadata', 'spec']);
  });

  test('skip_unchanged: true skips an unchanged render without a commit; false commits it anyway', async () => {
    const { packageId } = await publish(h, { name: 'skip' });
    const inst = await install(h, packageId);
    const before = (await h.request('GET', `/v1/repositories/${inst.repository_id}`)).body;
    const skipped = await render(h, inst.id, { skip_unchanged: true });
    assert.equal(skipped.state, 'skipped');
    assert.equal(skipped.commit_sha, null);
    assert.equal(skipped.render_hash, before.last_render_hash);
    const defaulted = await render(h, inst.id, {});
    assert.equal(defaulted.state, 'skipped', 'skip_unchanged defaults to true');
    const forced = await render(h, inst.id, { skip_unchanged: false });
    assert.equal(forced.state, 'deployed');
    assert.equal(forced.render_hash, before.last_render_hash);
    assert.notEqual(forced.commit_sha, before.last_deploy_sha);
    const after = (await h.request('GET', `/v1/repositories/${inst.repository_id}`)).body;
    assert.equal(after.last_deploy_sha, forced.commit_sha);
  });

  test('extra_annotations land on every object with the provenance annotations; atoll.dev/ keys and bad keys are 422', async () => {
    const { packageId } = await publish(h, {
      name: 'annotated',
      manifests: {
        'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: web\n  annotations:\n    own: kept\n',
      },
    });
    const inst = await install(h, packageId);
    const done = await render(h, inst.id, {
      extra_annotations: { 'team.example.com/owner': 'platform', tier: 'gold' },
    });
    assert.equal(done.state, 'deployed', 'different annotations are different output');
    const dir = await cloneInstall(base, inst.clone_url, h.token);
    const files = fs.readdirSync(path.join(dir, 'manifests')).sort();
    assert.equal(files.length, 3);
    assert.equal(files[0], '000-namespace-web.yaml', 'static manifests come first');
    for (const file of files) {
      const object = parseAllDocuments(fs.readFileSync(path.join(dir, 'manifests', file), 'utf8')) as any;
      const annotations = object[0].toJS().metadata.annotations;
      assert.equal(annotations['team.example.com/owner'], 'platform', file);
      assert.equal(annotations.tier, 'gold', file);
      assert.equal(annotations['atoll.dev/install-id'], inst.id, file);
      assert.equal(annotations['atoll.dev/package'], 'annotated', file);
    }
    const reserved = await h.request('POST', `/v1/installs/${inst.id}/renders`, {
      body: { extra_annotations: { 'atoll.dev/x': 'y' } },
    });
    assert.equal(reserved.status, 422, reserved.text);
    assert.deepEqual(reserved.body.errors[0].path, ['body', 'extra_annotations', 'atoll.dev/x']);
    const bad = await h.request('POST', `/v1/installs/${inst.id}/renders`, {
      body: { extra_annotations: { 'not a key!': 'y' } },
    });
    assert.equal(bad.status, 422, bad.text);
    const long = await h.request('POST', `/v1/installs/${inst.id}/renders`, {
      body: { message: 'x'.repeat(256) },
    });
    assert.equal(long.status, 422);
    assert.deepEqual(long.body.errors[0].path, ['body', 'message']);
    const unknown = await h.request('POST', `/v1/installs/${inst.id}/renders`, { body: { skip: true } });
    assert.equal(unknown.status, 422);
  });

  test('a program that throws ends failed with the reason on the render and its operation; the install is failed', async () => {
    const { packageId } = await publish(h, {
      name: 'thrower',
      program:
        'export default function render(input) { if (input.replicas > 5) throw new Error("too many replicas: " + input.replicas); return []; }',
    });
    const created = await h.request('POST', '/v1/installs', {
      body: {
        package_id: packageId,
        package_version_pin: { kind: 'latest' },
        region_id: 'local',
        initial_values: { replicas: 9 },
      },
    });
    assert.equal(created.status, 202);
    const op = await waitOperation(h, created.body.id);
    assert.equal(op.state, 'FAILED');
    assert.match(op.error.message, /too many replicas: 9/);
    const renders = (await h.request('GET', `/v1/installs/${created.body.owner_id}/renders`)).body.data;
    assert.equal(renders[0].state, 'failed');
    assert.match(renders[0].failure.message, /too many replicas: 9/);
    assert.equal(renders[0].commit_sha, null);
    const inst = (await h.request('GET', `/v1/installs/${created.body.owner_id}`)).body;
    assert.equal(inst.state, 'failed');
  });

  test('invalid inputs: create is 422 naming the field; an :update to a stricter version fails its render naming it, and the install stays', async () => {
    const { packageId, versionId } = await publish(h, { name: 'strict' });
    const bad = await h.request('POST', '/v1/installs', {
      body: {
        package_id: packageId,
        package_version_pin: { kind: 'latest' },
        region_id: 'local',
        initial_values: { replicas: 'three' },
      },
    });
    assert.equal(bad.status, 422, bad.text);
    assert.deepEqual(bad.body.errors[0].path, ['body', 'initial_values', 'replicas']);
    const inst = await install(h, packageId, { replicas: 4 });
    const stricter = await addVersion(h, packageId, {
      name: 'strict',
      version: '2.0.0',
      schema: {
        type: 'object',
        properties: {
          name: { type: 'string', default: 'web' },
          replicas: { type: 'integer', maximum: 3, default: 1 },
        },
      },
    });
    // Pinned to latest: publishing 2.0.0 started an update render already. Either way, it must fail.
    const current = (await h.request('GET', `/v1/installs/${inst.id}`)).body;
    const upd = await h.request('POST', `/v1/installs/${inst.id}:update`, {
      body: { package_version_id: stricter },
      headers: { 'if-match': current.etag, 'idempotency-key': 'upd-strict' },
    });
    assert.equal(upd.status, 202, upd.text);
    assert.equal(upd.body.render.state, 'running');
    await waitOperation(h, upd.body.render.operation_id);
    const failed = (await h.request('GET', `/v1/installs/${inst.id}/renders/${upd.body.render.id}`)).body;
    assert.equal(failed.state, 'failed');
    assert.equal(failed.failure.code, 'invalid_inputs');
    assert.deepEqual(failed.failure.path, ['inputs', 'replicas']);
    const after = (await h.request('GET', `/v1/installs/${inst.id}`)).body;
    assert.equal(after.package_version_id, versionId, 'the install switches only after a deploy');
    const missingKey = await h.request('POST', `/v1/installs/${inst.id}:update`, {
      body: { package_version_id: stricter },
      headers: { 'if-match': after.etag },
    });
    assert.equal(missingKey.status, 400);
    assert.deepEqual(missingKey.body.errors[0].path, ['header', 'idempotency-key']);
    const stale = await h.request('POST', `/v1/installs/${inst.id}:update`, {
      body: { package_version_id: stricter },
      headers: { 'if-match': '"1"', 'idempotency-key': 'stale' },
    });
    assert.equal(stale.status, 409);
  });

  test(':update switches the install after the render deploys; :restore makes a forward commit of an old render', async () => {
    const { packageId, versionId } = await publish(h, { name: 'lifecycle' });
    const inst = await install(
      h,
      packageId,
      { replicas: 1 },
      { package_version_pin: { kind: 'pinned', version: '1.0.0' } },
    );
    const first = (await h.request('GET', `/v1/installs/${inst.id}/renders`)).body.data[0];
    const v2 = await addVersion(h, packageId, { name: 'lifecycle', version: '1.1.0', program: PROGRAM_V2 });
    let current = (await h.request('GET', `/v1/installs/${inst.id}`)).body;
    assert.equal(current.package_version_id, versionId, 'pinned installs do not follow new versions');
    const upd = await h.request('POST', `/v1/installs/${inst.id}:update`, {
      body: { package_version_id: v2 },
      headers: { 'if-match': current.etag, 'idempotency-key': 'u1' },
    });
    assert.equal(upd.status, 202, upd.text);
    assert.equal(upd.body.install.desired_version.id, v2);
    await waitOperation(h, upd.body.render.operation_id);
    current = (await h.request('GET', `/v1/installs/${inst.id}`)).body;
    assert.equal(current.package_version_id, v2);
    assert.equal(current.desired_version_id, null);
    const res = await h.request('POST', `/v1/installs/${inst.id}:restore`, {
      body: { render_id: first.id },
      headers: { 'if-match': current.etag, 'idempotency-key': 'r1' },
    });
    assert.equal(res.status, 202, res.text);
    await waitOperation(h, res.body.render.operation_id);
    const restored = (await h.request('GET', `/v1/installs/${inst.id}/renders/${res.body.render.id}`)).body;
    assert.equal(restored.state, 'deployed');
    assert.equal(restored.restored_from_render_id, first.id);
    assert.equal(restored.render_hash, first.render_hash);
    assert.notEqual(restored.commit_sha, first.commit_sha, 'a new forward commit, not a reset');
    current = (await h.request('GET', `/v1/installs/${inst.id}`)).body;
    assert.equal(current.package_version_id, versionId);
    const dir = await cloneInstall(base, inst.clone_url, h.token);
    assert.equal((await git(dir, 'rev-list', '--count', 'HEAD')).trim(), '3');
    assert.equal(hashOfCheckout(dir), first.render_hash);
  });

  test('10 concurrent renders of one install give 10 commits in one linear history, none lost', async () => {
    const { packageId } = await publish(h, { name: 'concurrent' });
    const inst = await install(h, packageId);
    const renders = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        render(h, inst.id, { message: `concurrent ${i}`, skip_unchanged: false }),
      ),
    );
    assert.ok(
      renders.every((r) => r.state === 'deployed'),
      JSON.stringify(renders.map((r) => r.state)),
    );
    const dir = await cloneInstall(base, inst.clone_url, h.token);
    const history = (await git(dir, 'log', '--format=%H %P%x00%s'))
      .trim()
      .split('\n')
      .map((l) => l.split('\0'));
    assert.equal(history.length, 11);
    for (const [shaAndParents] of history)
      assert.ok(shaAndParents!.trim().split(' ').length <= 2, 'no merges');
    const shas = new Set(history.map(([s]) => s!.split(' ')[0]));
    for (const r of renders) assert.ok(shas.has(r.commit_sha), `commit of ${r.message} is in the history`);
    const subjects = history.map(([, s]) => s);
    assert.deepEqual(
      subjects.slice(0, 10).sort(),
      Array.from({ length: 10 }, (_, i) => `concurrent ${i}`).sort(),
    );
  });

  test('a program reading the clock and Math.random renders the same bytes in another process, later', async () => {
    const bytes = await archive({ name: 'clock', program: CLOCK_PROGRAM, schema: { type: 'object' } });
    const contents = await readArtifact(bytes);
    const request = {
      contents,
      values: {},
      context: {
        install: { id: 'inst_fixed', workspace_id: 'ws_fixed' },
        package: { name: 'clock', version: '1.0.0' },
      },
      extraAnnotations: { a: 'b' },
      limits: {},
    };
    const here = await renderPackage(h.atoll.executor, request);
    assert.ok(here.ok, JSON.stringify(here));
    // Deliberate: a second later by the real clock, the other process must still render the same bytes.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const script = `
      import { loadConfig } from './src/config.ts';
      import { createExecutor } from './src/isolate/executor.ts';
      import { renderPackage } from './src/installs/engine/engine.ts';
      import pino from 'pino';
      const request = JSON.parse(process.argv[1]);
      const executor = createExecutor(loadConfig({}).executor, { log: pino({ level: 'silent' }), fetch: async () => new Response(null, { status: 404 }) });
      const result = await renderPackage(executor, request);
      process.stdout.write(JSON.stringify(result));
      await executor.close();`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '--eval', script, JSON.stringify(request)],
      { cwd: process.cwd() },
    );
    const there = JSON.parse(stdout);
    assert.deepEqual(there, here);
    const yaml = here.ok ? here.files[0]!.yaml : '';
    assert.match(yaml, /now: "0"/, 'Date.now is frozen at the epoch');
    assert.match(yaml, /iso: 1970-01-01T00:00:00.000Z/);

    // And through the API: two installs' renders of it agree with each other up to the install id.
    const { packageId } = await publish(h, {
      name: 'clock-api',
      program: CLOCK_PROGRAM,
      schema: { type: 'object' },
    });
    const inst = await install(h, packageId);
    const again = await render(h, inst.id, { skip_unchanged: true });
    assert.equal(again.state, 'skipped', 'a later render of the same inputs has the same hash');
  });

  test('installs: region and cluster are checked, lists page, get/delete with if-match, repositories filter by purpose', async () => {
    const { packageId } = await publish(h, { name: 'crud' });
    const wrongRegion = await h.request('POST', '/v1/installs', {
      body: { package_id: packageId, package_version_pin: { kind: 'latest' }, region_id: 'eu-west-1' },
    });
    assert.equal(wrongRegion.status, 422);
    assert.deepEqual(wrongRegion.body.errors[0].path, ['body', 'region_id']);
    const missingPin = await h.request('POST', '/v1/installs', {
      body: { package_id: packageId, region_id: 'local' },
    });
    assert.equal(missingPin.status, 422);
    assert.deepEqual(missingPin.body.errors[0].path, ['body', 'package_version_pin']);
    const inst = await install(h, packageId);
    const page = (await h.request('GET', '/v1/installs?limit=1')).body;
    assert.equal(page.data.length, 1);
    assert.equal(page.has_more, true);
    const deploy = (await h.request('GET', '/v1/repositories?purpose=deploy&limit=100')).body.data;
    assert.ok(deploy.some((r: { id: string }) => r.id === inst.repository_id));
    assert.ok(deploy.every((r: { purpose: string }) => r.purpose === 'deploy'));
    const pkgRepos = (await h.request('GET', '/v1/repositories?purpose=package&limit=100')).body.data;
    assert.ok(pkgRepos.length > 0 && pkgRepos.every((r: { package_id: string }) => r.package_id));
    const other = await h.newWorkspace('renders-other');
    assert.equal((await h.request('GET', `/v1/installs/${inst.id}`, { token: other.token })).status, 404);
    assert.equal(
      (await h.request('GET', `/v1/repositories/${inst.repository_id}`, { token: other.token })).status,
      404,
    );
    const dir = await cloneInstall(base, inst.clone_url, h.token);
    assert.ok(fs.existsSync(path.join(dir, 'inputs.yaml')));
    await assert.rejects(cloneInstall(base, inst.clone_url, other.token), /not found|403|404/);
    await assert.rejects(cloneInstall(base, inst.clone_url, 'sk_wrong_token_wrong_token_wrong_token'));
    const noMatch = await h.request('DELETE', `/v1/installs/${inst.id}`);
    assert.equal(noMatch.status, 428);
    const del = await h.request('DELETE', `/v1/installs/${inst.id}`, { headers: { 'if-match': inst.etag } });
    assert.equal(del.status, 202, del.text);
    const op = await waitOperation(h, del.body.id);
    assert.equal(op.state, 'SUCCEEDED');
    assert.equal((await h.request('GET', `/v1/installs/${inst.id}`)).body.state, 'deleted');
    assert.equal((await h.request('GET', `/v1/repositories/${inst.repository_id}`)).status, 404);
    await assert.rejects(cloneInstall(base, inst.clone_url, h.token));
  });
});

const PROGRAM_V2 = `export default function render(input) {
  return [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: input.name, labels: { v: '2' } }, spec: { replicas: input.replicas } }];
}`;
