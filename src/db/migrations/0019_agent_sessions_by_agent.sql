-- An agent's sessions, newest first (GET /v1/agent_sessions?agent=…, the console's agent page): without
-- this index the filter reads every session of the workspace.
CREATE INDEX agent_sessions_agent ON agent_sessions (workspace_id, agent_id, seq DESC);
