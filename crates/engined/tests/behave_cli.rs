//! engined behaving like dockerd where real clients notice, end to end
//! with the real docker CLI (and docker-py, `tests/py/test_behave.py`):
//! exec with a TTY, detach keys, wait on restarting containers, the time
//! forms of `--since`/`--until`/`until=`, `docker cp` through stdin and
//! stdout, bind mount checks and their wording, and live-restore.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use test_support::docker_cli::{code, DOCKER};
use test_support::docker_py::run_docker_py;
use test_support::engined::Engined;
use test_support::skip::can_run_containers as can_run;

/// Runs `docker args...` under `script`, so the CLI has a terminal;
/// returns its exit code and everything it printed.
fn docker_in_terminal(d: &Engined, args: &str) -> (i32, String) {
    let command = format!("{DOCKER} -H {} {args}", d.host());
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        code(&out),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn run_sleeper(d: &Engined, name: &str) {
    d.docker(&[
        "run",
        "-d",
        "--name",
        name,
        "--network",
        "none",
        "mini",
        "sleep",
        "300",
    ]);
}

#[test]
fn exec_with_a_tty_gets_a_terminal_and_every_byte() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("behave_exec_tty");
    let d = Engined::start(&dir);
    d.import_mini();
    run_sleeper(&d, "box");

    // Raw stream, no terminal on the client's side: every byte, CRLF.
    let out = d.docker_output(&[
        "exec",
        "-t",
        "box",
        "sh",
        "-c",
        "busybox tty; echo hello; exit 3",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        code(&out),
        3,
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert!(lines[0].starts_with("/dev/pts/"), "{text:?}");
    assert_eq!(lines[1..], ["hello", ""], "{text:?}");

    // With a terminal on the client's side too, and stdin attached.
    let (rc, text) = docker_in_terminal(&d, "exec -it box sh -c 'busybox tty; echo hi'");
    assert_eq!(rc, 0, "{text}");
    assert!(text.contains("/dev/pts/"), "{text:?}");
    assert!(text.contains("hi\r\n"), "{text:?}");

    // Without -t: no terminal, and the streams apart.
    let out = d.docker_output(&["exec", "box", "sh", "-c", "busybox tty; echo err >&2"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "not a tty\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "err\n");

    // Detached with a TTY: the process keeps its terminal and runs on.
    d.docker(&[
        "exec",
        "-d",
        "-t",
        "box",
        "sh",
        "-c",
        "sleep 1; busybox tty > /tmp/tty.txt",
    ]);
    std::thread::sleep(Duration::from_secs(3));
    let out = d.docker(&["exec", "box", "cat", "/tmp/tty.txt"]);
    assert!(out.starts_with("/dev/pts/"), "{out:?}");

    // A command that is not there: dockerd's 127, also with -t.
    let out = d.docker_output(&["exec", "-t", "box", "nosuch"]);
    assert_eq!(code(&out), 127);
}

#[test]
fn docker_py_exec_and_attach() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("behave_py");
    let d = Engined::start(&dir);
    d.import_mini();
    run_docker_py(
        &d,
        Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/py/test_behave.py"
        )),
        &["mini"],
    );
}

/// Opens `POST path` on engined's socket as a hijacked connection;
/// returns it after the answer's head, and that head.
fn hijack(d: &Engined, path: &str) -> (UnixStream, String) {
    let mut conn = UnixStream::connect(d.dir.join("engined.sock")).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        conn,
        "POST {path} HTTP/1.1\r\nHost: engined\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n"
    )
    .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && conn.read(&mut byte).unwrap_or(0) == 1 {
        head.push(byte[0]);
    }
    (conn, String::from_utf8_lossy(&head).into_owned())
}

/// `POST path` over HTTP/1.0 (the answer ends with the connection).
fn request_at(socket: &Path, path: &str) -> String {
    http10(socket, "POST", path)
}

/// `GET path` over HTTP/1.0.
fn get(d: &Engined, path: &str) -> String {
    http10(&d.dir.join("engined.sock"), "GET", path)
}

