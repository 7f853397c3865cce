/**
 * The exceptions the guard test (src/architecture.test.ts) accepts, each with its reason. Keep them few:
 * an entry here is a decision a reader should be able to find and question.
 */

/**
 * Type imports the family import graph leaves out. `src/db/schema.ts` joins every family's `tables.ts`
 * into the one `DB` type Kysely needs, and every store imports `DB` back: that is the database seam
 * working as designed, not a knot between the families.
 */
export const SCHEMA_JOIN_FILES = new Set(['src/db/schema.ts']);

/**
 * Imports against the direction of the graph that the cycle check leaves out: `file -> family` → why.
 * They stay in the map's picture. Each one is a family reading another's published value or count, by
 * design, where turning the dependency around would need a registry the composition root fills.
 */
export const UPWARD_IMPORTS_ALLOWED: Record<string, string> = {
  'src/platform/entitlements/catalogue.ts -> installs':
    'the entitlement catalogue lists every family’s caps; it reads the package artifact cap from its owner',
  'src/platform/entitlements/catalogue.ts -> snippets':
    'the entitlement catalogue lists every family’s caps; it reads the code size and nesting caps from their owner',
  'src/platform/quotas/metrics.ts -> deployments':
    'the sandbox quota’s usage is counted by the family that enforces it (deployments/capacity.ts)',
};

/**
 * SQL outside a store file, allowed: file → why.
 */
export const SQL_OUTSIDE_STORES_ALLOWED: Record<string, string> = {};

/**
 * Access to a table another family owns, allowed: `file table` → why.
 */
export const FOREIGN_TABLES_ALLOWED: Record<string, string> = {
  'src/events/conflict-store.ts agent_sessions':
    'work conflicts keep to active sessions in the same statement as the GIN-indexed ref lookup, so that DISTINCT ON … LIMIT counts only active sessions; a port asked afterwards would have to over-fetch (read only)',
};
