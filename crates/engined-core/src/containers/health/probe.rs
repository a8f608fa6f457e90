//! One run of a container's probe, as dockerd runs it: an exec of the
//! probe's command (no TTY, no stdin, stdout and stderr together, the
//! container's user and working directory), its output kept up to
//! [`MAX_OUTPUT`] bytes (`...` marks a cut), its exit code the verdict.
//! A probe still running at its timeout is killed and reported with exit
//! code -1 and dockerd's "Health check exceeded timeout (..)" message; a
//! probe that could not be run at all also ends with -1 and why.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::BytesMut;
use engine_api::rt::mux;
use engine_api::types::ContainerExecBody;
use tokio::io::AsyncReadExt;

use super::duration::go_string;
use crate::containers::exec::{self, ExecInstance};
use crate::containers::health_state::{ProbeResult, ProbeSettings, MAX_OUTPUT};
use crate::containers::store::Container;
use crate::containers::Services;
use crate::sync::lock;
use engined_shim::logs::format_time;

/// How long a killed probe's exec gets to report its end.
const KILL_GRACE: Duration = Duration::from_secs(10);
/// The pipe between the exec's relay and the probe.
const PIPE: usize = 64 * 1024;

/// The probe's combined output: at most [`MAX_OUTPUT`] bytes kept.
#[derive(Debug, Default)]
pub struct Output {
    kept: Vec<u8>,
    cut: bool,
}

impl Output {
    pub fn push(&mut self, data: &[u8]) {
        let room = MAX_OUTPUT.saturating_sub(self.kept.len());
        let keep = room.min(data.len());
        self.kept.extend_from_slice(&data[..keep]);
        self.cut |= keep < data.len();
    }

    /// The text, with `...` after a cut.
    pub fn text(&self) -> String {
        let mut text = String::from_utf8_lossy(&self.kept).into_owned();
        if self.cut {
            text.push_str("...");
        }
        text
    }
}

/// Runs the probe of `settings` once in `c`; the result's start is the
/// moment it began.
pub async fn run(engine: &Arc<Services>, c: &Container, settings: &ProbeSettings) -> ProbeResult {
    let start = format_time(SystemTime::now());
    let (exit_code, output) = match run_exec(engine, c, settings).await {
        Ok(done) => done,
        Err(message) => (-1, message),
    };
    ProbeResult {
        start,
        end: format_time(SystemTime::now()),
        exit_code,
        output,
    }
}

/// The exec itself: its exit code and output, or why it could not run.
async fn run_exec(
    engine: &Arc<Services>,
    c: &Container,
    settings: &ProbeSettings,
) -> Result<(i64, String), String> {
    let record = c.record();
    let body = ContainerExecBody {
        cmd: Some(settings.command.clone()),
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        user: record.config.user.clone(),
        working_dir: record.config.working_dir.clone(),
        ..Default::default()
    };
    let id = exec::create(engine, c, body).map_err(|e| e.to_string())?;
    let instance = exec::get(engine, &id).map_err(|e| e.to_string())?;
    let done = run_instance(engine, &instance, settings.timeout).await;
    // A probe's instance is nobody's to inspect afterwards.
    lock(&engine.containers.execs).remove(&id);
    Ok(done)
}

async fn run_instance(
    engine: &Arc<Services>,
    instance: &Arc<ExecInstance>,
    timeout: Duration,
) -> (i64, String) {
    instance.claim();
    let (mut ours, theirs) = tokio::io::duplex(PIPE);
    let mut task = tokio::spawn(exec::run(engine.clone(), instance.clone(), Some(theirs)));
    let mut output = Output::default();
    let finished = tokio::time::timeout(timeout, async {
        read_frames(&mut ours, &mut output).await;
        (&mut task).await
    })
    .await;
    if finished.is_err() {
        kill(instance);
        // Its end is waited for, so dying probes do not pile up.
        let _ = tokio::time::timeout(KILL_GRACE, &mut task).await;
        let out = output.text();
        let limit = go_string(timeout);
        let message = if out.is_empty() {
            format!("Health check exceeded timeout ({limit})")
        } else {
            format!("Health check exceeded timeout ({limit}): {out}")
        };
        return (-1, message);
    }
    let code = instance.inspect().exit_code.unwrap_or(-1);
    (code, output.text())
}

/// Reads the exec's multiplexed stream to its end into `output`.
async fn read_frames(from: &mut tokio::io::DuplexStream, output: &mut Output) {
    let mut buf = BytesMut::with_capacity(PIPE);
    loop {
        loop {
            match mux::decode(&mut buf) {
                Ok(Some(frame)) => output.push(&frame.data),
                Ok(None) => break,
                // Not a frame: kept as it came.
                Err(_) => {
                    output.push(&buf);
                    buf.clear();
                }
            }
        }
        match from.read_buf(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// Kills a probe's process (its pid is known once it runs).
fn kill(instance: &ExecInstance) {
    let pid = instance.inspect().pid.unwrap_or(0);
    if let Ok(pid) = i32::try_from(pid) {
        if pid > 0 {
            // SAFETY: kill(2) takes no pointers.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_kept_up_to_the_limit_and_marked_when_cut() {
        let mut o = Output::default();
        o.push(b"hello ");
        o.push(b"world");
        assert_eq!(o.text(), "hello world");
        let mut o = Output::default();
        o.push(&vec![b'a'; MAX_OUTPUT - 1]);
        o.push(b"bc");
        let text = o.text();
        assert_eq!(text.len(), MAX_OUTPUT + 3);
        assert!(text.ends_with("ab..."), "{}", &text[text.len() - 8..]);
    }
}
