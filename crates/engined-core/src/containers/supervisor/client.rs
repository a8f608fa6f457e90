//! The daemon's side of the supervisor protocol: start a supervisor for a
//! bundle, and talk to it over `shim.sock` (start, attach, wait, state,
//! resize). Socket paths can exceed the 108 bytes `sockaddr_un` allows,
//! so connections go through `/proc/self/fd/<bundle dir fd>/shim.sock`.

use std::io;
use std::os::fd::AsRawFd;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;

use super::protocol::{Reply, Request, ShimConfig, CONFIG, SOCKET};
use engined_shim::atomic;

/// How long a started supervisor waits for `start` before giving up.
pub const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Writes `shim.json` and runs the supervisor binary for `config.bundle`;
/// returns once it is listening (its starter exited 0).
pub async fn spawn(shim_binary: &Path, config: &ShimConfig) -> io::Result<()> {
    atomic::write_json(&config.bundle.join(CONFIG), config)?;
    let out = tokio::process::Command::new(shim_binary)
        .arg(&config.bundle)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .await
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", shim_binary.display())))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(io::Error::other(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ))
    }
}

/// A connection to a supervisor, after its reply line.
pub struct Connection {
    pub stream: BufReader<UnixStream>,
}

impl Connection {
    /// Reads the next reply line (the end of the connection: `None`).
    pub async fn next_reply(&mut self) -> io::Result<Option<Reply>> {
        let mut line = String::new();
        if self.stream.read_line(&mut line).await? == 0 {
            return Ok(None);
        }
        serde_json::from_str(line.trim())
            .map(Some)
            .map_err(|e| io::Error::other(format!("supervisor reply {line:?}: {e}")))
    }
}

/// Connects to the supervisor of `bundle`.
pub async fn connect(bundle: &Path) -> io::Result<UnixStream> {
    let dir = std::fs::File::open(bundle)?;
    let path = format!("/proc/self/fd/{}/{SOCKET}", dir.as_raw_fd());
    let stream = UnixStream::connect(&path).await;
    drop(dir);
    stream
}

/// Whether a supervisor answers at `bundle` (blocking; used at daemon start).
pub fn is_alive_blocking(bundle: &Path) -> bool {
    let Ok(dir) = std::fs::File::open(bundle) else {
        return false;
    };
    let path = format!("/proc/self/fd/{}/{SOCKET}", dir.as_raw_fd());
    std::os::unix::net::UnixStream::connect(path).is_ok()
}

/// Sends `request`; the replies are for the caller to read.
pub async fn open(bundle: &Path, request: &Request) -> io::Result<Connection> {
    let mut stream = connect(bundle).await?;
    stream.write_all(&request.line()).await?;
    Ok(Connection {
        stream: BufReader::new(stream),
    })
}

/// Sends `request`, reads the first reply; the connection stays usable.
pub async fn request(bundle: &Path, request: &Request) -> io::Result<(Reply, Connection)> {
    let mut conn = open(bundle, request).await?;
    match conn.next_reply().await? {
        Some(reply) => Ok((reply, conn)),
        None => Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the supervisor closed the connection",
        )),
    }
}
