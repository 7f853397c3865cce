/**
 * Kysely row type of the idempotency records (src/db/migrations/0001_platform.sql): the HTTP layer's own
 * table, written only by idempotency-store.ts.
 */
import type { ColumnType, Generated } from 'kysely';

export type IdempotencyKeysTable = {
  scope: string;
  operation: string;
  key: string;
  request_hash: string;
  state: 'in_flight' | 'done';
  /** The process instance executing the request (it renews `locked_until` while it runs). */
  owner: string | null;
  locked_until: Date | null;
  /** The request began writing (set with its first write): it is never executed again. */
  wrote: Generated<boolean>;
  response_status: number | null;
  response_headers: ColumnType<Record<string, string> | null, string | null, string | null>;
  response_body: string | null;
  encrypted: Generated<boolean>;
  created_at: ColumnType<Date, Date | undefined, Date>;
  expires_at: Date;
};

export type HttpTables = { idempotency_keys: IdempotencyKeysTable };
