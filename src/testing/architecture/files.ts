/**
 * The source files the architecture analyzer reads: every `.ts` file under `<root>/src`, with the
 * family it belongs to (the top-level folder of src/, or the file itself for files directly in src/).
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export type SourceFile = {
  /** Path relative to the repository root, with forward slashes (`src/snippets/store.ts`). */
  path: string;
  /** Top-level folder of src/ (`snippets`), or the file name for files directly in src/ (`atoll.ts`). */
  family: string;
  /** Folder of the file relative to src/ (`installs/renders`), or the file name for files directly in src/. */
  folder: string;
  lines: number;
  /** Tests and test support: `*.test.ts`, `test-fixtures.ts`, `test-support.ts`, anything in src/testing/. */
  test: boolean;
  ast: ts.SourceFile;
};

/** A file named `store.ts` or `*-store.ts`: the only place SQL may be written. */
export function isStoreFile(file: string): boolean {
  const base = path.posix.basename(file);
  return base === 'store.ts' || base.endsWith('-store.ts');
}

export function isTestFile(file: string): boolean {
  const base = path.posix.basename(file);
  return (
    base.endsWith('.test.ts') ||
    base === 'test-fixtures.ts' ||
    base === 'test-support.ts' ||
    file.startsWith('src/testing/')
  );
}

/** Family and folder of a path relative to the root (`src/x/y/z.ts` → `x`, `x/y`). */
export function placeOf(file: string): { family: string; folder: string } {
  const parts = file.split('/').slice(1);
  if (parts.length === 1) return { family: parts[0]!, folder: parts[0]! };
  return { family: parts[0]!, folder: parts.slice(0, -1).join('/') };
}

/** Reads and parses every `.ts` file under `<root>/src` (sorted by path, so every report is stable). */
export function readSources(root: string): SourceFile[] {
  const src = path.join(root, 'src');
  const names = fs.readdirSync(src, { recursive: true, encoding: 'utf8' });
  return names
    .map((name) => name.split(path.sep).join('/'))
    .filter(
      (name) => name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.split('/').includes('node_modules'),
    )
    .sort()
    .map((name) => {
      const file = `src/${name}`;
      const text = fs.readFileSync(path.join(src, name), 'utf8');
      const ast = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
      const lines = text.length === 0 ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
      return { path: file, ...placeOf(file), lines, test: isTestFile(file), ast };
    });
}

/** 1-based line of a node's first token. */
export function lineOf(node: ts.Node): number {
  const sf = node.getSourceFile();
  return sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
}
