//! The client's examples (`crates/engine-api/examples/`) run as a user runs
//! them, with `DOCKER_HOST` pointing at a real daemon: engined, and
//! Debian's dockerd 20.10 when it is installed. Each example's output and
//! exit status is checked against what the docker CLI then sees in the
//! daemon. The example programs are the ones `cargo test --workspace`
//! builds (`target/debug/examples/`); without them the test skips with a
//! notice.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use test_support::docker_cli;
use test_support::dockerd::Dockerd;
use test_support::engined::Engined;

const EXAMPLES: [&str; 7] = [
    "list_containers",
    "run_container",
    "exec_tty",
    "copy_files",
    "follow_events",
    "build_context",
    "pull_progress",
];

/// `target/debug/examples/`, when every example is built there.
fn examples_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?.parent()?.join("examples");
    let missing: Vec<&str> = EXAMPLES
        .iter()
        .copied()
        .filter(|name| !dir.join(name).is_file())
        .collect();
    if missing.is_empty() {
        return Some(dir);
    }
    eprintln!(
        "skipped: the engine-api examples {missing:?} are not built in {} \
         (cargo test --workspace builds them; or cargo build -p engine-api --examples)",
        dir.display()
    );
    None
}

/// One daemon the examples talk to, and the docker CLI beside them.
struct Daemon {
    host: String,
    examples: PathBuf,
}

impl Daemon {
    fn example(&self, name: &str) -> Command {
        let mut cmd = Command::new(self.examples.join(name));
        cmd.env("DOCKER_HOST", &self.host)
            .env_remove("DOCKER_CONTEXT")
            .env_remove("DOCKER_TLS_VERIFY")
            .env_remove("DOCKER_API_VERSION")
            .stdin(Stdio::null());
        cmd
    }

