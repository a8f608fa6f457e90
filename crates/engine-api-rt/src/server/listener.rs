//! Where a server listens: unix sockets (mode 0660, a stale socket file
//! replaced), plain TCP, and TCP with TLS that requires and verifies client
//! certificates (dockerd's `--tlsverify`); bound here, or handed over
//! already listening (socket activation).

use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::net::{TcpListener, UnixListener};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

use crate::host::Host;
use crate::pem::{read_certs, read_key, read_roots, PemError};

/// PEM files of a TLS server; `ca` verifies client certificates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerTls {
    /// The CA certificates a client's certificate must chain to.
    pub ca: PathBuf,
    /// The server's certificate chain.
    pub cert: PathBuf,
    /// The private key of `cert`.
    pub key: PathBuf,
}

/// A bound listening socket.
pub enum Listener {
    /// A unix socket and the path it is bound to.
    Unix(UnixListener, PathBuf),
    /// Plain TCP.
    Tcp(TcpListener),
    /// TCP with TLS; the acceptor requires verified client certificates.
    Tls(TcpListener, TlsAcceptor),
}

impl Listener {
    /// Binds `host`. A unix socket's parent directory is created, an old
    /// socket file at the path is replaced, and the socket is made 0660.
    pub async fn bind(host: &Host, tls: Option<&ServerTls>) -> io::Result<Listener> {
        match (host, tls) {
            (Host::Unix(path), None) => bind_unix(path),
            (Host::Unix(_), Some(_)) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "TLS applies to tcp:// hosts only",
            )),
            (Host::Tcp(addr), None) => Ok(Listener::Tcp(TcpListener::bind(addr).await?)),
            (Host::Tcp(addr), Some(files)) => {
                let acceptor = TlsAcceptor::from(server_config(files)?);
                Ok(Listener::Tls(TcpListener::bind(addr).await?, acceptor))
            }
        }
    }

    /// A unix socket bound and listening already (passed by systemd's
    /// socket activation, say), made non-blocking for the server.
    pub fn from_std_unix(listener: std::os::unix::net::UnixListener) -> io::Result<Listener> {
        listener.set_nonblocking(true)?;
        let path = listener
            .local_addr()?
            .as_pathname()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        Ok(Listener::Unix(UnixListener::from_std(listener)?, path))
    }

    /// A tcp socket bound and listening already, with TLS when `tls`.
    pub fn from_std_tcp(
        listener: std::net::TcpListener,
        tls: Option<&ServerTls>,
    ) -> io::Result<Listener> {
        listener.set_nonblocking(true)?;
        let listener = TcpListener::from_std(listener)?;
        match tls {
            None => Ok(Listener::Tcp(listener)),
            Some(files) => Ok(Listener::Tls(
                listener,
                TlsAcceptor::from(server_config(files)?),
            )),
        }
    }

    /// The address actually bound (a tcp port of 0 becomes the real one).
    pub fn local_addr(&self) -> String {
        match self {
            Listener::Unix(_, path) => format!("unix://{}", path.display()),
            Listener::Tcp(l) | Listener::Tls(l, _) => l
                .local_addr()
                .map(|a| format!("tcp://{a}"))
                .unwrap_or_else(|e| format!("tcp://? ({e})")),
        }
    }
}

fn bind_unix(path: &Path) -> io::Result<Listener> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    match std::fs::symlink_metadata(path) {
        Ok(meta) if std::os::unix::fs::FileTypeExt::is_socket(&meta.file_type()) => {
            std::fs::remove_file(path)?
        }
        Ok(_) => {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} exists and is not a socket", path.display()),
            ))
        }
        Err(_) => {}
    }
    let listener = UnixListener::bind(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))?;
    Ok(Listener::Unix(listener, path.to_path_buf()))
}

fn invalid(path: &Path, why: impl std::fmt::Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("{}: {why}", path.display()),
    )
}

fn server_config(files: &ServerTls) -> io::Result<Arc<ServerConfig>> {
    let pem = |e: PemError| io::Error::new(io::ErrorKind::InvalidData, e.to_string());
    let roots = read_roots(&files.ca).map_err(pem)?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| invalid(&files.ca, e))?;
    let key = read_key(&files.key).map_err(pem)?;
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid(&files.cert, e))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(read_certs(&files.cert).map_err(pem)?, key)
        .map_err(|e| invalid(&files.cert, e))?;
    Ok(Arc::new(config))
}
