import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, test } from 'node:test';
import { tempDir } from '../testing/harness.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/atoll.js');

function atoll(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ATOLL_CONSOLE_BUILD: 'off', ...env },
    timeout: 60_000,
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** Starts `atoll serve` and resolves once it logs that it listens. */
async function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { PATH: process.env.PATH, ATOLL_CONSOLE_BUILD: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Atoll listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return {
    output: () => output,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('the atoll command', () => {
  test('--help explains every command; unknown commands and flags exit 2 with a hint', () => {
    const help = atoll(['--help']);
    assert.equal(help.status, 0);
    for (const cmd of ['serve', 'migrate', 'token create', 'workspace create'])
      assert.match(help.stdout, new RegExp(cmd));
    for (const cmd of ['serve', 'migrate', 'token', 'workspace']) {
      const res = atoll([cmd, '--help']);
      assert.equal(res.status, 0, cmd);
      assert.match(res.stdout, /^Usage: atoll/, cmd);
    }
    const unknown = atoll(['frobnicate']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"; see "atoll --help"/);
    const badFlag = atoll(['serve', '--colour']);
    assert.equal(badFlag.status, 2);
    assert.match(badFlag.stderr, /see "atoll serve --help"/);
  });

  test('a bad configuration stops start-up naming the variable', () => {
    const res = atoll(['serve'], { PORT: 'abc', DATA_DIR: tempDir() });
    assert.equal(res.status, 1);
    assert.match(res.stderr, /PORT: must be an integer from 0 to 65535/);
  });

  test('serve, find the bootstrap token, use the API over HTTP, and manage tokens from the CLI', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const env = { DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info' };
    const server = await startServer(env);
    const tokenFile = path.join(dataDir, 'bootstrap-token');
    let cliToken: string;
    try {
      assert.match(server.output(), new RegExp(`its API token is in ${tokenFile}`));
      const token = fs.readFileSync(tokenFile, 'utf8').trim();
      const base = `http://127.0.0.1:${port}`;
      const list = await fetch(`${base}/v1/workspaces`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(list.status, 200);
      const workspaces = (await list.json()) as { data: Array<{ id: string; name: string }> };
      assert.equal(workspaces.data[0]!.name, 'default');
      const created = await fetch(`${base}/v1/api_tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'from-curl' }),
      });
      assert.equal(created.status, 201);
      assert.ok(!server.output().includes(token), 'the token never appears in the logs');

      const busy = atoll(['token', 'create', '--workspace', 'default', '--name', 'x'], env);
      assert.equal(busy.status, 1);
      assert.match(busy.stderr, /is in use by process/);
    } finally {
      await server.stop();
    }

    const made = atoll(
      ['token', 'create', '--workspace', 'default', '--name', 'cli-made', '--expires-in', '30d'],
      env,
    );
    assert.equal(made.status, 0, made.stderr);
    cliToken = made.stdout.trim();
    assert.match(cliToken, /^sk_atoll_/);
    const missing = atoll(['token', 'create', '--workspace', 'nope', '--name', 'x'], env);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no workspace with id, slug or name "nope"/);
    const ws = atoll(['workspace', 'create', '--name', 'Second'], env);
    assert.equal(ws.status, 0, ws.stderr);
    const second = JSON.parse(ws.stdout) as { workspace_id: string; token: string };
    assert.equal(atoll(['migrate'], env).stdout.trim(), 'schema is up to date');

    const again = await startServer(env);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v1/api_tokens`, {
        headers: { authorization: `Bearer ${cliToken}` },
      });
      assert.equal(res.status, 200);
      const listed = (await res.json()) as { data: Array<{ name: string; expires_at: number | null }> };
      assert.ok(listed.data.some((t) => t.name === 'cli-made' && t.expires_at !== null));
      const own = await fetch(`http://127.0.0.1:${port}/v1/workspaces`, {
        headers: { authorization: `Bearer ${second.token}` },
      });
      assert.equal(((await own.json()) as { data: Array<{ id: string }> }).data[0]!.id, second.workspace_id);
      assert.match(again.output(), /the bootstrap API token is in/);
    } finally {
      await again.stop();
    }
  });
});
