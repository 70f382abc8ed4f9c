-- At most one active signing key per usage, enforced by the database: two nodes starting
-- together on an empty database could each create one. Where that already happened, the
-- newest key (the one every node's key ring signs with) stays active and the others are
-- retired; they keep verifying for a day, far longer than they signed for (a node signs
-- with the newest key from its first reload on).
UPDATE signing_keys
SET retired_at = date_trunc('microseconds', now()),
    expires_at = date_trunc('microseconds', now()) + INTERVAL '1 day'
WHERE retired_at IS NULL
  AND EXISTS (
    SELECT 1 FROM signing_keys AS newer
    WHERE newer.usage = signing_keys.usage
      AND newer.retired_at IS NULL
      AND (newer.created_at > signing_keys.created_at
           OR (newer.created_at = signing_keys.created_at
               AND newer.kid COLLATE "C" > signing_keys.kid COLLATE "C"))
  );

CREATE UNIQUE INDEX signing_keys_one_active_per_usage ON signing_keys (usage)
    WHERE retired_at IS NULL;
