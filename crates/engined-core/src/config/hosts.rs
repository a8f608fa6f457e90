//! `hosts`: the addresses the API listens on, and the default one.
//!
//! Accepted are `unix:///path`, `tcp://host[:port]` (a tcp address
//! without a port gets 2375, or 2376 with TLS, as for dockerd) and, as
//! dockerd's, `fd://` (every socket systemd passed by socket activation)
//! or `fd://N` (the one at descriptor N). dockerd's other forms
//! (`npipe://`, a bare `host:port`) are refused: engined runs only on
//! Linux.

use std::fmt;

use engine_api::rt::host::{Host, HostError};

use super::ConfigError;

/// Where the API listens when no host is given anywhere.
///
/// Not dockerd's `/var/run/docker.sock`, so that engined and a real Docker
/// daemon on the same host never fight over a socket.
pub const DEFAULT_HOST: &str = "unix:///run/engined.sock";

/// One `hosts` entry, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListenAddr {
    /// A socket the daemon binds itself.
    Bind(Host),
    /// Sockets passed by socket activation: all of them (`fd://`), or
    /// the one at this descriptor (`fd://3`).
    Activated(Option<i32>),
}

impl fmt::Display for ListenAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListenAddr::Bind(host) => host.fmt(f),
            ListenAddr::Activated(None) => f.write_str("fd://"),
            ListenAddr::Activated(Some(fd)) => write!(f, "fd://{fd}"),
        }
    }
}

/// Parses one `hosts` entry; `tls` chooses the default tcp port.
pub fn parse(text: &str, tls: bool) -> Result<ListenAddr, ConfigError> {
    let trimmed = text.trim();
    if let Some(fd) = trimmed.strip_prefix("fd://") {
        if fd.is_empty() {
            return Ok(ListenAddr::Activated(None));
        }
        return match fd.parse::<i32>() {
            Ok(n) if n >= 3 => Ok(ListenAddr::Activated(Some(n))),
            _ => Err(ConfigError::InvalidValue {
                key: "hosts".to_owned(),
                value: text.to_owned(),
                reason: "fd:// takes nothing or a descriptor number from 3 up",
            }),
        };
    }
    if !trimmed.starts_with("unix://") && !trimmed.starts_with("tcp://") {
        return Err(ConfigError::InvalidHost {
            source: HostError::Scheme(text.to_owned()),
        });
    }
    Host::parse(trimmed, tls)
        .map(ListenAddr::Bind)
        .map_err(|source| ConfigError::InvalidHost { source })
}

/// Parses every entry of `hosts`, or gives [`DEFAULT_HOST`] when there are
/// none. Duplicates are dropped (the first one stays).
pub fn resolve(hosts: &[String], tls: bool) -> Result<Vec<ListenAddr>, ConfigError> {
    if hosts.is_empty() {
        return Ok(vec![parse(DEFAULT_HOST, tls)?]);
    }
    let mut out: Vec<ListenAddr> = Vec::with_capacity(hosts.len());
    for text in hosts {
        let host = parse(text, tls)?;
        if !out.contains(&host) {
            out.push(host);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn unix_and_tcp_are_accepted() {
        assert_eq!(
            parse("unix:///run/x.sock", false).unwrap(),
            ListenAddr::Bind(Host::Unix(PathBuf::from("/run/x.sock")))
        );
        assert_eq!(
            parse("tcp://0.0.0.0", false).unwrap(),
            ListenAddr::Bind(Host::Tcp("0.0.0.0:2375".into()))
        );
        assert_eq!(
            parse("tcp://0.0.0.0", true).unwrap(),
            ListenAddr::Bind(Host::Tcp("0.0.0.0:2376".into()))
        );
        assert_eq!(
            parse(" tcp://[::1]:99 ", false).unwrap(),
            ListenAddr::Bind(Host::Tcp("[::1]:99".into()))
        );
    }

    #[test]
    fn socket_activation_forms() {
        assert_eq!(parse("fd://", false).unwrap(), ListenAddr::Activated(None));
        assert_eq!(
            parse("fd://3", false).unwrap(),
            ListenAddr::Activated(Some(3))
        );
        assert_eq!(parse("fd://7", false).unwrap().to_string(), "fd://7");
        for bad in ["fd://x", "fd://2", "fd://-1"] {
            let err = parse(bad, false).unwrap_err().to_string();
            assert!(err.starts_with("hosts: "), "{bad}: {err}");
            assert!(err.contains(bad), "{bad}: {err}");
        }
    }

    #[test]
    fn other_forms_are_refused_naming_the_key() {
        for bad in [
            "npipe:////./pipe/docker_engine",
            "ssh://me@box",
            "/run/x.sock",
            "https://h:1",
            "h:1",
            "unix://",
            "tcp://h:port",
            "tcp://h:1/path",
        ] {
            let err = parse(bad, false).unwrap_err().to_string();
            assert!(err.starts_with("hosts: "), "{bad}: {err}");
            assert!(err.contains(bad), "{bad}: {err}");
        }
    }

    #[test]
    fn default_and_duplicates() {
        assert_eq!(
            resolve(&[], false).unwrap(),
            [ListenAddr::Bind(Host::Unix(PathBuf::from(
                "/run/engined.sock"
            )))]
        );
        let hosts = resolve(
            &[
                "tcp://127.0.0.1".to_owned(),
                "tcp://127.0.0.1:2375".to_owned(),
                "unix:///a".to_owned(),
            ],
            false,
        )
        .unwrap();
        assert_eq!(
            hosts,
            [
                ListenAddr::Bind(Host::Tcp("127.0.0.1:2375".into())),
                ListenAddr::Bind(Host::Unix(PathBuf::from("/a")))
            ]
        );
    }
}
