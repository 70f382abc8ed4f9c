//! iamd's integration tests: one binary, each test starting the real server on a random
//! port and speaking HTTP to it (SQLite always; PostgreSQL where IAMD_TEST_POSTGRES_URL is set).

// Tests set up some fixtures by writing the store directly, as an operator could.
#![allow(clippy::disallowed_methods)]
// Test code may panic on the unexpected: clippy's allow-unwrap-in-tests does not reach helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod actions;
mod audit_log;
mod auth_details;
mod authorization;
mod cli;
mod clients;
mod cluster;
mod connections;
mod console;
mod crash;
mod credentials;
mod fidelity;
mod foundation;
mod groups;
mod helpers;
mod input;
mod isolation;
mod keys;
mod login_throttle;
mod oauth;
mod openapi;
mod openstack_roles;
mod policies;
mod principal_cache;
mod providers;
mod resource_groups;
mod resources;
mod role_adapter;
mod roles;
mod tls;
mod user_tokens;
mod users;
mod v2_support;
