/**
 * Agent deployments as the runtime of agent turns (the agents domain's TurnRuntime port): a turn of an
 * agent that names a job-mode deployment starts a run of it, through the run service like any other
 * run, with input `{turn_id, session_id, message}` and the turn recorded on the run. See docs/agents.md
 * "Deployment runtimes"; the run's side (token, socket, events) is in hooks.ts.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { TurnRuntime } from '../../agents/runtime.ts';
import type { DB } from '../../db/schema.ts';
import type { TurnClaims } from '../../platform/turn-tokens.ts';
import type { RunService } from '../runs/service.ts';
import { findDeployment } from '../deployment-store.ts';
import { isTurnRunActive, listActiveTurnRuns } from '../runs/store.ts';

export function createTurnRuntime(deps: { db: Kysely<DB>; runs: RunService; log: Logger }): TurnRuntime {
  const { db, runs, log } = deps;
  return {
    async refusal(workspaceId, deploymentId) {
      const deployment = await findDeployment(db, workspaceId, deploymentId);
      if (!deployment || deployment.status === 'deleted')
        return `agent deployment ${deploymentId} not found in this workspace`;
      if (deployment.mode !== 'job')
        return `agent deployment ${deploymentId} runs in service mode; a runtime must be a job-mode deployment`;
      return undefined;
    },

    async start(workspaceId, deploymentId, work) {
      const run = await runs.create(
        workspaceId,
        deploymentId,
        { input: work, envs: {} },
        { idempotencyKey: null, turnId: work.turn_id },
      );
      return { runId: run.id };
    },

    async stop(workspaceId, turnId, reason) {
      const active = await listActiveTurnRuns(db, workspaceId, turnId);
      for (const run of active)
        await runs
          .cancel({ workspaceId, deploymentId: run.deployment_id, id: run.id }, reason)
          .catch((error) =>
            log.warn({ err: error, run: run.id, turn: turnId }, 'stopping the run of a turn failed'),
          );
    },
  };
}

/** Whether a turn token's run still serves its turn (a token dies with its run). */
export async function turnRunActive(db: Kysely<DB>, claims: TurnClaims): Promise<boolean> {
  return isTurnRunActive(db, claims);
}
