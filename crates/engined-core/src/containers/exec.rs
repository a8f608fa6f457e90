//! Exec instances (`docker exec`): created against a running container,
//! run once with `<recorded runtime> exec --process <file>`, their exit
//! code kept for `ExecInspect`. Kept in memory, like dockerd's. A process
//! that never started ends with dockerd's 126 (cannot run) or 127 (not
//! found).

use std::sync::{Arc, Mutex};

use engine_api::types::ContainerExecBody;
use std::path::Path;
use std::process::Stdio;
use tokio::io::{AsyncRead, AsyncWrite};

use super::bundle::container_process;
use super::console::ConsoleSocket;
use super::detach::{self, Scanner};
use super::error::{ContainerError, Result};
use super::events::publish;
use super::exec_instance::ExecState;
pub use super::exec_instance::{ExecConfig, ExecInstance};
use super::ids;
use super::record::Status;
use super::runc::{ExecConsole, Runtime};
use super::spec;
use super::store::Container;
use super::stream;
use super::supervisor::sys;
use super::user;
use crate::containers::Services;
use crate::scoped::Root;
use crate::sync::lock;
use engined_shim::atomic;

/// `POST /containers/{id}/exec`.
pub fn create(engine: &Services, c: &Container, body: ContainerExecBody) -> Result<String> {
    let record = c.record();
    match record.state.status {
        Status::Running => {}
        Status::Paused => {
            return Err(ContainerError::Paused(c.id.clone()));
        }
        _ => return Err(ContainerError::NotRunning(c.id.clone())),
    }
    let cmd = body.cmd.clone().unwrap_or_default();
    if cmd.is_empty() {
        return Err(ContainerError::InvalidArgument(
            "No exec command specified".into(),
        ));
    }
    let detach_keys = body.detach_keys.clone().unwrap_or_default();
    if detach::parse(&detach_keys).is_err() {
        return Err(ContainerError::InvalidArgument(format!(
            "Invalid escape keys ({detach_keys}) provided"
        )));
    }
    let console_size = spec::process::console_size(body.console_size.as_deref())
        .map_err(ContainerError::InvalidArgument)?;
    let id = ids::new_id().map_err(|e| ContainerError::io("generating an id", e))?;
    let config = ExecConfig {
        cmd: cmd.clone(),
        env: body.env.clone().unwrap_or_default(),
        user: body.user.clone().unwrap_or_default(),
        working_dir: body.working_dir.clone().unwrap_or_default(),
        tty: body.tty.unwrap_or(false),
        attach_stdin: body.attach_stdin.unwrap_or(false),
        attach_stdout: body.attach_stdout.unwrap_or(false),
        attach_stderr: body.attach_stderr.unwrap_or(false),
        privileged: body.privileged.unwrap_or(false),
        detach_keys,
        console_size,
    };
    let instance = Arc::new(ExecInstance {
        id: id.clone(),
        container_id: c.id.clone(),
        config,
        state: Mutex::new(ExecState::default()),
        master: Mutex::new(None),
        pending_size: Mutex::new(None),
    });
    lock(&engine.containers.execs).insert(id.clone(), instance);
    publish(
        engine,
        &format!("exec_create: {}", cmd.join(" ")),
        &record,
        &[("execID", id.clone())],
    );
    Ok(id)
}

/// Finds an exec instance.
pub fn get(engine: &Services, id: &str) -> Result<Arc<ExecInstance>> {
    lock(&engine.containers.execs)
        .get(id)
        .cloned()
        .ok_or_else(|| ContainerError::ExecNotFound(id.to_string()))
}

