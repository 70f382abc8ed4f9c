//! `Write`: the changes an identity makes through the API or the console, each applied by
//! `Store::write` in one transaction with its audit line; `Written`: what one gives back.

use iam_core::policy::{PermissionsGroup, Policy};
use uuid::Uuid;

use crate::record::{
    AccessTokenRecord, DeclaredAction, Group, OAuthClient, Resource, ResourceGroup,
    ResourceProvider, User,
};

/// One change an identity makes through the API or the console (see `Store::write`).
/// Each variant does exactly what the single-purpose method of the same name does.
#[derive(Debug, Clone, Copy)]
pub enum Write<'a> {
    CreateUser(&'a User),
    UpdateUser(&'a User),
    DeleteUser {
        account: &'a str,
        login: &'a str,
    },
    CreateGroup(&'a Group),
    UpdateGroup(&'a Group),
    DeleteGroup {
        account: &'a str,
        name: &'a str,
    },
    CreateClient(&'a OAuthClient),
    UpdateClient(&'a OAuthClient),
    DeleteClient {
        account: &'a str,
        client_id: &'a str,
    },
    CreateToken(&'a AccessTokenRecord),
    UpdateToken(&'a AccessTokenRecord),
    DeleteToken {
        account: &'a str,
        user: Option<&'a str>,
        name: &'a str,
    },
    CreatePolicy(&'a Policy),
    ReplacePolicy(&'a Policy),
    DeletePolicy {
        account: &'a str,
        id: Uuid,
    },
    UpsertResource(&'a Resource),
    DeleteResource {
        account: &'a str,
        urn: &'a str,
    },
    CreateResourceGroup(&'a ResourceGroup),
    ReplaceResourceGroup(&'a ResourceGroup),
    DeleteResourceGroup {
        account: &'a str,
        id: Uuid,
    },
    CreatePermissionsGroup(&'a PermissionsGroup),
    ReplacePermissionsGroup(&'a PermissionsGroup),
    DeletePermissionsGroup {
        account: &'a str,
        urn: &'a str,
    },
    CreateProvider(&'a ResourceProvider),
    DeleteProvider {
        name: &'a str,
    },
    ReplaceDeclaredActions {
        resource_type: &'a str,
        actions: &'a [DeclaredAction],
    },
    SetAccountProfile {
        nic: &'a str,
        expected: &'a serde_json::Value,
        profile: &'a serde_json::Value,
    },
    SetRootPassword {
        nic: &'a str,
        password_hash: &'a str,
    },
    RotateRoot {
        nic: &'a str,
        password_hash: &'a str,
        root_token: &'a AccessTokenRecord,
    },
}

/// What a write gives back: `Resource` for `UpsertResource` (the stored row), `Done` otherwise.
#[derive(Debug, Clone, PartialEq)]
pub enum Written {
    Done,
    Resource(Resource),
}

impl Write<'_> {
    /// The account whose data the write changes, so that the caller knows which account's
    /// caches to drop; `None` for providers and their actions, which belong to no account.
    pub fn account(&self) -> Option<&str> {
        match self {
            Write::CreateUser(u) | Write::UpdateUser(u) => Some(&u.account),
            Write::CreateGroup(g) | Write::UpdateGroup(g) => Some(&g.account),
            Write::CreateClient(c) | Write::UpdateClient(c) => Some(&c.account),
            Write::CreateToken(t) | Write::UpdateToken(t) => Some(&t.account),
            Write::CreatePolicy(p) | Write::ReplacePolicy(p) => Some(&p.owner),
            Write::UpsertResource(r) => Some(&r.account),
            Write::CreateResourceGroup(g) | Write::ReplaceResourceGroup(g) => Some(&g.account),
            Write::CreatePermissionsGroup(g) | Write::ReplacePermissionsGroup(g) => Some(&g.owner),
            Write::DeleteUser { account, .. }
            | Write::DeleteGroup { account, .. }
            | Write::DeleteClient { account, .. }
            | Write::DeleteToken { account, .. }
            | Write::DeletePolicy { account, .. }
            | Write::DeleteResource { account, .. }
            | Write::DeleteResourceGroup { account, .. }
            | Write::DeletePermissionsGroup { account, .. } => Some(account),
            Write::SetAccountProfile { nic, .. }
            | Write::SetRootPassword { nic, .. }
            | Write::RotateRoot { nic, .. } => Some(nic),
            Write::CreateProvider(_)
            | Write::DeleteProvider { .. }
            | Write::ReplaceDeclaredActions { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_writes_belong_to_no_account() {
        let delete = Write::DeleteUser {
            account: "xx1111-ovh",
            login: "alice",
        };
        assert_eq!(delete.account(), Some("xx1111-ovh"));
        let profile = serde_json::json!({});
        let set = Write::SetAccountProfile {
            nic: "yy2222-ovh",
            expected: &profile,
            profile: &profile,
        };
        assert_eq!(set.account(), Some("yy2222-ovh"));
        assert_eq!(Write::DeleteProvider { name: "p" }.account(), None);
    }
}
