//! The harness every engined end-to-end test shares: start the `engined`
//! binary on a private socket and data root, drive it with the real docker
//! CLI, crash it or send it SIGHUP, look at its files, and build a busybox
//! rootfs tar to import. Dropping a [`Daemon`] removes its containers, stops
//! it and unmounts what it left. Each test file says `mod common;` (not
//! every file uses every helper).
#![allow(dead_code)]

pub mod hostile;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const DOCKER: &str = "/usr/local/bin/docker";
pub const BUSYBOX: &str = "/usr/bin/busybox";

/// Why a test cannot run here, or `None` when it can. Containers (and so
/// `need_runc`) also need busybox-static and root.
pub fn skip_reason(need_runc: bool) -> Option<String> {
    if !Path::new(DOCKER).exists() {
        return Some(format!("no docker CLI at {DOCKER}"));
    }
    if !need_runc {
        return None;
    }
    if Command::new("runc").arg("--version").output().is_err() {
        return Some("no runc on PATH (apt-get install runc)".into());
    }
    if !Path::new(BUSYBOX).exists() {
        return Some(format!("no busybox-static at {BUSYBOX}"));
    }
    let uid = std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        .unwrap_or_default();
    if uid != "0" {
        return Some("containers need root".into());
    }
    None
}

/// Whether containers can run here; prints why not.
pub fn can_run_containers() -> bool {
    match skip_reason(true) {
        Some(why) => {
            eprintln!("skipped: {why}");
            false
        }
        None => true,
    }
}

/// Unmounts whatever is still mounted below `dir` (container root
/// filesystems), deepest first.
pub fn unmount_below(dir: &Path) {
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let mut targets: Vec<&str> = mounts
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .filter(|m| Path::new(m).starts_with(dir))
        .collect();
    targets.sort_by_key(|t| std::cmp::Reverse(t.len()));
    for t in targets {
        let _ = Command::new("umount").arg("-l").arg(t).status();
    }
}

/// The exit code of a finished docker command (-1 when killed).
pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

pub struct Daemon {
    /// `None` once crashed: nothing of it is left to stop.
    pub child: Option<Child>,
    pub dir: PathBuf,
}

/// The flags that keep a test's engined to its own files under `dir`:
/// data and exec roots, pidfile, and `dir/daemon.json`.
pub fn private_roots(dir: &Path) -> Vec<std::ffi::OsString> {
    let flag = |name: &str, path: PathBuf| [name.into(), path.into_os_string()];
    [
        flag("--data-root", dir.join("data")),
        flag("--exec-root", dir.join("exec")),
        flag("--pidfile", dir.join("engined.pid")),
        flag("--config-file", dir.join("daemon.json")),
    ]
    .into_iter()
    .flatten()
    .collect()
}

