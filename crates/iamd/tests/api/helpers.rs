//! `TestApp`: the real server, in-process on 127.0.0.1:0, over a fresh database: a temporary
//! SQLite file always, and a fresh PostgreSQL database per test where
//! `IAMD_TEST_POSTGRES_URL` is set.

use std::path::PathBuf;

use iam_core::urn::Plate;
use iamd::clock::Clock;
use iamd::config::{Argon2Params, Config, ConfigLayer};
use iamd::service::accounts::{self, CreatedAccount};
use iamd::startup::Application;
use iamd::state::AppState;
use reqwest::{Method, RequestBuilder, Response};
use serde_json::Value;
use tokio::sync::oneshot;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The backends this run can test: SQLite always, PostgreSQL where configured.
pub fn backends() -> Vec<Backend> {
    let mut list = vec![Backend::Sqlite];
    if postgres_url().is_some() {
        list.push(Backend::Postgres);
    } else {
        eprintln!("NOTE: IAMD_TEST_POSTGRES_URL is not set: PostgreSQL half of this test skipped");
    }
    list
}

pub fn postgres_url() -> Option<String> {
    std::env::var("IAMD_TEST_POSTGRES_URL")
        .ok()
        .filter(|v| !v.is_empty())
}

/// A fresh PostgreSQL database, dropped (best effort) with the guard.
pub struct PgDatabase {
    admin_url: String,
    pub name: String,
    pub url: String,
}

impl PgDatabase {
    pub async fn create() -> PgDatabase {
        let admin_url = postgres_url().expect("IAMD_TEST_POSTGRES_URL");
        let name = format!("iamd_api_{}", uuid::Uuid::new_v4().simple());
        run_psql(&admin_url, &format!("CREATE DATABASE {name}")).await;
        let url = match admin_url.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{name}"),
            None => panic!("IAMD_TEST_POSTGRES_URL has no database part"),
        };
        PgDatabase {
            admin_url,
            name,
            url,
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin = self.admin_url.clone();
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        // psql keeps tests free of a second SQL client crate; a leftover database is harmless.
        let _ = std::process::Command::new("psql")
            .arg(&admin)
            .arg("-qc")
            .arg(&sql)
            .output();
    }
}

async fn run_psql(url: &str, sql: &str) {
    let out = std::process::Command::new("psql")
        .arg(url)
        .arg("-qc")
        .arg(sql)
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "psql {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub struct TestApp {
    pub backend: Backend,
    pub base: String,
    pub state: AppState,
    pub client: reqwest::Client,
    pub data_dir: PathBuf,
    pub database_url: String,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _tempdir: Option<tempfile::TempDir>,
    _pg: Option<PgDatabase>,
}

