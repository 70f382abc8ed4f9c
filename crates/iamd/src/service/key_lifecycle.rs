//! Signing keys and revocations as the server runs them: what a node prepares on start, the
//! loop that keeps its in-memory key ring and revocation list in step with the store, and the
//! operator's `iamd keys rotate|list`. A revocation made on another node arrives on the change
//! feed at its commit (`startup.rs`); this loop, every `revision_check_ms`, is the safety net
//! (and SQLite's single node revokes in memory as it writes).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::service::context::{ServiceContext, ServiceSettings};
use crate::service::error::Result;
use crate::token::signing_key::{Algorithm, Usage, default_algorithm};

/// An unknown `kid` sends a node to the store at most this often.
pub const UNKNOWN_KID_RELOAD_INTERVAL: Duration = Duration::from_secs(1);
/// Expired revocations and keys are deleted from the store every this many refreshes.
const PURGE_EVERY: u32 = 60;

/// The longest lifetime of a token signed by any key: a retired key keeps verifying this long.
pub fn longest_token_lifetime(settings: &ServiceSettings) -> Duration {
    settings.access_token_ttl
}

/// The algorithm of new keys of `usage`: configured for OpenStack id_tokens
/// (`id_token_algorithm`), the usage's default otherwise.
pub fn algorithm_for(settings: &ServiceSettings, usage: Usage) -> Algorithm {
    match usage {
        Usage::IdToken => settings.id_token_algorithm,
        other => default_algorithm(other),
    }
}

/// On start: every usage gets an active key, and the revocation list is loaded. An active
/// id_token key of another algorithm than `id_token_algorithm` is rotated (with the usual
/// overlap), so changing the setting takes effect on the next start.
pub async fn prepare(ctx: &ServiceContext) -> Result<()> {
    let now = ctx.clock.now();
    let config = &ctx.settings;
    ctx.keys
        .ensure_active(&*ctx.store, now, |u| algorithm_for(config, u))
        .await?;
    let wanted = config.id_token_algorithm;
    if ctx
        .keys
        .active(Usage::IdToken)
        .is_some_and(|k| k.algorithm != wanted)
    {
        tracing::info!(algorithm = %wanted, "id_token_algorithm changed: rotating the id_token key");
        rotate(ctx, Usage::IdToken, Some(wanted)).await?;
    }
    refresh_revocations(ctx, now).await
}

async fn refresh_revocations(ctx: &ServiceContext, now: DateTime<Utc>) -> Result<()> {
    let stored = ctx.store.list_revoked_tokens(now).await?;
    ctx.revocations.replace(stored, now);
    Ok(())
}

/// Reloads the revocation list now (the change feed may have missed some), logging a failure.
pub async fn refresh_revocations_now(ctx: &ServiceContext) {
    if let Err(e) = refresh_revocations(ctx, ctx.clock.now()).await {
        tracing::warn!(error = %e, "could not refresh the revocation list; keeping the last one");
    }
}

/// One refresh: revocations, then keys; every `PURGE_EVERY`th time, expired rows go too.
async fn refresh(ctx: &ServiceContext, round: u32) {
    let now = ctx.clock.now();
    refresh_revocations_now(ctx).await;
    if let Err(e) = ctx.keys.reload(&*ctx.store, now).await {
        tracing::error!(error = %e, "could not reload the signing keys; keeping the last ones");
    }
    if round.is_multiple_of(PURGE_EVERY) {
        let purged = (
            ctx.store.purge_revoked_tokens(now).await,
            ctx.store.purge_signing_keys(now).await,
        );
        if let (Err(e), _) | (_, Err(e)) = purged {
            tracing::warn!(error = %e, "could not purge expired revocations or keys");
        }
    }
}

/// Runs `refresh` every `revision_check_ms` (the safety net's interval) until the task is
/// dropped.
pub async fn refresh_forever(ctx: std::sync::Arc<ServiceContext>) {
    let mut ticker = tokio::time::interval(ctx.settings.revision_check);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await; // the first tick is immediate; `prepare` has just loaded everything
    for round in 1u32.. {
        ticker.tick().await;
        refresh(&ctx, round).await;
    }
}

/// A key as `iamd keys list` prints it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyView {
    pub kid: String,
    pub algorithm: String,
    pub usage: String,
    /// `active`, `retired` (still verifies) or `expired` (verifies nothing; purged soon).
    pub status: &'static str,
    pub created_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
}

pub async fn list(ctx: &ServiceContext) -> Result<Vec<KeyView>> {
    let now = ctx.clock.now();
    let keys = ctx.store.list_signing_keys().await?;
    Ok(keys
        .into_iter()
        .map(|k| KeyView {
            status: match (k.retired_at, k.expires_at) {
                (_, Some(at)) if at <= now => "expired",
                (None, _) => "active",
                (Some(_), _) => "retired",
            },
            kid: k.kid,
            algorithm: k.algorithm.as_str().to_owned(),
            usage: k.usage.as_str().to_owned(),
            created_at: k.created_at,
            retired_at: k.retired_at,
            expires_at: k.expires_at,
        })
        .collect())
}

/// Makes a new key of `usage` active (`algorithm` defaults to `algorithm_for`); the old
/// ones verify until the longest-lived token they signed has expired. Returns the new kid.
pub async fn rotate(
    ctx: &ServiceContext,
    usage: Usage,
    algorithm: Option<Algorithm>,
) -> Result<String> {
    let algorithm = algorithm.unwrap_or(algorithm_for(&ctx.settings, usage));
    let overlap = longest_token_lifetime(&ctx.settings);
    Ok(ctx
        .keys
        .rotate(&*ctx.store, usage, algorithm, overlap, ctx.clock.now())
        .await?)
}
