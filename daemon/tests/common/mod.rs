//! The harness the engined end-to-end tests share: start the `engined`
//! binary on a private socket and data root, drive it with the real docker
//! CLI, and build a busybox rootfs tar to import. Each test file that uses
//! it says `mod common;` (not every file uses every helper).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const DOCKER: &str = "/usr/local/bin/docker";

/// Why a test cannot run here (no docker CLI, no runc, not root...), or
/// `None` when it can.
pub fn skip_reason(need_runc: bool) -> Option<String> {
    if !Path::new(DOCKER).exists() {
        return Some(format!("no docker CLI at {DOCKER}"));
    }
    if need_runc && Command::new("runc").arg("--version").output().is_err() {
        return Some("no runc on PATH (apt-get install runc)".into());
    }
    None
}

pub struct Daemon {
    pub child: Child,
    pub dir: PathBuf,
}

impl Daemon {
    /// A fresh directory for one test under the target's tmp dir.
    pub fn test_dir(name: &str) -> PathBuf {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
        let _ = Command::new("umount").arg("-R").arg(&dir).output();
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Starts engined with its files under `dir` (a `daemon.json` there is
    /// used when the caller wrote one; an empty one is written otherwise).
    pub fn start(dir: &Path) -> Daemon {
        if !dir.join("daemon.json").exists() {
            std::fs::write(dir.join("daemon.json"), "{}").unwrap();
        }
        let _ = std::fs::remove_file(dir.join("engined.sock"));
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("engined.log"))
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_engined"))
            .arg("-H")
            .arg(format!("unix://{}", dir.join("engined.sock").display()))
            .arg("--data-root")
            .arg(dir.join("data"))
            .arg("--exec-root")
            .arg(dir.join("exec"))
            .arg("--pidfile")
            .arg(dir.join("engined.pid"))
            .arg("--config-file")
            .arg(dir.join("daemon.json"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let d = Daemon {
            child,
            dir: dir.to_path_buf(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while !d.dir.join("engined.sock").exists() {
            assert!(
                Instant::now() < deadline,
                "engined did not start:\n{}",
                d.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        d
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("engined.log")).unwrap_or_default()
    }

    pub fn host(&self) -> String {
        format!("unix://{}", self.dir.join("engined.sock").display())
    }

    /// Runs `docker args...` and returns everything it did.
    pub fn docker_output(&self, args: &[&str]) -> Output {
        Command::new(DOCKER)
            .arg("-H")
            .arg(self.host())
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    /// Runs `docker args...`, which must succeed; returns its stdout.
    pub fn docker(&self, args: &[&str]) -> String {
        let out = self.docker_output(args);
        assert!(
            out.status.success(),
            "docker {args:?}: {}{}\nengined log:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            self.log()
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs `docker args...`, which must fail; returns its stderr.
    pub fn docker_fails(&self, args: &[&str]) -> String {
        let out = self.docker_output(args);
        assert!(
            !out.status.success(),
            "docker {args:?} should fail: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// Stops engined (SIGTERM, then SIGKILL after 10 s).
    pub fn stop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// `kill -9` engined, as a crash would.
    pub fn crash(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A tar of a minimal busybox root filesystem (`/bin/busybox` with a few
/// applet links, `/tmp`), built under `dir`; `None` without busybox.
pub fn busybox_rootfs_tar(dir: &Path) -> Option<PathBuf> {
    let busybox = ["/usr/bin/busybox", "/bin/busybox"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())?;
    let root = dir.join("rootfs");
    std::fs::create_dir_all(root.join("bin")).ok()?;
    std::fs::create_dir_all(root.join("tmp")).ok()?;
    std::fs::copy(&busybox, root.join("bin/busybox")).ok()?;
    for applet in [
        "sh", "echo", "sleep", "true", "cat", "ls", "ps", "id", "env", "pwd", "hostname",
    ] {
        let _ = std::os::unix::fs::symlink("busybox", root.join("bin").join(applet));
    }
    let tar = dir.join("rootfs.tar");
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
