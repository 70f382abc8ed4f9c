//! Secrets and credentials: the master key and what derives from it, opaque bearer secrets
//! (client secrets, personal access tokens), passwords, and JWT signing keys and access
//! tokens. Nothing here logs a secret.

pub mod id_token;
pub mod jwk;
pub mod jwt;
pub mod keyring;
pub mod master_key;
pub mod password;
pub mod revocations;
pub mod sealed;
pub mod secret;
pub mod signing_key;
