/**
 * Storage of idempotency records (table idempotency_keys). A record is claimed `in_flight` by exactly
 * one request (the primary key decides races, across processes too), owned by this process (`owner`,
 * an instance id) under a short lease the process renews while the request runs; then finished with
 * the response to replay. Before the request's first write, in that write's transaction, its record is
 * marked `wrote` (`guard`, run by src/db/write-fence.ts), only while this process still owns it.
 *
 * A claim whose lease was not renewed belongs to a process that is gone. A retry takes it over and
 * executes if it never wrote (the first attempt changed nothing); if it wrote, its outcome is unknown
 * and it is reported `interrupted`, never executed again. Records expire after the configured TTL (at
 * least 24 h) and are swept. See docs/api-conventions.md.
 */
import { sql, type CompiledQuery, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../db/schema.ts';

export type StoredResponse = {
  status: number;
  headers: Record<string, string>;
  body: string;
  encrypted: boolean;
};

export type ClaimResult =
  | { kind: 'claimed' }
  | { kind: 'in_flight' }
  /** Its owner is gone after the request began writing: the outcome is unknown, it is not run again. */
  | { kind: 'interrupted' }
  | { kind: 'mismatch' }
  | { kind: 'done'; response: StoredResponse };

export type IdempotencyRecordKey = { scope: string; operation: string; key: string };

export type IdempotencyStore = {
  /**
   * Claims the key for a request with this fingerprint (and renews the claim until finish, release or
   * abandon), or reports what holds it.
   */
  claim(id: IdempotencyRecordKey, requestHash: string): Promise<ClaimResult>;
  /** Looks at the record again (used while waiting for an in-flight twin); undefined: claim it. */
  peek(id: IdempotencyRecordKey, requestHash: string): Promise<ClaimResult | undefined>;
  /** The statement that marks our claim `wrote`; it changes no row once the claim is no longer ours. */
  guard(id: IdempotencyRecordKey): CompiledQuery;
  /** Records the response to replay; false when the claim is no longer ours (nothing written then). */
  finish(id: IdempotencyRecordKey, response: StoredResponse): Promise<boolean>;
  /** Drops our claim of a request that failed unexpectedly before writing, so that a retry executes. */
  release(id: IdempotencyRecordKey): Promise<void>;
  /**
   * Gives up our claim of a request that failed unexpectedly after it began writing: its lease ends
   * now, so a retry learns at once that its outcome is unknown (`interrupted`).
   */
  abandon(id: IdempotencyRecordKey): Promise<void>;
  /**
   * Ends every claim's lease now. For the embedded store at start-up: it belongs to one process, so a
   * claim still in flight was left by a previous process that died.
   */
  expireClaims(): Promise<number>;
  /** Deletes expired records; returns how many. */
  sweep(): Promise<number>;
  /** Stops renewing leases. */
  close(): void;
};

export type IdempotencyStoreOptions = {
  /** How long idempotency records are kept. */
  ttlSeconds: number;
  /** This process's instance id, unique among the processes sharing the store. */
  owner: string;
  log: Logger;
  /** A claim not renewed for this long belongs to a process that is gone. Default 5 s. */
  leaseMs?: number;
};

const DEFAULT_LEASE_MS = 5000;

export function createIdempotencyStore(db: Kysely<DB>, options: IdempotencyStoreOptions): IdempotencyStore {
  const { ttlSeconds, owner } = options;
  const leaseSeconds = (options.leaseMs ?? DEFAULT_LEASE_MS) / 1000;
  const lease = () => sql<Date>`now() + make_interval(secs => ${leaseSeconds})`;
  const held = new Map<string, IdempotencyRecordKey>();
  const keyOf = (id: IdempotencyRecordKey) => JSON.stringify([id.scope, id.operation, id.key]);

  /** `query` narrowed to the record of `id`. */
  const keyed = <Q extends { where: (...args: any[]) => Q }>(query: Q, id: IdempotencyRecordKey): Q =>
    query.where('scope', '=', id.scope).where('operation', '=', id.operation).where('key', '=', id.key);
  const where = (id: IdempotencyRecordKey) => keyed(db.selectFrom('idempotency_keys'), id);
  /** `query` narrowed to the record of `id` while it is our claim. */
  const ours = <Q extends { where: (...args: any[]) => Q }>(query: Q, id: IdempotencyRecordKey): Q =>
    keyed(query, id).where('owner', '=', owner).where('state', '=', 'in_flight');

  const peek = async (id: IdempotencyRecordKey, requestHash: string): Promise<ClaimResult | undefined> => {
    const row = await where(id)
      .select([
        'request_hash',
        'state',
        'wrote',
        sql<boolean>`locked_until IS NULL OR locked_until < now()`.as('lapsed'),
        'response_status',
        'response_headers',
        'response_body',
        'encrypted',
      ])
      .executeTakeFirst();
    if (!row) return undefined;
    if (row.request_hash !== requestHash) return { kind: 'mismatch' };
    if (row.state === 'in_flight') {
      if (!row.lapsed) return { kind: 'in_flight' };
      return row.wrote ? { kind: 'interrupted' } : undefined;
    }
    return {
      kind: 'done',
      response: {
        status: row.response_status ?? 200,
        headers: row.response_headers ?? {},
        body: row.response_body ?? '',
        encrypted: row.encrypted,
      },
    };
  };

  // Renewal runs on its own timer, outside any request (a request's write fence must not see it).
  let renewing = false;
  const renew = async () => {
    if (held.size === 0 || renewing) return;
    renewing = true;
    try {
      // A claim locked right now is being written by its own request (the guard) or looked at by a
      // twin: it is skipped this time rather than waited for, so renewal never blocks or deadlocks.
      const mine = db
        .selectFrom('idempotency_keys')
        .select(['scope', 'operation', 'key'])
        .where('owner', '=', owner)
        .where('state', '=', 'in_flight')
        .where((eb) =>
          eb.or(
            [...held.values()].map((id) =>
              eb.and([
                eb('scope', '=', id.scope),
                eb('operation', '=', id.operation),
                eb('key', '=', id.key),
              ]),
            ),
          ),
        )
        .forUpdate()
        .skipLocked();
      await db
        .updateTable('idempotency_keys')
        .set({ locked_until: lease() })
        .where(({ eb, refTuple }) =>
          eb(refTuple('scope', 'operation', 'key'), 'in', mine.$asTuple('scope', 'operation', 'key')),
        )
        .execute();
    } catch (error) {
      options.log.warn({ err: error }, 'renewing idempotency claims failed');
    } finally {
      renewing = false;
    }
  };
  const timer = setInterval(() => void renew(), (leaseSeconds * 1000) / 5);
  timer.unref();

  return {
    async claim(id, requestHash) {
      for (;;) {
        const claimed = await db
          .insertInto('idempotency_keys')
          .values({
            ...id,
            request_hash: requestHash,
            state: 'in_flight',
            owner,
            wrote: false,
            locked_until: lease(),
            expires_at: sql<Date>`now() + make_interval(secs => ${ttlSeconds})`,
          })
          .onConflict((oc) =>
            oc
              .columns(['scope', 'operation', 'key'])
              .doUpdateSet({
                request_hash: requestHash,
                state: 'in_flight',
                owner,
                wrote: false,
                locked_until: lease(),
                expires_at: sql<Date>`now() + make_interval(secs => ${ttlSeconds})`,
                response_status: null,
                response_headers: null,
                response_body: null,
                encrypted: false,
                created_at: sql<Date>`now()`,
              })
              .where((eb) =>
                eb.or([
                  eb('idempotency_keys.expires_at', '<', sql<Date>`now()`),
                  // The owner is gone and its request changed nothing: the same request may run again.
                  eb.and([
                    eb('idempotency_keys.state', '=', 'in_flight'),
                    eb('idempotency_keys.locked_until', '<', sql<Date>`now()`),
                    eb('idempotency_keys.wrote', '=', false),
                    eb('idempotency_keys.request_hash', '=', requestHash),
                  ]),
                ]),
              ),
          )
          .returning('key')
          .executeTakeFirst();
        if (claimed) {
          held.set(keyOf(id), id);
          return { kind: 'claimed' };
        }
        const existing = await peek(id, requestHash);
        if (existing) return existing;
        // The holder released it, or its lease lapsed, between our insert and our read: try again.
      }
    },
    peek,
    guard: (id) => ours(db.updateTable('idempotency_keys').set({ wrote: true }), id).compile(),
    async finish(id, response) {
      try {
        const result = await ours(
          db.updateTable('idempotency_keys').set({
            state: 'done',
            locked_until: null,
            response_status: response.status,
            response_headers: JSON.stringify(response.headers),
            response_body: response.body,
            encrypted: response.encrypted,
          }),
          id,
        ).executeTakeFirst();
        return result.numUpdatedRows === 1n;
      } finally {
        held.delete(keyOf(id));
      }
    },
    async release(id) {
      try {
        await ours(db.deleteFrom('idempotency_keys'), id).execute();
      } finally {
        held.delete(keyOf(id));
      }
    },
    async abandon(id) {
      try {
        await ours(db.updateTable('idempotency_keys').set({ locked_until: sql<Date>`now()` }), id).execute();
      } finally {
        held.delete(keyOf(id));
      }
    },
    async expireClaims() {
      const result = await db
        .updateTable('idempotency_keys')
        .set({ locked_until: sql<Date>`now()` })
        .where('state', '=', 'in_flight')
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async sweep() {
      const result = await db
        .deleteFrom('idempotency_keys')
        .where('expires_at', '<', sql<Date>`now()`)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    close() {
      clearInterval(timer);
    },
  };
}
