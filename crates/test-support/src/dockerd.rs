//! A private Docker daemon for tests that check our client (and later our
//! daemon's behaviour) against the real thing: Debian's dockerd on its own
//! data-root and socket, with no iptables, no bridge and vfs storage, so it
//! touches nothing else on the machine. Stopped and cleaned up on drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Dockerd {
    child: Child,
    dir: PathBuf,
    socket: PathBuf,
}

impl Dockerd {
    /// Starts a daemon, or returns `None` (after printing why) when this
    /// machine has no dockerd or is not root: the caller skips its test.
    /// A daemon that is there but does not come up fails the test.
    pub fn start(name: &str) -> Option<Dockerd> {
        if which("dockerd").is_none() {
            eprintln!("skipped: no dockerd on PATH (apt-get install docker.io)");
            return None;
        }
        if !is_root() {
            eprintln!("skipped: dockerd needs root");
            return None;
        }
        let dir = std::env::temp_dir().join(format!(
            "engine-tests-dockerd-{name}-{}",
            std::process::id()
        ));
        match Dockerd::launch(&dir) {
            Ok(d) => Some(d),
            Err(e) => panic!("{e}"),
        }
    }

    /// Starts a daemon in `dir` (emptied first) and waits until it answers
    /// `/_ping`; `Err` says why it could not, with the daemon's log when
    /// it ran. The benchmarks (benches/bench-api) include this file too.
    pub fn launch(dir: &Path) -> Result<Dockerd, String> {
        let bin = which("dockerd").ok_or("no dockerd on PATH (apt-get install docker.io)")?;
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
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

    /// Runs the docker CLI against this daemon; panics with its output on failure.
    pub fn docker(&self, args: &[&str]) -> String {
        let out = Command::new("docker")
            .arg("-H")
            .arg(self.host())
            .args(args)
            .output()
            .expect("run docker CLI");
        assert!(
            out.status.success(),
            "docker {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// A tar of a busybox rootfs (sh, echo, sleep, true, cat), for imports.
    pub fn busybox_rootfs_tar(&self) -> Option<PathBuf> {
        let busybox = which("busybox")?;
        let root = self.dir.join("rootfs");
        std::fs::create_dir_all(root.join("bin")).ok()?;
        std::fs::create_dir_all(root.join("tmp")).ok()?;
        std::fs::copy(&busybox, root.join("bin/busybox")).ok()?;
        for applet in ["sh", "echo", "sleep", "true", "cat", "ls"] {
            let _ = std::os::unix::fs::symlink("busybox", root.join("bin").join(applet));
        }
        let tar = self.dir.join("rootfs.tar");
        let ok = Command::new("tar")
            .arg("-C")
            .arg(&root)
            .arg("-cf")
            .arg(&tar)
            .arg(".")
            .status()
            .ok()?
            .success();
        ok.then_some(tar)
    }
}

impl Drop for Dockerd {
    fn drop(&mut self) {
        let host = self.host();
        stop_daemon(&mut self.child, &host, Duration::from_secs(15));
        let _ = Command::new("umount").arg("-R").arg(&self.dir).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Stops a test daemon serving `host`: removes its containers first (so no
/// runtime process outlives it), then asks it to stop and waits up to
/// `grace` before killing it.
pub fn stop_daemon(child: &mut Child, host: &str, grace: Duration) {
    if let Ok(out) = Command::new("docker")
        .args(["-H", host, "ps", "-aq"])
        .output()
    {
        let ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .map(String::from)
            .collect();
        if !ids.is_empty() {
            let _ = Command::new("docker")
                .args(["-H", host, "rm", "-f"])
                .args(&ids)
                .output();
        }
    }
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The first executable named `name` on PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Whether this process runs as root (dockerd needs it for its mounts).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|euid| euid == "0"))
        })
        .unwrap_or(false)
}
