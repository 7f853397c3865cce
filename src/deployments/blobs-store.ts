/** SQL for content-addressed blobs (agent_blobs); the cache in front of it is blobs.ts. */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/** Stores the bytes under their digest (a no-op when they are there already). */
export async function insertBlob(
  db: Kysely<DB>,
  workspaceId: string,
  digest: string,
  bytes: Uint8Array,
): Promise<void> {
  await db
    .insertInto('agent_blobs')
    .values({ workspace_id: workspaceId, digest, size: bytes.length, content: bytes })
    .onConflict((oc) => oc.columns(['workspace_id', 'digest']).doNothing())
    .execute();
}

/** The stored bytes of a blob, or undefined. */
export async function findBlobContent(
  db: Kysely<DB>,
  workspaceId: string,
  digest: string,
): Promise<Uint8Array | undefined> {
  const row = await db
    .selectFrom('agent_blobs')
    .select('content')
    .where('workspace_id', '=', workspaceId)
    .where('digest', '=', digest)
    .executeTakeFirst();
  return row?.content;
}
