//! `hosts`: the addresses the API listens on, and the default one.
//!
//! Accepted are `unix:///path` and `tcp://host[:port]` (a tcp address
//! without a port gets 2375, or 2376 with TLS, as for dockerd). dockerd's
//! other forms (`fd://`, `npipe://`, a bare `host:port`) are refused: engined
//! does no socket activation and runs only on Linux.

use engine_api::support::host::{Host, HostError};

use super::ConfigError;

/// Where the API listens when no host is given anywhere.
///
/// Not dockerd's `/var/run/docker.sock`, so that engined and a real Docker
/// daemon on the same host never fight over a socket.
pub const DEFAULT_HOST: &str = "unix:///run/engined.sock";

/// Parses one `hosts` entry; `tls` chooses the default tcp port.
pub fn parse(text: &str, tls: bool) -> Result<Host, ConfigError> {
    let trimmed = text.trim();
    if !trimmed.starts_with("unix://") && !trimmed.starts_with("tcp://") {
        return Err(ConfigError::InvalidHost {
            source: HostError::Scheme(text.to_owned()),
        });
    }
    Host::parse(trimmed, tls).map_err(|source| ConfigError::InvalidHost { source })
}

/// Parses every entry of `hosts`, or gives [`DEFAULT_HOST`] when there are
/// none. Duplicates are dropped (the first one stays).
pub fn resolve(hosts: &[String], tls: bool) -> Result<Vec<Host>, ConfigError> {
    if hosts.is_empty() {
        return Ok(vec![parse(DEFAULT_HOST, tls)?]);
    }
    let mut out: Vec<Host> = Vec::with_capacity(hosts.len());
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
            Host::Unix(PathBuf::from("/run/x.sock"))
        );
        assert_eq!(
            parse("tcp://0.0.0.0", false).unwrap(),
            Host::Tcp("0.0.0.0:2375".into())
        );
        assert_eq!(
            parse("tcp://0.0.0.0", true).unwrap(),
            Host::Tcp("0.0.0.0:2376".into())
        );
        assert_eq!(
            parse(" tcp://[::1]:99 ", false).unwrap(),
            Host::Tcp("[::1]:99".into())
        );
    }

    #[test]
    fn other_forms_are_refused_naming_the_key() {
        for bad in [
            "fd://",
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
            [Host::Unix(PathBuf::from("/run/engined.sock"))]
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
                Host::Tcp("127.0.0.1:2375".into()),
                Host::Unix(PathBuf::from("/a"))
            ]
        );
    }
}
