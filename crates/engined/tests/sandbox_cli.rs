//! The sandbox and the resource limits end to end: real containers on
//! runc through the real docker CLI. Docker's default sandbox
//! (capabilities, seccomp mode 2, EPERM for unshare/mount/keyctl/reboot,
//! masked /proc/kcore), what `--privileged`, `--cap-add/--cap-drop` and
//! `--security-opt` change, the limits seen from inside the container
//! (memory, pids, cpus, ulimits, shm, sysctls, devices, groups), `--init`,
//! the values dockerd refuses, and `/info`'s limits. The syscalls busybox
//! has no applet for are made by a tiny static C probe built here.

use std::path::{Path, PathBuf};
use std::process::Command;

use test_support::docker_cli::code;
use test_support::engined::Engined;
use test_support::skip::can_run_containers as can_run;

/// The probe's source (one syscall per argument, prints ok or the errno).
const PROBE_C: &str = include_str!("sandbox/probe.c");

/// Builds the probe as a static binary in `dir/probe/`; `None` (with a
/// notice) without a C compiler and static libc.
fn build_probe(dir: &Path) -> Option<PathBuf> {
    let out = dir.join("probe");
    std::fs::create_dir_all(&out).unwrap();
    let source = out.join("probe.c");
    std::fs::write(&source, PROBE_C).unwrap();
    let ok = Command::new("cc")
        .args(["-static", "-O2", "-o"])
        .arg(out.join("probe"))
        .arg(&source)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("skipped the syscall probes: no `cc -static` (install gcc and libc6-dev)");
        return None;
    }
    Some(out)
}

/// `docker run --rm --network none EXTRA... mini sh -c SCRIPT`, which
/// must succeed; its stdout.
fn run(d: &Engined, extra: &[&str], script: &str) -> String {
    let mut args = vec!["run", "--rm", "--network", "none"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["mini", "sh", "-c", script]);
    d.docker(&args)
}

/// The value of a `Key:` line of /proc/self/status inside a container.
fn status_field(d: &Engined, extra: &[&str], key: &str) -> String {
    let out = run(d, extra, "cat /proc/self/status");
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .unwrap_or_else(|| panic!("no {key} in {out}"))
        .trim()
        .to_string()
}

/// The daemon's (this root's) bounding set, as /proc/self/status shows it.
fn host_cap_bnd() -> String {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("CapBnd:"))
        .unwrap()
        .trim()
        .to_string()
}

/// Docker's default capability set as a CapEff mask: CHOWN(0),
/// DAC_OVERRIDE(1), FOWNER(3), FSETID(4), KILL(5), SETGID(6), SETUID(7),
/// SETPCAP(8), NET_BIND_SERVICE(10), NET_RAW(13), SYS_CHROOT(18),
/// MKNOD(27), AUDIT_WRITE(29), SETFCAP(31).
const DEFAULT_CAP_EFF: &str = "00000000a80425fb";

