//! `iamd serve` over HTTPS (`tls_cert`/`tls_key`): the role adapter answers over TLS with the
//! configured certificate, plain HTTP gets no answer, and the server still stops gracefully.

use iamd::config::ConfigLayer;

use crate::helpers::{TestApp, backends, json};
use crate::role_adapter::adapter_path;

/// A self-signed certificate for 127.0.0.1 and localhost, written as PEM files in `dir`.
pub fn self_signed(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let names = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
    let certified = rcgen::generate_simple_self_signed(names).unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    (cert, key)
}

#[tokio::test]
async fn serves_https_with_the_configured_certificate() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = self_signed(dir.path());
        let tls = ConfigLayer {
            tls_cert: Some(cert),
            tls_key: Some(key),
            ..Default::default()
        };
        let mut node = TestApp::spawn_with(backend, tls).await;
        assert!(node.base.starts_with("https://"), "{}", node.base);
        assert!(node.state.config.public_url.starts_with("https://"));

        let path = adapter_path("/.well-known/openid-configuration");
        let (status, doc) = json(node.get(&path, None).await).await;
        assert_eq!(status, 200);
        assert!(doc["jwks_uri"].as_str().unwrap().starts_with("https://"));
        let (status, jwks) = json(node.get(&adapter_path("/jwks"), None).await).await;
        assert_eq!(
            (status, jwks["keys"].as_array().map(Vec::len)),
            (200, Some(1))
        );

        // Plain HTTP on the TLS port is not served.
        let plain = node.base.replacen("https://", "http://", 1);
        let refused = reqwest::Client::new()
            .get(format!("{plain}/healthz"))
            .timeout(std::time::Duration::from_secs(15))
            .send()
            .await;
        assert!(refused.is_err() || !refused.unwrap().status().is_success());
        // A client that does not trust the certificate is refused by its own TLS stack.
        let untrusting = reqwest::Client::new().get(format!("{}/healthz", node.base));
        assert!(untrusting.send().await.is_err());

        node.stop().await;
    }
}

#[tokio::test]
async fn a_bad_certificate_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("cert.pem");
    std::fs::write(&cert, "not a certificate").unwrap();
    let layer = ConfigLayer {
        tls_cert: Some(cert),
        tls_key: Some(dir.path().join("key.pem")),
        ..Default::default()
    };
    let url = format!("sqlite:{}", dir.path().join("iamd.db").display());
    let config = crate::helpers::test_config_with(dir.path(), &url, layer);
    let error = iamd::startup::Application::build(config)
        .await
        .err()
        .unwrap();
    assert!(format!("{error:#}").contains("cert.pem"), "{error:#}");
}
