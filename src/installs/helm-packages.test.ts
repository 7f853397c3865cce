import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { eventually } from '../testing/eventually.ts';
import { findHelm } from '../lib/helm-binary.ts';
import { packFiles } from './packages/pack.ts';
import { chartFiles, helmPackage, helmPush, helmTemplate, writeChart } from '../testing/charts.ts';
import { startHarness, tempDir, type Harness } from '../testing/harness.ts';
import { pushArtifact, pushChart } from '../testing/oci-push.ts';
import { startRegistry, type TestRegistry } from '../testing/oci-registry.ts';
import { HELM_TEMPLATE_FLAGS } from './charts/helm-template.ts';
import {
  cloneInstall,
  git,
  hashOfCheckout,
  install,
  publish,
  render,
  waitOperation,
} from './test-fixtures.ts';

const helm = findHelm();
const AUTH = { username: 'ci', password: 'correct horse battery staple' };

/** Builds a fixture chart with helm and pushes it; the .tgz path. */
async function pushFixture(
  registry: TestRegistry,
  opts: Parameters<typeof chartFiles>[0],
  auth?: typeof AUTH,
): Promise<string> {
  const dir = path.join(tempDir('atoll-chart-'), opts.name);
  await writeChart(dir, chartFiles(opts));
  const tgz = await helmPackage(helm!, dir, tempDir('atoll-chart-out-'));
  await helmPush(helm!, tgz, `oci://${registry.host}/charts`, auth ?? {});
  return tgz;
}

/** Objects of a manifests/ checkout in order, without the annotations Atoll stamps. */
function checkoutObjects(dir: string): unknown[] {
  return fs
    .readdirSync(path.join(dir, 'manifests'))
    .sort()
    .map((file) => {
      const o = parseAllDocuments(fs.readFileSync(path.join(dir, 'manifests', file), 'utf8'))[0]!.toJS();
      const annotations = Object.fromEntries(
        Object.entries(o.metadata.annotations as Record<string, string>).filter(
          ([k]) => !k.startsWith('atoll.dev/'),
        ),
      );
      if (Object.keys(annotations).length === 0) delete o.metadata.annotations;
      else o.metadata.annotations = annotations;
      return o;
    });
}

function helmObjects(output: string): unknown[] {
  return parseAllDocuments(output)
    .map((d) => d.toJS())
    .filter((o) => o !== null);
}