    /// Runs an example to its end (at most a minute).
    fn run(&self, name: &str, args: &[&str]) -> Output {
        let mut child = self
            .example(name)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let pid = child.id();
        let (done_tx, done_rx) = mpsc::channel();
        let watchdog = std::thread::spawn(move || {
            if done_rx.recv_timeout(Duration::from_secs(60)).is_err() {
                let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            }
        });
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let read = |pipe: Option<Box<dyn std::io::Read + Send>>| {
            std::thread::spawn(move || {
                let mut out = Vec::new();
                if let Some(mut pipe) = pipe {
                    let _ = pipe.read_to_end(&mut out);
                }
                out
            })
        };
        let out = read(stdout.map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
        let err = read(stderr.map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
        let status = child.wait().unwrap_or_else(|e| panic!("{name}: {e}"));
        let _ = done_tx.send(());
        let _ = watchdog.join();
        Output {
            status,
            stdout: out.join().unwrap_or_default(),
            stderr: err.join().unwrap_or_default(),
        }
    }

    /// Runs an example that must succeed; its stdout.
    fn ok(&self, name: &str, args: &[&str]) -> String {
        let out = self.run(name, args);
        assert!(
            out.status.success(),
            "{name} {args:?} against {}: {:?}\n{}{}",
            self.host,
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn docker(&self, args: &[&str]) -> String {
        docker_cli::succeeds(&self.host, args, String::new)
            .trim()
            .to_string()
    }
}

/// Every example against one daemon that has the image `mini` (busybox).
/// `builds`: whether the daemon has the classic builder.
fn exercise(d: &Daemon, label: &str, builds: bool) {
    let sleeper = format!("examples-{label}-sleeper");
    let _ = docker_cli::output(&d.host, &["rm", "-f", &sleeper]);

    let listed = d.ok("list_containers", &[]);
    assert!(listed.starts_with("API version 1."), "{listed}");

    // run_container: the output, stdout and stderr apart, and the status.
    let out = d.run(
        "run_container",
        &["mini", "sh", "-c", "echo out; echo err >&2; exit 3"],
    );
    assert_eq!(docker_cli::code(&out), 3, "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "out\n");
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with("err\n"),
        "{out:?}"
    );
    assert_eq!(d.ok("run_container", &["mini", "echo", "hi"]), "hi\n");

    // follow_events sees what happens after it starts.
    let mut events = d
        .example("follow_events")
        .arg("container")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (line_tx, line_rx) = mpsc::channel();
    let stdout = events.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line_tx.send(line).is_err() {
                break;
            }
        }
    });
    // The event stream is open once the daemon has answered; a short wait
    // covers the connection being made.
    std::thread::sleep(Duration::from_millis(500));
    let id = d.docker(&[
        "run",
        "-d",
        "--network",
        "none",
        "--name",
        &sleeper,
        "mini",
        "sleep",
        "300",
    ]);
    let mut seen = Vec::new();
    let started = loop {
        match line_rx.recv_timeout(Duration::from_secs(20)) {
            Ok(line) if line.contains(" start ") && line.contains(&id) => break line,
            Ok(line) => seen.push(line),
            Err(_) => panic!("follow_events printed no start of {id}: {seen:?}"),
        }
    };
    assert!(started.ends_with(&sleeper), "{started}");
    let _ = events.kill();
    let _ = events.wait();

    // list_containers shows the running one.
    let listed = d.ok("list_containers", &[]);
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with(&id[..12]) && l.contains("running")),
        "{listed}"
    );

    // exec_tty: a terminal of the size asked for, and the command's status.
    // A daemon before API 1.42 learns the size from the resize that
    // follows the start, which the command has to wait for.
    let script = if label == "dockerd" {
        "tty; sleep 1; stty size"
    } else {
        "tty; stty size"
    };
    let shown = d.ok("exec_tty", &[&sleeper, "sh", "-c", script]);
    assert!(shown.contains("/dev/pts/"), "{shown:?}");
    assert!(shown.contains("24 100"), "{shown:?}");
    let out = d.run("exec_tty", &[&sleeper, "sh", "-c", "exit 5"]);
    assert_eq!(docker_cli::code(&out), 5, "{out:?}");

    // copy_files: in, seen by the container, and back out.
    let copied = d.ok("copy_files", &[&sleeper, "/tmp", "hello from outside"]);
    assert_eq!(copied, "greeting.txt: hello from outside\n");
    assert_eq!(
        d.docker(&["exec", &sleeper, "cat", "/tmp/greeting.txt"]),
        "hello from outside"
    );

    // build_context: an image that runs the file it was built with.
    if builds {
        let tag = format!("examples-{label}-built:latest");
        let built = d.ok("build_context", &["mini", &tag]);
        let id = built
            .lines()
            .find_map(|l| l.strip_prefix("image "))
            .unwrap_or_else(|| panic!("no image ID in {built:?}"));
        assert_eq!(d.docker(&["image", "inspect", "-f", "{{.Id}}", &tag]), id);
        assert_eq!(
            d.docker(&["run", "--rm", "--network", "none", &tag]),
            "built by engine-api"
        );
        d.docker(&["rmi", &tag]);
    }

    // pull_progress: a registry nobody serves (a closed loopback port)
    // ends with the daemon's reason and status 1.
    let out = d.run("pull_progress", &["127.0.0.1:9/examples/nothing:1"]);
    assert_eq!(docker_cli::code(&out), 1, "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.starts_with("pull failed: "), "{said}");
    assert!(said.contains("127.0.0.1:9"), "{said}");

    d.docker(&["rm", "-f", &sleeper]);
}

#[test]
fn the_examples_work_against_engined() {
    let Some(examples) = examples_dir() else {
        return;
    };
    let Some(e) = Engined::start_named("client-examples") else {
        return;
    };
    e.import_mini();
    let d = Daemon {
        host: e.host(),
        examples,
    };
    exercise(&d, "engined", true);
}

#[test]
fn the_examples_work_against_dockerd() {
    let Some(examples) = examples_dir() else {
        return;
    };
    let Some(dockerd) = Dockerd::start("client-examples") else {
        return;
    };
    let Some(tar) = test_support::rootfs::busybox_rootfs_tar(dockerd.dir()) else {
        panic!("no busybox rootfs (apt-get install busybox-static)");
    };
    dockerd.docker(&["import", tar.to_str().unwrap(), "mini"]);
    let d = Daemon {
        host: dockerd.host(),
        examples,
    };
    exercise(&d, "dockerd", true);
}
