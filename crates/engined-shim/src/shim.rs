//! The supervisor's side (the `engined-shim` binary): runs one container
//! through the recorded runtime binary (`create` + `start`, reaping the
//! container's init as a child subreaper), owns its stdio (pipes, or the
//! pty master with a TTY), writes the json-file log, serves attach clients
//! and waiters on `shim.sock`, and records the exit in `exit.json` before
//! leaving. It detaches from whoever started it, so the container outlives
//! a daemon crash or restart.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use super::protocol::{
    frame_header, Exit, Reply, Request, ShimConfig, CONFIG, CONSOLE_SOCKET, SOCKET,
};
use super::stdin::Stdin;
use super::sys;
use crate::atomic;
use crate::cgroups::{self, Cgroup};
use crate::logs::{format_time, LineSplitter, LogWriter};

/// How long a slow attach client may block output before it is dropped.
const CLIENT_WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long output may keep flowing after the container's init exited.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(3);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Answers a request with an error.
fn refuse(conn: &mut UnixStream, message: &str) {
    let reply = Reply::Error {
        message: message.to_string(),
    };
    let _ = conn.write_all(&reply.line());
}

/// Entry point of `engined-shim <bundle>`. Returns only on failure before
/// detaching (the starter's exit status and stderr say why); the detached
/// supervisor exits the process itself.
pub fn main(bundle: &Path) -> Result<(), String> {
    sys::close_inherited_fds();
    let text = std::fs::read(bundle.join(CONFIG))
        .map_err(|e| format!("{}: {e}", bundle.join(CONFIG).display()))?;
    let config: ShimConfig = serde_json::from_slice(&text)
        .map_err(|e| format!("{}: {e}", bundle.join(CONFIG).display()))?;
    std::env::set_current_dir(bundle).map_err(|e| format!("{}: {e}", bundle.display()))?;
    // Relative names: socket paths are limited to 108 bytes.
    let _ = std::fs::remove_file(SOCKET);
    let listener = UnixListener::bind(SOCKET).map_err(|e| format!("bind {SOCKET}: {e}"))?;
    let console = if config.tty {
        let _ = std::fs::remove_file(CONSOLE_SOCKET);
        Some(
            UnixListener::bind(CONSOLE_SOCKET)
                .map_err(|e| format!("bind {CONSOLE_SOCKET}: {e}"))?,
        )
    } else {
        None
    };
    let null = File::options()
        .read(true)
        .write(true)
        .open("/dev/null")
        .map_err(|e| format!("/dev/null: {e}"))?;
    let log = File::options()
        .create(true)
        .append(true)
        .open(bundle.join("shim.log"))
        .map_err(|e| format!("shim.log: {e}"))?;
    sys::detach().map_err(|e| format!("detach: {e}"))?;
    // From here on nobody reads our stderr but shim.log.
    let _ = sys::redirect_stdio(&null, &null, &log);
    if let Err(e) = sys::become_subreaper() {
        eprintln!("engined-shim: cannot become a subreaper: {e}");
    }
    let console_socket = console.as_ref().and(BoundSocket::at(CONSOLE_SOCKET));
    let sockets = [BoundSocket::at(SOCKET), console_socket]
        .into_iter()
        .flatten()
        .collect();
    let code = Supervisor::new(config, sockets).run(listener, console);
    std::process::exit(code)
}

/// A socket file this supervisor bound, told apart by its inode from one a
/// later supervisor of the same bundle bound at the same name.
struct BoundSocket {
    name: &'static str,
    dev: u64,
    ino: u64,
}

impl BoundSocket {
    fn at(name: &'static str) -> Option<BoundSocket> {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::symlink_metadata(name).ok()?;
        Some(BoundSocket {
            name,
            dev: m.dev(),
            ino: m.ino(),
        })
    }

    /// Removes the file when it is still the one bound here.
    fn remove(&self) {
        if BoundSocket::at(self.name).is_some_and(|now| (now.dev, now.ino) == (self.dev, self.ino))
        {
            let _ = std::fs::remove_file(self.name);
        }
    }
}

