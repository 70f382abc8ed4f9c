//! Configuration: built-in defaults < optional TOML file < `IAMD_*` environment < flags.
//! Every layer is a `ConfigLayer` of optional fields; `Config::resolve` folds them in order.
//! The master key never appears in `Debug` output or logs.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use iam_core::urn::Plate;
use serde::Deserialize;
use thiserror::Error;

pub use crate::token::password::Argon2Params;
use crate::token::signing_key::Algorithm;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{key}: {message}")]
    Invalid { key: String, message: String },
}

pub type Result<T, E = ConfigError> = std::result::Result<T, E>;

/// The largest `max_connections` (a semaphore holds at most `u32::MAX >> 3` permits; a
/// million is already more sockets than a process gets).
const MAX_CONNECTIONS: usize = 1_000_000;

/// The resolved configuration the server runs with.
#[derive(Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    /// The URL clients reach this server at (issuer of tokens, links in documents).
    pub public_url: String,
    pub plate: Plate,
    pub log_format: LogFormat,
    pub log_level: String,
    /// 32-byte key from which the token pepper and key-encryption key derive. `None`: read or
    /// create `<data_dir>/master.key`.
    pub master_key: Option<String>,
    pub request_timeout: Duration,
    pub body_limit: usize,
    /// How long a client may take to send a request's headers, counted from the connection's
    /// start or the end of the previous response (so an idle keep-alive connection closes too).
    pub header_read_timeout: Duration,
    /// Connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    pub access_token_ttl: Duration,
    /// How stale a cached account snapshot may be before its revision is checked against the
    /// store: the safety net behind PostgreSQL change notifications (DESIGN.md §6).
    pub revision_check: Duration,
    pub argon2: Argon2Params,
    /// Certificate chain and private key (PEM files): when set, `iamd serve` speaks HTTPS.
    pub tls: Option<TlsFiles>,
    /// Signature algorithm of new OpenStack id_token keys: RS256 (default) or ES256.
    pub id_token_algorithm: Algorithm,
}

/// The PEM files `iamd serve` reads for HTTPS (see `tls.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// One layer of configuration: every field optional, so layers can be folded.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigLayer {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub public_url: Option<String>,
    pub plate: Option<String>,
    pub log_format: Option<LogFormat>,
    pub log_level: Option<String>,
    pub master_key: Option<String>,
    pub request_timeout_secs: Option<u64>,
    pub body_limit_bytes: Option<usize>,
    pub header_read_timeout_secs: Option<u64>,
    pub max_connections: Option<usize>,
    pub access_token_ttl_secs: Option<u64>,
    pub revision_check_ms: Option<u64>,
    pub argon2: Option<Argon2Params>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub id_token_algorithm: Option<String>,
}

/// The environment variables a layer can come from, by config key.
const ENV_KEYS: &[&str] = &[
    "LISTEN",
    "DATA_DIR",
    "DATABASE_URL",
    "PUBLIC_URL",
    "PLATE",
    "LOG_FORMAT",
    "LOG_LEVEL",
    "MASTER_KEY",
    "REQUEST_TIMEOUT_SECS",
    "BODY_LIMIT_BYTES",
    "HEADER_READ_TIMEOUT_SECS",
    "MAX_CONNECTIONS",
    "ACCESS_TOKEN_TTL_SECS",
    "REVISION_CHECK_MS",
    "TLS_CERT",
    "TLS_KEY",
    "ID_TOKEN_ALGORITHM",
    "CONFIG",
];

