-- Deployment runtimes (docs/agents.md "Deployment runtimes"): an agent may name a job-mode agent
-- deployment that runs its turns. No foreign key: deployments are soft-deleted, and a turn whose
-- agent names a deleted one fails at admission, naming it.
ALTER TABLE agents ADD COLUMN runtime_deployment_id text;

-- The run serving a turn (cancelling the turn cancels it).
CREATE INDEX agent_runs_turn ON agent_runs (turn_id) WHERE turn_id IS NOT NULL;
