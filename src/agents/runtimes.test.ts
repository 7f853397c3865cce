import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { deployAgent, key, runLogs, waitForRun } from '../deployments/test-fixtures.ts';
import { eventually } from '../testing/eventually.ts';
import { startHarness, type Harness } from '../testing/harness.ts';
import { createSession, errorPaths, type Actor } from './test-fixtures.ts';

/** Shared by the agents below: node:http over the run's API socket. */
const CLIENT = `
const fs = require('node:fs');
const http = require('node:http');
const input = JSON.parse(fs.readFileSync(process.env.ATOLL_RUN_INPUT, 'utf8'));
let n = 0;
function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        socketPath: process.env.ATOLL_API_SOCKET,
        method,
        path,
        headers: {
          authorization: 'Bearer ' + process.env.ATOLL_TURN_TOKEN,
          'content-type': 'application/json',
          'idempotency-key': process.env.ATOLL_RUN_ID + '-' + ++n,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text || 'null') }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
`;

/** Emits its message back into its turn, probes what else the socket allows, and exits 0. */
const ECHO = `${CLIENT}
(async () => {
  const emitted = await call('POST', '/v1/agent_turns/' + process.env.ATOLL_TURN_ID + ':emit', {
    type: 'message',
    data: { role: 'assistant', content: 'echo: ' + input.message },
  });
  const agents = await call('GET', '/v1/agents');
  const other = await call('POST', '/v1/agent_turns/trn_someoneelse:emit', { data: { content: 'x' } });
  console.log('my token is ' + process.env.ATOLL_TURN_TOKEN);
  fs.writeFileSync('result.json', JSON.stringify({
    input,
    turn_env: process.env.ATOLL_TURN_ID,
    socket: process.env.ATOLL_API_SOCKET,
    emitted: emitted.status,
    event: emitted.body,
    agents: agents.status,
    agents_body: agents.body,
    other: other.status,
  }));
  fs.writeFileSync('token.txt', process.env.ATOLL_TURN_TOKEN);
})().catch((e) => { console.error(e); process.exit(2); });
`;

/** Shows its token (reversed, so that redaction lets it through) and waits to be stopped. */
const WAITER = `
console.log('token:' + [...process.env.ATOLL_TURN_TOKEN].reverse().join(''));
setTimeout(() => {}, 60_000);
`;

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

