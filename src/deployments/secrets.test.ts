import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { pino } from 'pino';
import { test } from 'node:test';
import { startHarness } from '../testing/harness.ts';
import { deployAgent, key, runLogs, startRun, waitForRun } from './test-fixtures.ts';

/** Every file under `dir` whose bytes contain `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && fs.readFileSync(full).includes(needle)) found.push(full);
    }
  };
  walk(dir);
  return found;
}

test('a run’s secret env value is nowhere in the database, the data directory or the server logs', async () => {
  const secret = `s3cr3t-${randomBytes(12).toString('hex')}`;
  let serverLog = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      serverLog += chunk.toString();
      done();
    },
  });
  const h = await startHarness({}, { log: pino({ level: 'trace' }, sink) });
  try {
    const agent = await deployAgent(h, {
      files: {
        'main.js': `
          const v = process.env.API_KEY;
          console.log('key is ' + v);
          console.error('again: ' + v + '!');
          require('fs').writeFileSync('/tmp/copy', v);
          if (process.env.FAIL) throw new Error('failing with ' + v);
        `,
      },
      config: {
        entrypoint: 'node main.js',
        env: { required: ['API_KEY'] },
        debug: { retain_on_failure: true, retain_seconds: 60 },
      },
    });
    const good = await startRun(h, agent.deploymentId, { envs: { API_KEY: secret } });
    // A failed run with retention keeps its sandbox directory: still no copy outside the sandbox's own files.
    const bad = await startRun(h, agent.deploymentId, {
      envs: { API_KEY: secret, FAIL: '1' },
      retain_on_failure: false,
    });
    const idem = key();
    const twice = await Promise.all(
      [1, 2].map(() =>
        h.request('POST', `/v1/agent-deployments/${agent.deploymentId}/runs`, {
          headers: { 'idempotency-key': idem },
          body: { envs: { API_KEY: secret } },
        }),
      ),
    );
    assert.equal(twice[0]!.body.id, twice[1]!.body.id);
    for (const id of [good, bad, twice[0]!.body.id]) await waitForRun(h, agent.deploymentId, id);
    assert.equal((await waitForRun(h, agent.deploymentId, good)).status, 'succeeded');
    assert.equal((await waitForRun(h, agent.deploymentId, bad)).status, 'failed');

    const lines = (await runLogs(h, agent.deploymentId, good)).map((l) => l.text);
    assert.ok(lines.includes('key is [redacted]') && lines.includes('again: [redacted]!'), lines.join('\n'));
    const failed = (await runLogs(h, agent.deploymentId, bad)).map((l) => l.text).join('\n');
    assert.match(failed, /failing with \[redacted\]/);
    // The whole database, table by table, as text.
    const tables = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`.execute(h.database.db);
    assert.ok(tables.rows.length > 20);
    for (const { table_name } of tables.rows) {
      const dump = await sql<{ row: string }>`SELECT t::text AS row FROM ${sql.table(table_name)} t`.execute(
        h.database.db,
      );
      for (const { row } of dump.rows)
        assert.ok(!row.includes(secret), `${table_name} holds the secret: ${row}`);
    }
    // The data directory (sandboxes are removed; retention was off for the failed run).
    assert.deepEqual(filesContaining(h.config.dataDir, secret), []);
    assert.ok(serverLog.length > 0);
    assert.ok(!serverLog.includes(secret), 'the server log holds the secret');
  } finally {
    await h.close();
  }
});
