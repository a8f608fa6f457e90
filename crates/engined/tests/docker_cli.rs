//! engined driven by the real docker CLI, as an operator would: `docker
//! version` and `docker info` work and show engined's runtimes; editing
//! daemon.json and sending SIGHUP changes what `docker info` shows; an
//! invalid edit is refused, the old runtimes stay, and the log says why.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use test_support::engined::Engined;
use test_support::skip::{can_run_containers, skip_reason, Need};

fn runtimes_format() -> &'static str {
    "{{range $name, $_ := .Runtimes}}{{$name}} {{end}}/ {{.DefaultRuntime}}"
}

#[test]
fn docker_cli_sees_runtimes_and_reloads() {
    if let Some(why) = skip_reason(Need::DockerCli) {
        eprintln!("skipped: {why}");
        return;
    }
    if Command::new("runc").arg("--version").output().is_err() {
        eprintln!("skipped: no runc on PATH (apt-get install runc)");
        return;
    }
    let dir = Engined::test_dir("docker_cli_reload");
    std::fs::write(
        dir.join("daemon.json"),
        r#"{"runtimes": {"custom": {"path": "runc", "runtimeArgs": ["--log-format", "json"]}}}"#,
    )
    .unwrap();
    let d = Engined::start(&dir);

    let version = d.docker(&[
        "version",
        "--format",
        "{{.Server.Version}} {{.Server.APIVersion}} {{.Server.MinAPIVersion}}",
    ]);
    assert_eq!(
        version.trim(),
        format!("{} 1.44 1.24", env!("CARGO_PKG_VERSION"))
    );
    // `docker info` prints runtimes in Go's random map order; the template
    // form ranges over them sorted.
    let info = d.docker(&["info"]);
    assert!(info.contains("Default Runtime: runc"), "{info}");
    assert!(
        info.contains(&format!("Docker Root Dir: {}", dir.join("data").display())),
        "{info}"
    );
    assert_eq!(
        d.docker(&["info", "--format", runtimes_format()]).trim(),
        "custom io.containerd.runc.v2 runc / runc"
    );
    let scripts: Vec<_> = std::fs::read_dir(dir.join("data/runtimes"))
        .unwrap()
        .collect();
    assert_eq!(scripts.len(), 1, "one wrapper script for `custom`");

    // A new runtime set and default, applied by SIGHUP.
    std::fs::write(
        dir.join("daemon.json"),
        r#"{"runtimes": {"fast": {"path": "runc"}}, "default-runtime": "fast"}"#,
    )
    .unwrap();
    d.hup();
    assert_eq!(
        d.wait_for_info(runtimes_format(), "fast io.containerd.runc.v2 runc / fast"),
        "fast io.containerd.runc.v2 runc / fast"
    );

    // The reload was announced on the event stream, as dockerd does.
    let events = d.events(
        "0",
        &[],
        "{{.Type}} {{.Action}} {{index .Actor.Attributes \"default-runtime\"}}",
    );
    assert_eq!(events.trim(), "daemon reload fast");

    // An invalid edit: refused, the old set stays, and the log says why.
    std::fs::write(
        dir.join("daemon.json"),
        r#"{"runtimes": {"fast": {"path": "runc", "runtimeType": "io.containerd.runc.v2"}}}"#,
    )
    .unwrap();
    d.hup();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !d.log().contains("runtimes.fast") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = d.log();
    assert!(
        log.contains("ERROR") && log.contains("runtimes.fast"),
        "{log}"
    );
    assert_eq!(
        d.docker(&["info", "--format", runtimes_format()]).trim(),
        "fast io.containerd.runc.v2 runc / fast"
    );
    // The wrapper script of the first config is still there (never removed while running).
    let scripts: Vec<_> = std::fs::read_dir(dir.join("data/runtimes"))
        .unwrap()
        .collect();
    assert_eq!(scripts.len(), 1);
}

#[test]
fn a_bad_config_file_stops_the_start_with_one_clear_error() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("docker_cli_bad_config");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (text, needle) in [
        ("{not json", "daemon.json"),
        (r#"{"hosts": 5}"#, "hosts"),
        (r#"{"no-such-key": 1}"#, "no-such-key"),
    ] {
        std::fs::write(dir.join("daemon.json"), text).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_engined"))
            .arg("--data-root")
            .arg(dir.join("data"))
            .arg("--pidfile")
            .arg(dir.join("engined.pid"))
            .arg("--config-file")
            .arg(dir.join("daemon.json"))
            .arg("-H")
            .arg(format!("unix://{}", dir.join("s.sock").display()))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{text}: {stderr}");
        assert!(stderr.contains(needle), "{text}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    // A config file named on the command line must exist.
    let out = Command::new(env!("CARGO_BIN_EXE_engined"))
        .arg("--config-file")
        .arg(dir.join("missing.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.json"));
}

/// dockerd's reload rule: a key the new file leaves out keeps its value in
/// use. The file drops `runtimes` and `debug` and changes only `labels`; a
/// container started afterwards still runs on `--runtime custom`.
#[test]
fn a_reload_keeps_the_keys_the_file_leaves_out() {
    if !can_run_containers() {
        return;
    }
    let dir = Engined::test_dir("docker_cli_reload_unset");
    std::fs::write(
        dir.join("daemon.json"),
        r#"{"runtimes": {"custom": {"path": "runc", "runtimeArgs": ["--log-format", "json"]}},
            "labels": ["zone=a"], "debug": true}"#,
    )
    .unwrap();
    let d = Engined::start(&dir);
    d.import_mini();
    let format = "{{range $name, $_ := .Runtimes}}{{$name}} {{end}}/ {{.Labels}} {{.Debug}}";
    assert_eq!(
        d.docker(&["info", "--format", format]).trim(),
        "custom io.containerd.runc.v2 runc / [zone=a] true"
    );

    std::fs::write(dir.join("daemon.json"), r#"{"labels": ["zone=b"]}"#).unwrap();
    d.hup();
    assert_eq!(
        d.wait_for_info(format, "custom io.containerd.runc.v2 runc / [zone=b] true"),
        "custom io.containerd.runc.v2 runc / [zone=b] true"
    );
    let out = d.docker(&[
        "run",
        "--rm",
        "--network",
        "none",
        "--runtime",
        "custom",
        "mini",
        "echo",
        "still here",
    ]);
    assert_eq!(out, "still here\n");

    // An empty file changes nothing at all.
    std::fs::write(dir.join("daemon.json"), "{}").unwrap();
    d.hup();
    let deadline = Instant::now() + Duration::from_secs(10);
    while d.log().matches("configuration reloaded").count() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(d.log().matches("configuration reloaded").count(), 2);
    assert_eq!(
        d.docker(&["info", "--format", format]).trim(),
        "custom io.containerd.runc.v2 runc / [zone=b] true"
    );
}