impl ConfigLayer {
    /// Reads a TOML file. Unknown keys are an error: a typo must not pass silently.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string(),
        })
    }

    /// Reads `IAMD_*` variables from `vars`. Returns the layer and the names of variables
    /// that start with `IAMD_` but mean nothing (the caller warns about them).
    pub fn from_env(vars: impl Iterator<Item = (String, String)>) -> Result<(Self, Vec<String>)> {
        let mut layer = ConfigLayer::default();
        let mut unknown = Vec::new();
        for (name, value) in vars {
            let Some(key) = name.strip_prefix("IAMD_") else {
                continue;
            };
            if !ENV_KEYS.contains(&key) {
                // Test-suite variables share the prefix but are not configuration.
                if !key.starts_with("TEST_") {
                    unknown.push(name);
                }
                continue;
            }
            layer.set_from_env(key, &name, value)?;
        }
        Ok((layer, unknown))
    }

    fn set_from_env(&mut self, key: &str, name: &str, value: String) -> Result<()> {
        let invalid = |message: String| ConfigError::Invalid {
            key: name.to_owned(),
            message,
        };
        let number = |v: &str| v.parse::<u64>().map_err(|e| invalid(e.to_string()));
        match key {
            "LISTEN" => self.listen = Some(value.parse().map_err(|e| invalid(format!("{e}")))?),
            "DATA_DIR" => self.data_dir = Some(value.into()),
            "DATABASE_URL" => self.database_url = Some(value),
            "PUBLIC_URL" => self.public_url = Some(value),
            "PLATE" => self.plate = Some(value),
            "LOG_FORMAT" => self.log_format = Some(parse_log_format(&value).map_err(invalid)?),
            "LOG_LEVEL" => self.log_level = Some(value),
            "MASTER_KEY" => self.master_key = Some(value),
            "REQUEST_TIMEOUT_SECS" => self.request_timeout_secs = Some(number(&value)?),
            "BODY_LIMIT_BYTES" => self.body_limit_bytes = Some(number(&value)? as usize),
            "HEADER_READ_TIMEOUT_SECS" => self.header_read_timeout_secs = Some(number(&value)?),
            "MAX_CONNECTIONS" => self.max_connections = Some(number(&value)? as usize),
            "ACCESS_TOKEN_TTL_SECS" => self.access_token_ttl_secs = Some(number(&value)?),
            "REVISION_CHECK_MS" => self.revision_check_ms = Some(number(&value)?),
            "TLS_CERT" => self.tls_cert = Some(value.into()),
            "TLS_KEY" => self.tls_key = Some(value.into()),
            "ID_TOKEN_ALGORITHM" => self.id_token_algorithm = Some(value),
            _ => {} // CONFIG names the file; it is read before the layers are folded.
        }
        Ok(())
    }

    /// Fields set in `other` win over fields set in `self`.
    pub fn merge(self, other: ConfigLayer) -> ConfigLayer {
        ConfigLayer {
            listen: other.listen.or(self.listen),
            data_dir: other.data_dir.or(self.data_dir),
            database_url: other.database_url.or(self.database_url),
            public_url: other.public_url.or(self.public_url),
            plate: other.plate.or(self.plate),
            log_format: other.log_format.or(self.log_format),
            log_level: other.log_level.or(self.log_level),
            master_key: other.master_key.or(self.master_key),
            request_timeout_secs: other.request_timeout_secs.or(self.request_timeout_secs),
            body_limit_bytes: other.body_limit_bytes.or(self.body_limit_bytes),
            header_read_timeout_secs: other
                .header_read_timeout_secs
                .or(self.header_read_timeout_secs),
            max_connections: other.max_connections.or(self.max_connections),
            access_token_ttl_secs: other.access_token_ttl_secs.or(self.access_token_ttl_secs),
            revision_check_ms: other.revision_check_ms.or(self.revision_check_ms),
            argon2: other.argon2.or(self.argon2),
            tls_cert: other.tls_cert.or(self.tls_cert),
            tls_key: other.tls_key.or(self.tls_key),
            id_token_algorithm: other.id_token_algorithm.or(self.id_token_algorithm),
        }
    }
}

pub fn parse_log_format(value: &str) -> Result<LogFormat, String> {
    match value {
        "text" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        other => Err(format!("expected text or json, got {other:?}")),
    }
}

