import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { assertPublished } from '../testing/published-api.ts';
import { startHarness, type Harness } from '../testing/harness.ts';
import { isUnixSeconds } from './test-fixtures.ts';

const SECRET = 'preferences-test-secret-0123456789abcdef';

const published = assertPublished;

const valid = {
  communication_profile: 'EXPERT',
  learning_mode_enabled: true,
  seen_concepts: ['install', 'render'],
};

describe('agent preferences', () => {
  let h: Harness;
  const jwt = (sub: string) =>
    new SignJWT({ sub, atoll_workspaces: '*' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(SECRET));
  before(async () => {
    h = await startHarness({ ATOLL_JWT_SECRET: SECRET });
  });
  after(() => h.close());

  test('a user who never set them gets the defaults, with an id that stays the same', async () => {
    const token = await jwt('user-defaults');
    const headers = { 'akua-context': h.workspaceId };
    const first = published(
      'agentPreferences.get',
      await h.request('GET', '/v1/agent_preferences', { token, headers }),
    );
    assert.equal(first.status, 200);
    assert.match(first.body.id, /^apf_[a-z2-7]{26}$/);
    assert.equal(first.body.workspace_id, h.workspaceId);
    assert.equal(first.body.user_id, 'user-defaults');
    assert.equal(first.body.communication_profile, 'ADAPTIVE');
    assert.equal(first.body.learning_mode_enabled, false);
    assert.deepEqual(first.body.seen_concepts, []);
    assert.ok(isUnixSeconds(first.body.created_at));
    assert.equal(first.body.etag, '1');
    assert.equal(first.headers.get('etag'), '"1"');
    const again = await h.request('GET', '/v1/agent_preferences', { token, headers });
    assert.deepEqual(again.body, first.body);
  });

  test('PATCH replaces all three fields, persists them and bumps the etag', async () => {
    const token = await jwt('user-patch');
    const headers = { 'akua-context': h.workspaceId };
    const before = await h.request('GET', '/v1/agent_preferences', { token, headers });
    const res = published(
      'agentPreferences.update',
      await h.request('PATCH', '/v1/agent_preferences', { token, headers, body: valid }),
    );
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.id, before.body.id);
    assert.equal(res.body.communication_profile, 'EXPERT');
    assert.equal(res.body.learning_mode_enabled, true);
    assert.deepEqual(res.body.seen_concepts, ['install', 'render']);
    assert.equal(res.body.etag, '2');
    assert.equal(res.body.created_at, before.body.created_at);
    const read = published(
      'agentPreferences.get',
      await h.request('GET', '/v1/agent_preferences', { token, headers }),
    );
    assert.deepEqual(read.body, res.body);
  });

  test('a first PATCH without a prior read creates the preferences', async () => {
    const token = await jwt('user-first-patch');
    const headers = { 'akua-context': h.workspaceId };
    const res = published(
      'agentPreferences.update',
      await h.request('PATCH', '/v1/agent_preferences', {
        token,
        headers,
        body: { ...valid, seen_concepts: [] },
      }),
    );
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.etag, '1');
    assert.equal(res.body.communication_profile, 'EXPERT');
  });

  test('preferences belong to one user in one workspace', async () => {
    const a = await jwt('user-a');
    const b = await jwt('user-b');
    const other = await h.newWorkspace('prefs-other');
    const here = { 'akua-context': h.workspaceId };
    const there = { 'akua-context': other.id };
    await h.request('PATCH', '/v1/agent_preferences', { token: a, headers: here, body: valid });
    const bHere = await h.request('GET', '/v1/agent_preferences', { token: b, headers: here });
    assert.equal(bHere.body.communication_profile, 'ADAPTIVE');
    assert.equal(bHere.body.user_id, 'user-b');
    const aThere = published(
      'agentPreferences.get',
      await h.request('GET', '/v1/agent_preferences', { token: a, headers: there }),
    );
    assert.equal(aThere.body.workspace_id, other.id);
    assert.equal(aThere.body.communication_profile, 'ADAPTIVE');
    // A workspace API token is a user of its own: its token id.
    const tokenPrefs = published('agentPreferences.get', await h.request('GET', '/v1/agent_preferences'));
    assert.match(tokenPrefs.body.user_id, /^tok_/);
    assert.equal(tokenPrefs.body.communication_profile, 'ADAPTIVE');
  });

  test('a repeated seen concept is kept once, in first-seen order', async () => {
    const res = await h.request('PATCH', '/v1/agent_preferences', {
      body: { ...valid, seen_concepts: ['b', 'a', 'b', 'c', 'a'] },
    });
    published('agentPreferences.update', res);
    assert.deepEqual(res.body.seen_concepts, ['b', 'a', 'c']);
  });

  test('every field is validated: a 422 names each bad, missing or unknown field', async () => {
    const cases: Array<[object, string[]]> = [
      [{ ...valid, communication_profile: 'GURU' }, ['body', 'communication_profile']],
      [{ ...valid, learning_mode_enabled: 'yes' }, ['body', 'learning_mode_enabled']],
      [{ ...valid, seen_concepts: 'install' }, ['body', 'seen_concepts']],
      [{ ...valid, seen_concepts: [''] }, ['body', 'seen_concepts', '0']],
      [{ ...valid, seen_concepts: ['ok', 'x'.repeat(121)] }, ['body', 'seen_concepts', '1']],
      [
        { ...valid, seen_concepts: Array.from({ length: 201 }, (_, i) => `c${i}`) },
        ['body', 'seen_concepts'],
      ],
      [{ learning_mode_enabled: true, seen_concepts: [] }, ['body', 'communication_profile']],
      [{ communication_profile: 'EXPERT', seen_concepts: [] }, ['body', 'learning_mode_enabled']],
      [{ communication_profile: 'EXPERT', learning_mode_enabled: true }, ['body', 'seen_concepts']],
      [{ ...valid, theme: 'dark' }, ['body', 'theme']],
    ];
    for (const [body, path] of cases) {
      const res = published(
        'agentPreferences.update',
        await h.request('PATCH', '/v1/agent_preferences', { body }),
      );
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.deepEqual(res.body.errors[0].path, path, JSON.stringify(body));
    }
    // Nothing was written by the refused requests.
    const after = await h.request('GET', '/v1/agent_preferences');
    assert.notEqual(after.body.communication_profile, 'GURU');
  });

  test('a body that is not a JSON object is refused, not a 500', async () => {
    for (const raw of ['not json', '[]', 'null', '"EXPERT"']) {
      const res = await h.request('PATCH', '/v1/agent_preferences', {
        raw,
        headers: { 'content-type': 'application/json' },
      });
      assert.ok(res.status === 400 || res.status === 422, `${raw}: ${res.status}`);
      assert.equal(res.body.success, false);
    }
  });

  test('without a credential both operations are 401', async () => {
    published('agentPreferences.get', await h.request('GET', '/v1/agent_preferences', { token: null }));
    const res = published(
      'agentPreferences.update',
      await h.request('PATCH', '/v1/agent_preferences', { token: null, body: valid }),
    );
    assert.equal(res.status, 401);
  });
});
