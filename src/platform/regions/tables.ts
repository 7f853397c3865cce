/** Kysely row type of the regions table (src/db/migrations/0014_regions.sql). */
import type { ColumnType, Generated } from 'kysely';

export type RegionsTable = {
  seq: Generated<number>;
  workspace_id: string;
  id: string;
  name: string;
  icon: string | null;
  created_by: string;
  created_at: ColumnType<Date, Date | undefined, never>;
};

export type RegionTables = { regions: RegionsTable };
