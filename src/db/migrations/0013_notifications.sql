-- In-app notifications (ntf_…), one row per recipient: a subject (an API token's id or a JWT's `sub`)
-- told about something in a workspace that waits for it or went wrong. Written by the domain whose state
-- change causes it, in the same transaction (src/notifications/port.ts); read and marked read by the
-- recipient only. docs/notifications.md.
CREATE TABLE notifications (
  seq           bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id            text PRIMARY KEY,
  workspace_id  text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  recipient     text NOT NULL,
  type          text NOT NULL,
  resource_type text NOT NULL,
  resource_id   text NOT NULL,
  title         text,
  body          text,
  severity      text CHECK (severity IN ('info', 'warning', 'critical')),
  context       jsonb,
  -- What this notification is about (type, resource and occurrence): a recipient is told once per key,
  -- however often the change that causes it is retried.
  dedupe_key    text NOT NULL,
  read_at       timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (recipient, dedupe_key)
);
CREATE INDEX notifications_recipient ON notifications (recipient, seq DESC);
CREATE INDEX notifications_unread ON notifications (recipient, seq DESC) WHERE read_at IS NULL;
