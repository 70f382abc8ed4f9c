//! iamd's integration tests: one binary, each test starting the real server on a random
//! port and speaking HTTP to it (SQLite always; PostgreSQL where IAMD_TEST_POSTGRES_URL is set).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod authorization;
mod cli;
mod crash;
mod foundation;
mod groups;
mod helpers;
mod openapi;
mod policies;
mod providers;
mod resource_groups;
mod resources;
mod v2_support;
