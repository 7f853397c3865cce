import assert from 'node:assert/strict';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { packFiles } from '../packages/pack.ts';
import {
  HELM_CHART_MEDIA_TYPE,
  HELM_CONFIG_MEDIA_TYPE,
  pushArtifact,
  pushChart,
  sha256Digest,
} from '../../testing/oci-push.ts';
import { findHelm } from '../../lib/helm-binary.ts';
import { chartFiles, helmPackage, helmPush, writeChart } from '../../testing/charts.ts';
import { tempDir } from '../../testing/harness.ts';
import { startRegistry, type TestRegistry } from '../../testing/oci-registry.ts';
import { startTokenFront } from '../../testing/oci-token-front.ts';
import { readChart } from './chart.ts';
import { OciError, parseChartReference, pullChart, type OciCredentials } from './oci.ts';

const helm = findHelm();

const NO_PLAIN = new Set<string>();
const OPTS = { plainHttp: NO_PLAIN, maxChartBytes: 1024 * 1024, timeoutMs: 10_000 };

async function chartArchive(name: string, version: string, padding = 0): Promise<Uint8Array> {
  return packFiles({
    [`${name}/Chart.yaml`]: `apiVersion: v2\nname: ${name}\nversion: ${version}\n`,
    [`${name}/values.yaml`]: 'replicas: 1\n',
    // Random bytes do not compress, so the archive is at least `padding` bytes.
    ...(padding > 0 ? { [`${name}/files/pad.bin`]: crypto.getRandomValues(new Uint8Array(padding)) } : {}),
  });
}

