//! An exec instance as the daemon keeps it between `docker exec`'s create,
//! start, resize and inspect: what was asked for, whether it runs, its
//! exit code and pid, its terminal. The container store holds them; the
//! exec verb (`containers::exec`) creates and runs them.

use std::sync::Mutex;

use engine_api::types::{ExecInspectResponse, ProcessConfig};

use super::error::{ContainerError, Result};
use super::supervisor::sys;
use crate::sync::lock;

/// What `docker exec` asked for.
#[derive(Debug, Clone, Default)]
pub struct ExecConfig {
    pub cmd: Vec<String>,
    pub env: Vec<String>,
    pub user: String,
    pub working_dir: String,
    pub tty: bool,
    pub attach_stdin: bool,
    pub attach_stdout: bool,
    pub attach_stderr: bool,
    pub privileged: bool,
    pub detach_keys: String,
    /// The terminal's first size, `(height, width)`, from the create body.
    pub console_size: Option<(u16, u16)>,
}

#[derive(Debug, Clone, Default)]
pub(super) struct ExecState {
    pub(super) started: bool,
    pub(super) running: bool,
    pub(super) exit_code: Option<i64>,
    pub(super) pid: i64,
}

/// One exec instance.
pub struct ExecInstance {
    pub id: String,
    pub container_id: String,
    pub config: ExecConfig,
    pub(super) state: Mutex<ExecState>,
    /// The pty master while a TTY exec runs (for resizes).
    pub(super) master: Mutex<Option<std::fs::File>>,
    /// A size asked for before the terminal existed (the CLI resizes
    /// right after the start).
    pub(super) pending_size: Mutex<Option<(u16, u16)>>,
}

impl ExecInstance {
    /// `GET /exec/{id}/json`.
    pub fn inspect(&self) -> ExecInspectResponse {
        let s = lock(&self.state).clone();
        let mut args = self.config.cmd.clone().into_iter();
        ExecInspectResponse {
            id: Some(self.id.clone()),
            running: Some(s.running),
            exit_code: s.exit_code,
            process_config: Some(ProcessConfig {
                privileged: Some(self.config.privileged),
                user: Some(self.config.user.clone()),
                tty: Some(self.config.tty),
                entrypoint: args.next(),
                arguments: Some(args.collect()),
                ..Default::default()
            }),
            open_stdin: Some(self.config.attach_stdin),
            open_stderr: Some(self.config.attach_stderr),
            open_stdout: Some(self.config.attach_stdout),
            can_remove: Some(false),
            container_id: Some(self.container_id.clone()),
            detach_keys: Some(self.config.detach_keys.clone()),
            pid: Some(s.pid),
            ..Default::default()
        }
    }

    /// Marks the instance started; `false` if it already was.
    pub fn claim(&self) -> bool {
        let mut s = lock(&self.state);
        if s.started {
            return false;
        }
        s.started = true;
        s.running = true;
        true
    }

    /// `POST /exec/{id}/resize`: sets the window size of a TTY exec's
    /// terminal (nothing to do without one, or before it exists).
    pub fn resize(&self, height: u16, width: u16) -> Result<()> {
        match lock(&self.master).as_ref() {
            Some(master) => sys::set_winsize(master, height, width)
                .map_err(|e| ContainerError::io("resizing the exec's terminal", e))?,
            None => *lock(&self.pending_size) = Some((height, width)),
        }
        Ok(())
    }

    /// Exec ids still running in container `id`.
    pub fn is_running_in(&self, id: &str) -> bool {
        self.container_id == id && lock(&self.state).running
    }
}
