-- Fidelity to the seeds and the official API. Mirrors migrations/postgres/0007_updated_at.sql.

-- Every policy and resource group has an `updatedAt` (seed 004 shows it on `ovh-default` and
-- on the default group): equal to `createdAt` until the first change. Rows written before
-- this migration left it NULL until their first edit.
UPDATE policies SET updated_at = created_at WHERE updated_at IS NULL;
UPDATE resource_groups SET updated_at = created_at WHERE updated_at IS NULL;

-- Service-account names are unique within an account (seed 001: "Unique name identifying
-- this service account"). Databases written before this rule may hold duplicates: the
-- oldest client of each name keeps it, every later one is renamed "<name> (<client id>)"
-- (client ids are unique, so the new names are too). Should a renamed name collide all the
-- same, the index below fails and so does the whole migration: iamd then refuses to start
-- and says so, and nothing is half-applied.
UPDATE oauth_clients
   SET name = name || ' (' || client_id || ')'
 WHERE EXISTS (
       SELECT 1 FROM oauth_clients older
        WHERE older.account = oauth_clients.account
          AND older.name = oauth_clients.name
          AND (older.created_at < oauth_clients.created_at
               OR (older.created_at = oauth_clients.created_at
                   AND older.client_id < oauth_clients.client_id)));
CREATE UNIQUE INDEX oauth_clients_account_name ON oauth_clients (account, name);

-- The editable details of `PUT /me` (`nichandle.Nichandle`): a JSON object of the fields an
-- account set, `{}` until then. Nothing queries inside it.
ALTER TABLE accounts ADD COLUMN profile TEXT NOT NULL DEFAULT '{}';
