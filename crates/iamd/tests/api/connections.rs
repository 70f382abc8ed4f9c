//! Slow and greedy clients: a connection that trickles its headers is closed after the
//! header-read timeout, and connections past `max_connections` wait until a slot frees up,
//! over plain HTTP and over TLS.

use std::time::Duration;

use iamd::config::ConfigLayer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{Backend, TestApp};
use crate::tls::self_signed;

/// Far longer than any timeout under test: only a server that never closes reaches it.
const HUNG: Duration = Duration::from_secs(60);

fn addr(app: &TestApp) -> String {
    app.base.rsplit("://").next().unwrap().to_owned()
}

/// Reads until the server closes the connection; what it sent meanwhile.
async fn until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let read = tokio::time::timeout(HUNG, stream.read_to_end(&mut received)).await;
    assert!(read.is_ok(), "the server still holds the connection");
    received
}

#[tokio::test]
async fn a_connection_that_trickles_its_headers_is_closed() {
    let overrides = ConfigLayer {
        header_read_timeout_secs: Some(1),
        ..ConfigLayer::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("iamd.db").display());
    let app = TestApp::start_with(Backend::Sqlite, dir.path().to_owned(), url, overrides).await;
    let mut stream = TcpStream::connect(addr(&app)).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHo")
        .await
        .unwrap();
    let received = until_closed(&mut stream).await;
    assert!(!String::from_utf8_lossy(&received).contains("200 OK"));
    // A keep-alive connection left idle after its request is closed the same way.
    let mut stream = TcpStream::connect(addr(&app)).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let received = until_closed(&mut stream).await;
    assert!(String::from_utf8_lossy(&received).starts_with("HTTP/1.1 200"));
    // The server still serves everyone else.
    assert_eq!(app.get("/healthz", None).await.status(), 200);
}

#[tokio::test]
async fn a_tls_client_that_never_finishes_its_handshake_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed(dir.path());
    let overrides = ConfigLayer {
        tls_cert: Some(cert),
        tls_key: Some(key),
        ..ConfigLayer::default()
    };
    let url = format!("sqlite:{}", dir.path().join("iamd.db").display());
    let app = TestApp::start_with(Backend::Sqlite, dir.path().to_owned(), url, overrides).await;
    let mut stream = TcpStream::connect(addr(&app)).await.unwrap();
    stream.write_all(&[0x16, 0x03, 0x01]).await.unwrap();
    until_closed(&mut stream).await;
    assert_eq!(app.get("/healthz", None).await.status(), 200);
}

#[tokio::test]
async fn connections_past_the_bound_wait_for_a_free_slot() {
    let overrides = ConfigLayer {
        max_connections: Some(2),
        ..ConfigLayer::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("iamd.db").display());
    let app = TestApp::start_with(Backend::Sqlite, dir.path().to_owned(), url, overrides).await;
    // Two silent connections take both slots.
    let mut greedy = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(addr(&app)).await.unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\n")
            .await
            .unwrap();
        greedy.push(stream);
    }
    // A third is accepted by the kernel but not served while they hold on.
    let client = reqwest::Client::new();
    let url = format!("{}/healthz", app.base);
    let waiting = tokio::spawn(async move { client.get(url).send().await.unwrap().status() });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "served past the bound");
    // Once one lets go, it is served.
    drop(greedy.pop());
    let status = tokio::time::timeout(HUNG, waiting).await.unwrap().unwrap();
    assert_eq!(status, 200);
}
