//! systemd's socket activation, as `sd_listen_fds` reads it: when
//! `LISTEN_PID` is this process, `LISTEN_FDS` sockets start at
//! descriptor 3. The variables are removed so that no child takes the
//! sockets for its own, and the descriptors are closed on exec.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use engine_api::rt::server::{Listener, ServerTls};

use super::ListenError;

/// The first descriptor socket activation passes.
pub const FIRST_FD: RawFd = 3;

/// A listening socket passed to the daemon.
pub struct Passed {
    fd: OwnedFd,
    unix: bool,
}

impl Passed {
    pub fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// The socket as a server listener (`tls` for a tcp one).
    pub fn into_listener(self, tls: Option<&ServerTls>) -> io::Result<Listener> {
        if self.unix {
            Listener::from_std_unix(std::os::unix::net::UnixListener::from(self.fd))
        } else {
            Listener::from_std_tcp(std::net::TcpListener::from(self.fd), tls)
        }
    }
}

/// Takes the sockets passed to this process (none when it was not
/// started by socket activation).
pub fn take() -> Result<Vec<Passed>, ListenError> {
    let pid = std::env::var("LISTEN_PID").ok();
    let count = std::env::var("LISTEN_FDS").ok();
    std::env::remove_var("LISTEN_PID");
    std::env::remove_var("LISTEN_FDS");
    std::env::remove_var("LISTEN_FDNAMES");
    let ours = pid.and_then(|p| p.trim().parse::<u32>().ok()) == Some(std::process::id());
    let count = count
        .and_then(|n| n.trim().parse::<RawFd>().ok())
        .unwrap_or(0);
    if !ours || count <= 0 {
        return Ok(Vec::new());
    }
    (FIRST_FD..FIRST_FD.saturating_add(count))
        .map(inspect)
        .collect()
}

fn bad(fd: RawFd, reason: impl Into<String>) -> ListenError {
    ListenError::BadSocket {
        fd,
        reason: reason.into(),
    }
}

fn socket_option(fd: RawFd, option: libc::c_int) -> io::Result<libc::c_int> {
    let mut value: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `value` and `len` are valid for writing an int option.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            option,
            (&mut value as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    if rc == 0 {
        Ok(value)
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Checks that `fd` is a listening stream socket we can serve, and takes
/// ownership of it.
fn inspect(fd: RawFd) -> Result<Passed, ListenError> {
    // SAFETY: F_GETFD only reads the descriptor's flags.
    if unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0 {
        return Err(bad(fd, "not an open descriptor"));
    }
    // SAFETY: the descriptor is open, and socket activation hands it to
    // this process alone (the variables naming it are removed above).
    let owned = unsafe { OwnedFd::from_raw_fd(fd) };
    // SAFETY: sets the close-on-exec flag of a descriptor we own.
    if unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) } < 0 {
        return Err(bad(fd, io::Error::last_os_error().to_string()));
    }
    let domain = socket_option(fd, libc::SO_DOMAIN).map_err(|e| bad(fd, e.to_string()))?;
    let kind = socket_option(fd, libc::SO_TYPE).map_err(|e| bad(fd, e.to_string()))?;
    let listening = socket_option(fd, libc::SO_ACCEPTCONN).map_err(|e| bad(fd, e.to_string()))?;
    if kind != libc::SOCK_STREAM || listening == 0 {
        return Err(bad(fd, "not a listening stream socket"));
    }
    match domain {
        libc::AF_UNIX => Ok(Passed {
            fd: owned,
            unix: true,
        }),
        libc::AF_INET | libc::AF_INET6 => Ok(Passed {
            fd: owned,
            unix: false,
        }),
        other => Err(bad(
            fd,
            format!("socket family {other} is neither unix nor inet"),
        )),
    }
}
