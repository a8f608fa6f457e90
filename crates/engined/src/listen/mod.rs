//! The API's sockets, opened as dockerd opens them: every `hosts` entry
//! bound (or, for `fd://`, taken from socket activation), the unix ones
//! mode 0660 and owned by the group `group` names.
//!
//! - [`activation`]: the sockets systemd passes (`LISTEN_FDS`);
//! - [`group`]: which group owns the unix sockets.

pub mod activation;
pub mod group;

use std::io;

use engine_api::rt::host::Host;
use engine_api::rt::server::{Listener, ServerTls, UnixBindError};

use crate::config::hosts::ListenAddr;

/// Why the API cannot listen where it was told to.
#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    /// Binding (or setting up) the socket failed.
    #[error("listen on {addr}: {source}")]
    Bind { addr: String, source: io::Error },
    /// `group` names a group that does not exist.
    #[error("group {0}: no such group")]
    NoSuchGroup(String),
    /// The socket could not be given its group.
    #[error("{addr}: cannot give the socket to group {gid}: {source}")]
    Chown {
        addr: String,
        gid: u32,
        source: io::Error,
    },
    /// `fd://` but the daemon was not started by socket activation.
    #[error("{addr}: no sockets found via socket activation: make sure the service was started by systemd")]
    NoActivation { addr: String },
    /// `fd://N` names a descriptor that socket activation did not pass.
    #[error("{addr}: descriptor {fd} was not passed by socket activation (passed: {passed:?})")]
    NotActivated {
        addr: String,
        fd: i32,
        passed: Vec<i32>,
    },
    /// A passed descriptor is no listening unix or tcp socket.
    #[error("socket activation: descriptor {fd}: {reason}")]
    BadSocket { fd: i32, reason: String },
    /// TLS is on but client certificates are not verified.
    #[error(
        "{addr}: TLS without --tlsverify is not supported yet; give --tlsverify and --tlscacert"
    )]
    TlsWithoutVerify { addr: String },
}

/// One socket the API serves, with the address it was configured as.
pub struct Opened {
    pub addr: ListenAddr,
    pub listener: Listener,
}

/// Opens every address of `addrs`; `fd://` ones take from `activated`
/// (what [`activation::take`] found at start; the rest is closed). `tls`
/// applies to tcp sockets; the unix sockets get the group `group` names
/// ([`group::socket_gid`]).
pub async fn open_all(
    addrs: &[ListenAddr],
    tls: Option<&ServerTls>,
    group: Option<&str>,
    mut activated: Vec<activation::Passed>,
) -> Result<Vec<Opened>, ListenError> {
    if let Some(t) = tls {
        if t.ca.as_os_str().is_empty() {
            if let Some(addr) = addrs
                .iter()
                .find(|a| !matches!(a, ListenAddr::Bind(Host::Unix(_))))
            {
                return Err(ListenError::TlsWithoutVerify {
                    addr: addr.to_string(),
                });
            }
        }
    }
    let gid = group::socket_gid(group)?;
    let mut out = Vec::new();
    for addr in addrs {
        let shown = addr.to_string();
        let bind_err = |source| ListenError::Bind {
            addr: shown.clone(),
            source,
        };
        match addr {
            ListenAddr::Bind(host) => {
                let listener = match host {
                    Host::Unix(path) => Listener::bind_unix(path, gid).map_err(|e| match e {
                        UnixBindError::Chown { gid, source } => ListenError::Chown {
                            addr: shown.clone(),
                            gid,
                            source,
                        },
                        UnixBindError::Io(source) => ListenError::Bind {
                            addr: shown.clone(),
                            source,
                        },
                        other => ListenError::Bind {
                            addr: shown.clone(),
                            source: io::Error::other(other),
                        },
                    })?,
                    Host::Tcp(_) => Listener::bind(host, tls).await.map_err(bind_err)?,
                };
                out.push(Opened {
                    addr: addr.clone(),
                    listener,
                });
            }
            ListenAddr::Activated(which) => {
                if activated.is_empty() && which.is_none() {
                    return Err(ListenError::NoActivation { addr: shown });
                }
                let chosen: Vec<activation::Passed> = match which {
                    None => std::mem::take(&mut activated),
                    Some(fd) => {
                        let Some(i) = activated.iter().position(|p| p.fd() == *fd) else {
                            return Err(ListenError::NotActivated {
                                addr: shown,
                                fd: *fd,
                                passed: activated.iter().map(activation::Passed::fd).collect(),
                            });
                        };
                        vec![activated.remove(i)]
                    }
                };
                for passed in chosen {
                    let listener = passed.into_listener(tls).map_err(bind_err)?;
                    out.push(Opened {
                        addr: addr.clone(),
                        listener,
                    });
                }
            }
        }
    }
    Ok(out)
}
