//! Each rule type through the real docker CLI to engined: it denies what
//! it should, with Docker's error body naming the rule and the field
//! (which the CLI prints), and allows the rest; every decision is in the
//! audit log, and the log holds nothing but the decision.

use test_support::engined::Engined;

use crate::harness::Proxy;

const POLICY: &str = "
default: allow
rules:
  - name: guards
    operations: [ContainerCreate, ContainerExec, ImageCreate, VolumeCreate]
    require:
      privileged: false
      bind_sources: [/tmp/engine-proxy-allowed]
      cap_add: [NET_ADMIN]
      host_network: false
      host_pid: false
      host_namespaces: false
      unconfined: false
      devices: false
      images: [mini]
  - name: team-label
    operations: [ContainerCreate, VolumeCreate]
    require:
      labels: {team: '*'}
      forbidden_labels: [root]
  - name: no-prune
    operations: [ContainerPrune]
    action: deny
";

/// `docker create --network none EXTRA...`.
fn create<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["create", "--network", "none"];
    args.extend_from_slice(extra);
    args
}

/// `docker create --network none --label team=a EXTRA...`.
fn with_team<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = create(&["--label", "team=a"]);
    args.extend_from_slice(extra);
    args
}

#[test]
fn each_rule_denies_what_it_should_and_nothing_else() {
    let Some(engined) = Engined::start_named("proxy-policy") else {
        return;
    };
    engined.import_mini();
    engined.docker(&["tag", "mini", "other"]);
    let proxy = Proxy::start("policy", &engined.host(), POLICY);
    let run = |args: &[&str]| {
        let out = proxy.docker(args);
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).trim().to_string(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let denied = |args: &[&str], message: &str| {
        let (ok, _, err) = run(args);
        assert!(!ok, "docker {args:?} should be denied");
        let want = format!("Error response from daemon: {message}");
        assert!(
            err.contains(&want),
            "docker {args:?}: {err}\nwanted: {want}"
        );
    };
    denied(
        &with_team(&["--privileged", "mini"]),
        "denied by rule guards: HostConfig.Privileged is true",
    );
    denied(
        &with_team(&["-v", "/etc:/x", "mini"]),
        "denied by rule guards: HostConfig.Binds[0] source /etc is not under an allowed path",
    );
    denied(
        &with_team(&["--mount", "type=bind,source=/etc,target=/x", "mini"]),
        "denied by rule guards: HostConfig.Mounts[0] source /etc is not under an allowed path",
    );
    denied(
        &with_team(&["--cap-add", "SYS_ADMIN", "mini"]),
        "denied by rule guards: HostConfig.CapAdd has CAP_SYS_ADMIN",
    );
    denied(
        &["create", "--label", "team=a", "--network", "host", "mini"],
        "denied by rule guards: HostConfig.NetworkMode is host",
    );
    denied(
        &with_team(&["--ipc", "host", "mini"]),
        "denied by rule guards: HostConfig.IpcMode is host",
    );
    denied(
        &with_team(&["--security-opt", "seccomp=unconfined", "mini"]),
        "denied by rule guards: HostConfig.SecurityOpt has seccomp=unconfined",
    );
    denied(
        &with_team(&["--pid", "host", "mini"]),
        "denied by rule guards: HostConfig.PidMode is host",
    );
    denied(
        &with_team(&["--device", "/dev/null", "mini"]),
        "denied by rule guards: HostConfig.Devices is not empty",
    );
    denied(
        &with_team(&["other"]),
        "denied by rule guards: Image other is not an allowed image",
    );
    denied(
        &create(&["mini"]),
        "denied by rule team-label: Labels lacks team",
    );
    denied(
        &with_team(&["--label", "root=1", "mini"]),
        "denied by rule team-label: Labels has root",
    );
    denied(
        &[
            "volume",
            "create",
            "--label",
            "team=a",
            "--opt",
            "type=none",
            "--opt",
            "o=bind",
            "--opt",
            "device=/etc",
            "v-escape",
        ],
        "denied by rule guards: DriverOpts.device source /etc is not under an allowed path",
    );
    denied(
        &["pull", "127.0.0.1:1/evil"],
        "denied by rule guards: fromImage 127.0.0.1:1/evil:latest is not an allowed image",
    );
    denied(
        &["container", "prune", "-f"],
        "denied by rule no-prune: ContainerPrune is not allowed",
    );

    // The rest is allowed: the same fields within bounds.
    std::fs::create_dir_all("/tmp/engine-proxy-allowed").unwrap();
    let (ok, id, err) = run(&with_team(&[
        "--cap-add",
        "NET_ADMIN",
        "-v",
        "/tmp/engine-proxy-allowed:/x",
        "--name",
        "px-ok",
        "mini",
        "sleep",
        "30",
    ]));
    assert!(ok, "{err}\n{}", proxy.log());
    assert!(!id.is_empty());
    let (ok, _, err) = run(&["start", "px-ok"]);
    assert!(ok, "{err}");
    let (ok, out, err) = run(&["exec", "px-ok", "echo", "allowed"]);
    assert!(ok && out == "allowed", "{err}");
    denied(
        &["exec", "--privileged", "px-ok", "true"],
        "denied by rule guards: Privileged is true",
    );
    let (ok, _, err) = run(&["volume", "create", "--label", "team=a", "v-ok"]);
    assert!(ok, "{err}");
    let (ok, _, err) = run(&["rm", "-f", "px-ok"]);
    assert!(ok, "{err}");
    let (ok, _, err) = run(&["volume", "rm", "v-ok"]);
    assert!(ok, "{err}");

    let audit = proxy.audit();
    let denials: Vec<_> = audit.iter().filter(|e| e["decision"] == "deny").collect();
    assert_eq!(denials.len(), 16, "{audit:#?}");
    assert!(denials.iter().any(|e| e["rule"] == "guards"
        && e["operation"] == "ContainerCreate"
        && e["reason"] == "HostConfig.Privileged is true"));
    let keys = [
        "time_ms",
        "identity",
        "operation",
        "method",
        "path",
        "decision",
        "rule",
        "reason",
    ];
    for entry in &audit {
        let obj = entry.as_object().unwrap();
        assert!(obj.keys().all(|k| keys.contains(&k.as_str())), "{entry}");
    }
}

const UPDATES: &str = "
default: allow
rules:
  - name: updates
    operations: [ContainerCreate, ContainerUpdate]
    require:
      restart_policies: [no, on-failure]
      devices: false
";

#[test]
fn docker_update_is_checked_like_create() {
    let Some(engined) = Engined::start_named("proxy-update") else {
        return;
    };
    engined.import_mini();
    let proxy = Proxy::start("update", &engined.host(), UPDATES);
    let run = |args: &[&str]| {
        let out = proxy.docker(args);
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, err) = run(&[
        "run",
        "-d",
        "--name",
        "px-up",
        "--network",
        "none",
        "mini",
        "sleep",
        "60",
    ]);
    assert!(ok, "{err}\n{}", proxy.log());
    let (ok, err) = run(&[
        "update",
        "--memory",
        "64m",
        "--memory-swap",
        "128m",
        "px-up",
    ]);
    assert!(ok, "{err}\n{}", proxy.log());
    let (ok, err) = run(&["update", "--restart", "on-failure:3", "px-up"]);
    assert!(ok, "{err}\n{}", proxy.log());
    let (ok, err) = run(&["update", "--restart", "always", "px-up"]);
    assert!(!ok, "docker update --restart always should be denied");
    assert!(
        err.contains(
            "Error response from daemon: denied by rule updates: \
             RestartPolicy.Name is always, which is not allowed"
        ),
        "{err}"
    );
    let (ok, err) = run(&["create", "--restart", "unless-stopped", "mini"]);
    assert!(!ok);
    assert!(
        err.contains("denied by rule updates: HostConfig.RestartPolicy.Name is unless-stopped"),
        "{err}"
    );
    // What was allowed reached the daemon; what was denied did not.
    let seen = engined.docker(&[
        "inspect",
        "--format",
        "{{.HostConfig.Memory}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}",
        "px-up",
    ]);
    assert_eq!(seen.trim(), "67108864 on-failure 3");
    let (ok, err) = run(&["rm", "-f", "px-up"]);
    assert!(ok, "{err}");
    let audit = proxy.audit();
    let updates: Vec<_> = audit
        .iter()
        .filter(|e| e["operation"] == "ContainerUpdate")
        .map(|e| e["decision"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(updates, ["allow", "allow", "deny"], "{audit:#?}");
}
