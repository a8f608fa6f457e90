//! `engined-shim --exec-wait <pid-file> <runtime command...>`: the waiter
//! of an exec with a TTY. The runtime only hands a pty over its console
//! socket when it detaches (`exec --detach`), and then the exec'd process
//! is no longer its child; this small process is a child subreaper, runs
//! the runtime, adopts the detached process and exits with its status
//! (128 + the signal when one ended it), so engined waits on it as on a
//! foreground `exec`. When the runtime fails, its own status is returned
//! and it wrote no pid file.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

use super::sys;

/// The flag selecting this mode of `engined-shim`.
pub const FLAG: &str = "--exec-wait";

/// Runs `command`, then waits for the process whose pid it writes to
/// `pid_file`; returns the exit code to leave with.
pub fn main(pid_file: &Path, command: &[OsString]) -> i32 {
    let Some((program, args)) = command.split_first() else {
        eprintln!("engined-shim {FLAG}: no runtime command");
        return 125;
    };
    if let Err(e) = sys::become_subreaper() {
        eprintln!("engined-shim {FLAG}: cannot become a subreaper: {e}");
        return 125;
    }
    let runtime = match Command::new(program).args(args).spawn() {
        Ok(child) => child.id() as i32,
        Err(e) => {
            eprintln!("engined-shim {FLAG}: {}: {e}", Path::new(program).display());
            return 125;
        }
    };
    // Every child reaped so far, by pid: the detached process may end
    // before the runtime itself is reaped.
    let mut ended: HashMap<i32, i32> = HashMap::new();
    let runtime_status = loop {
        match sys::wait_any() {
            Ok((pid, status)) if pid == runtime => break status,
            Ok((pid, status)) => {
                ended.insert(pid, status);
            }
            Err(e) => {
                eprintln!("engined-shim {FLAG}: wait: {e}");
                return 125;
            }
        }
    };
    let code = sys::exit_code(runtime_status);
    let Some(pid) = std::fs::read_to_string(pid_file)
        .ok()
        .and_then(|t| t.trim().parse::<i32>().ok())
    else {
        return if code == 0 { 125 } else { code };
    };
    if let Some(status) = ended.remove(&pid) {
        return sys::exit_code(status);
    }
    loop {
        match sys::wait_any() {
            Ok((p, status)) if p == pid => return sys::exit_code(status),
            Ok(_) => {}
            Err(e) => {
                // Not our child after all (a runtime that did not detach
                // it): nothing left to wait for.
                eprintln!("engined-shim {FLAG}: wait for {pid}: {e}");
                return 125;
            }
        }
    }
}
