//! Where each contract test runs: a fresh SQLite file in a fresh temporary folder, or a
//! fresh PostgreSQL database, removed afterwards (best effort) whether the test passed or not.

use std::future::Future;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use iam_store::Store;
use sqlx::{Connection, Executor, PgConnection};
use uuid::Uuid;

pub const POSTGRES_URL_VAR: &str = "IAMD_TEST_POSTGRES_URL";

/// An opened, migrated store, and the URL it was opened from (to open it again).
pub struct Ctx {
    pub store: Arc<dyn Store>,
    pub url: String,
}

/// A URL naming a database that exists (PostgreSQL) or may not (SQLite), with no schema.
pub struct Blank {
    pub url: String,
}

pub async fn sqlite<F, Fut>(test: F)
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = sqlite_dir();
    let url = sqlite_url(&dir);
    let store = iam_store::open(&url).await.unwrap();
    let outcome = tokio::spawn(test(Ctx { store, url })).await;
    let _ = std::fs::remove_dir_all(&dir);
    rethrow(outcome);
}

pub async fn sqlite_blank<F, Fut>(test: F)
where
    F: FnOnce(Blank) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = sqlite_dir();
    let outcome = tokio::spawn(test(Blank {
        url: sqlite_url(&dir),
    }))
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    rethrow(outcome);
}

pub async fn postgres<F, Fut>(name: &str, test: F)
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(base) = postgres_base(name) else {
        return;
    };
    let db = create_database(&base).await;
    let url = with_database(&base, &db);
    let outcome = match iam_store::open(&url).await {
        Ok(store) => tokio::spawn(test(Ctx { store, url })).await,
        Err(e) => tokio::spawn(async move { panic!("opening {url}: {e}") }).await,
    };
    drop_database(&base, &db).await;
    rethrow(outcome);
}

pub async fn postgres_blank<F, Fut>(name: &str, test: F)
where
    F: FnOnce(Blank) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(base) = postgres_base(name) else {
        return;
    };
    let db = create_database(&base).await;
    let outcome = tokio::spawn(test(Blank {
        url: with_database(&base, &db),
    }))
    .await;
    drop_database(&base, &db).await;
    rethrow(outcome);
}

/// Each test gets its own folder; the file itself does not exist yet (the store creates it).
fn sqlite_dir() -> PathBuf {
    std::env::temp_dir().join(format!("iamd-store-test-{}", Uuid::new_v4().simple()))
}

fn sqlite_url(dir: &std::path::Path) -> String {
    format!("sqlite:{}", dir.join("data").join("iamd.db").display())
}

/// The server URL, or `None` after a skip line that libtest's capture cannot swallow.
fn postgres_base(name: &str) -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {name}: {POSTGRES_URL_VAR} is not set, the PostgreSQL contract did NOT run \
                 (e.g. {POSTGRES_URL_VAR}=postgres://postgres@127.0.0.1:5432/test)"
            );
            None
        }
    }
}

async fn create_database(base: &str) -> String {
    let name = format!("iamd_test_{}", Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(base).await.unwrap();
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    let _ = admin.close().await;
    name
}

async fn drop_database(base: &str, name: &str) {
    if let Ok(mut admin) = PgConnection::connect(base).await {
        // FORCE: the store's pool may still hold connections while it winds down.
        let _ = admin
            .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
            .await;
        let _ = admin.close().await;
    }
}

/// `base` with its database name replaced, keeping user, host and query parameters.
fn with_database(base: &str, db: &str) -> String {
    let (head, query) = match base.split_once('?') {
        Some((head, query)) => (head, Some(query)),
        None => (base, None),
    };
    let after_scheme = head.find("://").map_or(0, |i| i + 3);
    let path = head[after_scheme..]
        .find('/')
        .map_or(head.len(), |i| after_scheme + i);
    let mut url = format!("{}/{db}", &head[..path]);
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    url
}

fn rethrow(outcome: Result<(), tokio::task::JoinError>) {
    if let Err(e) = outcome {
        match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(e) => panic!("test task failed: {e}"),
        }
    }
}

#[test]
fn database_name_is_replaced() {
    assert_eq!(
        with_database("postgres://u@h:5432/test", "x"),
        "postgres://u@h:5432/x"
    );
    assert_eq!(
        with_database("postgres://u@h/test?sslmode=disable", "x"),
        "postgres://u@h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
}