#[test]
fn default_sandbox_privileged_and_security_options() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("sandbox_cli_security");
    let d = Engined::start(&dir);
    d.import_mini();

    // The default sandbox.
    assert_eq!(status_field(&d, &[], "CapEff"), DEFAULT_CAP_EFF);
    assert_eq!(status_field(&d, &[], "CapBnd"), DEFAULT_CAP_EFF);
    assert_eq!(status_field(&d, &[], "Seccomp"), "2");
    assert_eq!(status_field(&d, &[], "NoNewPrivs"), "0");
    // Docker's masked paths are covered (runc masks those the kernel
    // has: this one may have no /proc/kcore), /proc/sys is read-only.
    let masked = |extra: &[&str]| -> Vec<String> {
        run(&d, extra, "cat /proc/self/mountinfo")
            .lines()
            .filter_map(|l| l.split(' ').nth(4).map(str::to_string))
            .collect()
    };
    let mounts = masked(&[]);
    let mut want = vec!["/proc/keys", "/proc/timer_list", "/proc/sys"];
    if Path::new("/proc/kcore").exists() {
        want.push("/proc/kcore");
        assert_eq!(
            run(&d, &[], "busybox wc -c < /proc/kcore").trim(),
            "0",
            "masked /proc/kcore"
        );
    }
    for path in &want {
        assert!(
            mounts.iter().any(|m| m == path),
            "{path} not covered: {mounts:?}"
        );
    }
    let out = d.docker_output(&[
        "run",
        "--rm",
        "--network",
        "none",
        "mini",
        "sh",
        "-c",
        "echo 1 > /proc/sys/kernel/domainname",
    ]);
    assert_ne!(code(&out), 0, "/proc/sys is read-only");

    if let Some(probe) = build_probe(&dir) {
        let mount = format!("{}:/probe:ro", probe.display());
        let probes =
            "for s in unshare mount keyctl reboot; do echo \"$s $(/probe/probe $s)\"; done";
        let confined = run(&d, &["-v", &mount], probes);
        for s in ["unshare", "mount", "keyctl", "reboot"] {
            assert!(
                confined.lines().any(|l| l == format!("{s} EPERM")),
                "{s} must fail with EPERM by default: {confined}"
            );
        }
        let privileged = run(&d, &["--privileged", "-v", &mount], probes);
        for s in ["unshare", "mount", "keyctl"] {
            assert!(
                privileged.lines().any(|l| l == format!("{s} ok")),
                "{s} works privileged: {privileged}"
            );
        }
        // reboot(CAD_OFF) passes seccomp and the capability check; the
        // pid namespace then answers EINVAL (nothing is rebooted).
        assert!(
            privileged.lines().any(|l| l == "reboot EINVAL"),
            "{privileged}"
        );
        // CAP_SYS_ADMIN alone opens mount and unshare in the default
        // profile, not keyctl.
        let admin = run(&d, &["--cap-add", "SYS_ADMIN", "-v", &mount], probes);
        assert!(admin.lines().any(|l| l == "mount ok"), "{admin}");
        assert!(admin.lines().any(|l| l == "unshare ok"), "{admin}");
        assert!(admin.lines().any(|l| l == "keyctl EPERM"), "{admin}");
    }

    // Privileged: the daemon's own capabilities (this root may lack some),
    // no seccomp, no masks, writable /sys, the host's devices.
    assert_eq!(
        status_field(&d, &["--privileged"], "CapEff"),
        host_cap_bnd()
    );
    assert_eq!(status_field(&d, &["--privileged"], "Seccomp"), "0");
    let unconfined_paths = masked(&["--security-opt", "systempaths=unconfined"]);
    for path in &want {
        assert!(
            !unconfined_paths.iter().any(|m| m == path),
            "{path} masked with systempaths=unconfined"
        );
    }
    let privileged_mounts = masked(&["--privileged"]);
    for path in &want {
        assert!(
            !privileged_mounts.iter().any(|m| m == path),
            "{path} masked when privileged"
        );
    }
    let out = run(
        &d,
        &["--privileged"],
        "busybox grep ' /sys ' /proc/mounts; ls /dev",
    );
    assert!(out.contains("sysfs rw,"), "{out}");
    // A host device Docker's default /dev lacks is there, and only there.
    let extra = ["kmsg", "loop0", "fuse", "mem", "btrfs-control"]
        .into_iter()
        .find(|n| Path::new("/dev").join(n).exists());
    if let Some(name) = extra {
        assert!(out.lines().any(|l| l == name), "host device {name}: {out}");
        let plain = run(&d, &[], "ls /dev");
        assert!(
            !plain.lines().any(|l| l == name),
            "{name} by default: {plain}"
        );
    }

    // --cap-add / --cap-drop.
    assert_eq!(
        status_field(&d, &["--cap-drop", "ALL"], "CapEff"),
        "0000000000000000"
    );
    assert_eq!(
        status_field(&d, &["--cap-drop", "ALL", "--cap-add", "CHOWN"], "CapEff"),
        "0000000000000001"
    );
    assert_eq!(
        status_field(&d, &["--cap-drop", "NET_RAW"], "CapEff"),
        "00000000a80405fb"
    );

    // --security-opt.
    assert_eq!(
        status_field(&d, &["--security-opt", "no-new-privileges"], "NoNewPrivs"),
        "1"
    );
    assert_eq!(
        status_field(&d, &["--security-opt", "seccomp=unconfined"], "Seccomp"),
        "0"
    );
    // A profile file: the CLI sends its content; this one refuses mkdir.
    let profile = dir.join("no-mkdir.json");
    std::fs::write(
        &profile,
        r#"{"defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}"#,
    )
    .unwrap();
    let seccomp_file = format!("seccomp={}", profile.display());
    let out = run(
        &d,
        &["--security-opt", &seccomp_file],
        "busybox mkdir /tmp/x 2>&1; busybox grep Seccomp: /proc/self/status",
    );
    assert!(out.contains("Operation not permitted"), "{out}");
    assert!(out.contains("Seccomp:\t2"), "{out}");
    // AppArmor is refused where the kernel has none.
    if !Path::new("/sys/module/apparmor/parameters/enabled").exists() {
        let err = d.docker_fails(&[
            "run",
            "--rm",
            "--network",
            "none",
            "--security-opt",
            "apparmor=docker-default",
            "mini",
            "true",
        ]);
        assert!(
            err.contains("AppArmor is not enabled on this host"),
            "{err}"
        );
    }
    let err = d.docker_fails(&["create", "--security-opt", "bogus=1", "mini", "true"]);
    assert!(err.contains("invalid --security-opt 2"), "{err}");
}

