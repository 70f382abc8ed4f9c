//! Durability: SIGKILL the server in the middle of a stream of acknowledged writes, restart
//! it, and find every acknowledged write present and complete, and nothing half-written.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{Value, json};

use crate::cli::{serve, signal};
use crate::helpers::{PgDatabase, postgres_url};

/// Writes acknowledged before the kill.
const ACKNOWLEDGED_BEFORE_KILL: usize = 60;
/// Writers running at once, so that some writes are in flight when the process dies.
const WRITERS: usize = 4;

fn command(data_dir: &std::path::Path, database_url: &str) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_iamd"));
    command
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--database")
        .arg(database_url);
    command.env_remove("IAMD_MASTER_KEY");
    command
}

async fn kill_mid_stream_and_recover(data_dir: &std::path::Path, database_url: &str) {
    let out = command(data_dir, database_url)
        .args(["account", "create", "--nic", "xx1111-ovh"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = serde_json::from_slice::<Value>(&out.stdout).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut served = serve(command(data_dir, database_url));
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(BTreeSet::new()));
    let mut writers = Vec::new();
    for writer in 0..WRITERS {
        let (base, token, acknowledged) =
            (served.base.clone(), token.clone(), acknowledged.clone());
        writers.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            for n in 0.. {
                let name = format!("g{writer}-{n}");
                let body = json!({"name": name, "description": format!("written by {writer}"), "role": "UNPRIVILEGED"});
                let sent = client.post(format!("{base}/1.0/me/identity/group")).bearer_auth(&token).json(&body).send();
                match sent.await {
                    Ok(response) if response.status() == 200 => {
                        acknowledged.lock().unwrap().insert(name);
                    }
                    _ => break, // the server is gone
                }
            }
        }));
    }
    while acknowledged.lock().unwrap().len() < ACKNOWLEDGED_BEFORE_KILL {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    signal(&served.child, "KILL");
    served.child.wait().unwrap();
    for writer in writers {
        writer.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();

    let restarted = serve(command(data_dir, database_url));
    let client = reqwest::Client::new();
    let url = format!("{}/1.0/me/identity/group", restarted.base);
    let names: Vec<String> = client
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let present: BTreeSet<String> = names.into_iter().filter(|n| n.starts_with('g')).collect();
    let lost: Vec<_> = acknowledged.difference(&present).collect();
    assert!(
        lost.is_empty(),
        "acknowledged writes lost after SIGKILL: {lost:?}"
    );
    for name in &present {
        let group: Value = client
            .get(format!("{url}/{name}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let writer = name[1..].split('-').next().unwrap();
        assert_eq!(
            group["description"],
            format!("written by {writer}"),
            "half-written group {name}: {group}"
        );
        assert_eq!(
            group["role"], "UNPRIVILEGED",
            "half-written group {name}: {group}"
        );
    }
}

#[tokio::test]
async fn sigkill_loses_no_acknowledged_write_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("iamd.db").display());
    kill_mid_stream_and_recover(dir.path(), &url).await;
}

#[tokio::test]
async fn sigkill_loses_no_acknowledged_write_on_postgres() {
    if postgres_url().is_none() {
        eprintln!("NOTE: IAMD_TEST_POSTGRES_URL is not set: PostgreSQL crash test skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = PgDatabase::create().await;
    kill_mid_stream_and_recover(dir.path(), &db.url).await;
}
