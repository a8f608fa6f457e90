//! Real clients against engined: docker-py (PyPI `docker`) running the
//! script `tests/py/docker_py_e2e.py` (run attached, detached and with
//! `remove=True`, logs also streamed, wait, list, volumes, images with
//! tags, archives in and out of a named volume, the low-level inspect,
//! version, ping, live and bounded events) and `tests/py/docker_py_build.py`
//! (`images.build` with the classic builder), and the docker CLI reading the fields
//! dockerd always sends (inspect templates, `/version`, `ps -n`/`-l`) and
//! the container's `/etc/hosts` and host name.
//!
//! docker-py comes from a venv at `target/docker-py` (what `.ci/run`
//! makes), or the Python named by `$ENGINED_DOCKER_PY_PYTHON`; without
//! one the docker-py test skips with a notice.

use std::path::Path;

use test_support::docker_cli::{code, events_until_now};
use test_support::docker_py::run_docker_py;
use test_support::engined::Engined;
use test_support::skip::can_run_containers;

#[test]
fn docker_py_runs_lists_and_follows_events() {
    if !can_run_containers() {
        return;
    }
    let dir = Engined::test_dir("clients_py");
    let d = Engined::start(&dir);
    d.import_mini();
    run_docker_py(
        &d,
        Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/py/docker_py_e2e.py"
        )),
        &["mini", "1.44"],
    );
}

/// docker-py's `images.build` and `api.build` (the classic builder):
/// `tests/py/docker_py_build.py`.
#[test]
fn docker_py_builds_images() {
    if !can_run_containers() {
        return;
    }
    let dir = Engined::test_dir("clients_py_build");
    let d = Engined::start(&dir);
    d.import_mini();
    run_docker_py(
        &d,
        Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/py/docker_py_build.py"
        )),
        &["mini"],
    );
}

#[test]
fn inspect_and_version_send_what_dockerd_always_sends() {
    if !can_run_containers() {
        return;
    }
    let dir = Engined::test_dir("clients_fields");
    let d = Engined::start(&dir);
    d.import_mini();

    let go = d.docker(&["version", "--format", "{{.Server.GoVersion}}"]);
    assert!(go.starts_with("rustc1."), "{go}");

    d.docker(&[
        "create",
        "--name",
        "plain",
        "--network",
        "none",
        "mini",
        "true",
    ]);
    let fields = [
        "{{.HostConfig.LogConfig.Type}}",
        "{{.HostConfig.RestartPolicy.Name}}",
        "{{.HostConfig.ShmSize}}",
        "{{.HostConfig.IpcMode}}",
        "{{.HostConfig.CgroupnsMode}}",
        "{{.HostConfig.Privileged}}",
        "{{.HostConfig.Memory}}",
        "{{len .HostConfig.MaskedPaths}}",
        "[{{.Config.User}}]",
        "[{{.Config.WorkingDir}}]",
        "{{.Config.Tty}}",
        "[{{.NetworkSettings.IPAddress}}]",
        "[{{.NetworkSettings.Networks.none.IPAddress}}]",
        "{{.State.Health}}",
    ]
    .join(" ");
    assert_eq!(
        d.docker(&["inspect", "-f", &fields, "plain"]).trim(),
        "json-file no 67108864 private host false 0 11 [] [] false [] [] <nil>"
    );

    // A healthcheck: no Health before the first start, `starting` while
    // running (checks do not run yet), `unhealthy` once stopped.
    d.docker(&[
        "create",
        "--name",
        "checked",
        "--network",
        "none",
        "--health-cmd",
        "true",
        "mini",
        "sleep",
        "30",
    ]);
    let health = "{{if .State.Health}}{{.State.Health.Status}} \
                  {{.State.Health.FailingStreak}} {{len .State.Health.Log}}{{else}}none{{end}}";
    assert_eq!(
        d.docker(&["inspect", "-f", health, "checked"]).trim(),
        "none"
    );
    d.docker(&["start", "checked"]);
    assert_eq!(
        d.docker(&["inspect", "-f", health, "checked"]).trim(),
        "starting 0 0"
    );
    d.docker(&["stop", "-t", "0", "checked"]);
    assert_eq!(
        d.docker(&["inspect", "-f", health, "checked"]).trim(),
        "unhealthy 0 0"
    );
}

#[test]
fn ps_last_and_latest_count_stopped_containers() {
    if !can_run_containers() {
        return;
    }
    let dir = Engined::test_dir("clients_ps_last");
    let d = Engined::start(&dir);
    d.import_mini();
    d.docker(&[
        "run",
        "-d",
        "--name",
        "up",
        "--network",
        "none",
        "mini",
        "sleep",
        "30",
    ]);
    d.docker(&["run", "--name", "done", "--network", "none", "mini", "true"]);
    d.docker(&[
        "create",
        "--name",
        "fresh",
        "--network",
        "none",
        "mini",
        "true",
    ]);
    let names = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--format", "{{.Names}}"]);
        d.docker(&all)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(names(&["ps"]), "up");
    assert_eq!(names(&["ps", "-n", "2"]), "fresh done");
    assert_eq!(names(&["ps", "-l"]), "fresh");
    assert_eq!(names(&["ps", "-n", "5"]), "fresh done up");
    assert_eq!(names(&["ps", "-n", "2", "-f", "status=running"]), "up");
}

