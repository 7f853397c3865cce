import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness, type TestResponse } from '../testing/harness.ts';
import { insertOperation, settleOperation } from '../operations/store.ts';
import { checkPublishedResponse } from '../testing/published-api.ts';
import { addVersion, install, publish, waitOperation } from './test-fixtures.ts';

describe('install status, pods, logs and automatic updates', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ ATOLL_JOB_POLL_MS: '50' });
  });
  after(() => h.close());

  /** The response, after checking it is what the published operation answers with its status. */
  const published = (operationId: string, res: TestResponse, status: number): TestResponse => {
    assert.equal(res.status, status, res.text);
    assert.deepEqual(checkPublishedResponse(operationId, res.status, res.body), []);
    return res;
  };
  const statusOf = async (id: string) =>
    published('installs.getStatus', await h.request('GET', `/v1/installs/${id}/status`), 200).body;
  const getInstall = async (id: string) => (await h.request('GET', `/v1/installs/${id}`)).body;
  const setAutomatic = (id: string, enabled: unknown, etag: string, key: string) =>
    h.request('PATCH', `/v1/installs/${id}/automatic_updates`, {
      body: { automatic_updates_enabled: enabled },
      headers: { 'if-match': etag, 'idempotency-key': key },
    });

  test('GET /v1/installs/{id}/status: the deployed commit, the version, the newest render; cluster fields null', async () => {
    const { packageId, versionId } = await publish(h, { name: 'status' });
    const inst = await install(h, packageId, { replicas: 2 });
    const repo = (await h.request('GET', `/v1/repositories/${inst.repository_id}`)).body;
    const status = await statusOf(inst.id);
    const renders = (await h.request('GET', `/v1/installs/${inst.id}/renders`)).body.data;
    assert.deepEqual(status, {
      install_id: inst.id,
      health: null,
      sync: null,
      revision: repo.last_deploy_sha,
      resources: null,
      operation_phase: null,
      updated_at: inst.updated_at,
      state: 'healthy',
      reconciling: false,
      package_version_id: versionId,
      desired_version_id: null,
      automatic_updates_enabled: true,
      repository_id: inst.repository_id,
      deployed_render_hash: repo.last_render_hash,
      last_render: renders[0],
    });
    assert.match(status.revision, /^[0-9a-f]{40}$/);
    assert.equal(status.last_render.commit_sha, status.revision);

    // A failed render: the install is degraded, the revision stays the last deployed commit.
    const v2 = await addVersion(h, packageId, {
      name: 'status',
      version: '2.0.0',
      schema: { type: 'object', properties: { replicas: { type: 'integer', maximum: 1, default: 1 } } },
    });
    const updating = (await h.request('GET', `/v1/installs/${inst.id}/renders`)).body.data[0];
    await waitOperation(h, updating.operation_id);
    const degraded = await statusOf(inst.id);
    assert.equal(degraded.state, 'degraded');
    assert.equal(degraded.reconciling, false);
    assert.equal(degraded.revision, status.revision);
    assert.equal(degraded.package_version_id, versionId);
    assert.equal(degraded.desired_version_id, v2);
    assert.equal(degraded.last_render.id, updating.id);
    assert.equal(degraded.last_render.state, 'failed');
    assert.equal(degraded.last_render.failure.code, 'invalid_inputs');
  });

  test('a render in flight (waiting for review): reconciling, its newest render running, nothing deployed yet', async () => {
    const { packageId } = await publish(h, { name: 'reviewed-status' });
    const created = await h.request('POST', '/v1/installs', {
      body: {
        package_id: packageId,
        package_version_pin: { kind: 'pinned', version: '1.0.0' },
        region_id: 'local',
        require_review: true,
      },
    });
    assert.equal(created.status, 202, created.text);
    const id = created.body.owner_id;
    const status = await statusOf(id);
    assert.equal(status.reconciling, true);
    assert.equal(status.revision, null, 'nothing deployed yet');
    assert.equal(status.deployed_render_hash, null);
    assert.equal(status.last_render.state, 'running');
    assert.equal(status.automatic_updates_enabled, false, 'pinned');
    assert.equal((await getInstall(id)).reconciling, true);
  });

  test('a deleted install: state deleted, no revision once its repository is purged', async () => {
    const { packageId } = await publish(h, { name: 'deleted-status' });
    const inst = await install(h, packageId);
    const del = await h.request('DELETE', `/v1/installs/${inst.id}`, { headers: { 'if-match': inst.etag } });
    assert.equal(del.status, 202, del.text);
    await waitOperation(h, del.body.id);
    const status = await statusOf(inst.id);
    assert.equal(status.state, 'deleted');
    assert.equal((await getInstall(inst.id)).reconciling, false);
    assert.equal(status.reconciling, false);
    assert.equal(status.revision, null);
  });

  test('an operation of the install still running (a delete purging) makes it reconciling', async () => {
    const { packageId } = await publish(h, { name: 'purging' });
    const inst = await install(h, packageId);
    assert.equal((await statusOf(inst.id)).reconciling, false);
    const op = await insertOperation(h.database.db, {
      workspaceId: h.workspaceId,
      ownerType: 'install',
      ownerId: inst.id,
      state: 'RUNNING',
      metadata: { type: 'install.delete', install_id: inst.id },
      steps: [],
    });
    assert.equal((await statusOf(inst.id)).reconciling, true);
    assert.equal((await getInstall(inst.id)).reconciling, true);
    await settleOperation(h.database.db, op.id, { state: 'CANCELLED', error: { message: 'test' } });
    assert.equal((await statusOf(inst.id)).reconciling, false);
  });

  test('pods and logs: 404 saying Atoll has no cluster connection; an unknown install is a plain 404 first', async () => {
    const { packageId } = await publish(h, { name: 'pods' });
    const inst = await install(h, packageId);
    for (const [operationId, url] of [
      ['installs.listPods', `/v1/installs/${inst.id}/pods`],
      ['installs.getLogs', `/v1/installs/${inst.id}/logs`],
      [
        'installs.getLogs',
        `/v1/installs/${inst.id}/logs?pod=web-1&container=web&follow=false&tail=10&since_seconds=60`,
      ],
    ] as const) {
      const res = published(operationId, await h.request('GET', url), 404);
      const [error] = res.body.errors;
      assert.equal(error.metadata.reason, 'no_cluster_connection');
      assert.match(error.message, /Atoll has no connection to the cluster of install inst_/);
    }
    const other = await h.newWorkspace('pods-other');
    for (const [operationId, suffix] of [
      ['installs.listPods', 'pods'],
      ['installs.getLogs', 'logs'],
      ['installs.getStatus', 'status'],
    ] as const) {
      for (const [id, token] of [
        ['inst_aaaaaaaaaaaaaaaaaaaaaaaaaa', h.token],
        [inst.id, other.token],
      ]) {
        const res = published(
          operationId,
          await h.request('GET', `/v1/installs/${id}/${suffix}`, { token }),
          404,
        );
        assert.equal(res.body.errors[0].metadata.reason, undefined, 'a plain not found');
        assert.equal(res.body.errors[0].message, `install ${id} not found`);
      }
      published(
        operationId,
        await h.request('GET', `/v1/installs/${inst.id}/${suffix}`, { token: null }),
        401,
      );
    }
    const badTail = await h.request('GET', `/v1/installs/${inst.id}/logs?tail=many`);
    assert.equal(badTail.status, 400);
    assert.deepEqual(badTail.body.errors[0].path, ['query', 'tail']);
    const unknown = await h.request('GET', `/v1/installs/${inst.id}/logs?grep=x`);
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body.errors[0].path, ['query', 'grep']);
  });

  test('automatic updates off: the install is pinned to its version and a new version leaves it there', async () => {
    const { packageId, versionId } = await publish(h, { name: 'auto-off' });
    const inst = await install(h, packageId);
    const off = published(
      'installs.setAutomaticUpdates',
      await setAutomatic(inst.id, false, inst.etag, 'off'),
      200,
    );
    assert.equal(off.body.install.automatic_updates_enabled, false);
    assert.equal(off.body.render, null);
    assert.deepEqual(off.body.install.current_version, { id: versionId, semver: '1.0.0' });
    assert.equal(off.body.install.desired_version, null);
    assert.notEqual(off.body.install.etag, inst.etag);
    assert.equal(off.headers.get('etag'), `"${off.body.install.etag}"`);
    const pinned = await getInstall(inst.id);
    assert.deepEqual(pinned.package_version_pin, { kind: 'pinned', version: '1.0.0' });
    assert.equal(pinned.etag, off.body.install.etag);
    assert.equal((await statusOf(inst.id)).automatic_updates_enabled, false);

    // The same request again is a replay; the same setting with a new key changes nothing.
    const replay = await setAutomatic(inst.id, false, inst.etag, 'off');
    assert.equal(replay.status, 200);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(replay.body, off.body);
    const again = published(
      'installs.setAutomaticUpdates',
      await setAutomatic(inst.id, false, pinned.etag, 'off-2'),
      200,
    );
    assert.equal(again.body.install.etag, pinned.etag, 'nothing changed, so the etag stays');
    assert.equal(again.body.render, null);

    const rendersBefore = (await h.request('GET', `/v1/installs/${inst.id}/renders`)).body.data.length;
    await addVersion(h, packageId, { name: 'auto-off', version: '1.1.0' });
    const after = await getInstall(inst.id);
    assert.equal(after.package_version_id, versionId);
    assert.equal(after.desired_version_id, null);
    assert.equal((await h.request('GET', `/v1/installs/${inst.id}/renders`)).body.data.length, rendersBefore);
  });

  test('automatic updates on: the install follows latest again and is updated to it now', async () => {
    const { packageId, versionId } = await publish(h, { name: 'auto-on' });
    const created = await h.request('POST', '/v1/installs', {
      body: {
        package_id: packageId,
        package_version_pin: { kind: 'pinned', version: '1.0.0' },
        region_id: 'local',
      },
    });
    assert.equal(created.status, 202, created.text);
    await waitOperation(h, created.body.id);
    const v2 = await addVersion(h, packageId, { name: 'auto-on', version: '2.0.0' });
    const inst = await getInstall(created.body.owner_id);
    assert.equal(inst.package_version_id, versionId, 'a pinned install is not updated');

    const on = published(
      'installs.setAutomaticUpdates',
      await setAutomatic(inst.id, true, inst.etag, 'on'),
      200,
    );
    assert.equal(on.body.install.automatic_updates_enabled, true);
    assert.deepEqual(on.body.install.current_version, { id: versionId, semver: '1.0.0' });
    assert.deepEqual(on.body.install.desired_version, { id: v2, semver: '2.0.0' });
    assert.equal(on.body.render.package_version_id, v2);
    assert.equal(on.body.render.message, 'Update to 2.0.0 (latest)');
    await waitOperation(h, on.body.render.operation_id);
    const updated = await getInstall(inst.id);
    assert.equal(updated.package_version_id, v2);
    assert.deepEqual(updated.package_version_pin, { kind: 'latest' });
    const status = await statusOf(inst.id);
    assert.equal(status.automatic_updates_enabled, true);
    assert.equal(status.last_render.id, on.body.render.id);

    // Following latest: the next version is rolled out by itself.
    const v3 = await addVersion(h, packageId, { name: 'auto-on', version: '3.0.0' });
    const rollout = (await h.request('GET', `/v1/installs/${inst.id}/renders`)).body.data[0];
    assert.equal(rollout.package_version_id, v3);
    await waitOperation(h, rollout.operation_id);
    assert.equal((await getInstall(inst.id)).package_version_id, v3);

    // On again while on latest: nothing to do.
    const current = await getInstall(inst.id);
    const noop = published(
      'installs.setAutomaticUpdates',
      await setAutomatic(inst.id, true, current.etag, 'on-2'),
      200,
    );
    assert.equal(noop.body.render, null);
    assert.equal(noop.body.install.etag, current.etag);
  });

  test('automatic_updates: if-match and idempotency-key required, the body checked, unknown and deleted installs refused', async () => {
    const { packageId } = await publish(h, { name: 'auto-errors' });
    const inst = await install(h, packageId);
    const noMatch = await h.request('PATCH', `/v1/installs/${inst.id}/automatic_updates`, {
      body: { automatic_updates_enabled: false },
      headers: { 'idempotency-key': 'k1' },
    });
    assert.equal(noMatch.status, 428);
    assert.deepEqual(noMatch.body.errors[0].path, ['header', 'if-match']);
    const noKey = await h.request('PATCH', `/v1/installs/${inst.id}/automatic_updates`, {
      body: { automatic_updates_enabled: false },
      headers: { 'if-match': inst.etag },
    });
    assert.equal(noKey.status, 400);
    assert.deepEqual(noKey.body.errors[0].path, ['header', 'idempotency-key']);
    const stale = published(
      'installs.setAutomaticUpdates',
      await setAutomatic(inst.id, false, '999', 'k2'),
      409,
    );
    assert.equal(stale.body.errors[0].metadata.status, 'ABORTED');
    assert.equal(stale.body.errors[0].metadata.etag, inst.etag);
    for (const [body, path] of [
      [{}, ['body', 'automatic_updates_enabled']],
      [{ automatic_updates_enabled: 'yes' }, ['body', 'automatic_updates_enabled']],
      [{ automatic_updates_enabled: true, pin: 'latest' }, ['body', 'pin']],
    ] as const) {
      const res = await h.request('PATCH', `/v1/installs/${inst.id}/automatic_updates`, {
        body,
        headers: { 'if-match': inst.etag, 'idempotency-key': `bad-${JSON.stringify(body)}` },
      });
      assert.equal(res.status, 422, res.text);
      assert.deepEqual(res.body.errors[0].path, path);
    }
    published(
      'installs.setAutomaticUpdates',
      await setAutomatic('inst_aaaaaaaaaaaaaaaaaaaaaaaaaa', false, '1', 'k3'),
      404,
    );
    const del = await h.request('DELETE', `/v1/installs/${inst.id}`, { headers: { 'if-match': inst.etag } });
    assert.equal(del.status, 202);
    const deleted = await getInstall(inst.id);
    const refused = published(
      'installs.setAutomaticUpdates',
      await setAutomatic(inst.id, false, deleted.etag, 'k4'),
      409,
    );
    assert.equal(refused.body.errors[0].metadata.status, 'FAILED_PRECONDITION');
  });
});
