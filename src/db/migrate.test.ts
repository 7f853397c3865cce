import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { createAtoll } from '../atoll.ts';
import { loadConfig } from '../config.ts';
import { openTestDatabase, tempDir, testPostgresUrl } from '../testing/harness.ts';
import { openDatabase } from './database.ts';
import { loadMigrations, migrate, SchemaError, schemaStatus } from './migrate.ts';

const silent = pino({ level: 'silent' });

describe('migrations', () => {
  test('a fresh store gets every migration once; a second run applies nothing', async () => {
    const { database, drop } = await openTestDatabase();
    try {
      const first = await migrate(database);
      assert.equal(first.length, loadMigrations().length);
      assert.deepEqual(await migrate(database), []);
      const status = await schemaStatus(database);
      assert.equal(status.current, status.latest);
    } finally {
      await drop();
    }
  });

  test('a schema newer than this build is refused with a message saying what to do', async () => {
    const { database, drop } = await openTestDatabase();
    try {
      await migrate(database);
      await database.db
        .insertInto('atoll_schema_migrations')
        .values({ version: 999, name: 'future', checksum: 'x' })
        .execute();
      await assert.rejects(
        migrate(database),
        (e: Error) =>
          e instanceof SchemaError && /version 999/.test(e.message) && /newer Atoll/.test(e.message),
      );
      const config = loadConfig({ DATA_DIR: tempDir(), LOG_LEVEL: 'silent' });
      await assert.rejects(createAtoll(config, { log: silent, database }), SchemaError);
    } finally {
      await drop();
    }
  });

  test('a migration edited after it was applied is refused', async () => {
    const { database, drop } = await openTestDatabase();
    try {
      await migrate(database);
      await database.db
        .updateTable('atoll_schema_migrations')
        .set({ checksum: 'changed' })
        .where('version', '=', 1)
        .execute();
      await assert.rejects(migrate(database), /was changed after it was applied/);
    } finally {
      await drop();
    }
  });
});

describe('restarts keep data', () => {
  test('the embedded store is reopened from its data directory with everything in it', async () => {
    const dataDir = tempDir();
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const storeDir = path.join(dataDir, 'pglite');
    const first = await createAtoll(config, {
      log: silent,
      database: await openDatabase({ kind: 'pglite', dataDir: storeDir }),
    });
    assert.equal(first.bootstrap.created, true);
    const bootstrapToken = (await import('node:fs'))
      .readFileSync(path.join(dataDir, 'bootstrap-token'), 'utf8')
      .trim();
    const created = await first.app.request('/v1/api_tokens', {
      method: 'POST',
      headers: { authorization: `Bearer ${bootstrapToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'survivor' }),
    });
    const { token } = (await created.json()) as { token: string };
    await first.close();
    await first.database.close();

    const second = await createAtoll(config, {
      log: silent,
      database: await openDatabase({ kind: 'pglite', dataDir: storeDir }),
    });
    try {
      assert.equal(second.bootstrap.created, false, 'no second bootstrap');
      const res = await second.app.request('/v1/api_tokens', {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { data: Array<{ name: string }> };
      assert.ok(body.data.some((t) => t.name === 'survivor'));
    } finally {
      await second.close();
      await second.database.close();
    }
  });

  test('a second process cannot open the embedded store while it is in use', async () => {
    const dir = path.join(tempDir(), 'pglite');
    const db = await openDatabase({ kind: 'pglite', dataDir: dir });
    try {
      const { spawnSync } = await import('node:child_process');
      const child = spawnSync(
        process.execPath,
        [
          '-e',
          `import('${new URL('./database.ts', import.meta.url).href}').then(m => m.openDatabase({kind:'pglite', dataDir: ${JSON.stringify(dir)}})).then(() => process.exit(0), e => { console.error(e.name + ': ' + e.message); process.exit(3); })`,
        ],
        { encoding: 'utf8' },
      );
      assert.equal(child.status, 3, child.stderr);
      assert.match(child.stderr, /DataDirLockedError: the embedded store .* is in use by process/);
    } finally {
      await db.close();
    }
    const again = await openDatabase({ kind: 'pglite', dataDir: dir });
    await again.close(); // released on close
  });

  test(
    'Postgres: a new connection pool sees what the previous one wrote',
    { skip: !testPostgresUrl() && 'DATABASE_URL not set' },
    async () => {
      const url = testPostgresUrl()!;
      const schema = `t_restart_${Date.now()}`;
      const config = loadConfig({ DATA_DIR: tempDir(), LOG_LEVEL: 'silent', DATABASE_URL: url });
      const first = await createAtoll(config, {
        log: silent,
        database: await openDatabase({ kind: 'postgres', url, poolSize: 2, schema }),
      });
      const wsId = first.bootstrap.created ? first.bootstrap.workspaceId : '';
      await first.close();
      await first.database.close();
      const database = await openDatabase({ kind: 'postgres', url, poolSize: 2, schema });
      try {
        const second = await createAtoll(config, { log: silent, database });
        await second.close();
        assert.equal(second.bootstrap.created, false);
        const row = await database.db
          .selectFrom('workspaces')
          .select('id')
          .where('id', '=', wsId)
          .executeTakeFirst();
        assert.equal(row?.id, wsId);
      } finally {
        await database.db.schema.dropSchema(schema).cascade().execute();
        await database.close();
      }
    },
  );
});
