//! What the daemon and a container's supervisor say to each other.
//!
//! The daemon writes a [`ShimConfig`] as `shim.json` into the bundle and
//! runs `engined-shim <bundle>`; the supervisor binds `shim.sock` in the
//! bundle, detaches, and its starter exits 0 (or non-zero with a message
//! on stderr). Each connection to the socket begins with one JSON
//! [`Request`] line and gets one JSON [`Reply`] line:
//!
//! - `attach`: `ok`, then the container's output (Docker's multiplexed
//!   frames, or raw bytes with a TTY) until it exits; bytes the daemon
//!   sends go to the container's stdin (when it has one open).
//! - `start`: `started` with the pid (or `error`), then, when the
//!   container exits, `exited` on the same connection.
//! - `wait`: `exited` when the container exits.
//! - `state`: `state` with the pid.
//! - `resize`: `ok` (TTY only).
//! - `abandon`: `ok` once a supervisor that no `start` reached has given
//!   up (its files removed, the rootfs unmounted, the process about to
//!   exit); `error` when the run has begun. A daemon that restarts after
//!   a crash asks this of a supervisor it spawned but never started.
//!
//! The exit is also written to `exit.json` in the container's directory
//! (atomically) before the supervisor exits, for a daemon that was not
//! there to hear it.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The supervisor's socket, inside the bundle directory.
pub const SOCKET: &str = "shim.sock";
/// The supervisor's config, inside the bundle directory.
pub const CONFIG: &str = "shim.json";
/// The TTY console socket runc sends the pty master to.
pub const CONSOLE_SOCKET: &str = "console.sock";
/// The container's exit record, inside the container's data directory.
pub const EXIT_FILE: &str = "exit.json";

/// Everything the supervisor needs to run one container once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShimConfig {
    pub id: String,
    pub bundle: PathBuf,
    /// The recorded runtime binary (a wrapper script for wrapped runtimes).
    pub runtime: PathBuf,
    /// The runtime's `--root`.
    pub runtime_root: PathBuf,
    /// The json-file log.
    pub log_path: PathBuf,
    /// Where the exit is recorded.
    pub exit_file: PathBuf,
    pub tty: bool,
    pub open_stdin: bool,
    pub stdin_once: bool,
    /// A mount to remove once the container has exited (its rootfs).
    pub unmount: Option<PathBuf>,
    /// How long to wait for `start` before giving up.
    pub start_timeout_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    Attach {
        stdin: bool,
        stdout: bool,
        stderr: bool,
    },
    Start,
    Wait,
    State,
    Resize {
        height: u16,
        width: u16,
    },
    Abandon,
}

/// How a container's run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exit {
    pub exit_code: i32,
    pub pid: i32,
    /// RFC 3339 with nanoseconds.
    pub finished_at: String,
    /// The kernel's OOM killer killed a process of the container during
    /// the run (its memory cgroup's count, read before the runtime's
    /// `delete` removed the cgroup).
    #[serde(default)]
    pub oom_killed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum Reply {
    Ok,
    Started { pid: i32 },
    State { pid: i32, running: bool },
    Exited(Exit),
    Error { message: String },
}

impl Reply {
    /// The reply as one line.
    pub fn line(&self) -> Vec<u8> {
        let mut line = serde_json::to_vec(self).unwrap_or_else(|_| b"{}".to_vec());
        line.push(b'\n');
        line
    }
}

impl Request {
    /// The request as one line.
    pub fn line(&self) -> Vec<u8> {
        let mut line = serde_json::to_vec(self).unwrap_or_else(|_| b"{}".to_vec());
        line.push(b'\n');
        line
    }
}

/// Docker's frame header for `len` bytes of stream `id` (1 stdout, 2 stderr).
pub fn frame_header(id: u8, len: usize) -> [u8; 8] {
    let n = (len as u32).to_be_bytes();
    [id, 0, 0, 0, n[0], n[1], n[2], n[3]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip() {
        let r = Request::Attach {
            stdin: true,
            stdout: true,
            stderr: false,
        };
        let line = r.line();
        assert_eq!(
            String::from_utf8(line.clone()).unwrap(),
            "{\"op\":\"attach\",\"stdin\":true,\"stdout\":true,\"stderr\":false}\n"
        );
        assert_eq!(serde_json::from_slice::<Request>(&line).unwrap(), r);
        let e = Reply::Exited(Exit {
            exit_code: 3,
            pid: 10,
            finished_at: "t".into(),
            oom_killed: false,
        });
        assert_eq!(serde_json::from_slice::<Reply>(&e.line()).unwrap(), e);
        assert_eq!(frame_header(2, 258), [2, 0, 0, 0, 0, 0, 1, 2]);
    }
}
