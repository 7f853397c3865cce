import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { openTestDatabase, tempDir } from '../testing/harness.ts';
import { migrate } from '../db/migrate.ts';
import { bootstrap } from './bootstrap.ts';
import { hashToken } from '../lib/token-hash.ts';

describe('bootstrap', () => {
  test('an empty store gets workspace "default" and a random token written once, mode 0600', async () => {
    const { database, drop } = await openTestDatabase();
    const dataDir = tempDir();
    try {
      await migrate(database);
      const first = await bootstrap(database.db, { dataDir, token: undefined });
      assert.equal(first.created, true);
      const file = path.join(dataDir, 'bootstrap-token');
      assert.equal(first.tokenFile, file);
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      const token = fs.readFileSync(file, 'utf8').trim();
      assert.match(token, /^sk_atoll_[A-Za-z0-9_-]{43}$/);
      const row = await database.db.selectFrom('api_tokens').selectAll().executeTakeFirstOrThrow();
      assert.equal(row.token_hash, hashToken(token));
      const ws = await database.db.selectFrom('workspaces').selectAll().execute();
      assert.deepEqual(
        ws.map((w) => w.name),
        ['default'],
      );

      const second = await bootstrap(database.db, { dataDir, token: undefined });
      assert.equal(second.created, false);
      assert.equal(fs.readFileSync(file, 'utf8').trim(), token, 'the file is written once');
      assert.equal((await database.db.selectFrom('workspaces').selectAll().execute()).length, 1);
    } finally {
      await drop();
    }
  });

  test('ATOLL_BOOTSTRAP_TOKEN becomes the token and nothing is written to disk', async () => {
    const { database, drop } = await openTestDatabase();
    const dataDir = tempDir();
    try {
      await migrate(database);
      const token = `sk_${'Z'.repeat(40)}`;
      const result = await bootstrap(database.db, { dataDir, token });
      assert.equal(result.created, true);
      assert.equal(result.tokenFile, undefined);
      assert.equal(fs.existsSync(path.join(dataDir, 'bootstrap-token')), false);
      const row = await database.db.selectFrom('api_tokens').selectAll().executeTakeFirstOrThrow();
      assert.equal(row.token_hash, hashToken(token));
    } finally {
      await drop();
    }
  });

  test('concurrent first starts bootstrap once', async () => {
    const { database, drop } = await openTestDatabase();
    try {
      await migrate(database);
      const results = await Promise.all(
        Array.from({ length: 4 }, () =>
          bootstrap(database.db, { dataDir: tempDir(), token: `sk_${'q'.repeat(40)}` }),
        ),
      );
      assert.equal(results.filter((r) => r.created).length, 1);
      assert.equal((await database.db.selectFrom('workspaces').selectAll().execute()).length, 1);
    } finally {
      await drop();
    }
  });
});
