//! engined behaving like dockerd where real clients notice, end to end
//! with the real docker CLI (and docker-py, `tests/py/test_behave.py`):
//! exec with a TTY, detach keys, wait on restarting containers, the time
//! forms of `--since`/`--until`/`until=`, `docker cp` through stdin and
//! stdout, bind mount checks and their wording, and live-restore.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::{can_run_containers as can_run, code, Daemon, DOCKER};

/// Runs `docker args...` under `script`, so the CLI has a terminal;
/// returns its exit code and everything it printed.
fn docker_in_terminal(d: &Daemon, args: &str) -> (i32, String) {
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

fn run_sleeper(d: &Daemon, name: &str) {
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
    let dir = Daemon::test_dir("behave_exec_tty");
    let d = Daemon::start(&dir);
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

    // A command that is not there: dockerd's 127, also with -t.
    let out = d.docker_output(&["exec", "-t", "box", "nosuch"]);
    assert_eq!(code(&out), 127);
}

#[test]
fn docker_py_exec_and_attach() {
    if !can_run() {
        return;
    }
    let python = match common::docker_py() {
        Ok(p) => p,
        Err(why) => {
            eprintln!("skipped: {why}");
            return;
        }
    };
    let dir = Daemon::test_dir("behave_py");
    let d = Daemon::start(&dir);
    d.import_mini();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/test_behave.py");
    let out = Command::new(&python)
        .arg(&script)
        .arg(d.host())
        .arg("mini")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "docker-py script failed:\n{stdout}\n{}\nengined log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        d.log()
    );
    assert!(stdout.ends_with("all ok\n"), "{stdout}");
    assert_eq!(d.docker(&["ps", "-aq"]), "");
}
