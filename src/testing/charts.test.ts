/**
 * The fixture chart against the real helm: `helm template` prints exactly the objects asked for, of the
 * kinds promised, in the release's namespace; a second version renders differently; the values schema is
 * enforced; the CRD appears only with --include-crds. When src/testing/oci-registry.ts is present, the
 * package is pushed to a real docker-registry on 127.0.0.1 (behind basic auth) and rendered back from
 * there. Skipped as a whole, saying why, when no helm is found (`npm ci` installs one).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { findHelm } from '../lib/helm-binary.ts';
import { chartFiles, helmPackage, helmPush, helmTemplate, writeChart, type ChartOptions } from './charts.ts';
import { tempDir } from './harness.ts';

const helm = findHelm();
const skip = helm ? false : 'no helm found (ATOLL_HELM, PATH or `npm run helm:install`)';

type K8sObject = {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
};

function objectsOf(stream: string): K8sObject[] {
  return parseAllDocuments(stream)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);
}

async function chartDir(opts: ChartOptions): Promise<string> {
  const dir = path.join(tempDir('atoll-chart-'), opts.name);
  await writeChart(dir, chartFiles(opts));
  return dir;
}

const render = (chart: string, extra: { valuesFile?: string; extraArgs?: string[] } = {}) =>
  helmTemplate(helm!, chart, { release: 'shop', namespace: 'team-a', ...extra });

describe('fixture charts rendered by helm', { skip }, () => {
  test('a 30-object chart renders exactly 30 objects of mixed kinds, all in the release namespace', async () => {
    const objects = objectsOf(
      await render(await chartDir({ name: 'web', version: '1.0.0', objects: 30, schema: true })),
    );
    assert.equal(objects.length, 30);
    const kinds = new Map<string, number>();
    for (const object of objects) kinds.set(object.kind, (kinds.get(object.kind) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries([...kinds].sort()), {
      ConfigMap: 24,
      Deployment: 1,
      Role: 1,
      RoleBinding: 1,
      Secret: 1,
      Service: 1,
      ServiceAccount: 1,
    });
    for (const object of objects) {
      assert.equal(object.metadata.namespace, 'team-a', `${object.kind} ${object.metadata.name}`);
      assert.equal(object.metadata.labels?.['app.kubernetes.io/instance'], 'shop');
    }
    assert.equal(new Set(objects.map((o) => `${o.kind}/${o.metadata.name}`)).size, 30, 'names are unique');
  });

  test('version 2 of a chart renders the same number of objects, differently', async () => {
    const v1 = await render(await chartDir({ name: 'web', version: '1.0.0', objects: 8, schema: false }));
    const v2 = await render(await chartDir({ name: 'web', version: '2.0.0', objects: 8, schema: false }));
    assert.notEqual(v1, v2);
    assert.equal(objectsOf(v2).length, 8);
    assert.match(v2, /image: "registry\.example\.com\/atoll\/web:2\.0\.0"/);
    assert.match(v2, /helm\.sh\/chart: web-2\.0\.0/);
  });

  test('values.schema.json refuses a value of the wrong type; without it the same values render', async () => {
    const values = path.join(tempDir('atoll-values-'), 'values.yaml');
    fs.writeFileSync(values, 'service:\n  port: eighty\n');
    const withSchema = await chartDir({ name: 'web', version: '1.0.0', objects: 6, schema: true });
    await assert.rejects(render(withSchema, { valuesFile: values }), {
      name: 'HelmCommandError',
      message: /service\/port/,
    });
    const without = await chartDir({ name: 'web', version: '1.0.0', objects: 6, schema: false });
    assert.match(await render(without, { valuesFile: values }), /port: eighty/);
  });

  test('the CRD in crds/ is left out by helm template unless --include-crds', async () => {
    const dir = await chartDir({ name: 'web', version: '1.0.0', objects: 7, schema: true });
    const objects = objectsOf(await render(dir, { extraArgs: ['--include-crds'] }));
    assert.equal(objects.length, 8);
    assert.equal(objects.filter((o) => o.kind === 'CustomResourceDefinition').length, 1);
  });

  test('chartFiles refuses fewer objects than the fixed ones', () => {
    assert.throws(() => chartFiles({ name: 'web', version: '1.0.0', objects: 5, schema: false }), RangeError);
  });
});

type StartRegistry = (opts?: { auth?: { username: string; password: string } }) => Promise<{
  host: string;
  url: string;
  stop(): Promise<void>;
}>;
const registryModule = path.join(import.meta.dirname, 'oci-registry.ts');

describe('fixture charts pushed to an OCI registry', { skip }, () => {
  test('helm pushes the package behind basic auth, and renders it back from the registry', async (ctx) => {
    if (!fs.existsSync(registryModule)) return ctx.skip('src/testing/oci-registry.ts is not here yet');
    const { startRegistry } = (await import(pathToFileURL(registryModule).href)) as {
      startRegistry: StartRegistry;
    };
    const auth = { username: 'atoll', password: 'pa55-word' };
    const registry = await startRegistry({ auth });
    ctx.after(() => registry.stop());
    const dir = await chartDir({ name: 'web', version: '1.2.3', objects: 12, schema: true });
    const tgz = await helmPackage(helm!, dir, tempDir('atoll-chart-out-'));
    assert.equal(path.basename(tgz), 'web-1.2.3.tgz');
    assert.ok(fs.statSync(tgz).size > 0);

    await assert.rejects(helmPush(helm!, tgz, `oci://${registry.host}/charts`), { name: 'HelmCommandError' });
    const { digest } = await helmPush(helm!, tgz, `oci://${registry.host}/charts`, auth);
    const head = await fetch(`${registry.url}/v2/charts/web/manifests/1.2.3`, {
      method: 'HEAD',
      headers: {
        authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
        accept: 'application/vnd.oci.image.manifest.v1+json',
      },
    });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('docker-content-digest'), digest);

    const pulled = await render(`oci://${registry.host}/charts/web`, {
      extraArgs: [
        '--version',
        '1.2.3',
        '--plain-http',
        '--username',
        auth.username,
        '--password',
        auth.password,
      ],
    });
    assert.equal(pulled, await render(dir));
    assert.equal(objectsOf(pulled).length, 12);
  });
});
