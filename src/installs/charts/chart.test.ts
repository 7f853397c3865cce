import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { packFiles } from '../packages/pack.ts';
import { findHelm } from '../../lib/helm-binary.ts';
import { chartFiles, helmPackage, writeChart } from '../../testing/charts.ts';
import { tempDir } from '../../testing/harness.ts';
import { ChartError, readChart } from './chart.ts';

const helm = findHelm();

const CHART_YAML =
  'apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: "2.0"\ndescription: A demo chart\n';

function chart(files: Record<string, string | Uint8Array> = {}): Promise<Uint8Array> {
  return packFiles({
    'demo/Chart.yaml': CHART_YAML,
    'demo/templates/cm.yaml': 'kind: ConfigMap\n',
    ...files,
  });
}

type Entry = Partial<tar.Header> & { name: string; body?: string };

/** A tar.gz with exactly these entries (links, absolute paths… that packFiles does not make). */
async function rawArchive(entries: Entry[]): Promise<Uint8Array> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const { body, ...header } of entries) {
    await new Promise<void>((resolve, reject) =>
      pack.entry(header, body ?? '', (error) => (error ? reject(error) : resolve())),
    );
  }
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

async function refuses(
  bytes: Uint8Array | Promise<Uint8Array>,
  pattern: RegExp,
  file?: string,
): Promise<void> {
  await assert.rejects(readChart(await bytes), (error) => {
    assert.ok(error instanceof ChartError, String(error));
    assert.match(error.message, pattern);
    if (file !== undefined) assert.equal(error.file, file);
    return true;
  });
}

