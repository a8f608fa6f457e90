//! A private dockerd, for tests that check our client (and our daemon's
//! behaviour) against the real thing: Debian's dockerd on its own
//! data-root and socket, with no iptables, no bridge and vfs storage, so it
//! touches nothing else on the machine. Stopped and cleaned up on drop.
//!
//! The benchmarks (benches/bench-api, a workspace of their own) include
//! this file and the harness modules it uses by path.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::docker_cli;
use crate::scratch;
use crate::skip::{can_run, which, Need};
use crate::teardown::stop_daemon;

/// How long a stopping dockerd gets before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(15);

pub struct Dockerd {
    child: Child,
    dir: PathBuf,
    socket: PathBuf,
}

impl Dockerd {
    /// Starts a daemon in a fresh directory named after `name`, or returns
    /// `None` (after printing why) when this machine has no dockerd or is
    /// not root: the caller skips its test. A daemon that is there but
    /// does not come up fails the test.
    pub fn start(name: &str) -> Option<Dockerd> {
        if !can_run(Need::Dockerd) {
            return None;
        }
        let dir = scratch::fresh_dir(&format!("dockerd-{name}"));
        match Dockerd::launch(&dir) {
            Ok(d) => Some(d),
            Err(e) => panic!("{e}"),
        }
    }

    /// Starts a daemon in `dir`, an empty directory the caller made (as
    /// [`scratch::fresh_dir`] does), and waits until it answers `/_ping`;
    /// `Err` says why it could not, with the daemon's log when it ran.
    pub fn launch(dir: &Path) -> Result<Dockerd, String> {
        let bin = which("dockerd").ok_or("no dockerd on PATH (apt-get install docker.io)")?;
        let socket = dir.join("docker.sock");
        let log = std::fs::File::create(dir.join("dockerd.log")).map_err(|e| e.to_string())?;
        let child = Command::new(bin)
            .arg("--data-root")
            .arg(dir.join("data"))
            .arg("--exec-root")
            .arg(dir.join("exec"))
            .arg("--pidfile")
            .arg(dir.join("docker.pid"))
            .arg("-H")
            .arg(format!("unix://{}", socket.display()))
            .args([
                "--iptables=false",
                "--ip6tables=false",
                "--bridge=none",
                "--storage-driver=vfs",
            ])
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("spawn dockerd: {e}"))?;
        let mut d = Dockerd {
            child,
            dir: dir.to_path_buf(),
            socket,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if d.ping() {
                return Ok(d);
            }
            if let Ok(Some(status)) = d.child.try_wait() {
                return Err(format!("dockerd exited ({status}); log:\n{}", d.log()));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!(
            "dockerd did not answer within 30 s; log:\n{}",
            d.log()
        ))
    }

    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// The daemon's directory (its roots, socket and log), removed on drop.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn host(&self) -> String {
        format!("unix://{}", self.socket.display())
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("dockerd.log")).unwrap_or_default()
    }

    fn ping(&self) -> bool {
        use std::io::{Read, Write};
        let Ok(mut s) = std::os::unix::net::UnixStream::connect(&self.socket) else {
            return false;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
        if s.write_all(b"GET /_ping HTTP/1.0\r\nHost: d\r\n\r\n")
            .is_err()
        {
            return false;
        }
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out.starts_with("HTTP/1.0 200") || out.starts_with("HTTP/1.1 200")
    }

    /// Runs the docker CLI against this daemon, which must succeed;
    /// returns its stdout without the surrounding whitespace.
    pub fn docker(&self, args: &[&str]) -> String {
        docker_cli::succeeds(&self.host(), args, || self.log())
            .trim()
            .to_string()
    }
}

impl Drop for Dockerd {
    fn drop(&mut self) {
        let host = self.host();
        stop_daemon(&mut self.child, &host, STOP_GRACE);
        scratch::remove_dir(&self.dir);
    }
}
