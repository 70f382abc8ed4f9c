//! Revoked access tokens: idempotent revocation, listing what still matters, purge.

use iam_store::RevokedToken;

use crate::fixture::*;
use crate::harness::Ctx;

fn revoked(jti: &str, nic: &str, expires: i64) -> RevokedToken {
    RevokedToken {
        jti: jti.into(),
        account: nic.into(),
        expires_at: t(expires),
    }
}

async fn revocations_list_while_unexpired(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    setup(s, OTHER).await;
    for r in [
        revoked("b", NIC, 20),
        revoked("a", OTHER, 10),
        revoked("c", NIC, 5),
    ] {
        s.revoke_token(&r).await.unwrap();
    }
    assert_eq!(
        s.list_revoked_tokens(t(5)).await.unwrap(),
        vec![revoked("a", OTHER, 10), revoked("b", NIC, 20)]
    );
    assert_eq!(s.list_revoked_tokens(t(0)).await.unwrap().len(), 3);
}

async fn revoking_twice_is_not_an_error(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    s.revoke_token(&revoked("a", NIC, 10)).await.unwrap();
    s.revoke_token(&revoked("a", NIC, 10)).await.unwrap();
    assert_eq!(s.list_revoked_tokens(t(0)).await.unwrap().len(), 1);
    assert_not_found(
        s.revoke_token(&revoked("z", "nobody-ovh", 10)).await,
        "account",
    );
}

async fn purge_revocations_of_expired_tokens(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    for r in [
        revoked("a", NIC, 5),
        revoked("b", NIC, 10),
        revoked("c", NIC, 11),
    ] {
        s.revoke_token(&r).await.unwrap();
    }
    assert_eq!(s.purge_revoked_tokens(t(10)).await.unwrap(), 2);
    assert_eq!(
        s.list_revoked_tokens(t(0)).await.unwrap(),
        vec![revoked("c", NIC, 11)]
    );
}

contract!(
    revocations_list_while_unexpired,
    revoking_twice_is_not_an_error,
    purge_revocations_of_expired_tokens
);