impl Config {
    /// Folds a merged layer over the built-in defaults and checks the result.
    pub fn resolve(layer: ConfigLayer) -> Result<Config> {
        let listen = layer
            .listen
            .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 8080)));
        let data_dir = layer.data_dir.unwrap_or_else(|| PathBuf::from("./data"));
        let database_url = layer
            .database_url
            .unwrap_or_else(|| format!("sqlite:{}", data_dir.join("iamd.db").display()));
        let plate_text = layer.plate.unwrap_or_else(|| "eu".to_owned());
        let plate = Plate::parse(&plate_text).ok_or_else(|| ConfigError::Invalid {
            key: "plate".into(),
            message: format!("expected eu, ca or us, got {plate_text:?}"),
        })?;
        let tls = tls_files(layer.tls_cert, layer.tls_key)?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let id_token_algorithm = id_token_algorithm(layer.id_token_algorithm.as_deref())?;
        let public_url = layer
            .public_url
            .unwrap_or_else(|| format!("{scheme}://{listen}"))
            .trim_end_matches('/')
            .to_owned();
        let config = Config {
            listen,
            data_dir,
            database_url,
            public_url,
            plate,
            log_format: layer.log_format.unwrap_or(LogFormat::Text),
            log_level: layer.log_level.unwrap_or_else(|| "info".to_owned()),
            master_key: layer.master_key,
            request_timeout: Duration::from_secs(layer.request_timeout_secs.unwrap_or(30)),
            body_limit: layer.body_limit_bytes.unwrap_or(1024 * 1024),
            header_read_timeout: Duration::from_secs(layer.header_read_timeout_secs.unwrap_or(30)),
            max_connections: layer.max_connections.unwrap_or(1024),
            access_token_ttl: Duration::from_secs(layer.access_token_ttl_secs.unwrap_or(3600)),
            revision_check: Duration::from_millis(layer.revision_check_ms.unwrap_or(1000)),
            argon2: layer.argon2.unwrap_or_default(),
            tls,
            id_token_algorithm,
        };
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<()> {
        let invalid = |key: &str, message: &str| {
            Err(ConfigError::Invalid {
                key: key.into(),
                message: message.into(),
            })
        };
        if !(self.public_url.starts_with("http://") || self.public_url.starts_with("https://")) {
            return invalid("public_url", "must start with http:// or https://");
        }
        if self.request_timeout.is_zero() {
            return invalid("request_timeout_secs", "must be at least 1");
        }
        if self.header_read_timeout.is_zero() {
            return invalid("header_read_timeout_secs", "must be at least 1");
        }
        if self.max_connections == 0 || self.max_connections > MAX_CONNECTIONS {
            return invalid("max_connections", "must be between 1 and 1000000");
        }
        if self.body_limit < 1024 {
            return invalid("body_limit_bytes", "must be at least 1024");
        }
        if self.revision_check.is_zero() {
            return invalid("revision_check_ms", "must be at least 1");
        }
        if self.access_token_ttl.as_secs() < 60 {
            return invalid("access_token_ttl_secs", "must be at least 60");
        }
        Ok(())
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact_url(&self.database_url))
            .field("public_url", &self.public_url)
            .field("plate", &self.plate)
            .field("log_format", &self.log_format)
            .field("log_level", &self.log_level)
            .field(
                "master_key",
                &self.master_key.as_ref().map(|_| "<redacted>"),
            )
            .field("request_timeout", &self.request_timeout)
            .field("body_limit", &self.body_limit)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("max_connections", &self.max_connections)
            .field("access_token_ttl", &self.access_token_ttl)
            .field("revision_check", &self.revision_check)
            .field("argon2", &self.argon2)
            .field("tls", &self.tls)
            .field("id_token_algorithm", &self.id_token_algorithm)
            .finish()
    }
}

/// Both files or neither: half a TLS configuration is a mistake, not plain HTTP.
fn tls_files(cert: Option<PathBuf>, key: Option<PathBuf>) -> Result<Option<TlsFiles>> {
    match (cert, key) {
        (Some(cert), Some(key)) => Ok(Some(TlsFiles { cert, key })),
        (None, None) => Ok(None),
        (cert, _) => Err(ConfigError::Invalid {
            key: if cert.is_some() {
                "tls_key"
            } else {
                "tls_cert"
            }
            .into(),
            message: "tls_cert and tls_key go together: set both to serve HTTPS, or neither".into(),
        }),
    }
}

/// RS256 or ES256: what Keystone's validator, mod_auth_openidc 2.4, verifies (it has no
/// EdDSA; reference/openstack-oidc.md §4).
fn id_token_algorithm(text: Option<&str>) -> Result<Algorithm> {
    match text.map(|t| (t, Algorithm::parse(t))) {
        None => Ok(Algorithm::RS256),
        Some((_, Some(a @ (Algorithm::RS256 | Algorithm::ES256)))) => Ok(a),
        Some((t, _)) => Err(ConfigError::Invalid {
            key: "id_token_algorithm".into(),
            message: format!("expected RS256 or ES256 (what mod_auth_openidc verifies), got {t:?}"),
        }),
    }
}

