//! Migration 0007 and what it brings: unique service-account names within an account, the
//! account profile (`PUT /me`) written by compare-and-set, the types of an account's
//! resources, and the upgrade of a database written before it.

use iam_store::migrate::{Migration, POSTGRES, SQLITE};
use iam_store::{OAuthClient, ResourceGroup};
use serde_json::json;
use sqlx::{Connection, Executor};
use uuid::Uuid;

use crate::fixture::*;
use crate::harness::{Blank, Ctx};

async fn client_names_are_unique_within_an_account(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    setup(s, OTHER).await;
    let named = |nic: &str, id: &str, name: &str| OAuthClient {
        name: name.into(),
        ..client(nic, id, t(1))
    };
    s.create_client(&named(NIC, "c1", "ci")).await.unwrap();
    assert_conflict(
        s.create_client(&named(NIC, "c2", "ci")).await,
        "already taken",
    );
    assert_eq!(s.find_client("c2").await.unwrap(), None);
    s.create_client(&named(OTHER, "c3", "ci")).await.unwrap();
    let cd = named(NIC, "c4", "cd");
    s.create_client(&cd).await.unwrap();
    let onto_taken = OAuthClient {
        name: "ci".into(),
        ..cd.clone()
    };
    assert_conflict(s.update_client(&onto_taken).await, "already taken");
    assert_eq!(s.get_client(NIC, "c4").await.unwrap(), cd);
}

async fn account_profile_is_written_by_compare_and_set(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let empty = s.account_profile(NIC).await.unwrap();
    assert_eq!(empty, json!({}));
    let first = json!({"city": "Roubaix", "country": "BE"});
    s.set_account_profile(NIC, &empty, &first).await.unwrap();
    assert_eq!(s.account_profile(NIC).await.unwrap(), first);
    // A writer that read `{}` before the first write lost the race: refused, nothing lost.
    let stale = json!({"zip": "59100"});
    assert_conflict(
        s.set_account_profile(NIC, &empty, &stale).await,
        "changed meanwhile",
    );
    assert_eq!(s.account_profile(NIC).await.unwrap(), first);
    assert_not_found(s.account_profile("nobody-ovh").await, "account");
    assert_not_found(
        s.set_account_profile("nobody-ovh", &empty, &first).await,
        "account",
    );
}

async fn resource_types_are_the_accounts_own(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    setup(s, OTHER).await;
    let before = s.list_resource_types(NIC).await.unwrap();
    for urn in [
        "urn:v1:eu:resource:vps:v1",
        "urn:v1:eu:resource:vps:v2",
        "urn:v1:eu:resource:emailDomain:acme.com",
    ] {
        s.upsert_resource(&resource(NIC, urn, t(1))).await.unwrap();
    }
    s.upsert_resource(&resource(OTHER, "urn:v1:eu:resource:cdn:c1", t(1)))
        .await
        .unwrap();
    let mut expected = before.clone();
    expected.extend(["emailDomain".to_owned(), "vps".to_owned()]);
    expected.sort();
    assert_eq!(s.list_resource_types(NIC).await.unwrap(), expected);
    assert!(
        !s.list_resource_types(OTHER)
            .await
            .unwrap()
            .contains(&"vps".to_owned())
    );
}

contract!(
    client_names_are_unique_within_an_account,
    account_profile_is_written_by_compare_and_set,
    resource_types_are_the_accounts_own,
);

