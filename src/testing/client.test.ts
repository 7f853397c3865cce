/**
 * @atoll/client against a real Atoll over a real socket: typed calls, both error envelopes as
 * AtollApiError, the operation waiter, and the SSE followers resuming across dropped connections.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AtollApiError,
  createAtollClient,
  errorMessage,
  streamAgentEvents,
  streamRunLogs,
  unwrap,
  waitForOperation,
  type AgentEvent,
  type AgentLogEntry,
  type AtollClient,
} from '../../packages/client/src/index.ts';
import { deployAgent, startRun, waitForRun } from '../deployments/test-fixtures.ts';
import { archive } from '../installs/test-fixtures.ts';
import { startHarness, type Harness } from './harness.ts';

describe('@atoll/client over a real socket', () => {
  let h: Harness;
  let client: AtollClient;
  before(async () => {
    h = await startHarness({ ATOLL_JOB_POLL_MS: '50', ATOLL_SSE_HEARTBEAT_MS: '200' });
    client = createAtollClient({ baseUrl: await h.listen(), token: h.token });
  });
  after(() => h.close());

  test('creates, lists and reads snippets through typed calls', async () => {
    const created = await unwrap(
      client.POST('/v1/snippets', {
        body: { name: 'typed', code: 'async () => ({ ok: true })', display_type: 'json' },
      }),
    );
    assert.match(created.snippet_id, /^snp_/);
    const list = await unwrap(client.GET('/v1/snippets', { params: { query: { limit: 10 } } }));
    assert.ok(list.data.some((s) => s.id === created.snippet_id));
    const snippet = await unwrap(
      client.GET('/v1/snippets/{id}', { params: { path: { id: created.snippet_id } } }),
    );
    assert.equal(snippet.name, 'typed');
    assert.equal(snippet.display_type, 'json');
  });

  test("an Akua-family 404 and 400 surface as AtollApiError with the server's message", async () => {
    const missing = await client.GET('/v1/snippets/{id}', { params: { path: { id: 'snp_nope' } } });
    assert.equal(missing.response.status, 404);
    assert.ok(missing.error && 'errors' in missing.error);
    const notFound = await unwrap(
      client.GET('/v1/snippets/{id}', { params: { path: { id: 'snp_nope' } } }),
    ).catch((e: unknown) => e);
    assert.ok(notFound instanceof AtollApiError);
    assert.equal(notFound.status, 404);
    assert.equal(notFound.message, missing.error.errors[0]!.message);
    assert.equal(notFound.code, missing.error.errors[0]!.code);

    const invalid = await unwrap(
      client.GET('/v1/snippets', { params: { query: { limit: 'many' as unknown as number } } }),
    ).catch((e: unknown) => e);
    assert.ok(invalid instanceof AtollApiError);
    assert.equal(invalid.status, 400);
    assert.match(invalid.message, /^query\.limit: /);
    assert.equal(invalid.message, errorMessage(invalid.body));
  });

  test('an agent-deployments error surfaces with its code, message and hint', async () => {
    const { error, response } = await client.GET('/v1/agent-deployments/{deployment_id}', {
      params: { path: { deployment_id: 'adpl_missing' } },
    });
    assert.equal(response.status, 404);
    assert.ok(error && 'error' in error);
    const thrown = await unwrap(
      client.GET('/v1/agent-deployments/{deployment_id}', {
        params: { path: { deployment_id: 'adpl_missing' } },
      }),
    ).catch((e: unknown) => e);
    assert.ok(thrown instanceof AtollApiError);
    assert.equal(thrown.status, 404);
    assert.equal(thrown.code, error.error.code);
    assert.ok(thrown.message.startsWith(error.error.message), thrown.message);
  });

  test('waitForOperation follows an install create to SUCCEEDED', async () => {
    const pkg = await unwrap(
      client.POST('/v1/packages', {
        body: await archive({ name: 'client-web' }),
        headers: { 'content-type': 'application/gzip' },
      }),
    );
    assert.ok(pkg.response);
    const started = await unwrap(
      client.POST('/v1/installs', {
        body: {
          package_id: pkg.response.package_id,
          package_version_pin: { kind: 'latest' },
          region_id: 'local',
          initial_values: { replicas: 2 },
        },
      }),
    );
    assert.equal(started.done, false);
    const done = await waitForOperation(client, started.id, { timeoutMs: 60_000 });
    assert.equal(done.state, 'SUCCEEDED', JSON.stringify(done));
    const install = await unwrap(
      client.GET('/v1/installs/{id}', { params: { path: { id: started.owner_id! } } }),
    );
    assert.equal(install.state, 'healthy');
  });

  test('streamAgentEvents delivers live events and resumes after a dropped connection, none lost or repeated', async () => {
    const agent = await unwrap(
      client.POST('/v1/agents', { body: { name: 'client', instructions: 'x', capabilities: ['CHAT'] } }),
    );
    const session = await unwrap(client.POST('/v1/agent_sessions', { body: { agent_id: agent.id } }));
    const turn = await unwrap(
      client.POST('/v1/agent_turns', { body: { session_id: session.id, message: 'go' } }),
    );
    let keys = 0;
    const emit = async (content: string) =>
      unwrap(
        client.POST('/v1/agent_turns/{id}:emit', {
          params: { path: { id: turn.id }, header: { 'idempotency-key': `client-${++keys}` } },
          body: { type: 'message', data: { content } },
        }),
      );

    const controller = new AbortController();
    const reconnects: string[] = [];
    let reconnected!: () => void;
    const reconnecting = new Promise<void>((resolve) => (reconnected = resolve));
    const received: AgentEvent[] = [];
    const waiters: Array<{ count: number; resolve: () => void }> = [];
    const reach = (count: number) =>
      new Promise<void>((resolve) => {
        if (received.length >= count) resolve();
        else waiters.push({ count, resolve });
      });
    const following = (async () => {
      for await (const event of streamAgentEvents(
        client,
        { session: session.id, follow: true },
        {
          signal: controller.signal,
          retryMs: 300,
          onReconnect: (reason) => {
            reconnects.push(reason);
            reconnected();
          },
        },
      )) {
        received.push(event);
        for (const w of waiters) if (received.length >= w.count) w.resolve();
      }
    })();

    const sent = [await emit('a'), await emit('b')];
    await reach(2);
    h.dropConnections();
    await reconnecting;
    // Emitted while the follower waits to reconnect: it catches up from its Last-Event-ID.
    sent.push(await emit('c'), await emit('d'));
    await reach(4);
    sent.push(await emit('e'));
    await reach(5);
    controller.abort();
    await following;

    assert.equal(reconnects.length, 1, reconnects.join('; '));
    assert.deepEqual(
      received.map((e) => e.id),
      sent.map((e) => e.id),
    );
    assert.deepEqual(
      received.map((e) => (e.data as { content?: string }).content),
      ['a', 'b', 'c', 'd', 'e'],
    );
  });

  test('streamRunLogs follows a run to its end, every line once across a dropped connection', async (t) => {
    const agent = await deployAgent(h, {
      files: {
        'main.js': `let i = 0; const t = setInterval(() => { console.log('line ' + ++i); if (i === 6) clearInterval(t); }, 150);`,
      },
      config: { entrypoint: 'node main.js' },
    });
    const runId = await startRun(h, agent.deploymentId);
    const lines: AgentLogEntry[] = [];
    let dropped = false;
    let reconnects = 0;
    for await (const line of streamRunLogs(client, agent.deploymentId, runId, {
      retryMs: 100,
      onReconnect: () => reconnects++,
    })) {
      lines.push(line);
      if (!dropped && line.stream === 'stdout') {
        dropped = true;
        h.dropConnections();
      }
    }
    const run = await waitForRun(h, agent.deploymentId, runId);
    if (run.status === 'failed' && /bubblewrap|sandbox/i.test(JSON.stringify(run.error ?? ''))) {
      t.skip(`agent runs need a working bubblewrap here: ${JSON.stringify(run.error)}`);
      return;
    }
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.equal(reconnects, 1);
    assert.deepEqual(
      lines.map((l) => l.seq),
      lines.map((_, i) => i + 1),
      'every seq once, in order',
    );
    assert.deepEqual(
      lines.filter((l) => l.stream === 'stdout').map((l) => l.text),
      ['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6'],
    );
  });
});
