/**
 * The seam between agents and whatever runs their turns. An agent may name a runtime deployment
 * (`runtime_deployment_id`); the agent-deployments domain implements this port
 * (src/deployments/turns/runtime.ts) and the composition root passes it in. Without one, agents cannot
 * name a runtime (422) and turns stay with the emit path alone. See docs/agents.md "Deployment runtimes".
 */

/** What a runtime is asked to run: the turn, as the run's input carries it. */
export type TurnWork = { turn_id: string; session_id: string; message: string };

export type TurnRuntime = {
  /**
   * Why `deploymentId` cannot run the workspace's turns (not a live job-mode deployment of the
   * workspace), or undefined when it can.
   */
  refusal(workspaceId: string, deploymentId: string): Promise<string | undefined>;
  /** Starts the turn's run; throws the runtime's ApiError (429 capacity, 409 no active version…) when refused. */
  start(workspaceId: string, deploymentId: string, work: TurnWork): Promise<{ runId: string }>;
  /** Stops the turn's run if one is still active. Never throws: the turn has already moved on. */
  stop(workspaceId: string, turnId: string, reason: string): Promise<void>;
};
