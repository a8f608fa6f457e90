//! TLS material for the client, as the docker CLI finds it: `ca.pem`,
//! `cert.pem` and `key.pem` in DOCKER_CERT_PATH.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio_rustls::rustls::ClientConfig;

use super::ClientError;
use crate::pem::{read_certs, read_key, read_roots, PemError};

/// The three PEM files of a TLS client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    /// The CA certificates the daemon's certificate must chain to.
    pub ca: PathBuf,
    /// The client's certificate chain, presented to the daemon.
    pub cert: PathBuf,
    /// The private key of `cert`.
    pub key: PathBuf,
}

impl TlsFiles {
    /// `ca.pem`, `cert.pem`, `key.pem` under `dir`.
    pub fn in_dir(dir: &Path) -> TlsFiles {
        TlsFiles {
            ca: dir.join("ca.pem"),
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
        }
    }
}

fn tls_err(path: &Path, why: impl std::fmt::Display) -> ClientError {
    ClientError::Config(format!("TLS: {}: {why}", path.display()))
}

/// A client config that trusts only `files.ca` and presents `files.cert`.
pub(crate) fn client_config(files: &TlsFiles) -> Result<Arc<ClientConfig>, ClientError> {
    let pem_err = |e: PemError| ClientError::Config(format!("TLS: {e}"));
    let roots = read_roots(&files.ca).map_err(pem_err)?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientError::Config(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_client_auth_cert(
            read_certs(&files.cert).map_err(pem_err)?,
            read_key(&files.key).map_err(pem_err)?,
        )
        .map_err(|e| tls_err(&files.key, e))?;
    Ok(Arc::new(config))
}
