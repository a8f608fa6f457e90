//! Where a server listens: unix sockets (mode 0660 and, when asked, a
//! group, both set before the socket appears at its path; a stale socket
//! file replaced), plain TCP, and TCP with TLS that requires and verifies client
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
            (Host::Unix(path), None) => {
                Listener::bind_unix(path, None).map_err(UnixBindError::into_io)
            }
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

    /// Binds a unix socket at `path`, mode 0660 and owned by group `gid`
    /// when given. The socket is made under a temporary name beside `path`,
    /// given its mode and group there, and then renamed over `path`: a
    /// client never finds it at `path` with other permissions, and an old
    /// socket file there is replaced in one step. Anything else at `path`
    /// is refused.
    pub fn bind_unix(path: &Path, gid: Option<u32>) -> Result<Listener, UnixBindError> {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        if let Some(dir) = dir {
            std::fs::create_dir_all(dir)?;
        }
        match std::fs::symlink_metadata(path) {
            Ok(meta) if std::os::unix::fs::FileTypeExt::is_socket(&meta.file_type()) => {}
            Ok(_) => {
                return Err(UnixBindError::Io(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{} exists and is not a socket", path.display()),
                )))
            }
            Err(_) => {}
        }
        let Some(name) = path.file_name() else {
            return Err(UnixBindError::Io(invalid(path, "names no socket file")));
        };
        let mut staged_name = std::ffi::OsString::from(".");
        staged_name.push(name);
        staged_name.push("~");
        let staged = match dir {
            Some(dir) => dir.join(&staged_name),
            None => PathBuf::from(&staged_name),
        };
        // A temporary left by a daemon that died halfway is ours to replace.
        if let Ok(meta) = std::fs::symlink_metadata(&staged) {
            if std::os::unix::fs::FileTypeExt::is_socket(&meta.file_type()) {
                std::fs::remove_file(&staged)?;
            }
        }
        let listener = UnixListener::bind(&staged)?;
        let staged_guard = RemoveOnDrop(Some(staged.clone()));
        std::fs::set_permissions(&staged, std::fs::Permissions::from_mode(0o660))?;
        if let Some(gid) = gid {
            std::os::unix::fs::chown(&staged, None, Some(gid))
                .map_err(|source| UnixBindError::Chown { gid, source })?;
        }
        std::fs::rename(&staged, path)?;
        staged_guard.disarm();
        Ok(Listener::Unix(listener, path.to_path_buf()))
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

/// Why a unix socket could not be bound.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UnixBindError {
    /// Making the directory, binding, setting the mode or renaming failed.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The socket could not be given group `gid`.
    #[error("cannot give the socket to group {gid}: {source}")]
    Chown {
        /// The group asked for.
        gid: u32,
        /// What `chown` answered.
        source: io::Error,
    },
}

impl UnixBindError {
    fn into_io(self) -> io::Error {
        match self {
            UnixBindError::Io(e) => e,
            UnixBindError::Chown { source, .. } => source,
        }
    }
}

/// Removes a half-made socket file when binding stops early.
struct RemoveOnDrop(Option<PathBuf>);

impl RemoveOnDrop {
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{FileTypeExt, MetadataExt};

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rt-listener-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[tokio::test]
    async fn unix_socket_appears_with_its_mode_and_group_and_replaces_a_stale_one() {
        let dir = scratch("mode");
        let path = dir.join("api.sock");
        // A stale socket from an earlier run is replaced.
        drop(std::os::unix::net::UnixListener::bind({
            std::fs::create_dir_all(&dir).unwrap();
            &path
        }));
        let gid = std::fs::metadata(&dir).unwrap().gid();
        let listener = Listener::bind_unix(&path, Some(gid)).unwrap();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        assert!(meta.file_type().is_socket());
        assert_eq!(meta.mode() & 0o777, 0o660);
        assert_eq!(meta.gid(), gid);
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(
            left,
            vec![std::ffi::OsString::from("api.sock")],
            "no temporary left"
        );
        // The renamed socket still accepts at its final path.
        std::os::unix::net::UnixStream::connect(&path).unwrap();
        drop(listener);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn something_else_at_the_path_is_refused_and_kept() {
        let dir = scratch("file");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("api.sock");
        std::fs::write(&path, b"keep me").unwrap();
        let err = match Listener::bind_unix(&path, None) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("a regular file was replaced"),
        };
        assert!(err.contains("is not a socket"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"keep me");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
