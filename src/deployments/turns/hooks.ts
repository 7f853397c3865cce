/**
 * The run hooks of turn runs (runs with a `turn_id`; others are left alone). Before the processes
 * start: a turn token (ATOLL_TURN_TOKEN, valid for the version's timeout plus a margin and only while
 * the run is active), the turn id, and the API socket (bridge.ts) in the sandbox's run dir. When the
 * run reaches `running`: an `execution_environment.started` event. When it ends: `.stopped` or
 * `.failed`, which also settles a turn the agent left open — a succeeded run completes it, any other
 * ending fails it with `failure {code, message}`. An ended turn takes no more events, so an agent
 * that ends its turn itself gets no stopped/failed event after it. See docs/agents.md.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../../db/schema.ts';
import type { EventLog, NewEvent } from '../../events/log.ts';
import type { TurnTokens } from '../../platform/turn-tokens.ts';
import type { Sandbox } from '../../sandbox/driver.ts';
import type { RunRow } from '../runs/resources.ts';
import type { RunHooks } from '../runs/worker.ts';
import { getVersion } from '../versions/store.ts';
import { openBridge, SOCKET_NAME, type Bridge } from './bridge.ts';

/** Beyond the version's timeout, for the platform's own steps around the processes. */
const TOKEN_MARGIN_MS = 60_000;
const MAX_MESSAGE = 2000;
/** setTimeout's longest delay (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export type TurnRunHooks = Required<RunHooks> & {
  /** Closes every API socket still open (shutdown). */
  close(): Promise<void>;
};

export type TurnRunHooksDeps = {
  db: Kysely<DB>;
  eventLog: EventLog;
  tokens: TurnTokens;
  /** The app, in-process. */
  fetch: (request: Request) => Response | Promise<Response>;
  log: Logger;
};

const clip = (text: string) => (text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text);

/** The event a run's ending appends to its turn, with what it does to the turn. */
function endingEvent(run: RunRow & { turn_id: string }): NewEvent {
  const base = { workspaceId: run.workspace_id, turnId: run.turn_id };
  const sandbox = run.sandbox_id ? { sandbox_id: run.sandbox_id } : {};
  const reason = run.failure_reason ?? `agent run ${run.id} ended ${run.status}`;
  switch (run.status) {
    case 'succeeded':
      return {
        ...base,
        type: 'execution_environment.stopped',
        data: { state: 'STOPPED', message: `agent run ${run.id} succeeded (exit code 0)`, ...sandbox },
        signal: { kind: 'progress', state: 'COMPLETED' },
      };
    case 'cancelled':
      return {
        ...base,
        type: 'execution_environment.stopped',
        data: { state: 'STOPPED', message: clip(`agent run ${run.id} ${reason}`), ...sandbox },
        signal: { kind: 'progress', state: 'FAILED' },
        failure: { code: 'run_cancelled', message: clip(reason) },
      };
    case 'failed':
    case 'timed_out':
      return {
        ...base,
        type: 'execution_environment.failed',
        data: { state: 'FAILED', message: clip(reason), ...sandbox },
        signal: { kind: 'progress', state: 'FAILED' },
        failure: { code: run.status === 'failed' ? 'run_failed' : 'run_timed_out', message: clip(reason) },
      };
    case 'queued':
    case 'starting':
    case 'installing':
    case 'running':
      throw new Error(`run ${run.id} is ${run.status}, not ended`);
    default: {
      const never: never = run.status;
      throw new Error(`unknown run status ${String(never)}`);
    }
  }
}

export function createTurnRunHooks(deps: TurnRunHooksDeps): TurnRunHooks {
  const { db, eventLog, log } = deps;
  const bridges = new Map<string, { bridge: Bridge; timer: NodeJS.Timeout }>();

  async function closeBridge(runId: string): Promise<void> {
    const open = bridges.get(runId);
    if (!open) return;
    bridges.delete(runId);
    clearTimeout(open.timer);
    await open.bridge.close();
  }

  async function append(event: NewEvent, runId: string): Promise<void> {
    const outcome = await eventLog.append(event);
    if (outcome.outcome !== 'appended')
      log.debug({ run: runId, turn: event.turnId, outcome: outcome.outcome }, 'turn event not appended');
  }

  return {
    async env(run: RunRow, sandbox: Sandbox): Promise<{ env: Record<string, string>; secrets: string[] }> {
      const turnId = run.turn_id;
      if (turnId === null) return { env: {}, secrets: [] };
      const version = await getVersion(db, run.version_id);
      const startedAt = run.started_at?.getTime() ?? Date.now();
      const expiresAt = new Date(
        startedAt + version.config.resources.timeout_seconds * 1000 + TOKEN_MARGIN_MS,
      );
      const token = deps.tokens.mint({ workspaceId: run.workspace_id, turnId, runId: run.id, expiresAt });
      const bridge = await openBridge({ dir: sandbox.hostRunDir, turnId, fetch: deps.fetch, log });
      // Normally closed when the run ends; this covers a run settled by another process.
      const timer = setTimeout(
        () => void closeBridge(run.id),
        Math.min(expiresAt.getTime() - Date.now(), MAX_TIMER_MS),
      ).unref();
      bridges.set(run.id, { bridge, timer });
      return {
        env: {
          ATOLL_TURN_TOKEN: token,
          ATOLL_TURN_ID: turnId,
          ATOLL_API_SOCKET: `${sandbox.runDir}/${SOCKET_NAME}`,
        },
        secrets: [token],
      };
    },

    async started(run) {
      if (run.turn_id === null) return;
      await append(
        {
          workspaceId: run.workspace_id,
          turnId: run.turn_id,
          type: 'execution_environment.started',
          data: {
            state: 'STARTED',
            message: `agent run ${run.id} of deployment ${run.deployment_id} (version ${run.version_id}) started`,
            ...(run.sandbox_id ? { sandbox_id: run.sandbox_id } : {}),
          },
          signal: { kind: 'activity' },
        },
        run.id,
      );
    },

    async ended(run) {
      await closeBridge(run.id);
      if (run.turn_id === null) return;
      await append(endingEvent({ ...run, turn_id: run.turn_id }), run.id);
    },

    async close() {
      await Promise.all([...bridges.keys()].map(closeBridge));
    },
  };
}
