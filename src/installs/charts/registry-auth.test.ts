import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { plainHttpHosts } from '../../lib/registry-address.ts';
import { registryScheme } from './reference.ts';
import { parseChallenges } from './registry-auth.ts';

describe('WWW-Authenticate challenges', () => {
  test('a Bearer challenge gives its realm, service and scope', () => {
    assert.deepEqual(
      parseChallenges(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      ),
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.docker.io/token',
            service: 'registry.docker.io',
            scope: 'repository:library/nginx:pull',
          },
        },
      ],
    );
  });

  test('Basic, unquoted and escaped values, and several challenges in one header', () => {
    assert.deepEqual(parseChallenges('Basic realm="Registry \\"x\\""'), [
      { scheme: 'basic', params: { realm: 'Registry "x"' } },
    ]);
    assert.deepEqual(parseChallenges('Basic realm=reg, Bearer realm="https://t/x", scope=a'), [
      { scheme: 'basic', params: { realm: 'reg' } },
      { scheme: 'bearer', params: { realm: 'https://t/x', scope: 'a' } },
    ]);
    assert.deepEqual(parseChallenges(''), []);
  });
});

describe('which registries are spoken to over plain HTTP', () => {
  test('loopback hosts and listed hosts use http, all others https', () => {
    const none = new Set<string>();
    assert.equal(registryScheme('127.0.0.1:5000', none), 'http');
    assert.equal(registryScheme('127.3.2.1', none), 'http');
    assert.equal(registryScheme('localhost:5000', none), 'http');
    assert.equal(registryScheme('[::1]:5000', none), 'http');
    assert.equal(registryScheme('ghcr.io', none), 'https');
    assert.equal(registryScheme('128.0.0.1:5000', none), 'https');
    assert.equal(registryScheme('127.example.com', none), 'https');
    const listed = plainHttpHosts(' Registry.LAN:5000 , http://10.0.0.5:80 ,');
    assert.deepEqual([...listed], ['registry.lan:5000', '10.0.0.5:80']);
    assert.equal(registryScheme('registry.lan:5000', listed), 'http');
    assert.equal(registryScheme('registry.lan:5001', listed), 'https');
  });

  test('ATOLL_OCI_PLAIN_HTTP entries that are not registry addresses are refused', () => {
    assert.deepEqual([...plainHttpHosts(undefined)], []);
    assert.throws(() => plainHttpHosts('bad host:5000'), /ATOLL_OCI_PLAIN_HTTP/);
  });
});
