//! HTTPS for `iamd serve` (rustls with the aws-lc-rs provider, the signatures' backend): the
//! server configuration from the PEM files of `tls_cert`/`tls_key`, and the deadline of a
//! handshake. Handshakes run in each connection's own task (`serve.rs`), so a client that
//! stalls in one never holds up the others, and count against the connection bound.
//!
//! Why iamd speaks TLS itself: mod_auth_openidc refuses to fetch a JWKS over plain HTTP
//! (reference/openstack-oidc.md §7.5), and a bare binary is simpler to run than a proxy.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};

use crate::config::TlsFiles;

/// How long a client has to complete its TLS handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read the TLS certificate chain {path}: {message}")]
    Cert { path: String, message: String },
    #[error("cannot read the TLS private key {path}: {message}")]
    Key { path: String, message: String },
    #[error("the TLS certificate and key do not make a server configuration: {0}")]
    Config(#[from] rustls::Error),
}

/// A rustls server configuration (TLS 1.2 and 1.3, HTTP/1.1 by ALPN) from PEM files.
pub fn server_config(files: &TlsFiles) -> Result<Arc<ServerConfig>, TlsError> {
    let certs = read_certs(&files.cert)?;
    let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|e| TlsError::Key {
        path: files.key.display().to_string(),
        message: e.to_string(),
    })?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let error = |message: String| TlsError::Cert {
        path: path.display().to_string(),
        message,
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| error(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| error(e.to_string()))?;
    if certs.is_empty() {
        return Err(error("no CERTIFICATE block in the file".into()));
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_or_empty_files_are_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "").unwrap();
        let files = TlsFiles {
            cert: empty.clone(),
            key: dir.path().join("missing.pem"),
        };
        let err = server_config(&files).unwrap_err().to_string();
        assert!(err.contains("empty.pem"), "{err}");
        let files = TlsFiles {
            cert: dir.path().join("missing.pem"),
            key: empty,
        };
        let err = server_config(&files).unwrap_err().to_string();
        assert!(err.contains("missing.pem"), "{err}");
    }
}