/// Runs a claimed instance to its end, relaying its stdio to `client`
/// (or to nowhere when detached).
pub async fn run<C>(engine: Arc<Services>, exec: Arc<ExecInstance>, client: Option<C>)
where
    C: AsyncRead + AsyncWrite + Send + 'static,
{
    let (code, client) = match run_inner(&engine, &exec, client).await {
        Ok(done) => done,
        Err(e) => {
            tracing::warn!("exec {}: {e}", exec.id);
            (126, None)
        }
    };
    {
        let mut s = lock(&exec.state);
        s.running = false;
        s.exit_code = Some(code);
    }
    // Only now the client sees the end (and asks for the exit code).
    if let Some(mut client) = client {
        use tokio::io::AsyncWriteExt;
        let _ = client.shutdown().await;
    }
    if let Ok(c) = engine.containers.get(&exec.container_id) {
        publish(
            &engine,
            "exec_die",
            &c.record(),
            &[("execID", exec.id.clone()), ("exitCode", code.to_string())],
        );
    }
}

/// Runs the process; returns its exit code and the client's open write half.
async fn run_inner<C>(
    engine: &Arc<Services>,
    exec: &Arc<ExecInstance>,
    client: Option<C>,
) -> Result<(i64, Option<tokio::io::WriteHalf<C>>)>
where
    C: AsyncRead + AsyncWrite + Send + 'static,
{
    let c = engine.containers.get(&exec.container_id)?;
    let record = c.record();
    if !record.state.status.is_running() {
        return Err(ContainerError::NotRunning(c.id.clone()));
    }
    publish(
        engine,
        &format!("exec_start: {}", exec.config.cmd.join(" ")),
        &record,
        &[("execID", exec.id.clone())],
    );
    let rootfs = c.layout.rootfs(&record.driver);
    let mut process = container_process(&record, &rootfs)?;
    process.args = exec.config.cmd.clone();
    process.env = spec::merge_env(&process.env, &exec.config.env);
    if !exec.config.working_dir.is_empty() {
        process.cwd = exec.config.working_dir.clone();
    }
    if !exec.config.user.is_empty() {
        process.user =
            user::resolve(&exec.config.user, &rootfs).map_err(ContainerError::InvalidArgument)?;
    }
    process.terminal = exec.config.tty;
    // A resize that came before the terminal existed is newer than the
    // size asked for at create; the runtime sets it before the process runs.
    process.console_size = (*lock(&exec.pending_size)).or(exec.config.console_size);
    process.privileged = process.privileged || exec.config.privileged;
    let process_file = c.layout.bundle.join(format!("exec-{}.json", exec.id));
    let pid_file = c.layout.bundle.join(format!("exec-{}.pid", exec.id));
    atomic::write_json(&process_file, &spec::process(&process, sys::nofile_limit()))
        .map_err(|e| ContainerError::io("writing the exec process", e))?;
    let rt = Runtime::new(&record.runtime);
    let attached = client.is_some();
    // With a TTY the runtime hands the pty master over this socket; the
    // process's stdio is the pty's slave, the runtime's own stderr still
    // says why a start failed.
    let console = if exec.config.tty {
        let name = format!("exec-{}.console", &exec.id[..12.min(exec.id.len())]);
        Some(
            ConsoleSocket::bind(&c.layout.bundle, &name)
                .map_err(|e| ContainerError::io("binding the exec console socket", e))?,
        )
    } else {
        None
    };
    let mut cmd = rt.exec(
        &c.id,
        &process_file,
        &pid_file,
        console.as_ref().map(|s| ExecConsole {
            waiter: &engine.containers.shim,
            socket: s.name(),
        }),
    );
    if console.is_some() {
        // The socket's name is relative to the bundle.
        cmd.current_dir(&c.layout.bundle);
    }
    let piped = |wanted: bool| {
        if wanted {
            Stdio::piped()
        } else {
            Stdio::null()
        }
    };
    cmd.stdin(piped(
        attached && exec.config.attach_stdin && console.is_none(),
    ))
    .stdout(piped(attached && console.is_none()))
    .stderr(piped(attached));
    let mut child = cmd
        .spawn()
        .map_err(|e| ContainerError::io(format!("{}", record.runtime.binary.display()), e))?;
    let pid_watch = {
        let exec = exec.clone();
        let pid_file = pid_file.clone();
        tokio::spawn(async move {
            for _ in 0..100 {
                if let Some(pid) = std::fs::read_to_string(&pid_file)
                    .ok()
                    .and_then(|t| t.trim().parse::<i64>().ok())
                {
                    lock(&exec.state).pid = pid;
                    return;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        })
    };
    let master = match &console {
        Some(socket) => {
            let received = tokio::select! {
                got = socket.receive() => got.ok(),
                // The runtime failed before it made a terminal.
                _ = child.wait() => None,
            };
            if let Some(m) = &received {
                let mut master = lock(&exec.master);
                *master = m.try_clone().ok();
                if let Some((height, width)) = lock(&exec.pending_size).take() {
                    let _ = sys::set_winsize(m, height, width);
                }
            }
            received
        }
        None => None,
    };
    drop(console);
    // Checked at create.
    let keys = detach::parse(&exec.config.detach_keys).unwrap_or_else(|_| detach::DEFAULT.into());
    // Only a TTY's input is watched, as dockerd does.
    let scanner = Scanner::new(if exec.config.tty { keys } else { Vec::new() });
    let client = match client {
        Some(client) => {
            let stderr = child
                .stderr
                .take()
                .filter(|_| exec.config.attach_stderr || exec.config.tty);
            let relayed = match master {
                Some(master) => {
                    let reader = master.try_clone().ok().map(tokio::fs::File::from_std);
                    let writer = exec
                        .config
                        .attach_stdin
                        .then(|| (tokio::fs::File::from_std(master), scanner));
                    stream::relay_process(client, reader, stderr, writer, true).await
                }
                None => {
                    let stdout = child
                        .stdout
                        .take()
                        .filter(|_| exec.config.attach_stdout || exec.config.tty);
                    let stdin = child.stdin.take().map(|i| (i, scanner));
                    stream::relay_process(client, stdout, stderr, stdin, exec.config.tty).await
                }
            };
            match relayed {
                (client, false) => Some(client),
                (mut client, true) => {
                    // Detached: the client is let go at once, the process
                    // runs on to its end.
                    use tokio::io::AsyncWriteExt;
                    let _ = client.shutdown().await;
                    None
                }
            }
        }
        None => {
            // Detached with a TTY: the terminal stays open (closing it
            // would hang the process up) and its output goes nowhere.
            if let Some(master) = master {
                tokio::spawn(async move {
                    use tokio::io::AsyncReadExt;
                    let mut master = tokio::fs::File::from_std(master);
                    let mut buf = vec![0u8; 8192];
                    while matches!(master.read(&mut buf).await, Ok(n) if n > 0) {}
                });
            }
            None
        }
    };
    lock(&exec.master).take();
    let status = child
        .wait()
        .await
        .map_err(|e| ContainerError::io("waiting for the exec", e))?;
    pid_watch.abort();
    // The runtime writes the pid file once the process runs: without one
    // the process never started (runc said why on the client's stderr).
    let started = pid_file.exists();
    let _ = std::fs::remove_file(&process_file);
    let _ = std::fs::remove_file(&pid_file);
    use std::os::unix::process::ExitStatusExt;
    let code = match (status.code(), status.signal()) {
        _ if !started => not_started_code(&rootfs, &process.args, &process.env, &process.cwd),
        (Some(code), _) => code as i64,
        (None, Some(sig)) => 128 + sig as i64,
        _ => 255,
    };
    Ok((code, client))
}

/// dockerd's exit code for an exec whose process could not start: 127
/// when the command is nowhere to be found in the container (a missing
/// file, or no match along `PATH`), 126 otherwise (found but not
/// executable, or another start failure).
fn not_started_code(rootfs: &Path, args: &[String], env: &[String], cwd: &str) -> i64 {
    let Some(command) = args.first() else {
        return 126;
    };
    let Ok(root) = Root::new(rootfs) else {
        return 126;
    };
    let found = if command.contains('/') {
        root.exists(&Path::new(cwd).join(command))
    } else {
        let path = env
            .iter()
            .rev()
            .find_map(|e| e.strip_prefix("PATH="))
            .unwrap_or(spec::DEFAULT_PATH);
        path.split(':')
            .filter(|dir| !dir.is_empty())
            .any(|dir| root.exists(&Path::new(cwd).join(dir).join(command)))
    };
    if found {
        126
    } else {
        127
    }
}
