import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { agentsPort } from '../agents/module.ts';
import { startHarness, type Harness } from '../testing/harness.ts';

/** Pins what the event log asks of the agents family through its port (src/events/ports.ts). */
describe('the agents port of the event log', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  async function newTurn(token?: string) {
    const opts = token ? { token } : {};
    const agent = await h.request('POST', '/v1/agents', {
      ...opts,
      body: { name: 'ported', instructions: 'x', capabilities: ['CHAT'] },
    });
    const session = await h.request('POST', '/v1/agent_sessions', {
      ...opts,
      body: { agent_id: agent.body.id },
    });
    const turn = await h.request('POST', '/v1/agent_turns', {
      ...opts,
      body: { session_id: session.body.id, message: 'go' },
    });
    return { sessionId: session.body.id as string, turnId: turn.body.id as string };
  }

  test("a handoff summary naming another workspace's session is a 422 naming child_session_id", async () => {
    const mine = await newTurn();
    const other = await h.newWorkspace('port-other');
    const theirs = await newTurn(other.token);
    const res = await h.request('POST', `/v1/agent_turns/${mine.turnId}:emit`, {
      headers: { 'idempotency-key': 'port-handoff-1' },
      body: { type: 'handoff_summary', data: { child_session_id: theirs.sessionId, summary: 's' } },
    });
    assert.equal(res.status, 422, res.text);
    assert.ok(res.body.errors.some((e: any) => e.path.join('.') === 'body.data.child_session_id'));
    const own = await h.request('POST', `/v1/agent_turns/${mine.turnId}:emit`, {
      headers: { 'idempotency-key': 'port-handoff-2' },
      body: { type: 'handoff_summary', data: { child_session_id: mine.sessionId, summary: 's' } },
    });
    assert.equal(own.status, 201, own.text);
  });

  test('sessionExists keeps to the workspace, and lockTurn of an unknown turn locks nothing', async () => {
    const port = agentsPort(h.database.db);
    const mine = await newTurn();
    const other = await h.newWorkspace('port-other-2');
    assert.equal(await port.sessionExists(h.workspaceId, mine.sessionId), true);
    assert.equal(await port.sessionExists(other.id, mine.sessionId), false);
    assert.equal(await port.sessionExists(h.workspaceId, 'ags_nosuchsession'), false);
    await h.database.db.transaction().execute(async (trx) => {
      assert.equal(await port.lockTurn(trx, h.workspaceId, 'agt_nosuchturn'), undefined);
      assert.equal(await port.lockTurn(trx, other.id, mine.turnId), undefined);
      assert.ok(await port.lockTurn(trx, h.workspaceId, mine.turnId));
    });
  });
});
