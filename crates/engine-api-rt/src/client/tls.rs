//! TLS material for the client, as the docker CLI finds it: `ca.pem`,
//! `cert.pem` and `key.pem` in DOCKER_CERT_PATH; and TLS that does not
//! verify the daemon, only when the caller asks for it by name
//! ([`ClientBuilder::danger_tls_without_verification`](super::ClientBuilder::danger_tls_without_verification)).
//! The files are named in any build; the rustls configs from them exist
//! with the feature `tls` only (without it, asking for TLS fails when the
//! client is built).

use std::path::{Path, PathBuf};
#[cfg(feature = "tls")]
use std::sync::Arc;

#[cfg(feature = "tls")]
use tokio_rustls::rustls::client::WantsClientCert;
#[cfg(feature = "tls")]
use tokio_rustls::rustls::crypto::CryptoProvider;
#[cfg(feature = "tls")]
use tokio_rustls::rustls::{ClientConfig, ConfigBuilder, WantsVerifier};

#[cfg(feature = "tls")]
use super::ClientError;
#[cfg(feature = "tls")]
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

#[cfg(feature = "tls")]
fn tls_err(path: &Path, why: impl std::fmt::Display) -> ClientError {
    ClientError::Config(format!("TLS: {}: {why}", path.display()))
}

#[cfg(feature = "tls")]
/// A client config that trusts only `files.ca` and presents `files.cert`.
pub(crate) fn client_config(files: &TlsFiles) -> Result<Arc<ClientConfig>, ClientError> {
    let roots = read_roots(&files.ca).map_err(pem_err)?;
    let (builder, _) = builder()?;
    present(builder.with_root_certificates(roots), Some(files))
}

#[cfg(feature = "tls")]
fn pem_err(e: PemError) -> ClientError {
    ClientError::Config(format!("TLS: {e}"))
}

#[cfg(feature = "tls")]
/// The start both configs share: ring, and the safe protocol versions.
fn builder() -> Result<
    (
        ConfigBuilder<ClientConfig, WantsVerifier>,
        Arc<CryptoProvider>,
    ),
    ClientError,
> {
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientError::Config(format!("TLS: {e}")))?;
    Ok((builder, provider))
}

#[cfg(feature = "tls")]
/// The end both configs share: the client's own certificate when given.
fn present(
    builder: ConfigBuilder<ClientConfig, WantsClientCert>,
    client: Option<&TlsFiles>,
) -> Result<Arc<ClientConfig>, ClientError> {
    let config = match client {
        Some(files) => builder
            .with_client_auth_cert(
                read_certs(&files.cert).map_err(pem_err)?,
                read_key(&files.key).map_err(pem_err)?,
            )
            .map_err(|e| tls_err(&files.key, e))?,
        None => builder.with_no_client_auth(),
    };
    Ok(Arc::new(config))
}

#[cfg(feature = "tls")]
/// A client config that does not verify the daemon's certificate at all;
/// it presents `client`'s certificate when given.
pub(crate) fn unverified_config(
    client: Option<&TlsFiles>,
) -> Result<Arc<ClientConfig>, ClientError> {
    let (builder, provider) = builder()?;
    let builder = builder
        .dangerous()
        .with_custom_certificate_verifier(crate::tls::danger_any_server(provider));
    present(builder, client)
}
