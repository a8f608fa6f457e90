//! Small dockerd-compatibility answers the docker CLI runs into (issue 13),
//! end to end with the real CLI: swarm commands refused as by a dockerd
//! outside a swarm, an empty plugin list, the predefined networks, `docker inspect` of a
//! missing name, `docker system prune`, `wait?condition=` (empty) and the
//! exit codes of an exec or a run whose command cannot start.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use test_support::docker_cli::code;
use test_support::engined::Engined;
use test_support::skip::{can_run_containers as can_run, skip_reason, Need};

const NOT_A_MANAGER: &str = "This node is not a swarm manager. Use \"docker swarm init\" or \
     \"docker swarm join\" to connect this node to swarm and try again.";

/// Sends one HTTP/1.0 request to engined's socket; returns the whole answer.
fn raw_request(d: &Engined, method: &str, path: &str) -> String {
    let mut conn = UnixStream::connect(d.dir.join("engined.sock")).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(conn, "{method} {path} HTTP/1.0\r\nHost: engined\r\n\r\n").unwrap();
    let mut answer = String::new();
    let _ = conn.read_to_string(&mut answer);
    answer
}

#[test]
fn swarm_plugins_networks_and_missing_objects() {
    if let Some(why) = skip_reason(Need::DockerCli) {
        eprintln!("skipped: {why}");
        return;
    }
    let dir = Engined::test_dir("gaps_cli_objects");
    let d = Engined::start(&dir);

    for args in [
        &["node", "ls"][..],
        &["service", "ls"],
        &["secret", "ls"],
        &["config", "ls"],
        &["swarm", "unlock-key"],
    ] {
        let err = d.docker_fails(args);
        assert!(err.contains(NOT_A_MANAGER), "docker {args:?}: {err}");
    }
    let err = d.docker_fails(&["swarm", "leave"]);
    assert!(err.contains("This node is not part of a swarm"), "{err}");
    // 503, the status dockerd gives.
    let answer = raw_request(&d, "GET", "/v1.44/nodes");
    assert!(
        answer.starts_with("HTTP/1.0 503") || answer.starts_with("HTTP/1.1 503"),
        "{answer}"
    );

    assert_eq!(d.docker(&["plugin", "ls", "--format", "{{.Name}}"]), "");
    // The predefined networks (net_cli covers the network API itself).
    assert_eq!(
        d.docker(&["network", "ls", "--format", "{{.Name}}"]),
        "bridge\nhost\nnone\n"
    );
    let err = d.docker_fails(&["network", "inspect", "nosuch"]);
    assert!(err.contains("network nosuch not found"), "{err}");

    let err = d.docker_fails(&["inspect", "nosuch"]);
    assert!(err.contains("Error: No such object: nosuch"), "{err}");
    let err = d.docker_fails(&["plugin", "inspect", "nosuch"]);
    assert!(err.contains("not found"), "{err}");

    let out = d.docker(&["system", "prune", "-f"]);
    assert!(out.contains("Total reclaimed space"), "{out}");
}

#[test]
fn wait_condition_and_commands_that_cannot_start() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("gaps_cli_exec");
    let d = Engined::start(&dir);
    d.import_mini();

    // condition= (empty) is not-running: a stopped container answers at once.
    let out = d.docker_output(&[
        "run",
        "--name",
        "three",
        "--network",
        "none",
        "mini",
        "sh",
        "-c",
        "exit 3",
    ]);
    assert_eq!(code(&out), 3, "{out:?}");
    let answer = raw_request(&d, "POST", "/v1.44/containers/three/wait?condition=");
    assert!(answer.contains(" 200 "), "{answer}");
    assert!(answer.contains("\"StatusCode\":3"), "{answer}");
    let answer = raw_request(&d, "POST", "/v1.44/containers/three/wait?condition=bogus");
    assert!(answer.contains(" 400 "), "{answer}");

    d.docker(&[
        "run",
        "-d",
        "--name",
        "up",
        "--network",
        "none",
        "mini",
        "sleep",
        "1000",
    ]);
    let out = d.docker_output(&["exec", "up", "nosuch"]);
    assert_eq!(code(&out), 127, "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("executable file not found"),
        "{out:?}"
    );
    let out = d.docker_output(&["exec", "up", "/nosuch/binary"]);
    assert_eq!(code(&out), 127, "{out:?}");
    let out = d.docker_output(&["exec", "up", "/etc/passwd"]);
    assert_eq!(code(&out), 126, "{out:?}");
    // A process that ran and exited 255 keeps its own code.
    let out = d.docker_output(&["exec", "up", "sh", "-c", "exit 255"]);
    assert_eq!(code(&out), 255, "{out:?}");

    let out = d.docker_output(&["run", "--rm", "--network", "none", "mini", "nosuch"]);
    assert_eq!(code(&out), 127, "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("exec: \"nosuch\": executable file not found in $PATH"),
        "{out:?}"
    );
    assert_eq!(
        d.docker(&[
            "ps",
            "-aq",
            "--filter",
            "ancestor=mini",
            "--filter",
            "status=created"
        ]),
        ""
    );
}
