-- Credentials that can be ended everywhere, and facts the whole cluster shares.
-- Mirrors migrations/sqlite/0004_cluster_credentials.sql.

-- Facts every node of the cluster must agree on (the token issuer); the first writer wins.
CREATE TABLE cluster_facts (
    name  TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);

-- A user's immutable id: a console session is bound to it, so a user deleted and created
-- again under the same login is another user.
ALTER TABLE users ADD COLUMN id UUID;
UPDATE users SET id = gen_random_uuid();
ALTER TABLE users ALTER COLUMN id SET NOT NULL;
CREATE UNIQUE INDEX users_by_id ON users (id);
