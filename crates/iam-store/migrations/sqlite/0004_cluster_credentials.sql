-- Credentials that can be ended everywhere, and facts the whole cluster shares.
-- Mirrors migrations/postgres/0004_cluster_credentials.sql.

-- Facts every node of the cluster must agree on (the token issuer); the first writer wins.
CREATE TABLE cluster_facts (
    name  TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);

-- A user's immutable id: a console session is bound to it, so a user deleted and created
-- again under the same login is another user. SQLite cannot add a column with a computed
-- default, hence the placeholder, replaced at once by a random id per existing user.
ALTER TABLE users ADD COLUMN id BLOB NOT NULL DEFAULT x'00';
UPDATE users SET id = randomblob(16);
CREATE UNIQUE INDEX users_by_id ON users (id);