#[test]
fn etc_hosts_names_the_container_and_its_extra_hosts() {
    if !can_run_containers() {
        return;
    }
    let dir = Engined::test_dir("clients_etc_hosts");
    let d = Engined::start(&dir);
    d.import_mini();
    let run = |args: &[&str]| {
        let mut all = vec!["run", "--rm"];
        all.extend(args);
        d.docker(&all)
    };
    // The default network: the own name (on the container's bridge
    // address) and the --add-host entries.
    let hosts = run(&[
        "--hostname",
        "web",
        "--add-host",
        "db:10.1.2.3",
        "--add-host",
        "v6:fd00::1",
        "mini",
        "cat",
        "/etc/hosts",
    ]);
    assert!(hosts.starts_with("127.0.0.1\tlocalhost\n"), "{hosts}");
    assert!(hosts.contains("\n10.1.2.3\tdb\n"), "{hosts}");
    assert!(hosts.contains("\nfd00::1\tv6\n"), "{hosts}");
    let own = hosts.lines().last().unwrap_or_default();
    assert!(
        own.ends_with("\tweb") && !own.starts_with("127."),
        "{hosts}"
    );
    assert_eq!(
        run(&[
            "--hostname",
            "web",
            "mini",
            "sh",
            "-c",
            "hostname; cat /etc/hostname"
        ]),
        "web\nweb\n"
    );
    // --network none: no own line (like dockerd), the extra hosts still.
    let hosts = run(&[
        "--network",
        "none",
        "--hostname",
        "web",
        "--add-host",
        "db:10.1.2.3",
        "mini",
        "cat",
        "/etc/hosts",
    ]);
    assert!(
        hosts.ends_with("ff02::2\tip6-allrouters\n10.1.2.3\tdb\n"),
        "{hosts}"
    );
    // --network host: the host's net namespace, name and hosts file.
    let host_name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let host_net = std::fs::read_link("/proc/self/ns/net").unwrap();
    let out = run(&[
        "--network",
        "host",
        "--add-host",
        "db:10.1.2.3",
        "mini",
        "sh",
        "-c",
        "hostname; cat /etc/hostname; ls -l /proc/self/ns/net; cat /etc/hosts",
    ]);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some(host_name.trim()), "{out}");
    assert_eq!(lines.next(), Some(host_name.trim()), "{out}");
    let net = lines.next().unwrap_or_default();
    assert!(
        net.ends_with(&host_net.display().to_string()),
        "{net} vs {host_net:?}"
    );
    let rest: Vec<&str> = lines.collect();
    let host_hosts = std::fs::read_to_string("/etc/hosts").unwrap();
    let expected: Vec<&str> = host_hosts.lines().chain(["10.1.2.3\tdb"]).collect();
    assert_eq!(rest, expected);
    // ... but its own UTS namespace, as dockerd gives it: --hostname works.
    let host_uts = std::fs::read_link("/proc/self/ns/uts").unwrap();
    let out = run(&[
        "--network",
        "host",
        "--hostname",
        "web",
        "mini",
        "sh",
        "-c",
        "hostname; readlink /proc/self/ns/uts",
    ]);
    assert_ne!(out, format!("web\n{}\n", host_uts.display()));
    assert!(out.starts_with("web\n"), "{out}");
    // --uts host: the host's UTS namespace and name; no --hostname with it.
    let out = run(&[
        "--network",
        "none",
        "--uts",
        "host",
        "mini",
        "sh",
        "-c",
        "hostname; readlink /proc/self/ns/uts",
    ]);
    assert_eq!(
        out,
        format!("{}\n{}\n", host_name.trim(), host_uts.display())
    );
    let err = d.docker_fails(&[
        "run",
        "--rm",
        "--uts",
        "host",
        "--hostname",
        "x",
        "mini",
        "true",
    ]);
    assert!(
        err.contains("conflicting options: hostname and the UTS mode"),
        "{err}"
    );
}

#[test]
fn events_carry_dockerds_attributes() {
    if !can_run_containers() {
        return;
    }
    let dir = Engined::test_dir("clients_events");
    let d = Engined::start(&dir);
    d.import_mini();
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let out = d.docker_output(&[
        "run",
        "--name",
        "quits",
        "--network",
        "none",
        "-l",
        "k=v",
        "mini",
        "sh",
        "-c",
        "exit 3",
    ]);
    assert_eq!(code(&out), 3);
    d.docker(&["rm", "quits"]);
    d.docker(&[
        "run",
        "-d",
        "--name",
        "forced",
        "--network",
        "none",
        "mini",
        "sleep",
        "30",
    ]);
    d.docker(&["rm", "-f", "forced"]);
    let until = events_until_now();
    let events = d.docker(&[
        "events",
        "--since",
        &since,
        "--until",
        &until,
        "--filter",
        "type=container",
        "--format",
        "{{.Action}}|{{.Actor.Attributes.name}}|{{index .Actor.Attributes \"exitCode\"}}|\
         {{index .Actor.Attributes \"signal\"}}|{{index .Actor.Attributes \"k\"}}",
    ]);
    let lines: Vec<&str> = events.lines().collect();
    assert_eq!(
        lines,
        [
            "create|quits|||v",
            "attach|quits|||v",
            "start|quits|||v",
            "die|quits|3||v",
            "destroy|quits|||v",
            "create|forced|||",
            "start|forced|||",
            // a forced removal announces its SIGKILL, as dockerd does
            "kill|forced||9|",
            "die|forced|137||",
            "destroy|forced|||",
        ]
    );
}
