//! The console socket of an exec with a TTY: the runtime (`exec
//! --console-socket`) connects to it and sends the pty master it made the
//! process's controlling terminal. A bundle path can be longer than a unix
//! socket address allows, so the socket is bound through a descriptor of
//! the bundle directory and the runtime, run in that directory, is given
//! the bare file name.

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::supervisor::sys;

/// How long the runtime gets to send the pty master.
const ACCEPT_TIMEOUT: Duration = Duration::from_secs(10);

/// A bound console socket in a directory; removed when dropped.
pub struct ConsoleSocket {
    listener: tokio::net::UnixListener,
    dir: PathBuf,
    name: String,
}

impl ConsoleSocket {
    /// Binds `dir/name`; `name` is what the runtime, run in `dir`, dials.
    pub fn bind(dir: &Path, name: &str) -> io::Result<ConsoleSocket> {
        let handle = File::open(dir)?;
        let short = PathBuf::from(format!("/proc/self/fd/{}", handle.as_raw_fd())).join(name);
        let _ = std::fs::remove_file(dir.join(name));
        let listener = std::os::unix::net::UnixListener::bind(&short)?;
        listener.set_nonblocking(true)?;
        Ok(ConsoleSocket {
            listener: tokio::net::UnixListener::from_std(listener)?,
            dir: dir.to_path_buf(),
            name: name.to_string(),
        })
    }

    /// The name to give the runtime's `--console-socket` (relative to the
    /// directory the socket is in).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Waits for the runtime's connection and the master it sends.
    pub async fn receive(&self) -> io::Result<File> {
        let (conn, _) = tokio::time::timeout(ACCEPT_TIMEOUT, self.listener.accept())
            .await
            .map_err(|_| io::Error::other("the runtime sent no console"))??;
        let conn = conn.into_std()?;
        conn.set_nonblocking(false)?;
        conn.set_read_timeout(Some(ACCEPT_TIMEOUT))?;
        tokio::task::spawn_blocking(move || sys::recv_fd(&conn).map(File::from))
            .await
            .map_err(io::Error::other)?
    }
}

impl Drop for ConsoleSocket {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(self.dir.join(&self.name));
    }
}