/// The container's cgroup directory of `controller` on the host (v1).
fn host_cgroup(controller: &str, id: &str) -> PathBuf {
    Path::new("/sys/fs/cgroup")
        .join(controller)
        .join("engined")
        .join(id)
}

#[test]
fn resource_limits_are_applied() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("sandbox_cli_resources");
    let d = Engined::start(&dir);
    d.import_mini();
    let v2 = Path::new("/sys/fs/cgroup/cgroup.controllers").exists();

    // Memory, seen from the host side and from inside.
    let id = d
        .docker(&[
            "run",
            "-d",
            "--network",
            "none",
            "-m",
            "64m",
            "--cpus",
            "0.5",
            "--pids-limit",
            "10",
            "mini",
            "sleep",
            "60",
        ])
        .trim()
        .to_string();
    let host_file = |controller: &str, file: &str| {
        std::fs::read_to_string(host_cgroup(controller, &id).join(file))
            .unwrap_or_else(|e| panic!("{controller}/{file} of {id}: {e}"))
            .trim()
            .to_string()
    };
    if v2 {
        let path = Path::new("/sys/fs/cgroup/engined").join(&id);
        let read = |f: &str| std::fs::read_to_string(path.join(f)).unwrap();
        assert_eq!(read("memory.max").trim(), "67108864");
        assert_eq!(read("pids.max").trim(), "10");
        assert_eq!(read("cpu.max").trim(), "50000 100000");
    } else {
        assert_eq!(host_file("memory", "memory.limit_in_bytes"), "67108864");
        assert_eq!(host_file("pids", "pids.max"), "10");
        assert_eq!(host_file("cpu", "cpu.cfs_quota_us"), "50000");
        assert_eq!(host_file("cpu", "cpu.cfs_period_us"), "100000");
        let inside = d.docker(&[
            "exec",
            &id,
            "cat",
            "/sys/fs/cgroup/memory/memory.limit_in_bytes",
            "/sys/fs/cgroup/pids/pids.max",
        ]);
        assert_eq!(inside, "67108864\n10\n");
    }
    assert_eq!(
        d.docker(&[
            "inspect",
            "-f",
            "{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}}",
            &id
        ])
        .trim(),
        "67108864 10 500000000"
    );
    d.docker(&["rm", "-f", &id]);

    // The pids limit is enforced: forks beyond it fail. The limit is in
    // place before the process starts, so runc's own init (a Go program
    // whose threads count as pids) runs under it too: a limit of 5 left it
    // too few threads on a loaded machine, and the run failed before the
    // shell did. 16 leaves init room; 24 background sleeps still exceed it.
    let out = d.docker_output(&[
        "run",
        "--rm",
        "--network",
        "none",
        "--pids-limit",
        "16",
        "mini",
        "sh",
        "-c",
        "i=0; while [ $i -lt 24 ]; do sleep 5 & i=$((i+1)); done; wait",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("can't fork"), "{out:?}");

    // An allocation over the memory limit (no swap) is killed.
    let out = d.docker_output(&[
        "run",
        "--rm",
        "--network",
        "none",
        "-m",
        "8m",
        "--memory-swap",
        "8m",
        "mini",
        "busybox",
        "dd",
        "if=/dev/zero",
        "of=/dev/null",
        "bs=64M",
        "count=1",
    ]);
    assert_eq!(code(&out), 137, "OOM-killed: {out:?}");

    // ulimits, shm size, sysctls, a device, extra groups.
    let out = run(
        &d,
        &[
            "--ulimit",
            "nofile=100:200",
            "--shm-size",
            "16m",
            "--sysctl",
            "kernel.shmmax=123456789",
            "--sysctl",
            "net.ipv4.ip_forward=1",
            "--device",
            "/dev/null:/dev/mynull:rw",
            "--group-add",
            "1234",
            "--group-add",
            "nogroup",
        ],
        "ulimit -n; ulimit -Hn; busybox df -k /dev/shm | busybox tail -n 1; \
         cat /proc/sys/kernel/shmmax /proc/sys/net/ipv4/ip_forward; \
         ls -l /dev/mynull; echo x > /dev/mynull && echo wrote; id -G",
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "100", "{out}");
    assert_eq!(lines[1], "200", "{out}");
    let shm: Vec<&str> = lines[2].split_whitespace().collect();
    assert_eq!(shm[1], "16384", "shm size in KiB: {out}");
    assert_eq!(lines[3], "123456789", "{out}");
    assert_eq!(lines[4], "1", "{out}");
    assert!(lines[5].starts_with('c'), "a character device: {out}");
    assert!(
        lines[5].contains("1,   3") || lines[5].contains("1, 3"),
        "{out}"
    );
    assert_eq!(lines[6], "wrote", "{out}");
    let groups: Vec<&str> = lines[7].split_whitespace().collect();
    assert!(
        groups.contains(&"1234") && groups.contains(&"65534"),
        "{out}"
    );

    // --init: pid 1 is the init, the command its child.
    let out = run(
        &d,
        &["--init"],
        "cat /proc/1/cmdline | busybox tr '\\0' ' '",
    );
    assert!(out.starts_with("/sbin/docker-init -- sh -c"), "{out}");

    // What dockerd refuses, with its words.
    let err = d.docker_fails(&["run", "--rm", "-m", "1k", "mini", "true"]);
    assert!(err.contains("Minimum memory limit allowed is 6MB"), "{err}");
    let err = d.docker_fails(&["create", "--sysctl", "kernel.pid_max=100", "mini", "true"]);
    assert!(err.contains("kernel.pid_max"), "{err}");
    let err = d.docker_fails(&["create", "--cpus", "64", "mini", "true"]);
    assert!(err.contains("Range of CPUs is from 0.01"), "{err}");
}

