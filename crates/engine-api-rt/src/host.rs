//! Where a daemon listens, as the docker CLI spells it: `unix:///path`,
//! `tcp://host:port`, and the environment (DOCKER_HOST, DOCKER_TLS_VERIFY,
//! DOCKER_CERT_PATH, DOCKER_API_VERSION) that chooses it.

use std::fmt;
use std::path::PathBuf;

use super::version::ApiVersion;

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
    /// absolute path.
    #[error("`{0}`: unsupported scheme (use unix:// or tcp://)")]
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

/// What the environment asks a client to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvConfig {
    /// DOCKER_HOST, else [`DEFAULT_UNIX_SOCKET`].
    pub host: Host,
    /// DOCKER_TLS_VERIFY set (to anything but empty): verify the server
    /// with `ca.pem` and present `cert.pem`/`key.pem` from `cert_path`.
    pub tls_verify: bool,
    /// DOCKER_CERT_PATH, else `~/.docker`.
    pub cert_path: PathBuf,
    /// DOCKER_API_VERSION pins the version and skips negotiation.
    pub api_version: Option<ApiVersion>,
}

impl EnvConfig {
    /// Reads the variables through `get` (so tests need not touch the
    /// process environment).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<EnvConfig, HostError> {
        let non_empty = |k: &str| get(k).filter(|v| !v.is_empty());
        let tls_verify = non_empty("DOCKER_TLS_VERIFY").is_some();
        let host = match non_empty("DOCKER_HOST") {
            Some(h) => Host::parse(&h, tls_verify)?,
            None => Host::Unix(PathBuf::from(DEFAULT_UNIX_SOCKET)),
        };
        let cert_path = non_empty("DOCKER_CERT_PATH")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                let home = non_empty("HOME").unwrap_or_else(|| "/root".into());
                PathBuf::from(home).join(".docker")
            });
        let api_version = non_empty("DOCKER_API_VERSION")
            .map(|v| v.parse())
            .transpose()?;
        Ok(EnvConfig {
            host,
            tls_verify,
            cert_path,
            api_version,
        })
    }

    /// Reads DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH and
    /// DOCKER_API_VERSION (and HOME) from the process environment.
    pub fn from_env() -> Result<EnvConfig, HostError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

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
    fn reads_the_environment() {
        let env: HashMap<&str, &str> = [
            ("DOCKER_HOST", "tcp://10.0.0.1"),
            ("DOCKER_TLS_VERIFY", "1"),
            ("DOCKER_CERT_PATH", "/certs"),
            ("DOCKER_API_VERSION", "1.41"),
        ]
        .into();
        let cfg = EnvConfig::from_lookup(|k| env.get(k).map(|v| v.to_string())).unwrap();
        assert_eq!(cfg.host, Host::Tcp("10.0.0.1:2376".into()));
        assert!(cfg.tls_verify);
        assert_eq!(cfg.cert_path, PathBuf::from("/certs"));
        assert_eq!(cfg.api_version, Some(ApiVersion::new(1, 41)));
        let empty = EnvConfig::from_lookup(|_| None).unwrap();
        assert_eq!(empty.host, Host::Unix(DEFAULT_UNIX_SOCKET.into()));
        assert!(!empty.tls_verify);
    }
}
