//! Secrets and credentials: the master key and what derives from it, opaque bearer secrets
//! (client secrets, personal access tokens) and passwords. Nothing here logs a secret.

pub mod master_key;
pub mod password;
pub mod secret;
