//! Containers end to end: the real docker CLI against engined on real
//! runc. A busybox rootfs is imported as `mini`; containers run with
//! `--network none` (there is no bridge here). Covers run (attached,
//! `--rm`, exit codes, detached), ps and its filters, logs, exec, stop
//! within the timeout, start, restart, pause, rename, rm -f, volumes; a
//! `kill -9` of engined with containers running; and the runtime reload
//! scenarios (a wrapped runtime's args removed, the runtime dropped, its
//! args changed) where the old container stays manageable.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use test_support::docker_cli::{code, DOCKER};
use test_support::engined::Engined;
use test_support::skip::can_run_containers as can_run;

#[test]
fn run_logs_exec_stop_and_friends() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("containers_cli_lifecycle");
    let d = Engined::start(&dir);
    d.import_mini();

    // Attached runs: output and exit code; --rm removes.
    assert_eq!(
        d.docker(&["run", "--rm", "--network", "none", "mini", "echo", "hi"]),
        "hi\n"
    );
    let out = d.docker_output(&[
        "run",
        "--name",
        "three",
        "--network",
        "none",
        "mini",
        "sh",
        "-c",
        "echo out; echo err >&2; exit 3",
    ]);
    assert_eq!(code(&out), 3, "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "out\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "err\n");
    assert_eq!(
        d.docker(&["ps", "-a", "--format", "{{.Names}} {{.Status}}"])
            .lines()
            .filter(|l| l.starts_with("three Exited (3)"))
            .count(),
        1
    );
    assert_eq!(d.docker(&["logs", "three"]), "out\n");
    let out = d.docker_output(&["logs", "three"]);
    assert_eq!(String::from_utf8_lossy(&out.stderr), "err\n");

    // Stdin (attached before the start, so nothing is lost), and a TTY.
    let out = d.docker_with_input(
        &["run", "-i", "--rm", "--network", "none", "mini", "cat"],
        b"through stdin\n",
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "through stdin\n",
        "{out:?}"
    );
    let out = d.docker(&[
        "run",
        "-t",
        "--rm",
        "--network",
        "none",
        "mini",
        "sh",
        "-c",
        "tty",
    ]);
    assert_eq!(out.trim(), "/dev/pts/0");

    // Detached, with a process that says something first.
    d.docker(&[
        "run",
        "-d",
        "--name",
        "web",
        "--network",
        "none",
        "--label",
        "tier=front",
        "mini",
        "sh",
        "-c",
        "echo started; exec sleep 1000",
    ]);
    let ps = d.docker(&["ps", "--format", "{{.Names}} {{.Status}}"]);
    assert!(ps.lines().any(|l| l.starts_with("web Up")), "{ps}");
    assert!(!ps.contains("three"), "{ps}");
    assert_eq!(
        d.docker(&[
            "ps",
            "-a",
            "--filter",
            "label=tier=front",
            "--format",
            "{{.Names}}"
        ]),
        "web\n"
    );
    assert_eq!(
        d.docker(&[
            "ps",
            "-a",
            "--filter",
            "status=exited",
            "--format",
            "{{.Names}}"
        ]),
        "three\n"
    );
    assert_eq!(
        d.docker(&[
            "ps",
            "-a",
            "--filter",
            "exited=3",
            "--filter",
            "ancestor=mini",
            "--format",
            "{{.Names}}"
        ]),
        "three\n"
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while d.docker(&["logs", "web"]) != "started\n" {
        assert!(Instant::now() < deadline, "no log line");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(d.docker(&["exec", "web", "echo", "ok"]), "ok\n");
    assert_eq!(
        code(&d.docker_output(&["exec", "web", "sh", "-c", "exit 7"])),
        7
    );
    assert_eq!(
        d.docker(&["exec", "-u", "nobody", "web", "id", "-u"]),
        "65534\n"
    );
    let top = d.docker(&["top", "web"]);
    assert!(top.contains("sleep 1000"), "{top}");

    // sleep as pid 1 ignores SIGTERM: killed when the 2 s are up.
    let t = Instant::now();
    d.docker(&["stop", "-t", "2", "web"]);
    let took = t.elapsed();
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(5),
        "{took:?}"
    );
    assert_eq!(
        d.docker(&[
            "inspect",
            "-f",
            "{{.State.Status}} {{.State.ExitCode}}",
            "web"
        ]),
        "exited 137\n"
    );
    d.docker(&["start", "web"]);
    assert_eq!(
        d.docker(&["inspect", "-f", "{{.State.Running}}", "web"]),
        "true\n"
    );
    let pid_before = d.docker(&["inspect", "-f", "{{.State.Pid}}", "web"]);
    d.docker(&["restart", "-t", "1", "web"]);
    let pid_after = d.docker(&["inspect", "-f", "{{.State.Pid}}", "web"]);
    assert_ne!(pid_before, pid_after);
    // The log kept every run's output.
    assert_eq!(d.docker(&["logs", "web"]), "started\nstarted\nstarted\n");
    assert_eq!(d.docker(&["logs", "--tail", "1", "web"]), "started\n");

    d.docker(&["pause", "web"]);
    assert_eq!(
        d.docker(&["inspect", "-f", "{{.State.Status}}", "web"]),
        "paused\n"
    );
    d.docker(&["unpause", "web"]);
    d.docker(&["rename", "web", "web2"]);
    let out = d.docker_output(&["rm", "web2"]);
    assert_ne!(code(&out), 0);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot remove a running container"),
        "{out:?}"
    );
    d.docker(&["rm", "-f", "web2"]);
    assert!(!d
        .docker(&["ps", "-a", "--format", "{{.Names}}"])
        .contains("web"));
    // A name in use is a conflict.
    d.docker(&["create", "--name", "dup", "mini", "true"]);
    let out = d.docker_output(&["create", "--name", "dup", "mini", "true"]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is already in use by container"),
        "{out:?}"
    );

    // Named volumes outlive their containers.
    d.docker(&[
        "run",
        "--rm",
        "--network",
        "none",
        "-v",
        "data:/data",
        "mini",
        "sh",
        "-c",
        "echo kept > /data/f",
    ]);
    assert_eq!(
        d.docker(&[
            "run",
            "--rm",
            "--network",
            "none",
            "-v",
            "data:/data:ro",
            "mini",
            "cat",
            "/data/f"
        ]),
        "kept\n"
    );
    // A bind mount, read-only.
    let host = dir.join("bind");
    std::fs::create_dir_all(&host).unwrap();
    std::fs::write(host.join("x"), "from host\n").unwrap();
    let bind = format!("{}:/mnt:ro", host.display());
    assert_eq!(
        d.docker(&[
            "run",
            "--rm",
            "--network",
            "none",
            "-v",
            &bind,
            "mini",
            "cat",
            "/mnt/x"
        ]),
        "from host\n"
    );
    assert_ne!(
        code(&d.docker_output(&[
            "run",
            "--rm",
            "--network",
            "none",
            "-v",
            &bind,
            "mini",
            "touch",
            "/mnt/y"
        ])),
        0
    );
    // An unknown command: Docker's 127.
    assert_eq!(
        code(&d.docker_output(&["run", "--rm", "--network", "none", "mini", "nonesuch"])),
        127
    );

    let pruned = d.docker(&["container", "prune", "-f"]);
    assert!(pruned.contains("Total reclaimed space"), "{pruned}");
    assert_eq!(d.docker(&["ps", "-aq"]), "");
}

