//! Requests cannot stall or exhaust engined, and its API socket is like
//! dockerd's, end to end with the real docker CLI:
//!
//! - filters with crafted patterns answer at once (`reference` globs, `name`
//!   regular expressions);
//! - 500 half-open connections neither stop `docker info` nor keep their
//!   descriptors past the header read timeout; an oversized head is 431;
//! - JSON bodies are bounded (413) while streamed tar bodies (import, load,
//!   cp) are not;
//! - stdin of `run -i`, `exec -i` and `start -ai` streams with back-pressure
//!   and arrives intact (same SHA-256): 256 MiB through each by default
//!   (about a minute in all on a loaded 2-core machine), or as many MiB as
//!   `ENGINED_STALL_STDIN_MIB` says (1024 for the full 1 GiB check);
//! - no `engined-shim` outlives its container (rm -f, a failed start, the
//!   daemon's stop);
//! - the unix socket is 0660 and owned by `group` (or `docker`), and `-H
//!   fd://` serves sockets passed by systemd-style socket activation.

use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use test_support::docker_cli::{code, DOCKER};
use test_support::engined::{private_roots, Engined};
use test_support::skip::{can_run_containers as can_run, skip_reason, Need};

/// The server's header read timeout (engine-api's `HEADER_READ_TIMEOUT`).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count())
        .unwrap_or(0)
}

/// Waits up to `limit` for `ok`, polling.
fn wait_until(limit: Duration, mut ok: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    ok()
}

/// Sends `request` on a fresh connection to `sock` (from a thread, as the
/// server may answer before it has read it all) and returns the status
/// line of the answer.
fn raw_status(sock: &Path, request: Vec<u8>) -> String {
    let mut conn = UnixStream::connect(sock).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut writer = conn.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        // The server may close early (it refused the request): fine.
        let _ = writer.write_all(&request);
    });
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !answer.windows(2).any(|w| w == b"\r\n") {
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
    }
    let _ = conn.shutdown(std::net::Shutdown::Both);
    let _ = sender.join();
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

#[test]
fn crafted_filter_patterns_answer_at_once() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("stall_cli_filters");
    let d = Engined::start(&dir);
    d.import_mini();
    let long_tag = "a".repeat(120);
    d.docker(&["tag", "mini", &format!("mini:{long_tag}")]);

    // Exponential in a backtracking glob; linear here.
    let start = Instant::now();
    let shown = d.docker(&[
        "images",
        "--format",
        "{{.Repository}}:{{.Tag}}",
        "--filter",
        "reference=*a*a*a*a*a*a*a*a*a*a*a*a*b",
    ]);
    assert_eq!(shown, "");
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    let shown = d.docker(&[
        "images",
        "--format",
        "{{.Tag}}",
        "--filter",
        "reference=mini:a*a*a*a",
    ]);
    assert_eq!(shown, format!("{long_tag}\n"));
    let err = d.docker_fails(&["images", "--filter", "reference=mini:["]);
    assert!(err.contains("Invalid filter 'reference=mini:['"), "{err}");

    // Names: Docker's regular expressions on `/name`.
    d.docker(&[
        "create",
        "--name",
        "web7",
        "--network",
        "none",
        "mini",
        "true",
    ]);
    d.docker(&[
        "create",
        "--name",
        "job",
        "--network",
        "none",
        "mini",
        "true",
    ]);
    let names = |filter: &str| {
        d.docker(&[
            "ps",
            "-a",
            "--format",
            "{{.Names}}",
            "--filter",
            &format!("name={filter}"),
        ])
    };
    assert_eq!(names("^/web[0-9]$"), "web7\n");
    assert_eq!(names("jo"), "job\n");
    let start = Instant::now();
    assert_eq!(names(&format!("(a|aa)+{}$x", "a".repeat(60))), "");
    assert!(start.elapsed() < Duration::from_secs(5));
    d.docker(&["volume", "create", "data-a"]);
    d.docker(&["volume", "create", "cache"]);
    let volumes = d.docker(&[
        "volume",
        "ls",
        "--format",
        "{{.Name}}",
        "--filter",
        "name=^data-.$",
    ]);
    assert_eq!(volumes, "data-a\n");
    d.docker(&["rm", "web7", "job"]);
    d.docker(&["volume", "rm", "data-a", "cache"]);
}