describe('reading a Helm chart archive', () => {
  test('Chart.yaml metadata, values and the values schema are read; files are listed', async () => {
    const contents = await readChart(
      await chart({
        'demo/values.yaml': 'replicas: 2\nimage:\n  repository: nginx\n  tag: "1.27"\n',
        'demo/values.schema.json': '{"type":"object","properties":{"replicas":{"type":"integer"}}}',
        'demo/charts/sub-0.1.0.tgz': new Uint8Array([31, 139, 8, 0]),
      }),
    );
    assert.deepEqual(contents, {
      name: 'demo',
      version: '1.2.3',
      app_version: '2.0',
      description: 'A demo chart',
      values: { replicas: 2, image: { repository: 'nginx', tag: '1.27' } },
      values_schema: { type: 'object', properties: { replicas: { type: 'integer' } } },
      files: ['Chart.yaml', 'charts/sub-0.1.0.tgz', 'templates/cm.yaml', 'values.schema.json', 'values.yaml'],
    });
  });

  test('without values.yaml the values are empty, and an empty values.yaml too', async () => {
    assert.deepEqual((await readChart(await chart())).values, {});
    assert.deepEqual((await readChart(await chart({ 'demo/values.yaml': '# nothing yet\n' }))).values, {});
    assert.equal((await readChart(await chart())).values_schema, null);
  });

  test('values are read as Helm reads YAML: yes is true, timestamps stay strings, a numeric appVersion as written', async () => {
    const contents = await readChart(
      await packFiles({
        'demo/Chart.yaml': 'apiVersion: v2\nname: demo\nversion: 0.1.0\nappVersion: 1.10\n',
        'demo/values.yaml': 'enabled: yes\nsince: 2001-12-14\nbase: &b {a: 1}\nderived:\n  <<: *b\n  c: 2\n',
      }),
    );
    assert.equal(contents.app_version, '1.10');
    assert.deepEqual(contents.values, {
      enabled: true,
      since: '2001-12-14',
      base: { a: 1 },
      derived: { a: 1, c: 2 },
    });
  });

  test(
    'a chart packaged by `helm package` is read',
    { skip: helm ? false : 'helm is not installed' },
    async () => {
      const dir = path.join(tempDir('atoll-helm-'), 'webapp');
      await writeChart(dir, chartFiles({ name: 'webapp', version: '3.1.4', objects: 8, schema: true }));
      const contents = await readChart(
        fs.readFileSync(await helmPackage(helm!, dir, tempDir('atoll-helm-out-'))),
      );
      assert.equal(contents.name, 'webapp');
      assert.equal(contents.version, '3.1.4');
      assert.equal(contents.values.replicaCount, 2);
      assert.equal(contents.values_schema?.$schema, 'http://json-schema.org/draft-07/schema#');
      assert.ok(
        contents.files.includes('Chart.yaml') && contents.files.includes('templates/deployment.yaml'),
        contents.files.join(' '),
      );
    },
  );

  test('a version with a leading v is refused, saying why', async () => {
    await refuses(
      packFiles({ 'demo/Chart.yaml': 'apiVersion: v2\nname: demo\nversion: v1.2.3\n' }),
      /without the leading "v" \(1\.2\.3\)/,
      'demo/Chart.yaml',
    );
  });

  test('Chart.yaml problems are refused naming the file', async () => {
    const cases: Array<[string, RegExp]> = [
      ['name: demo\nversion: 1.0.0\n', /apiVersion/],
      ['apiVersion: v3\nname: demo\nversion: 1.0.0\n', /apiVersion/],
      ['apiVersion: v2\nversion: 1.0.0\n', /"name" is required/],
      ['apiVersion: v2\nname: other\nversion: 1.0.0\n', /directory is demo\//],
      ['apiVersion: v2\nname: demo\n', /"version" is required/],
      ['apiVersion: v2\nname: demo\nversion: 1.0\n', /SemVer 2/],
      ['apiVersion: v2\nname: demo\nversion: 1.0.0\ndescription: [a]\n', /"description" must be a string/],
      ['- a list\n', /mapping/],
      ['apiVersion: v2\nname: demo\nversion: "1.0.0\n', /not valid YAML/],
    ];
    for (const [content, pattern] of cases) {
      await refuses(packFiles({ 'demo/Chart.yaml': content }), pattern, 'demo/Chart.yaml');
    }
  });

  test('values.yaml must be a mapping and valid YAML; values.schema.json a JSON object', async () => {
    await refuses(chart({ 'demo/values.yaml': '- 1\n- 2\n' }), /mapping/, 'demo/values.yaml');
    await refuses(chart({ 'demo/values.yaml': 'a: [1, 2\n' }), /not valid YAML/, 'demo/values.yaml');
    await refuses(chart({ 'demo/values.schema.json': '[]' }), /JSON object/, 'demo/values.schema.json');
    await refuses(
      chart({ 'demo/values.schema.json': '{"type":' }),
      /not valid JSON/,
      'demo/values.schema.json',
    );
  });

  test('values and schema that cannot be stored are refused (NUL, nesting)', async () => {
    await refuses(chart({ 'demo/values.yaml': 'a: "x\\0y"\n' }), /U\+0000/, 'demo/values.yaml');
    const deep = `${'{"a":'.repeat(100)}1${'}'.repeat(100)}`;
    await refuses(chart({ 'demo/values.schema.json': deep }), /nested deeper/, 'demo/values.schema.json');
  });

  test('a YAML alias bomb is refused', async () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      bomb.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    await refuses(chart({ 'demo/values.yaml': `${bomb.join('\n')}\n` }), /alias/i, 'demo/values.yaml');
  });

  test('archives that could surprise are refused', async () => {
    const base = { name: 'demo/Chart.yaml', body: CHART_YAML };
    await refuses(
      rawArchive([base, { name: 'demo/link', type: 'symlink', linkname: '/etc/passwd' }]),
      /regular files/,
    );
    await refuses(
      rawArchive([base, { name: 'demo/hard', type: 'link', linkname: 'demo/Chart.yaml' }]),
      /regular files/,
    );
    await refuses(rawArchive([base, { name: 'demo/../../evil', body: 'x' }]), /relative/);
    await refuses(rawArchive([{ name: '/demo/Chart.yaml', body: CHART_YAML }]), /relative/);
    await refuses(
      rawArchive([base, { name: 'other/Chart.yaml', body: CHART_YAML }]),
      /one top-level directory/,
    );
    await refuses(rawArchive([base, { name: 'README.md', body: 'x' }]), /one top-level directory/);
    await refuses(
      rawArchive([{ name: 'demo/values.yaml', body: 'a: 1\n' }]),
      /is missing/,
      'demo/Chart.yaml',
    );
    await refuses(Promise.resolve(new Uint8Array([1, 2, 3])), /gzip/);
    await refuses(
      Promise.resolve(gzipSync(Buffer.from('not a tar archive at all, just text'.repeat(20)))),
      /tar/,
    );
  });

  test('the size and entry limits are enforced', async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 20; i++) many[`demo/templates/t${i}.yaml`] = 'x';
    await assert.rejects(readChart(await chart(many), { maxEntries: 10 }), /more than 10 entries/);
    const big = await chart({ 'demo/files/big.txt': 'a'.repeat(100_000) });
    await assert.rejects(readChart(big, { maxUnpackedBytes: 50_000 }), /unpacks to more than 50000 bytes/);
    await assert.rejects(readChart(big, { maxBytes: 100 }), /larger than 100 bytes/);
    assert.equal((await readChart(big)).name, 'demo');
  });
});
