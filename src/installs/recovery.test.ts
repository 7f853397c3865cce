import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../testing/eventually.ts';
import { BOOTSTRAP_TOKEN, freePort, startHarness, tempDir, type Harness } from '../testing/harness.ts';
import { commitMessage } from './renders/commit.ts';
import { startRender } from './renders/start.ts';
import { archive, cloneInstall, git, install, publish, waitOperation } from './test-fixtures.ts';

/** A program that burns CPU for `spin` iterations first: long enough to be killed in the middle. */
const SLOW_PROGRAM = `export default function render(input) {
  let x = 0;
  for (let i = 0; i < input.spin; i++) x = (x + i) % 1000003;
  return [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'slow' }, data: { x: String(x) } }];
}`;
const SLOW_SCHEMA = { type: 'object', properties: { spin: { type: 'integer', default: 0 } } };

describe('renders survive their worker', () => {
  test('a commit made by a render whose worker died before recording it is adopted, not made again', async () => {
    const h: Harness = await startHarness({ ATOLL_JOB_POLL_MS: '50' });
    try {
      const base = await h.listen();
      const { packageId } = await publish(h, { name: 'adopt' });
      const inst = await install(h, packageId);
      const installRow = await h.database.db
        .selectFrom('installs')
        .selectAll()
        .where('id', '=', inst.id)
        .executeTakeFirstOrThrow();
      const git_ = h.atoll.installs.git;
      const storage = inst.repository_id;
      let planted = '';
      let renderId = '';
      // In one transaction (so no worker sees the render before the commit is planted): a running render
      // that had started committing, and on main the commit its dead worker made, with its trailer.
      await h.database.db.transaction().execute(async (trx) => {
        const { render } = await startRender(trx, {
          workspaceId: h.workspaceId,
          installId: inst.id,
          createdBy: 'test',
          packageVersionId: installRow.package_version_id,
          inputValues: installRow.input_values,
          message: 'adopted',
          skipUnchanged: false,
          extraAnnotations: {},
        });
        renderId = render.id;
        await trx
          .updateTable('install_renders')
          .set({ commit_started_at: new Date() })
          .where('id', '=', render.id)
          .execute();
        const head = await git_.head(storage, 'main');
        const files = await git_.readFiles(storage, head!);
        planted = await git_.commit(storage, {
          branch: 'main',
          files: files.map((f) => ({ path: f.path, content: f.content })),
          message: commitMessage('adopted', { 'Atoll-Render': render.id }),
          expectedHead: head,
        });
      });
      const render = (await h.request('GET', `/v1/installs/${inst.id}/renders/${renderId}`)).body;
      await waitOperation(h, render.operation_id);
      const done = (await h.request('GET', `/v1/installs/${inst.id}/renders/${renderId}`)).body;
      assert.equal(done.state, 'deployed');
      assert.equal(done.commit_sha, planted, 'the existing commit is the render’s');
      const dir = await cloneInstall(base, inst.clone_url, h.token);
      assert.equal((await git(dir, 'rev-list', '--count', 'HEAD')).trim(), '2');
    } finally {
      await h.close();
    }
  });

  describe('a server killed mid-render', () => {
    let dataDir: string;
    let port: number;
    let child: ChildProcess | undefined;
    const url = () => `http://127.0.0.1:${port}`;
    const start = async () => {
      child = spawn(process.execPath, ['src/main.ts', 'serve'], {
        cwd: process.cwd(),
        env: {
          ...process.env,
          DATABASE_URL: '',
          DATA_DIR: dataDir,
          PORT: String(port),
          ATOLL_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
          ATOLL_JOB_POLL_MS: '50',
          LOG_LEVEL: 'silent',
        },
        stdio: 'ignore',
      });
      await eventually(async () => assert.ok((await fetch(`${url()}/healthz`)).ok), {
        timeoutMs: 60_000,
        intervalMs: 100,
        message: 'the server to start',
      });
    };
    const kill = async () => {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child!.kill('SIGKILL');
      await exited;
    };
    const call = async (
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) => {
      const res = await fetch(`${url()}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${BOOTSTRAP_TOKEN}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body:
          body === undefined
            ? undefined
            : body instanceof Uint8Array
              ? Buffer.from(body)
              : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as any };
    };

    before(async () => {
      dataDir = tempDir('atoll-kill-');
      port = await freePort();
      await start();
    });
    after(async () => {
      if (child && child.exitCode === null) await kill();
    });

    test('after a restart the render completes, committed exactly once', async () => {
      const pkg = await call(
        'POST',
        '/v1/packages',
        await archive({ name: 'slow', program: SLOW_PROGRAM, schema: SLOW_SCHEMA }),
        {
          'content-type': 'application/gzip',
        },
      );
      assert.equal(pkg.status, 202, JSON.stringify(pkg.body));
      const created = await call('POST', '/v1/installs', {
        package_id: pkg.body.response.package_id,
        package_version_pin: { kind: 'latest' },
        region_id: 'local',
        initial_values: { spin: 150_000_000 },
      });
      assert.equal(created.status, 202);
      // Kill the server while the render program runs (its operation's render step is running).
      await eventually(
        async () => {
          const op = (await call('GET', `/v1/operations/${created.body.id}`)).body;
          assert.equal(
            op.done,
            false,
            'the render finished before it could be killed; make SLOW_PROGRAM slower',
          );
          const step = op.steps.find((s: { name: string }) => s.name === 'render');
          assert.equal(step.status, 'running', 'the render never started');
        },
        { intervalMs: 25, message: 'the render step to run' },
      );
      await kill();
      await start();
      let op: any;
      for (let i = 0; i < 20 && !op?.done; i++)
        op = (await call('POST', `/v1/operations/${created.body.id}:wait?timeout=30`)).body;
      assert.equal(op.state, 'SUCCEEDED', JSON.stringify(op));
      const installId = created.body.owner_id;
      const renders = (await call('GET', `/v1/installs/${installId}/renders`)).body.data;
      assert.equal(renders.length, 1);
      assert.equal(renders[0].state, 'deployed');
      const inst = (await call('GET', `/v1/installs/${installId}`)).body;
      const dir = await cloneInstall(url(), inst.clone_url, BOOTSTRAP_TOKEN);
      const log = await git(dir, 'log', '--format=%H %s');
      assert.equal(log.trim().split('\n').length, 1, log);
      assert.equal(log.split(' ')[0], renders[0].commit_sha);
    });
  });
});
