//! The `iamd` binary itself: account commands, configuration, migrations, serving and
//! graceful shutdown, and logs that never hold a secret.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

fn iamd(data_dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_iamd"));
    command
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("IAMD_MASTER_KEY")
        .env_remove("IAMD_DATABASE_URL");
    command
}

fn create_account(data_dir: &std::path::Path, nic: &str) -> Value {
    let out = iamd(data_dir)
        .args(["account", "create", "--nic", nic])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object on stdout")
}

/// A running `iamd serve` on a random port; killed if the test forgets.
pub struct Served {
    pub child: Child,
    pub base: String,
    pub stderr: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Served {
    /// Stops the server gracefully and returns every line it wrote: the pipe is read to its
    /// end, so nothing the server logged is still in flight.
    pub fn finish(mut self) -> Vec<String> {
        signal(&self.child, "TERM");
        let _ = self.child.wait();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `iamd serve` and waits for its ready line, which names the bound address.
pub fn serve(mut command: Command) -> Served {
    command.args(["--log-format", "json", "serve", "--listen", "127.0.0.1:0"]);
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let stderr = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut addr = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        stderr.lock().unwrap().push(line.clone());
        let parsed: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
        if parsed["message"] == "iamd ready" {
            addr = parsed["addr"].as_str().map(str::to_owned);
            break;
        }
    }
    let addr =
        addr.unwrap_or_else(|| panic!("server never became ready: {:?}", stderr.lock().unwrap()));
    let sink = stderr.clone();
    let reader = std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    Served {
        child,
        base: format!("http://{addr}"),
        stderr,
        reader: Some(reader),
    }
}

pub fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn account_create_prints_credentials_once_and_refuses_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let created = create_account(dir.path(), "xx1111-ovh");
    let keys: Vec<&str> = created
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["account", "password", "token", "urn"]);
    assert_eq!(created["urn"], "urn:v1:eu:identity:account:xx1111-ovh");

    let again = iamd(dir.path())
        .args(["account", "create", "--nic", "xx1111-ovh"])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert!(again.stdout.is_empty(), "no second set of credentials");

    let ca = iamd(dir.path())
        .args(["account", "create", "--nic", "cc2222-ovh", "--plate", "ca"])
        .output()
        .unwrap();
    let ca: Value = serde_json::from_slice(&ca.stdout).unwrap();
    assert_eq!(ca["urn"], "urn:v1:ca:identity:account:cc2222-ovh");

    let list = iamd(dir.path()).args(["account", "list"]).output().unwrap();
    let lines: Vec<Value> = String::from_utf8_lossy(&list.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let nics: Vec<&str> = lines
        .iter()
        .map(|l| l["account"].as_str().unwrap())
        .collect();
    assert_eq!(nics, ["xx1111-ovh", "cc2222-ovh"]);
    assert_eq!(lines[1]["plate"], "ca");
}

#[test]
fn bad_account_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = iamd(dir.path())
        .args(["account", "create", "--nic", "Not Valid"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("malformed"));
}

#[test]
fn check_config_folds_layers_and_redacts_the_master_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("iamd.toml");
    std::fs::write(&file, "plate = 'ca'\nlisten = '127.0.0.1:9999'\n").unwrap();
    let key = "a".repeat(64);
    let out = iamd(dir.path())
        .args(["--config", file.to_str().unwrap(), "check-config"])
        .env("IAMD_MASTER_KEY", &key)
        .env("IAMD_LISTEN", "127.0.0.1:7777")
        .env("IAMD_LISTN", "typo")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Ca") && stdout.contains("127.0.0.1:7777"),
        "{stdout}"
    );
    assert!(!stdout.contains(&key), "master key must be redacted");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("IAMD_LISTN"),
        "unknown variables are warned about"
    );

    std::fs::write(&file, "listn = '127.0.0.1:1'\n").unwrap();
    let bad = iamd(dir.path())
        .args(["--config", file.to_str().unwrap(), "check-config"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("listn"));
}

#[test]
fn migrate_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let out = iamd(dir.path()).arg("migrate").output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn serve_uses_cli_tokens_logs_no_secret_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let created = create_account(dir.path(), "xx1111-ovh");
    let token = created["token"].as_str().unwrap().to_owned();
    let mut command = iamd(dir.path());
    command.args(["--log-level", "debug"]);
    let mut served = serve(command);

    assert_eq!(get_me(&served.base, &token), 200);

    signal(&served.child, "TERM");
    let status = served.child.wait().unwrap();
    assert!(
        status.success(),
        "graceful shutdown exits 0, got {status:?}"
    );
    let logs = served.stderr.lock().unwrap().join("\n");
    assert!(logs.contains("shutting down"), "{logs}");
    assert!(!logs.contains(&token), "a secret reached the logs");
    assert!(!logs.contains(created["password"].as_str().unwrap()));
}

/// `GET /1.0/me` from a synchronous test.
fn get_me(base: &str, token: &str) -> u16 {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::new();
        client
            .get(format!("{base}/1.0/me"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    })
}

#[test]
fn rotate_root_prints_new_credentials_once_and_the_old_ones_stop_working() {
    let dir = tempfile::tempdir().unwrap();
    let created = create_account(dir.path(), "xx1111-ovh");
    let old_token = created["token"].as_str().unwrap().to_owned();

    let out = iamd(dir.path())
        .args(["account", "rotate-root", "--nic", "xx1111-ovh"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rotated: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let keys: Vec<&str> = rotated
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["account", "password", "token", "urn"]);
    let new_token = rotated["token"].as_str().unwrap();
    assert_ne!(new_token, old_token);
    assert_ne!(rotated["password"], created["password"]);

    let missing = iamd(dir.path())
        .args(["account", "rotate-root", "--nic", "zz9999-ovh"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(
        missing.stdout.is_empty(),
        "no credentials for a missing account"
    );
    assert!(String::from_utf8_lossy(&missing.stderr).contains("zz9999-ovh"));

    let served = serve(iamd(dir.path()));
    assert_eq!(get_me(&served.base, &old_token), 401);
    assert_eq!(get_me(&served.base, new_token), 200);
    let logs = served.stderr.lock().unwrap().join("\n");
    assert!(!logs.contains(new_token), "a secret reached the logs");
}
