//! `tls`, `tlsverify`, `tlscacert`, `tlscert`, `tlskey`: the TLS of tcp hosts.
//!
//! dockerd's rules: `tlsverify` implies `tls`; TLS needs the server's
//! certificate and key. Unlike dockerd, which falls back to files under
//! `~/.docker`, the files must be named; and `tlsverify` needs `tlscacert`
//! (the CA client certificates must be signed by). Unix sockets never use
//! TLS, as with dockerd. Whether the files exist and hold what they should is
//! found out when the listener is bound.

use std::path::{Path, PathBuf};

use super::{ConfigError, DaemonConfig};

/// The TLS settings of a daemon that serves TLS on its tcp hosts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSettings {
    /// The server's certificate (`tlscert`).
    pub cert: PathBuf,
    /// Its private key (`tlskey`).
    pub key: PathBuf,
    /// With `tlsverify`: the CA that client certificates must be signed by
    /// (`tlscacert`); clients without such a certificate are refused.
    pub verify_clients_with: Option<PathBuf>,
}

impl TlsSettings {
    /// The TLS settings of `config`, or `None` when TLS is off.
    pub fn from_config(config: &DaemonConfig) -> Result<Option<Self>, ConfigError> {
        if !config.tls_enabled() {
            return Ok(None);
        }
        let because = if config.tlsverify == Some(true) {
            "required with tlsverify"
        } else {
            "required with tls"
        };
        let cert = required("tlscert", config.tlscert.as_deref(), because)?;
        let key = required("tlskey", config.tlskey.as_deref(), because)?;
        let verify_clients_with = if config.tlsverify == Some(true) {
            Some(required(
                "tlscacert",
                config.tlscacert.as_deref(),
                "required with tlsverify (client certificates are checked against it)",
            )?)
        } else {
            None
        };
        Ok(Some(Self {
            cert,
            key,
            verify_clients_with,
        }))
    }
}

fn required(
    key: &'static str,
    path: Option<&Path>,
    reason: &'static str,
) -> Result<PathBuf, ConfigError> {
    match path {
        Some(path) if !path.as_os_str().is_empty() => Ok(path.to_path_buf()),
        _ => Err(ConfigError::Missing { key, reason }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> DaemonConfig {
        DaemonConfig::from_json(json).unwrap()
    }

    #[test]
    fn off_unless_asked() {
        assert_eq!(TlsSettings::from_config(&config("{}")).unwrap(), None);
        // Files alone do not turn TLS on, nor does tls=false.
        let c = config(r#"{"tls": false, "tlscert": "/c", "tlskey": "/k"}"#);
        assert_eq!(TlsSettings::from_config(&c).unwrap(), None);
    }

    #[test]
    fn tls_needs_cert_and_key() {
        let err = TlsSettings::from_config(&config(r#"{"tls": true, "tlskey": "/k"}"#))
            .unwrap_err()
            .to_string();
        assert_eq!(err, "tlscert: required with tls");
        let err = TlsSettings::from_config(&config(r#"{"tls": true, "tlscert": "/c"}"#))
            .unwrap_err()
            .to_string();
        assert_eq!(err, "tlskey: required with tls");
        let tls = TlsSettings::from_config(&config(
            r#"{"tls": true, "tlscert": "/c", "tlskey": "/k", "tlscacert": "/ca"}"#,
        ))
        .unwrap()
        .unwrap();
        assert_eq!(tls.cert, Path::new("/c"));
        assert_eq!(tls.key, Path::new("/k"));
        assert_eq!(tls.verify_clients_with, None);
    }

    #[test]
    fn tlsverify_implies_tls_and_needs_a_ca() {
        let c = config(r#"{"tls": false, "tlsverify": true, "tlscert": "/c", "tlskey": "/k"}"#);
        let err = TlsSettings::from_config(&c).unwrap_err().to_string();
        assert!(
            err.starts_with("tlscacert: required with tlsverify"),
            "{err}"
        );
        let err = TlsSettings::from_config(&config(r#"{"tlsverify": true}"#))
            .unwrap_err()
            .to_string();
        assert_eq!(err, "tlscert: required with tlsverify");
        let c =
            config(r#"{"tlsverify": true, "tlscert": "/c", "tlskey": "/k", "tlscacert": "/ca"}"#);
        let tls = TlsSettings::from_config(&c).unwrap().unwrap();
        assert_eq!(tls.verify_clients_with.as_deref(), Some(Path::new("/ca")));
    }
}