/// Hides the password of a `postgres://user:password@host/db` URL.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((credentials, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:<redacted>@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Iterator<Item = (String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn defaults_need_no_setup() {
        let config = Config::resolve(ConfigLayer::default()).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.database_url, "sqlite:./data/iamd.db");
        assert_eq!(config.public_url, "http://127.0.0.1:8080");
        assert_eq!(config.plate, Plate::Eu);
    }

    #[test]
    fn layers_fold_file_then_env_then_flags() {
        let file: ConfigLayer =
            toml::from_str("listen = '127.0.0.1:1'\nplate = 'ca'\nlog_level = 'debug'").unwrap();
        let (env_layer, _) =
            ConfigLayer::from_env(env(&[("IAMD_LISTEN", "127.0.0.1:2"), ("IAMD_PLATE", "us")]))
                .unwrap();
        let flags = ConfigLayer {
            listen: Some("127.0.0.1:3".parse().unwrap()),
            ..Default::default()
        };
        let config = Config::resolve(file.merge(env_layer).merge(flags)).unwrap();
        assert_eq!(config.listen.port(), 3);
        assert_eq!(config.plate, Plate::Us);
        assert_eq!(config.log_level, "debug");
    }

    #[test]
    fn unknown_env_variables_are_reported_and_test_ones_ignored() {
        let (_, unknown) = ConfigLayer::from_env(env(&[
            ("IAMD_LISTN", "x"),
            ("IAMD_TEST_POSTGRES_URL", "postgres://x"),
            ("HOME", "/root"),
        ]))
        .unwrap();
        assert_eq!(unknown, vec!["IAMD_LISTN".to_string()]);
    }

    #[test]
    fn unknown_file_keys_are_refused() {
        assert!(toml::from_str::<ConfigLayer>("listn = '127.0.0.1:1'").is_err());
    }

    #[test]
    fn bad_values_name_their_key() {
        let err = ConfigLayer::from_env(env(&[("IAMD_REQUEST_TIMEOUT_SECS", "soon")])).unwrap_err();
        assert!(
            err.to_string().contains("IAMD_REQUEST_TIMEOUT_SECS"),
            "{err}"
        );
        let err = Config::resolve(ConfigLayer {
            plate: Some("mars".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert!(err.to_string().contains("plate"), "{err}");
    }

    #[test]
    fn tls_needs_both_files_and_makes_the_public_url_https() {
        let (layer, _) = ConfigLayer::from_env(env(&[
            ("IAMD_TLS_CERT", "/etc/iamd/cert.pem"),
            ("IAMD_TLS_KEY", "/etc/iamd/key.pem"),
        ]))
        .unwrap();
        let config = Config::resolve(layer).unwrap();
        assert_eq!(config.public_url, "https://127.0.0.1:8080");
        assert_eq!(config.tls.unwrap().key, PathBuf::from("/etc/iamd/key.pem"));
        let half = ConfigLayer {
            tls_cert: Some("/c.pem".into()),
            ..Default::default()
        };
        let err = Config::resolve(half).unwrap_err();
        assert!(err.to_string().contains("tls_key"), "{err}");
    }

    #[test]
    fn id_tokens_are_rs256_unless_es256_is_chosen() {
        let config = Config::resolve(ConfigLayer::default()).unwrap();
        assert_eq!(config.id_token_algorithm, Algorithm::RS256);
        let es: ConfigLayer = toml::from_str("id_token_algorithm = 'ES256'").unwrap();
        assert_eq!(
            Config::resolve(es).unwrap().id_token_algorithm,
            Algorithm::ES256
        );
        let ed = ConfigLayer {
            id_token_algorithm: Some("EdDSA".into()),
            ..Default::default()
        };
        assert!(Config::resolve(ed).is_err());
    }

    #[test]
    fn debug_redacts_secrets() {
        let config = Config::resolve(ConfigLayer {
            master_key: Some("s3cr3t-master".into()),
            database_url: Some("postgres://iamd:hunter2@db/iamd".into()),
            ..Default::default()
        })
        .unwrap();
        let text = format!("{config:?}");
        assert!(
            !text.contains("s3cr3t-master") && !text.contains("hunter2"),
            "{text}"
        );
    }
}
