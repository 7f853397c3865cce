/** SQL for captured log lines (agent_logs), numbered per owner (a run or a service instance). */
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AgentLogsTable } from '../tables.ts';

export type LogRow = Selectable<AgentLogsTable>;

/** Up to `limit` lines of the owner after `seq`, in order. */
export async function listLogLinesAfter(
  db: Kysely<DB>,
  ownerId: string,
  seq: number,
  limit: number,
): Promise<LogRow[]> {
  return db
    .selectFrom('agent_logs')
    .selectAll()
    .where('owner_id', '=', ownerId)
    .where('seq', '>', seq)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

/** The owner's last line number (0 when it has none). */
export async function lastLogSeq(db: Kysely<DB>, ownerId: string): Promise<number> {
  const last = await db
    .selectFrom('agent_logs')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('owner_id', '=', ownerId)
    .executeTakeFirst();
  return Number(last?.seq ?? 0);
}

export async function insertLogLines(
  db: Kysely<DB>,
  lines: Array<Insertable<AgentLogsTable>>,
): Promise<void> {
  await db.insertInto('agent_logs').values(lines).execute();
}
