//! The test engined: the binary cargo built beside the test executable
//! (`<target>/<profile>/engined`), started on a private socket, data and
//! exec roots, pidfile and `daemon.json` under one directory; driven with
//! the docker CLI, sent SIGHUP, crashed, and looked into (container
//! records, runtime wrapper scripts). Dropping it removes its containers,
//! stops it and unmounts what it left; a directory it made itself
//! ([`Engined::start_named`]) is removed too.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::docker_cli;
use crate::netns;
use crate::rootfs::busybox_rootfs_tar;
use crate::scratch;
use crate::skip::{can_run, Need};
use crate::teardown::{remove_containers, terminate, unmount_below};

/// How long a stopping engined gets before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(10);

pub struct Engined {
    /// `None` once stopped or crashed: nothing of it is left to stop.
    pub child: Option<Child>,
    pub dir: PathBuf,
    /// Whether dropping removes `dir` (made by [`Engined::start_named`]).
    remove_dir: bool,
}

/// The engined binary of this build: the test executable lives in
/// `<target>/<profile>/deps/`, engined in `<target>/<profile>/`.
pub fn binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let profile_dir = exe.parent()?.parent()?;
    let bin = profile_dir.join("engined");
    bin.is_file().then_some(bin)
}

/// The flags that keep a test's engined to its own files under `dir`:
/// data and exec roots, pidfile, and `dir/daemon.json`.
pub fn private_roots(dir: &Path) -> Vec<OsString> {
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

impl Engined {
    /// A fresh directory for one test under the target's tmp dir, with an
    /// empty `daemon.json` (a previous run's mounts and files removed).
    pub fn test_dir(name: &str) -> PathBuf {
        let dir = scratch::fresh_dir(name);
        std::fs::write(dir.join("daemon.json"), "{}")
            .unwrap_or_else(|e| panic!("{}/daemon.json: {e}", dir.display()));
        dir
    }

    /// Starts engined with its files under `dir` (using `dir/daemon.json`,
    /// made empty when missing; the log appended to `dir/engined.log`).
    /// The directory stays when the daemon is dropped: a test may start
    /// another on it. Panics, with the log, when engined does not come up.
    pub fn start(dir: &Path) -> Engined {
        let bin = binary().unwrap_or_else(|| {
            panic!("no engined binary beside the tests (cargo build -p engined)")
        });
        Engined::launch(&bin, dir).unwrap_or_else(|e| panic!("{e}"))
    }

    /// For tests outside engined's crate: a fresh directory named after
    /// `name`, removed on drop, and engined started in it; or `None`
    /// (after printing why) when this machine cannot run containers or
    /// has no engined binary built, so the caller skips its test.
    pub fn start_named(name: &str) -> Option<Engined> {
        if binary().is_none() {
            eprintln!("skipped: no engined binary beside the tests (cargo build -p engined)");
            return None;
        }
        if !can_run(Need::Containers) {
            return None;
        }
        let mut e = Engined::start(&Engined::test_dir(&format!("engined-{name}")));
        e.remove_dir = true;
        Some(e)
    }

    /// Runs `bin` on `dir` and waits until its socket is there; `Err`
    /// says why it is not, with the daemon's log.
    pub fn launch(bin: &Path, dir: &Path) -> Result<Engined, String> {
        let io = |what: &Path, e: std::io::Error| format!("{}: {e}", what.display());
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let config = dir.join("daemon.json");
        if !config.exists() {
            std::fs::write(&config, "{}").map_err(|e| io(&config, e))?;
        }
        let socket = dir.join("engined.sock");
        let _ = std::fs::remove_file(&socket);
        let log_path = dir.join("engined.log");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(|e| io(&log_path, e))?;
        let spawning = netns::DAEMONS.lock();
        let child = Command::new(bin)
            .arg("-H")
            .arg(format!("unix://{}", socket.display()))
            .args(private_roots(dir))
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| io(&log_path, e))?)
            .stderr(log)
            .spawn()
            .map_err(|e| io(bin, e))?;
        drop(spawning);
        let mut e = Engined::adopt(child, dir);
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if e.socket().exists() {
                return Ok(e);
            }
            if let Some(Ok(Some(status))) = e.child.as_mut().map(Child::try_wait) {
                e.child = None;
                return Err(format!("engined exited ({status}); log:\n{}", e.log()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(format!(
            "engined did not start within 20 s; log:\n{}",
            e.log()
        ))
    }

    /// Takes charge of an engined a test started itself (socket
    /// activation, say) with its files under `dir`.
    pub fn adopt(child: Child, dir: &Path) -> Engined {
        Engined {
            child: Some(child),
            dir: dir.to_path_buf(),
            remove_dir: false,
        }
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

    /// engined's pid (0 once stopped).
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).unwrap_or(0)
    }

    /// engined's peak resident set in KiB (`VmHWM`; writing 5 to its
    /// `/proc/PID/clear_refs` starts a new peak).
    pub fn peak_rss_kib(&self) -> u64 {
        let pid = self.pid();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .unwrap_or_else(|e| panic!("/proc/{pid}/status: {e}"));
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no VmHWM in /proc/{pid}/status"))
    }

    /// Runs `docker args...` and returns everything it did.
    pub fn docker_output(&self, args: &[&str]) -> Output {
        docker_cli::output(&self.host(), args)
    }

    /// Runs `docker args...` with `input` on its stdin.
    pub fn docker_with_input(&self, args: &[&str], input: &[u8]) -> Output {
        docker_cli::with_input(&self.host(), args, input)
    }

    /// Runs `docker args...`, which must succeed; returns its stdout.
    pub fn docker(&self, args: &[&str]) -> String {
        docker_cli::succeeds(&self.host(), args, || self.log())
    }

    /// `docker inspect what...` as JSON: the first object.
    pub fn inspect_json(&self, what: &[&str]) -> serde_json::Value {
        let mut args = vec!["inspect"];
        args.extend(what);
        let all: serde_json::Value =
            serde_json::from_str(&self.docker(&args)).expect("inspect JSON");
        all[0].clone()
    }

    /// The IPv4 address `container` has on `network` ("" when none).
    pub fn ip_on(&self, container: &str, network: &str) -> String {
        self.inspect_json(&[container])["NetworkSettings"]["Networks"][network]["IPAddress"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The events sent since `since` (a `docker events --since` value) up
    /// to now, narrowed by `filters` (each `key=value` one `--filter`) and
    /// printed with the Go template `format`, one event a line.
    pub fn events(&self, since: &str, filters: &[&str], format: &str) -> String {
        let until = docker_cli::events_until_now();
        let mut args = vec!["events", "--since", since, "--until", &until];
        for filter in filters {
            args.extend(["--filter", filter]);
        }
        args.extend(["--format", format]);
        self.docker(&args)
    }

    /// Runs `docker args...`, which must fail; returns its stderr.
    pub fn docker_fails(&self, args: &[&str]) -> String {
        docker_cli::fails(&self.host(), args)
    }

    /// Imports the busybox rootfs as the image `mini`.
    pub fn import_mini(&self) {
        let tar = busybox_rootfs_tar(&self.dir).expect("busybox rootfs tar");
        let tar = tar.to_str().expect("a UTF-8 test directory");
        self.docker(&["import", tar, "mini"]);
    }

    /// SIGHUP: reload the configuration.
    pub fn hup(&self) {
        let status = Command::new("kill")
            .arg("-HUP")
            .arg(self.pid().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -HUP {}", self.pid());
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
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The runtime wrapper scripts on disk, sorted.
    pub fn scripts(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(self.dir.join("data/runtimes"))
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        v.sort();
        v
    }

    /// Stops engined (SIGTERM, then SIGKILL after 10 s); its containers
    /// are left to what engined does on SIGTERM.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            terminate(&mut child, STOP_GRACE);
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

impl Engined {
    /// Whether a live engined holds this directory's pidfile (one started
    /// on the same roots after this one crashed).
    fn successor_runs(&self) -> bool {
        let Ok(text) = std::fs::read_to_string(self.dir.join("engined.pid")) else {
            return false;
        };
        let Ok(pid) = text.trim().parse::<u32>() else {
            return false;
        };
        std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .is_ok_and(|comm| comm.trim_end() == "engined")
    }
}

impl Drop for Engined {
    fn drop(&mut self) {
        if self.child.is_some() {
            // No container outlives the test.
            remove_containers(&self.host());
        }
        {
            let _last = netns::DAEMONS.lock();
            self.stop();
            netns::remove_default_bridge_when_unused();
            // A daemon that crashed or was killed left its NAT table,
            // unless another daemon runs on the same roots now.
            if !self.successor_runs() {
                netns::remove_nat_table(&self.dir.join("exec"));
            }
        }
        if self.remove_dir {
            scratch::remove_dir(&self.dir);
        } else {
            unmount_below(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_roots_keep_every_file_under_the_directory() {
        let dir = Path::new("/some/test");
        let flags = private_roots(dir);
        let pairs: Vec<(&str, &Path)> = flags
            .chunks(2)
            .map(|p| (p[0].to_str().unwrap(), Path::new(&p[1])))
            .collect();
        assert_eq!(
            pairs,
            [
                ("--data-root", dir.join("data").as_path()),
                ("--exec-root", dir.join("exec").as_path()),
                ("--pidfile", dir.join("engined.pid").as_path()),
                ("--config-file", dir.join("daemon.json").as_path()),
            ]
        );
    }
}