#[test]
fn half_open_connections_time_out_and_heads_are_bounded() {
    if let Some(why) = skip_reason(Need::DockerCli) {
        eprintln!("skipped: {why}");
        return;
    }
    let dir = Engined::test_dir("stall_cli_half_open");
    let d = Engined::start(&dir);
    let sock = dir.join("engined.sock");
    d.docker(&["info", "--format", "{{.ServerVersion}}"]);
    let before = open_fds(d.pid());

    let mut conns = Vec::new();
    for _ in 0..500 {
        let mut c = UnixStream::connect(&sock).unwrap();
        c.write_all(b"GET /_ping HTT").unwrap();
        conns.push(c);
    }
    assert!(
        wait_until(Duration::from_secs(10), || open_fds(d.pid())
            >= before + 450),
        "the daemon accepted only {} of 500 connections",
        open_fds(d.pid()).saturating_sub(before)
    );
    let start = Instant::now();
    assert!(!d
        .docker(&["info", "--format", "{{.ServerVersion}}"])
        .is_empty());
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "docker info took {:?} beside 500 half-open connections",
        start.elapsed()
    );

    // After the timeout the daemon lets them go, and our ends see it.
    assert!(
        wait_until(HEADER_READ_TIMEOUT + Duration::from_secs(30), || {
            open_fds(d.pid()) <= before + 10
        }),
        "still {} descriptors open (before: {before})",
        open_fds(d.pid())
    );
    for c in conns.iter_mut().take(20) {
        c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = [0u8; 256];
        match c.read(&mut buf) {
            Ok(0) | Err(_) => {}
            Ok(n) => {
                let text = String::from_utf8_lossy(&buf[..n]);
                assert!(!text.contains("200 OK"), "{text}");
            }
        }
    }
    drop(conns);

    // A head over the limit is refused, the daemon unharmed.
    let mut request = b"GET /_ping HTTP/1.1\r\nHost: engined\r\nX-Big: ".to_vec();
    request.extend(std::iter::repeat_n(b'x', 2 << 20));
    request.extend_from_slice(b"\r\n\r\n");
    let status = raw_status(&sock, request);
    assert!(status.starts_with("HTTP/1.1 431"), "{status:?}");
    let status = raw_status(
        &sock,
        b"GET /_ping HTTP/1.1\r\nHost: engined\r\nConnection: close\r\n\r\n".to_vec(),
    );
    assert!(status.starts_with("HTTP/1.1 200"), "{status:?}");
}