/// Test configuration: port 0, cheap password hashing, everything under `data_dir`, with
/// the settings of `overrides` on top.
pub fn test_config_with(
    data_dir: &std::path::Path,
    database_url: &str,
    overrides: ConfigLayer,
) -> Config {
    let base = ConfigLayer {
        listen: Some("127.0.0.1:0".parse().unwrap()),
        data_dir: Some(data_dir.to_owned()),
        database_url: Some(database_url.to_owned()),
        argon2: Some(Argon2Params {
            memory_kib: 256,
            iterations: 1,
            parallelism: 1,
        }),
        log_level: Some("warn".into()),
        ..ConfigLayer::default()
    };
    Config::resolve(base.merge(overrides)).unwrap()
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        TestApp::spawn_with(backend, ConfigLayer::default()).await
    }

    /// A server over a fresh database, with the settings of `overrides`.
    pub async fn spawn_with(backend: Backend, overrides: ConfigLayer) -> TestApp {
        TestApp::spawn_on(backend, overrides, Clock::system()).await
    }

    /// A server over a fresh database whose time is `clock`'s: a test moves a manual clock
    /// forward instead of sleeping.
    pub async fn spawn_on(backend: Backend, overrides: ConfigLayer, clock: Clock) -> TestApp {
        let tempdir = tempfile::tempdir().unwrap();
        let data_dir = tempdir.path().to_owned();
        let (database_url, pg) = match backend {
            Backend::Sqlite => (
                format!("sqlite:{}", data_dir.join("iamd.db").display()),
                None,
            ),
            Backend::Postgres => {
                let db = PgDatabase::create().await;
                (db.url.clone(), Some(db))
            }
        };
        let mut app = TestApp::start_on(backend, data_dir, database_url, overrides, clock).await;
        app._tempdir = Some(tempdir);
        app._pg = pg;
        app
    }

    /// Starts a server over an existing data directory and database (a restart).
    pub async fn start(backend: Backend, data_dir: PathBuf, database_url: String) -> TestApp {
        TestApp::start_with(backend, data_dir, database_url, ConfigLayer::default()).await
    }

    /// Another server over this one's data directory and database: a second node.
    pub async fn another_node(&self, overrides: ConfigLayer) -> TestApp {
        let (dir, url) = (self.data_dir.clone(), self.database_url.clone());
        TestApp::start_with(self.backend, dir, url, overrides).await
    }

    pub async fn start_with(
        backend: Backend,
        data_dir: PathBuf,
        database_url: String,
        overrides: ConfigLayer,
    ) -> TestApp {
        TestApp::start_on(backend, data_dir, database_url, overrides, Clock::system()).await
    }

    async fn start_on(
        backend: Backend,
        data_dir: PathBuf,
        database_url: String,
        overrides: ConfigLayer,
        clock: Clock,
    ) -> TestApp {
        iamd::telemetry::init(iamd::config::LogFormat::Text, "warn");
        let config = test_config_with(&data_dir, &database_url, overrides);
        let application = Application::build_with(config, clock)
            .await
            .expect("server builds");
        let addr = application.local_addr().unwrap();
        let state = application.state().clone();
        let (tx, rx) = oneshot::channel();
        let server = tokio::spawn(application.run_until(async {
            let _ = rx.await;
        }));
        // With `tls_cert`/`tls_key`, the client trusts exactly that (self-signed) certificate.
        let (scheme, client) = match &state.config.tls {
            Some(files) => {
                let pem = std::fs::read(&files.cert).unwrap();
                let root = reqwest::Certificate::from_pem(&pem).unwrap();
                let client = reqwest::Client::builder()
                    .add_root_certificate(root)
                    .build()
                    .unwrap();
                ("https", client)
            }
            None => ("http", reqwest::Client::new()),
        };
        TestApp {
            backend,
            base: format!("{scheme}://{addr}"),
            state,
            client,
            data_dir,
            database_url,
            shutdown: Some(tx),
            server: Some(server),
            _tempdir: None,
            _pg: None,
        }
    }

    /// Stops the server gracefully and starts a new one over the same data.
    pub async fn restart(mut self) -> TestApp {
        self.stop().await;
        let mut next = TestApp::start(
            self.backend,
            self.data_dir.clone(),
            self.database_url.clone(),
        )
        .await;
        next._tempdir = self._tempdir.take();
        next._pg = self._pg.take();
        next
    }

    pub async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.unwrap().unwrap();
        }
    }

    /// Creates an account through the same service `iamd account create` uses.
    pub async fn create_account(&self, nic: &str) -> CreatedAccount {
        accounts::create(
            &*self.state.store,
            &self.state.secrets,
            &self.state.passwords,
            nic,
            Plate::Eu,
            chrono::Utc::now(),
        )
        .await
        .expect("account created")
    }

    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let builder = self
            .client
            .request(method, format!("{}{}", self.base, path));
        match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::GET, path, token).send().await.unwrap()
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.request(Method::POST, path, token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.request(Method::PUT, path, token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::DELETE, path, token)
            .send()
            .await
            .unwrap()
    }
}

/// Reads a response as (status, JSON body), failing the test on a non-JSON body.
pub async fn json(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("non-JSON body ({e}): {text:?}"));
    (status, body)
}

/// Asserts the OVH error shape and returns the body.
pub async fn expect_error(response: Response, status: u16, class: &str) -> Value {
    let query_id = response.headers().get("x-ovh-queryid").is_some();
    let (got, body) = json(response).await;
    assert_eq!(got, status, "body: {body}");
    assert_eq!(body["class"], class, "body: {body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "body: {body}"
    );
    assert!(query_id, "every response carries X-Ovh-QueryID");
    body
}
