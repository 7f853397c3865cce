/**
 * Starts `atoll serve` in a child process for benchmarks (so the load generator does not share its
 * event loop) on PGlite in a temp dir or on a fresh Postgres database, and tears it down after.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export const BENCH_TOKEN = `sk_bench_${'b'.repeat(40)}`;

/** A JSON call to a bench server with the bench token; throws on any status from 300 up. */
export async function benchCall(method: string, url: string, body?: unknown): Promise<any> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

export type BenchServer = { url: string; store: string; stop(): Promise<void> };

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** The Postgres admin URL for benchmarks, if a server answers there. */
export async function postgresAdminUrl(): Promise<string | undefined> {
  const url = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.end();
    return url;
  } catch {
    return undefined;
  }
}

export async function startBenchServer(
  store: 'pglite' | 'postgres',
  extraEnv: Record<string, string> = {},
): Promise<BenchServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-bench-'));
  fs.chmodSync(dataDir, 0o711); // as a DATA_DIR the server makes: sandbox uids traverse it
  const port = await freePort();
  let dropDb: (() => Promise<void>) | undefined;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    DATA_DIR: dataDir,
    PORT: String(port),
    ATOLL_BOOTSTRAP_TOKEN: BENCH_TOKEN,
    LOG_LEVEL: 'info',
    ...extraEnv,
  };
  if (store === 'postgres') {
    const admin = await postgresAdminUrl();
    if (!admin) throw new Error('no PostgreSQL answers at BENCH_PG_URL or 127.0.0.1:5432');
    const name = `atoll_bench_${Date.now()}`;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
    await client.end();
    env.DATABASE_URL = admin.replace(/\/[^/]*$/, `/${name}`);
    dropDb = async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(import.meta.dirname, '../src/main.ts'), 'serve'],
    {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      // not yet listening
    }
    if (i > 300) throw new Error('the server did not become ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    store,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      await dropDb?.();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
