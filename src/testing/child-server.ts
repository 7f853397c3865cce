/**
 * Test helper: `atoll serve` in a real child process, on the embedded store under a temporary DATA_DIR,
 * or, when DATABASE_URL is set, on a fresh schema of that Postgres database (dropped by `cleanup`).
 * The process can be restarted on the same store, stopped with a signal or killed, as an operator would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { base32 } from '../db/ids.ts';
import {
  BOOTSTRAP_TOKEN,
  freePort,
  tempDir,
  testPostgresUrl,
  type Harness,
  type RequestOptions,
  type TestResponse,
} from './harness.ts';

export const MAIN = path.resolve(import.meta.dirname, '../main.ts');

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export type ChildServer = {
  readonly port: number;
  readonly dataDir: string;
  readonly base: string;
  readonly store: 'pglite' | 'postgres';
  /** The subset of Harness the fixtures use (request with the bootstrap token), over the socket. */
  readonly client: Harness;
  /** The environment `start` gives the process (for other commands on the same store). */
  env(extra?: Record<string, string>): Record<string, string>;
  /** Starts the server and resolves once /healthz answers 200. */
  start(env?: Record<string, string>): Promise<void>;
  /** Everything the running (or last) process wrote to stdout and stderr. */
  output(): string;
  /** Resolves when the running process exits. */
  exited(): Promise<Exit>;
  /** Sends a signal to the running process. */
  signal(name: NodeJS.Signals): void;
  /** SIGKILLs the running process (a crash) and waits for it to go. */
  kill(): Promise<void>;
  /** Kills what still runs, drops the Postgres schema and removes DATA_DIR. */
  cleanup(): Promise<void>;
};

/**
 * Harness-style requests over a real socket to the server at `base()` (read at each request, so a test
 * may point it at a server that starts later), as the bootstrap token unless `options.token` says otherwise (null: no credential).
 */
export function socketRequest(base: () => string) {
  return async (method: string, p: string, options: RequestOptions = {}): Promise<TestResponse> => {
    const token = options.token === undefined ? BOOTSTRAP_TOKEN : options.token;
    const headers: Record<string, string> = {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...options.headers,
    };
    let body = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${base()}${p}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed, text, headers: res.headers };
  };
}

export async function childServer(env: Record<string, string> = {}): Promise<ChildServer> {
  const dataDir = tempDir('atoll-serve-');
  fs.chmodSync(dataDir, 0o711); // the sandbox uid traverses it, as it does a DATA_DIR the server makes
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const url = testPostgresUrl();
  let databaseUrl = '';
  let schema: string | undefined;
  if (url) {
    schema = `t_${base32(randomBytes(8))}`;
    await adminQuery(url, `CREATE SCHEMA "${schema}"`);
    const u = new URL(url);
    u.searchParams.set('options', `-c search_path=${schema}`);
    databaseUrl = u.toString();
  }
  let child: ChildProcess | undefined;
  let exit: Promise<Exit> = Promise.resolve({ code: null, signal: null });
  let output = '';

  const request = socketRequest(() => base);

  const server: ChildServer = {
    port,
    dataDir,
    base,
    store: url ? 'postgres' : 'pglite',
    client: { request } as unknown as Harness,
    env: (extra = {}) => ({
      PATH: process.env.PATH ?? '',
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      PORT: String(port),
      ATOLL_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
      ATOLL_JOB_POLL_MS: '50',
      // Test servers serve the console as built; only the console's own tests build it.
      ATOLL_CONSOLE_BUILD: 'off',
      LOG_LEVEL: 'info',
      ...env,
      ...extra,
    }),
    async start(extra = {}) {
      output = '';
      const proc = spawn(process.execPath, [MAIN, 'serve'], {
        env: server.env(extra),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = proc;
      proc.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      proc.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      exit = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
      let gone = false;
      void exit.then(() => (gone = true));
      for (let i = 0; i < 600 && !gone; i++) {
        try {
          if ((await fetch(`${base}/healthz`)).ok) return;
        } catch {
          // not up yet
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`the server did not start:\n${output}`);
    },
    output: () => output,
    exited: () => exit,
    signal(name) {
      child?.kill(name);
    },
    async kill() {
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exit;
      }
    },
    async cleanup() {
      await server.kill();
      if (url && schema) await adminQuery(url, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
