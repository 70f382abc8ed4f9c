//! Use cases: each function holds a rule (who may do what, what must be true) and calls the
//! store. No HTTP types here, so the API, the console and the CLI share one code path.

pub mod accounts;
pub mod audit;
pub mod audit_log;
pub mod auth_details;
pub mod authenticate;
pub mod authorizer;
pub mod client_cache;
pub mod clients;
pub mod error;
pub mod groups;
pub mod keys;
pub mod me;
pub mod oauth;
pub mod personal_tokens;
pub mod principal;
pub mod role_adapter;
pub mod snapshot;
pub mod users;