/// A block device of this host as `(path, "major:minor")`, from the
/// kernel's list in /sys/dev/block.
fn host_block_device() -> Option<(String, String)> {
    for entry in std::fs::read_dir("/sys/dev/block").ok()?.flatten() {
        let numbers = entry.file_name().to_string_lossy().into_owned();
        let uevent = std::fs::read_to_string(entry.path().join("uevent")).unwrap_or_default();
        if let Some(name) = uevent.lines().find_map(|l| l.strip_prefix("DEVNAME=")) {
            let path = format!("/dev/{name}");
            if Path::new(&path).exists() {
                return Some((path, numbers));
            }
        }
    }
    None
}

#[test]
fn block_io_limits_are_applied_or_dropped_with_dockerds_warning() {
    if !can_run() {
        return;
    }
    let Some((dev, numbers)) = host_block_device() else {
        eprintln!("skipped: this host lists no block device");
        return;
    };
    let dir = Engined::test_dir("sandbox_cli_blkio");
    let d = Engined::start(&dir);
    d.import_mini();
    let v2 = Path::new("/sys/fs/cgroup/cgroup.controllers").exists();
    let read_bps = format!("{dev}:1mb");
    let write_iops = format!("{dev}:50");
    let out = d.docker_output(&[
        "run",
        "-d",
        "--network",
        "none",
        "--device-read-bps",
        &read_bps,
        "--device-write-iops",
        &write_iops,
        "mini",
        "sleep",
        "60",
    ]);
    assert!(out.status.success(), "{out:?}");
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let discarded = stderr.contains("Block I/O BPS read limit discarded");
    if v2 {
        let io_max =
            std::fs::read_to_string(Path::new("/sys/fs/cgroup/engined").join(&id).join("io.max"))
                .unwrap_or_default();
        assert!(
            io_max.contains(&format!("{numbers} rbps=1048576")),
            "{io_max}"
        );
        assert!(io_max.contains("wiops=50"), "{io_max}");
    } else if host_cgroup("blkio", &id)
        .join("blkio.throttle.read_bps_device")
        .exists()
    {
        let file = |f: &str| std::fs::read_to_string(host_cgroup("blkio", &id).join(f)).unwrap();
        assert_eq!(
            file("blkio.throttle.read_bps_device").trim(),
            format!("{numbers} 1048576")
        );
        assert_eq!(
            file("blkio.throttle.write_iops_device").trim(),
            format!("{numbers} 50")
        );
    } else {
        assert!(
            stderr.contains("Block I/O BPS read limit discarded"),
            "{stderr}"
        );
    }
    assert_eq!(
        d.docker(&[
            "inspect",
            "-f",
            "{{range .HostConfig.BlkioDeviceReadBps}}{{.Path}} {{.Rate}}{{end}}",
            &id
        ])
        .trim(),
        if stderr.contains("BPS read limit discarded") {
            String::new()
        } else {
            format!("{dev} 1048576")
        }
    );
    d.docker(&["rm", "-f", &id]);

    // A weight: applied where the host has the file, else dropped with
    // dockerd's warning while the container still runs.
    let weight_file = if v2 { "io.weight" } else { "blkio.weight" };
    let out = d.docker_output(&[
        "run",
        "--rm",
        "--network",
        "none",
        "--blkio-weight",
        "300",
        "mini",
        "true",
    ]);
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let has_weight = Path::new("/sys/fs/cgroup/blkio/blkio.weight").exists()
        || Path::new("/sys/fs/cgroup/blkio/blkio.bfq.weight").exists()
        || (v2
            && std::fs::read_to_string("/sys/fs/cgroup/cgroup.controllers")
                .unwrap_or_default()
                .contains("io"));
    assert_eq!(
        stderr.contains("Block I/O weight or the cgroup is not mounted. Weight discarded."),
        !has_weight,
        "{weight_file}: {stderr}"
    );

    // A device that is not a block device is refused when the container
    // starts (where the host can cap devices at all).
    if !discarded {
        let err = d.docker_fails(&[
            "run",
            "--rm",
            "--network",
            "none",
            "--device-read-bps",
            "/dev/null:1mb",
            "mini",
            "true",
        ]);
        assert!(err.contains("/dev/null is not a block device"), "{err}");
    }
}