#[test]
fn containers_survive_a_daemon_crash() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("containers_cli_crash");
    let mut d = Engined::start(&dir);
    d.import_mini();
    d.docker(&[
        "run",
        "-d",
        "--name",
        "long",
        "--network",
        "none",
        "mini",
        "sleep",
        "1000",
    ]);
    d.docker(&[
        "run",
        "-d",
        "--name",
        "short",
        "--network",
        "none",
        "mini",
        "sh",
        "-c",
        "sleep 1; exit 4",
    ]);
    d.crash();
    // `short` exits while nobody listens.
    std::thread::sleep(Duration::from_millis(1500));
    let d = Engined::start(&dir);
    assert_eq!(
        d.docker(&["ps", "-a", "--format", "{{.Names}} {{.State}}"]),
        "short exited\nlong running\n"
    );
    assert_eq!(
        d.docker(&["inspect", "-f", "{{.State.ExitCode}}", "short"]),
        "4\n"
    );
    assert_eq!(d.docker(&["exec", "long", "echo", "ok"]), "ok\n");
    let t = Instant::now();
    d.docker(&["stop", "-t", "1", "long"]);
    assert!(t.elapsed() < Duration::from_secs(4));
    assert_eq!(
        d.docker(&[
            "inspect",
            "-f",
            "{{.State.Status}} {{.State.ExitCode}}",
            "long"
        ]),
        "exited 137\n"
    );
}

