import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import type { Atoll } from '../atoll.ts';
import { startHarness, type Harness } from '../testing/harness.ts';
import { checkPublishedResponse } from '../testing/published-api.ts';
import type { OperationMetadata } from './kinds.ts';
import { operationsModule, type OperationsModule } from './module.ts';
import { notifyOperationSql } from './store.ts';
import type { OperationStep, OwnerType } from './schemas.ts';
import { createOperationService } from './service.ts';
import { pendingStep, withStepStatus } from './steps.ts';
import { insertOperation, settleOperation, updateOperation, type OperationRow } from './store.ts';
import { createOperationWaiter } from './waiter.ts';

const log = pino({ level: 'silent' });

type Kind = OperationMetadata['type'];
/** Nobody can cancel it: the plain operation of these tests. */
const PLAIN = 'install.delete';
const CANCELLABLE = 'workspace.delete';
const SLOW_CANCEL = 'package.create';
const DELETED = { type: 'install.delete', argo_app_deleted: false, repo_purged: true } as const;

/** Published metadata of each kind the tests use. */
function metadataOf(type: Kind): OperationMetadata {
  switch (type) {
    case 'install.delete':
      return { type, install_id: 'inst_test' };
    case 'workspace.delete':
      return { type, workspace_id: 'ws_test' };
    case 'package.create':
      return { type, idempotency_key: '', workspace_id: 'ws_test', name: 'test' };
    default:
      throw new Error(`no test metadata for ${type}`);
  }
}

/**
 * The operations module of the harness's Atoll. Until src/atoll.ts mounts it, build it here on the
 * harness's store and register its routes on the real app: that works because no request has reached
 * the app yet (Hono fixes its router at the first match) and the shared middleware was registered first.
 */
function mountOperations(h: Harness): { ops: OperationsModule; own: boolean } {
  const wired = (h.atoll as Atoll & { operations?: OperationsModule }).operations;
  if (wired) return { ops: wired, own: false };
  const ops = operationsModule({
    db: h.database.db,
    database: h.database,
    publicUrl: h.config.publicUrl,
    log,
  });
  ops.routes(h.atoll.app);
  return { ops, own: true };
}

