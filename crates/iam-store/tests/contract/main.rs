//! The contract every `Store` adapter meets. One suite, one binary: each test is written
//! once against `Arc<dyn Store>` and instantiated by `contract!` as `…::sqlite::name`
//! (always, on a fresh temporary file) and `…::postgres::name` (when
//! `IAMD_TEST_POSTGRES_URL` is set, on a fresh database created and dropped around it).

#![allow(clippy::unwrap_used, clippy::expect_used)]

/// Instantiates each named `async fn(Ctx)` for both backends.
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                crate::harness::sqlite(super::$name).await
            })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                crate::harness::postgres(concat!(module_path!(), "::", stringify!($name)), super::$name).await
            })*
        }
    };
}

/// Instantiates each named `async fn(Blank)` (a URL whose database has no schema yet).
macro_rules! contract_blank {
    ($($name:ident),* $(,)?) => {
        mod sqlite_blank {
            $(#[tokio::test]
            async fn $name() {
                crate::harness::sqlite_blank(super::$name).await
            })*
        }
        mod postgres_blank {
            $(#[tokio::test]
            async fn $name() {
                crate::harness::postgres_blank(concat!(module_path!(), "::", stringify!($name)), super::$name).await
            })*
        }
    };
}

mod fixture;
mod harness;

mod accounts;
mod audit;
mod changes;
mod clients;
mod cluster_credentials;
mod fidelity;
mod groups;
mod keys;
mod login_counters;
mod migrations;
mod permissions_groups;
mod policies;
mod providers;
mod resource_groups;
mod resources;
mod revocations;
mod stored_text;
mod tokens;
mod users;
mod writes;