/// What a database written before 0007 may hold, in the dialect's literals: duplicate
/// service-account names, a policy and a resource group never edited (`updated_at` NULL).
fn old_rows(postgres: bool) -> String {
    let (blob, policy_id, group_id) = if postgres {
        (
            "decode('00', 'hex')",
            "'00000000-0000-0000-0000-0000000000a1'",
            "'00000000-0000-0000-0000-0000000000b1'",
        )
    } else {
        (
            "X'00'",
            "X'000000000000000000000000000000a1'",
            "X'000000000000000000000000000000b1'",
        )
    };
    let at = |s: u32| format!("'2024-01-01T00:00:{s:02}.000000Z'");
    let clients = [
        (NIC, "c-first", "ci", 1),
        (NIC, "c-later", "ci", 2),
        (NIC, "c-same-time", "ci", 2),
        (NIC, "c-other", "cd", 1),
        (OTHER, "c-elsewhere", "ci", 3),
    ];
    let mut sql = String::new();
    for nic in [NIC, OTHER] {
        sql += &format!(
            "INSERT INTO accounts (nic, plate, root_password_hash, created_at, revision) \
             VALUES ('{nic}', 'eu', 'x', {}, 0);\n",
            at(0)
        );
    }
    for (nic, id, name, s) in clients {
        sql += &format!(
            "INSERT INTO oauth_clients (client_id, account, name, description, flow, \
             callback_urls, secret_hash, created_at, updated_at) VALUES ('{id}', '{nic}', \
             '{name}', '', 'CLIENT_CREDENTIALS', '[]', {blob}, {}, {});\n",
            at(s),
            at(s)
        );
    }
    sql += &format!(
        "INSERT INTO policies (id, account, name, read_only, created_at) \
         VALUES ({policy_id}, '{NIC}', 'old', FALSE, {});\n",
        at(4)
    );
    sql += &format!(
        "INSERT INTO resource_groups (id, account, urn, name, read_only, created_at) \
         VALUES ({group_id}, '{NIC}', 'urn:v1:eu:resourceGroup:old', 'old', FALSE, {});\n",
        at(5)
    );
    sql
}

/// Applies every migration before 0007 by hand, as an older iamd did, then writes `old_rows`.
async fn older_database(url: &str) {
    let postgres = !url.starts_with("sqlite:");
    let (list, table): (&[Migration], _) = if postgres {
        (POSTGRES, "applied_at TIMESTAMPTZ NOT NULL DEFAULT now()")
    } else {
        (SQLITE, "applied_at TEXT NOT NULL DEFAULT ''")
    };
    let mut sql =
        format!("CREATE TABLE schema_migrations (name TEXT NOT NULL PRIMARY KEY, {table});\n");
    for m in list.iter().filter(|m| m.name < "0007") {
        sql += m.sql;
        sql += &format!(
            "\nINSERT INTO schema_migrations (name) VALUES ('{}');\n",
            m.name
        );
    }
    sql += &old_rows(postgres);
    if postgres {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        conn.execute(sql.as_str()).await.unwrap();
        conn.close().await.unwrap();
    } else {
        let path = url.trim_start_matches("sqlite:");
        std::fs::create_dir_all(std::path::Path::new(path).parent().unwrap()).unwrap();
        let mut conn = sqlx::SqliteConnection::connect(&format!("{url}?mode=rwc"))
            .await
            .unwrap();
        conn.execute(sql.as_str()).await.unwrap();
        conn.close().await.unwrap();
    }
}

/// The upgrade keeps the oldest service account of each name and renames the others
/// `<name> (<client id>)` (by creation time, then client id); policies and resource groups
/// never edited get `updated_at = created_at`; profiles start empty.
async fn upgrading_renames_duplicate_names_and_fills_updated_at(blank: Blank) {
    older_database(&blank.url).await;
    let store = iam_store::open(&blank.url).await.unwrap();
    let name_of = |id: &'static str| {
        let store = store.clone();
        async move { store.find_client(id).await.unwrap().unwrap().name }
    };
    assert_eq!(name_of("c-first").await, "ci");
    assert_eq!(name_of("c-later").await, "ci (c-later)");
    assert_eq!(name_of("c-same-time").await, "ci (c-same-time)");
    assert_eq!(name_of("c-other").await, "cd");
    assert_eq!(name_of("c-elsewhere").await, "ci", "another account's name");
    let policy_id = Uuid::from_u128(0xa1);
    let policy = store.get_policy(NIC, policy_id).await.unwrap();
    assert_eq!(policy.updated_at, Some(policy.created_at));
    let groups: Vec<ResourceGroup> = store.list_resource_groups(NIC).await.unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].updated_at, Some(groups[0].created_at));
    assert_eq!(store.account_profile(NIC).await.unwrap(), json!({}));
    // And the rule holds from now on.
    let again = OAuthClient {
        name: "ci".into(),
        ..client(NIC, "c-new", t(1))
    };
    assert_conflict(store.create_client(&again).await, "already taken");
}

contract_blank!(upgrading_renames_duplicate_names_and_fills_updated_at);
