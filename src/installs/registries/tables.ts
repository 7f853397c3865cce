/** Kysely row type of the registry_connections table (src/db/migrations/0015_registry_connections.sql). */
import type { ColumnType, Generated } from 'kysely';
import type { SealedValues } from '../../lib/seal.ts';

/** The authentication schemes Atoll presents to a registry. */
export type RegistryAuthType = 'basic' | 'token';

export type RegistryConnectionsTable = {
  seq: Generated<number>;
  workspace_id: string;
  id: string;
  name: string;
  /** Normalised: host[:port][/path], lower-case host, no scheme, no trailing slash. */
  registry_url: string;
  type: RegistryAuthType;
  /** The credentials, sealed with the env key and the connection id (src/lib/seal.ts). */
  credentials: ColumnType<SealedValues, string, string>;
  is_active: Generated<boolean>;
  created_by: string;
  created_at: ColumnType<Date, Date | undefined, never>;
  last_used_at: Date | null;
};

export type RegistryTables = { registry_connections: RegistryConnectionsTable };
