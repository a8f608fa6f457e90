//! `limits` through the real docker CLI to engined: a create must stay
//! under the ceilings (no limit at all is above them), `docker update`
//! may lower a limit but not raise it or remove it, and `false` keeps a
//! limit from being changed at all; each denial names the rule and the
//! field, and only what was allowed reached the daemon.

use test_support::engined::Engined;

use crate::harness::Proxy;

const POLICY: &str = "
default: allow
rules:
  - name: ceilings
    operations: [ContainerCreate, ContainerUpdate]
    require:
      limits: {memory: 256m, cpus: 1, pids: 100}
  - name: frozen-pids
    operations: [ContainerUpdate]
    require:
      limits: {pids: false}
";

#[test]
fn docker_update_may_not_raise_limits_above_the_ceilings() {
    let Some(engined) = Engined::start_named("proxy-limits") else {
        return;
    };
    engined.import_mini();
    let proxy = Proxy::start("limits", &engined.host(), POLICY);
    let run = |args: &[&str]| {
        let out = proxy.docker(args);
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let denied = |args: &[&str], message: &str| {
        let (ok, err) = run(args);
        assert!(!ok, "docker {args:?} should be denied");
        let want = format!("Error response from daemon: denied by rule {message}");
        assert!(
            err.contains(&want),
            "docker {args:?}: {err}\nwanted: {want}"
        );
    };
    let (ok, err) = run(&[
        "create",
        "--name",
        "px-lim",
        "--network",
        "none",
        "--memory",
        "128m",
        "--cpus",
        "0.5",
        "--pids-limit",
        "50",
        "mini",
        "true",
    ]);
    assert!(ok, "{err}\n{}", proxy.log());
    denied(
        &["create", "--network", "none", "mini", "true"],
        "ceilings: HostConfig.Memory is unlimited, above the ceiling of 256m",
    );
    denied(
        &[
            "create",
            "--network",
            "none",
            "--memory",
            "128m",
            "--cpus",
            "2",
            "mini",
            "true",
        ],
        "ceilings: HostConfig.NanoCpus is 2 CPUs, above the ceiling of 1 CPU",
    );
    let (ok, err) = run(&["update", "--memory", "64m", "px-lim"]);
    assert!(ok, "{err}\n{}", proxy.log());
    denied(
        &["update", "--memory", "1g", "px-lim"],
        "ceilings: Memory is 1g, above the ceiling of 256m",
    );
    denied(
        &["update", "--cpus", "1.5", "px-lim"],
        "ceilings: NanoCpus is 1.5 CPUs, above the ceiling of 1 CPU",
    );
    denied(
        &["update", "--cpu-quota", "400000", "px-lim"],
        "ceilings: CpuQuota over CpuPeriod is 4 CPUs, above the ceiling of 1 CPU",
    );
    denied(
        &["update", "--pids-limit", "-1", "px-lim"],
        "ceilings: PidsLimit is unlimited, above the ceiling of 100",
    );
    denied(
        &["update", "--pids-limit", "10", "px-lim"],
        "frozen-pids: PidsLimit is 10, and this limit may not be set",
    );
    let seen = engined.docker(&[
        "inspect",
        "--format",
        "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuQuota}} {{.HostConfig.PidsLimit}}",
        "px-lim",
    ]);
    assert_eq!(seen.trim(), "67108864 500000000 0 50");
    let (ok, err) = run(&["rm", "-f", "px-lim"]);
    assert!(ok, "{err}");
    let updates: Vec<String> = proxy
        .audit()
        .iter()
        .filter(|e| e["operation"] == "ContainerUpdate")
        .map(|e| format!("{} {}", e["decision"], e["rule"]))
        .collect();
    assert_eq!(
        updates,
        [
            "\"allow\" null",
            "\"deny\" \"ceilings\"",
            "\"deny\" \"ceilings\"",
            "\"deny\" \"ceilings\"",
            "\"deny\" \"ceilings\"",
            "\"deny\" \"frozen-pids\"",
        ]
    );
}
