/** Opens the configured store for a one-off CLI command (migrations applied), and closes it after. */
import type { Config } from '../config.ts';
import { storeOptions } from '../atoll.ts';
import { openDatabase, type Database } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { ensureDataDir } from './data-dir.ts';

export async function withStore<T>(config: Config, fn: (database: Database) => Promise<T>): Promise<T> {
  if (!config.databaseUrl) ensureDataDir(config.dataDir);
  const database = await openDatabase(storeOptions(config));
  try {
    await migrate(database);
    return await fn(database);
  } finally {
    await database.close();
  }
}
