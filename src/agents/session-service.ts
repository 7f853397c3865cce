/**
 * Agent sessions: create (under an enabled agent, with retention defaults), list (filtered by lineage
 * and role), get, archive (idempotent; no new turns afterwards) and set retention. A session is created
 * in ACTIVE state; its state then follows its turns (turn-lifecycle.ts).
 */
import type { Kysely } from 'kysely';
import { newId } from '../db/ids.ts';
import type { DB } from '../db/schema.ts';
import type { Caller } from '../http/context.ts';
import { invalid, notFound, type ErrorDetail } from '../http/errors.ts';
import { toPage, type Page, type PageRequest } from '../http/pagination.ts';
import { archivedReference, unknownReference } from './refusals.ts';
import type {
  AgentSession,
  CreateAgentSessionBody,
  SetAgentSessionRetentionBody,
} from './session-schemas.ts';
import * as store from './store.ts';
import { EMPTY_USAGE } from './tables.ts';
import { findTurn } from './turn-store.ts';
import { toAgentSession } from './resources.ts';

export type SessionService = ReturnType<typeof createSessionService>;

const DAY_MS = 86_400_000;
/** How long a new session's events are kept, from its creation (docs/agents.md). */
export const EVENTS_RETENTION_DAYS = 30;
/** How long a new session's filesystem is kept, from its creation (docs/agents.md). */
export const FILESYSTEM_RETENTION_DAYS = 7;

/** Checks the lineage ids of a new session: each must name a session or turn of the workspace. */
async function lineageProblems(
  db: Kysely<DB>,
  workspaceId: string,
  body: CreateAgentSessionBody,
): Promise<ErrorDetail[]> {
  const problems: ErrorDetail[] = [];
  const missing = (field: string, kind: string, id: string) =>
    problems.push({ path: ['body', field], message: `${field}: ${kind} ${id} is not in this workspace` });
  for (const field of ['parent_session_id', 'forked_from_session_id'] as const) {
    const id = body[field];
    if (id !== undefined && !(await store.findSession(db, workspaceId, id))) missing(field, 'session', id);
  }
  if (body.spawned_by_turn_id !== undefined) {
    const turn = await findTurn(db, workspaceId, body.spawned_by_turn_id);
    if (!turn) missing('spawned_by_turn_id', 'turn', body.spawned_by_turn_id);
    // A spawned session is a child of the session whose turn spawned it; a different parent is a mistake.
    else if (body.parent_session_id !== undefined && turn.session_id !== body.parent_session_id) {
      problems.push({
        path: ['body', 'spawned_by_turn_id'],
        message: `spawned_by_turn_id: turn ${turn.id} belongs to session ${turn.session_id}, not to parent_session_id ${body.parent_session_id}`,
      });
    }
  }
  return problems;
}

export function createSessionService({ db }: { db: Kysely<DB> }) {
  async function load(workspaceId: string, id: string): Promise<store.SessionRow> {
    const row = await store.findSession(db, workspaceId, id);
    if (!row) throw notFound('agent session', id);
    return row;
  }

  return {
    async create(workspaceId: string, caller: Caller, body: CreateAgentSessionBody): Promise<AgentSession> {
      const row = await db.transaction().execute(async (trx) => {
        // Held until commit, so the agent cannot be archived while the session is being created.
        const agent = await store.findAgent(trx, workspaceId, body.agent_id, 'share');
        if (!agent) throw unknownReference({ field: 'agent_id', kind: 'agent', id: body.agent_id });
        if (agent.state === 'ARCHIVED') {
          throw archivedReference(
            { field: 'agent_id', kind: 'agent', id: agent.id },
            'enable it (POST /v1/agents/{id}:enable) first',
          );
        }
        const [first, ...more] = await lineageProblems(trx, workspaceId, body);
        if (first) throw invalid(first.path!, first.message, { more });
        const now = new Date();
        return store.insertSession(trx, {
          id: newId('ags'),
          workspace_id: workspaceId,
          agent_id: agent.id,
          title: body.title ?? null,
          communication_profile: body.communication_profile,
          created_by: caller.subject,
          parent_session_id: body.parent_session_id ?? null,
          forked_from_session_id: body.forked_from_session_id ?? null,
          spawned_by_turn_id: body.spawned_by_turn_id ?? null,
          agent_role: body.agent_role ?? null,
          current_sandbox_id: null,
          events_retained_until: new Date(now.getTime() + EVENTS_RETENTION_DAYS * DAY_MS),
          filesystem_retained_until: new Date(now.getTime() + FILESYSTEM_RETENTION_DAYS * DAY_MS),
          usage_summary: JSON.stringify(EMPTY_USAGE),
          created_at: now,
          updated_at: now,
        });
      });
      return toAgentSession(row);
    },

    async list(
      workspaceId: string,
      filters: store.SessionFilters,
      page: PageRequest,
    ): Promise<Page<AgentSession>> {
      return toPage(await store.listSessions(db, workspaceId, filters, page), page, toAgentSession);
    },

    async get(workspaceId: string, id: string): Promise<AgentSession> {
      return toAgentSession(await load(workspaceId, id));
    },

    /** Archives the session; archiving an archived session returns it unchanged. */
    async archive(workspaceId: string, id: string): Promise<AgentSession> {
      return toAgentSession(
        (await store.archiveSession(db, workspaceId, id)) ?? (await load(workspaceId, id)),
      );
    },

    /** Replaces the session's retention (archived sessions included: retention matters most after). */
    async setRetention(
      workspaceId: string,
      id: string,
      body: SetAgentSessionRetentionBody,
    ): Promise<AgentSession> {
      const row = await store.setSessionRetention(db, workspaceId, id, {
        events_retained_until: new Date(body.events_retained_until * 1000),
        filesystem_retained_until: new Date(body.filesystem_retained_until * 1000),
        filesystem_pinned: body.filesystem_pinned,
        retention_reason: body.retention_reason,
      });
      if (!row) throw notFound('agent session', id);
      return toAgentSession(row);
    },
  };
}
