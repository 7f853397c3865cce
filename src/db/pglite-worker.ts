/**
 * The embedded Postgres (PGlite) in a worker thread, so that database work runs on its own core and
 * never blocks the HTTP event loop. The main thread sends requests over the worker's message port
 * (src/db/pglite-client.ts); each query is one pipelined extended-protocol exchange (Parse, Bind,
 * Describe, Execute, Sync in a single call into wasm) with parameters in text format, their types
 * inferred by Postgres from context.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, parse, protocol } from '@electric-sql/pglite';
import { toText } from './pg-text.ts';

export type WorkerRequest =
  | { id: number; op: 'query'; sql: string; params: unknown[] }
  | { id: number; op: 'exec'; sql: string }
  | { id: number; op: 'close' };

export type QueryOutcome = {
  rows: Record<string, unknown>[];
  affectedRows: number | undefined;
  command: string | undefined;
};

export type WorkerResponse =
  | { id: number; ok: true; result: QueryOutcome | null }
  | { id: number; ok: false; error: Record<string, unknown> & { message: string } };

const INT8_OID = 20;
const port = parentPort!;
const { dataDir } = workerData as { dataDir: string | undefined };

const pglite = await PGlite.create(dataDir, { parsers: { [INT8_OID]: (v: string) => Number(v) } });
const { serialize } = protocol;

function concat(parts: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

async function query(sql: string, params: unknown[]): Promise<QueryOutcome> {
  const message = concat([
    serialize.parse({ text: sql }),
    serialize.bind({ values: params.map(toText) }),
    serialize.describe({ type: 'P' }),
    serialize.execute({}),
    serialize.sync(),
  ]);
  const { messages } = await pglite.execProtocol(message);
  const result = parse.parseResults(messages, pglite.parsers)[0];
  return { rows: result?.rows ?? [], affectedRows: result?.affectedRows, command: result?.command };
}

function describeError(error: unknown): Record<string, unknown> & { message: string } {
  const e = error as Record<string, unknown>;
  const out: Record<string, unknown> & { message: string } = { message: String(e?.message ?? error) };
  for (const key of [
    'code',
    'constraint',
    'detail',
    'hint',
    'table',
    'column',
    'schema',
    'severity',
    'position',
  ]) {
    if (e?.[key] !== undefined) out[key] = e[key];
  }
  return out;
}

port.on('message', async (request: WorkerRequest) => {
  try {
    let result: QueryOutcome | null = null;
    switch (request.op) {
      case 'query':
        result = await query(request.sql, request.params);
        break;
      case 'exec':
        await pglite.exec(request.sql);
        break;
      case 'close':
        await pglite.close();
        break;
      default: {
        const never: never = request;
        throw new Error(`unknown request ${JSON.stringify(never)}`);
      }
    }
    port.postMessage({ id: request.id, ok: true, result } satisfies WorkerResponse);
    if (request.op === 'close') port.close();
  } catch (error) {
    port.postMessage({ id: request.id, ok: false, error: describeError(error) } satisfies WorkerResponse);
  }
});
port.postMessage({ id: 0, ok: true, result: null } satisfies WorkerResponse);
