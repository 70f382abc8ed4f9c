-- iamd schema, PostgreSQL dialect. Mirrors migrations/sqlite/0001_initial.sql table for table.
--
-- Conventions (PostgreSQL side):
--   * timestamps are TIMESTAMPTZ (microsecond precision: the store truncates to it);
--   * UUIDs are UUID, bytes BYTEA;
--   * JSON (conditions, callback URLs, JWKs, audit details) is TEXT, as on SQLite: nothing
--     queries inside it, and the text round-trips exactly;
--   * booleans are BOOLEAN.
-- Every account-scoped table carries the account's NIC and cascades from `accounts`,
-- so an operator can remove a tenant with one DELETE.

CREATE TABLE accounts (
    nic                TEXT    NOT NULL PRIMARY KEY,
    plate              TEXT    NOT NULL,
    root_password_hash TEXT    NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    -- bumped in the same transaction as any change that can alter a decision
    revision           BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE user_groups (
    account       TEXT    NOT NULL REFERENCES accounts (nic) ON DELETE CASCADE,
    name          TEXT    NOT NULL,
    description   TEXT,
    role          TEXT    NOT NULL,
    default_group BOOLEAN NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account, name)
);

CREATE TABLE users (
    account             TEXT NOT NULL REFERENCES accounts (nic) ON DELETE CASCADE,
    login               TEXT NOT NULL,
    email               TEXT,
    description         TEXT NOT NULL,
    group_name          TEXT NOT NULL,
    status              TEXT NOT NULL,
    user_type           TEXT NOT NULL,
    password_hash       TEXT NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    password_updated_at TIMESTAMPTZ,
    PRIMARY KEY (account, login),
    -- no cascade: a group cannot disappear under its users
    FOREIGN KEY (account, group_name) REFERENCES user_groups (account, name)
);
CREATE INDEX users_by_group ON users (account, group_name);

