//! `limits` through the real docker CLI to engined: a create must stay
//! under the ceilings (no limit at all is above them), `docker update`
//! may lower a limit but not raise it or remove it, and `false` keeps a
//! limit from being changed at all; each denial names the rule and the
//! field, and only what was allowed reached the daemon. One test for
//! memory, CPUs and pids, one for swap, the memory reservation, CPU
//! shares and the cpusets.

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
    let run = |args: &[&str]| run(&proxy, args);
    let denied = |args: &[&str], message: &str| denied(&proxy, args, message);
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

fn as_refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Whether `docker args` through the proxy succeeded, and its stderr.
fn run(proxy: &Proxy, args: &[&str]) -> (bool, String) {
    let out = proxy.docker(args);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Asserts that `docker args` through the proxy is denied with `message`
/// (`RULE: FIELD ...`), as the CLI prints Docker's error body.
fn denied(proxy: &Proxy, args: &[&str], message: &str) {
    let (ok, err) = run(proxy, args);
    assert!(!ok, "docker {args:?} should be denied");
    let want = format!("Error response from daemon: denied by rule {message}");
    assert!(
        err.contains(&want),
        "docker {args:?}: {err}\nwanted: {want}"
    );
}

const MORE: &str = "
default: allow
rules:
  - name: ceilings
    operations: [ContainerCreate, ContainerUpdate]
    require:
      limits:
        memory: 256m
        memory_swap: 384m
        memory_reservation: 128m
        cpu_shares: 1024
        cpuset_cpus: 0
        cpuset_mems: 0
  - name: frozen-mems
    operations: [ContainerUpdate]
    require:
      limits: {cpuset_mems: false}
";

#[test]
fn swap_reservation_shares_and_cpusets_stay_within_the_ceilings() {
    let Some(engined) = Engined::start_named("proxy-limits-more") else {
        return;
    };
    engined.import_mini();
    let proxy = Proxy::start("limits-more", &engined.host(), MORE);
    let pinned = ["--cpuset-cpus", "0", "--cpuset-mems", "0"];
    let with = |head: &[&str], rest: &[&str]| -> Vec<String> {
        head.iter()
            .chain(["--network", "none"].iter())
            .chain(rest)
            .chain(["mini", "true"].iter())
            .map(|s| s.to_string())
            .collect()
    };
    // Within every ceiling: the swap the daemon adds (twice 128m) too;
    // `run` shows runc applies the pinning and the weights.
    let fine = [
        &[
            "--memory",
            "128m",
            "--memory-reservation",
            "64m",
            "--cpu-shares",
            "512",
        ][..],
        &pinned[..],
    ]
    .concat();
    let started = with(&["run", "--rm"], &fine);
    let (ok, err) = run(&proxy, &as_refs(&started));
    assert!(ok, "{err}\n{}", proxy.log());
    let created = with(&["create", "--name", "px-lim2"], &fine);
    let (ok, err) = run(&proxy, &as_refs(&created));
    assert!(ok, "{err}\n{}", proxy.log());
    let base = ["--memory", "128m", "--memory-reservation", "64m"];
    let cases: [(Vec<&str>, &str); 6] = [
        (
            [&["--memory", "256m", "--memory-reservation", "64m"][..], &pinned[..]].concat(),
            "HostConfig.MemorySwap is not set, which makes it twice HostConfig.Memory: 512m, above the ceiling of 384m",
        ),
        (
            [&base[..], &["--memory-swap", "-1"][..], &pinned[..]].concat(),
            "HostConfig.MemorySwap is unlimited, above the ceiling of 384m",
        ),
        (
            [&["--memory", "128m"][..], &pinned[..]].concat(),
            "HostConfig.MemoryReservation is unlimited, above the ceiling of 128m",
        ),
        (
            [&base[..], &["--cpu-shares", "2048"][..], &pinned[..]].concat(),
            "HostConfig.CpuShares is 2048, above the ceiling of 1024",
        ),
        (
            [&base[..], &["--cpuset-cpus", "0-1", "--cpuset-mems", "0"][..]].concat(),
            "HostConfig.CpusetCpus is 0-1, which names CPUs outside 0",
        ),
        (
            [&base[..], &["--cpuset-mems", "0"][..]].concat(),
            "HostConfig.CpusetCpus is not set, which is every one of the host's CPUs, not only 0",
        ),
    ];
    for (flags, message) in cases {
        let a = with(&["create"], &flags);
        denied(&proxy, &as_refs(&a), &format!("ceilings: {message}"));
    }
    let (ok, err) = run(
        &proxy,
        &[
            "update",
            "--memory",
            "100m",
            "--memory-swap",
            "200m",
            "--memory-reservation",
            "32m",
            "--cpu-shares",
            "256",
            "--cpuset-cpus",
            "0",
            "px-lim2",
        ],
    );
    assert!(ok, "{err}\n{}", proxy.log());
    for (flags, message) in [
        (
            &["--memory-swap", "1g"][..],
            "ceilings: MemorySwap is 1g, above the ceiling of 384m",
        ),
        (
            &["--memory-swap", "-1"][..],
            "ceilings: MemorySwap is unlimited, above the ceiling of 384m",
        ),
        (
            &["--memory-reservation", "200m"][..],
            "ceilings: MemoryReservation is 200m, above the ceiling of 128m",
        ),
        (
            &["--cpu-shares", "4096"][..],
            "ceilings: CpuShares is 4096, above the ceiling of 1024",
        ),
        (
            &["--cpuset-cpus", "1"][..],
            "ceilings: CpusetCpus is 1, which names CPUs outside 0",
        ),
        (
            &["--cpuset-mems", "0"][..],
            "frozen-mems: CpusetMems is 0, and this limit may not be set",
        ),
    ] {
        let a = [&["update"][..], flags, &["px-lim2"][..]].concat();
        denied(&proxy, &a, message);
    }
    let seen = engined.docker(&[
        "inspect",
        "--format",
        "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemoryReservation}} {{.HostConfig.CpuShares}} {{.HostConfig.CpusetCpus}} {{.HostConfig.CpusetMems}}",
        "px-lim2",
    ]);
    assert_eq!(seen.trim(), "104857600 209715200 33554432 256 0 0");
    let (ok, err) = run(&proxy, &["rm", "-f", "px-lim2"]);
    assert!(ok, "{err}");
    let decisions: Vec<String> = proxy
        .audit()
        .iter()
        .filter(|e| {
            ["ContainerCreate", "ContainerUpdate"].contains(&e["operation"].as_str().unwrap_or(""))
        })
        .map(|e| format!("{} {}", e["decision"], e["rule"]))
        .collect();
    let allow = "\"allow\" null".to_string();
    let deny = |rule: &str| format!("\"deny\" \"{rule}\"");
    let mut want = vec![allow.clone(), allow.clone()];
    want.extend(std::iter::repeat_n(deny("ceilings"), 6));
    want.push(allow);
    want.extend(std::iter::repeat_n(deny("ceilings"), 5));
    want.push(deny("frozen-mems"));
    assert_eq!(decisions, want);
}
