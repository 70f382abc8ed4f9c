//! The one write path: every [`Write`] runs in one write transaction together with its
//! audit line, so an acknowledged change always has its line and a refused one never does.
//! Change notifications (PostgreSQL) are queued inside that transaction and sent at commit.

use super::{
    Adapter, Conn, accounts, audit, clients, groups, permissions_groups, policies, providers,
    resource_groups, resources, tokens, users, write_tx,
};
use crate::error::db;
use crate::{AuditEntry, Result, Write, Written};

impl Adapter {
    /// Applies `write`, then appends `audit` if any, and commits; on any error the
    /// transaction rolls back whole (dropped uncommitted).
    pub(super) async fn apply(
        &self,
        write: Write<'_>,
        audit: Option<&AuditEntry>,
    ) -> Result<Written> {
        let mut tx = write_tx(&self.pool).await?;
        let written = dispatch(&mut tx, write).await?;
        if let Some(entry) = audit {
            audit::append(&mut tx, entry).await?;
        }
        tx.commit().await.map_err(db)?;
        Ok(written)
    }
}

async fn dispatch(conn: &mut Conn, write: Write<'_>) -> Result<Written> {
    match write {
        Write::CreateUser(u) => users::create(conn, u).await?,
        Write::UpdateUser(u) => users::update(conn, u).await?,
        Write::DeleteUser { account, login } => users::delete(conn, account, login).await?,
        Write::CreateGroup(g) => groups::create(conn, g).await?,
        Write::UpdateGroup(g) => groups::update(conn, g).await?,
        Write::DeleteGroup { account, name } => groups::delete(conn, account, name).await?,
        Write::CreateClient(c) => clients::create(conn, c).await?,
        Write::UpdateClient(c) => clients::update(conn, c).await?,
        Write::DeleteClient { account, client_id } => {
            clients::delete(conn, account, client_id).await?
        }
        Write::CreateToken(t) => tokens::insert(conn, t).await?,
        Write::UpdateToken(t) => tokens::update(conn, t).await?,
        Write::DeleteToken {
            account,
            user,
            name,
        } => tokens::delete(conn, account, user, name).await?,
        Write::CreatePolicy(p) => policies::create(conn, p).await?,
        Write::ReplacePolicy(p) => policies::replace(conn, p).await?,
        Write::DeletePolicy { account, id } => policies::delete(conn, account, id).await?,
        Write::UpsertResource(r) => return resources::upsert(conn, r).await.map(Written::Resource),
        Write::DeleteResource { account, urn } => resources::delete(conn, account, urn).await?,
        Write::CreateResourceGroup(g) => resource_groups::create(conn, g).await?,
        Write::ReplaceResourceGroup(g) => resource_groups::replace(conn, g).await?,
        Write::DeleteResourceGroup { account, id } => {
            resource_groups::delete(conn, account, id).await?
        }
        Write::CreatePermissionsGroup(g) => permissions_groups::create(conn, g).await?,
        Write::ReplacePermissionsGroup(g) => permissions_groups::replace(conn, g).await?,
        Write::DeletePermissionsGroup { account, urn } => {
            permissions_groups::delete(conn, account, urn).await?
        }
        Write::CreateProvider(p) => providers::create(conn, p).await?,
        Write::DeleteProvider { name } => providers::delete(conn, name).await?,
        Write::ReplaceDeclaredActions {
            resource_type,
            actions,
        } => providers::replace_actions(conn, resource_type, actions).await?,
        Write::SetAccountProfile {
            nic,
            expected,
            profile,
        } => accounts::set_profile(conn, nic, expected, profile).await?,
        Write::SetRootPassword { nic, password_hash } => {
            accounts::set_root_password(conn, nic, password_hash).await?
        }
        Write::RotateRoot {
            nic,
            password_hash,
            root_token,
        } => accounts::rotate_root(conn, nic, password_hash, root_token).await?,
    }
    Ok(Written::Done)
}
