//! The cluster's one token issuer (DESIGN.md §5): a fact stored once, by the first node to
//! start on the database, which every node then checks its `public_url` against. A token's
//! `iss` is its issuer's public URL, so two nodes with different URLs would refuse each
//! other's tokens with nothing to say why; a node that disagrees refuses to start instead.

use iam_store::{Store, StoreError};

use crate::service::context::ServiceContext;

/// The name of the fact in `cluster_facts`.
pub const ISSUER: &str = "issuer";

#[derive(Debug, thiserror::Error)]
pub enum IssuerError {
    #[error(
        "this node's public_url is {mine} but this cluster's token issuer is {stored} (stored \
         by the first node that started on this database; every node must publish one URL, \
         or tokens from one node are refused by the others). Start this node with \
         public_url = \"{stored}\" (IAMD_PUBLIC_URL or --public-url). To move the whole \
         cluster to {mine}, stop every node, run `iamd set-issuer {mine}`, then start them \
         all with that public_url (tokens issued under the old URL are refused from then on)"
    )]
    Mismatch { mine: String, stored: String },
    #[error("the issuer must be an http:// or https:// URL (got {0:?})")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// On start: stores this node's `public_url` as the issuer if none is, and refuses to go on
/// if another one is. The store's first-writer-wins claim makes two nodes starting together
/// agree on one value.
pub async fn claim(ctx: &ServiceContext) -> Result<(), IssuerError> {
    let mine = &ctx.settings.public_url;
    let stored = ctx.store.claim_cluster_fact(ISSUER, mine).await?;
    if stored == *mine {
        Ok(())
    } else {
        Err(IssuerError::Mismatch {
            mine: mine.clone(),
            stored,
        })
    }
}

/// The operator's explicit move of the cluster to `url` (`iamd set-issuer`). Returns the
/// issuer as stored (without a trailing `/`, as `public_url` is read).
pub async fn set(store: &dyn Store, url: &str) -> Result<String, IssuerError> {
    let url = url.trim().trim_end_matches('/');
    if !(url.starts_with("http://") || url.starts_with("https://"))
        || url.contains(char::is_whitespace)
    {
        return Err(IssuerError::Invalid(url.to_owned()));
    }
    store.set_cluster_fact(ISSUER, url).await?;
    Ok(url.to_owned())
}
