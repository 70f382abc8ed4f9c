-- Resource providers (the products that own resources) and the actions they declare.
-- Mirrors migrations/sqlite/0002_resource_providers.sql table for table.

-- A provider authenticates with a secret kept only as a keyed hash (like tokens).
CREATE TABLE resource_providers (
    id          UUID        NOT NULL PRIMARY KEY,
    name        TEXT        NOT NULL UNIQUE,
    secret_hash BYTEA       NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL
);

-- The resource types a provider owns; a type has one owner at most, so that no provider
-- can register resources of, or declare actions for, another's type.
CREATE TABLE resource_provider_types (
    provider_id   UUID    NOT NULL REFERENCES resource_providers (id) ON DELETE CASCADE,
    resource_type TEXT    NOT NULL UNIQUE,
    position      INTEGER NOT NULL,
    PRIMARY KEY (provider_id, resource_type)
);

-- Actions declared by a type's owner, added to the catalog next to the built-in ones.
CREATE TABLE declared_actions (
    action        TEXT    NOT NULL PRIMARY KEY,
    resource_type TEXT    NOT NULL REFERENCES resource_provider_types (resource_type) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    description   TEXT    NOT NULL,
    -- JSON array of category names (CREATE, READ, EDIT, OPERATE, DELETE)
    categories    TEXT    NOT NULL
);
CREATE INDEX declared_actions_by_type ON declared_actions (resource_type, position);
