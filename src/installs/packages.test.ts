import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { eventually } from '../testing/eventually.ts';
import { startHarness, tempDir, type Harness } from '../testing/harness.ts';
import { archive, cloneInstall, SCHEMA, waitOperation } from './test-fixtures.ts';
import { packFiles } from './packages/pack.ts';

const GZIP = { 'content-type': 'application/gzip' };

async function upload(h: Harness, bytes: Uint8Array) {
  return h.request('POST', '/v1/package_artifacts', { raw: Buffer.from(bytes), headers: GZIP });
}

describe('packages', () => {
  let h: Harness;
  let base: string;
  before(async () => {
    h = await startHarness({ ATOLL_JOB_POLL_MS: '50' });
    base = await h.listen();
  });
  after(() => h.close());

  test('an artifact is stored by its sha256 (201, then 200 for the same bytes); a package and a version are made from refs', async () => {
    const bytes = await archive({ name: 'by-ref', version: '1.0.0' });
    const first = await upload(h, bytes);
    assert.equal(first.status, 201, first.text);
    assert.match(first.body.ref, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(first.body.files, ['atoll.package.json', 'inputs.schema.json', 'render.js']);
    assert.equal((await upload(h, bytes)).status, 200);
    const created = await h.request('POST', '/v1/packages', {
      body: { name: 'by-ref', ref: first.body.ref },
    });
    assert.equal(created.status, 202, created.text);
    assert.equal(created.body.state, 'SUCCEEDED');
    const packageId = created.body.response.package_id;
    const v2 = await upload(h, await archive({ name: 'by-ref', version: '1.1.0' }));
    const mismatch = await h.request('POST', `/v1/packages/${packageId}/versions`, {
      body: { semver: '1.1.0', ref: v2.body.ref, input_schema: { type: 'object' } },
    });
    assert.equal(mismatch.status, 422, mismatch.text);
    assert.deepEqual(mismatch.body.errors[0].path, ['body', 'input_schema']);
    const wrongSemver = await h.request('POST', `/v1/packages/${packageId}/versions`, {
      body: { semver: '1.2.0', ref: v2.body.ref, input_schema: SCHEMA },
    });
    assert.equal(wrongSemver.status, 422, wrongSemver.text);
    assert.deepEqual(wrongSemver.body.errors[0].path, ['body', 'semver']);
    const unknownRef = await h.request('POST', `/v1/packages/${packageId}/versions`, {
      body: { semver: '1.1.0', ref: `sha256:${'0'.repeat(64)}`, input_schema: SCHEMA },
    });
    assert.equal(unknownRef.status, 422, unknownRef.text);
    assert.deepEqual(unknownRef.body.errors[0].path, ['body', 'ref']);
    const ok = await h.request('POST', `/v1/packages/${packageId}/versions`, {
      body: { semver: '1.1.0', ref: v2.body.ref, input_schema: SCHEMA },
    });
    assert.equal(ok.status, 201, ok.text);
    const again = await h.request('POST', `/v1/packages/${packageId}/versions`, {
      body: { semver: '1.1.0', ref: v2.body.ref, input_schema: SCHEMA },
    });
    assert.equal(again.status, 409);
    const pkg = (await h.request('GET', `/v1/packages/${packageId}`)).body;
    assert.equal(pkg.latest_version_id, ok.body.id);
    const inputs = await h.request('GET', `/v1/packages/${packageId}/versions/${ok.body.id}/inputs`);
    assert.equal(inputs.status, 200);
    assert.deepEqual(inputs.body, SCHEMA);
    const versions = (await h.request('GET', `/v1/packages/${packageId}/versions`)).body.data;
    assert.deepEqual(
      versions.map((v: { semver: string }) => v.semver),
      ['1.1.0', '1.0.0'],
    );
  });

  test("a version's files are served as published: render.js, the schema, the manifests; another package's version is 404", async () => {
    const program = 'export default function render(input) { return []; }';
    const created = await h.request('POST', '/v1/packages', {
      raw: Buffer.from(
        await archive({
          name: 'with-files',
          program,
          manifests: { 'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: web\n' },
        }),
      ),
      headers: GZIP,
    });
    assert.equal(created.status, 202, created.text);
    const { package_id: packageId, package_version_id: versionId } = created.body.response;
    const res = await h.request('GET', `/v1/packages/${packageId}/versions/${versionId}/files`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.package_version_id, versionId);
    const files = Object.fromEntries(
      res.body.files.map((f: { path: string; content: string }) => [f.path, f.content]),
    );
    assert.deepEqual(Object.keys(files), [
      'atoll.package.json',
      'inputs.schema.json',
      'render.js',
      'manifests/ns.yaml',
    ]);
    assert.equal(files['render.js'], program);
    assert.deepEqual(JSON.parse(files['inputs.schema.json']), SCHEMA);
    assert.match(files['manifests/ns.yaml'], /kind: Namespace/);
    const other = await h.request('POST', '/v1/packages', {
      raw: Buffer.from(await archive({ name: 'other-files' })),
      headers: GZIP,
    });
    const wrong = await h.request(
      'GET',
      `/v1/packages/${other.body.response.package_id}/versions/${versionId}/files`,
    );
    assert.equal(wrong.status, 404, wrong.text);
  });

  test('bad archives are 422 naming the file at fault', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [
        {
          'atoll.package.json': '{"name":"x","version":"1"}',
          'inputs.schema.json': '{}',
          'render.js': 'export default () => []',
        },
        /atoll\.package\.json/,
      ],
      [
        {
          'atoll.package.json': '{"name":"x","version":"1.0.0"}',
          'inputs.schema.json': '{"type":"nope"}',
          'render.js': 'export default () => []',
        },
        /inputs\.schema\.json/,
      ],
      [
        {
          'atoll.package.json': '{"name":"x","version":"1.0.0"}',
          'inputs.schema.json': '{}',
          'render.js': 'export default function (',
        },
        /render\.js/,
      ],
      [
        {
          'atoll.package.json': '{"name":"x","version":"1.0.0"}',
          'inputs.schema.json': '{}',
          'render.js': 'export const x = 1;',
        },
        /render\.js/,
      ],
      [
        {
          'atoll.package.json': '{"name":"x","version":"1.0.0"}',
          'inputs.schema.json': '{}',
          'render.js': 'import fs from "fs"; export default () => []',
        },
        /render\.js/,
      ],
      [
        {
          'atoll.package.json': '{"name":"x","version":"1.0.0"}',
          'inputs.schema.json': '{}',
          'render.js': 'export default () => []',
          'secrets.txt': 'x',
        },
        /secrets\.txt/,
      ],
    ];
    for (const [files, message] of cases) {
      const res = await upload(h, await packFiles(files));
      assert.equal(res.status, 422, `${JSON.stringify(Object.keys(files))}: ${res.text}`);
      assert.match(res.body.errors[0].message, message);
    }
    const notGzip = await h.request('POST', '/v1/package_artifacts', { raw: 'plain text', headers: GZIP });
    assert.equal(notGzip.status, 422);
    const helm = await h.request('POST', '/v1/packages', {
      body: {
        name: 'chart',
        sources: [
          { kind: 'helm', repo_url: 'https://charts.example.com', chart: 'web', target_revision: '1.0.0' },
        ],
      },
    });
    assert.equal(helm.status, 422, helm.text);
    assert.deepEqual(helm.body.errors[0].path, ['body', 'sources', '0', 'repo_url']);
    assert.match(helm.body.errors[0].message, /oci:\/\//, 'Helm charts come from OCI registries');
  });

  test('an archive with U+0000, a lone surrogate or nesting past 64 levels in any file is 422 naming the file and field', async () => {
    const good = {
      'atoll.package.json': '{"name":"x","version":"1.0.0"}',
      'inputs.schema.json': '{}',
      'render.js': 'export default () => []',
    };
    const deep = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
    const cases: Array<[Record<string, string>, RegExp]> = [
      [
        { 'atoll.package.json': '{"name":"a\\u0000b","version":"1.0.0"}' },
        /^atoll\.package\.json: at name: .*U\+0000/,
      ],
      [
        { 'atoll.package.json': '{"name":"x","version":"1.0.0","description":"\\ud800"}' },
        /^atoll\.package\.json: at description: .*lone surrogate/,
      ],
      [
        { 'inputs.schema.json': '{"properties":{"a\\u0000":{}}}' },
        /^inputs\.schema\.json: at properties\["a\\u0000"\]: .*U\+0000/,
      ],
      [
        { 'inputs.schema.json': `{"default":${deep}}` },
        /^inputs\.schema\.json: at default\.a\.a.*…: .*deeper than 64 levels/,
      ],
      [{ 'render.js': 'export default () => [] // \u0000' }, /^render\.js: contains the character U\+0000/],
      [
        { 'manifests/a.yaml': 'kind: ConfigMap\n# \u0000\n' },
        /^manifests\/a\.yaml: contains the character U\+0000/,
      ],
      [
        {
          'manifests/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: "a\\0b"\n',
        },
        /^manifests\/a\.yaml: at data\.x: .*U\+0000/,
      ],
      [
        {
          'manifests/a.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: ${'['.repeat(100)}${']'.repeat(100)}\n`,
        },
        /^manifests\/a\.yaml: at data\.x\..*deeper than 64 levels/,
      ],
    ];
    for (const [files, message] of cases) {
      const res = await upload(h, await packFiles({ ...good, ...files }));
      assert.equal(res.status, 422, `${JSON.stringify(files).slice(0, 100)}: ${res.text}`);
      assert.match(res.body.errors[0].message, message);
    }
  });

  test('atoll package publish packs a directory, creates the package, then adds versions; the package repository holds them', async () => {
    const dir = tempDir('atoll-pkg-');
    fs.cpSync(path.join(process.cwd(), 'examples/packages/hello-web'), dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'README.md'), 'not packed');
    const cli = async () => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['src/main.ts', 'package', 'publish', dir, '--url', base, '--token', h.token],
        { cwd: process.cwd(), env: { ...process.env, DATA_DIR: tempDir(), LOG_LEVEL: 'silent' } },
      );
      return JSON.parse(stdout);
    };
    const first = await cli();
    assert.equal(first.semver, '1.0.0');
    assert.deepEqual(first.files, ['atoll.package.json', 'inputs.schema.json', 'render.js']);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'atoll.package.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'atoll.package.json'), JSON.stringify({ ...manifest, version: '1.1.0' }));
    const second = await cli();
    assert.equal(second.package_id, first.package_id);
    assert.equal(second.semver, '1.1.0');
    await assert.rejects(cli(), /exists already/);
    const pkg = (await h.request('GET', `/v1/packages/${first.package_id}`)).body;
    assert.equal(pkg.description, manifest.description);
    assert.equal(pkg.latest_version_id, second.package_version_id);
    // The package repository gets one commit per version (by the queue, shortly after).
    const repo = (await h.request('GET', `/v1/repositories/${pkg.source.repository_id}`)).body;
    assert.equal(repo.purpose, 'package');
    const clone = await eventually(
      async () => {
        const full = (await h.request('GET', `/v1/repositories/${repo.id}?view=full`)).body;
        assert.ok(full.head_sha, 'the package repository was committed to');
        const clone = await cloneInstall(base, repo.clone_url, h.token);
        assert.match(fs.readFileSync(path.join(clone, 'atoll.package.json'), 'utf8'), /1\.1\.0/);
        return clone;
      },
      { intervalMs: 50, message: 'version 1.1.0 in the package repository' },
    );
    assert.equal(
      fs.readFileSync(path.join(clone, 'render.js'), 'utf8'),
      fs.readFileSync(path.join(dir, 'render.js'), 'utf8'),
    );
  });

  test('a package in use cannot be deleted; deleting one needs its etag', async () => {
    const bytes = await archive({ name: 'in-use' });
    const created = await h.request('POST', '/v1/packages', { raw: Buffer.from(bytes), headers: GZIP });
    const packageId = created.body.response.package_id;
    const res = await h.request('POST', '/v1/installs', {
      body: { package_id: packageId, package_version_pin: { kind: 'latest' }, region_id: 'local' },
    });
    await waitOperation(h, res.body.id);
    const pkg = (await h.request('GET', `/v1/packages/${packageId}`)).body;
    const blocked = await h.request('DELETE', `/v1/packages/${packageId}`, {
      headers: { 'if-match': pkg.etag },
    });
    assert.equal(blocked.status, 409, blocked.text);
    const unused = await h.request('POST', '/v1/packages', {
      raw: Buffer.from(await archive({ name: 'unused' })),
      headers: GZIP,
    });
    const other = (await h.request('GET', `/v1/packages/${unused.body.response.package_id}`)).body;
    assert.equal((await h.request('DELETE', `/v1/packages/${other.id}`)).status, 428);
    assert.equal(
      (await h.request('DELETE', `/v1/packages/${other.id}`, { headers: { 'if-match': other.etag } })).status,
      204,
    );
    assert.equal((await h.request('GET', `/v1/packages/${other.id}`)).status, 404);
  });
});