CREATE TABLE oauth_clients (
    client_id     TEXT NOT NULL PRIMARY KEY,
    account       TEXT NOT NULL REFERENCES accounts (nic) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL,
    flow          TEXT NOT NULL,
    callback_urls TEXT NOT NULL,
    secret_hash   BYTEA NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX oauth_clients_by_account ON oauth_clients (account, created_at);

-- Personal access tokens; `user_login` NULL is the account root's token.
CREATE TABLE access_tokens (
    id          UUID NOT NULL PRIMARY KEY,
    account     TEXT NOT NULL REFERENCES accounts (nic) ON DELETE CASCADE,
    user_login  TEXT,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    token_hash  BYTEA NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ,
    last_used   TIMESTAMPTZ,
    -- a NULL user_login is not checked, which is what the root token needs
    FOREIGN KEY (account, user_login) REFERENCES users (account, login) ON DELETE CASCADE
);
-- NULLs are distinct in a plain UNIQUE constraint, so the root's names would not be
-- unique; COALESCE folds the root into one owner (logins are never empty).
CREATE UNIQUE INDEX access_tokens_owner_name
    ON access_tokens (account, COALESCE(user_login, ''), name);

CREATE TABLE policies (
    id          UUID NOT NULL PRIMARY KEY,
    account     TEXT    NOT NULL REFERENCES accounts (nic) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    description TEXT,
    conditions  TEXT,
    expired_at  TIMESTAMPTZ,
    read_only   BOOLEAN NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ,
    UNIQUE (account, name)
);
CREATE INDEX policies_by_account ON policies (account, created_at, id);

CREATE TABLE policy_identities (
    policy_id UUID NOT NULL REFERENCES policies (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    urn       TEXT    NOT NULL,
    PRIMARY KEY (policy_id, position)
);

CREATE TABLE policy_resources (
    policy_id UUID NOT NULL REFERENCES policies (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    urn       TEXT    NOT NULL,
    PRIMARY KEY (policy_id, position)
);

CREATE TABLE policy_actions (
    policy_id UUID NOT NULL REFERENCES policies (id) ON DELETE CASCADE,
    kind      TEXT    NOT NULL CHECK (kind IN ('allow', 'except', 'deny')),
    position  INTEGER NOT NULL,
    action    TEXT    NOT NULL,
    PRIMARY KEY (policy_id, kind, position)
);

-- References by URN only: built-in permissions groups live in code, not in this schema.
CREATE TABLE policy_permissions_groups (
    policy_id UUID NOT NULL REFERENCES policies (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    urn       TEXT    NOT NULL,
    PRIMARY KEY (policy_id, position)
);

CREATE TABLE resources (
    id            UUID NOT NULL PRIMARY KEY,
    account       TEXT NOT NULL REFERENCES accounts (nic) ON DELETE CASCADE,
    urn           TEXT NOT NULL,
    name          TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (account, urn),
    -- target of resource_group_members' FK: a group only holds its own account's resources
    UNIQUE (account, id)
);
CREATE INDEX resources_by_account ON resources (account, created_at, id);

CREATE TABLE resource_tags (
    resource_id UUID NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    tag_key     TEXT NOT NULL,
    tag_value   TEXT NOT NULL,
    PRIMARY KEY (resource_id, tag_key)
);

CREATE TABLE resource_groups (
    id         UUID NOT NULL PRIMARY KEY,
    account    TEXT    NOT NULL REFERENCES accounts (nic) ON DELETE CASCADE,
    urn        TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    read_only  BOOLEAN NOT NULL,
    -- the group create_account made; upsert_resource adds every new resource to it
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ,
    UNIQUE (account, id)
);
CREATE INDEX resource_groups_by_account ON resource_groups (account, created_at, id);
CREATE UNIQUE INDEX resource_groups_one_default ON resource_groups (account) WHERE is_default;

CREATE TABLE resource_group_members (
    group_id    UUID NOT NULL,
    account     TEXT    NOT NULL,
    resource_id UUID NOT NULL,
    position    INTEGER NOT NULL,
    PRIMARY KEY (group_id, resource_id),
    FOREIGN KEY (account, group_id) REFERENCES resource_groups (account, id) ON DELETE CASCADE,
    FOREIGN KEY (account, resource_id) REFERENCES resources (account, id) ON DELETE CASCADE
);
CREATE INDEX resource_group_members_by_resource ON resource_group_members (resource_id);

CREATE TABLE permissions_groups (
    id          UUID NOT NULL PRIMARY KEY,
    account     TEXT NOT NULL REFERENCES accounts (nic) ON DELETE CASCADE,
    urn         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ
);
CREATE INDEX permissions_groups_by_account ON permissions_groups (account, created_at, id);

CREATE TABLE permissions_group_actions (
    group_id UUID NOT NULL REFERENCES permissions_groups (id) ON DELETE CASCADE,
    kind     TEXT    NOT NULL CHECK (kind IN ('allow', 'except', 'deny')),
    position INTEGER NOT NULL,
    action   TEXT    NOT NULL,
    PRIMARY KEY (group_id, kind, position)
);

CREATE TABLE signing_keys (
    kid                   TEXT NOT NULL PRIMARY KEY,
    algorithm             TEXT NOT NULL,
    usage                 TEXT NOT NULL,
    private_key_encrypted BYTEA NOT NULL,
    public_jwk            TEXT NOT NULL,
    created_at            TIMESTAMPTZ NOT NULL,
    retired_at            TIMESTAMPTZ,
    expires_at            TIMESTAMPTZ
);

CREATE TABLE revoked_tokens (
    jti        TEXT NOT NULL PRIMARY KEY,
    account    TEXT NOT NULL REFERENCES accounts (nic) ON DELETE CASCADE,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX revoked_tokens_by_expiry ON revoked_tokens (expires_at);

-- No foreign key: the log must accept a refused call naming an account that does not exist.
CREATE TABLE audit_log (
    id      UUID NOT NULL PRIMARY KEY,
    account TEXT NOT NULL,
    at      TIMESTAMPTZ NOT NULL,
    actor   TEXT,
    action  TEXT NOT NULL,
    target  TEXT,
    outcome TEXT NOT NULL,
    ip      TEXT,
    details TEXT NOT NULL
);
CREATE INDEX audit_log_by_account ON audit_log (account, at, id);