/** Runs `fn`, expecting an OciError with `code`; returns it for further checks. */
async function rejectsWith(fn: () => Promise<unknown>, code: OciError['code']): Promise<OciError> {
  try {
    await fn();
  } catch (error) {
    assert.ok(error instanceof OciError, `expected an OciError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected OciError ${code}, but it succeeded`);
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('pulling Helm charts from a real registry (no auth)', () => {
  let registry: TestRegistry;
  let chart: Uint8Array;
  let pushed: { manifestDigest: string; chartDigest: string };
  before(async () => {
    registry = await startRegistry();
    chart = await chartArchive('demo', '1.2.3');
    pushed = await pushChart(registry.url, 'charts/demo', '1.2.3', {
      name: 'demo',
      version: '1.2.3',
      bytes: chart,
    });
  });
  after(() => registry.stop());

  test('a chart pulled by tag has the pushed bytes and digests', async () => {
    const ref = parseChartReference(`oci://${registry.host}/charts`, 'demo', '1.2.3');
    const pulled = await pullChart(ref, OPTS);
    assert.deepEqual(Buffer.from(pulled.bytes), Buffer.from(chart));
    assert.equal(pulled.chartDigest, sha256Digest(chart));
    assert.equal(pulled.chartDigest, pushed.chartDigest);
    assert.equal(pulled.manifestDigest, pushed.manifestDigest);
  });

  test('a chart pulled by manifest digest is the same chart', async () => {
    const ref = parseChartReference(`oci://${registry.host}/charts/demo`, undefined, pushed.manifestDigest);
    assert.equal(ref.display, `oci://${registry.host}/charts/demo@${pushed.manifestDigest}`);
    const pulled = await pullChart(ref, OPTS);
    assert.deepEqual(Buffer.from(pulled.bytes), Buffer.from(chart));
    assert.equal(pulled.manifestDigest, pushed.manifestDigest);
  });

  test('a version with build metadata is pulled from the tag Helm writes (+ becomes _)', async () => {
    const bytes = await chartArchive('demo', '2.0.0+build.7');
    await pushChart(registry.url, 'charts/demo', '2.0.0_build.7', {
      name: 'demo',
      version: '2.0.0+build.7',
      bytes,
    });
    const pulled = await pullChart(
      parseChartReference(`oci://${registry.host}/charts`, 'demo', '2.0.0+build.7'),
      OPTS,
    );
    assert.equal(pulled.chartDigest, sha256Digest(bytes));
  });

  test('a missing tag is not_found, naming the tag and the repository', async () => {
    const error = await rejectsWith(
      () => pullChart(parseChartReference(`oci://${registry.host}/charts`, 'demo', '9.9.9'), OPTS),
      'not_found',
    );
    assert.equal(error.field, 'target_revision');
    assert.match(error.message, /9\.9\.9/);
    assert.match(error.message, /charts\/demo/);
  });

  test('a repository that does not exist is not_found', async () => {
    await rejectsWith(
      () => pullChart(parseChartReference(`oci://${registry.host}/charts`, 'nothing-here', '1.0.0'), OPTS),
      'not_found',
    );
  });

  test('an artifact with another config media type is not_a_chart', async () => {
    await pushArtifact(registry.url, 'images/app', '1.0.0', {
      configMediaType: 'application/vnd.oci.image.config.v1+json',
      config: new TextEncoder().encode(
        '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
      ),
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', bytes: chart }],
    });
    const error = await rejectsWith(
      () => pullChart(parseChartReference(`oci://${registry.host}/images/app`, undefined, '1.0.0'), OPTS),
      'not_a_chart',
    );
    assert.match(error.message, /application\/vnd\.oci\.image\.config\.v1\+json/);
  });

  test('an artifact with two chart layers is not_a_chart', async () => {
    await pushArtifact(registry.url, 'charts/twice', '1.0.0', {
      configMediaType: HELM_CONFIG_MEDIA_TYPE,
      config: new TextEncoder().encode('{"name":"twice","version":"1.0.0"}'),
      layers: [
        { mediaType: HELM_CHART_MEDIA_TYPE, bytes: chart },
        { mediaType: HELM_CHART_MEDIA_TYPE, bytes: await chartArchive('twice', '1.0.0') },
      ],
    });
    await rejectsWith(
      () => pullChart(parseChartReference(`oci://${registry.host}/charts/twice`, undefined, '1.0.0'), OPTS),
      'not_a_chart',
    );
  });

  test('an image index is not_a_chart, saying it is an index', async () => {
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: pushed.manifestDigest, size: 1 },
      ],
    });
    // The index refers to the chart's manifest, which must be in the same repository.
    const put = await fetch(`${registry.url}/v2/charts/demo/manifests/multi`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.oci.image.index.v1+json' },
      body: index,
    });
    assert.equal(put.status, 201, await put.text());
    const error = await rejectsWith(
      () => pullChart(parseChartReference(`oci://${registry.host}/charts/demo`, undefined, 'multi'), OPTS),
      'not_a_chart',
    );
    assert.match(error.message, /index/);
  });

  test('a chart larger than maxChartBytes is too_large', async () => {
    const big = await chartArchive('big', '1.0.0', 64 * 1024);
    await pushChart(registry.url, 'charts/big', '1.0.0', { name: 'big', version: '1.0.0', bytes: big });
    const error = await rejectsWith(
      () =>
        pullChart(parseChartReference(`oci://${registry.host}/charts/big`, undefined, '1.0.0'), {
          ...OPTS,
          maxChartBytes: 32 * 1024,
        }),
      'too_large',
    );
    assert.match(error.message, /32768/);
  });

  test(
    'a chart pushed by `helm push` is pulled and read',
    { skip: helm ? false : 'helm is not installed' },
    async () => {
      const dir = path.join(tempDir('atoll-helm-'), 'webapp');
      await writeChart(dir, chartFiles({ name: 'webapp', version: '0.3.0+meta', objects: 6, schema: false }));
      const tgz = await helmPackage(helm!, dir, tempDir('atoll-helm-out-'));
      await helmPush(helm!, tgz, `oci://${registry.host}/helm`);
      const ref = parseChartReference(`oci://${registry.host}/helm`, 'webapp', '0.3.0+meta');
      const pulled = await pullChart(ref, OPTS);
      assert.deepEqual(Buffer.from(pulled.bytes), fs.readFileSync(tgz));
      const contents = await readChart(pulled.bytes);
      assert.equal(contents.name, 'webapp');
      assert.equal(contents.version, '0.3.0+meta');
    },
  );

  test("the caller's abort is thrown as is", async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    controller.abort(reason);
    await assert.rejects(
      pullChart(parseChartReference(`oci://${registry.host}/charts`, 'demo', '1.2.3'), {
        ...OPTS,
        signal: controller.signal,
      }),
      (error) => error === reason,
    );
  });
});

