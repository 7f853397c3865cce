/**
 * SQL in the code, found through the TypeScript syntax tree: Kysely statements (`selectFrom`,
 * `updateTable`, `insertInto`, `deleteFrom`, `replaceInto`, `mergeInto` calls) and `sql` tagged templates
 * (`sql\`…\``, `sql<T>\`…\``) and `sql.raw(…)`. A template or builder nested inside another statement
 * (a subquery, a `sql\`now()\`` in a `.set()`) is part of that statement, not one of its own; its tables
 * still count as accessed.
 */
import ts from 'typescript';
import { lineOf, type SourceFile } from './files.ts';
import type { Ownership } from './tables.ts';

const STATEMENT_CALLS = new Set([
  'selectFrom',
  'updateTable',
  'insertInto',
  'deleteFrom',
  'replaceInto',
  'mergeInto',
]);
const TABLE_CALLS = new Set([
  ...STATEMENT_CALLS,
  'innerJoin',
  'leftJoin',
  'rightJoin',
  'fullJoin',
  'crossJoin',
  'innerJoinLateral',
  'leftJoinLateral',
  'crossJoinLateral',
  'using',
]);

export type SqlStatement = { file: string; line: number; kind: string };
export type TableAccess = { file: string; line: number; table: string };

function calleeName(call: ts.CallExpression): string | undefined {
  const callee = call.expression;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return undefined;
}

function isSqlTag(node: ts.Node): node is ts.TaggedTemplateExpression {
  return ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && node.tag.text === 'sql';
}

function isSqlRaw(node: ts.Node): boolean {
  if (!ts.isCallExpression(node)) return false;
  const callee = node.expression;
  return (
    ts.isPropertyAccessExpression(callee) &&
    ts.isIdentifier(callee.expression) &&
    callee.expression.text === 'sql' &&
    callee.name.text === 'raw'
  );
}

/** Whether a call chain (`db.updateTable('x').set(…).where(…)`) starts with a statement call. */
function chainHasStatement(expr: ts.Expression): boolean {
  let current: ts.Expression = expr;
  for (;;) {
    if (ts.isCallExpression(current)) {
      const name = calleeName(current);
      if (name && STATEMENT_CALLS.has(name)) return true;
      current = current.expression;
    } else if (ts.isPropertyAccessExpression(current) || ts.isElementAccessExpression(current)) {
      current = current.expression;
    } else if (ts.isNonNullExpression(current) || ts.isParenthesizedExpression(current)) {
      current = current.expression;
    } else {
      return false;
    }
  }
}

/**
 * Whether a node sits inside another SQL statement: in the template of a `sql` tag, or among the
 * arguments of a call whose chain is a statement (a subquery, a `sql\`now()\`` in a `.set()`). A call
 * further along its own chain (`.where(…)` after `selectFrom`) does not make it nested.
 */
function nestedInStatement(node: ts.Node): boolean {
  for (let child = node, parent = node.parent; parent; child = parent, parent = parent.parent) {
    if (isSqlTag(parent) && child === parent.template) return true;
    if (ts.isCallExpression(parent) && parent.arguments.some((a) => a === child)) {
      if (isSqlRaw(parent) || chainHasStatement(parent)) return true;
    }
  }
  return false;
}

/** Table names in a Kysely table argument: `'t'`, `'t as x'`, `['a', 'b as c']`. */
function tablesOfArgument(arg: ts.Expression | undefined): string[] {
  if (!arg) return [];
  if (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) {
    return [arg.text.trim().split(/\s+/)[0]!];
  }
  if (ts.isArrayLiteralExpression(arg))
    return arg.elements.flatMap((e) => tablesOfArgument(e as ts.Expression));
  return [];
}

function templateText(node: ts.TaggedTemplateExpression): string {
  const t = node.template;
  if (ts.isNoSubstitutionTemplateLiteral(t)) return t.text;
  return [t.head.text, ...t.templateSpans.map((s) => s.literal.text)].join(' ? ');
}

const SQL_TABLE = /\b(?:from|join|update|into|table|truncate)\s+(?:only\s+)?"?([a-z_][a-z0-9_]*)"?/gi;

/** Tables a SQL text names (only names a family declares count, so `extract(epoch from now())` is no table). */
export function tablesInSqlText(text: string, owners: Ownership): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(SQL_TABLE)) {
    const name = match[1]!.toLowerCase();
    if (owners.has(name)) found.add(name);
  }
  return [...found];
}

export function findSql(
  file: SourceFile,
  owners: Ownership,
): { statements: SqlStatement[]; tables: TableAccess[] } {
  const statements: SqlStatement[] = [];
  const tables: TableAccess[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const name = calleeName(node);
      if (name && TABLE_CALLS.has(name)) {
        const arg = node.arguments[0];
        const names = tablesOfArgument(arg).filter((t) => owners.has(t));
        if (STATEMENT_CALLS.has(name)) {
          if (!nestedInStatement(node)) statements.push({ file: file.path, line: lineOf(node), kind: name });
        }
        for (const table of names) tables.push({ file: file.path, line: lineOf(node), table });
      } else if (isSqlRaw(node)) {
        if (!nestedInStatement(node))
          statements.push({ file: file.path, line: lineOf(node), kind: 'sql.raw' });
        const arg = node.arguments[0];
        if (arg && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg))) {
          for (const table of tablesInSqlText(arg.text, owners))
            tables.push({ file: file.path, line: lineOf(node), table });
        }
      } else if (
        ts.isPropertyAccessExpression(node.expression) &&
        ts.isIdentifier(node.expression.expression) &&
        node.expression.expression.text === 'sql' &&
        node.expression.name.text === 'table'
      ) {
        for (const table of tablesOfArgument(node.arguments[0]).filter((t) => owners.has(t))) {
          tables.push({ file: file.path, line: lineOf(node), table });
        }
      }
    } else if (isSqlTag(node)) {
      if (!nestedInStatement(node)) statements.push({ file: file.path, line: lineOf(node), kind: 'sql``' });
      for (const table of tablesInSqlText(templateText(node), owners)) {
        tables.push({ file: file.path, line: lineOf(node), table });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file.ast);
  return { statements, tables };
}