#[test]
fn info_reports_the_limits_the_host_enforces() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("sandbox_cli_info");
    let d = Engined::start(&dir);
    let got = d.docker(&[
        "info",
        "--format",
        "{{.MemoryLimit}} {{.SwapLimit}} {{.CPUSet}} {{.PidsLimit}} {{.CPUShares}} {{.CPUCfsQuota}}",
    ]);
    let cg = Path::new("/sys/fs/cgroup");
    let want = if let Ok(c) = std::fs::read_to_string(cg.join("cgroup.controllers")) {
        let has = |n: &str| c.split_whitespace().any(|w| w == n);
        [
            has("memory"),
            has("memory"),
            has("cpuset"),
            has("pids"),
            has("cpu"),
            has("cpu"),
        ]
    } else {
        [
            cg.join("memory/memory.limit_in_bytes").exists(),
            cg.join("memory/memory.memsw.limit_in_bytes").exists(),
            cg.join("cpuset/cpuset.cpus").exists(),
            cg.join("pids").is_dir(),
            cg.join("cpu/cpu.shares").exists(),
            cg.join("cpu/cpu.cfs_quota_us").exists(),
        ]
    };
    let want: Vec<String> = want.iter().map(|b| b.to_string()).collect();
    assert_eq!(got.trim(), want.join(" "));
    let security = d.docker(&["info", "--format", "{{json .SecurityOptions}}"]);
    assert!(
        security.contains("name=seccomp,profile=builtin"),
        "{security}"
    );
}