#[test]
fn json_bodies_are_bounded_but_tar_streams_are_not() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("stall_cli_bodies");
    let d = Engined::start(&dir);
    d.import_mini();
    let sock = dir.join("engined.sock");

    // An 11 MiB container config: 413, nothing created.
    let body = format!(
        r#"{{"Image":"mini","Labels":{{"x":"{}"}}}}"#,
        "a".repeat(11 << 20)
    );
    let mut request = format!(
        "POST /v1.44/containers/create?name=huge HTTP/1.1\r\nHost: engined\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body.as_bytes());
    let status = raw_status(&sock, request);
    assert!(status.starts_with("HTTP/1.1 413"), "{status:?}");
    assert_eq!(d.docker(&["ps", "-aq", "--filter", "name=huge"]), "");

    // A 12 MiB file through import, save/load and cp, both ways.
    let root = dir.join("big-rootfs");
    std::fs::create_dir_all(&root).unwrap();
    let mut data = vec![0u8; 12 << 20];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for b in data.iter_mut() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    std::fs::write(root.join("big"), &data).unwrap();
    let tar = dir.join("big.tar");
    assert!(Command::new("tar")
        .arg("-C")
        .arg(&root)
        .arg("-cf")
        .arg(&tar)
        .arg(".")
        .status()
        .unwrap()
        .success());
    d.docker(&["import", tar.to_str().unwrap(), "bigfile"]);
    let saved = dir.join("saved.tar");
    d.docker(&["save", "-o", saved.to_str().unwrap(), "bigfile"]);
    d.docker(&["rmi", "bigfile"]);
    d.docker(&["load", "-i", saved.to_str().unwrap()]);
    d.docker(&[
        "create",
        "--name",
        "cpt",
        "--network",
        "none",
        "mini",
        "true",
    ]);
    d.docker(&["cp", root.join("big").to_str().unwrap(), "cpt:/big"]);
    let back = dir.join("back");
    d.docker(&["cp", "cpt:/big", back.to_str().unwrap()]);
    assert!(std::fs::read(&back).unwrap() == data, "cp changed the file");
    d.docker(&["rm", "cpt"]);
    d.docker(&["rmi", "bigfile"]);
}

/// How many MiB go through stdin: `ENGINED_STALL_STDIN_MIB`, else `default`.
fn stdin_mib(default: u64) -> u64 {
    std::env::var("ENGINED_STALL_STDIN_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Pipes `mib` MiB of pseudo-random bytes into `docker args...` (whose
/// command prints the SHA-256 of its stdin) and checks that the digest is
/// the one `sha256sum` computes of the same bytes (the host's optimised
/// tool, as a debug build hashes slowly).
fn stream_stdin(d: &Engined, args: &[&str], mib: u64) {
    let start = Instant::now();
    let mut child = Command::new(DOCKER)
        .arg("-H")
        .arg(d.host())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut summer = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut sum_in = summer.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        // One random MiB, each copy made distinct by its number.
        let mut block = vec![0u8; 1 << 20];
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for chunk in block.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
        }
        for i in 0..mib {
            block[..8].copy_from_slice(&i.to_le_bytes());
            sum_in.write_all(&block).unwrap();
            if stdin.write_all(&block).is_err() {
                return false;
            }
        }
        true
    });
    let out = child.wait_with_output().unwrap();
    let fed = feeder.join().unwrap();
    let sent = summer.wait_with_output().unwrap();
    let sent = String::from_utf8_lossy(&sent.stdout).to_string();
    let got = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "docker {args:?}: {got}{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        d.log()
    );
    assert!(fed, "docker stopped reading its stdin");
    let sent = sent.split_whitespace().next().unwrap_or("?");
    assert_eq!(got.split_whitespace().next(), Some(sent), "{args:?}");
    eprintln!("{mib} MiB through docker {args:?}: {:?}", start.elapsed());
}

#[test]
fn stdin_streams_intact_with_back_pressure() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("stall_cli_stdin");
    let d = Engined::start(&dir);
    d.import_mini();
    let digest = ["sh", "-c", "cat | busybox sha256sum"];

    // Just over a pipe's worth (the old hang), then the big one.
    let mut run = vec!["run", "-i", "--rm", "--network", "none", "mini"];
    run.extend(digest);
    let out = d.docker_with_input(&run, &vec![b'x'; 65_537]);
    assert_eq!(code(&out), 0, "{out:?}");
    stream_stdin(&d, &run, stdin_mib(256));

    d.docker(&[
        "run",
        "-d",
        "--name",
        "sleeper",
        "--network",
        "none",
        "mini",
        "sleep",
        "600",
    ]);
    let mut exec = vec!["exec", "-i", "sleeper"];
    exec.extend(digest);
    stream_stdin(&d, &exec, stdin_mib(256));
    d.docker(&["rm", "-f", "sleeper"]);

    let mut create = vec!["create", "-i", "--name", "att", "--network", "none", "mini"];
    create.extend(digest);
    d.docker(&create);
    stream_stdin(&d, &["start", "-ai", "att"], stdin_mib(256));
    d.docker(&["rm", "att"]);
}