/// `POST path` with a JSON body over HTTP/1.0.
fn post_json(d: &Engined, path: &str, body: &str) -> String {
    let mut conn = UnixStream::connect(d.dir.join("engined.sock")).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    write!(
        conn,
        "POST {path} HTTP/1.0\r\nHost: engined\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    let _ = conn.read_to_string(&mut answer);
    answer
}

fn http10(socket: &Path, method: &str, path: &str) -> String {
    let mut conn = UnixStream::connect(socket).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    write!(conn, "{method} {path} HTTP/1.0\r\nHost: engined\r\n\r\n").unwrap();
    let mut answer = String::new();
    let _ = conn.read_to_string(&mut answer);
    answer
}

fn request(d: &Engined, path: &str) -> String {
    request_at(&d.dir.join("engined.sock"), path)
}

/// Reads from `conn` until what came contains `needle`.
fn read_until(conn: &mut UnixStream, needle: &[u8]) {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !got.windows(needle.len()).any(|w| w == needle) {
        let n = conn.read(&mut buf).unwrap();
        assert!(n > 0, "the stream ended before {needle:?}: {got:?}");
        got.extend_from_slice(&buf[..n]);
    }
}

#[test]
fn detach_keys_end_an_attach_and_leave_the_container_running() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("behave_detach");
    let d = Engined::start(&dir);
    d.import_mini();
    d.docker(&[
        "run",
        "-d",
        "-i",
        "-t",
        "--name",
        "cat",
        "--network",
        "none",
        "mini",
        "cat",
    ]);

    // A custom sequence on the API: the bytes before it reach the
    // container (cat writes them back through its terminal), the
    // sequence ends the session.
    let (mut conn, head) = hijack(
        &d,
        "/v1.44/containers/cat/attach?stream=1&stdin=1&stdout=1&detachKeys=ctrl-a,x",
    );
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    conn.write_all(b"hello\n").unwrap();
    read_until(&mut conn, b"hello\r\nhello\r\n");
    // A broken start of the sequence is ordinary input.
    conn.write_all(b"\x01y\n").unwrap();
    read_until(&mut conn, b"\x01y\r\n");
    conn.write_all(b"\x01x").unwrap();
    // The session ends at once (a read timeout would fail here), the
    // sequence never reached the terminal.
    let mut rest = Vec::new();
    conn.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty(), "{rest:?}");
    assert_eq!(
        d.docker(&["inspect", "-f", "{{.State.Status}}", "cat"])
            .trim(),
        "running"
    );
    // The event follows the end of the session (it is published after).
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let events = loop {
        let events = d.docker(&[
            "events",
            "--since",
            "1m",
            "--until",
            "0s",
            "--filter",
            "event=detach",
            "--format",
            "{{.Action}} {{.Actor.Attributes.name}}",
        ]);
        if !events.is_empty() || std::time::Instant::now() > deadline {
            break events;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(events, "detach cat\n");

    // The default sequence, ctrl-p ctrl-q.
    let (mut conn, _) = hijack(&d, "/v1.44/containers/cat/attach?stream=1&stdin=1&stdout=1");
    conn.write_all(b"\x10\x11").unwrap();
    let mut rest = Vec::new();
    conn.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty(), "{rest:?}");
    assert_eq!(
        d.docker(&["inspect", "-f", "{{.State.Status}}", "cat"])
            .trim(),
        "running"
    );

    // Without a TTY the keys are ordinary (maybe binary) input, as with
    // dockerd: cat gets them and sends them back.
    d.docker(&[
        "run",
        "-d",
        "-i",
        "--name",
        "plain",
        "--network",
        "none",
        "mini",
        "cat",
    ]);
    let (mut conn, _) = hijack(
        &d,
        "/v1.44/containers/plain/attach?stream=1&stdin=1&stdout=1",
    );
    conn.write_all(b"\x10\x11\n").unwrap();
    let mut frame = [0u8; 11];
    conn.read_exact(&mut frame).unwrap();
    assert_eq!(&frame, b"\x01\x00\x00\x00\x00\x00\x00\x03\x10\x11\n");

    // An unknown key: 400 with dockerd's words.
    let (mut conn, head) = hijack(
        &d,
        "/v1.44/containers/cat/attach?stream=1&stdin=1&detachKeys=ctrl-A",
    );
    assert!(head.starts_with("HTTP/1.1 400"), "{head}");
    let mut body = String::new();
    let _ = conn.read_to_string(&mut body);
    assert!(
        body.contains("Invalid detach keys (ctrl-A) provided"),
        "{body}"
    );
    let err = d.docker_fails(&["exec", "--detach-keys", "bogus", "cat", "true"]);
    assert!(
        err.contains("Invalid escape keys (bogus) provided"),
        "{err}"
    );

    // `docker run -it` on a terminal: ctrl-p ctrl-q detaches, exit 0,
    // the shell still runs.
    let command = format!(
        "(sleep 2; printf 'echo hi\\n'; sleep 1; printf '\\020\\021'; sleep 1) | \
         script -qec '{DOCKER} -H {} run -it --name shell --network none mini sh' /dev/null",
        d.host()
    );
    let out = Command::new("sh").args(["-c", &command]).output().unwrap();
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(
        d.docker(&["inspect", "-f", "{{.State.Status}}", "shell"])
            .trim(),
        "running"
    );
}

