/**
 * Agents: create, list (archived ones included), get, update (if-match; partial; enabled agents only),
 * archive and enable (both idempotent). An archived agent keeps its sessions and history but gets no
 * new sessions or turns until it is enabled again. A runtime deployment, when named, is checked with
 * the turn runtime (src/agents/runtime.ts).
 */
import type { Kysely } from 'kysely';
import { newId } from '../db/ids.ts';
import type { DB } from '../db/schema.ts';
import type { Caller } from '../http/context.ts';
import { aborted, failedPrecondition, invalid, notFound } from '../http/errors.ts';
import { assertIfMatch, etagOf } from '../http/etag.ts';
import { toPage, type Page, type PageRequest } from '../http/pagination.ts';
import {
  DEFAULT_MODEL_POLICY,
  type Agent,
  type AgentAmbientConfig,
  type CreateAgentBody,
  type UpdateAgentBody,
} from './schemas.ts';
import * as store from './store.ts';
import { EMPTY_USAGE } from './tables.ts';
import type { TurnRuntime } from './runtime.ts';
import { toAgent } from './resources.ts';

export type AgentService = ReturnType<typeof createAgentService>;

/**
 * Ambient triggers start work on their own, which is what the AMBIENT capability grants: an enabled
 * ambient configuration without it is refused (422) rather than silently ignored.
 */
function assertAmbientAllowed(
  capabilities: readonly string[],
  ambient: AgentAmbientConfig,
  blame: string[],
): void {
  if (ambient?.enabled && !capabilities.includes('AMBIENT')) {
    throw invalid(blame, 'an enabled ambient configuration requires the AMBIENT capability');
  }
}

const RUNTIME_FIELD = ['body', 'runtime_deployment_id'];

/** 422 naming runtime_deployment_id unless it names a deployment that can run the workspace's turns. */
async function assertRuntimeUsable(
  runtime: TurnRuntime | undefined,
  workspaceId: string,
  deploymentId: string | null | undefined,
): Promise<void> {
  if (deploymentId === null || deploymentId === undefined) return;
  if (!runtime) throw invalid(RUNTIME_FIELD, 'this server runs no agent deployments');
  const refusal = await runtime.refusal(workspaceId, deploymentId);
  if (refusal !== undefined) throw invalid(RUNTIME_FIELD, refusal);
}

export function createAgentService({ db, runtime }: { db: Kysely<DB>; runtime?: TurnRuntime | undefined }) {
  /** The workspace's agent (archived or not), or 404. */
  async function load(workspaceId: string, id: string): Promise<store.AgentRow> {
    const row = await store.findAgent(db, workspaceId, id);
    if (!row) throw notFound('agent', id);
    return row;
  }

  return {
    async create(workspaceId: string, caller: Caller, body: CreateAgentBody): Promise<Agent> {
      const ambient = body.ambient ?? null;
      assertAmbientAllowed(body.capabilities, ambient, ['body', 'ambient', 'enabled']);
      await assertRuntimeUsable(runtime, workspaceId, body.runtime_deployment_id);
      const row = await store.insertAgent(db, {
        id: newId('agt'),
        workspace_id: workspaceId,
        name: body.name,
        description: body.description ?? null,
        instructions: body.instructions,
        capabilities: JSON.stringify(body.capabilities),
        ambient: ambient === null ? null : JSON.stringify(ambient),
        model_policy: JSON.stringify(body.model_policy ?? DEFAULT_MODEL_POLICY),
        runtime_deployment_id: body.runtime_deployment_id ?? null,
        usage_summary: JSON.stringify(EMPTY_USAGE),
        created_by: caller.subject,
      });
      return toAgent(row);
    },

    async list(workspaceId: string, page: PageRequest): Promise<Page<Agent>> {
      return toPage(await store.listAgents(db, workspaceId, page), page, toAgent);
    },

    async get(workspaceId: string, id: string): Promise<Agent> {
      return toAgent(await load(workspaceId, id));
    },

    async update(workspaceId: string, id: string, ifMatch: string, body: UpdateAgentBody): Promise<Agent> {
      const current = await load(workspaceId, id);
      assertIfMatch('agent', ifMatch, current.version);
      if (current.state === 'ARCHIVED') {
        throw failedPrecondition(`agent ${id} is archived; enable it before changing it`, {
          code: 'agent_archived',
        });
      }
      const capabilities = body.capabilities ?? current.capabilities;
      const ambient = body.ambient !== undefined ? body.ambient : (current.ambient as AgentAmbientConfig);
      // Blame the field this request changed: the new ambient config, or the capabilities that dropped AMBIENT.
      assertAmbientAllowed(
        capabilities,
        ambient,
        body.ambient !== undefined ? ['body', 'ambient', 'enabled'] : ['body', 'capabilities'],
      );
      // Re-checked only when named: a runtime deleted since keeps failing turns at admission, naming it.
      await assertRuntimeUsable(runtime, workspaceId, body.runtime_deployment_id);
      const patch: store.AgentPatch = {};
      if (body.name !== undefined) patch.name = body.name;
      if (body.description !== undefined) patch.description = body.description;
      if (body.instructions !== undefined) patch.instructions = body.instructions;
      if (body.capabilities !== undefined) patch.capabilities = JSON.stringify(body.capabilities);
      if (body.ambient !== undefined)
        patch.ambient = body.ambient === null ? null : JSON.stringify(body.ambient);
      if (body.model_policy !== undefined) patch.model_policy = JSON.stringify(body.model_policy);
      if (body.runtime_deployment_id !== undefined) patch.runtime_deployment_id = body.runtime_deployment_id;
      if (Object.keys(patch).length === 0) return toAgent(current);
      const updated = await store.updateAgent(db, workspaceId, id, current.version, patch);
      if (updated) return toAgent(updated);
      // Someone else wrote (or archived) between our read and our write: their version wins.
      throw aborted('agent', etagOf((await load(workspaceId, id)).version));
    },

    /** Archives the agent; archiving an archived agent returns it unchanged. */
    async archive(workspaceId: string, id: string): Promise<Agent> {
      const changed = await store.setAgentState(db, workspaceId, id, 'ARCHIVED');
      return toAgent(changed ?? (await load(workspaceId, id)));
    },

    /** Enables the agent; enabling an enabled agent returns it unchanged. */
    async enable(workspaceId: string, id: string): Promise<Agent> {
      const changed = await store.setAgentState(db, workspaceId, id, 'ENABLED');
      return toAgent(changed ?? (await load(workspaceId, id)));
    },
  };
}
