//! Feature probing: what `<runtime binary> features` says about a runtime.
//!
//! OCI runtimes (runc 1.1+, crun) answer `features` with a JSON object (the
//! OCI "features" document: supported hooks, mount options, namespaces...).
//! It is asked once per snapshot, when the snapshot is built, with a short
//! timeout; a runtime that fails, times out, or prints anything other than a
//! JSON object has no features (`None`) and a warning is logged. Resolving a
//! runtime never runs it.

use std::io::{self, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long a runtime gets to answer `features`.
pub const DEFAULT_FEATURES_TIMEOUT: Duration = Duration::from_secs(2);

/// The most output read from a probe; a runtime printing more is cut off
/// (and, blocked on its full pipe, times out).
const MAX_OUTPUT: u64 = 4 << 20;

/// Runs `binary features` and returns its stdout as JSON, if it exits 0
/// within `timeout` and prints a JSON object.
pub fn probe_features(binary: &Path, timeout: Duration) -> Option<Value> {
    let deadline = Instant::now() + timeout;
    let mut child = match spawn(binary) {
        Ok(child) => child,
        Err(err) => {
            tracing::warn!(binary = %binary.display(), error = %err, "cannot run runtime to probe its features");
            return None;
        }
    };
    let stdout = child.stdout.take().map(read_in_background);
    let stderr = child.stderr.take().map(read_in_background);

    let mut step = Duration::from_millis(1);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {
                let now = Instant::now();
                if now >= deadline {
                    // Best effort: kill and reap; the readers end when the
                    // pipes close and are not waited for.
                    let _ = child.kill();
                    let _ = child.wait();
                    tracing::warn!(binary = %binary.display(), ?timeout, "runtime did not answer `features` in time");
                    return None;
                }
                std::thread::sleep(step.min(deadline - now));
                step = (step * 2).min(Duration::from_millis(20));
            }
            Err(err) => {
                let _ = child.kill();
                let _ = child.wait();
                tracing::warn!(binary = %binary.display(), error = %err, "cannot wait for runtime probing its features");
                return None;
            }
        }
    };

    // The process is gone, but a child of it may hold the pipe open: wait
    // no longer than the deadline.
    let collect = |rx: Option<mpsc::Receiver<Vec<u8>>>| {
        rx.and_then(|rx| {
            rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .ok()
        })
        .unwrap_or_default()
    };
    let out = collect(stdout);
    if !status.success() {
        let err = collect(stderr);
        let err = String::from_utf8_lossy(&err[..err.len().min(1024)]).into_owned();
        tracing::warn!(binary = %binary.display(), %status, stderr = %err.trim(), "runtime `features` failed");
        return None;
    }
    match serde_json::from_slice::<Value>(&out) {
        Ok(value @ Value::Object(_)) => Some(value),
        Ok(_) => {
            tracing::warn!(binary = %binary.display(), "runtime `features` printed JSON that is not an object");
            None
        }
        Err(err) => {
            tracing::warn!(binary = %binary.display(), error = %err, "runtime `features` did not print JSON");
            None
        }
    }
}

/// Starts `binary features`, retrying briefly on `ETXTBSY`: a script
/// written a moment ago can be "text busy" while a process forked by another
/// thread (holding a copy of the writer's descriptor) has not yet exec'd.
fn spawn(binary: &Path) -> io::Result<Child> {
    const ETXTBSY: i32 = 26;
    let mut attempts = 0;
    loop {
        let result = Command::new(binary)
            .arg("features")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        match result {
            Err(err) if err.raw_os_error() == Some(ETXTBSY) && attempts < 10 => {
                attempts += 1;
                std::thread::sleep(Duration::from_millis(5));
            }
            other => return other,
        }
    }
}

fn read_in_background<R: Read + Send + 'static>(reader: R) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = reader.take(MAX_OUTPUT).read_to_end(&mut buf);
        let _ = tx.send(buf);
    });
    rx
}
