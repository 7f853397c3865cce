/**
 * Test harness: a real Atoll (same composition root as `atoll serve`) on a real store — in-memory PGlite
 * by default, or, when DATABASE_URL is set, a fresh schema in that Postgres database, dropped at the
 * end. Requests go through `app.request()` in-process; tests that need a socket start a server.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino, type Logger } from 'pino';
import { createAtoll, type Atoll } from '../atoll.ts';
import { loadConfig, type Config } from '../config.ts';
import { openDatabase, type Database } from '../db/database.ts';
import { base32 } from '../db/ids.ts';
import { randomBytes } from 'node:crypto';
import { issueToken } from '../platform/api-tokens/service.ts';
import { createWorkspaceRecord } from '../platform/workspaces/service.ts';

export type TestResponse<T = any> = { status: number; body: T; text: string; headers: Headers };

export type RequestOptions = {
  token?: string | null;
  body?: unknown;
  /** A raw body sent as is (no JSON encoding, no content type unless given). */
  raw?: RequestInit['body'];
  headers?: Record<string, string>;
};

export type Harness = {
  atoll: Atoll;
  config: Config;
  database: Database;
  /** Token of the bootstrap workspace. */
  token: string;
  workspaceId: string;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<TestResponse<T>>;
  /** A further workspace with its own token. */
  newWorkspace(name?: string): Promise<{ id: string; token: string }>;
  /** Serves the app on a real socket (127.0.0.1, a free port); closed with the harness. */
  listen(): Promise<string>;
  /** Drops every open connection of the servers started by `listen` (clients see a network error). */
  dropConnections(): void;
  /**
   * Another Atoll process-alike on the same Postgres schema (its own pool, LISTEN connection and
   * executors), for tests across processes; undefined on PGlite, which is one process by design.
   */
  peer(): Promise<Atoll | undefined>;
  close(): Promise<void>;
};

export const BOOTSTRAP_TOKEN = `sk_test_${'a'.repeat(40)}`;

/** The Postgres URL tests should use, if any (DATABASE_URL). */
export function testPostgresUrl(): string | undefined {
  return loadConfig({ DATABASE_URL: process.env.DATABASE_URL }).databaseUrl;
}

/** Opens a fresh store: in-memory PGlite, or a new schema in the DATABASE_URL database. */
export async function openTestDatabase(): Promise<{
  database: Database;
  drop(): Promise<void>;
  schema?: string;
}> {
  const url = testPostgresUrl();
  if (!url) {
    const database = await openDatabase({ kind: 'pglite', dataDir: undefined });
    return { database, drop: () => database.close() };
  }
  const schema = `t_${base32(randomBytes(8))}`;
  const database = await openDatabase({ kind: 'postgres', url, poolSize: 10, schema });
  return {
    database,
    schema,
    async drop() {
      await database.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

/** A TCP port that was free a moment ago on 127.0.0.1 (for servers started in child processes). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export function tempDir(prefix = 'atoll-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startHarness(
  env: Record<string, string> = {},
  options: { log?: Logger } = {},
): Promise<Harness> {
  const dataDir = tempDir();
  // Like a DATA_DIR made by the server (0755 under the usual umask), and unlike mkdtemp's 0700, the
  // unprivileged sandbox uid must be able to traverse it to reach its own sandbox directory.
  fs.chmodSync(dataDir, 0o711);
  const config = loadConfig({
    // Where a server finds helm (config.helm), as a server started from this shell would.
    PATH: process.env.PATH ?? '',
    DATA_DIR: dataDir,
    ATOLL_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const { database, drop, schema } = await openTestDatabase();
  const peers: Atoll[] = [];
  const atoll = await createAtoll(config, { log: options.log ?? pino({ level: 'silent' }), database });
  if (!atoll.bootstrap.created) throw new Error('the test store was not empty');
  const workspaceId = atoll.bootstrap.workspaceId;

  const servers: ServerType[] = [];
  const request = async (
    method: string,
    url: string,
    options: RequestOptions = {},
  ): Promise<TestResponse> => {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? BOOTSTRAP_TOKEN : options.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: RequestInit['body'] = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await atoll.app.request(url, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed, text, headers: res.headers };
  };

  return {
    atoll,
    config,
    database,
    token: BOOTSTRAP_TOKEN,
    workspaceId,
    request,
    async newWorkspace(name = 'other') {
      const ws = await createWorkspaceRecord(database.db, {
        name,
        slug: undefined,
        createdBy: 'test',
        member: undefined,
      });
      const token = await issueToken(database.db, {
        workspaceId: ws.id,
        name: 'test',
        createdBy: 'test',
        expiresAt: null,
      });
      return { id: ws.id, token: token.token };
    },
    async listen() {
      const server = serve({ fetch: atoll.app.fetch, hostname: '127.0.0.1', port: 0 });
      await new Promise<void>((resolve) => server.once('listening', () => resolve()));
      servers.push(server);
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    dropConnections() {
      for (const server of servers)
        (server as unknown as { closeAllConnections(): void }).closeAllConnections();
    },
    async peer() {
      const url = testPostgresUrl();
      if (!url || !schema) return undefined;
      const peerDb = await openDatabase({ kind: 'postgres', url, poolSize: 5, schema });
      const peer = await createAtoll(config, { log: pino({ level: 'silent' }), database: peerDb });
      peers.push(peer);
      return peer;
    },
    async close() {
      for (const peer of peers) {
        await peer.close();
        await peer.database.close();
      }
      for (const server of servers) {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        await new Promise((resolve) => server.close(resolve));
      }
      await atoll.close();
      await drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
