-- Agent preferences (apf_…): one row per workspace and user, written by PATCH /v1/agent_preferences or,
-- with the defaults, by the first read (docs/agent-catalog.md).
CREATE TABLE agent_preferences (
  seq                    bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id                     text PRIMARY KEY,
  workspace_id           text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  -- The caller's subject: the JWT `sub`, or the API token id for a workspace token.
  user_id                text NOT NULL,
  communication_profile  text NOT NULL DEFAULT 'ADAPTIVE' CHECK (communication_profile IN (
                           'BEGINNER', 'INTERMEDIATE', 'ADVANCED', 'EXPERT', 'ADAPTIVE')),
  learning_mode_enabled  boolean NOT NULL DEFAULT false,
  seen_concepts          jsonb NOT NULL DEFAULT '[]',
  version                integer NOT NULL DEFAULT 1,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, user_id)
);

-- The resources an event's payload names: one key per entry of `resource_refs` (widget and artifact
-- events) and `touched_resource_refs` (handoff summaries), `<workspace> <length of resource>:<resource>
-- <id>`. The length prefix makes the key unambiguous whatever characters the resource and id hold (a
-- workspace id has no space). Work-conflict detection (GET /v1/agent_sessions:detectConflicts) finds the
-- events naming one resource through the GIN index below.
CREATE FUNCTION atoll_event_ref_key(p_workspace text, p_resource text, p_id text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p_workspace || ' ' || length(p_resource)::text || ':' || p_resource || ' ' || p_id
$$;

-- The keys of one event. It repeats atoll_event_ref_key's formula rather than calling it: an index
-- expression is also evaluated by maintenance (ANALYZE, REINDEX), which since PostgreSQL 17 runs with a
-- search_path of pg_catalog only, where a call to our own function would not resolve.
CREATE FUNCTION atoll_event_refs(p_workspace text, p_data jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT
           p_workspace || ' ' || length(r->>'resource')::text || ':' || (r->>'resource') || ' ' || (r->>'id')),
           '{}')
    FROM jsonb_array_elements(
           CASE WHEN jsonb_typeof(p_data->'resource_refs') = 'array' THEN p_data->'resource_refs'
                ELSE '[]'::jsonb END ||
           CASE WHEN jsonb_typeof(p_data->'touched_resource_refs') = 'array' THEN p_data->'touched_resource_refs'
                ELSE '[]'::jsonb END) AS r
   WHERE jsonb_typeof(r) = 'object'
     AND jsonb_typeof(r->'resource') = 'string'
     AND jsonb_typeof(r->'id') = 'string'
$$;

-- Only events that name a resource are indexed (most events, messages and progress, name none).
CREATE INDEX agent_events_refs ON agent_events USING gin (atoll_event_refs(workspace_id, data))
  WHERE atoll_event_refs(workspace_id, data) <> '{}';