impl Daemon {
    /// A fresh directory for one test under the target's tmp dir, with an
    /// empty `daemon.json` (a previous run's mounts and files removed).
    pub fn test_dir(name: &str) -> PathBuf {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
        if dir.exists() {
            unmount_below(&dir);
            let _ = std::fs::remove_dir_all(&dir);
        }
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("daemon.json"), "{}").unwrap();
        dir
    }

    /// Starts engined with its files under `dir` (using `dir/daemon.json`).
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
            .args(private_roots(dir))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let d = Daemon {
            child: Some(child),
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

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).unwrap_or(0)
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

    /// Runs `docker args...` with `input` on its stdin.
    pub fn docker_with_input(&self, args: &[&str], input: &[u8]) -> Output {
        use std::io::Write;
        let mut child = Command::new(DOCKER)
            .arg("-H")
            .arg(self.host())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        child.wait_with_output().unwrap()
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

    /// Imports the busybox rootfs as the image `mini`.
    pub fn import_mini(&self) {
        let tar = busybox_rootfs_tar(&self.dir).expect("busybox rootfs tar");
        self.docker(&["import", tar.to_str().unwrap(), "mini"]);
    }

    /// SIGHUP: reload the configuration.
    pub fn hup(&self) {
        let status = Command::new("kill")
            .arg("-HUP")
            .arg(self.pid().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits until `docker info --format FORMAT` prints `want` (a reload is
    /// asynchronous); returns what it printed last.
    pub fn wait_for_info(&self, format: &str, want: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let got = self.docker(&["info", "--format", format]);
            if got.trim() == want || Instant::now() > deadline {
                return got.trim().to_string();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until `docker info` lists exactly `runtimes` (sorted, space
    /// separated); panics with what it lists after 10 s.
    pub fn wait_for_runtimes(&self, runtimes: &str) {
        let format = "{{range $name, $_ := .Runtimes}}{{$name}} {{end}}";
        let got = self.wait_for_info(format, runtimes);
        assert_eq!(got, runtimes, "runtimes listed by docker info");
    }

    /// The persisted record of `container`.
    pub fn record(&self, container: &str) -> serde_json::Value {
        let id = self.docker(&["inspect", "-f", "{{.Id}}", container]);
        let path = self
            .dir
            .join("data/containers")
            .join(id.trim())
            .join("container.json");
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    /// The runtime wrapper scripts on disk, sorted.
    pub fn scripts(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(self.dir.join("data/runtimes"))
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        v.sort();
        v
    }

    /// Stops engined (SIGTERM, then SIGKILL after 10 s).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// `kill -9` engined, as a crash would: containers and their
    /// supervisors stay.
    pub fn crash(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if self.child.is_some() {
            // No container outlives the test.
            let out = self.docker_output(&["ps", "-aq"]);
            let ids = String::from_utf8_lossy(&out.stdout).into_owned();
            let ids: Vec<&str> = ids.split_whitespace().collect();
            if !ids.is_empty() {
                let mut args = vec!["rm", "-f"];
                args.extend(ids);
                let _ = self.docker_output(&args);
            }
        }
        self.stop();
        unmount_below(&self.dir);
    }
}

/// A tar of a minimal busybox root filesystem (`/bin/busybox` with the
/// applets the tests use, `/etc/passwd` and `/etc/group` with root and
/// nobody, `/tmp`), built under `dir`; `None` without busybox.
pub fn busybox_rootfs_tar(dir: &Path) -> Option<PathBuf> {
    if !Path::new(BUSYBOX).exists() {
        return None;
    }
    let root = dir.join("mini-rootfs");
    for sub in ["bin", "etc", "tmp"] {
        std::fs::create_dir_all(root.join(sub)).ok()?;
    }
    std::fs::copy(BUSYBOX, root.join("bin/busybox")).ok()?;
    for applet in [
        "sh", "echo", "sleep", "cat", "ls", "true", "false", "id", "hostname", "env", "ps", "pwd",
        "trap", "kill", "touch",
    ] {
        let _ = std::os::unix::fs::symlink("busybox", root.join("bin").join(applet));
    }
    std::fs::write(
        root.join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n",
    )
    .ok()?;
    std::fs::write(root.join("etc/group"), "root:x:0:\nnogroup:x:65534:\n").ok()?;
    let tar = dir.join("mini.tar");
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

/// Runs the docker-py script `tests/py/<script>` with engined's host,
/// then `args`; asserts that it printed `all ok` at its end and left no
/// container behind, and returns its output. `None`, after printing why,
/// where this machine has no docker-py (the caller's test skips).
pub fn run_docker_py(d: &Daemon, script: &str, args: &[&str]) -> Option<String> {
    let python = match docker_py() {
        Ok(p) => p,
        Err(why) => {
            eprintln!("skipped: {why}");
            return None;
        }
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/py")
        .join(script);
    let out = Command::new(&python)
        .arg(&script)
        .arg(d.host())
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "docker-py script {} failed:\n{stdout}\n{}\nengined log:\n{}",
        script.display(),
        String::from_utf8_lossy(&out.stderr),
        d.log()
    );
    assert!(stdout.ends_with("all ok\n"), "{stdout}");
    assert_eq!(
        d.docker(&["ps", "-aq"]),
        "",
        "the script removed what it made"
    );
    Some(stdout)
}

/// A Python that can `import docker` (docker-py): `$ENGINED_DOCKER_PY_PYTHON`,
/// else the venv `.ci/run` makes at `target/docker-py`; or why there is none.
pub fn docker_py() -> Result<PathBuf, String> {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map(|target| target.join("docker-py/bin/python"));
    let candidates: Vec<PathBuf> = std::env::var_os("ENGINED_DOCKER_PY_PYTHON")
        .map(PathBuf::from)
        .into_iter()
        .chain(venv)
        .collect();
    for python in &candidates {
        let ok = Command::new(python)
            .args(["-c", "import docker"])
            .output()
            .is_ok_and(|out| out.status.success());
        if ok {
            return Ok(python.clone());
        }
    }
    Err(format!(
        "no docker-py (tried {candidates:?}); install it with \
         `python3 -m venv target/docker-py && target/docker-py/bin/pip install docker` \
         (.ci/run does)"
    ))
}
