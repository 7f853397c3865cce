/**
 * The architecture guard: SQL only in stores, each table read and written by its owner only, no import
 * cycle between families, no source file over 500 lines, and the generated map in docs/architecture.md
 * current. Exceptions live, with their reasons, in src/testing/architecture/rules.ts. Run
 * `npm run architecture` to see the whole analysis, `npm run architecture -- --map` to regenerate the map.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { analyze, MAX_FILE_LINES } from './testing/architecture/analyze.ts';
import { FOLDER_PURPOSE } from './testing/architecture/folders.ts';
import { cycleName } from './testing/architecture/imports.ts';
import { currentMap, MAP_DOC, renderMap } from './testing/architecture/map.ts';
import { fileImports, familyOf } from './testing/architecture/imports.ts';
import {
  FOREIGN_TABLES_ALLOWED,
  SQL_OUTSIDE_STORES_ALLOWED,
  UPWARD_IMPORTS_ALLOWED,
} from './testing/architecture/rules.ts';

const root = path.resolve(import.meta.dirname, '..');
const analysis = analyze(root);

/** `file:line what` of each finding not excused by `excused(key)`. */
function unexcused<T extends { file: string; line: number }>(
  found: T[],
  key: (x: T) => string,
  excused: (key: string, x: T) => boolean,
  what: (x: T) => string,
): string[] {
  return found.filter((x) => !excused(key(x), x)).map((x) => `${x.file}:${x.line} ${what(x)}`);
}

describe('architecture', () => {
  it('runs SQL only in store files (store.ts, *-store.ts)', () => {
    const offenders = unexcused(
      analysis.sqlOutsideStores,
      (s) => s.file,
      (file) => file in SQL_OUTSIDE_STORES_ALLOWED,
      (s) => s.kind,
    );
    assert.deepEqual(offenders, [], 'move these statements into a store of their family');
  });

  it('reads and writes a table only in the family that declares it', () => {
    const offenders = unexcused(
      analysis.foreignAccesses,
      (a) => `${a.file} ${a.table}`,
      (key, a) => key in FOREIGN_TABLES_ALLOWED,
      (a) => `${a.table} belongs to ${a.owner}`,
    );
    assert.deepEqual(
      offenders,
      [],
      'call a function of the owner instead (or allow it, with a reason, in rules.ts)',
    );
  });

  it('has no import cycle between families', () => {
    assert.deepEqual(analysis.familyCycles.map(cycleName), []);
  });

  it('reads job payloads through their job kind, never with a cast', () => {
    const casts = analysis.payloadCasts.map((c) => `${c.file}:${c.line}`);
    assert.deepEqual(casts, [], 'define the job with defineJob(kind, …) (src/jobs/registry.ts)');
  });

  it('keeps every source file at most 500 lines', () => {
    const offenders = analysis.bigFiles.filter((b) => !b.test).map((b) => `${b.file} (${b.lines} lines)`);
    assert.deepEqual(offenders, [], `split files over ${MAX_FILE_LINES} lines`);
  });

  it('describes every folder of src/ in the map', () => {
    const families = [...new Set(analysis.files.map((f) => f.family))].filter((f) => !f.endsWith('.test.ts'));
    assert.deepEqual(
      families.filter((f) => !(f in FOLDER_PURPOSE)),
      [],
      'add a line to src/testing/architecture/folders.ts',
    );
  });

  it('has the generated map in docs/architecture.md current', () => {
    const doc = fs.readFileSync(path.join(root, MAP_DOC), 'utf8');
    assert.equal(currentMap(doc), renderMap(analysis).trim(), 'run `npm run architecture -- --map`');
  });

  it('lists no exception that no longer matches anything', () => {
    const sqlFiles = new Set(analysis.sqlOutsideStores.map((s) => s.file));
    const foreign = new Set(analysis.foreignAccesses.map((a) => `${a.file} ${a.table}`));
    const code = analysis.files.filter((f) => !f.test);
    const crossImports = new Set(fileImports(code).map((e) => `${e.from} -> ${familyOf(e.to)}`));
    const stale = [
      ...Object.keys(SQL_OUTSIDE_STORES_ALLOWED).filter((f) => !sqlFiles.has(f)),
      ...Object.keys(FOREIGN_TABLES_ALLOWED).filter((k) => !foreign.has(k)),
      ...Object.keys(UPWARD_IMPORTS_ALLOWED).filter((k) => !crossImports.has(k)),
    ];
    assert.deepEqual(stale, [], 'remove these entries from src/testing/architecture/rules.ts');
  });
});

describe('architecture analyzer', () => {
  const fixture = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-architecture-'));
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(fixture, file)), { recursive: true });
    fs.writeFileSync(path.join(fixture, file), text);
  };
  write('src/alpha/tables.ts', 'export type AlphaTables = { alpha_items: { id: string } };\n');
  write(
    'src/alpha/store.ts',
    "import { sql } from 'kysely';\nexport const read = (db: any) => db.selectFrom('alpha_items').selectAll().execute();\n" +
      'export const touch = (db: any) => sql`UPDATE alpha_items SET id = id`.execute(db);\n',
  );
  write(
    'src/alpha/service.ts',
    "import { helper } from '../beta/helper.ts';\nexport const use = () => helper();\n",
  );
  write(
    'src/beta/helper.ts',
    "import { use } from '../alpha/service.ts';\nexport const helper = () => use;\n" +
      "export const peek = (db: any) => db.selectFrom('alpha_items as a').where('a.id', '=', db.selectFrom('alpha_items').select('id')).execute();\n" +
      'export const bump = (db: any, sql: any) => sql`DELETE FROM alpha_items WHERE now() > ${db}`;\n' +
      'export const kind = (job: { payload: unknown }) => (job.payload as { id: string }).id;\n' +
      `export function long() {\n${'  void 0;\n'.repeat(MAX_FILE_LINES)}}\n`,
  );
  const found = analyze(fixture);
  after(() => fs.rmSync(fixture, { recursive: true, force: true }));

  it('reports SQL outside stores, nested subqueries as part of their statement', () => {
    assert.deepEqual(
      found.sqlOutsideStores.map((s) => `${s.file}:${s.line} ${s.kind}`),
      ['src/beta/helper.ts:3 selectFrom', 'src/beta/helper.ts:4 sql``'],
    );
  });

  it('reports the tables a family reads or writes that another family declares', () => {
    assert.deepEqual(
      found.foreignAccesses.map((a) => `${a.file}:${a.line} ${a.table} ${a.owner}`),
      [
        'src/beta/helper.ts:3 alpha_items alpha',
        'src/beta/helper.ts:3 alpha_items alpha',
        'src/beta/helper.ts:4 alpha_items alpha',
      ],
    );
    assert.deepEqual(Object.fromEntries(found.owners), { alpha_items: 'alpha' });
  });

  it('reports import cycles, casts of .payload, long functions and long files', () => {
    assert.deepEqual(found.familyCycles, [['alpha', 'beta']]);
    assert.deepEqual(
      found.payloadCasts.map((c) => c.text),
      ['job.payload as { id: string }'],
    );
    assert.equal(found.functions[0]?.name, 'long');
    assert.equal(found.functions[0]?.lines, MAX_FILE_LINES + 2);
    assert.deepEqual(
      found.bigFiles.map((b) => b.file),
      ['src/beta/helper.ts'],
    );
  });
});
