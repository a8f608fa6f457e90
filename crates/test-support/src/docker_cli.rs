//! The real docker CLI run against a test daemon's host: its whole output,
//! with bytes on its stdin, or asserted to succeed or to fail.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// The docker CLI the tests drive (28.x).
pub const DOCKER: &str = "/usr/local/bin/docker";

/// The exit code of a finished command (-1 when a signal ended it).
pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

/// Runs `docker -H host args...` and returns everything it did; `Err`
/// when the CLI could not be run at all.
pub fn try_output(host: &str, args: &[&str]) -> std::io::Result<Output> {
    Command::new(DOCKER)
        .arg("-H")
        .arg(host)
        .args(args)
        .stdin(Stdio::null())
        .output()
}

/// Runs `docker -H host args...` and returns everything it did.
pub fn output(host: &str, args: &[&str]) -> Output {
    try_output(host, args).unwrap_or_else(|e| panic!("run {DOCKER}: {e}"))
}

/// Runs `docker -H host args...` with `input` on its stdin.
pub fn with_input(host: &str, args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(DOCKER)
        .arg("-H")
        .arg(host)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("run {DOCKER}: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input)
            .unwrap_or_else(|e| panic!("docker {args:?} stdin: {e}"));
    }
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("docker {args:?}: {e}"))
}

/// Runs `docker -H host args...`, which must succeed; returns its stdout.
/// A failure panics with its output and `log` (the daemon's).
pub fn succeeds(host: &str, args: &[&str], log: impl FnOnce() -> String) -> String {
    let out = output(host, args);
    assert!(
        out.status.success(),
        "docker {args:?}: {}{}\ndaemon log:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        log()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `docker -H host args...`, which must fail; returns its stderr.
pub fn fails(host: &str, args: &[&str]) -> String {
    let out = output(host, args);
    assert!(
        !out.status.success(),
        "docker {args:?} should fail: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A `docker events --until` that covers every event so far: the next whole
/// second since the epoch (the CLI then ends instead of waiting for more).
pub fn events_until_now() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    (now.as_secs() + 1).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_is_the_exit_status_or_minus_one_for_a_signal() {
        let exited = Command::new("sh").args(["-c", "exit 3"]).output().unwrap();
        assert_eq!(code(&exited), 3);
        let killed = Command::new("sh")
            .args(["-c", "kill -9 $$"])
            .output()
            .unwrap();
        assert_eq!(code(&killed), -1);
    }
}
