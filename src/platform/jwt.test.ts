import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { startHarness, type Harness } from '../testing/harness.ts';

describe('JWTs verified against a JWKS URL', () => {
  let h: Harness;
  let server: http.Server;
  let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  before(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    h = await startHarness({
      ATOLL_JWT_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
      ATOLL_JWT_WORKSPACES_CLAIM: 'ws',
    });
  });
  after(async () => {
    await h.close();
    server.close();
  });

  test('an RS256 JWT signed by a JWKS key acts in the workspaces of the configured claim', async () => {
    const token = await new SignJWT({ sub: 'svc-1', ws: '*' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setExpirationTime('5m')
      .sign(privateKey);
    const res = await h.request('GET', '/v1/api_tokens', {
      token,
      headers: { 'akua-context': h.workspaceId },
    });
    assert.equal(res.status, 200);
    const list = await h.request('GET', '/v1/workspaces', { token });
    assert.ok(list.body.data.some((w: any) => w.id === h.workspaceId));
  });

  test('a JWT signed by another key is 401', async () => {
    const other = await generateKeyPair('RS256');
    const token = await new SignJWT({ sub: 'svc-1', ws: '*' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setExpirationTime('5m')
      .sign(other.privateKey);
    assert.equal((await h.request('GET', '/v1/workspaces', { token })).status, 401);
  });
});