#[test]
fn wait_answers_at_the_first_exit_of_a_restarting_container() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("behave_wait");
    let d = Engined::start(&dir);
    d.import_mini();
    d.docker(&[
        "run",
        "-d",
        "--name",
        "again",
        "--restart",
        "always",
        "--network",
        "none",
        "mini",
        "sh",
        "-c",
        "sleep 1; exit 7",
    ]);
    // The CLI's wait (not-running): at the first exit, twice over.
    for _ in 0..2 {
        let out = d.docker_output(&["wait", "again"]);
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "7");
    }
    // On the API, each condition.
    for condition in ["not-running", "next-exit"] {
        let answer = request(
            &d,
            &format!("/v1.44/containers/again/wait?condition={condition}"),
        );
        assert!(answer.starts_with("HTTP/1.0 200"), "{condition}: {answer}");
        assert!(answer.contains("\"StatusCode\":7"), "{condition}: {answer}");
    }
    // removed: at the removal.
    let host = d.dir.join("engined.sock");
    let waiter = std::thread::spawn(move || {
        request_at(&host, "/v1.44/containers/again/wait?condition=removed")
    });
    std::thread::sleep(Duration::from_millis(300));
    d.docker(&["rm", "-f", "again"]);
    let answer = waiter.join().unwrap();
    assert!(answer.contains("\"StatusCode\":"), "{answer}");
}

#[test]
fn logs_since_and_until_take_fractions_and_the_clis_forms() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("behave_logs_time");
    let d = Engined::start(&dir);
    d.import_mini();
    d.docker(&[
        "run",
        "--name",
        "talk",
        "--network",
        "none",
        "mini",
        "sh",
        "-c",
        "echo one; sleep 1.5; echo two",
    ]);
    let stamped = d.docker(&["logs", "-t", "talk"]);
    let stamps: Vec<&str> = stamped
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(stamps.len(), 2, "{stamped}");
    // RFC 3339 with nanoseconds: the CLI sends `seconds.nanos`.
    assert_eq!(d.docker(&["logs", "--since", stamps[1], "talk"]), "two\n");
    assert_eq!(d.docker(&["logs", "--until", stamps[0], "talk"]), "one\n");
    // Relative and fractional Unix forms.
    assert_eq!(d.docker(&["logs", "--since", "10m", "talk"]), "one\ntwo\n");
    assert_eq!(
        d.docker(&["logs", "--since", "1700000000.5", "talk"]),
        "one\ntwo\n"
    );
    assert_eq!(d.docker(&["logs", "--until", "1700000000.5", "talk"]), "");
    // On the API, the forms the daemon reads itself.
    let answer = get(
        &d,
        "/v1.44/containers/talk/logs?stdout=1&since=4102444800.25",
    );
    assert!(answer.starts_with("HTTP/1.0 200"), "{answer}");
    assert!(!answer.contains("one"), "{answer}");
    let answer = get(&d, "/v1.44/containers/talk/logs?stdout=1&since=soon");
    assert!(answer.starts_with("HTTP/1.0 400"), "{answer}");
    assert!(
        answer.contains("failed to parse value as time or duration: \\\"soon\\\""),
        "{answer}"
    );
}

