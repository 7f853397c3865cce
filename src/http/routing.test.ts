import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness } from '../testing/harness.ts';
import { routedPath } from './routing.ts';

const path = (url: string) => routedPath(new Request(`http://127.0.0.1${url}`));

describe('routing of documented paths', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('the router decodes a percent-encoded colon, in either case, and nothing else of it', () => {
    assert.equal(path('/v1/agent_turns/trn_a%3Aemit'), '/v1/agent_turns/trn_a:emit');
    assert.equal(path('/v1/snippets%3aexecute?x=%3A'), '/v1/snippets:execute');
    assert.equal(path('/v1/snippets/snp_a%253Aexecute'), '/v1/snippets/snp_a%253Aexecute');
    assert.equal(path('/v1/snippets/snp_a:execute'), '/v1/snippets/snp_a:execute');
  });

  test('a custom method answers the same whether its colon is sent as ":", "%3A" or "%3a"', async () => {
    const created = await h.request('POST', '/v1/snippets', {
      body: { name: 'six', code: 'async () => 6', display_type: 'json' },
    });
    const id = created.body.snippet_id;
    for (const colon of [':', '%3A', '%3a']) {
      const stored = await h.request('POST', `/v1/snippets/${id}${colon}execute`, { body: {} });
      assert.equal(stored.status, 200, colon);
      assert.equal(stored.body.result, 6);
      const adhoc = await h.request('POST', `/v1/snippets${colon}execute`, {
        body: { code: 'async () => 7' },
      });
      assert.equal(adhoc.status, 200, colon);
      assert.equal(adhoc.body.result, 7);
    }
    const encodedPercent = await h.request('POST', `/v1/snippets/${id}%253Aexecute`, { body: {} });
    assert.equal(encodedPercent.status, 404);
    assert.match(encodedPercent.body.errors[0].message, /^no route/);
  });

  test('a resource route never takes "<id>:verb": an unknown custom method is "no route", not a missing resource', async () => {
    const created = await h.request('POST', '/v1/snippets', {
      body: { name: 'probe', code: 'async () => 1', display_type: 'json' },
    });
    const id = created.body.snippet_id;
    for (const url of [`/v1/snippets/${id}:frobnicate`, `/v1/snippets/${id}%3Afrobnicate`]) {
      const res = await h.request('GET', url);
      assert.equal(res.status, 404, url);
      assert.match(res.body.errors[0].message, /^no route for GET \/v1\/snippets\/snp_\w+:frobnicate/);
    }
    assert.equal((await h.request('GET', `/v1/snippets/${id}`)).status, 200);
  });

  test('the OpenAPI document keeps the published paths of custom methods', async () => {
    const doc = (await h.request('GET', '/v1/openapi.json', { token: null })).body;
    assert.equal(doc.paths['/v1/agent_turns/{id}:emit'].post.operationId, 'agentTurns.emit');
    assert.equal(doc.paths['/v1/snippets/{id}'].get.operationId, 'snippets.get');
    assert.ok(
      !Object.keys(doc.paths).some((p) => p.includes('[^')),
      'no router pattern leaks into the document',
    );
  });
});
