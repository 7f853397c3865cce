-- Idempotency claims name the process executing their request, and say whether it began writing
-- (docs/api-conventions.md, Idempotency keys). `owner` is a per-process instance id; the owner renews
-- `locked_until` while the request runs, so a claim not renewed belongs to a process that is gone.
-- `wrote` is set in the same transaction as the request's first write: a claim whose owner is gone is
-- executed again by a retry only while it is false, because then the first attempt changed nothing.
ALTER TABLE idempotency_keys ADD COLUMN owner text;
ALTER TABLE idempotency_keys ADD COLUMN wrote boolean NOT NULL DEFAULT false;