#[test]
fn prune_until_and_events_take_dockerds_time_forms() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("behave_prune_time");
    let d = Engined::start(&dir);
    d.import_mini();
    let create = |name: &str| {
        d.docker(&[
            "create",
            "--name",
            name,
            "--network",
            "none",
            "mini",
            "true",
        ]);
    };
    let names = || d.docker(&["ps", "-a", "--format", "{{.Names}}"]);
    create("fresh");
    // Created now: not before any of these.
    for until in ["10m", "2000-01-01", "2000-01-01T00:00:00Z", "946684800.5"] {
        d.docker(&[
            "container",
            "prune",
            "-f",
            "--filter",
            &format!("until={until}"),
        ]);
        assert_eq!(names(), "fresh\n", "until={until}");
    }
    // ... and before each of these.
    for until in [
        "2099-01-01",
        "2099-01-01T00:00:00",
        "2099-01-01T00:00:00+02:00",
        "2099-01-01T10Z",
        "4070908800.25",
        "-10m",
    ] {
        create("old");
        d.docker(&[
            "container",
            "prune",
            "-f",
            "--filter",
            &format!("until={until}"),
        ]);
        assert_eq!(names(), "", "until={until}");
    }
    let err = d.docker_fails(&["container", "prune", "-f", "--filter", "until=soon"]);
    assert!(
        err.contains("failed to parse value as time or duration: \"soon\""),
        "{err}"
    );
    // Images: nothing created before 2000.
    d.docker(&[
        "image",
        "prune",
        "-a",
        "-f",
        "--filter",
        "until=2000-01-01T00:00",
    ]);
    assert_eq!(d.docker(&["images", "-q"]).lines().count(), 1);
    let err = d.docker_fails(&["image", "prune", "-f", "--filter", "until=2000-13-01"]);
    assert!(err.contains("failed to parse value"), "{err}");

    // Events: the daemon reads every form, not only what the CLI sends.
    create("seen");
    let answer = get(&d, "/v1.44/events?since=2000-01-01&until=0s");
    assert!(answer.starts_with("HTTP/1.0 200"), "{answer}");
    assert!(answer.contains("\"seen\""), "{answer}");
    let answer = get(
        &d,
        "/v1.44/events?since=2000-01-01T00:00:00Z&until=2000-01-02T00:00:00%2B01:00",
    );
    assert!(answer.starts_with("HTTP/1.0 200"), "{answer}");
    assert!(!answer.contains("\"seen\""), "{answer}");
    let answer = get(&d, "/v1.44/events?since=tomorrow");
    assert!(answer.starts_with("HTTP/1.0 400"), "{answer}");
}

#[test]
fn bind_mount_checks_speak_dockerds_words() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("behave_mounts");
    let d = Engined::start(&dir);
    d.import_mini();
    let missing = dir.join("missing");
    let spec = format!("type=bind,source={},target=/x", missing.display());
    let err = d.docker_fails(&["create", "--mount", &spec, "mini", "true"]);
    assert!(
        err.contains(&format!(
            "invalid mount config for type \"bind\": bind source path does not exist: {}",
            missing.display()
        )),
        "{err}"
    );
    assert!(!missing.exists());
    // 400 on the API.
    let body = format!(
        r#"{{"Image":"mini","HostConfig":{{"Mounts":[{{"Type":"bind","Source":"{}","Target":"/x"}}]}}}}"#,
        missing.display()
    );
    let answer = post_json(&d, "/v1.44/containers/create", &body);
    assert!(answer.starts_with("HTTP/1.0 400"), "{answer}");

    // An unknown type: no Rust debug text, dockerd's wording.
    let err = d.docker_fails(&["create", "--mount", "type=bogus,target=/x", "mini", "true"]);
    assert!(
        err.contains("invalid mount config for type \"bogus\": mount type unknown"),
        "{err}"
    );
    assert!(!err.contains("String("), "{err}");

    // `-v` makes the missing host directory, as dockerd does.
    let made = dir.join("made");
    let bind = format!("{}:/x", made.display());
    let out = d.docker(&[
        "run",
        "--rm",
        "--network",
        "none",
        "-v",
        &bind,
        "mini",
        "ls",
        "-d",
        "/x",
    ]);
    assert_eq!(out, "/x\n");
    assert!(made.is_dir());
    // An existing source works with --mount.
    let spec = format!("type=bind,source={},target=/x", made.display());
    let out = d.docker(&[
        "run",
        "--rm",
        "--network",
        "none",
        "--mount",
        &spec,
        "mini",
        "ls",
        "-d",
        "/x",
    ]);
    assert_eq!(out, "/x\n");
}

