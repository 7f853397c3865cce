/**
 * The import graph: which file imports which (relative imports only), lifted to folders and families,
 * and its cycles. Type-only imports count as well (`import type`, `export type`): Node erases them, but
 * two folders that name each other's types are still a knot a reader has to hold in mind at once.
 * Each edge says whether any of its imports exists at run time. Dynamic `import()` counts.
 */
import path from 'node:path';
import ts from 'typescript';
import type { SourceFile } from './files.ts';
import { placeOf } from './files.ts';

export type ImportEdge = { from: string; to: string; runtime: boolean };

function specifiers(file: SourceFile): { spec: string; runtime: boolean }[] {
  const out: { spec: string; runtime: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      out.push({ spec: node.moduleSpecifier.text, runtime: !typeOnly });
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const typeOnly =
        node.isTypeOnly ||
        (node.exportClause !== undefined &&
          ts.isNamedExports(node.exportClause) &&
          node.exportClause.elements.length > 0 &&
          node.exportClause.elements.every((e) => e.isTypeOnly));
      out.push({ spec: node.moduleSpecifier.text, runtime: !typeOnly });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      out.push({ spec: node.arguments[0].text, runtime: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(file.ast);
  return out;
}

/** File → files it imports (inside src/, resolved), one edge per pair. */
export function fileImports(files: SourceFile[]): ImportEdge[] {
  const known = new Set(files.map((f) => f.path));
  const edges = new Map<string, ImportEdge>();
  for (const file of files) {
    for (const { spec, runtime } of specifiers(file)) {
      if (!spec.startsWith('.')) continue;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file.path), spec));
      if (!known.has(target)) continue;
      const key = `${file.path}\0${target}`;
      const seen = edges.get(key);
      edges.set(key, { from: file.path, to: target, runtime: runtime || (seen?.runtime ?? false) });
    }
  }
  return [...edges.values()];
}

/** The edges lifted to a coarser node (folder or family), without self-loops, deduplicated and sorted. */
export function liftEdges(edges: ImportEdge[], key: (file: string) => string): ImportEdge[] {
  const seen = new Map<string, ImportEdge>();
  for (const edge of edges) {
    const from = key(edge.from);
    const to = key(edge.to);
    if (from === to) continue;
    const pair = `${from}\0${to}`;
    seen.set(pair, { from, to, runtime: edge.runtime || (seen.get(pair)?.runtime ?? false) });
  }
  return [...seen.values()].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}

export const familyOf = (file: string): string => placeOf(file).family;
export const folderOf = (file: string): string => placeOf(file).folder;

/** Strongly connected components with more than one node (Tarjan), each sorted, the list sorted. */
export function cycles(edges: ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) {
    if (!next.has(from)) next.set(from, []);
    if (!next.has(to)) next.set(to, []);
    next.get(from)!.push(to);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: string[][] = [];
  const connect = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const to of next.get(node)!) {
      if (!index.has(to)) {
        connect(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of [...next.keys()].sort()) if (!index.has(node)) connect(node);
  return found.sort((a, b) => a.join().localeCompare(b.join()));
}

/** Name of a cycle as rules.ts spells it: its members sorted, joined by ` ↔ `. */
export function cycleName(members: string[]): string {
  return members.join(' ↔ ');
}