describe('a registry that cannot be reached', () => {
  test('nothing listening on the port is unreachable, naming the host', async () => {
    const server = net.createServer();
    const port = await listen(server);
    await new Promise((resolve) => server.close(resolve));
    const error = await rejectsWith(
      () => pullChart(parseChartReference(`oci://127.0.0.1:${port}/charts`, 'demo', '1.0.0'), OPTS),
      'unreachable',
    );
    assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.match(error.message, /ECONNREFUSED/);
  });

  test('a registry that never answers is unreachable after timeoutMs', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((socket) => sockets.push(socket));
    const port = await listen(server);
    try {
      const started = Date.now();
      const error = await rejectsWith(
        () =>
          pullChart(parseChartReference(`oci://127.0.0.1:${port}/charts`, 'demo', '1.0.0'), {
            ...OPTS,
            timeoutMs: 300,
          }),
        'unreachable',
      );
      assert.ok(Date.now() - started < 5000);
      assert.match(error.message, /did not answer/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('a registry with basic auth (htpasswd)', () => {
  const auth = { username: 'atoll', password: 'correct horse battery' };
  let registry: TestRegistry;
  let chart: Uint8Array;
  before(async () => {
    registry = await startRegistry({ auth });
    chart = await chartArchive('private', '0.1.0');
    await pushChart(
      registry.url,
      'team/private',
      '0.1.0',
      { name: 'private', version: '0.1.0', bytes: chart },
      auth,
    );
  });
  after(() => registry.stop());
  const ref = () => parseChartReference(`oci://${registry.host}/team`, 'private', '0.1.0');

  test('the right username and password pull the chart', async () => {
    const pulled = await pullChart(ref(), { ...OPTS, credentials: { type: 'basic', ...auth } });
    assert.deepEqual(Buffer.from(pulled.bytes), Buffer.from(chart));
  });

  test('a wrong password is unauthorized, and the message does not hold it', async () => {
    const error = await rejectsWith(
      () =>
        pullChart(ref(), {
          ...OPTS,
          credentials: { type: 'basic', username: 'atoll', password: 'wrong-secret-123' },
        }),
      'unauthorized',
    );
    assert.doesNotMatch(error.message, /wrong-secret-123/);
    assert.match(error.message, /credentials/);
  });

  test('no credentials is unauthorized, telling the user to create a registry connection', async () => {
    const error = await rejectsWith(() => pullChart(ref(), OPTS), 'unauthorized');
    assert.match(error.message, /POST \/v1\/registry_connections/);
  });

  test('a token credential against basic auth is unauthorized, asking for a basic connection', async () => {
    const error = await rejectsWith(
      () => pullChart(ref(), { ...OPTS, credentials: { type: 'token', token: 'tok-secret' } }),
      'unauthorized',
    );
    assert.match(error.message, /basic/);
    assert.doesNotMatch(error.message, /tok-secret/);
  });
});

describe('a registry with Bearer token auth', () => {
  const user = { username: 'robot', password: 'robot-secret' };
  let registry: TestRegistry;
  let chart: Uint8Array;
  before(async () => {
    registry = await startRegistry();
    chart = await chartArchive('tokened', '1.0.0');
    await pushChart(registry.url, 'org/tokened', '1.0.0', {
      name: 'tokened',
      version: '1.0.0',
      bytes: chart,
    });
  });
  after(() => registry.stop());

  async function pullThrough(
    front: { host: string },
    credentials: OciCredentials | undefined,
  ): Promise<Uint8Array> {
    const ref = parseChartReference(`oci://${front.host}/org`, 'tokened', '1.0.0');
    const pulled = await pullChart(ref, { ...OPTS, ...(credentials ? { credentials } : {}) });
    return pulled.bytes;
  }

  test('basic credentials are exchanged for a token at the realm, for pull on the repository', async () => {
    const front = await startTokenFront(registry, { ...user, anonymous: false });
    try {
      const bytes = await pullThrough(front, { type: 'basic', ...user });
      assert.deepEqual(Buffer.from(bytes), Buffer.from(chart));
      assert.equal(front.seen.tokenRequests.length, 1, 'one token serves the manifest and the blob');
      const query = new URLSearchParams(front.seen.tokenRequests[0]);
      assert.equal(query.get('service'), 'front');
      assert.equal(query.get('scope'), 'repository:org/tokened:pull');
      assert.deepEqual(
        front.seen.storageAuthorization,
        [undefined],
        'no Authorization after a redirect to another host',
      );
    } finally {
      await front.stop();
    }
  });

  test('without credentials, an anonymous token is asked for (public repositories)', async () => {
    const front = await startTokenFront(registry, { ...user, anonymous: true });
    try {
      assert.deepEqual(Buffer.from(await pullThrough(front, undefined)), Buffer.from(chart));
    } finally {
      await front.stop();
    }
  });

  test('without credentials, a realm that refuses anonymous tokens is unauthorized', async () => {
    const front = await startTokenFront(registry, { ...user, anonymous: false });
    try {
      const error = await rejectsWith(() => pullThrough(front, undefined), 'unauthorized');
      assert.match(error.message, /registry_connections/);
    } finally {
      await front.stop();
    }
  });

  test('wrong credentials are unauthorized at the realm', async () => {
    const front = await startTokenFront(registry, { ...user, anonymous: true });
    try {
      const error = await rejectsWith(
        () => pullThrough(front, { type: 'basic', username: 'robot', password: 'nope-secret' }),
        'unauthorized',
      );
      assert.doesNotMatch(error.message, /nope-secret/);
    } finally {
      await front.stop();
    }
  });

  test('a token credential is sent as the bearer token itself', async () => {
    const front = await startTokenFront(registry, {
      ...user,
      anonymous: false,
      directToken: 'registry-token',
    });
    try {
      await pullThrough(front, { type: 'token', token: 'registry-token' });
      assert.equal(front.seen.tokenRequests.length, 0);
    } finally {
      await front.stop();
    }
  });

  test('a token credential the registry refuses is exchanged at the realm as the password', async () => {
    const front = await startTokenFront(registry, {
      username: 'oauth2accesstoken',
      password: 'pat-123',
      anonymous: false,
    });
    try {
      await pullThrough(front, { type: 'token', token: 'pat-123' });
      assert.equal(front.seen.tokenRequests.length, 1);
    } finally {
      await front.stop();
    }
  });

  test('a manifest that does not hash to the digest asked for is digest_mismatch', async () => {
    const other = await pushChart(registry.url, 'org/tokened', '1.0.1', {
      name: 'tokened',
      version: '1.0.1',
      bytes: await chartArchive('tokened', '1.0.1'),
    });
    const front = await startTokenFront(registry, { ...user, anonymous: true });
    front.seen.manifestFrom = '/v2/org/tokened/manifests/1.0.0';
    try {
      const ref = parseChartReference(`oci://${front.host}/org`, 'tokened', other.manifestDigest);
      const error = await rejectsWith(() => pullChart(ref, OPTS), 'digest_mismatch');
      assert.match(error.message, new RegExp(other.manifestDigest));
    } finally {
      await front.stop();
    }
  });

  test('a blob whose bytes do not hash to its digest is digest_mismatch', async () => {
    const front = await startTokenFront(registry, { ...user, anonymous: true });
    front.seen.corrupt = true;
    try {
      await rejectsWith(() => pullThrough(front, undefined), 'digest_mismatch');
    } finally {
      await front.stop();
    }
  });
});

describe('parseChartReference', () => {
  const good: Array<[string, string | undefined, string, Partial<ReturnType<typeof parseChartReference>>]> = [
    [
      'oci://ghcr.io/org/charts',
      'nginx',
      '1.2.3',
      { registry: 'ghcr.io', repository: 'org/charts/nginx', reference: '1.2.3' },
    ],
    [
      'oci://GHCR.io/org/nginx',
      undefined,
      '1.2.3',
      { registry: 'ghcr.io', display: 'oci://ghcr.io/org/nginx:1.2.3' },
    ],
    [
      'oci://registry.local:5000/a/b/',
      'c',
      '0.1.0-rc.1',
      { registry: 'registry.local:5000', repository: 'a/b/c' },
    ],
    ['OCI://127.0.0.1:5000/x', undefined, '1.0.0+build.1', { reference: '1.0.0_build.1' }],
    ['oci://[::1]:5000/x', undefined, 'latest', { registry: '[::1]:5000', repository: 'x' }],
    ['oci://reg.io', 'top-level_chart.name', 'v1', { repository: 'top-level_chart.name' }],
    [
      'oci://reg.io/a__b/c--d',
      undefined,
      `sha256:${'a'.repeat(64)}`,
      { display: `oci://reg.io/a__b/c--d@sha256:${'a'.repeat(64)}` },
    ],
  ];
  for (const [repoUrl, chart, revision, expected] of good) {
    test(`accepts ${repoUrl} ${chart ?? '-'} ${revision}`, () => {
      const ref = parseChartReference(repoUrl, chart, revision);
      for (const [key, value] of Object.entries(expected)) assert.equal(ref[key as keyof typeof ref], value);
    });
  }
  const bad: Array<[string, string | undefined, string, 'repo_url' | 'chart' | 'target_revision']> = [
    ['https://ghcr.io/org/charts', 'nginx', '1.0.0', 'repo_url'],
    ['ghcr.io/org/charts', 'nginx', '1.0.0', 'repo_url'],
    ['oci://user:pass@ghcr.io/org', 'nginx', '1.0.0', 'repo_url'],
    ['oci://ghcr.io/org?x=1', 'nginx', '1.0.0', 'repo_url'],
    ['oci://ghcr.io/org#frag', 'nginx', '1.0.0', 'repo_url'],
    ['oci://', 'nginx', '1.0.0', 'repo_url'],
    ['oci://bad_host/org', 'nginx', '1.0.0', 'repo_url'],
    ['oci://host:99999/org', 'nginx', '1.0.0', 'repo_url'],
    ['oci://host:/org', 'nginx', '1.0.0', 'repo_url'],
    ['oci://ghcr.io', undefined, '1.0.0', 'repo_url'],
    ['oci://ghcr.io//org', 'nginx', '1.0.0', 'repo_url'],
    ['oci://ghcr.io/Org', 'nginx', '1.0.0', 'repo_url'],
    ['oci://ghcr.io/org/nginx:1.0.0', undefined, '1.0.0', 'repo_url'],
    ['oci://ghcr.io/-org', 'nginx', '1.0.0', 'repo_url'],
    ['oci://ghcr.io/org', '/nginx', '1.0.0', 'chart'],
    ['oci://ghcr.io/org', 'nginx/', '1.0.0', 'chart'],
    ['oci://ghcr.io/org', '', '1.0.0', 'chart'],
    ['oci://ghcr.io/org', 'a//b', '1.0.0', 'chart'],
    ['oci://ghcr.io/org', 'Nginx', '1.0.0', 'chart'],
    ['oci://ghcr.io/org', 'nginx', '', 'target_revision'],
    ['oci://ghcr.io/org', 'nginx', '.hidden', 'target_revision'],
    ['oci://ghcr.io/org', 'nginx', '1.0.0 ', 'target_revision'],
    ['oci://ghcr.io/org', 'nginx', 'x'.repeat(129), 'target_revision'],
    ['oci://ghcr.io/org', 'nginx', 'sha256:abc', 'target_revision'],
    ['oci://ghcr.io/org', 'nginx', `sha256:${'A'.repeat(64)}`, 'target_revision'],
    ['oci://ghcr.io/org', 'nginx', `sha512:${'a'.repeat(128)}`, 'target_revision'],
    ['oci://ghcr.io/org', 'nginx', `1.0.0@sha256:${'a'.repeat(64)}`, 'target_revision'],
  ];
  for (const [repoUrl, chart, revision, field] of bad) {
    test(`refuses ${JSON.stringify(repoUrl)} ${JSON.stringify(chart)} ${JSON.stringify(revision.slice(0, 40))} (${field})`, () => {
      assert.throws(
        () => parseChartReference(repoUrl, chart, revision),
        (error) => error instanceof OciError && error.code === 'invalid_reference' && error.field === field,
      );
    });
  }
});