#[test]
fn cp_takes_a_tar_on_stdin_and_writes_one_to_stdout() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("behave_cp");
    let d = Engined::start(&dir);
    d.import_mini();
    run_sleeper(&d, "box");
    let src = dir.join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("hello.txt"), "hi there\n").unwrap();
    let tar = Command::new("tar")
        .arg("-C")
        .arg(&src)
        .args(["-cf", "-", "hello.txt"])
        .output()
        .unwrap();
    assert!(tar.status.success());
    let out = d.docker_with_input(&["cp", "-", "box:/tmp"], &tar.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        d.docker(&["exec", "box", "cat", "/tmp/hello.txt"]),
        "hi there\n"
    );

    let out = d.docker_output(&["cp", "box:/tmp/hello.txt", "-"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = dir.join("out.tar");
    std::fs::write(&listed, &out.stdout).unwrap();
    let x = Command::new("tar")
        .arg("-xOf")
        .arg(&listed)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&x.stdout), "hi there\n");
    let t = Command::new("tar")
        .arg("-tf")
        .arg(&listed)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&t.stdout), "hello.txt\n");
}

/// Whether process `pid` exists.
fn alive(pid: &str) -> bool {
    Path::new("/proc").join(pid.trim()).exists()
}

fn state(d: &Engined, name: &str) -> String {
    d.docker(&["inspect", "-f", "{{.State.Status}} {{.State.Pid}}", name])
        .trim()
        .to_string()
}

#[test]
fn a_clean_stop_stops_containers_unless_live_restore() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("behave_live_restore");
    // A container that ends on SIGTERM, so the stop is quick.
    let run = |d: &Engined, name: &str| {
        d.docker(&[
            "run",
            "-d",
            "--name",
            name,
            "--network",
            "none",
            "mini",
            "sh",
            "-c",
            "trap 'exit 3' TERM; while :; do sleep 0.1; done",
        ]);
        d.docker(&["inspect", "-f", "{{.State.Pid}}", name])
    };

    // Off by default: a clean stop stops the containers.
    let mut d = Engined::start(&dir);
    d.import_mini();
    assert_eq!(
        d.docker(&["info", "-f", "{{.LiveRestoreEnabled}}"]).trim(),
        "false"
    );
    let pid = run(&d, "plain");
    d.stop();
    assert!(!alive(&pid), "container process {pid} outlived the stop");
    let mut d = Engined::start(&dir);
    assert_eq!(state(&d, "plain"), "exited 0");
    assert_eq!(
        d.docker(&["inspect", "-f", "{{.State.ExitCode}}", "plain"])
            .trim(),
        "3"
    );

    // A crash leaves them running either way.
    d.docker(&["start", "plain"]);
    let pid = d.docker(&["inspect", "-f", "{{.State.Pid}}", "plain"]);
    d.crash();
    assert!(alive(&pid));
    let mut d = Engined::start(&dir);
    assert_eq!(state(&d, "plain"), format!("running {}", pid.trim()));
    d.docker(&["rm", "-f", "plain"]);

    // live-restore in daemon.json: they keep running, the next start
    // finds them.
    d.stop();
    std::fs::write(dir.join("daemon.json"), r#"{"live-restore": true}"#).unwrap();
    let mut d = Engined::start(&dir);
    assert_eq!(
        d.docker(&["info", "-f", "{{.LiveRestoreEnabled}}"]).trim(),
        "true"
    );
    let pid = run(&d, "kept");
    d.stop();
    assert!(alive(&pid), "container process {pid} was stopped");
    let d = Engined::start(&dir);
    assert_eq!(state(&d, "kept"), format!("running {}", pid.trim()));
    assert_eq!(d.docker(&["exec", "kept", "echo", "still"]), "still\n");
}