/// The pids of `engined-shim` processes supervising container `id`.
fn shims_of(id: &str) -> Vec<u32> {
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let args: Vec<String> = cmdline
            .split(|&b| b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        if args.first().is_some_and(|a| a.ends_with("engined-shim"))
            && args.iter().skip(1).any(|a| a.contains(id))
        {
            pids.push(pid);
        }
    }
    pids
}

fn assert_no_shim(id: &str, when: &str) {
    assert!(
        wait_until(Duration::from_secs(10), || shims_of(id).is_empty()),
        "{when}: engined-shim {:?} still supervises {id}",
        shims_of(id)
    );
}

#[test]
fn no_shim_outlives_its_container() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("stall_cli_shims");
    let mut d = Engined::start(&dir);
    d.import_mini();

    let id = d
        .docker(&["run", "-d", "--network", "none", "mini", "sleep", "600"])
        .trim()
        .to_string();
    assert!(!shims_of(&id).is_empty(), "no supervisor found for {id}");
    d.docker(&["rm", "-f", &id]);
    assert_no_shim(&id, "after docker rm -f");

    // A container whose start fails (no such binary).
    let out = d.docker_output(&["run", "--name", "bad", "--network", "none", "mini", "/nope"]);
    assert_ne!(code(&out), 0, "{out:?}");
    let bad = d
        .docker(&["inspect", "-f", "{{.Id}}", "bad"])
        .trim()
        .to_string();
    assert_no_shim(&bad, "after a failed start");

    // Attached stdin of more than a pipe's worth before the start.
    let out = d.docker_with_input(
        &[
            "run",
            "-i",
            "--name",
            "fed",
            "--network",
            "none",
            "mini",
            "sh",
            "-c",
            "cat | busybox wc -c",
        ],
        &vec![b'y'; 200_000],
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "200000",
        "{out:?}"
    );
    let fed = d
        .docker(&["inspect", "-f", "{{.Id}}", "fed"])
        .trim()
        .to_string();
    assert_no_shim(&fed, "after the run ended");
    let created = d
        .docker(&["create", "-i", "--network", "none", "mini", "cat"])
        .trim()
        .to_string();

    d.docker(&["rm", "bad", "fed", &created]);
    d.stop();
    for id in [&id, &bad, &fed, &created] {
        assert_no_shim(id, "after the daemon stopped");
    }
    let exec = dir.join("exec").display().to_string();
    assert_no_shim(&exec, "after the daemon stopped (any container)");
}

/// A group made for one test, removed when dropped.
struct TempGroup(String);

impl TempGroup {
    fn create() -> Option<TempGroup> {
        let name = format!("engst{}", std::process::id());
        let ok = Command::new("groupadd")
            .arg(&name)
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(TempGroup(name))
    }

    fn gid(&self) -> u32 {
        gid_of(&self.0).unwrap()
    }
}

impl Drop for TempGroup {
    fn drop(&mut self) {
        let _ = Command::new("groupdel").arg(&self.0).status();
    }
}

fn gid_of(name: &str) -> Option<u32> {
    let out = Command::new("getent").args(["group", name]).output().ok()?;
    String::from_utf8_lossy(&out.stdout)
        .split(':')
        .nth(2)?
        .trim()
        .parse()
        .ok()
}

