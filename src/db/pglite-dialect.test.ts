import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { isUniqueViolation } from './errors.ts';
import { openDatabase, type Database } from './database.ts';

describe('the PGlite worker dialect', () => {
  let database: Database;
  before(async () => {
    database = await openDatabase({ kind: 'pglite', dataDir: undefined });
    await sql`CREATE TABLE t (k text PRIMARY KEY, n bigint, b boolean, at timestamptz, doc jsonb, tags text[], raw bytea)`.execute(
      database.db,
    );
  });
  after(() => database.close());

  test('queries of other callers never run inside an open transaction', async () => {
    const db = database.db;
    let seenInside: unknown[] = [];
    const tx = db
      .transaction()
      .execute(async (trx) => {
        await sql`INSERT INTO t (k) VALUES ('inside')`.execute(trx);
        await new Promise((r) => setTimeout(r, 50)); // deliberate: the transaction stays open while others run
        seenInside = (await sql<{ k: string }>`SELECT k FROM t ORDER BY k`.execute(trx)).rows.map((r) => r.k);
        throw new Error('roll back');
      })
      .catch((e: Error) => e.message);
    await new Promise((r) => setTimeout(r, 10)); // deliberate: the transaction has begun
    const outside = sql`INSERT INTO t (k) VALUES ('outside')`.execute(db);
    const read = sql<{ k: string }>`SELECT k FROM t`.execute(db);
    assert.equal(await tx, 'roll back');
    await outside;
    assert.deepEqual(
      (await read).rows,
      [{ k: 'outside' }],
      'the outside read waited for the transaction, never saw its row',
    );
    assert.deepEqual(seenInside, ['inside'], 'the outside insert did not run inside the transaction');
    const after = (await sql<{ k: string }>`SELECT k FROM t ORDER BY k`.execute(db)).rows.map((r) => r.k);
    assert.deepEqual(after, ['outside'], 'the rollback undid only the transaction');
  });

  test('parameters of every kind reach Postgres with their types inferred', async () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    await sql`INSERT INTO t (k, n, b, at, doc, tags, raw) VALUES (${'p1'}, ${9007199254740991}, ${true}, ${at}, ${JSON.stringify({ a: [1, 'x"y'] })}, ${['a', 'b "c"', 'd\\e']}, ${new Uint8Array([0, 255, 16])})`.execute(
      database.db,
    );
    const row = (
      await sql<any>`SELECT * FROM t WHERE k = ${'p1'} AND tags @> ${['a']} AND b = ${true}`.execute(
        database.db,
      )
    ).rows[0];
    assert.equal(row.n, 9007199254740991);
    assert.equal(row.b, true);
    assert.equal(row.at.toISOString(), at.toISOString());
    assert.deepEqual(row.doc, { a: [1, 'x"y'] });
    assert.deepEqual(row.tags, ['a', 'b "c"', 'd\\e']);
    assert.deepEqual([...row.raw], [0, 255, 16]);
    const nulls = await sql<any>`SELECT ${null}::text AS x`.execute(database.db);
    assert.equal(nulls.rows[0].x, null);
  });

  test('errors keep their Postgres code and constraint', async () => {
    await sql`INSERT INTO t (k) VALUES ('dup')`.execute(database.db);
    await assert.rejects(sql`INSERT INTO t (k) VALUES ('dup')`.execute(database.db), (e: unknown) => {
      assert.ok(isUniqueViolation(e, 't_pkey'));
      return true;
    });
    const fine = await sql<{ one: number }>`SELECT 1 AS one`.execute(database.db);
    assert.equal(fine.rows[0]!.one, 1, 'the session is usable after an error');
  });

  test('updates report how many rows they touched', async () => {
    await database.db.schema.createTable('u').addColumn('k', 'text').execute();
    await sql`INSERT INTO u VALUES ('a'), ('b'), ('c')`.execute(database.db);
    const result = await database.db
      .updateTable('u' as never)
      .set({ k: 'z' } as never)
      .executeTakeFirst();
    assert.equal(result.numUpdatedRows, 3n);
  });
});
