import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { createTurnTokens, turnTokenKey } from './turn-tokens.ts';

describe('turn tokens', () => {
  const envKey = randomBytes(32);
  const tokens = createTurnTokens(turnTokenKey(envKey));
  const claims = {
    workspaceId: 'ws_abc',
    turnId: 'trn_abc',
    runId: 'adrun_abc',
    expiresAt: new Date(Math.floor(Date.now() / 1000 + 600) * 1000),
  };

  test('a minted token reads back as its claims', () => {
    const token = tokens.mint(claims);
    assert.match(token, /^atoll_turn_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(tokens.read(token), claims);
  });

  test('a token signed under another key, altered, or malformed reads as nothing', () => {
    const token = tokens.mint(claims);
    const other = createTurnTokens(turnTokenKey(randomBytes(32)));
    assert.equal(other.read(token), undefined);
    const [body, signature] = token.slice('atoll_turn_'.length).split('.');
    const wire = JSON.parse(Buffer.from(body!, 'base64url').toString());
    const altered = Buffer.from(JSON.stringify({ ...wire, t: 'trn_other' })).toString('base64url');
    assert.equal(tokens.read(`atoll_turn_${altered}.${signature}`), undefined);
    for (const bad of ['atoll_turn_', 'atoll_turn_x', `${token}.x`, `sk_${token}`, token.slice(0, -1)])
      assert.equal(tokens.read(bad), undefined, bad);
  });

  test('the signing key is derived from the env key, never the env key itself', () => {
    assert.notDeepEqual(turnTokenKey(envKey), envKey);
    assert.deepEqual(turnTokenKey(envKey), turnTokenKey(Buffer.from(envKey)));
  });
});