#[test]
fn socket_group_and_mode_like_dockerd() {
    if !can_run() {
        return;
    }
    let Some(group) = TempGroup::create() else {
        eprintln!("skipped: groupadd failed");
        return;
    };
    let dir = Engined::test_dir("stall_cli_group");
    std::fs::write(
        dir.join("daemon.json"),
        format!(r#"{{"group": "{}"}}"#, group.0),
    )
    .unwrap();
    let mut d = Engined::start(&dir);
    let meta = std::fs::metadata(dir.join("engined.sock")).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o660);
    assert_eq!(meta.gid(), group.gid());
    d.docker(&["info", "--format", "{{.ServerVersion}}"]);
    d.stop();

    // No group set: `docker` when it exists, else root's.
    std::fs::write(dir.join("daemon.json"), "{}").unwrap();
    let mut d = Engined::start(&dir);
    let meta = std::fs::metadata(dir.join("engined.sock")).unwrap();
    assert_eq!(meta.gid(), gid_of("docker").unwrap_or(0));
    assert_eq!(meta.permissions().mode() & 0o777, 0o660);
    d.stop();

    // A group that does not exist: the daemon refuses to start.
    std::fs::write(dir.join("daemon.json"), r#"{"group": "no-such-group-x"}"#).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_engined"))
        .args([
            "-H",
            &format!("unix://{}", dir.join("engined.sock").display()),
        ])
        .args(private_roots(&dir))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("group no-such-group-x: no such group"),
        "{err}"
    );
}

/// Starts engined with `host` (`fd://` or `fd://3`), the unix socket
/// `dir/engined.sock` passed at descriptor 3 the way systemd does it.
fn start_activated(dir: &Path, host: &str) -> Engined {
    use std::os::fd::AsRawFd;
    use std::os::unix::process::CommandExt;

    let sock = dir.join("engined.sock");
    let _ = std::fs::remove_file(&sock);
    let listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    let fd = listener.as_raw_fd();
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("engined.log"))
        .unwrap();
    let mut cmd = Command::new("sh");
    // `exec` keeps the shell's pid, so `$$` is engined's LISTEN_PID.
    cmd.arg("-c")
        .arg(r#"LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" "$@""#)
        .arg(env!("CARGO_BIN_EXE_engined"))
        .args(["-H", host])
        .args(private_roots(dir))
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log);
    // SAFETY: only dup2 and fcntl, both async-signal-safe, run in the child.
    unsafe {
        cmd.pre_exec(move || {
            if fd == 3 {
                if libc::fcntl(3, libc::F_SETFD, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
            } else if libc::dup2(fd, 3) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = cmd.spawn().unwrap();
    drop(listener);
    Engined::adopt(child, dir)
}

#[test]
fn fd_hosts_serve_activated_sockets() {
    if let Some(why) = skip_reason(Need::DockerCli) {
        eprintln!("skipped: {why}");
        return;
    }
    let dir = Engined::test_dir("stall_cli_activation");
    for host in ["fd://", "fd://3"] {
        let mut d = start_activated(&dir, host);
        // The socket listens from the start: the first call may wait for
        // the daemon, but is answered.
        let out = d.docker_output(&["info", "--format", "{{.ServerVersion}}"]);
        assert_eq!(code(&out), 0, "{host}: {out:?}\n{}", d.log());
        assert!(d.log().contains("API listening"), "{}", d.log());
        d.stop();
    }

    // fd:// without activation: refused, with the reason.
    let out = Command::new(env!("CARGO_BIN_EXE_engined"))
        .args(["-H", "fd://"])
        .args(private_roots(&dir))
        .env_remove("LISTEN_PID")
        .env_remove("LISTEN_FDS")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no sockets found via socket activation"),
        "{err}"
    );
    // fd://4 when only 3 was passed.
    let mut d = start_activated(&dir, "fd://4");
    let child = d.child.as_mut().unwrap();
    let status = wait_until(Duration::from_secs(10), || {
        matches!(child.try_wait(), Ok(Some(_)))
    });
    assert!(status, "engined served fd://4 without such a socket");
    d.child = None;
    assert!(
        d.log().contains("descriptor 4 was not passed"),
        "{}",
        d.log()
    );
}
