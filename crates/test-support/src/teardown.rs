//! Leaving nothing behind when a test daemon (engined, dockerd, podman) goes:
//! its containers removed, the process asked to stop then killed, and the
//! mounts it left below its directory undone.

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use crate::docker_cli;

/// Removes every container of the daemon at `host` (so no runtime
/// process or supervisor outlives the test); errors are ignored (this
/// runs in `Drop`, maybe while a failed test unwinds).
pub fn remove_containers(host: &str) {
    let Ok(out) = docker_cli::try_output(host, &["ps", "-aq"]) else {
        return;
    };
    let ids = String::from_utf8_lossy(&out.stdout).into_owned();
    let ids: Vec<&str> = ids.split_whitespace().collect();
    if !ids.is_empty() {
        let mut args = vec!["rm", "-f"];
        args.extend(ids);
        let _ = docker_cli::try_output(host, &args);
    }
}

/// SIGTERM to `child`, then SIGKILL when it has not exited after `grace`.
pub fn terminate(child: &mut Child, grace: Duration) {
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Stops a test daemon serving `host`: its containers first, then the
/// process (see [`terminate`]).
pub fn stop_daemon(child: &mut Child, host: &str, grace: Duration) {
    remove_containers(host);
    terminate(child, grace);
}

/// Lazily unmounts whatever is still mounted at or below `dir` (container
/// root filesystems, a daemon's own mounts), deepest first, so removing
/// the directory never reaches into a mounted filesystem.
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

/// Kills, by pid, every process whose command line names a path below
/// `dir`: helpers a daemon leaves behind when it stops (podman's conmon
/// keeps an exec session's exit status for minutes after it ends).
pub fn kill_below(dir: &Path) {
    for pid in pids_below(dir) {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
}

/// The pids of the processes (other than this one) whose command line
/// names a path below `dir`, such as the supervisors of a daemon's
/// containers, whose argument is the bundle under its exec root.
pub fn pids_below(dir: &Path) -> Vec<u32> {
    let needle = format!("{}/", dir.display());
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            (pid != me && String::from_utf8_lossy(&cmdline).contains(&needle)).then_some(pid)
        })
        .collect()
}
