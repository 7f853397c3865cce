import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration', () => {
  test('defaults serve 127.0.0.1:8787 on PGlite under ./data', () => {
    const c = loadConfig({});
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8787);
    assert.equal(c.dataDir, path.resolve('data'));
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.publicUrl, 'http://127.0.0.1:8787');
    assert.equal(c.jwt, undefined);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.idempotencyTtlSeconds, 24 * 3600);
  });

  test('every bad value is reported at once, naming the variable and what to put there', () => {
    assert.throws(
      () =>
        loadConfig({
          PORT: 'eighty',
          DATABASE_URL: 'mysql://x',
          ATOLL_BOOTSTRAP_TOKEN: 'sk_short',
          LOG_LEVEL: 'loud',
          ATOLL_JWT_SECRET: 'tiny',
        }),
      (e: Error) => {
        assert.ok(e instanceof ConfigError);
        for (const name of [
          'PORT',
          'DATABASE_URL',
          'ATOLL_BOOTSTRAP_TOKEN',
          'LOG_LEVEL',
          'ATOLL_JWT_SECRET',
        ]) {
          assert.match(e.message, new RegExp(`  ${name}: `), name);
        }
        assert.match(e.message, /at least 32 URL-safe characters/);
        return true;
      },
    );
  });

  test('the bootstrap token must be sk_ plus at least 32 URL-safe characters', () => {
    assert.throws(() => loadConfig({ ATOLL_BOOTSTRAP_TOKEN: `sk_${'a'.repeat(31)}` }), ConfigError);
    assert.throws(() => loadConfig({ ATOLL_BOOTSTRAP_TOKEN: `sk_${'a'.repeat(31)}+` }), ConfigError);
    assert.throws(() => loadConfig({ ATOLL_BOOTSTRAP_TOKEN: `pk_${'a'.repeat(40)}` }), ConfigError);
    assert.equal(
      loadConfig({ ATOLL_BOOTSTRAP_TOKEN: `sk_${'a-_B9'.repeat(8)}` }).bootstrapToken,
      `sk_${'a-_B9'.repeat(8)}`,
    );
  });

  test('Helm: ATOLL_OCI_PLAIN_HTTP is a list of registry addresses, ATOLL_HELM a path, PATH where helm is looked up', () => {
    const config = loadConfig({
      ATOLL_OCI_PLAIN_HTTP: 'Registry.LAN:5000, oci://10.0.0.5:80',
      ATOLL_HELM: '/opt/helm/helm',
      PATH: '/usr/bin',
    });
    assert.deepEqual(config.helm.plainHttp, ['registry.lan:5000', '10.0.0.5:80']);
    assert.equal(config.helm.path, '/opt/helm/helm');
    assert.equal(config.helm.searchPath, '/usr/bin');
    assert.throws(() => loadConfig({ ATOLL_OCI_PLAIN_HTTP: 'bad host:5000' }), /ATOLL_OCI_PLAIN_HTTP/);
  });

  test('a JWT secret and a JWKS URL together are refused', () => {
    assert.throws(
      () => loadConfig({ ATOLL_JWT_SECRET: 'x'.repeat(40), ATOLL_JWT_JWKS_URL: 'https://idp.example/jwks' }),
      /either ATOLL_JWT_SECRET .* or ATOLL_JWT_JWKS_URL, not both/,
    );
    const c = loadConfig({
      ATOLL_JWT_JWKS_URL: 'https://idp.example/jwks',
      ATOLL_JWT_ISSUER: 'https://idp.example',
    });
    assert.equal(c.jwt?.jwksUrl, 'https://idp.example/jwks');
    assert.equal(c.jwt?.workspacesClaim, 'atoll_workspaces');
  });

  test('empty variables count as unset and the public URL loses its trailing slash', () => {
    const c = loadConfig({ PORT: '', DATABASE_URL: ' ', ATOLL_PUBLIC_URL: 'https://atoll.example.com/' });
    assert.equal(c.port, 8787);
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.publicUrl, 'https://atoll.example.com');
  });
});
