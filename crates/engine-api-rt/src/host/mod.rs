//! Where a daemon listens, as the docker CLI spells it: `unix:///path`,
//! `tcp://host:port` ([`Host`], what a server can bind too), and for a
//! client also `ssh://user@host:port` ([`Endpoint`]); and how a client
//! chooses one as the docker CLI does ([`EnvConfig`]): DOCKER_HOST,
//! DOCKER_CONTEXT and the CLI's contexts, DOCKER_TLS_VERIFY,
//! DOCKER_CERT_PATH, DOCKER_API_VERSION, then podman's sockets when no
//! Docker socket exists.

mod context;
mod env;
mod ssh;

use std::fmt;
use std::path::PathBuf;

pub use context::{context_dir_name, ContextEndpoint};
pub use env::{EndpointSource, EnvConfig, PODMAN_ROOTFUL_SOCKET};
pub use ssh::SshHost;

/// The default daemon socket, as the docker CLI assumes.
pub const DEFAULT_UNIX_SOCKET: &str = "/var/run/docker.sock";

/// A daemon address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Host {
    /// The path of a unix socket (`unix:///var/run/docker.sock`).
    Unix(PathBuf),
    /// `host:port`; IPv6 hosts keep their brackets (`[::1]:2375`).
    Tcp(String),
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Unix(path) => write!(f, "unix://{}", path.display()),
            Host::Tcp(addr) => write!(f, "tcp://{addr}"),
        }
    }
}

/// Why a daemon address (or the environment that gives it) is unusable;
/// each variant carries the text that was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HostError {
    /// Neither `unix://`, `tcp://` (or `http://`, `https://`) nor an
    /// absolute path (nor, for a client, `ssh://`).
    #[error("`{0}`: unsupported scheme (use unix://, tcp:// or, for a client, ssh://)")]
    Scheme(String),
    /// `unix://` with nothing after it.
    #[error("`{0}`: a unix address needs a socket path")]
    EmptyPath(String),
    /// A tcp address with no host, a path, or a port that is not a number.
    #[error("`{0}`: a tcp address needs host:port")]
    BadTcp(String),
    /// DOCKER_API_VERSION is set but is not a version like `1.44`.
    #[error("DOCKER_API_VERSION: {0}")]
    Version(#[from] super::version::BadVersion),
    /// An `ssh://` address that is not `ssh://[user@]host[:port]`.
    #[error("`{0}`: {1}")]
    BadSsh(String, &'static str),
    /// `https://` without DOCKER_TLS_VERIFY (or a context that skips
    /// verification): the daemon would not be verified, so it is refused.
    #[error(
        "`{0}`: TLS without verifying the daemon is refused; set DOCKER_TLS_VERIFY=1 \
         with ca.pem, cert.pem and key.pem in DOCKER_CERT_PATH, use tcp:// for plain text, \
         or ask for unverified TLS by name (ClientBuilder::danger_tls_without_verification)"
    )]
    Unverified(String),
    /// The named docker CLI context does not exist.
    #[error("context `{0}` does not exist (no {1})")]
    NoContext(String, PathBuf),
    /// A docker CLI file (config.json, a context's meta.json) is unreadable
    /// or not the JSON the CLI writes.
    #[error("{0}: {1}")]
    File(PathBuf, String),
}

/// Where a client reaches its daemon: an address a server could listen
/// on, or a host to reach over ssh.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Endpoint {
    /// A unix socket or a tcp address.
    Host(Host),
    /// `ssh://[user@]host[:port]`: the client runs `ssh ... docker system
    /// dial-stdio` and speaks HTTP over its stdin and stdout, as the docker
    /// CLI does (feature `ssh` of the client).
    Ssh(SshHost),
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Host(h) => h.fmt(f),
            Endpoint::Ssh(s) => s.fmt(f),
        }
    }
}

impl From<Host> for Endpoint {
    fn from(host: Host) -> Endpoint {
        Endpoint::Host(host)
    }
}

impl Endpoint {
    /// `ssh://...` as an [`SshHost`], anything else as [`Host::parse`].
    pub fn parse(text: &str, tls: bool) -> Result<Endpoint, HostError> {
        if text.starts_with("ssh://") {
            return SshHost::parse(text).map(Endpoint::Ssh);
        }
        Host::parse(text, tls).map(Endpoint::Host)
    }
}

impl Host {
    /// Parses `unix:///run/engined.sock`, `tcp://127.0.0.1:2375`, or a
    /// bare absolute path (taken as a unix socket). A tcp address without
    /// a port gets 2375 (2376 when `tls`).
    pub fn parse(text: &str, tls: bool) -> Result<Host, HostError> {
        if let Some(path) = text.strip_prefix("unix://") {
            if path.is_empty() {
                return Err(HostError::EmptyPath(text.into()));
            }
            return Ok(Host::Unix(PathBuf::from(path)));
        }
        if text.starts_with('/') {
            return Ok(Host::Unix(PathBuf::from(text)));
        }
        let rest = text
            .strip_prefix("tcp://")
            .or_else(|| text.strip_prefix("http://"))
            .or_else(|| text.strip_prefix("https://"))
            .ok_or_else(|| HostError::Scheme(text.into()))?;
        let rest = rest.trim_end_matches('/');
        if rest.is_empty() || rest.contains('/') {
            return Err(HostError::BadTcp(text.into()));
        }
        let has_port = match rest.rfind(']') {
            Some(close) => rest[close..].contains(':'),
            None => rest.contains(':'),
        };
        let addr = if has_port {
            let port = rest.rsplit(':').next().unwrap_or("");
            if port.parse::<u16>().is_err() {
                return Err(HostError::BadTcp(text.into()));
            }
            rest.to_string()
        } else {
            format!("{rest}:{}", if tls { 2376 } else { 2375 })
        };
        Ok(Host::Tcp(addr))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cli_addresses() {
        assert_eq!(
            Host::parse("unix:///run/e.sock", false),
            Ok(Host::Unix("/run/e.sock".into()))
        );
        assert_eq!(
            Host::parse("tcp://127.0.0.1", false),
            Ok(Host::Tcp("127.0.0.1:2375".into()))
        );
        assert_eq!(
            Host::parse("tcp://localhost", true),
            Ok(Host::Tcp("localhost:2376".into()))
        );
        assert_eq!(
            Host::parse("tcp://[::1]:99", false),
            Ok(Host::Tcp("[::1]:99".into()))
        );
        assert_eq!(
            Host::parse("tcp://[::1]", false),
            Ok(Host::Tcp("[::1]:2375".into()))
        );
        assert!(matches!(
            Host::parse("ssh://me@box", false),
            Err(HostError::Scheme(_))
        ));
        assert!(matches!(
            Host::parse("unix://", false),
            Err(HostError::EmptyPath(_))
        ));
        assert!(matches!(
            Host::parse("tcp://h:port", false),
            Err(HostError::BadTcp(_))
        ));
    }

    #[test]
    fn endpoints_add_ssh() {
        assert_eq!(
            Endpoint::parse("tcp://h:1", false),
            Ok(Endpoint::Host(Host::Tcp("h:1".into())))
        );
        let Ok(Endpoint::Ssh(s)) = Endpoint::parse("ssh://me@box:2222", false) else {
            panic!("not ssh");
        };
        assert_eq!(s.to_string(), "ssh://me@box:2222");
        // A server cannot listen on ssh://.
        assert!(Host::parse("ssh://me@box", false).is_err());
    }
}
