/**
 * Pins today's exact outputs of the helpers that used to exist twice (canonical JSON, `sha256:` digests,
 * token hashes, the SSE bytes and headers of both streams), so that folding the doubles into one module
 * cannot change a stored hash, an ETag or a byte a client reads. The expected values were computed by the
 * code before it moved; a change here is a change of stored data or wire format, not a refactor.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { configDigest } from '../deployments/bundles/digest.ts';
import { createLogBus } from '../deployments/logs/bus.ts';
import { createLogReader } from '../deployments/logs/service.ts';
import { fingerprint } from '../events/emit.ts';
import { renderKey } from '../installs/engine/engine.ts';
import { renderHash } from '../installs/engine/manifests.ts';
import { operationEtag } from '../operations/revision.ts';
import { startHarness, type Harness } from '../testing/harness.ts';
import { canonicalJson, canonicalJsonOmittingUndefined } from './canonical-json.ts';
import { sha256Digest, sha256DigestOfParts } from './digest.ts';
import { hashToken } from './token-hash.ts';

/** Undefined members, integer-like keys, escapes, -0 and a Date: where the two canonical forms differ. */
const tricky = () => ({
  b: [1, undefined, { z: undefined, y: 'é\n"' }],
  a: undefined,
  c: null,
  d: { '2': 2, '10': 10, x: -0 },
  e: new Date(0),
});

describe('canonical JSON (pinned)', () => {
  test('canonicalJson writes undefined members as null and sorts every key as a string', () => {
    assert.equal(
      canonicalJson(tricky()),
      '{"a":null,"b":[1,null,{"y":"é\\n\\"","z":null}],"c":null,"d":{"10":10,"2":2,"x":0},"e":{}}',
    );
    assert.equal(canonicalJson(undefined), 'null');
  });

  test('canonicalJsonOmittingUndefined drops undefined members and puts integer keys first, ascending', () => {
    assert.equal(
      canonicalJsonOmittingUndefined(tricky()),
      '{"b":[1,null,{"y":"é\\n\\""}],"c":null,"d":{"2":2,"10":10,"x":0},"e":{}}',
    );
  });
});

describe('hashes built on them (pinned)', () => {
  test('the render key of a known input', () => {
    assert.equal(
      renderKey({
        ref: `sha256:${'0'.repeat(64)}`,
        values: { b: 2, a: [1, { d: 1, c: undefined }] },
        extraAnnotations: { 'x/y': 'z' },
        context: { workspace: 'w' } as never,
      }),
      'sha256:db7ffc76c7f1ee21fa7f70084ecb43565d13cbdcda72d1612224241b65fba7d7',
    );
  });

  test('the render hash of known files', () => {
    assert.equal(
      renderHash([
        { filename: '000-a.yaml', yaml: 'a: 1\n' },
        { filename: '001-b.yaml', yaml: 'b: 2\n' },
      ]),
      'sha256:4edf7ca81040e73ba75cf6a0aff9a3fb972e3b5e8ccd1877d3060b56cda6c374',
    );
  });

  test('the emit fingerprint and the operation etag', () => {
    assert.equal(
      fingerprint('turn_1', { data: { content: 'hi', b: undefined } } as never),
      '8188b048d590bf4a32976ed30fa522f4b0330529fe516e18ebc46d0623658b6c',
    );
    assert.equal(
      operationEtag({ id: 'op_1', state: 'running', steps: [] } as never),
      '7xqqQWbpxcJh3mBpF1HVBk',
    );
  });

  test('bundle, artifact and config digests', () => {
    const x = 'sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881';
    assert.equal(sha256Digest('x'), x);
    assert.equal(sha256Digest(new TextEncoder().encode('x')), x);
    assert.equal(sha256DigestOfParts(['', 'x', new Uint8Array()]), x);
    assert.equal(
      configDigest({ b: 1, a: { d: undefined, c: [2, undefined] } }),
      'sha256:39446a7233fe085eb67bcf1ea80a3c13409eade6aaedb6e386e378d1634bd9b3',
    );
  });

  test('API token and git token hashes (one hasher for both)', () => {
    assert.equal(
      hashToken('sk_atoll_abc'),
      '7343518cf71d2acdce5dbe52e1c8e90153b68733ea976c39107cb647138b5628',
    );
    assert.equal(hashToken('gt_abc'), '9bd5adc29ec3c841dec2db43576cf3dfba2ba97fb3dbacc254e28f05d479f6c5');
  });
});

