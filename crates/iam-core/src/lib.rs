//! iam-core: URNs, the policy model and the decision engine of iamd.
//!
//! Pure and synchronous: no I/O, no async, no clock (the caller passes the time in).
//! It must never import tokio, sqlx, axum or reqwest.
//!
//! The server's path: build a [`system::Builtins`] once from the [`catalog::Catalog`]; per
//! account, [`index::PolicyIndex::build`] from the stored policies, permissions groups and
//! group roles; on each change, clone the index, `upsert`/`remove` on the clone and swap it
//! in; per request, [`tenancy::decide_in_account`], which answers a resource outside the
//! account with an implicit deny and hands the rest to [`evaluate::evaluate_batch`]. Client input is checked with [`policy::PolicyInput::validate`].

pub mod account;
pub mod action;
pub mod catalog;
pub mod compiled;
pub mod condition;
pub mod error;
pub mod evaluate;
pub mod index;
pub mod openstack;
pub mod pattern;
pub mod policy;
#[doc(hidden)]
pub mod reference;
pub mod request;
pub mod role;
pub mod system;
pub mod tenancy;
pub mod urn;
pub mod validate;

pub use account::AccountId;
pub use catalog::Catalog;
pub use error::{ErrorCode, ValidationError};
pub use evaluate::{Attribution, Decision, Explanation, evaluate, evaluate_action, evaluate_batch};
pub use index::{BuildOutcome, PolicyIndex, Skipped};
pub use request::{Context, Request, RequestFacts, ResourceFacts};
pub use system::{Builtins, RoleBinding};
pub use tenancy::{AccountResources, decide_in_account};
pub use urn::{Plate, Urn};
