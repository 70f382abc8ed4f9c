//! Opening and migrating: idempotence, concurrent opens on a blank database, timestamp
//! precision, and (SQLite only) the pragmas actually in effect.

use chrono::{Duration, SubsecRound};
use iam_core::role::Role;
use iam_store::StoreError;
use iam_store::sqlite::{SqlitePragmas, SqliteStore};

use crate::fixture::*;
use crate::harness::{Blank, Ctx};

async fn open_twice_applies_nothing_and_keeps_data(ctx: Ctx) {
    setup(&*ctx.store, NIC).await;
    assert_eq!(ctx.store.migrate().await.unwrap(), Vec::<String>::new());
    let again = iam_store::open(&ctx.url).await.unwrap();
    assert_eq!(again.migrate().await.unwrap(), Vec::<String>::new());
    assert_eq!(again.get_account(NIC).await.unwrap().nic, NIC);
}

async fn ping_and_backend_name(ctx: Ctx) {
    ctx.store.ping().await.unwrap();
    let expected = if ctx.url.starts_with("sqlite:") {
        "sqlite"
    } else {
        "postgres"
    };
    assert_eq!(ctx.store.backend(), expected);
}

/// Both backends keep microseconds: finer parts are truncated, never rounded.
async fn timestamps_are_truncated_to_the_microsecond(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let fine = t(1) + Duration::nanoseconds(999);
    let g = iam_store::Group {
        created_at: fine,
        updated_at: fine,
        ..group(NIC, "ops", Role::None, t(1))
    };
    s.create_group(&g).await.unwrap();
    let got = s.get_group(NIC, "ops").await.unwrap();
    assert_eq!(got.created_at, fine.trunc_subsecs(6));
    assert_eq!(got.created_at, t(1));
    // Far past and far future survive as well.
    let far = iam_store::Group {
        name: "far".into(),
        created_at: t(-1_600_000_000),
        updated_at: t(5_000_000_000),
        ..g
    };
    s.create_group(&far).await.unwrap();
    assert_eq!(s.get_group(NIC, "far").await.unwrap(), far);
}

async fn first_open_creates_and_migrates(blank: Blank) {
    let store = iam_store::open(&blank.url).await.unwrap();
    assert_eq!(store.migrate().await.unwrap(), Vec::<String>::new());
    setup(&*store, NIC).await;
}

/// Several nodes starting at once on an empty database all come up, and the schema is
/// applied exactly once.
async fn concurrent_opens_on_a_blank_database(blank: Blank) {
    let opens: Vec<_> = (0..4)
        .map(|_| {
            let url = blank.url.clone();
            tokio::spawn(async move { iam_store::open(&url).await.map(drop) })
        })
        .collect();
    for open in opens {
        open.await.unwrap().unwrap();
    }
    let store = iam_store::open(&blank.url).await.unwrap();
    assert_eq!(store.migrate().await.unwrap(), Vec::<String>::new());
    setup(&*store, NIC).await;
}

/// Runs raw SQL on the test's database, to rebuild a state only an older iamd could make.
async fn raw(url: &str, sql: &str) {
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        sqlx::raw_sql(sql).execute(&pool).await.unwrap();
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        sqlx::raw_sql(sql).execute(&pool).await.unwrap();
        pool.close().await;
    }
}

/// A database from before 0003 holding one URN in two accounts: the migration stops with a
/// message saying what to do and applies nothing; once the URN has one owner it goes through.
async fn resource_owner_migration_refuses_a_urn_in_two_accounts(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    setup(s, OTHER).await;
    raw(
        &ctx.url,
        "DROP INDEX resources_urn_unique; \
         DELETE FROM schema_migrations WHERE name = '0003_resource_owner.sql'",
    )
    .await;
    let twice = "urn:v1:eu:resource:vps:twice";
    s.upsert_resource(&resource(NIC, twice, t(1)))
        .await
        .unwrap();
    s.upsert_resource(&resource(OTHER, twice, t(2)))
        .await
        .unwrap();
    match s.migrate().await {
        Err(StoreError::Invalid(text)) => assert!(
            text.contains("0003_resource_owner")
                && text.contains("more than one account")
                && text.contains("iamd resource remove"),
            "{text}"
        ),
        other => panic!("expected the guard's refusal, got {other:?}"),
    }
    let other = resource(OTHER, "urn:v1:eu:resource:vps:other", t(3));
    s.upsert_resource(&other).await.unwrap();
    s.upsert_resource(&resource(NIC, other.urn.as_str(), t(4)))
        .await
        .unwrap();
    s.delete_resource(NIC, other.urn.as_str()).await.unwrap();
    s.delete_resource(OTHER, twice).await.unwrap();
    assert_eq!(
        s.migrate().await.unwrap(),
        vec!["0003_resource_owner.sql".to_owned()]
    );
    assert_conflict(
        s.upsert_resource(&resource(OTHER, twice, t(5))).await,
        "another account",
    );
}

contract!(
    open_twice_applies_nothing_and_keeps_data,
    resource_owner_migration_refuses_a_urn_in_two_accounts,
    ping_and_backend_name,
    timestamps_are_truncated_to_the_microsecond
);
contract_blank!(
    first_open_creates_and_migrates,
    concurrent_opens_on_a_blank_database
);

fn temp_url() -> (std::path::PathBuf, String) {
    let dir =
        std::env::temp_dir().join(format!("iamd-store-test-{}", uuid::Uuid::new_v4().simple()));
    let url = format!("sqlite:{}", dir.join("iamd.db").display());
    (dir, url)
}

#[tokio::test]
async fn sqlite_pragmas_are_in_effect() {
    let (dir, url) = temp_url();
    let store = SqliteStore::open(&url).await.unwrap();
    let pragmas = store.pragmas().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        pragmas,
        SqlitePragmas {
            journal_mode: "wal".into(),
            synchronous: 2,
            foreign_keys: true,
            busy_timeout_ms: 5000
        }
    );
}

#[tokio::test]
async fn sqlite_in_memory_works_for_tests() {
    let store = iam_store::open("sqlite::memory:").await.unwrap();
    setup(&*store, NIC).await;
    assert_eq!(store.list_groups(NIC).await.unwrap().len(), 3);
    assert_eq!(store.migrate().await.unwrap(), Vec::<String>::new());
    // Two in-memory stores are two databases.
    let other = iam_store::open("sqlite::memory:").await.unwrap();
    assert!(other.list_accounts().await.unwrap().is_empty());
}

#[tokio::test]
async fn unknown_url_scheme_is_invalid() {
    assert!(matches!(
        iam_store::open("mysql://localhost/x").await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        iam_store::open("/var/lib/iamd.db").await,
        Err(StoreError::Invalid(_))
    ));
}

#[tokio::test]
async fn unreachable_postgres_is_unavailable() {
    // Port 1 on localhost refuses at once; the pool reports it after its connect attempt.
    let result = iam_store::postgres::PostgresStore::open("postgres://nobody@127.0.0.1:1/x").await;
    assert!(
        matches!(result, Err(StoreError::Unavailable(_))),
        "{:?}",
        result.err()
    );
}
