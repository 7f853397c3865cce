/**
 * Storage of idempotency records (table idempotency_keys). A record is claimed `in_flight` by exactly
 * one request (the primary key decides races, across processes too), then finished with the response
 * to replay. A claim whose holder died is taken over once its lease runs out; records expire after the
 * configured TTL (at least 24 h) and are swept.
 */
import { sql, type Kysely } from 'kysely';
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
  | { kind: 'mismatch' }
  | { kind: 'done'; response: StoredResponse };

export type IdempotencyRecordKey = { scope: string; operation: string; key: string };

export type IdempotencyStore = {
  /** Claims the key for a request with this fingerprint, or reports what holds it. */
  claim(id: IdempotencyRecordKey, requestHash: string): Promise<ClaimResult>;
  /** Looks at the record again (used while waiting for an in-flight twin). */
  peek(id: IdempotencyRecordKey, requestHash: string): Promise<ClaimResult | undefined>;
  finish(id: IdempotencyRecordKey, response: StoredResponse): Promise<void>;
  /** Drops a claim whose request failed unexpectedly, so that a retry executes again. */
  release(id: IdempotencyRecordKey): Promise<void>;
  /** Deletes expired records; returns how many. */
  sweep(): Promise<number>;
};

/** How long a claim holds before another request may take it over (its holder is presumed dead). */
const LEASE_SECONDS = 300;

export function createIdempotencyStore(db: Kysely<DB>, ttlSeconds: number): IdempotencyStore {
  const where = (id: IdempotencyRecordKey) =>
    db
      .selectFrom('idempotency_keys')
      .where('scope', '=', id.scope)
      .where('operation', '=', id.operation)
      .where('key', '=', id.key);

  const peek = async (id: IdempotencyRecordKey, requestHash: string): Promise<ClaimResult | undefined> => {
    const row = await where(id)
      .select(['request_hash', 'state', 'response_status', 'response_headers', 'response_body', 'encrypted'])
      .executeTakeFirst();
    if (!row) return undefined;
    if (row.request_hash !== requestHash) return { kind: 'mismatch' };
    if (row.state === 'in_flight') return { kind: 'in_flight' };
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

  return {
    async claim(id, requestHash) {
      for (;;) {
        const claimed = await db
          .insertInto('idempotency_keys')
          .values({
            ...id,
            request_hash: requestHash,
            state: 'in_flight',
            locked_until: sql<Date>`now() + make_interval(secs => ${LEASE_SECONDS})`,
            expires_at: sql<Date>`now() + make_interval(secs => ${ttlSeconds})`,
          })
          .onConflict((oc) =>
            oc
              .columns(['scope', 'operation', 'key'])
              .doUpdateSet({
                request_hash: requestHash,
                state: 'in_flight',
                locked_until: sql<Date>`now() + make_interval(secs => ${LEASE_SECONDS})`,
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
                  eb.and([
                    eb('idempotency_keys.state', '=', 'in_flight'),
                    eb('idempotency_keys.locked_until', '<', sql<Date>`now()`),
                  ]),
                ]),
              ),
          )
          .returning('key')
          .executeTakeFirst();
        if (claimed) return { kind: 'claimed' };
        const existing = await peek(id, requestHash);
        if (existing) return existing;
        // The holder released it between our insert and our read: try again.
      }
    },
    peek,
    async finish(id, response) {
      await db
        .updateTable('idempotency_keys')
        .set({
          state: 'done',
          locked_until: null,
          response_status: response.status,
          response_headers: JSON.stringify(response.headers),
          response_body: response.body,
          encrypted: response.encrypted,
        })
        .where('scope', '=', id.scope)
        .where('operation', '=', id.operation)
        .where('key', '=', id.key)
        .execute();
    },
    async release(id) {
      await db
        .deleteFrom('idempotency_keys')
        .where('scope', '=', id.scope)
        .where('operation', '=', id.operation)
        .where('key', '=', id.key)
        .where('state', '=', 'in_flight')
        .execute();
    },
    async sweep() {
      const result = await db
        .deleteFrom('idempotency_keys')
        .where('expires_at', '<', sql<Date>`now()`)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
