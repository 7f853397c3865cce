import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { eventually } from '../testing/eventually.ts';
import { createGitHttpHandler, type GitAuthorization, type GitAuthorizeRequest } from './http.ts';
import { FLUSH, pktLine } from './pkt-line.ts';
import { runGit } from './run.ts';
import { createGitStore, type GitStore } from './store.ts';

const GRANTS: Record<string, GitAuthorization> = {
  reader: { allow: true },
  rcr: { allow: true, writableRefs: ['refs/heads/rcr/x'] },
};

let tmp: string;
let store: GitStore;
let server: ServerType;
let base: string;
let firstCommit: string;
const seen: GitAuthorizeRequest[] = [];
const failures: unknown[] = [];

async function authorize(request: GitAuthorizeRequest): Promise<GitAuthorization> {
  seen.push(request);
  if (request.credential === undefined) return { allow: false, status: 401, message: 'credentials required' };
  const grant = GRANTS[request.credential];
  if (!grant) return { allow: false, status: 401, message: 'unknown credential' };
  if (request.repo === 'private_repo') return { allow: false, status: 404, message: 'no such repository' };
  return grant;
}

/** The real git client, with its own empty HOME and no prompts. */
function git(args: string[], cwd?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: cwd ?? tmp,
      env: {
        PATH: '/usr/local/bin:/usr/bin:/bin',
        HOME: path.join(tmp, 'client-home'),
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_TERMINAL_PROMPT: '0',
        LC_ALL: 'C',
        GIT_AUTHOR_NAME: 'Client',
        GIT_AUTHOR_EMAIL: 'client@example.com',
        GIT_COMMITTER_NAME: 'Client',
        GIT_COMMITTER_EMAIL: 'client@example.com',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const url = (token: string | null, repo = 'demo', mount = 'git') =>
  `${base.replace('://', token === null ? '://' : `://x:${token}@`)}/${mount}/${repo}.git`;

function tempDir(name: string): string {
  return fs.mkdtempSync(path.join(tmp, `${name}-`));
}

/** A raw request that keeps its path exactly as written (fetch would normalise `..`). */
function rawGet(pathname: string, token = 'reader'): Promise<number> {
  return new Promise((resolve, reject) => {
    const { port } = server.address() as AddressInfo;
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: pathname,
      headers: { authorization: `Bearer ${token}` },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

function gitChildren(): string[] {
  const out = execFileSync('ps', ['-o', 'pid=,stat=,comm=', '--ppid', String(process.pid)], {
    encoding: 'utf8',
  });
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /\bgit/.test(l));
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-git-http-'));
  fs.mkdirSync(path.join(tmp, 'client-home'));
  store = createGitStore({ root: path.join(tmp, 'repos') });
  await store.init('demo');
  firstCommit = await store.commit('demo', {
    branch: 'main',
    files: [
      { path: 'apps/web/deployment.yaml', content: 'kind: Deployment\n' },
      { path: 'apps/web/service.yaml', content: 'kind: Service\n' },
      { path: 'README.md', content: '# demo\n' },
      { path: 'blob.bin', content: randomBytes(4096) },
    ],
    message: 'render 1: web',
    expectedHead: null,
  });
  const app = new Hono();
  const onError = (error: unknown) => failures.push(error);
  app.all('/git/*', createGitHttpHandler({ store, mountPath: '/git', authorize, onError }));
  app.all(
    '/small/*',
    createGitHttpHandler({ store, mountPath: '/small', authorize, onError, maxBodyBytes: 2048 }),
  );
  server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  (server as unknown as { closeAllConnections(): void }).closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('cloning over smart HTTP', () => {
  test('git clone with a token shows the committed files and the commit message', async () => {
    const dir = path.join(tempDir('clone'), 'demo');
    const started = performance.now();
    const clone = await git(['clone', '--quiet', url('reader'), dir]);
    console.log(`git clone over HTTP: ${(performance.now() - started).toFixed(1)} ms`);
    assert.equal(clone.code, 0, clone.stderr);
    for (const file of await store.readFiles('demo', 'main')) {
      assert.deepEqual(fs.readFileSync(path.join(dir, file.path)), file.content, file.path);
    }
    assert.equal(
      (await git(['log', '-1', '--format=%H %s'], dir)).stdout.trim(),
      `${firstCommit} render 1: web`,
    );
    assert.equal((await git(['rev-parse', '--abbrev-ref', 'HEAD'], dir)).stdout.trim(), 'main');
    assert.ok(
      seen.some((s) => s.repo === 'demo' && s.service === 'upload-pack' && s.credential === 'reader'),
    );
  });

  test('a request without credentials gets exactly the Basic challenge, and git clone fails', async () => {
    const res = await fetch(`${base}/git/demo.git/info/refs?service=git-upload-pack`);
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Basic realm="atoll"');
    const clone = await git(['clone', url(null), path.join(tempDir('anon'), 'demo')]);
    assert.notEqual(clone.code, 0);
    assert.match(clone.stderr, /could not read Username|Authentication failed|401/);
  });

  test('wrong credentials fail, and a bearer token works like a Basic password', async () => {
    const clone = await git(['clone', url('wrong'), path.join(tempDir('wrong'), 'demo')]);
    assert.notEqual(clone.code, 0);
    assert.match(clone.stderr, /Authentication failed/);
    const bad = await fetch(`${base}/git/demo.git/info/refs?service=git-upload-pack`, {
      headers: { authorization: 'Bearer wrong' },
    });
    assert.equal(bad.status, 401);
    assert.equal(bad.headers.get('www-authenticate'), 'Basic realm="atoll"');
    const good = await fetch(`${base}/git/demo.git/info/refs?service=git-upload-pack`, {
      headers: { authorization: 'Bearer reader' },
    });
    assert.equal(good.status, 200);
    assert.equal(good.headers.get('content-type'), 'application/x-git-upload-pack-advertisement');
    assert.match(await good.text(), /# service=git-upload-pack/);
  });

  test('an unknown repository is 404 to a valid credential and the same 401 to no credential', async () => {
    const known = { authorization: 'Bearer reader' };
    assert.equal(
      (await fetch(`${base}/git/nothere.git/info/refs?service=git-upload-pack`, { headers: known })).status,
      404,
    );
    assert.equal(
      (await fetch(`${base}/git/private_repo.git/info/refs?service=git-upload-pack`, { headers: known }))
        .status,
      404,
    );
    const anonymous = await fetch(`${base}/git/nothere.git/info/refs?service=git-upload-pack`);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), 'Basic realm="atoll"');
  });

  test('git pull in an existing clone gets commits made after it', async () => {
    const dir = path.join(tempDir('pull'), 'demo');
    assert.equal((await git(['clone', '--quiet', url('reader'), dir])).code, 0);
    const head = (await store.head('demo', 'main'))!;
    const files = (await store.readFiles('demo', head)).filter((f) => f.path !== 'README.md');
    const next = await store.commit('demo', {
      branch: 'main',
      files: [...files, { path: 'apps/api/deployment.yaml', content: 'kind: Deployment\nname: api\n' }],
      message: 'render 2: api',
      expectedHead: head,
    });
    const pull = await git(['pull', '--quiet', '--ff-only'], dir);
    assert.equal(pull.code, 0, pull.stderr);
    assert.equal((await git(['rev-parse', 'HEAD'], dir)).stdout.trim(), next);
    assert.equal(
      fs.readFileSync(path.join(dir, 'apps/api/deployment.yaml'), 'utf8'),
      'kind: Deployment\nname: api\n',
    );
    assert.equal(fs.existsSync(path.join(dir, 'README.md')), false);
    assert.equal((await git(['log', '-1', '--format=%s'], dir)).stdout.trim(), 'render 2: api');
  });

  test("the store's temporary refs are never advertised", async () => {
    const head = (await store.head('demo', 'main'))!;
    await runGit(store.setup, [
      `--git-dir=${store.repoDir('demo')}`,
      'update-ref',
      'refs/atoll/tmp/visible',
      head,
    ]);
    try {
      const listed = await git(['ls-remote', url('reader')]);
      assert.equal(listed.code, 0, listed.stderr);
      assert.doesNotMatch(listed.stdout, /refs\/atoll/);
      assert.match(listed.stdout, /refs\/heads\/main/);
      const v0 = await git(['-c', 'protocol.version=0', 'ls-remote', url('reader')]);
      assert.doesNotMatch(v0.stdout, /refs\/atoll/);
    } finally {
      await runGit(store.setup, [
        `--git-dir=${store.repoDir('demo')}`,
        'update-ref',
        '-d',
        'refs/atoll/tmp/visible',
      ]);
    }
  });

  test('a gzip-encoded fetch request is inflated and answered with a pack', async () => {
    const head = (await store.head('demo', 'main'))!;
    const request = Buffer.concat([pktLine(`want ${head}\n`), FLUSH, pktLine('done\n')]);
    const res = await fetch(`${base}/git/demo.git/git-upload-pack`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer reader',
        'content-type': 'application/x-git-upload-pack-request',
        'content-encoding': 'gzip',
      },
      body: gzipSync(request),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/x-git-upload-pack-result');
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(body.subarray(0, 8).toString(), '0008NAK\n');
    assert.equal(body.subarray(8, 12).toString(), 'PACK');
  });
});

describe('pushing over smart HTTP', () => {
  async function cloneWith(token: string) {
    const dir = path.join(tempDir(`push-${token}`), 'demo');
    const clone = await git(['clone', '--quiet', url(token), dir]);
    assert.equal(clone.code, 0, clone.stderr);
    return dir;
  }

  test('a push to a writable ref succeeds and is visible through the store', async () => {
    const dir = await cloneWith('rcr');
    await git(['checkout', '--quiet', '-b', 'rcr/x'], dir);
    fs.writeFileSync(path.join(dir, 'apps/web/service.yaml'), 'kind: Service\nport: 8080\n');
    assert.equal((await git(['commit', '--quiet', '-am', 'change the port'], dir)).code, 0);
    const pushed = await git(['push', '--quiet', 'origin', 'rcr/x'], dir);
    assert.equal(pushed.code, 0, pushed.stderr);
    const local = (await git(['rev-parse', 'HEAD'], dir)).stdout.trim();
    assert.equal(await store.head('demo', 'rcr/x'), local);
    assert.equal(
      (await store.readFile('demo', 'rcr/x', 'apps/web/service.yaml'))?.toString(),
      'kind: Service\nport: 8080\n',
    );
    const [entry] = await store.log('demo', 'rcr/x', 1);
    assert.equal(entry!.message, 'change the port\n');
  });

  test('a push to main with only refs/heads/rcr/x writable is refused and main is unchanged', async () => {
    const before = await store.head('demo', 'main');
    const dir = await cloneWith('rcr');
    fs.writeFileSync(path.join(dir, 'new.yaml'), 'sneaky: true\n');
    await git(['add', 'new.yaml'], dir);
    await git(['commit', '--quiet', '-m', 'to main'], dir);
    const pushed = await git(['push', 'origin', 'HEAD:main'], dir);
    assert.notEqual(pushed.code, 0);
    assert.match(pushed.stderr, /403/);
    assert.equal(await store.head('demo', 'main'), before);
    const mixed = await git(['push', 'origin', 'HEAD:rcr/x', 'HEAD:main'], dir);
    assert.notEqual(mixed.code, 0, 'one refused ref refuses the whole push');
    assert.equal(await store.head('demo', 'main'), before);
  });

  test('a push without any writable refs is refused with a message', async () => {
    const before = await store.branches('demo');
    const dir = await cloneWith('reader');
    fs.writeFileSync(path.join(dir, 'new.yaml'), 'x: 1\n');
    await git(['add', 'new.yaml'], dir);
    await git(['commit', '--quiet', '-m', 'reader push'], dir);
    const pushed = await git(['push', 'origin', 'HEAD:rcr/x'], dir);
    assert.notEqual(pushed.code, 0);
    assert.match(pushed.stderr, /pushing to demo is not allowed with this credential/);
    assert.deepEqual(await store.branches('demo'), before);
  });

  test('deleting a ref is refused, even a writable one', async () => {
    const dir = await cloneWith('rcr');
    const target = await store.head('demo', 'rcr/x');
    assert.ok(target);
    const pushed = await git(['push', 'origin', ':rcr/x'], dir);
    assert.notEqual(pushed.code, 0);
    assert.equal(await store.head('demo', 'rcr/x'), target);
  });

  test('bodies over the limit are refused, by length or while streaming, and nothing is written', async () => {
    const headers = { authorization: 'Bearer rcr', 'content-type': 'application/x-git-upload-pack-request' };
    const byLength = await fetch(`${base}/small/demo.git/git-upload-pack`, {
      method: 'POST',
      headers,
      body: Buffer.alloc(5000, 0x30),
    });
    assert.equal(byLength.status, 413);
    const chunks = [Buffer.alloc(1500, 0x30), Buffer.alloc(1500, 0x30)];
    const streamed = await fetch(`${base}/small/demo.git/git-upload-pack`, {
      method: 'POST',
      headers,
      body: new ReadableStream({
        pull(controller) {
          const next = chunks.shift();
          if (next) controller.enqueue(next);
          else controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    assert.equal(streamed.status, 413);

    const before = await store.head('demo', 'rcr/x');
    const dir = await cloneWith('rcr');
    await git(['checkout', '--quiet', 'rcr/x'], dir);
    fs.writeFileSync(path.join(dir, 'big.bin'), randomBytes(64 * 1024));
    await git(['add', 'big.bin'], dir);
    await git(['commit', '--quiet', '-m', 'big'], dir);
    const pushed = await git(['push', url('rcr', 'demo', 'small'), 'HEAD:rcr/x'], dir);
    assert.notEqual(pushed.code, 0);
    assert.match(pushed.stderr, /413/);
    assert.equal(await store.head('demo', 'rcr/x'), before);
  });
});

describe('what is never served', () => {
  test('dumb-HTTP paths, other files and paths outside a repository are refused', async () => {
    for (const pathname of [
      '/git/demo.git/HEAD',
      '/git/demo.git/config',
      '/git/demo.git/objects/info/packs',
      '/git/demo.git/info/refs',
      '/git/demo.git/info/refs?service=git-upload-archive',
      '/git/demo.git/refs/heads/main',
      '/git/../repos/demo.git/info/refs?service=git-upload-pack',
      '/git/%2e%2e/demo.git/info/refs?service=git-upload-pack',
      '/git/demo.git/../../repos/demo.git/info/refs?service=git-upload-pack',
      '/git/.init-demo.git/info/refs?service=git-upload-pack',
      '/git/Demo.git/info/refs?service=git-upload-pack',
      '/git/demo/info/refs?service=git-upload-pack',
    ]) {
      assert.equal(await rawGet(pathname), 404, pathname);
    }
    assert.equal(await rawGet('/git/demo.git/git-upload-pack'), 405);
    // Dot segments are resolved by URL parsing before routing: this names the demo repository itself.
    assert.equal(await rawGet('/git/other/../demo.git/info/refs?service=git-upload-pack'), 200);
  });

  test('a fetch request with the wrong content type is refused', async () => {
    const res = await fetch(`${base}/git/demo.git/git-upload-pack`, {
      method: 'POST',
      headers: { authorization: 'Bearer reader', 'content-type': 'text/plain' },
      body: 'x',
    });
    assert.equal(res.status, 415);
  });

  test('no git process outlives its request, even when the client goes away mid-response', async () => {
    await store.init('bulky');
    const sha = await store.commit('bulky', {
      branch: 'main',
      files: Array.from({ length: 3 }, (_, i) => ({
        path: `blob-${i}.bin`,
        content: randomBytes(2 * 1024 * 1024),
      })),
      message: 'bulk',
      expectedHead: null,
    });
    const controller = new AbortController();
    const res = await fetch(`${base}/git/bulky.git/git-upload-pack`, {
      method: 'POST',
      headers: { authorization: 'Bearer reader', 'content-type': 'application/x-git-upload-pack-request' },
      body: Buffer.concat([pktLine(`want ${sha}\n`), FLUSH, pktLine('done\n')]),
      signal: controller.signal,
    });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await eventually(() => assert.deepEqual(gitChildren(), []), {
      timeoutMs: 5000,
      intervalMs: 50,
      message: 'the git children to end',
    });
    assert.deepEqual(failures, [], 'no handler failures were reported');
  });
});
