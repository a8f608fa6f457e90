//! Owner scoping through the real docker CLI to engined: two identities,
//! each on a socket of its own, see only their own containers and volumes
//! in `docker ps` and `docker volume ls`, get Docker's 404 for the other's
//! (stop, logs, exec, rm, volume rm), and what they create carries their
//! label; a new container cannot name the other's containers or
//! volumes either; the socket without an identity sees everything.

use test_support::docker_cli;
use test_support::engined::Engined;

use crate::harness::Proxy;

const POLICY: &str = "default: allow\nowner_label: engine-proxy.owner\n";

#[test]
fn each_owner_sees_and_touches_only_its_own() {
    let Some(engined) = Engined::start_named("proxy-owner") else {
        return;
    };
    engined.import_mini();
    let proxy = Proxy::start_with("owner", &engined.host(), POLICY, &["alice", "bob"]);
    let (alice, bob) = (proxy.host_of("alice"), proxy.host_of("bob"));
    let ok = |host: &str, args: &[&str]| -> String {
        let out = docker_cli::output(host, args);
        assert!(
            out.status.success(),
            "docker {args:?}: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            proxy.log()
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let fails = |host: &str, args: &[&str], want: &str| {
        let err = docker_cli::fails(host, args);
        assert!(err.contains(want), "docker {args:?}: {err}\nwanted: {want}");
    };
    ok(
        &alice,
        &[
            "run",
            "-d",
            "--name",
            "own-a",
            "--network",
            "none",
            "mini",
            "sleep",
            "60",
        ],
    );
    ok(
        &bob,
        &[
            "run",
            "-d",
            "--name",
            "own-b",
            "--network",
            "none",
            "mini",
            "sleep",
            "60",
        ],
    );
    ok(&alice, &["volume", "create", "vol-a"]);
    assert_eq!(ok(&alice, &["ps", "-a", "--format", "{{.Names}}"]), "own-a");
    assert_eq!(ok(&bob, &["ps", "-a", "--format", "{{.Names}}"]), "own-b");
    // The client's own filters still apply, with the owner's added.
    assert_eq!(
        ok(
            &alice,
            &[
                "ps",
                "-a",
                "--filter",
                "name=own-b",
                "--format",
                "{{.Names}}"
            ]
        ),
        ""
    );
    let all = ok(&proxy.host(), &["ps", "-a", "--format", "{{.Names}}"]);
    assert!(all.contains("own-a") && all.contains("own-b"), "{all}");
    assert_eq!(
        ok(
            &engined.host(),
            &[
                "inspect",
                "--format",
                "{{index .Config.Labels \"engine-proxy.owner\"}}",
                "own-a"
            ]
        ),
        "alice"
    );
    fails(&alice, &["stop", "own-b"], "No such container: own-b");
    fails(&alice, &["logs", "own-b"], "No such container: own-b");
    fails(
        &alice,
        &["exec", "own-b", "true"],
        "No such container: own-b",
    );
    fails(&alice, &["rm", "own-b"], "No such container: own-b");
    // `rm -f` of a missing container succeeds quietly, as direct; and
    // bob's container is still there.
    ok(&alice, &["rm", "-f", "own-b"]);
    assert_eq!(ok(&bob, &["ps", "--format", "{{.Names}}"]), "own-b");
    assert_eq!(ok(&alice, &["exec", "own-a", "echo", "mine"]), "mine");
    // Nor can alice reach bob's objects through a new container's body.
    ok(&bob, &["volume", "create", "vol-b"]);
    let run = ["create", "--network", "none"];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        let mut args = run.to_vec();
        args.extend_from_slice(extra);
        args
    };
    let denied = |what: &str| format!("denied by owner scoping: {what}, which is not yours");
    fails(
        &alice,
        &with(&["--volumes-from", "own-b", "mini"]),
        &denied("HostConfig.VolumesFrom names own-b"),
    );
    fails(
        &alice,
        &["create", "--pid", "container:own-b", "mini"],
        &denied("HostConfig.PidMode names own-b"),
    );
    fails(
        &alice,
        &with(&["-v", "vol-b:/x", "mini"]),
        &denied("HostConfig.Binds[0] names vol-b"),
    );
    fails(
        &alice,
        &with(&["--mount", "type=volume,source=vol-b,target=/x", "mini"]),
        &denied("HostConfig.Mounts[0] names vol-b"),
    );
    let mine = ok(
        &alice,
        &with(&["-v", "vol-a:/x", "--volumes-from", "own-a", "mini", "true"]),
    );
    ok(&alice, &["rm", &mine]);
    assert_eq!(ok(&bob, &["volume", "ls", "-q"]), "vol-b");
    assert_eq!(ok(&alice, &["volume", "ls", "-q"]), "vol-a");
    fails(&bob, &["volume", "rm", "vol-a"], "no such volume");
    ok(&alice, &["rm", "-f", "own-a"]);
    ok(&bob, &["rm", "-f", "own-b"]);
    ok(&alice, &["volume", "rm", "vol-a"]);
    ok(&bob, &["volume", "rm", "vol-b"]);
}
