//! Use cases: each function holds a rule (who may do what, what must be true) and calls the
//! store. No HTTP types here, so the API, the console and the CLI share one code path.

pub mod accounts;
pub mod audit;
pub mod audit_log;
pub mod auth_details;
pub mod authenticate;
pub mod authorization_check;
pub mod authorizer;
pub mod catalog;
pub mod client_cache;
pub mod clients;
pub mod error;
pub mod groups;
pub mod issuer;
pub mod keys;
pub mod me;
pub mod oauth;
pub mod page;
pub mod permissions_groups;
pub mod personal_tokens;
pub mod policies;
pub mod policy_view;
pub mod principal;
pub mod principal_cache;
pub mod profile;
pub mod providers;
pub mod reference;
pub mod registration;
pub mod resource_groups;
pub mod resources;
pub mod role_adapter;
pub mod sign_in;
pub mod simulator;
pub mod snapshot;
pub mod tags;
pub mod users;
