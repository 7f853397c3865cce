/**
 * The architecture analyzer: reads `<root>/src` with the TypeScript compiler API and reports, per family
 * (top-level folder of src/), SQL outside store files, accesses to tables another family owns, the
 * import graph between folders and families with its cycles, the longest functions, `.payload` casts
 * and files over 500 lines. Tests and test support are read for sizes only.
 * `cli.ts` prints it; `map.ts` turns it into the generated part of docs/architecture.md;
 * src/architecture.test.ts holds the code to it.
 */
import { readSources, isStoreFile, type SourceFile } from './files.ts';
import { findSql, type SqlStatement, type TableAccess } from './sql.ts';
import { tableOwnership, type Ownership } from './tables.ts';
import { cycles, fileImports, familyOf, folderOf, liftEdges, type ImportEdge } from './imports.ts';
import { functionLengths, payloadCasts, type FunctionLength, type PayloadCast } from './functions.ts';
import { SCHEMA_JOIN_FILES, UPWARD_IMPORTS_ALLOWED } from './rules.ts';

export const MAX_FILE_LINES = 500;

export type ForeignAccess = TableAccess & { family: string; owner: string };

export type FamilySummary = {
  family: string;
  files: number;
  lines: number;
  sqlOutsideStores: number;
  foreignAccesses: number;
  payloadCasts: number;
  bigFiles: number;
};

export type Analysis = {
  files: SourceFile[];
  owners: Ownership;
  sqlOutsideStores: SqlStatement[];
  foreignAccesses: ForeignAccess[];
  familyEdges: ImportEdge[];
  folderEdges: ImportEdge[];
  familyCycles: string[][];
  folderCycles: string[][];
  fileCycles: string[][];
  functions: FunctionLength[];
  payloadCasts: PayloadCast[];
  bigFiles: { file: string; lines: number; test: boolean }[];
  families: FamilySummary[];
};

export function analyzeFiles(files: SourceFile[]): Analysis {
  const code = files.filter((f) => !f.test);
  const owners = tableOwnership(code);
  const sqlOutsideStores: SqlStatement[] = [];
  const foreignAccesses: ForeignAccess[] = [];
  for (const file of code) {
    const { statements, tables } = findSql(file, owners);
    if (!isStoreFile(file.path)) sqlOutsideStores.push(...statements);
    for (const access of tables) {
      const owner = owners.get(access.table)!;
      if (owner !== file.family) foreignAccesses.push({ ...access, family: file.family, owner });
    }
  }
  const edges = fileImports(code).filter((e) => e.runtime || !SCHEMA_JOIN_FILES.has(e.from));
  const familyEdges = liftEdges(edges, familyOf);
  const checkedEdges = edges.filter((e) => !(`${e.from} -> ${familyOf(e.to)}` in UPWARD_IMPORTS_ALLOWED));
  const folderEdges = liftEdges(edges, folderOf);
  const functions = code
    .flatMap(functionLengths)
    .sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file));
  const casts = code.flatMap(payloadCasts);
  const bigFiles = files
    .filter((f) => f.lines > MAX_FILE_LINES)
    .map((f) => ({ file: f.path, lines: f.lines, test: f.test }));
  // Test files directly in src/ (config.test.ts) are no family of their own.
  const rootTest = (f: SourceFile) => f.test && f.path.split('/').length === 2;
  const familyNames = [...new Set(files.filter((f) => !rootTest(f)).map((f) => f.family))].sort();
  const families = familyNames.map((family) => {
    const mine = files.filter((f) => f.family === family);
    const count = (list: { file: string }[]) => list.filter((x) => familyOf(x.file) === family).length;
    return {
      family,
      files: mine.length,
      lines: mine.reduce((sum, f) => sum + f.lines, 0),
      sqlOutsideStores: count(sqlOutsideStores),
      foreignAccesses: count(foreignAccesses),
      payloadCasts: count(casts),
      bigFiles: count(bigFiles.filter((b) => !b.test)),
    };
  });
  return {
    files,
    owners,
    sqlOutsideStores,
    foreignAccesses,
    familyEdges,
    folderEdges,
    familyCycles: cycles(liftEdges(checkedEdges, familyOf)),
    folderCycles: cycles(liftEdges(checkedEdges, folderOf)),
    fileCycles: cycles(edges),
    functions,
    payloadCasts: casts,
    bigFiles,
    families,
  };
}

/** Analyses the checkout at `root` (its `src/`). */
export function analyze(root: string): Analysis {
  return analyzeFiles(readSources(root));
}
