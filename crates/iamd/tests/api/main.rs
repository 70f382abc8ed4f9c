//! iamd's integration tests: one binary, each test starting the real server on a random
//! port and speaking HTTP to it (SQLite always; PostgreSQL where IAMD_TEST_POSTGRES_URL is set).

mod cli;
mod crash;
mod foundation;
mod groups;
mod helpers;
