//! The daemon's calls to a container's runtime: always the binary the
//! container recorded at start (a wrapper script for wrapped runtimes)
//! with its `--root`, never a fresh lookup: kill, pause, resume, delete,
//! state, ps, and the command line of `exec`.

use std::ffi::OsString;
use std::path::Path;
use std::process::Stdio;

use tokio::process::Command;

use super::record::RecordedRuntime;
use super::supervisor::exec_wait;

/// A runtime call that failed: its stderr, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RuntimeCallError(pub String);

impl RuntimeCallError {
    /// Whether the runtime said the container is gone or not running.
    pub fn is_not_running(&self) -> bool {
        let m = self.0.to_ascii_lowercase();
        m.contains("not running")
            || m.contains("does not exist")
            || m.contains("container not found")
            || m.contains("no such process")
            || m.contains("process already finished")
    }
}

/// The recorded runtime of one container.
pub struct Runtime<'a> {
    recorded: &'a RecordedRuntime,
}

impl<'a> Runtime<'a> {
    pub fn new(recorded: &'a RecordedRuntime) -> Runtime<'a> {
        Runtime { recorded }
    }

    /// `<binary> --root <root>`, ready for a subcommand.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(&self.recorded.binary);
        cmd.arg("--root").arg(&self.recorded.root);
        cmd
    }

    async fn call(&self, args: &[&str]) -> Result<String, RuntimeCallError> {
        let out = self
            .command()
            .args(args)
            .stdin(Stdio::null())
            .output()
            .await
            .map_err(|e| RuntimeCallError(format!("{}: {e}", self.recorded.binary.display())))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            let mut message = String::from_utf8_lossy(&out.stderr).trim().to_string();
            // With `--log-format json` the runtime's messages are JSON lines.
            if let Some(msg) = message
                .lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .filter_map(|v| v["msg"].as_str().map(str::to_string))
                .next_back()
            {
                message = msg;
            }
            if message.is_empty() {
                message = format!(
                    "{} {} failed",
                    self.recorded.binary.display(),
                    args.join(" ")
                );
            }
            Err(RuntimeCallError(message))
        }
    }

    /// Sends `signal` (a number) to the container's init, or to all its
    /// processes.
    pub async fn kill(&self, id: &str, signal: i32, all: bool) -> Result<(), RuntimeCallError> {
        let signal = signal.to_string();
        let mut args = vec!["kill"];
        if all {
            args.push("--all");
        }
        args.extend([id, signal.as_str()]);
        self.call(&args).await.map(drop)
    }

    pub async fn pause(&self, id: &str) -> Result<(), RuntimeCallError> {
        self.call(&["pause", id]).await.map(drop)
    }

    pub async fn resume(&self, id: &str) -> Result<(), RuntimeCallError> {
        self.call(&["resume", id]).await.map(drop)
    }

    pub async fn delete(&self, id: &str) -> Result<(), RuntimeCallError> {
        self.call(&["delete", "--force", id]).await.map(drop)
    }

    /// The runtime's `status` of the container, if it knows it.
    pub async fn state(&self, id: &str) -> Option<String> {
        let out = self.call(&["state", id]).await.ok()?;
        let v: serde_json::Value = serde_json::from_str(&out).ok()?;
        v["status"].as_str().map(str::to_string)
    }

    /// The host pids of the container's processes.
    pub async fn pids(&self, id: &str) -> Result<Vec<i64>, RuntimeCallError> {
        let out = self.call(&["ps", "--format", "json", id]).await?;
        serde_json::from_str::<Option<Vec<i64>>>(out.trim())
            .map(Option::unwrap_or_default)
            .map_err(|e| RuntimeCallError(format!("runtime ps: {e}")))
    }

    /// `exec --process <file> --pid-file <file> <id>`, for the caller to
    /// give stdio and run. With a console, `exec --detach --console-socket
    /// <name>` run under the TTY exec waiter, which exits with the
    /// process's status.
    pub fn exec(
        &self,
        id: &str,
        process: &Path,
        pid_file: &Path,
        console: Option<ExecConsole<'_>>,
    ) -> Command {
        let mut args: Vec<OsString> = vec!["--root".into(), self.recorded.root.clone().into()];
        args.extend(["exec".into(), "--process".into(), process.into()]);
        args.extend(["--pid-file".into(), pid_file.into()]);
        let mut cmd = match console {
            Some(console) => {
                args.extend(["--detach".into(), "--console-socket".into()]);
                args.push(console.socket.into());
                let mut cmd = Command::new(console.waiter);
                cmd.arg(exec_wait::FLAG)
                    .arg(pid_file)
                    .arg(&self.recorded.binary);
                cmd
            }
            None => Command::new(&self.recorded.binary),
        };
        cmd.args(args).arg(id);
        cmd
    }
}