#[test]
fn reloads_never_strand_a_running_container() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("containers_cli_reload");
    let conf = |text: &str| std::fs::write(dir.join("daemon.json"), text).unwrap();
    conf(r#"{"runtimes": {"custom": {"path": "runc", "runtimeArgs": ["--log-format", "json"]}}}"#);
    let mut d = Engined::start(&dir);
    d.import_mini();
    let first_scripts = d.scripts();
    assert_eq!(first_scripts.len(), 1);

    // (a) the args removed; (b) the runtime dropped; (c) the args changed.
    // Each starts from `custom` with `--log-format json`.
    let wrapped =
        r#"{"runtimes": {"custom": {"path": "runc", "runtimeArgs": ["--log-format", "json"]}}}"#;
    let with_custom = "custom io.containerd.runc.v2 runc";
    let steps = [
        (r#"{"runtimes": {"custom": {"path": "runc"}}}"#, with_custom),
        // (an empty `runtimes`: a file without the key keeps the runtimes)
        (r#"{"runtimes": {}}"#, "io.containerd.runc.v2 runc"),
        (
            r#"{"runtimes": {"custom": {"path": "runc", "runtimeArgs": ["--log-format", "text"]}}}"#,
            with_custom,
        ),
    ];
    for (i, (config, runtimes)) in steps.iter().enumerate() {
        if i > 0 {
            conf(wrapped);
            d.hup();
            d.wait_for_runtimes(with_custom);
        }
        // A container on the wrapped runtime.
        let old = format!("old{i}");
        d.docker(&[
            "run",
            "-d",
            "--name",
            &old,
            "--runtime",
            "custom",
            "--network",
            "none",
            "mini",
            "sleep",
            "1000",
        ]);
        let old_binary = d.record(&old)["runtime"]["binary"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(Path::new(&old_binary), first_scripts[0]);
        conf(config);
        d.hup();
        d.wait_for_runtimes(runtimes);
        // The old container still answers, on the binary it recorded.
        assert!(Path::new(&old_binary).exists(), "{old_binary} is gone");
        assert_eq!(d.docker(&["exec", &old, "echo", "ok"]), "ok\n");
        let t = Instant::now();
        d.docker(&["stop", "-t", "1", &old]);
        assert!(t.elapsed() < Duration::from_secs(4));
        // A new container gets the new config.
        let new = format!("new{i}");
        let out = d.docker_output(&[
            "run",
            "-d",
            "--name",
            &new,
            "--runtime",
            "custom",
            "--network",
            "none",
            "mini",
            "sleep",
            "1000",
        ]);
        if runtimes.starts_with("custom") {
            assert_eq!(code(&out), 0, "{out:?}");
            let binary = d.record(&new)["runtime"]["binary"]
                .as_str()
                .unwrap()
                .to_string();
            if i == 0 {
                assert!(!binary.contains("/runtimes/"), "{binary}");
            } else {
                assert!(binary.contains("/runtimes/custom."), "{binary}");
                assert!(std::fs::read_to_string(&binary).unwrap().contains("'text'"));
            }
            d.docker(&["exec", &new, "true"]);
        } else {
            assert_ne!(code(&out), 0);
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("custom"),
                "{out:?}"
            );
        }
        // The old one goes on a forced remove, like always.
        d.docker(&["rm", "-f", &old]);
        assert!(Path::new(&old_binary).exists());
        if i == 0 {
            d.docker(&["rm", "-f", &new]);
        }
    }
    // Only new2 (on the `text` wrapper) still runs. After a restart the
    // scripts nobody uses are gone; the one it uses stays.
    let used = d.record("new2")["runtime"]["binary"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(d.scripts().len() >= 2, "{:?}", d.scripts());
    d.crash();
    let d = Engined::start(&dir);
    assert_eq!(d.scripts(), vec![PathBuf::from(&used)]);
    assert_eq!(d.docker(&["exec", "new2", "echo", "ok"]), "ok\n");
    d.docker(&["rm", "-f", "new2"]);
}

/// Files under `dir` whose names mark a write that never finished.
fn leftovers(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            let is_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false);
            // Container root filesystems hold the image's own files: skip them.
            if is_dir
                && path
                    .file_name()
                    .is_some_and(|n| n == "rootfs" || n == "merged" || n == "upper")
            {
                continue;
            }
            if e.file_name().to_string_lossy().starts_with(".tmp-") {
                out.push(path.clone());
            }
            if is_dir {
                stack.push(path);
            }
        }
    }
    out
}

