/** Function lengths and `.payload as X` casts, read from the syntax tree. */
import ts from 'typescript';
import { lineOf, type SourceFile } from './files.ts';

export type FunctionLength = { name: string; file: string; line: number; lines: number };
export type PayloadCast = { file: string; line: number; text: string };

function nameOf(node: ts.SignatureDeclaration): string {
  if (
    node.name &&
    (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name) || ts.isPrivateIdentifier(node.name))
  ) {
    return node.name.text;
  }
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyAssignment(parent) && (ts.isIdentifier(parent.name) || ts.isStringLiteral(parent.name))) {
    return parent.name.text;
  }
  if (ts.isPropertyDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isCallExpression(parent)) {
    const callee = parent.expression;
    const called = ts.isPropertyAccessExpression(callee)
      ? callee.name.text
      : ts.isIdentifier(callee)
        ? callee.text
        : '';
    return `${called || 'call'}(…) callback`;
  }
  return '(anonymous)';
}

export function functionLengths(file: SourceFile): FunctionLength[] {
  const out: FunctionLength[] = [];
  const sf = file.ast;
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      out.push({ name: nameOf(node), file: file.path, line: start + 1, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function unwrap(expr: ts.Expression): ts.Expression {
  let current = expr;
  while (ts.isParenthesizedExpression(current) || ts.isNonNullExpression(current))
    current = current.expression;
  return current;
}

/** `x.payload as T` and `<T>x.payload` (not `as const`). */
export function payloadCasts(file: SourceFile): PayloadCast[] {
  const out: PayloadCast[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) && node.type.getText() !== 'const') {
      const inner = unwrap(node.expression);
      if (ts.isPropertyAccessExpression(inner) && inner.name.text === 'payload') {
        out.push({ file: file.path, line: lineOf(node), text: node.getText().replace(/\s+/g, ' ') });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file.ast);
  return out;
}