describe('Helm packages', { skip: helm ? false : 'helm is not installed (npm run helm:install)' }, () => {
  let h: Harness;
  let base: string;
  let open: TestRegistry;
  let closed: TestRegistry;
  let v1: string;

  before(async () => {
    [open, closed] = await Promise.all([startRegistry(), startRegistry({ auth: AUTH })]);
    [v1] = await Promise.all([
      pushFixture(open, { name: 'shop', version: '1.0.0', objects: 30, schema: true }),
      pushFixture(open, { name: 'shop', version: '2.0.0', objects: 31, schema: true }),
      pushFixture(open, { name: 'plain', version: '0.1.0', objects: 8, schema: false }),
      pushFixture(closed, { name: 'private', version: '1.2.3', objects: 6, schema: true }, AUTH),
    ]);
    h = await startHarness({
      ATOLL_JOB_POLL_MS: '50',
      ATOLL_CHART_MAX_BYTES: '262144',
      ATOLL_RENDER_TIMEOUT_MS: '8000',
      ATOLL_RENDER_OUTPUT_BYTES: String(2 * 1024 * 1024),
    });
    base = await h.listen();
  });
  after(async () => {
    await h?.close();
    await Promise.all([open?.stop(), closed?.stop()]);
  });

  async function createPackage(name: string, source: Record<string, unknown>) {
    return h.request('POST', '/v1/packages', {
      body: { name, sources: [{ kind: 'helm', ...source }] },
    });
  }

  async function assertNoPackage(name: string) {
    const list = (await h.request('GET', '/v1/packages?limit=100')).body;
    assert.ok(!list.data.some((p: { name: string }) => p.name === name), `no package ${name} is left behind`);
  }

  test('the published body creates a package; an install renders exactly what helm template renders; re-render skips; version 2 commits', async () => {
    const created = await createPackage('shop', {
      repo_url: `oci://${open.host}/charts`,
      chart: 'shop',
      target_revision: '1.0.0',
      values: { service: { port: 9090 } },
    });
    assert.equal(created.status, 202, created.text);
    const { package_id: packageId, package_version_id: versionId } = created.body.response;
    const version = (await h.request('GET', `/v1/packages/${packageId}/versions/${versionId}`)).body;
    assert.equal(version.semver, '1.0.0');
    assert.match(version.ref, /^sha256:[0-9a-f]{64}$/);
    const inputs = (await h.request('GET', `/v1/packages/${packageId}/versions/${versionId}/inputs`)).body;
    assert.equal(inputs.properties.replicaCount.default, 2, "values.yaml's defaults are in the schema");
    assert.equal(inputs.properties.service.properties.port.default, 9090, "the source's values are too");

    const bad = await h.request('POST', '/v1/installs', {
      body: {
        package_id: packageId,
        package_version_pin: { kind: 'latest' },
        region_id: 'local',
        initial_values: { replicaCount: 'many' },
      },
    });
    assert.equal(bad.status, 422, bad.text);
    assert.deepEqual(bad.body.errors?.[0]?.path ?? bad.body.error?.path, [
      'body',
      'initial_values',
      'replicaCount',
    ]);

    const values = { replicaCount: 5, labels: { team: 'payments' }, image: { tag: null } };
    const inst = await install(h, packageId, values);
    assert.equal(inst.state, 'healthy', JSON.stringify(inst));
    const dir = await cloneInstall(base, inst.clone_url, h.token);
    const valuesFile = path.join(tempDir('atoll-values-'), 'values.json');
    fs.writeFileSync(valuesFile, JSON.stringify({ service: { port: 9090 }, ...values }));
    const release = inst.id.replace(/_/g, '-');
    const expected = helmObjects(
      await helmTemplate(helm!, v1, {
        release,
        namespace: release,
        valuesFile,
        extraArgs: [...HELM_TEMPLATE_FLAGS],
      }),
    );
    assert.equal(expected.length, 31, 'the 30 objects and the CRD');
    assert.deepEqual(checkoutObjects(dir), expected, 'object for object what helm template renders');
    const files = fs.readdirSync(path.join(dir, 'manifests')).sort();
    assert.match(files[0]!, /^000-customresourcedefinition-/);
    const first = (await h.request('GET', `/v1/installs/${inst.id}/renders`)).body.data[0];
    assert.equal(first.render_hash, hashOfCheckout(dir));

    const again = await render(h, inst.id, { skip_unchanged: true });
    assert.equal(again.state, 'skipped');
    assert.equal(again.render_hash, first.render_hash);

    const v2 = await h.request('POST', `/v1/packages/${packageId}/versions`, {
      body: {
        sources: [
          {
            kind: 'helm',
            repo_url: `oci://${open.host}/charts`,
            chart: 'shop',
            target_revision: '2.0.0',
            values: { service: { port: 9090 } },
          },
        ],
      },
    });
    assert.equal(v2.status, 201, v2.text);
    assert.equal(v2.body.semver, '2.0.0');
    const pkg = (await h.request('GET', `/v1/packages/${packageId}?view=full`)).body;
    assert.equal(pkg.latest_version_id, v2.body.id);
    assert.equal(pkg.composed_from_sources[0].kind, 'helm');
    // The install follows latest: a render of version 2 lands as a new commit.
    let updated: any;
    for (let i = 0; i < 100; i++) {
      updated = (await h.request('GET', `/v1/installs/${inst.id}/renders`)).body.data[0];
      if (updated.id !== again.id && updated.state !== 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(updated.state, 'deployed', JSON.stringify(updated));
    assert.notEqual(updated.render_hash, first.render_hash);
    await git(dir, 'pull', '--quiet');
    assert.equal(fs.readdirSync(path.join(dir, 'manifests')).length, 32);
    assert.match(fs.readFileSync(path.join(dir, 'package.yaml'), 'utf8'), /2\.0\.0/);

    const same = await h.request('POST', `/v1/packages/${packageId}/versions`, {
      body: {
        sources: [{ kind: 'helm', repo_url: `oci://${open.host}/charts/shop`, target_revision: '2.0.0' }],
      },
    });
    assert.equal(same.status, 409, same.text);

    // Each kind of package takes its own kind of version.
    const jsForm = await h.request('POST', `/v1/packages/${packageId}/versions`, {
      body: { semver: '3.0.0', ref: version.ref, input_schema: {} },
    });
    assert.equal(jsForm.status, 422, jsForm.text);
    assert.deepEqual(jsForm.body.errors[0].path, ['body', 'sources']);
    const js = await publish(h, { name: 'js-beside-helm' });
    const helmIntoJs = await h.request('POST', `/v1/packages/${js.packageId}/versions`, {
      body: {
        sources: [{ kind: 'helm', repo_url: `oci://${open.host}/charts/shop`, target_revision: '2.0.0' }],
      },
    });
    assert.equal(helmIntoJs.status, 422, helmIntoJs.text);
    assert.deepEqual(helmIntoJs.body.errors[0].path, ['body', 'sources']);
    const chartAsArtifact = await h.request('POST', '/v1/package_artifacts', {
      raw: fs.readFileSync(v1),
      headers: { 'content-type': 'application/gzip' },
    });
    assert.equal(chartAsArtifact.status, 422, chartAsArtifact.text);
    assert.match(chartAsArtifact.text, /Helm chart/);
  });

  test('atoll package publish --helm creates the package, then adds chart versions; the package repository holds the chart', async () => {
    const valuesFile = path.join(tempDir('atoll-cli-values-'), 'values.yaml');
    fs.writeFileSync(valuesFile, 'replicaCount: 3\n');
    const cli = async (version: string) => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          'src/main.ts',
          'package',
          'publish',
          '--helm',
          `oci://${open.host}/charts/shop`,
          '--version',
          version,
          '--name',
          'shop-cli',
          '--values',
          valuesFile,
          '--url',
          base,
          '--token',
          h.token,
        ],
        { cwd: process.cwd(), env: { ...process.env, DATA_DIR: tempDir(), LOG_LEVEL: 'silent' } },
      );
      return JSON.parse(stdout);
    };
    const first = await cli('1.0.0');
    assert.equal(first.semver, '1.0.0');
    const second = await cli('2.0.0');
    assert.equal(second.package_id, first.package_id);
    assert.equal(second.semver, '2.0.0');
    await assert.rejects(cli('2.0.0'), /exists already/);
    const inputs = (
      await h.request('GET', `/v1/packages/${first.package_id}/versions/${second.package_version_id}/inputs`)
    ).body;
    assert.equal(inputs.properties.replicaCount.default, 3, "the values file's values are the defaults");
    const pkg = (await h.request('GET', `/v1/packages/${first.package_id}`)).body;
    const repo = (await h.request('GET', `/v1/repositories/${pkg.source.repository_id}`)).body;
    const clone = await eventually(
      async () => {
        const dir = await cloneInstall(base, repo.clone_url, h.token);
        const log = await git(dir, 'log', '--format=%s');
        assert.equal(log.trim().split('\n').length, 2, log);
        return dir;
      },
      { timeoutMs: 20_000 },
    );
    assert.match(fs.readFileSync(path.join(clone, 'Chart.yaml'), 'utf8'), /version: 2\.0\.0/);
    assert.match(fs.readFileSync(path.join(clone, 'source.yaml'), 'utf8'), /target_revision: 2\.0\.0/);
    assert.ok(fs.existsSync(path.join(clone, 'values.schema.json')));
  });

  test('a change request that edits inputs.yaml is accepted and rendered', async () => {
    const created = await createPackage('plain', {
      repo_url: `oci://${open.host}/charts/plain`,
      target_revision: '0.1.0',
    });
    assert.equal(created.status, 202, created.text);
    const packageId = created.body.response.package_id;
    const inputs = (
      await h.request(
        'GET',
        `/v1/packages/${packageId}/versions/${created.body.response.package_version_id}/inputs`,
      )
    ).body;
    assert.match(String(inputs.description), /values\.yaml/, 'a schema inferred from values.yaml');
    assert.equal(inputs.properties.replicaCount.type, 'number');
    const inst = await install(h, packageId, {});
    const rcr = await h.request('POST', '/v1/repository_change_requests', {
      body: { kind: 'user', parent_repository_id: inst.repository_id },
      headers: { 'idempotency-key': 'helm-rcr' },
    });
    assert.equal(rcr.status, 201, rcr.text);
    const tok = await h.request('POST', `/v1/repository_change_requests/${rcr.body.id}:createToken`, {
      body: { scope: 'write' },
      headers: { 'idempotency-key': 'helm-rcr-tok' },
    });
    const remote = new URL(tok.body.fork_remote_url);
    const target = new URL(base);
    const dir = path.join(tempDir('atoll-fork-'), 'fork');
    await git(
      process.cwd(),
      'clone',
      '--quiet',
      `${target.protocol}//x:${tok.body.fork_write_token}@${target.host}${remote.pathname}`,
      dir,
    );
    await git(dir, 'config', 'user.name', 'Reviewer');
    await git(dir, 'config', 'user.email', 'reviewer@example.com');
    fs.writeFileSync(path.join(dir, 'inputs.yaml'), 'replicaCount: 7\n');
    await git(dir, 'commit', '--quiet', '-am', 'Seven');
    await git(dir, 'push', '--quiet', 'origin', 'main');
    const ready = (await h.request('GET', `/v1/repository_change_requests/${rcr.body.id}`)).body;
    assert.equal(ready.state, 'READY', JSON.stringify(ready));
    const accepted = await h.request('POST', `/v1/repository_change_requests/${rcr.body.id}:accept`, {
      headers: { 'if-match': ready.etag, 'idempotency-key': 'helm-rcr-acc' },
    });
    assert.equal(accepted.status, 200, accepted.text);
    const op = await waitOperation(h, accepted.body.operation_id);
    assert.equal(op.state, 'SUCCEEDED', JSON.stringify(op));
    const main = await cloneInstall(base, inst.clone_url, h.token);
    const deployment = fs.readdirSync(path.join(main, 'manifests')).find((f) => f.includes('-deployment-'))!;
    assert.match(fs.readFileSync(path.join(main, 'manifests', deployment), 'utf8'), /replicas: 7/);
  });

  test('a private registry: refused without credentials or with wrong ones, pulled with a registry connection', async () => {
    const source = { repo_url: `oci://${closed.host}/charts/private`, target_revision: '1.2.3' };
    const anonymous = await createPackage('private', source);
    assert.equal(anonymous.status, 422, anonymous.text);
    assert.match(anonymous.text, /registry_connections/);
    const wrong = await h.request('POST', '/v1/registry_connections', {
      body: {
        name: 'wrong',
        registry_url: `${closed.host}/charts`,
        type: 'basic',
        credentials: { username: AUTH.username, password: 'nope' },
      },
    });
    assert.equal(wrong.status, 201, wrong.text);
    const refused = await createPackage('private', source);
    assert.equal(refused.status, 422, refused.text);
    assert.ok(!refused.text.includes('nope'), 'no credential in the error');
    await assertNoPackage('private');
    await h.request('DELETE', `/v1/registry_connections/${wrong.body.id}`);
    const right = await h.request('POST', '/v1/registry_connections', {
      body: { name: 'ci', registry_url: closed.host, type: 'basic', credentials: AUTH },
    });
    assert.equal(right.status, 201, right.text);
    const created = await createPackage('private', source);
    assert.equal(created.status, 202, created.text);
    const inst = await install(h, created.body.response.package_id, { replicaCount: 1 });
    assert.equal(inst.state, 'healthy');
  });

  test('bad sources are refused with the field at fault, and leave nothing behind', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp, string[]]> = [
      [
        'not-oci',
        { repo_url: `https://${open.host}/charts`, target_revision: '1.0.0' },
        /oci:\/\//,
        ['repo_url'],
      ],
      [
        'no-registry',
        { repo_url: 'oci://127.0.0.1:9/charts/shop', target_revision: '1.0.0' },
        /127\.0\.0\.1:9/,
        ['repo_url'],
      ],
      [
        'no-tag',
        { repo_url: `oci://${open.host}/charts/shop`, target_revision: '9.9.9' },
        /9\.9\.9/,
        ['target_revision'],
      ],
      [
        'with-path',
        { repo_url: `oci://${open.host}/charts/shop`, target_revision: '1.0.0', path: 'sub' },
        /path/,
        ['path'],
      ],
      [
        'bad-values',
        {
          repo_url: `oci://${open.host}/charts/shop`,
          target_revision: '1.0.0',
          values: { replicaCount: 'x' },
        },
        /replicaCount/,
        ['values', 'replicaCount'],
      ],
    ];
    for (const [name, source, message, field] of cases) {
      const res = await createPackage(name, source);
      assert.equal(res.status, 422, `${name}: ${res.text}`);
      assert.match(res.text, message, name);
      assert.deepEqual(res.body.errors?.[0]?.path ?? res.body.error?.path, [
        'body',
        'sources',
        '0',
        ...field,
      ]);
      await assertNoPackage(name);
    }

    // An OCI artifact that is not a Helm chart.
    await pushArtifact(open.url, 'charts/image', 'v1', {
      configMediaType: 'application/vnd.oci.image.config.v1+json',
      config: new TextEncoder().encode('{}'),
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', bytes: new Uint8Array([1, 2]) }],
    });
    const image = await createPackage('image', {
      repo_url: `oci://${open.host}/charts/image`,
      target_revision: 'v1',
    });
    assert.equal(image.status, 422, image.text);
    assert.match(image.text, /not a Helm chart|Helm chart/i);
    await assertNoPackage('image');

    // A chart over ATOLL_CHART_MAX_BYTES (256 KiB here).
    const noise = randomBytes(400 * 1024);
    const huge = await packFiles({
      'huge/Chart.yaml': 'apiVersion: v2\nname: huge\nversion: 1.0.0\n',
      'huge/files/noise.bin': noise,
    });
    await pushChart(open.url, 'charts/huge', '1.0.0', { name: 'huge', version: '1.0.0', bytes: huge });
    const tooBig = await createPackage('huge', {
      repo_url: `oci://${open.host}/charts/huge`,
      target_revision: '1.0.0',
    });
    assert.equal(tooBig.status, 422, tooBig.text);
    assert.match(tooBig.text, /262144|larger|too large/i);
    await assertNoPackage('huge');
  });

  test('template errors, endless templates, floods and output that is not Kubernetes objects fail the render with the reason', async () => {
    const charts: Record<string, Record<string, string>> = {
      failing: { 'templates/a.yaml': '{{ fail "the chart refuses: set .Values.accept" }}\n' },
      endless: {
        'templates/a.yaml':
          '{{- range $i := until 100000 }}{{- range $j := until 100000 }}{{- end }}{{- end }}\n',
      },
      notobjects: { 'templates/a.yaml': 'just: a map\nwithout: kind\n' },
      flood: {
        'templates/a.yaml':
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flood\ndata:\n  x: "{{ range until 60000 }}{{ printf "%0100d" 0 }}{{ end }}"\n',
      },
    };
    for (const [name, templates] of Object.entries(charts)) {
      const bytes = await packFiles({
        [`${name}/Chart.yaml`]: `apiVersion: v2\nname: ${name}\nversion: 1.0.0\n`,
        [`${name}/values.yaml`]: 'accept: false\n',
        ...Object.fromEntries(Object.entries(templates).map(([f, c]) => [`${name}/${f}`, c])),
      });
      await pushChart(open.url, `charts/${name}`, '1.0.0', { name, version: '1.0.0', bytes });
    }
    const expected: Record<string, RegExp> = {
      failing: /helm template: .*the chart refuses: set \.Values\.accept/,
      endless: /longer than 8000 ms/,
      notobjects: /has no apiVersion/,
      flood: /more than 2097152 bytes/,
    };
    for (const name of Object.keys(charts)) {
      const created = await createPackage(name, {
        repo_url: `oci://${open.host}/charts/${name}`,
        target_revision: '1.0.0',
      });
      assert.equal(created.status, 202, created.text);
      const res = await h.request('POST', '/v1/installs', {
        body: {
          package_id: created.body.response.package_id,
          package_version_pin: { kind: 'latest' },
          region_id: 'local',
          initial_values: {},
        },
      });
      assert.equal(res.status, 202, res.text);
      const op = await waitOperation(h, res.body.id);
      assert.equal(op.state, 'FAILED', `${name}: ${JSON.stringify(op)}`);
      const renders = (await h.request('GET', `/v1/installs/${res.body.owner_id}/renders`)).body.data;
      assert.equal(renders[0].state, 'failed');
      assert.match(JSON.stringify(renders[0]), expected[name]!, name);
    }
  });

  test('lookup never reaches a cluster: it finds nothing, as helm template offline', async () => {
    const bytes = await packFiles({
      'probe/Chart.yaml': 'apiVersion: v2\nname: probe\nversion: 1.0.0\n',
      'probe/templates/cm.yaml': [
        '{{- $ns := lookup "v1" "Namespace" "" "kube-system" }}',
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: probe',
        'data:',
        '  cluster: {{ if $ns }}"reached"{{ else }}"none"{{ end }}',
        '',
      ].join('\n'),
    });
    await pushChart(open.url, 'charts/probe', '1.0.0', { name: 'probe', version: '1.0.0', bytes });
    const created = await createPackage('probe', {
      repo_url: `oci://${open.host}/charts/probe`,
      target_revision: '1.0.0',
    });
    assert.equal(created.status, 202, created.text);
    const inst = await install(h, created.body.response.package_id, {});
    const dir = await cloneInstall(base, inst.clone_url, h.token);
    assert.match(
      fs.readFileSync(path.join(dir, 'manifests', '000-configmap-probe.yaml'), 'utf8'),
      /cluster: none/,
    );
  });
});