describe('operations', () => {
  let h: Harness;
  let ops: OperationsModule;
  let ownModule = false;
  const cancelled: Array<{ id: string; subject: string }> = [];

  before(async () => {
    h = await startHarness();
    ({ ops, own: ownModule } = mountOperations(h));
    // Cancellers as a domain would register them, on kinds Atoll settles at once (so no domain has one):
    // this one settles the operation CANCELLED.
    ops.registerCanceller(CANCELLABLE, async (op, caller) => {
      cancelled.push({ id: op.id, subject: caller.subject });
      await ops.settle(op.id, { state: 'CANCELLED', error: { message: 'cancelled by request' } });
    });
    // One that only asks: the operation stays RUNNING until the work notices.
    ops.registerCanceller(SLOW_CANCEL, async (op, caller) => {
      cancelled.push({ id: op.id, subject: caller.subject });
    });
  });
  after(async () => {
    if (ownModule) await ops.close();
    await h.close();
  });

  async function insert(
    options: {
      state?: OperationRow['state'];
      type?: Kind;
      ownerType?: OwnerType;
      ownerId?: string;
      workspaceId?: string;
    } = {},
  ): Promise<OperationRow> {
    return insertOperation(h.database.db, {
      workspaceId: options.workspaceId ?? h.workspaceId,
      ownerType: options.ownerType ?? 'install',
      ownerId: options.ownerId ?? 'inst_test',
      state: options.state ?? 'RUNNING',
      metadata: metadataOf(options.type ?? PLAIN),
      steps: [pendingStep({ name: 'render' }, new Date())],
    });
  }

  test('GET /v1/operations/{id} returns the operation with its steps and an ETag', async () => {
    const op = await insert();
    const res = await h.request('GET', `/v1/operations/${op.id}`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.id, op.id);
    assert.equal(res.body.state, 'RUNNING');
    assert.equal(res.body.done, false);
    assert.equal(res.body.workspace_id, h.workspaceId);
    assert.deepEqual(res.body.metadata, { type: 'install.delete', install_id: 'inst_test' });
    assert.deepEqual(checkPublishedResponse('operations.get', res.status, res.body), []);
    assert.equal(res.body.steps[0].name, 'render');
    assert.equal(res.body.steps[0].status, 'pending');
    assert.equal(res.body.completed_at, null);
    assert.match(res.headers.get('etag')!, /^"[\w-]{22}"$/);
  });

  test('a bare operation id (without op_) is accepted by get, :wait and :cancel, as the published API says', async () => {
    // Metadata of a published shape, so the whole response can be checked against the published schema.
    const op = await insertOperation(h.database.db, {
      workspaceId: h.workspaceId,
      ownerType: 'install',
      ownerId: 'inst_test',
      state: 'RUNNING',
      metadata: { type: 'install.render', install_id: 'inst_test' },
      steps: [pendingStep({ name: 'render' }, new Date())],
    });
    const bare = op.id.slice('op_'.length);
    const got = await h.request('GET', `/v1/operations/${bare}`);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.body.id, op.id);
    assert.deepEqual(checkPublishedResponse('operations.get', got.status, got.body), []);
    const waited = await h.request('POST', `/v1/operations/${bare}:wait?timeout=1`);
    assert.equal(waited.status, 200, waited.text);
    assert.equal(waited.body.id, op.id);
    assert.deepEqual(checkPublishedResponse('operations.wait', waited.status, waited.body), []);
    const cancellable = await insert({ type: SLOW_CANCEL });
    const cancelled = await h.request('POST', `/v1/operations/${cancellable.id.slice(3)}:cancel`);
    assert.equal(cancelled.status, 202, cancelled.text);
    assert.equal(cancelled.body.id, cancellable.id);
    assert.ok(cancelled.headers.get('etag'));
    const missing = await h.request('GET', `/v1/operations/${'a'.repeat(26)}`);
    assert.equal(missing.status, 404);
    assert.match(missing.body.errors[0].message, new RegExp(`op_${'a'.repeat(26)}`));
    assert.deepEqual(checkPublishedResponse('operations.get', missing.status, missing.body), []);
  });

  test("another workspace's operation is 404, never 403", async () => {
    const other = await h.newWorkspace('ops-other');
    const op = await insert({ workspaceId: other.id });
    const res = await h.request('GET', `/v1/operations/${op.id}`);
    assert.equal(res.status, 404);
    assert.equal(res.body.errors[0].code, 7002);
    assert.equal((await h.request('GET', `/v1/operations/${op.id}`, { token: other.token })).status, 200);
    assert.equal((await h.request('POST', `/v1/operations/${op.id}:wait?timeout=1`)).status, 404);
    assert.equal((await h.request('POST', `/v1/operations/${op.id}:cancel`)).status, 404);
  });

  test('the list is newest first, pages with a cursor and leaves steps out', async () => {
    const other = await h.newWorkspace('ops-list');
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await insert({ workspaceId: other.id })).id);
    const first = await h.request('GET', '/v1/operations?limit=2', { token: other.token });
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(
      first.body.data.map((o: { id: string }) => o.id),
      [ids[2], ids[1]],
    );
    assert.equal(first.body.has_more, true);
    assert.equal('steps' in first.body.data[0], false);
    const second = await h.request('GET', `/v1/operations?limit=2&cursor=${first.body.next_cursor}`, {
      token: other.token,
    });
    assert.deepEqual(
      second.body.data.map((o: { id: string }) => o.id),
      [ids[0]],
    );
    assert.equal(second.body.has_more, false);
    assert.equal(second.body.next_cursor, null);
  });

  test('owner_type with owner_id narrows the list to that owner', async () => {
    const mine = await insert({ ownerType: 'install', ownerId: 'inst_filter_a' });
    await insert({ ownerType: 'install', ownerId: 'inst_filter_b' });
    await insert({ ownerType: 'repository', ownerId: 'inst_filter_a' });
    const res = await h.request('GET', '/v1/operations?owner_type=install&owner_id=inst_filter_a');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.body.data.map((o: { id: string }) => o.id),
      [mine.id],
    );
  });

  test('owner_type and owner_id go together: either alone is 400 naming the missing one', async () => {
    const noId = await h.request('GET', '/v1/operations?owner_type=install');
    assert.equal(noId.status, 400);
    assert.deepEqual(noId.body.errors[0].path, ['query', 'owner_id']);
    const noType = await h.request('GET', '/v1/operations?owner_id=inst_x');
    assert.equal(noType.status, 400);
    assert.deepEqual(noType.body.errors[0].path, ['query', 'owner_type']);
    const badType = await h.request('GET', '/v1/operations?owner_type=planet&owner_id=x');
    assert.equal(badType.status, 400);
    assert.deepEqual(badType.body.errors[0].path, ['query', 'owner_type']);
    const unknown = await h.request('GET', '/v1/operations?state=RUNNING');
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body.errors[0].path, ['query', 'state']);
  });

  test(':wait on a done operation returns it at once', async () => {
    const op = await insert({ state: 'SUCCEEDED' });
    const started = Date.now();
    const res = await h.request('POST', `/v1/operations/${op.id}:wait`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.done, true);
    assert.ok(Date.now() - started < 500);
  });

  test(':wait answers within ~100 ms of another code path settling the operation', async () => {
    const op = await insert();
    const started = Date.now();
    const waiting = h.request('POST', `/v1/operations/${op.id}:wait?timeout=10`);
    await sleep(200); // deliberate: the wait is under way before the settle whose latency is measured
    assert.equal(await ops.settle(op.id, { state: 'SUCCEEDED', response: DELETED }), true);
    const settledAt = Date.now();
    const res = await waiting;
    const answeredAt = Date.now();
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.state, 'SUCCEEDED');
    assert.deepEqual(res.body.response, DELETED);
    assert.deepEqual(checkPublishedResponse('operations.wait', res.status, res.body), []);
    assert.ok(answeredAt - settledAt < 150, `answered ${answeredAt - settledAt} ms after the settlement`);
    assert.ok(answeredAt - started < 1000);
  });

  test(':wait?timeout=1 on a running operation returns done:false after about a second', async () => {
    const op = await insert();
    const started = Date.now();
    const res = await h.request('POST', `/v1/operations/${op.id}:wait?timeout=1`);
    const elapsed = Date.now() - started;
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.done, false);
    assert.equal(res.body.state, 'RUNNING');
    assert.ok(elapsed >= 950 && elapsed < 1800, `returned after ${elapsed} ms`);
  });

  test('a timeout outside 1..60 or not an integer is 400 naming timeout', async () => {
    const op = await insert();
    for (const timeout of ['0', '61', '1.5', 'soon']) {
      const res = await h.request('POST', `/v1/operations/${op.id}:wait?timeout=${timeout}`);
      assert.equal(res.status, 400, `timeout=${timeout}`);
      assert.deepEqual(res.body.errors[0].path, ['query', 'timeout']);
      // (Not for "soon": src/http/validation.ts words every failed coercion as "is required".)
      if (timeout !== 'soon') assert.match(res.body.errors[0].message, /1 to 60/);
    }
  });

  test(':cancel of a settled operation is 422 naming its state', async () => {
    const op = await insert({ state: 'FAILED', type: CANCELLABLE });
    const res = await h.request('POST', `/v1/operations/${op.id}:cancel`);
    assert.equal(res.status, 422, res.text);
    assert.match(res.body.errors[0].message, /already FAILED/);
    assert.equal(res.body.errors[0].metadata.state, 'FAILED');
    assert.equal(res.body.errors[0].metadata.reason, 'operation_done');
  });

  test(':cancel calls the canceller registered for the type and answers 202; a replay does not call it again', async () => {
    const op = await insert({ type: CANCELLABLE });
    const headers = { 'idempotency-key': `cancel-${op.id}` };
    const res = await h.request('POST', `/v1/operations/${op.id}:cancel`, { headers });
    assert.equal(res.status, 202, res.text);
    const calls = cancelled.filter((c) => c.id === op.id);
    assert.equal(calls.length, 1);
    assert.match(calls[0]!.subject, /^tok_/, 'the canceller learns who asked');
    assert.equal(res.body.state, 'CANCELLED');
    assert.deepEqual(res.body.error, { message: 'cancelled by request' });
    const replay = await h.request('POST', `/v1/operations/${op.id}:cancel`, { headers });
    assert.equal(replay.status, 202);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.equal(cancelled.filter((c) => c.id === op.id).length, 1);
  });

  test(':cancel that only asks the work to stop answers 202 with the operation still RUNNING', async () => {
    const op = await insert({ type: SLOW_CANCEL });
    const res = await h.request('POST', `/v1/operations/${op.id}:cancel`);
    assert.equal(res.status, 202, res.text);
    assert.equal(res.body.state, 'RUNNING');
    assert.equal(res.body.done, false);
    assert.ok(cancelled.some((c) => c.id === op.id));
  });

  test(':cancel of a type nobody can cancel is 422 saying so', async () => {
    const op = await insert({ type: PLAIN });
    const res = await h.request('POST', `/v1/operations/${op.id}:cancel`);
    assert.equal(res.status, 422, res.text);
    assert.match(res.body.errors[0].message, /operations of type install\.delete cannot be cancelled/);
    assert.equal(res.body.errors[0].metadata.reason, 'not_cancellable');
    assert.equal((await h.request('GET', `/v1/operations/${op.id}`)).body.state, 'RUNNING');
  });

  test(':cancel with an if-match that is not the current ETag is 409 carrying the current one', async () => {
    const op = await insert({ type: SLOW_CANCEL });
    const current = (await h.request('GET', `/v1/operations/${op.id}`)).headers.get('etag')!;
    const stale = await h.request('POST', `/v1/operations/${op.id}:cancel`, {
      headers: { 'if-match': '"stale"' },
    });
    assert.equal(stale.status, 409, stale.text);
    assert.equal(`"${stale.body.errors[0].metadata.etag}"`, current);
    const fresh = await h.request('POST', `/v1/operations/${op.id}:cancel`, {
      headers: { 'if-match': current },
    });
    assert.equal(fresh.status, 202, fresh.text);
  });

  test('a registered type cannot be registered twice', () => {
    assert.throws(() => ops.registerCanceller(CANCELLABLE, async () => {}), /already registered/);
  });

  test('the OpenAPI document has the four operations under their real paths', async () => {
    const doc = (await h.request('GET', '/v1/openapi.json', { token: null })).body;
    for (const [path, method, id] of [
      ['/v1/operations', 'get', 'operations.list'],
      ['/v1/operations/{id}', 'get', 'operations.get'],
      ['/v1/operations/{id}:wait', 'post', 'operations.wait'],
      ['/v1/operations/{id}:cancel', 'post', 'operations.cancel'],
    ] as const) {
      assert.equal(doc.paths[path]?.[method]?.operationId, id, `${method} ${path}`);
    }
    const timeout = doc.paths['/v1/operations/{id}:wait'].post.parameters.find(
      (p: { name: string }) => p.name === 'timeout',
    );
    assert.deepEqual([timeout.schema.minimum, timeout.schema.maximum, timeout.schema.default], [1, 60, 30]);
  });

  test('a settlement whose wake-up is lost is still seen at the next fallback re-read', async () => {
    // The real store, without its LISTEN connection, and nobody calling notify: only the fallback is left.
    const deaf = { ...h.database, listen: undefined };
    const waiter = createOperationWaiter(deaf, log, { fallbackMs: 300 });
    const service = createOperationService({
      db: h.database.db,
      publicUrl: h.config.publicUrl,
      waiter,
      cancellers: new Map(),
    });
    const op = await insert();
    const started = Date.now();
    const waiting = service.wait(h.workspaceId, op.id, 10_000);
    await sleep(100); // deliberate: the wait is under way before the settle whose latency is measured
    await settleOperation(h.database.db, op.id, { state: 'FAILED', error: { message: 'boom' } });
    const result = await waiting;
    const elapsed = Date.now() - started;
    assert.equal(result.state, 'FAILED');
    assert.ok(elapsed >= 250 && elapsed < 1000, `seen after ${elapsed} ms`);
    await waiter.close();
  });

  test('a wait ends when its signal aborts (the client went away)', async () => {
    const op = await insert();
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    const started = Date.now();
    const result = await ops.service.wait(h.workspaceId, op.id, 30_000, abort.signal);
    assert.equal(result.done, false);
    assert.ok(Date.now() - started < 1000);
  });

  test('progress is recorded only while running, and only the first settlement wins', async () => {
    const db = h.database.db;
    const op = await insert();
    const steps = withStepStatus(
      op.steps as OperationStep[],
      'render',
      'failed',
      new Date(),
      'chart not found',
    );
    assert.equal(
      await updateOperation(db, op.id, {
        steps,
        lastError: { message: 'chart not found', step_name: 'render' },
      }),
      true,
    );
    const mid = (await h.request('GET', `/v1/operations/${op.id}`)).body;
    assert.equal(mid.steps[0].status, 'failed');
    assert.equal(mid.steps[0].error_message, 'chart not found');
    assert.deepEqual(mid.last_error, { message: 'chart not found', step_name: 'render' });
    assert.equal(await settleOperation(db, op.id, { state: 'SUCCEEDED', response: DELETED }), true);
    assert.equal(await settleOperation(db, op.id, { state: 'FAILED', error: { message: 'late' } }), false);
    assert.equal(await updateOperation(db, op.id, { lastError: null }), false);
    const done = (await h.request('GET', `/v1/operations/${op.id}`)).body;
    assert.equal(done.state, 'SUCCEEDED');
    assert.deepEqual(done.response, DELETED);
    assert.equal(done.error, null);
    assert.equal(typeof done.completed_at, 'number');
  });

  test('withStepStatus starts, ends and fails one named step and leaves the others alone', () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const t1 = new Date('2026-01-01T00:00:10Z');
    const plan = [pendingStep({ name: 'a' }, t0), pendingStep({ name: 'b', retryable: true }, t0)];
    const running = withStepStatus(plan, 'a', 'running', t1);
    assert.equal(running[0]!.status, 'running');
    assert.equal(running[0]!.started_at, 1767225610);
    assert.equal(running[1], plan[1]);
    const failed = withStepStatus(running, 'a', 'failed', t1, 'no');
    assert.deepEqual(
      [failed[0]!.status, failed[0]!.completed_at, failed[0]!.error_message],
      ['failed', 1767225610, 'no'],
    );
    const retried = withStepStatus(failed, 'a', 'running', t1);
    assert.equal(retried[0]!.error_message, null);
    assert.equal(plan[0]!.status, 'pending', 'the input is not changed');
    assert.throws(() => withStepStatus(plan, 'c', 'running', t1), /no step "c"/);
  });

  test('on Postgres, a settlement committed by another process wakes the wait at commit', async (t) => {
    const peer = await h.peer();
    if (!peer) {
      t.skip('PGlite is one process; set DATABASE_URL to run this on Postgres');
      return;
    }
    const op = await insert();
    const waiting = h.request('POST', `/v1/operations/${op.id}:wait?timeout=10`).then((res) => ({
      res,
      at: Date.now(),
    }));
    await sleep(200); // deliberate: the wait is under way before the settle whose latency is measured
    await peer.database.db.transaction().execute(async (trx) => {
      assert.equal(await settleOperation(trx, op.id, { state: 'SUCCEEDED', response: DELETED }), true);
      await sleep(300); // the NOTIFY is held until the commit
    });
    const committedAt = Date.now();
    const { res, at } = await waiting;
    assert.equal(res.body.state, 'SUCCEEDED');
    assert.deepEqual(res.body.response, DELETED);
    assert.ok(at >= committedAt - 5, 'not answered before the commit');
    assert.ok(
      at - committedAt < 150,
      `answered ${at - committedAt} ms after the commit, not by the 2 s fallback`,
    );
  });

  test('on Postgres, notifyOperationSql from another process wakes this process’s waiters', async (t) => {
    const peer = await h.peer();
    if (!peer) {
      t.skip('PGlite is one process; set DATABASE_URL to run this on Postgres');
      return;
    }
    await sleep(100); // deliberate: the waiter's LISTEN is set up before the timing starts
    const started = Date.now();
    const woken = ops.waiter.wait('op_nudged', 10_000).then(() => Date.now());
    await notifyOperationSql(peer.database.db, 'op_nudged');
    const at = await woken;
    assert.ok(at - started < 500, `woken after ${at - started} ms`);
  });
});