/// How far the run got, for a start and an abandon that may race.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// No `start` yet.
    Waiting,
    /// A `start` came: the run begins (or began).
    Begun,
    /// Given up: an `abandon` came, or no `start` in time.
    Abandoned,
}

/// What the main thread waits for: the request that decides the run.
enum Decision {
    Start(UnixStream),
    Abandon(UnixStream),
}

struct Client {
    id: u64,
    stream: UnixStream,
    stdout: bool,
    stderr: bool,
}

struct Supervisor {
    config: ShimConfig,
    clients: Mutex<Vec<Client>>,
    next_client: AtomicU64,
    waiters: Mutex<Vec<UnixStream>>,
    stdin: Arc<Stdin>,
    master: Mutex<Option<File>>,
    pid: AtomicI32,
    exit: Mutex<Option<Exit>>,
    log: Mutex<Option<LogWriter>>,
    phase: Mutex<Phase>,
    sockets: Vec<BoundSocket>,
}

impl Supervisor {
    fn new(config: ShimConfig, sockets: Vec<BoundSocket>) -> Arc<Supervisor> {
        let log = match LogWriter::open(&config.log_path) {
            Ok(w) => Some(w),
            Err(e) => {
                eprintln!("engined-shim: log {}: {e}", config.log_path.display());
                None
            }
        };
        Arc::new(Supervisor {
            config,
            clients: Mutex::new(Vec::new()),
            next_client: AtomicU64::new(0),
            waiters: Mutex::new(Vec::new()),
            stdin: Arc::new(Stdin::default()),
            master: Mutex::new(None),
            pid: AtomicI32::new(0),
            exit: Mutex::new(None),
            log: Mutex::new(log),
            phase: Mutex::new(Phase::Waiting),
            sockets,
        })
    }

    fn runtime(&self) -> Command {
        let mut cmd = Command::new(&self.config.runtime);
        cmd.arg("--root").arg(&self.config.runtime_root);
        cmd
    }

