import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startHarness, tempDir, type Harness } from '../testing/harness.ts';
import { addVersion, git, install, publish, render, waitOperation } from './test-fixtures.ts';

const DOUBLED = `export default function render(input) {
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: input.name + '-config' }, data: { replicas: String(input.replicas) } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: input.name }, spec: { replicas: input.replicas * 2 } },
  ];
}`;

type File = { path: string; status: string; additions: number; deletions: number; patch: string };
const summary = (files: File[]) => files.map((f) => `${f.status} ${f.path}`);

describe('diffs of renders and change requests', () => {
  let h: Harness;
  let base: string;
  before(async () => {
    h = await startHarness({ ATOLL_JOB_POLL_MS: '50' });
    base = await h.listen();
  });
  after(() => h.close());

  const renderDiff = (installId: string, renderId: string, token = h.token) =>
    h.request('GET', `/v1/installs/${installId}/renders/${renderId}/diff`, { token });

  test("a render's diff: the first commit adds every file; an update shows the changed lines; a skipped render has no commit", async () => {
    const { packageId } = await publish(h, { name: 'diffed' });
    const inst = await install(
      h,
      packageId,
      { replicas: 1 },
      { package_version_pin: { kind: 'pinned', version: '1.0.0' } },
    );
    const [first] = (await h.request('GET', `/v1/installs/${inst.id}/renders`)).body.data;
    const initial = await renderDiff(inst.id, first.id);
    assert.equal(initial.status, 200, initial.text);
    assert.equal(initial.body.commit_sha, first.commit_sha);
    assert.equal(initial.body.to_sha, first.commit_sha);
    assert.equal(initial.body.from_sha, null, 'the root commit is compared with the empty tree');
    assert.deepEqual(summary(initial.body.files), [
      'added inputs.yaml',
      'added manifests/000-configmap-web-config.yaml',
      'added manifests/001-deployment-web.yaml',
      'added package.yaml',
    ]);
    assert.equal(initial.body.total_files, 4);
    assert.equal(initial.body.truncated, false);
    assert.ok(initial.body.files.every((f: File) => f.deletions === 0 && f.additions > 0));
    assert.match(initial.body.files[2].patch, /^diff --git a\/manifests\/001-deployment-web.yaml /);
    assert.match(initial.body.files[2].patch, /^\+kind: Deployment$/m);

    const v2 = await addVersion(h, packageId, { name: 'diffed', version: '1.1.0', program: DOUBLED });
    const current = (await h.request('GET', `/v1/installs/${inst.id}`)).body;
    const upd = await h.request('POST', `/v1/installs/${inst.id}:update`, {
      body: { package_version_id: v2 },
      headers: { 'if-match': current.etag, 'idempotency-key': 'diff-update' },
    });
    assert.equal(upd.status, 202, upd.text);
    await waitOperation(h, upd.body.render.operation_id);
    const updated = (await h.request('GET', `/v1/installs/${inst.id}/renders/${upd.body.render.id}`)).body;
    assert.equal(updated.state, 'deployed');
    const change = (await renderDiff(inst.id, updated.id)).body;
    assert.equal(change.from_sha, first.commit_sha, 'against the commit before it on main');
    assert.equal(change.to_sha, updated.commit_sha);
    // The version changed: the objects' provenance annotations and package.yaml move with it.
    assert.deepEqual(summary(change.files), [
      'modified manifests/000-configmap-web-config.yaml',
      'modified manifests/001-deployment-web.yaml',
      'modified package.yaml',
    ]);
    const deployment = change.files[1] as File;
    assert.ok(deployment.additions >= 1 && deployment.deletions >= 1);
    assert.match(deployment.patch, /^-\s+replicas: 1$/m);
    assert.match(deployment.patch, /^\+\s+replicas: 2$/m);
    assert.match(change.files[2].patch, /^\+version: 1\.1\.0$/m);

    const skipped = await render(h, inst.id, { skip_unchanged: true });
    assert.equal(skipped.state, 'skipped');
    assert.deepEqual((await renderDiff(inst.id, skipped.id)).body, {
      render_id: skipped.id,
      install_id: inst.id,
      commit_sha: null,
      from_sha: null,
      to_sha: null,
      files: [],
      total_files: 0,
      truncated: false,
    });
  });

  test("a change request's diff is its fork's head against its base; gone with the fork", async () => {
    const { packageId } = await publish(h, { name: 'diffed-rcr' });
    const inst = await install(h, packageId, { replicas: 2 });
    const opened = await h.request('POST', '/v1/repository_change_requests', {
      body: { kind: 'user', parent_repository_id: inst.repository_id },
      headers: { 'idempotency-key': 'diff-rcr' },
    });
    assert.equal(opened.status, 201, opened.text);
    const rcr = opened.body;
    const empty = await h.request('GET', `/v1/repository_change_requests/${rcr.id}/diff`);
    assert.equal(empty.status, 200, empty.text);
    assert.deepEqual(empty.body, {
      repository_change_request_id: rcr.id,
      from_sha: rcr.base_sha,
      to_sha: rcr.base_sha,
      files: [],
      total_files: 0,
      truncated: false,
    });

    const tok = await h.request('POST', `/v1/repository_change_requests/${rcr.id}:createToken`, {
      body: { scope: 'write' },
      headers: { 'idempotency-key': 'diff-tok' },
    });
    assert.equal(tok.status, 201, tok.text);
    const url = new URL(tok.body.fork_remote_url);
    const target = new URL(base);
    const dir = path.join(tempDir('atoll-diff-fork-'), 'fork');
    const remote = `${target.protocol}//x:${tok.body.fork_write_token}@${target.host}${url.pathname}`;
    await git(process.cwd(), 'clone', '--quiet', remote, dir);
    fs.writeFileSync(path.join(dir, 'inputs.yaml'), 'replicas: 7\n');
    await git(
      dir,
      '-c',
      'user.name=R',
      '-c',
      'user.email=r@example.com',
      'commit',
      '--quiet',
      '-am',
      'Seven',
    );
    await git(dir, 'push', '--quiet', 'origin', 'main');
    const pushed = (await git(dir, 'rev-parse', 'HEAD')).trim();

    const res = await h.request('GET', `/v1/repository_change_requests/${rcr.id}/diff`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.from_sha, rcr.base_sha);
    assert.equal(res.body.to_sha, pushed);
    assert.deepEqual(summary(res.body.files), ['modified inputs.yaml']);
    assert.match(res.body.files[0].patch, /^-replicas: 2$/m);
    assert.match(res.body.files[0].patch, /^\+replicas: 7$/m);

    const other = await h.newWorkspace('diff-other');
    const foreign = await h.request('GET', `/v1/repository_change_requests/${rcr.id}/diff`, {
      token: other.token,
    });
    assert.equal(foreign.status, 404, foreign.text);

    const current = (await h.request('GET', `/v1/repository_change_requests/${rcr.id}`)).body;
    const withdrawn = await h.request('POST', `/v1/repository_change_requests/${rcr.id}:withdraw`, {
      headers: { 'if-match': current.etag, 'idempotency-key': 'diff-withdraw' },
    });
    assert.equal(withdrawn.status, 200, withdrawn.text);
    const gone = await h.request('GET', `/v1/repository_change_requests/${rcr.id}/diff`);
    assert.equal(gone.status, 409, gone.text);
    assert.match(gone.body.errors[0].message, /WITHDRAWN; its fork is gone/);
  });

  test('unknown, foreign and malformed ids are 404; a deleted install has no diffs left (409)', async () => {
    const { packageId } = await publish(h, { name: 'diffed-404' });
    const inst = await install(h, packageId);
    const other = await install(h, packageId);
    const [first] = (await h.request('GET', `/v1/installs/${inst.id}/renders`)).body.data;
    assert.equal((await renderDiff(inst.id, first.id)).status, 200);
    const missing = await renderDiff(inst.id, 'rnd_aaaaaaaaaaaaaaaaaaaaaaaaaa');
    assert.equal(missing.status, 404, missing.text);
    assert.equal(missing.body.success, false, 'the Akua envelope');
    assert.equal((await renderDiff(other.id, first.id)).status, 404, "another install's render");
    const ws = await h.newWorkspace('diff-foreign');
    assert.equal((await renderDiff(inst.id, first.id, ws.token)).status, 404, "another workspace's");
    assert.equal((await renderDiff(inst.id, 'r'.repeat(60))).status, 404, 'a malformed render id');
    assert.equal((await renderDiff('i'.repeat(60), first.id)).status, 404, 'a malformed install id');
    const rcr = await h.request('GET', `/v1/repository_change_requests/rcr_aaaaaaaaaaaaaaaaaaaaaaaaaa/diff`);
    assert.equal(rcr.status, 404, rcr.text);
    const badRcr = await h.request('GET', `/v1/repository_change_requests/${'x'.repeat(60)}/diff`);
    assert.equal(badRcr.status, 404, badRcr.text);
    assert.equal(
      (await h.request('GET', `/v1/installs/${inst.id}/renders/${first.id}/diff`, { token: null })).status,
      401,
    );

    const current = (await h.request('GET', `/v1/installs/${inst.id}`)).body;
    const del = await h.request('DELETE', `/v1/installs/${inst.id}`, {
      headers: { 'if-match': current.etag },
    });
    assert.equal(del.status, 202, del.text);
    await waitOperation(h, del.body.id);
    const gone = await renderDiff(inst.id, first.id);
    assert.equal(gone.status, 409, gone.text);
    assert.match(gone.body.errors[0].message, /was deleted with it/);
  });
});