describe('SSE bytes and headers (pinned)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('the agent event stream: retry, one frame per event, an end frame, and its headers', async () => {
    const agent = await h.request('POST', '/v1/agents', {
      body: { name: 'pin', instructions: 'x', capabilities: ['CHAT'] },
    });
    const session = await h.request('POST', '/v1/agent_sessions', { body: { agent_id: agent.body.id } });
    const turn = await h.request('POST', '/v1/agent_turns', {
      body: { session_id: session.body.id, message: 'go' },
    });
    const emitted = await h.request('POST', `/v1/agent_turns/${turn.body.id}:emit`, {
      headers: { 'idempotency-key': 'pin-1' },
      body: { data: { content: 'a' } },
    });
    assert.equal(emitted.status, 201, emitted.text);
    const res = await h.atoll.app.request(`/v1/agent_events:stream?session=${session.body.id}`, {
      headers: { authorization: `Bearer ${h.token}`, accept: 'text/event-stream' },
    });
    assert.equal(res.status, 200);
    const headers = Object.fromEntries(res.headers);
    delete headers['x-request-id'];
    assert.deepEqual(headers, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const text = await res.text();
    const cursor = emitted.body.cursor as string;
    const frames = text.split('\n\n');
    assert.equal(frames[0], 'retry: 1000');
    const last = `event: end\ndata: ${JSON.stringify({ cursor, has_more: false })}`;
    assert.equal(frames.at(-2), last);
    assert.equal(frames.at(-1), '');
    const event = frames.find((f) => f.startsWith(`id: ${cursor}\n`))!;
    assert.match(event, /^id: [^\n]+\nevent: message\.created\ndata: \{[^\n]*\}$/);
    assert.equal(JSON.parse(event.split('\ndata: ')[1]!).id, emitted.body.id);
  });

  test('the log stream: one frame per line, an end frame, and its headers', async () => {
    const database = h.database;
    const at = new Date('2026-01-02T03:04:05.000Z');
    await database.db
      .insertInto('agent_logs')
      .values([
        { owner_id: 'run_pin', seq: 1, at, stream: 'stdout', text: 'one' },
        { owner_id: 'run_pin', seq: 2, at, stream: 'stderr', text: 'two "quoted"' },
      ])
      .execute();
    const reader = createLogReader({ db: database.db, bus: createLogBus() });
    const owner = { id: 'run_pin', state: async () => ({ ended: true, truncated: false }) };
    const res = reader.stream(owner, 0, true, new AbortController().signal);
    assert.equal(res.status, 200);
    assert.deepEqual(Object.fromEntries(res.headers), {
      // Since the streams share src/http/sse.ts, the log stream also sends no-transform and keep-alive.
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    assert.equal(
      await res.text(),
      'id: 1\nevent: log\ndata: {"seq":1,"timestamp":"2026-01-02T03:04:05.000Z","stream":"stdout","text":"one"}\n\n' +
        'id: 2\nevent: log\ndata: {"seq":2,"timestamp":"2026-01-02T03:04:05.000Z","stream":"stderr","text":"two \\"quoted\\""}\n\n' +
        'event: end\ndata: {"cursor":"2","complete":true,"truncated":false}\n\n',
    );
    const stopping = new AbortController();
    stopping.abort();
    const stopped = createLogReader({ db: database.db, bus: createLogBus(), stopping: stopping.signal });
    assert.equal(
      await stopped.stream(owner, 1, true, new AbortController().signal).text(),
      'retry: 1000\nevent: shutdown\ndata: {"cursor":"1","message":"the server is shutting down; reconnect with Last-Event-ID (or cursor) set to cursor to continue"}\n\n',
    );
  });
});
