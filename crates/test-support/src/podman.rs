//! A private rootful podman serving its Docker-compatible API, for the
//! client's compatibility tests: `podman system service --time=0` on a
//! unix socket, with its own `--root`, `--runroot` and `--tmpdir` under the
//! test's directory, its network configuration there too, and the `vfs` storage driver (no mounts, nothing shared
//! with a podman the machine may run). Dropping it stops the service, kills
//! the helpers it left (conmon) and removes its files.

use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::scratch::{fresh_dir, remove_dir};
use crate::skip::{can_run, Need};
use crate::teardown::{kill_below, terminate};

/// A running private podman service.
pub struct Podman {
    dir: PathBuf,
    socket: PathBuf,
    child: Child,
}

impl Podman {
    /// Starts the service under a fresh `name` directory; `None` (after a
    /// notice) when podman cannot run here.
    pub fn start(name: &str) -> Option<Podman> {
        if !can_run(Need::Podman) {
            return None;
        }
        let dir = fresh_dir(&format!("podman-{name}"));
        let socket = dir.join("podman.sock");
        let child = Command::new("podman")
            .args(Self::storage_args(&dir))
            .args(["system", "service", "--time=0"])
            .arg(format!("unix://{}", socket.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::File::create(dir.join("podman.log")).expect("podman.log"),
            ))
            .spawn()
            .expect("start podman system service");
        let podman = Podman { dir, socket, child };
        let deadline = Instant::now() + Duration::from_secs(30);
        while UnixStream::connect(&podman.socket).is_err() {
            assert!(
                Instant::now() < deadline,
                "podman did not listen: {}",
                podman.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(podman)
    }

    fn storage_args(dir: &Path) -> Vec<String> {
        vec![
            "--root".into(),
            dir.join("root").display().to_string(),
            "--runroot".into(),
            dir.join("run").display().to_string(),
            "--tmpdir".into(),
            dir.join("tmp").display().to_string(),
            "--storage-driver".into(),
            "vfs".into(),
            // Debian's crun refuses cgroup v1 hosts with a hybrid
            // hierarchy; runc runs the containers there.
            "--runtime".into(),
            "runc".into(),
            // Else podman writes its network lock under /etc/containers.
            "--network-config-dir".into(),
            dir.join("networks").display().to_string(),
        ]
    }

    /// The service's socket.
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// The test's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What podman logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("podman.log")).unwrap_or_default()
    }
}

impl Drop for Podman {
    fn drop(&mut self) {
        terminate(&mut self.child, Duration::from_secs(10));
        kill_below(&self.dir);
        remove_dir(&self.dir);
    }
}
