//! engined for tests outside the daemon crate: started from the binary
//! cargo built beside the test executable (`target/debug/engined`), on its
//! own socket, data, exec root and config under a temporary directory;
//! stopped, unmounted and removed on drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Engined {
    child: Child,
    dir: PathBuf,
}

/// The engined binary of this build: the test executable lives in
/// `<target>/<profile>/deps/`, engined in `<target>/<profile>/`.
pub fn binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let profile_dir = exe.parent()?.parent()?;
    let bin = profile_dir.join("engined");
    bin.is_file().then_some(bin)
}

impl Engined {
    /// Starts engined, or returns `None` (after printing why) when this
    /// machine cannot run it: no built binary, not root, no runc. An
    /// engined that does not come up fails the test.
    pub fn start(name: &str) -> Option<Engined> {
        let Some(bin) = binary() else {
            eprintln!("skipped: no engined binary beside the tests (cargo build -p engined)");
            return None;
        };
        if !crate::dockerd::is_root() {
            eprintln!("skipped: engined runs containers as root only");
            return None;
        }
        if crate::dockerd::which("runc").is_none() {
            eprintln!("skipped: no runc on PATH (apt-get install runc)");
            return None;
        }
        let dir = std::env::temp_dir().join(format!(
            "engine-tests-engined-{name}-{}",
            std::process::id()
        ));
        match Engined::launch(&bin, &dir) {
            Ok(e) => Some(e),
            Err(e) => panic!("{e}"),
        }
    }

    fn launch(bin: &Path, dir: &Path) -> Result<Engined, String> {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        std::fs::write(dir.join("daemon.json"), "{}").map_err(|e| e.to_string())?;
        let log = std::fs::File::create(dir.join("engined.log")).map_err(|e| e.to_string())?;
        let child = Command::new(bin)
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
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("spawn {}: {e}", bin.display()))?;
        let mut e = Engined {
            child,
            dir: dir.to_path_buf(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if e.socket().exists() {
                return Ok(e);
            }
            if let Ok(Some(status)) = e.child.try_wait() {
                return Err(format!("engined exited ({status}); log:\n{}", e.log()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(format!(
            "engined did not start within 20 s; log:\n{}",
            e.log()
        ))
    }

    pub fn socket(&self) -> PathBuf {
        self.dir.join("engined.sock")
    }

    pub fn host(&self) -> String {
        format!("unix://{}", self.socket().display())
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("engined.log")).unwrap_or_default()
    }
}

impl Drop for Engined {
    fn drop(&mut self) {
        // No container (and its supervisor) outlives the test.
        let host = self.host();
        crate::dockerd::stop_daemon(&mut self.child, &host, Duration::from_secs(10));
        unmount_below(&self.dir);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Lazily unmounts everything mounted at or below `dir`, deepest first,
/// so removing the directory never reaches into a mounted filesystem.
fn unmount_below(dir: &Path) {
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    let mut targets: Vec<&str> = mounts
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .filter(|t| Path::new(t).starts_with(dir))
        .collect();
    targets.sort_by_key(|t| std::cmp::Reverse(t.len()));
    for t in targets {
        let _ = Command::new("umount").arg("-l").arg(t).status();
    }
}
