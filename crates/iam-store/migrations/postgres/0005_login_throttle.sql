-- The console login throttle's counters, shared by every node: attempts under one key (a
-- name tried, or a client address) that have not succeeded, and when the last one began.
-- Rows quiet for an hour are purged.
CREATE TABLE login_counters (
    key      TEXT NOT NULL PRIMARY KEY,
    attempts BIGINT NOT NULL,
    last_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_counters_by_last ON login_counters (last_at);