#[test]
fn a_crash_mid_operation_loses_nothing() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("containers_cli_crash_mid");
    let mut d = Engined::start(&dir);
    d.import_mini();
    // Keep the daemon busy creating, starting and removing containers,
    // and kill -9 it in the middle of that.
    let host = format!("unix://{}", dir.join("engined.sock").display());
    let busy = std::thread::spawn(move || {
        let mut started = Vec::new();
        for i in 0..30 {
            let name = format!("c{i}");
            let out = Command::new(DOCKER)
                .args([
                    "-H",
                    &host,
                    "run",
                    "-d",
                    "--network",
                    "none",
                    "--name",
                    &name,
                    "mini",
                    "sleep",
                    "1000",
                ])
                .output()
                .unwrap();
            if !out.status.success() {
                break;
            }
            started.push(name.clone());
            let _ = Command::new(DOCKER)
                .args(["-H", &host, "rm", "-f", &name])
                .output();
        }
        started
    });
    std::thread::sleep(Duration::from_millis(800));
    d.crash();
    let attempted = busy.join().unwrap();
    assert!(
        !attempted.is_empty(),
        "the daemon was killed before any container started"
    );

    let d = Engined::start(&dir);
    // Every container the daemon still knows has a coherent state and is
    // manageable; the image is intact.
    let listed = d.docker(&["ps", "-a", "--format", "{{.Names}} {{.State}}"]);
    for line in listed.lines() {
        let (name, state) = line.split_once(' ').unwrap_or((line, ""));
        assert!(
            matches!(state, "running" | "exited" | "created"),
            "{line}\n{listed}"
        );
        d.docker(&["rm", "-f", name]);
    }
    assert_eq!(d.docker(&["ps", "-aq"]), "");
    assert_eq!(
        d.docker(&["images", "--format", "{{.Repository}}"]),
        "mini\n"
    );
    assert_eq!(
        d.docker(&["run", "--rm", "--network", "none", "mini", "echo", "fine"]),
        "fine\n"
    );
    // No supervisor (and so no container process) outlives its record:
    // the run a crash left unrecorded went with its container.
    let exec = dir.join("exec");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !test_support::teardown::pids_below(&exec).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let supervisors = test_support::teardown::pids_below(&exec);
    assert!(
        supervisors.is_empty(),
        "supervisors left running: {supervisors:?}"
    );
    // Nothing half-written is left behind once the daemon is back.
    let left = leftovers(&dir.join("data"));
    assert!(
        left.is_empty(),
        "half-written files after restart: {left:?}"
    );
}

/// A supervisor the daemon spawned but never asked to start (it died in
/// between) is told to give up at the next daemon start, instead of
/// waiting out its start timeout on the bundle where the container's next
/// start puts a supervisor of its own.
#[test]
fn a_supervisor_spawned_before_a_crash_is_abandoned_at_restore() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("containers_cli_unstarted");
    let mut d = Engined::start(&dir);
    d.import_mini();
    let id = d
        .docker(&[
            "create",
            "--network",
            "none",
            "--name",
            "half",
            "mini",
            "sleep",
            "1000",
        ])
        .trim()
        .to_string();
    // A run leaves the bundle with its supervisor config.
    d.docker(&["start", "half"]);
    d.docker(&["stop", "-t", "0", "half"]);
    d.stop();
    let bundle = dir.join("exec/containers").join(&id);
    let shim = test_support::engined::binary()
        .and_then(|b| b.parent().map(|p| p.join("engined-shim")))
        .expect("engined-shim beside engined");
    // What a daemon killed between the spawn and the start leaves behind.
    let spawned = Command::new(&shim).arg(&bundle).output().unwrap();
    assert!(spawned.status.success(), "{spawned:?}");
    // Through the directory's descriptor: the socket's full path is longer
    // than a socket address may be.
    let answers = |bundle: &Path| {
        use std::os::fd::AsRawFd;
        let dir = std::fs::File::open(bundle).unwrap();
        let path = format!("/proc/self/fd/{}/shim.sock", dir.as_raw_fd());
        std::os::unix::net::UnixStream::connect(path).is_ok()
    };
    assert!(
        answers(&bundle),
        "the hand-started supervisor does not answer"
    );
    let exec = dir.join("exec");
    assert!(!test_support::teardown::pids_below(&exec).is_empty());

    let d = Engined::start(&dir);
    // Gone well before its 60 s start timeout, its socket with it.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !test_support::teardown::pids_below(&exec).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let left = test_support::teardown::pids_below(&exec);
    assert!(left.is_empty(), "supervisor still running: {left:?}");
    assert!(!bundle.join("shim.sock").exists());
    assert!(!answers(&bundle));
    assert_eq!(
        d.docker(&["inspect", "-f", "{{.State.Status}}", "half"])
            .trim(),
        "exited"
    );
    // The container starts and is reachable as usual.
    d.docker(&["start", "half"]);
    assert_eq!(d.docker(&["exec", "half", "echo", "up"]), "up\n");
    d.docker(&["rm", "-f", "half"]);
}