    /// Serves the socket, waits for `start`, runs the container to its end.
    fn run(self: Arc<Self>, listener: UnixListener, console: Option<UnixListener>) -> i32 {
        let (start_tx, start_rx) = mpsc::channel::<Decision>();
        let me = self.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let me = me.clone();
                let start_tx = start_tx.clone();
                std::thread::spawn(move || me.serve(conn, start_tx));
            }
        });
        let timeout = Duration::from_millis(self.config.start_timeout_ms.max(1));
        let decision = start_rx.recv_timeout(timeout).ok().or_else(|| {
            let mut phase = lock(&self.phase);
            if *phase == Phase::Waiting {
                *phase = Phase::Abandoned;
            }
            // A request that decided the run just now is in the channel.
            start_rx.try_recv().ok()
        });
        let mut start_conn = match decision {
            Some(Decision::Start(conn)) => conn,
            Some(Decision::Abandon(mut conn)) => {
                self.give_up();
                let _ = conn.write_all(&Reply::Ok.line());
                return 1;
            }
            None => {
                eprintln!("engined-shim: no start request within {timeout:?}");
                self.give_up();
                return 1;
            }
        };
        match self.start(console) {
            Ok((pid, readers)) => {
                self.pid.store(pid, Ordering::SeqCst);
                let _ = start_conn.write_all(&Reply::Started { pid }.line());
                lock(&self.waiters).push(start_conn);
                let code = self.reap(pid);
                // Nobody reads stdin any more: senders waiting for room
                // are let go.
                self.stdin.end();
                // Output still buffered in the pipes is delivered first.
                let deadline = Instant::now() + DRAIN_TIMEOUT;
                for _ in 0..readers.count {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if readers.done.recv_timeout(left).is_err() {
                        break;
                    }
                }
                self.finish(pid, code);
                0
            }
            Err(message) => {
                self.stdin.end();
                let _ = start_conn.write_all(&Reply::Error { message }.line());
                let _ = self
                    .runtime()
                    .args(["delete", "--force", &self.config.id])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
                self.close_clients();
                self.cleanup_files();
                1
            }
        }
    }

    /// `create` then `start`; returns the init pid and the output readers.
    fn start(self: &Arc<Self>, console: Option<UnixListener>) -> Result<(i32, Readers), String> {
        let bundle = self.config.bundle.clone();
        let pid_file = bundle.join("init.pid");
        let runc_log = bundle.join("runc.log");
        let _ = std::fs::remove_file(&pid_file);
        let _ = std::fs::remove_file(&runc_log);
        let (out_r, out_w) = std::io::pipe().map_err(|e| format!("pipe: {e}"))?;
        let (err_r, err_w) = std::io::pipe().map_err(|e| format!("pipe: {e}"))?;
        let mut stdin_reader = None;
        if self.config.open_stdin && !self.config.tty {
            let (r, w) = std::io::pipe().map_err(|e| format!("pipe: {e}"))?;
            stdin_reader = Some(r);
            // Bytes clients sent before now start flowing once the
            // container reads; the writer thread alone waits for that.
            self.stdin.connect(w);
        }
        // The console socket gets the pty master while `create` runs.
        let (master_tx, master_rx) = mpsc::channel();
        if let Some(console) = console {
            std::thread::spawn(move || {
                let got = console
                    .accept()
                    .and_then(|(conn, _)| sys::recv_fd(&conn))
                    .map(File::from);
                let _ = master_tx.send(got);
            });
        }
        let status = {
            let mut cmd = self.runtime();
            cmd.arg("--log")
                .arg(&runc_log)
                .args(["--log-format", "json", "create", "--bundle"])
                .arg(&bundle)
                .arg("--pid-file")
                .arg(&pid_file);
            if self.config.tty {
                cmd.args(["--console-socket", CONSOLE_SOCKET]);
            }
            cmd.arg(&self.config.id)
                .stdin(match stdin_reader {
                    Some(r) => Stdio::from(r),
                    None => Stdio::null(),
                })
                .stdout(out_w)
                .stderr(err_w);
            // `cmd` (holding our copies of the pipes' write ends) is dropped
            // at the end of this block, so readers see EOF when the
            // container's processes are gone.
            cmd.status()
        }
        .map_err(|e| format!("{}: {e}", self.config.runtime.display()))?;
        if !status.success() {
            return Err(runtime_error(&runc_log, err_r));
        }
        let pid = std::fs::read_to_string(&pid_file)
            .ok()
            .and_then(|t| t.trim().parse::<i32>().ok())
            .ok_or_else(|| "the runtime wrote no pid file".to_string())?;

        let (done_tx, done) = mpsc::channel();
        let mut count = 0;
        if self.config.tty {
            let master = master_rx
                .recv_timeout(Duration::from_secs(5))
                .map_err(|_| "the runtime sent no console".to_string())?
                .map_err(|e| format!("console: {e}"))?;
            if self.config.open_stdin {
                if let Ok(master) = master.try_clone() {
                    self.stdin.connect(master);
                }
            }
            *lock(&self.master) = master.try_clone().ok();
            self.spawn_reader(master, "stdout", 1, done_tx.clone());
            count += 1;
            drop((out_r, err_r));
        } else {
            self.spawn_reader(
                File::from(std::os::fd::OwnedFd::from(out_r)),
                "stdout",
                1,
                done_tx.clone(),
            );
            self.spawn_reader(
                File::from(std::os::fd::OwnedFd::from(err_r)),
                "stderr",
                2,
                done_tx.clone(),
            );
            count += 2;
        }
        let out = self
            .runtime()
            .args(["start", &self.config.id])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| format!("{}: {e}", self.config.runtime.display()))?;
        if !out.status.success() {
            let _ = sys::kill(pid, libc::SIGKILL);
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
        }
        Ok((pid, Readers { done, count }))
    }

    fn spawn_reader(
        self: &Arc<Self>,
        mut source: File,
        stream: &'static str,
        id: u8,
        done: mpsc::Sender<()>,
    ) {
        let me = self.clone();
        std::thread::spawn(move || {
            let mut splitter = LineSplitter::default();
            let mut buf = vec![0u8; 32 * 1024];
            loop {
                // A pty master reports EIO once the terminal is gone: an end.
                let n = match source.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                let data = &buf[..n];
                let now = SystemTime::now();
                if let Some(log) = lock(&me.log).as_mut() {
                    for line in splitter.push(data) {
                        let _ = log.write_entry(stream, &line, now);
                    }
                }
                me.broadcast(id, data);
            }
            if let (Some(rest), Some(log)) = (splitter.finish(), lock(&me.log).as_mut()) {
                let _ = log.write_entry(stream, &rest, SystemTime::now());
            }
            let _ = done.send(());
        });
    }

    /// Sends output to every attached client that wants this stream.
    fn broadcast(&self, id: u8, data: &[u8]) {
        let mut message = Vec::with_capacity(data.len() + 8);
        if !self.config.tty {
            message.extend_from_slice(&frame_header(id, data.len()));
        }
        message.extend_from_slice(data);
        lock(&self.clients).retain_mut(|c| {
            let wanted = if id == 2 { c.stderr } else { c.stdout };
            !wanted || c.stream.write_all(&message).is_ok()
        });
    }

    /// Reaps children until the container's init is among them.
    fn reap(&self, pid: i32) -> i32 {
        loop {
            match sys::wait_any() {
                Ok((reaped, status)) if reaped == pid => return sys::exit_code(status),
                Ok(_) => continue,
                Err(e) => {
                    // Not our child after all (no subreaper): poll for it.
                    eprintln!("engined-shim: wait: {e}");
                    while sys::alive(pid) {
                        std::thread::sleep(Duration::from_millis(100));
                    }
                    return 255;
                }
            }
        }
    }

    /// Records the exit, cleans up, tells everyone, closes everything.
    /// Whether the OOM killer struck is read from the container's memory
    /// cgroup first: the runtime's `delete` removes the cgroup.
    fn finish(&self, pid: i32, exit_code: i32) {
        let oom_killed =
            match Cgroup::of_container(Path::new(cgroups::ROOT), &self.config.id).oom_kills() {
                Ok(kills) => kills > 0,
                Err(e) => {
                    eprintln!("engined-shim: OOM kill count: {e}");
                    false
                }
            };
        let exit = Exit {
            exit_code,
            pid,
            finished_at: format_time(SystemTime::now()),
            oom_killed,
        };
        if let Err(e) = atomic::write_json(&self.config.exit_file, &exit) {
            eprintln!("engined-shim: {}: {e}", self.config.exit_file.display());
        }
        let _ = self
            .runtime()
            .args(["delete", "--force", &self.config.id])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if let Some(target) = &self.config.unmount {
            if let Err(e) = sys::unmount(target) {
                eprintln!("engined-shim: unmount {}: {e}", target.display());
            }
        }
        *lock(&self.exit) = Some(exit.clone());
        let line = Reply::Exited(exit).line();
        for mut w in lock(&self.waiters).drain(..) {
            let _ = w.write_all(&line);
        }
        self.close_clients();
        self.cleanup_files();
    }

    fn close_clients(&self) {
        for c in lock(&self.clients).drain(..) {
            let _ = c.stream.shutdown(std::net::Shutdown::Both);
        }
    }

    fn cleanup_files(&self) {
        for socket in &self.sockets {
            socket.remove();
        }
    }

    /// Leaves without a run: nothing was started, so only the rootfs mount
    /// and the sockets are ours to undo.
    fn give_up(&self) {
        self.stdin.end();
        if let Some(target) = &self.config.unmount {
            let _ = sys::unmount(target);
        }
        self.cleanup_files();
    }

    /// One connection: a request line, then what it asks for.
    fn serve(self: Arc<Self>, conn: UnixStream, start_tx: mpsc::Sender<Decision>) {
        let Ok(read_half) = conn.try_clone() else {
            return;
        };
        let mut reader = BufReader::new(read_half);
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() {
            return;
        }
        let mut conn = conn;
        let request: Request = match serde_json::from_str(line.trim()) {
            Ok(r) => r,
            Err(e) => {
                refuse(&mut conn, &format!("bad request: {e}"));
                return;
            }
        };
        match request {
            // The phase changes and the request is handed over under one
            // lock, so the main thread sees whichever came first.
            Request::Start => {
                let mut phase = lock(&self.phase);
                match *phase {
                    Phase::Waiting => {
                        *phase = Phase::Begun;
                        let _ = start_tx.send(Decision::Start(conn));
                    }
                    Phase::Begun => refuse(&mut conn, "the container was started already"),
                    Phase::Abandoned => refuse(&mut conn, "the run was abandoned"),
                }
            }
            Request::Abandon => {
                let mut phase = lock(&self.phase);
                match *phase {
                    Phase::Waiting => {
                        *phase = Phase::Abandoned;
                        let _ = start_tx.send(Decision::Abandon(conn));
                    }
                    Phase::Begun => refuse(&mut conn, "the run has begun"),
                    // Going already: the caller waits for the socket to go.
                    Phase::Abandoned => {
                        let _ = conn.write_all(&Reply::Ok.line());
                    }
                }
            }
            Request::Wait => {
                let exit = lock(&self.exit).clone();
                match exit {
                    Some(exit) => {
                        let _ = conn.write_all(&Reply::Exited(exit).line());
                    }
                    None => lock(&self.waiters).push(conn),
                }
            }
            Request::State => {
                let pid = self.pid.load(Ordering::SeqCst);
                let running = pid > 0 && lock(&self.exit).is_none();
                let _ = conn.write_all(&Reply::State { pid, running }.line());
            }
            Request::Resize { height, width } => {
                let reply = match lock(&self.master).as_ref() {
                    Some(master) => match sys::set_winsize(master, height, width) {
                        Ok(()) => Reply::Ok,
                        Err(e) => Reply::Error {
                            message: e.to_string(),
                        },
                    },
                    // No terminal, nothing to size: dockerd (through
                    // containerd) answers such a resize with success too.
                    None => Reply::Ok,
                };
                let _ = conn.write_all(&reply.line());
            }
            Request::Attach {
                stdin,
                stdout,
                stderr,
            } => self.attach(conn, reader, stdin, stdout, stderr),
        }
    }

    fn attach(
        &self,
        mut conn: UnixStream,
        mut reader: BufReader<UnixStream>,
        stdin: bool,
        stdout: bool,
        stderr: bool,
    ) {
        let _ = conn.set_write_timeout(Some(CLIENT_WRITE_TIMEOUT));
        let id = self.next_client.fetch_add(1, Ordering::Relaxed);
        {
            // Under the clients lock, so no output precedes the `ok`.
            let mut clients = lock(&self.clients);
            if conn.write_all(&Reply::Ok.line()).is_err() {
                return;
            }
            if lock(&self.exit).is_some() {
                let _ = conn.shutdown(std::net::Shutdown::Both);
                return;
            }
            clients.push(Client {
                id,
                stream: conn,
                stdout,
                stderr,
            });
        }
        // Whatever the client sends is stdin; its end is the end of stdin
        // (closed for the container when StdinOnce), or a detach.
        let mut buf = vec![0u8; 32 * 1024];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            // Without an open stdin nothing would ever take the bytes:
            // they are dropped rather than left to fill the buffer.
            if stdin && self.config.open_stdin {
                // Blocks while the buffer is full: back-pressure.
                self.stdin.write(&buf[..n]);
            }
        }
        if stdin {
            if self.config.stdin_once {
                self.stdin.close();
            }
        } else {
            lock(&self.clients).retain(|c| c.id != id);
        }
    }
}

struct Readers {
    done: mpsc::Receiver<()>,
    count: usize,
}

/// Why `create` failed: the runtime's last logged error, else its stderr.
fn runtime_error(log: &Path, stderr: std::io::PipeReader) -> String {
    let logged = std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["level"] == "error" || v["level"] == "fatal")
        .filter_map(|v| v["msg"].as_str().map(str::to_string))
        .next_back();
    if let Some(message) = logged {
        return message;
    }
    // Nothing logged: whatever it printed so far (without waiting for
    // writers that may linger).
    let mut text = String::new();
    let _ = sys::set_nonblocking(&stderr);
    let _ = stderr.take(64 * 1024).read_to_string(&mut text);
    let text = text.trim();
    if text.is_empty() {
        "the runtime failed to create the container".into()
    } else {
        text.to_string()
    }
}
