/**
 * A notification commits with the change that causes it: after the server is killed in the middle of
 * many failing runs and approval requests, every one of them that the store kept has its notification,
 * and none has two.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { childServer, type ChildServer } from '../testing/child-server.ts';
import { eventually } from '../testing/eventually.ts';

describe('notifications across a crash', () => {
  let server: ChildServer;
  before(async () => {
    server = await childServer();
    await server.start();
  });
  after(() => server.cleanup());

  const request = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    server.client.request(method, path, { body, headers });

  /** Every item of a paged list, following next_cursor. */
  async function all(path: string): Promise<any[]> {
    const items: any[] = [];
    let cursor: string | null = null;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const res = await request('GET', cursor ? `${path}${sep}cursor=${cursor}` : path);
      assert.equal(res.status, 200, res.text);
      items.push(...res.body.data);
      cursor = res.body.next_cursor;
    } while (cursor);
    return items;
  }

  test('killed while runs fail and approvals are requested, the restarted server has one notification for each that was kept', async () => {
    const snippet = await request('POST', '/v1/snippets', {
      name: 'always fails',
      code: 'throw new Error("nope")',
      display_type: 'json',
    });
    assert.equal(snippet.status, 201, snippet.text);
    const agent = await request('POST', '/v1/agents', {
      name: 'Crash agent',
      instructions: 'Ask.',
      capabilities: ['CHAT'],
    });
    const session = await request('POST', '/v1/agent_sessions', { agent_id: agent.body.id });
    const turn = await request('POST', '/v1/agent_turns', { session_id: session.body.id, message: 'Go' });
    assert.equal(turn.status, 201, turn.text);

    let answered = 0;
    const inFlight = [
      ...Array.from({ length: 30 }, () =>
        request('POST', `/v1/snippets/${snippet.body.snippet_id}/runs`, {}),
      ),
      ...Array.from({ length: 30 }, (_, i) =>
        request(
          'POST',
          `/v1/agent_turns/${turn.body.id}:emit`,
          { type: 'approval_request', data: { title: `Step ${i}`, summary: 'Approve?', actions: [] } },
          { 'idempotency-key': `crash-${i}` },
        ),
      ),
    ].map((p) =>
      p.then(
        (res) => {
          answered++;
          return res.status;
        },
        () => 'lost',
      ),
    );
    // Killed once a third have answered: some changes are kept, others are cut off on their way.
    await eventually(() => answered >= inFlight.length / 3, {
      timeoutMs: 60_000,
      intervalMs: 5,
      message: 'a third of the requests to be answered',
    });
    await server.kill();
    const outcomes = await Promise.all(inFlight);
    await server.start();

    const failedRuns = (await all(`/v1/snippets/${snippet.body.snippet_id}/runs?state=failed`)).map(
      (r) => r.id,
    );
    const approvals = (await all('/v1/approval_requests')).map((a) => a.id);
    assert.ok(failedRuns.length + approvals.length > 0, `something was kept: ${JSON.stringify(outcomes)}`);
    const notified = (await all('/v1/notifications')).map((n) => n.resource_id);
    assert.equal(new Set(notified).size, notified.length, 'no resource was notified twice');
    assert.deepEqual(notified.sort(), [...failedRuns, ...approvals].sort());
    console.log('DEBUG', failedRuns.length, approvals.length, JSON.stringify(outcomes));
  });
});
