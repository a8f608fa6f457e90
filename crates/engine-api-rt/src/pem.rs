//! Reading TLS material from PEM files, for client and server alike: the
//! certificates of a file (at least one) and its private key. Errors name
//! the file.

use std::path::Path;

use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A PEM file that could not be used, with why.
#[derive(Debug, thiserror::Error)]
#[error("{}: {why}", path.display())]
pub struct PemError {
    /// The file that was read.
    pub path: std::path::PathBuf,
    /// Why it could not be used (I/O error, bad PEM, nothing of the kind
    /// asked for).
    pub why: String,
}

fn error(path: &Path, why: impl std::fmt::Display) -> PemError {
    PemError {
        path: path.to_path_buf(),
        why: why.to_string(),
    }
}

/// Every certificate in the file; an error when there is none.
pub fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, PemError> {
    let pem = std::fs::read(path).map_err(|e| error(path, e))?;
    let certs = rustls_pemfile::certs(&mut pem.as_slice())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| error(path, e))?;
    if certs.is_empty() {
        return Err(error(path, "no certificate in the file"));
    }
    Ok(certs)
}

/// The first private key in the file.
pub fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, PemError> {
    let pem = std::fs::read(path).map_err(|e| error(path, e))?;
    rustls_pemfile::private_key(&mut pem.as_slice())
        .map_err(|e| error(path, e))?
        .ok_or_else(|| error(path, "no private key in the file"))
}

/// A root store holding every certificate of the CA file.
pub fn read_roots(path: &Path) -> Result<tokio_rustls::rustls::RootCertStore, PemError> {
    let mut roots = tokio_rustls::rustls::RootCertStore::empty();
    for cert in read_certs(path)? {
        roots.add(cert).map_err(|e| error(path, e))?;
    }
    Ok(roots)
}
