//! Enums kept as text (a client's flow, a signing key's usage and algorithm) read back as
//! written, and a text the store does not know reads as `Invalid`, never as a guess.

use iam_store::{ClientFlow, KeyAlgorithm, KeyUsage, SigningKey, StoreError};
use sqlx::{Connection, Executor};

use crate::fixture::*;
use crate::harness::Ctx;

/// Runs `sql` on a connection of its own, as another program editing the database would.
async fn raw(url: &str, sql: &str) {
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
        conn.execute(sql).await.unwrap();
        conn.close().await.unwrap();
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        conn.execute(sql).await.unwrap();
        conn.close().await.unwrap();
    }
}

#[track_caller]
fn assert_invalid<T: std::fmt::Debug>(result: Result<T, StoreError>, words: &str) {
    match result {
        Err(StoreError::Invalid(text)) => assert!(text.contains(words), "{text:?} lacks {words:?}"),
        other => panic!("expected Invalid({words}), got {other:?}"),
    }
}

async fn every_flow_usage_and_algorithm_reads_back(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    for (n, flow) in ClientFlow::ALL.into_iter().enumerate() {
        let c = iam_store::OAuthClient {
            flow,
            ..client(NIC, &format!("c{n}"), t(1))
        };
        s.create_client(&c).await.unwrap();
        assert_eq!(s.get_client(NIC, &c.client_id).await.unwrap().flow, flow);
    }
    let mut written = Vec::new();
    for (n, algorithm) in KeyAlgorithm::ALL.into_iter().enumerate() {
        for usage in KeyUsage::ALL {
            let k = SigningKey {
                algorithm,
                usage,
                retired_at: Some(t(2)),
                ..signing_key(&format!("k{n}-{usage}"), "access_token", t(1))
            };
            s.insert_signing_key(&k).await.unwrap();
            written.push(k);
        }
    }
    written.sort_by(|a, b| a.kid.cmp(&b.kid));
    assert_eq!(s.list_signing_keys().await.unwrap(), written);
}

async fn an_unknown_stored_flow_usage_or_algorithm_is_invalid(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    s.create_client(&client(NIC, "c1", t(1))).await.unwrap();
    raw(&ctx.url, "UPDATE oauth_clients SET flow = 'IMPLICIT'").await;
    assert_invalid(s.get_client(NIC, "c1").await, "IMPLICIT");

    s.insert_signing_key(&signing_key("k1", "access_token", t(1)))
        .await
        .unwrap();
    raw(&ctx.url, "UPDATE signing_keys SET usage = 'refresh_token'").await;
    assert_invalid(s.list_signing_keys().await, "refresh_token");
    raw(
        &ctx.url,
        "UPDATE signing_keys SET usage = 'access_token', algorithm = 'HS256'",
    )
    .await;
    assert_invalid(s.list_signing_keys().await, "HS256");
}

contract!(
    every_flow_usage_and_algorithm_reads_back,
    an_unknown_stored_flow_usage_or_algorithm_is_invalid,
);
