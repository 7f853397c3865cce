import assert from 'node:assert/strict';
import { sql, type Generated, type Kysely } from 'kysely';
import { after, before, beforeEach, describe, test } from 'node:test';
import { openTestDatabase } from '../testing/harness.ts';
import type { Database } from './database.ts';
import { runFenced, type WriteFence } from './write-fence.ts';

/** Scratch tables outside the schema types: a fence record and the effects it guards. */
type Scratch = {
  fence_probe: { id: number; owner: string; marks: number };
  fence_effects: { id: Generated<number>; note: string };
};

describe('write fences', () => {
  let database: Database;
  let drop: () => Promise<void>;
  let db: Kysely<Scratch>;
  before(async () => {
    ({ database, drop } = await openTestDatabase());
    db = database.db as unknown as Kysely<Scratch>;
    await sql`CREATE TABLE fence_probe (id int PRIMARY KEY, owner text NOT NULL, marks int NOT NULL)`.execute(
      db,
    );
    await sql`CREATE TABLE fence_effects (id serial PRIMARY KEY, note text NOT NULL)`.execute(db);
  });
  after(() => drop());
  beforeEach(async () => {
    await db.deleteFrom('fence_effects').execute();
    await db.deleteFrom('fence_probe').execute();
    await db.insertInto('fence_probe').values({ id: 1, owner: 'me', marks: 0 }).execute();
  });

  class Refused extends Error {}
  const fence = (owner = 'me'): WriteFence => ({
    guard: () =>
      db
        .updateTable('fence_probe')
        .set((eb) => ({ marks: eb('marks', '+', 1) }))
        .where('id', '=', 1)
        .where('owner', '=', owner)
        .compile(),
    refused: () => new Refused('not ours'),
  });
  const marks = async () =>
    (await db.selectFrom('fence_probe').select('marks').where('id', '=', 1).executeTakeFirstOrThrow()).marks;
  const effects = async () =>
    (await db.selectFrom('fence_effects').select('note').orderBy('id').execute()).map((r) => r.note);

  test('reads pass freely; the first write runs the guard once, later writes do not', async () => {
    await runFenced(fence(), async () => {
      await db.selectFrom('fence_effects').selectAll().execute();
      assert.equal(await marks(), 0, 'a read is not a write');
      await db.insertInto('fence_effects').values({ note: 'a' }).execute();
      await db.insertInto('fence_effects').values({ note: 'b' }).execute();
    });
    assert.equal(await marks(), 1);
    assert.deepEqual(await effects(), ['a', 'b']);
  });

  test('in a transaction the mark commits with the write, and a rollback takes both back', async () => {
    await runFenced(fence(), async () => {
      await db
        .transaction()
        .execute(async (trx) => {
          await trx.insertInto('fence_effects').values({ note: 'rolled back' }).execute();
          throw new Error('abort the transaction');
        })
        .catch(() => {});
      assert.equal(await marks(), 0, 'the guard was rolled back with the write');
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('fence_effects').values({ note: 'kept' }).execute();
      });
    });
    assert.equal(await marks(), 1, 'the next write ran the guard again, committed with it');
    assert.deepEqual(await effects(), ['kept']);
  });

  test('a guard that changes no row refuses the write, which never happens', async () => {
    await assert.rejects(
      runFenced(fence('someone else'), () => db.insertInto('fence_effects').values({ note: 'x' }).execute()),
      Refused,
    );
    await assert.rejects(
      runFenced(fence('someone else'), () =>
        db.transaction().execute((trx) => trx.insertInto('fence_effects').values({ note: 'y' }).execute()),
      ),
      Refused,
    );
    assert.deepEqual(await effects(), []);
  });

  test('nested fences are each marked by a write of the inner work; work outside any fence is not guarded', async () => {
    await db.insertInto('fence_probe').values({ id: 2, owner: 'me', marks: 0 }).execute();
    const inner: WriteFence = {
      guard: () =>
        db
          .updateTable('fence_probe')
          .set((eb) => ({ marks: eb('marks', '+', 1) }))
          .where('id', '=', 2)
          .compile(),
      refused: () => new Refused('inner'),
    };
    await runFenced(fence(), () =>
      runFenced(inner, () => db.insertInto('fence_effects').values({ note: 'nested' }).execute()),
    );
    const rows = await db.selectFrom('fence_probe').select(['id', 'marks']).orderBy('id').execute();
    assert.deepEqual(rows, [
      { id: 1, marks: 1 },
      { id: 2, marks: 1 },
    ]);
    let leftBehind: Promise<unknown> | undefined;
    await runFenced(fence('someone else'), async () => {
      // Deliberate: this write comes after the fence closed.
      leftBehind = new Promise((r) => setTimeout(r, 50)).then(() =>
        db.insertInto('fence_effects').values({ note: 'after the fence closed' }).execute(),
      );
    });
    await leftBehind;
    await db.insertInto('fence_effects').values({ note: 'unfenced' }).execute();
    assert.deepEqual(await effects(), ['nested', 'after the fence closed', 'unfenced']);
  });
});
