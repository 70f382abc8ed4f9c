//! User-group roles. A group's role acts as a read-only system policy for its members
//! (DESIGN.md §4.6); this file owns the enum and its wire names.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Role {
    /// Acts as the account root.
    Admin,
    /// Everything except identity and policy management.
    Regular,
    /// Read-only: actions whose category is `READ`.
    Unprivileged,
    /// Nothing beyond what IAM policies grant.
    None,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Regular, Role::Unprivileged, Role::None];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "ADMIN",
            Role::Regular => "REGULAR",
            Role::Unprivileged => "UNPRIVILEGED",
            Role::None => "NONE",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}
