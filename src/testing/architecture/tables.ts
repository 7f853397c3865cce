/**
 * Who owns which table: each family declares its Kysely table types in a `tables.ts`
 * (`export type SnippetTables = { snippets: SnippetsTable; … }`); the family of that file owns them.
 * `src/db/schema.ts` declares the migrations ledger inline in `DB`, owned by db.
 */
import path from 'node:path';
import ts from 'typescript';
import type { SourceFile } from './files.ts';

/** table name → owning family. */
export type Ownership = Map<string, string>;

function literalMembers(type: ts.TypeNode, into: string[]): void {
  if (ts.isTypeLiteralNode(type)) {
    for (const member of type.members) {
      if (ts.isPropertySignature(member) && member.name) {
        const name =
          ts.isIdentifier(member.name) || ts.isStringLiteral(member.name) ? member.name.text : undefined;
        if (name) into.push(name);
      }
    }
  } else if (ts.isIntersectionTypeNode(type)) {
    for (const part of type.types) literalMembers(part, into);
  } else if (ts.isParenthesizedTypeNode(type)) {
    literalMembers(type.type, into);
  }
}

export function tableOwnership(files: SourceFile[]): Ownership {
  const owners: Ownership = new Map();
  for (const file of files) {
    const base = path.posix.basename(file.path);
    const isTables = base === 'tables.ts';
    const isSchema = file.path === 'src/db/schema.ts';
    if (!isTables && !isSchema) continue;
    for (const statement of file.ast.statements) {
      if (!ts.isTypeAliasDeclaration(statement)) continue;
      const name = statement.name.text;
      if (isTables ? !name.endsWith('Tables') : name !== 'DB') continue;
      const tables: string[] = [];
      literalMembers(statement.type, tables);
      for (const table of tables) owners.set(table, file.family);
    }
  }
  return new Map([...owners].sort(([a], [b]) => a.localeCompare(b)));
}
