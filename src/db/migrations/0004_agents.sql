-- Agents (agt_…), their sessions (ags_…) and turns (trn_…), approval requests (apr_…), and the
-- append-only event log (evt_…) with its per-session sequence and per-workspace position.

CREATE TABLE agents (
  seq            bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id             text PRIMARY KEY,
  workspace_id   text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  name           text NOT NULL,
  description    text,
  instructions   text NOT NULL,
  state          text NOT NULL DEFAULT 'ENABLED' CHECK (state IN ('ENABLED', 'ARCHIVED')),
  origin         text NOT NULL DEFAULT 'USER' CHECK (origin IN ('PLATFORM', 'USER', 'SYSTEM')),
  capabilities   jsonb NOT NULL,
  ambient        jsonb,
  model_policy   jsonb NOT NULL,
  usage_summary  jsonb NOT NULL,
  created_by     text NOT NULL,
  version        integer NOT NULL DEFAULT 1,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agents_workspace ON agents (workspace_id, seq DESC);

CREATE TABLE agent_sessions (
  seq                        bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id                         text PRIMARY KEY,
  workspace_id               text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  agent_id                   text NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  state                      text NOT NULL DEFAULT 'ACTIVE' CHECK (state IN (
                               'ACTIVE', 'WAITING_FOR_INPUT', 'WAITING_FOR_PERMISSION', 'COMPLETED', 'FAILED',
                               'CANCELLED', 'ARCHIVED')),
  origin                     text NOT NULL DEFAULT 'API' CHECK (origin IN (
                               'DASHBOARD', 'API', 'MCP', 'ACP', 'AMBIENT', 'SYSTEM')),
  title                      text,
  communication_profile      text NOT NULL DEFAULT 'ADAPTIVE' CHECK (communication_profile IN (
                               'BEGINNER', 'INTERMEDIATE', 'ADVANCED', 'EXPERT', 'ADAPTIVE')),
  created_by                 text NOT NULL,
  parent_session_id          text,
  forked_from_session_id     text,
  spawned_by_turn_id         text,
  agent_role                 text,
  current_sandbox_id         text,
  -- The sequence of the session's last event: events are numbered 1, 2, 3… without gaps.
  last_sequence              integer NOT NULL DEFAULT 0,
  last_event_cursor          text,
  events_retained_until      timestamptz NOT NULL,
  filesystem_retained_until  timestamptz NOT NULL,
  filesystem_pinned          boolean NOT NULL DEFAULT false,
  retention_reason           text NOT NULL DEFAULT 'SESSION_ACTIVE' CHECK (retention_reason IN (
                               'SESSION_ACTIVE', 'PINNED', 'POLICY', 'TERMINAL_GRACE', 'MANUAL_DELETE')),
  usage_summary              jsonb NOT NULL,
  version                    integer NOT NULL DEFAULT 1,
  created_at                 timestamptz NOT NULL DEFAULT now(),
  updated_at                 timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agent_sessions_workspace ON agent_sessions (workspace_id, seq DESC);

CREATE TABLE agent_turns (
  seq                      bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id                       text PRIMARY KEY,
  workspace_id             text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  agent_id                 text NOT NULL,
  session_id               text NOT NULL REFERENCES agent_sessions (id) ON DELETE CASCADE,
  state                    text NOT NULL DEFAULT 'QUEUED' CHECK (state IN (
                             'QUEUED', 'RUNNING', 'WAITING_FOR_INPUT', 'WAITING_FOR_PERMISSION', 'COMPLETED',
                             'FAILED', 'CANCELLED')),
  origin                   text NOT NULL DEFAULT 'API' CHECK (origin IN (
                             'DASHBOARD', 'API', 'MCP', 'ACP', 'AMBIENT', 'SYSTEM')),
  input                    jsonb NOT NULL,
  runtime_hint             text NOT NULL DEFAULT 'AUTO' CHECK (runtime_hint IN ('AUTO', 'CODE_MODE', 'RETAINED_RUNTIME')),
  model                    text,
  created_by               text NOT NULL,
  started_at               timestamptz,
  completed_at             timestamptz,
  runtime_decision         text,
  decision_reason          text,
  resolved_execution_mode  text,
  admission_error          jsonb,
  usage_summary            jsonb NOT NULL,
  failure                  jsonb,
  version                  integer NOT NULL DEFAULT 1,
  created_at               timestamptz NOT NULL DEFAULT now(),
  updated_at               timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agent_turns_session ON agent_turns (workspace_id, session_id, seq DESC);
CREATE INDEX agent_turns_workspace ON agent_turns (workspace_id, seq DESC);

CREATE TABLE approval_requests (
  seq           bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id            text PRIMARY KEY,
  workspace_id  text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  agent_id      text NOT NULL,
  session_id    text NOT NULL,
  turn_id       text NOT NULL REFERENCES agent_turns (id) ON DELETE CASCADE,
  -- The event that announced it (the widget.created approval card).
  event_id      text NOT NULL,
  state         text NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'APPROVED', 'REJECTED')),
  title         text NOT NULL,
  summary       text NOT NULL,
  actions       jsonb NOT NULL,
  reason        text,
  resolved_by   text,
  resolved_at   timestamptz,
  created_by    text NOT NULL,
  version       integer NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX approval_requests_workspace ON approval_requests (workspace_id, seq DESC);
CREATE INDEX approval_requests_pending ON approval_requests (turn_id) WHERE state = 'PENDING';

-- The position of each workspace's last event. Appending an event takes this row's lock until commit,
-- so positions become visible in the order they were given: a reader never sees position n+1
-- before n, and a cursor (a position) can resume any filter without losing an event.
CREATE TABLE agent_event_positions (
  workspace_id   text PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
  last_position  bigint NOT NULL DEFAULT 0
);

CREATE TABLE agent_events (
  id                      text PRIMARY KEY,
  workspace_id            text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  position                bigint NOT NULL,
  agent_id                text NOT NULL,
  session_id              text NOT NULL,
  turn_id                 text NOT NULL,
  sequence                integer NOT NULL,
  type                    text NOT NULL,
  data                    jsonb,
  -- Copied from the session (fixed at its creation) so that every filter is a column of the event.
  parent_session_id       text,
  forked_from_session_id  text,
  spawned_by_turn_id      text,
  agent_role              text,
  -- An emit's idempotency key and request fingerprint: a replay finds its event here.
  idempotency_key         text,
  request_hash            text,
  created_at              timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, position),
  UNIQUE (session_id, sequence)
);
CREATE UNIQUE INDEX agent_events_idempotency ON agent_events (workspace_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX agent_events_session ON agent_events (workspace_id, session_id, position);
CREATE INDEX agent_events_turn ON agent_events (workspace_id, turn_id, position);
CREATE INDEX agent_events_parent ON agent_events (workspace_id, parent_session_id, position)
  WHERE parent_session_id IS NOT NULL;
CREATE INDEX agent_events_forked ON agent_events (workspace_id, forked_from_session_id, position)
  WHERE forked_from_session_id IS NOT NULL;
CREATE INDEX agent_events_spawned ON agent_events (workspace_id, spawned_by_turn_id, position)
  WHERE spawned_by_turn_id IS NOT NULL;
CREATE INDEX agent_events_role ON agent_events (workspace_id, agent_role, position)
  WHERE agent_role IS NOT NULL;

-- The turn state machine (docs/agents.md), the single source of it: the state a turn moves to on a
-- signal. Signals: activity (any event), progress (with its state), approval_requested,
-- approvals_resolved, cancel.
CREATE FUNCTION atoll_next_turn_state(current_state text, signal text, progress text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN current_state IN ('COMPLETED', 'FAILED', 'CANCELLED') THEN current_state
    WHEN signal = 'cancel' THEN 'CANCELLED'
    ELSE (
      SELECT CASE WHEN n = 'QUEUED' AND signal IN ('activity', 'progress', 'approval_requested') THEN 'RUNNING' ELSE n END
        FROM (SELECT CASE
                WHEN signal = 'progress' THEN CASE progress
                  WHEN 'RUNNING' THEN 'RUNNING'
                  WHEN 'WAITING' THEN 'WAITING_FOR_INPUT'
                  WHEN 'COMPLETED' THEN 'COMPLETED'
                  WHEN 'FAILED' THEN 'FAILED'
                  ELSE current_state END
                WHEN signal = 'approval_requested' THEN 'WAITING_FOR_PERMISSION'
                WHEN signal = 'approvals_resolved' AND current_state = 'WAITING_FOR_PERMISSION' THEN 'RUNNING'
                ELSE current_state
              END AS n) AS next_state)
  END
$$;

-- Moves a turn (its row lock held by the caller) on a signal, setting started_at when it leaves the
-- queue, completed_at when it ends and failure when given; the session follows its turns: it waits for
-- permission while any turn does, else for input while any turn does, else it is ACTIVE (an archived
-- session stays archived). Returns the turn as it is now.
-- atoll_move_turn for a turn row the caller has already read under its lock.
CREATE FUNCTION atoll_move_locked_turn(t agent_turns, p_signal text, p_progress text, p_failure jsonb)
RETURNS SETOF agent_turns LANGUAGE plpgsql AS $$
DECLARE
  next_state text := atoll_next_turn_state(t.state, p_signal, p_progress);
BEGIN
  IF next_state <> t.state THEN
    UPDATE agent_turns
       SET state = next_state,
           version = version + 1,
           updated_at = now(),
           started_at = CASE WHEN started_at IS NULL AND next_state <> 'QUEUED' THEN now() ELSE started_at END,
           completed_at = CASE WHEN next_state IN ('COMPLETED', 'FAILED', 'CANCELLED') THEN now() ELSE completed_at END,
           failure = CASE WHEN next_state = 'FAILED' THEN COALESCE(p_failure, failure) ELSE failure END
     WHERE id = t.id
    RETURNING * INTO t;
    UPDATE agent_sessions s
       SET state = w.state, version = s.version + 1, updated_at = now()
      FROM (SELECT CASE
                     WHEN bool_or(state = 'WAITING_FOR_PERMISSION') THEN 'WAITING_FOR_PERMISSION'
                     WHEN bool_or(state = 'WAITING_FOR_INPUT') THEN 'WAITING_FOR_INPUT'
                     ELSE 'ACTIVE'
                   END AS state
              FROM agent_turns WHERE session_id = t.session_id) w
     WHERE s.id = t.session_id AND s.state <> 'ARCHIVED' AND s.state <> w.state;
  END IF;
  RETURN NEXT t;
END
$$;

CREATE FUNCTION atoll_move_turn(p_turn text, p_signal text, p_progress text, p_failure jsonb)
RETURNS SETOF agent_turns LANGUAGE plpgsql AS $$
DECLARE
  t agent_turns%ROWTYPE;
BEGIN
  SELECT * INTO t FROM agent_turns WHERE id = p_turn;
  RETURN QUERY SELECT * FROM atoll_move_locked_turn(t, p_signal, p_progress, p_failure);
END
$$;

-- Appends one event to a turn, in one statement: lock the turn; answer a replay of the idempotency key
-- (or a conflict when the key named another request); refuse an ended turn; move the turn on the
-- signal; create the approval request an approval card announces; take the session's next sequence and
-- the workspace's next position (locks in the order turn, session, position, as every writer takes
-- them); insert the event; NOTIFY at commit when asked. outcome: appended | replayed | conflict |
-- terminal | not_found.
CREATE FUNCTION atoll_append_event(
  p_workspace text, p_turn text, p_id text, p_type text, p_data jsonb,
  p_signal text, p_progress text, p_failure jsonb,
  p_key text, p_hash text, p_approval jsonb, p_notify boolean)
RETURNS TABLE (outcome text, turn_state text, event_id text, agent_id text, session_id text, sequence integer,
               event_position bigint, event_type text, event_data jsonb, created_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
  t agent_turns%ROWTYPE;
  e agent_events%ROWTYPE;
  s agent_sessions%ROWTYPE;
  pos bigint;
BEGIN
  SELECT * INTO t FROM agent_turns WHERE agent_turns.id = p_turn AND workspace_id = p_workspace FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::text, NULL::text, NULL::text, NULL::text, NULL::integer, NULL::bigint,
                        NULL::text, NULL::jsonb, NULL::timestamptz;
    RETURN;
  END IF;
  IF p_key IS NOT NULL THEN
    SELECT * INTO e FROM agent_events WHERE workspace_id = p_workspace AND idempotency_key = p_key;
    IF FOUND THEN
      RETURN QUERY SELECT CASE WHEN e.request_hash = p_hash THEN 'replayed' ELSE 'conflict' END, t.state, e.id,
                          e.agent_id, e.session_id, e.sequence, e.position, e.type, e.data, e.created_at;
      RETURN;
    END IF;
  END IF;
  IF t.state IN ('COMPLETED', 'FAILED', 'CANCELLED') THEN
    RETURN QUERY SELECT 'terminal', t.state, NULL::text, NULL::text, NULL::text, NULL::integer, NULL::bigint,
                        NULL::text, NULL::jsonb, NULL::timestamptz;
    RETURN;
  END IF;
  SELECT * INTO t FROM atoll_move_locked_turn(t, p_signal, p_progress, p_failure);
  IF p_approval IS NOT NULL THEN
    INSERT INTO approval_requests (id, workspace_id, agent_id, session_id, turn_id, event_id, title, summary, actions, created_by)
    VALUES (p_approval->>'id', p_workspace, t.agent_id, t.session_id, t.id, p_id, p_approval->>'title',
            p_approval->>'summary', p_approval->'actions', p_approval->>'created_by');
  END IF;
  SELECT * INTO s FROM agent_sessions WHERE id = t.session_id FOR UPDATE;
  INSERT INTO agent_event_positions AS p (workspace_id, last_position) VALUES (p_workspace, 1)
  ON CONFLICT (workspace_id) DO UPDATE SET last_position = p.last_position + 1
  RETURNING last_position INTO pos;
  s.last_sequence := s.last_sequence + 1;
  UPDATE agent_sessions
     SET last_sequence = s.last_sequence, last_event_cursor = 'e' || lpad(to_hex(pos), 12, '0')
   WHERE id = t.session_id;
  INSERT INTO agent_events (id, workspace_id, position, agent_id, session_id, turn_id, sequence, type, data,
                            parent_session_id, forked_from_session_id, spawned_by_turn_id, agent_role,
                            idempotency_key, request_hash)
  VALUES (p_id, p_workspace, pos, t.agent_id, t.session_id, t.id, s.last_sequence, p_type, p_data,
          s.parent_session_id, s.forked_from_session_id, s.spawned_by_turn_id, s.agent_role, p_key, p_hash)
  RETURNING * INTO e;
  IF p_notify THEN
    PERFORM pg_notify('atoll_events', p_workspace || ':' || pos);
  END IF;
  RETURN QUERY SELECT 'appended', t.state, e.id, e.agent_id, e.session_id, e.sequence, e.position, e.type,
                      e.data, e.created_at;
END
$$;