/// How an exec with a TTY is run: the waiter binary (`engined-shim`) and
/// the console socket's name (relative to the command's directory).
#[derive(Debug, Clone, Copy)]
pub struct ExecConsole<'a> {
    pub waiter: &'a Path,
    pub socket: &'a str,
}

/// Signal names and numbers as `docker kill --signal` and `StopSignal`
/// give them: `SIGTERM`, `TERM`, `15`.
pub fn parse_signal(text: &str) -> Option<i32> {
    let t = text.trim();
    if let Ok(n) = t.parse::<i32>() {
        return (1..=64).contains(&n).then_some(n);
    }
    let upper = t.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    Some(match name {
        "HUP" => libc::SIGHUP,
        "INT" => libc::SIGINT,
        "QUIT" => libc::SIGQUIT,
        "ILL" => libc::SIGILL,
        "TRAP" => libc::SIGTRAP,
        "ABRT" | "IOT" => libc::SIGABRT,
        "BUS" => libc::SIGBUS,
        "FPE" => libc::SIGFPE,
        "KILL" => libc::SIGKILL,
        "USR1" => libc::SIGUSR1,
        "SEGV" => libc::SIGSEGV,
        "USR2" => libc::SIGUSR2,
        "PIPE" => libc::SIGPIPE,
        "ALRM" => libc::SIGALRM,
        "TERM" => libc::SIGTERM,
        "STKFLT" => libc::SIGSTKFLT,
        "CHLD" | "CLD" => libc::SIGCHLD,
        "CONT" => libc::SIGCONT,
        "STOP" => libc::SIGSTOP,
        "TSTP" => libc::SIGTSTP,
        "TTIN" => libc::SIGTTIN,
        "TTOU" => libc::SIGTTOU,
        "URG" => libc::SIGURG,
        "XCPU" => libc::SIGXCPU,
        "XFSZ" => libc::SIGXFSZ,
        "VTALRM" => libc::SIGVTALRM,
        "PROF" => libc::SIGPROF,
        "WINCH" => libc::SIGWINCH,
        "IO" | "POLL" => libc::SIGIO,
        "PWR" => libc::SIGPWR,
        "SYS" => libc::SIGSYS,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_by_name_and_number() {
        assert_eq!(parse_signal("SIGTERM"), Some(15));
        assert_eq!(parse_signal("term"), Some(15));
        assert_eq!(parse_signal("9"), Some(9));
        assert_eq!(parse_signal("KILL"), Some(9));
        assert_eq!(parse_signal("SIGWINCH"), Some(28));
        assert_eq!(parse_signal("0"), None);
        assert_eq!(parse_signal("NOPE"), None);
    }

    #[test]
    fn not_running_messages() {
        assert!(RuntimeCallError("container not running".into()).is_not_running());
        assert!(RuntimeCallError("container \"x\" does not exist".into()).is_not_running());
        assert!(!RuntimeCallError("permission denied".into()).is_not_running());
    }
}