describe('deployment runtimes of agents', () => {
  let h: Harness;
  let me: Actor;
  let echo: { deploymentId: string };
  before(async () => {
    h = await startHarness();
    // Sandbox uids must be able to traverse DATA_DIR (mkdtemp makes it 0700); drop once the harness does this.
    fs.chmodSync(h.config.dataDir, 0o711);
    me = { id: h.workspaceId, token: h.token };
    echo = await deployAgent(h, {
      files: { 'main.js': ECHO },
      config: { entrypoint: 'node main.js', outputs: { paths: ['result.json', 'token.txt'] } },
    });
  });
  after(() => h.close());

  async function agentWith(deploymentId: string | null): Promise<string> {
    const res = await h.request('POST', '/v1/agents', {
      body: {
        name: 'runtime agent',
        instructions: 'x',
        capabilities: ['CHAT'],
        runtime_deployment_id: deploymentId,
      },
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.runtime_deployment_id, deploymentId);
    return res.body.id;
  }

  async function submit(agentId: string, message = 'hello runtime') {
    const session = await createSession(h, me, { agent_id: agentId });
    const res = await h.request('POST', '/v1/agent_turns', { body: { session_id: session.id, message } });
    assert.equal(res.status, 201, res.text);
    return res.body;
  }

  async function settled(turnId: string, timeoutMs = 30_000): Promise<any> {
    return eventually(
      async () => {
        const res = await h.request('GET', `/v1/agent_turns/${turnId}`);
        assert.equal(res.status, 200, res.text);
        assert.ok(TERMINAL.has(res.body.state), `turn ${turnId} stuck in ${res.body.state}`);
        return res.body;
      },
      { timeoutMs, intervalMs: 25, message: `turn ${turnId} to end` },
    );
  }

  async function eventsOf(turnId: string): Promise<any[]> {
    const res = await h.request('GET', `/v1/agent_events?turn=${turnId}&limit=100`);
    assert.equal(res.status, 200, res.text);
    return res.body.data;
  }

  async function runOf(deploymentId: string, turnId: string): Promise<any> {
    const res = await h.request('GET', `/v1/agent-deployments/${deploymentId}/runs?limit=100`);
    assert.equal(res.status, 200, res.text);
    const run = res.body.items.find((r: any) => r.input.turn_id === turnId);
    assert.ok(run, `a run of deployment ${deploymentId} serves turn ${turnId}`);
    return run;
  }

  async function output(deploymentId: string, runId: string, path: string): Promise<string> {
    const res = await h.request(
      'GET',
      `/v1/agent-deployments/${deploymentId}/runs/${runId}/outputs/download?path=${path}`,
    );
    assert.equal(res.status, 200, res.text);
    return res.text;
  }

  test('runtime_deployment_id must name a live job-mode deployment of the workspace (422 naming it)', async () => {
    const service = await h.request('POST', '/v1/agent-deployments', {
      headers: { 'idempotency-key': key() },
      body: { name: 'a-service', mode: 'service' },
    });
    assert.equal(service.status, 201, service.text);
    const other = await h.newWorkspace('runtime-other');
    const foreign = await h.request('POST', '/v1/agent-deployments', {
      token: other.token,
      headers: { 'idempotency-key': key() },
      body: { name: 'foreign', mode: 'job' },
    });
    assert.equal(foreign.status, 201, foreign.text);
    const deleted = await h.request('POST', '/v1/agent-deployments', {
      headers: { 'idempotency-key': key() },
      body: { name: 'deleted', mode: 'job' },
    });
    assert.equal((await h.request('DELETE', `/v1/agent-deployments/${deleted.body.id}`)).status, 200);
    for (const [id, pattern] of [
      ['adpl_nosuchthing', /not found/],
      [service.body.id, /service mode/],
      [foreign.body.id, /not found/],
      [deleted.body.id, /not found/],
    ] as const) {
      const res = await h.request('POST', '/v1/agents', {
        body: { name: 'x', instructions: 'x', capabilities: ['CHAT'], runtime_deployment_id: id },
      });
      assert.equal(res.status, 422, `${id}: ${res.text}`);
      assert.deepEqual(errorPaths(res), ['body.runtime_deployment_id']);
      assert.match(res.body.errors[0].message, pattern);
    }
    const agentId = await agentWith(null);
    const bad = await h.request('PATCH', `/v1/agents/${agentId}`, {
      headers: { 'if-match': '1' },
      body: { runtime_deployment_id: service.body.id },
    });
    assert.equal(bad.status, 422, bad.text);
    assert.deepEqual(errorPaths(bad), ['body.runtime_deployment_id']);
    const set = await h.request('PATCH', `/v1/agents/${agentId}`, {
      headers: { 'if-match': '1' },
      body: { runtime_deployment_id: echo.deploymentId },
    });
    assert.equal(set.status, 200, set.text);
    assert.equal(set.body.runtime_deployment_id, echo.deploymentId);
    const unset = await h.request('PATCH', `/v1/agents/${agentId}`, {
      headers: { 'if-match': '2' },
      body: { runtime_deployment_id: null },
    });
    assert.equal(unset.status, 200, unset.text);
    assert.equal((await h.request('GET', `/v1/agents/${agentId}`)).body.runtime_deployment_id, null);
  });

  test('a turn starts a run that emits into it over the API socket; the platform reports and completes it', async () => {
    const agentId = await agentWith(echo.deploymentId);
    const turn = await submit(agentId);
    assert.equal(turn.runtime_decision, 'ALLOWED');
    assert.match(
      turn.decision_reason,
      new RegExp(`^started run adrun_\\w+ of agent deployment ${echo.deploymentId}$`),
    );
    assert.equal(turn.admission_error, null);
    const run = await runOf(echo.deploymentId, turn.id);
    assert.deepEqual(run.input, { turn_id: turn.id, session_id: turn.session_id, message: 'hello runtime' });
    const ended = await waitForRun(h, echo.deploymentId, run.id);
    assert.equal(ended.status, 'succeeded', ended.failure_reason);

    const result = JSON.parse(await output(echo.deploymentId, run.id, 'result.json'));
    assert.deepEqual(result.input, run.input);
    assert.equal(result.turn_env, turn.id);
    assert.equal(result.socket, '/run/atoll/api.sock');
    assert.equal(result.emitted, 201, JSON.stringify(result.event));
    assert.equal(result.event.type, 'message.created');
    // The socket passes the emit route of its own turn and nothing else, in the Akua envelope.
    assert.equal(result.agents, 403);
    assert.equal(result.agents_body.success, false);
    assert.equal(result.agents_body.errors[0].code, 7003);
    assert.equal(result.other, 403);

    const final = await settled(turn.id);
    assert.equal(final.state, 'COMPLETED');
    assert.equal(final.failure, null);
    const events = await eventsOf(turn.id);
    const types = events.map((e) => e.type);
    assert.deepEqual([...types].sort(), [
      'execution_environment.started',
      'execution_environment.stopped',
      'message.created',
    ]);
    assert.equal(types.at(-1), 'execution_environment.stopped');
    const message = events.find((e) => e.type === 'message.created');
    assert.deepEqual(message.data, { role: 'assistant', content: 'echo: hello runtime' });
    assert.equal(message.id, result.event.id);
    const started = events.find((e) => e.type === 'execution_environment.started');
    assert.equal(started.data.state, 'STARTED');
    assert.equal(started.data.sandbox_id, ended.sandbox_id);
    assert.match(started.data.message, new RegExp(run.id));
    const stopped = events.at(-1);
    assert.equal(stopped.data.state, 'STOPPED');
    assert.equal(stopped.data.sandbox_id, ended.sandbox_id);

    // The token never reaches the logs, and it died with its run.
    const token = await output(echo.deploymentId, run.id, 'token.txt');
    assert.match(token, /^atoll_turn_/);
    const lines = await runLogs(h, echo.deploymentId, run.id);
    assert.ok(
      lines.some((l) => l.text === 'my token is [redacted]'),
      JSON.stringify(lines),
    );
    assert.ok(lines.every((l) => !l.text.includes(token)));
    const late = await h.request('POST', `/v1/agent_turns/${turn.id}:emit`, {
      token,
      headers: { 'idempotency-key': key() },
      body: { data: { content: 'too late' } },
    });
    assert.equal(late.status, 401, late.text);
    assert.match(late.body.errors[0].message, /has ended/);
  });

  test('a turn token emits into its own turn only, only while its run lives; cancelling the turn stops the run', async () => {
    const waiter = await deployAgent(h, {
      files: { 'main.js': WAITER },
      config: { entrypoint: 'node main.js' },
    });
    const agentId = await agentWith(waiter.deploymentId);
    const turn = await submit(agentId);
    const bystander = await submit(await agentWith(null));
    const run = await runOf(waiter.deploymentId, turn.id);
    const token: string = await eventually(
      async () => {
        // One page of the log as it is now (runLogs follows a live run to its end).
        const page = await h.request(
          'GET',
          `/v1/agent-deployments/${waiter.deploymentId}/runs/${run.id}/logs?cursor=0&limit=200`,
        );
        const line = page.body.items.find((l: any) => l.text.startsWith('token:'));
        if (line) return [...line.text.slice('token:'.length)].reverse().join('');
        const now = (await h.request('GET', `/v1/agent-deployments/${waiter.deploymentId}/runs/${run.id}`))
          .body;
        assert.ok(['starting', 'installing', 'running'].includes(now.status), now.failure_reason);
        return assert.fail('the waiter has not printed its token yet');
      },
      { timeoutMs: 30_000, intervalMs: 50, message: 'the waiter to print its token' },
    );
    const emit = (turnId: string) =>
      h.request('POST', `/v1/agent_turns/${turnId}:emit`, {
        token,
        headers: { 'idempotency-key': key() },
        body: { data: { content: 'from the token' } },
      });

    const own = await emit(turn.id);
    assert.equal(own.status, 201, own.text);
    assert.equal(own.body.turn_id, turn.id);
    const other = await emit(bystander.id);
    assert.equal(other.status, 403, other.text);
    assert.equal(other.body.errors[0].code, 7003);
    const list = await h.request('GET', '/v1/agents', { token });
    assert.equal(list.status, 403, list.text);
    const deployments = await h.request('GET', '/v1/agent-deployments', { token });
    assert.equal(deployments.status, 403, deployments.text);
    assert.equal(deployments.body.error.code, 'permission_denied');
    const elsewhere = await h.newWorkspace('runtime-elsewhere');
    const foreign = await h.request('POST', `/v1/agent_turns/${turn.id}:emit`, {
      token,
      headers: { 'idempotency-key': key(), 'akua-context': elsewhere.id },
      body: { data: { content: 'x' } },
    });
    assert.equal(foreign.status, 403, foreign.text);
    // The same signature over claims naming another turn.
    const [claims, signature] = token!.slice('atoll_turn_'.length).split('.');
    const wire = JSON.parse(Buffer.from(claims!, 'base64url').toString());
    const retargeted = Buffer.from(JSON.stringify({ ...wire, t: bystander.id })).toString('base64url');
    const forged = await h.request('POST', `/v1/agent_turns/${bystander.id}:emit`, {
      token: `atoll_turn_${retargeted}.${signature}`,
      headers: { 'idempotency-key': key() },
      body: { data: { content: 'x' } },
    });
    assert.equal(forged.status, 401, forged.text);

    const cancelled = await h.request('POST', `/v1/agent_turns/${turn.id}:cancel`, {
      body: { reason: 'enough' },
    });
    assert.equal(cancelled.status, 200, cancelled.text);
    const ended = await waitForRun(h, waiter.deploymentId, run.id);
    assert.equal(ended.status, 'cancelled');
    assert.match(ended.failure_reason, /enough/);
    assert.equal((await emit(turn.id)).status, 401);
    const types = (await eventsOf(turn.id)).map((e) => e.type);
    assert.deepEqual(types, ['execution_environment.started', 'message.created', 'turn.cancelled']);
  });

  test('a run cancelled on its own (not through the turn) fails the turn with run_cancelled', async () => {
    const waiter = await deployAgent(h, {
      files: { 'main.js': WAITER },
      config: { entrypoint: 'node main.js' },
    });
    const turn = await submit(await agentWith(waiter.deploymentId));
    const run = await runOf(waiter.deploymentId, turn.id);
    await waitForRun(h, waiter.deploymentId, run.id, (r) => r.status === 'running');
    const cancel = await h.request(
      'POST',
      `/v1/agent-deployments/${waiter.deploymentId}/runs/${run.id}/cancel`,
      {
        headers: { 'idempotency-key': key() },
        body: {},
      },
    );
    assert.equal(cancel.status, 200, cancel.text);
    const final = await settled(turn.id);
    assert.equal(final.state, 'FAILED');
    assert.equal(final.failure.code, 'run_cancelled');
    const events = await eventsOf(turn.id);
    assert.deepEqual(
      events.map((e) => [e.type, e.data.state]),
      [
        ['execution_environment.started', 'STARTED'],
        ['execution_environment.stopped', 'STOPPED'],
      ],
    );
  });

  test('a failing agent fails its turn with an execution_environment.failed event', async () => {
    const failing = await deployAgent(h, {
      files: { 'main.js': 'console.error("boom"); process.exit(3);' },
      config: { entrypoint: 'node main.js' },
    });
    const turn = await submit(await agentWith(failing.deploymentId));
    const final = await settled(turn.id);
    assert.equal(final.state, 'FAILED');
    const run = await runOf(failing.deploymentId, turn.id);
    assert.equal(run.status, 'failed');
    assert.deepEqual(final.failure, { code: 'run_failed', message: run.failure_reason });
    const events = await eventsOf(turn.id);
    assert.deepEqual(
      events.map((e) => e.type),
      ['execution_environment.started', 'execution_environment.failed'],
    );
    assert.deepEqual(events[1].data, {
      state: 'FAILED',
      message: run.failure_reason,
      sandbox_id: run.sandbox_id,
    });
  });

  test('a refused run fails the turn at once with admission_error, and no run is left', async () => {
    const empty = await h.request('POST', '/v1/agent-deployments', {
      headers: { 'idempotency-key': key() },
      body: { name: 'no-version-yet', mode: 'job' },
    });
    assert.equal(empty.status, 201, empty.text);
    const turn = await submit(await agentWith(empty.body.id));
    assert.equal(turn.state, 'FAILED');
    assert.equal(turn.runtime_decision, 'DENIED');
    assert.equal(turn.admission_error.code, 'conflict');
    assert.match(turn.admission_error.message, /no active version/);
    assert.deepEqual(turn.failure, turn.admission_error);
    assert.equal(turn.decision_reason, turn.admission_error.message);
    assert.ok(turn.completed_at !== null);
    const events = await eventsOf(turn.id);
    assert.deepEqual(
      events.map((e) => [e.type, e.data.state]),
      [['execution_environment.failed', 'FAILED']],
    );
    const runs = await h.request('GET', `/v1/agent-deployments/${empty.body.id}/runs`);
    assert.deepEqual(runs.body.items, []);
  });
});
