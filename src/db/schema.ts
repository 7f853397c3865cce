/**
 * The whole database as Kysely sees it: each domain declares its own tables next to its code and
 * they are joined here. Adding a domain adds one line.
 */
import type { ColumnType } from 'kysely';
import type { AgentTables } from '../agents/tables.ts';
import type { DashboardTables } from '../dashboards/tables.ts';
import type { DeploymentTables } from '../deployments/tables.ts';
import type { EventTables } from '../events/tables.ts';
import type { HttpTables } from '../http/tables.ts';
import type { InstallTables } from '../installs/tables.ts';
import type { RegistryTables } from '../installs/registries/tables.ts';
import type { JobTables } from '../jobs/tables.ts';
import type { NotificationTables } from '../notifications/tables.ts';
import type { OperationTables } from '../operations/tables.ts';
import type { PlatformTables } from '../platform/tables.ts';
import type { RegionTables } from '../platform/regions/tables.ts';
import type { SnippetTables } from '../snippets/tables.ts';

/** Ledger of applied migrations (src/db/migrate.ts). */
type SchemaMigrationsTable = {
  version: number;
  name: string;
  checksum: string;
  applied_at: ColumnType<Date, never, never>;
};

export type DB = { atoll_schema_migrations: SchemaMigrationsTable } & PlatformTables &
  OperationTables &
  SnippetTables &
  DashboardTables &
  AgentTables &
  EventTables &
  JobTables &
  InstallTables &
  DeploymentTables &
  NotificationTables &
  RegionTables &
  RegistryTables &
  HttpTables;
