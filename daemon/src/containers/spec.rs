//! The OCI runtime spec (`config.json` of a bundle) generated from a
//! container's record: the process (args, env, cwd, user, terminal, caps,
//! rlimits), the root filesystem, the mounts (/proc, /dev, /sys, binds,
//! volumes, the generated /etc files), the namespaces (pid, ipc, uts,
//! mount, and network unless the host's), and Docker's default masked and
//! read-only paths.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::record::MountRecord;

/// The `PATH` a container gets when its config sets none.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Docker's default capability set.
pub const DEFAULT_CAPS: &[&str] = &[
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
];

/// Every capability the kernels of interest know (privileged containers).
const ALL_CAPS: &[&str] = &[
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
];

/// Docker's default masked paths (hidden from the container).
pub const MASKED_PATHS: &[&str] = &[
    "/proc/asound",
    "/proc/acpi",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
];

/// Docker's default read-only paths.
pub const READONLY_PATHS: &[&str] = &[
    "/proc/bus",
    "/proc/fs",
    "/proc/irq",
    "/proc/sys",
    "/proc/sysrq-trigger",
];

/// A numeric identity inside the container.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessUser {
    pub uid: u32,
    pub gid: u32,
    pub additional_gids: Vec<u32>,
}

/// What a process (the container's or an exec's) runs.
#[derive(Debug, Clone, Default)]
pub struct ProcessInput {
    pub args: Vec<String>,
    pub env: Vec<String>,
    pub cwd: String,
    pub user: ProcessUser,
    pub terminal: bool,
    pub privileged: bool,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
}

/// Everything the bundle's spec is generated from.
#[derive(Debug, Clone, Default)]
pub struct SpecInput {
    pub process: ProcessInput,
    pub hostname: String,
    pub rootfs: PathBuf,
    pub readonly_rootfs: bool,
    pub host_network: bool,
    /// `--uts host`: no UTS namespace of its own (and so no hostname to set).
    pub host_uts: bool,
    pub mounts: Vec<MountRecord>,
    /// Generated files bind-mounted into the container: (host path, path
    /// inside), e.g. `/etc/hostname`.
    pub etc_files: Vec<(PathBuf, String)>,
    pub cgroups_path: String,
    /// (soft, hard) `RLIMIT_NOFILE`.
    pub nofile: (u64, u64),
}

/// `base` with `overrides` applied Docker's way: `K=V` replaces or adds,
/// a bare `K` removes.
pub fn merge_env(base: &[String], overrides: &[String]) -> Vec<String> {
    let mut out: Vec<String> = base.to_vec();
    for entry in overrides {
        let key = entry.split('=').next().unwrap_or(entry);
        let pos = out
            .iter()
            .position(|e| e.split('=').next().unwrap_or(e) == key);
        match (pos, entry.contains('=')) {
            (Some(i), true) => out[i] = entry.clone(),
            (Some(i), false) => {
                out.remove(i);
            }
            (None, true) => out.push(entry.clone()),
            (None, false) => {}
        }
    }
    out
}

/// The environment of a container's process: a default `PATH`,
/// `HOSTNAME`, `TERM` with a TTY, then the container's (image's) own.
pub fn container_env(config_env: &[String], hostname: &str, tty: bool) -> Vec<String> {
    let mut base = vec![
        format!("PATH={DEFAULT_PATH}"),
        format!("HOSTNAME={hostname}"),
    ];
    if tty {
        base.push("TERM=xterm".into());
    }
    merge_env(&base, config_env)
}

fn normalize_cap(cap: &str) -> String {
    let upper = cap.to_ascii_uppercase();
    if upper.starts_with("CAP_") {
        upper
    } else {
        format!("CAP_{upper}")
    }
}

/// The capability list: Docker's defaults (or all, privileged), with
/// `--cap-add` / `--cap-drop` (`ALL` allowed) applied.
pub fn capabilities(p: &ProcessInput) -> Vec<String> {
    let mut caps: Vec<String> = if p.privileged {
        ALL_CAPS.iter().map(|c| c.to_string()).collect()
    } else {
        DEFAULT_CAPS.iter().map(|c| c.to_string()).collect()
    };
    for drop in &p.cap_drop {
        let drop = normalize_cap(drop);
        if drop == "CAP_ALL" {
            caps.clear();
        } else {
            caps.retain(|c| *c != drop);
        }
    }
    for add in &p.cap_add {
        let add = normalize_cap(add);
        if add == "CAP_ALL" {
            caps = ALL_CAPS.iter().map(|c| c.to_string()).collect();
        } else if !caps.contains(&add) {
            caps.push(add);
        }
    }
    caps
}

/// The spec's `process` object (also what `runc exec --process` reads).
pub fn process(p: &ProcessInput, nofile: (u64, u64)) -> Value {
    let caps = capabilities(p);
    let mut user = json!({ "uid": p.user.uid, "gid": p.user.gid });
    if !p.user.additional_gids.is_empty() {
        user["additionalGids"] = json!(p.user.additional_gids);
    }
    json!({
        "terminal": p.terminal,
        "user": user,
        "args": p.args,
        "env": p.env,
        "cwd": if p.cwd.is_empty() { "/" } else { p.cwd.as_str() },
        "capabilities": {
            "bounding": caps,
            "effective": caps,
            "permitted": caps,
        },
        "rlimits": [{ "type": "RLIMIT_NOFILE", "soft": nofile.0, "hard": nofile.1 }],
        "noNewPrivileges": false,
    })
}

fn mount(dest: &str, kind: &str, source: &str, options: &[&str]) -> Value {
    json!({ "destination": dest, "type": kind, "source": source, "options": options })
}

/// The whole `config.json`.
pub fn generate(input: &SpecInput) -> Value {
    let privileged = input.process.privileged;
    let sys_options: &[&str] = if privileged {
        &["nosuid", "noexec", "nodev", "rw"]
    } else {
        &["nosuid", "noexec", "nodev", "ro"]
    };
    let mut mounts = vec![
        mount("/proc", "proc", "proc", &["nosuid", "noexec", "nodev"]),
        mount(
            "/dev",
            "tmpfs",
            "tmpfs",
            &["nosuid", "strictatime", "mode=755", "size=65536k"],
        ),
        mount(
            "/dev/pts",
            "devpts",
            "devpts",
            &[
                "nosuid",
                "noexec",
                "newinstance",
                "ptmxmode=0666",
                "mode=0620",
                "gid=5",
            ],
        ),
        mount("/sys", "sysfs", "sysfs", sys_options),
        mount(
            "/sys/fs/cgroup",
            "cgroup",
            "cgroup",
            &["nosuid", "noexec", "nodev", "relatime", "ro"],
        ),
        mount(
            "/dev/mqueue",
            "mqueue",
            "mqueue",
            &["nosuid", "noexec", "nodev"],
        ),
        mount(
            "/dev/shm",
            "tmpfs",
            "shm",
            &["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"],
        ),
    ];
    // A user mount replaces a default one at the same place.
    let user_dests: Vec<&str> = input
        .mounts
        .iter()
        .map(|m| m.destination.as_str())
        .chain(input.etc_files.iter().map(|(_, d)| d.as_str()))
        .collect();
    mounts.retain(|m| !user_dests.contains(&m["destination"].as_str().unwrap_or("")));
    for (source, dest) in &input.etc_files {
        mounts.push(json!({
            "destination": dest,
            "type": "bind",
            "source": source,
            "options": ["rbind", "rprivate"],
        }));
    }
    // Parents before children.
    let mut user_mounts: Vec<&MountRecord> = input.mounts.iter().collect();
    user_mounts.sort_by_key(|m| Path::new(&m.destination).components().count());
    for m in user_mounts {
        if m.kind == "tmpfs" {
            let mut options = vec![
                "nosuid".to_string(),
                "nodev".to_string(),
                "noexec".to_string(),
            ];
            let extra = m.source.to_string_lossy();
            options.extend(
                extra
                    .split(',')
                    .filter(|o| !o.is_empty())
                    .map(str::to_string),
            );
            if !m.rw {
                options.push("ro".into());
            }
            mounts.push(json!({
                "destination": m.destination,
                "type": "tmpfs",
                "source": "tmpfs",
                "options": options,
            }));
            continue;
        }
        let mut options = vec!["rbind", "rprivate"];
        if !m.rw {
            options.push("ro");
        }
        mounts.push(json!({
            "destination": m.destination,
            "type": "bind",
            "source": m.source,
            "options": options,
        }));
    }

    let mut namespaces = vec![json!({ "type": "pid" }), json!({ "type": "ipc" })];
    if !input.host_uts {
        namespaces.push(json!({ "type": "uts" }));
    }
    namespaces.push(json!({ "type": "mount" }));
    if !input.host_network {
        namespaces.push(json!({ "type": "network" }));
    }
    let devices = if privileged {
        json!([{ "allow": true, "access": "rwm" }])
    } else {
        json!([{ "allow": false, "access": "rwm" }])
    };
    let mut linux = json!({
        "resources": { "devices": devices },
        "cgroupsPath": input.cgroups_path,
        "namespaces": namespaces,
    });
    if !privileged {
        linux["maskedPaths"] = json!(MASKED_PATHS);
        linux["readonlyPaths"] = json!(READONLY_PATHS);
    }
    json!({
        "ociVersion": "1.0.2",
        "process": process(&input.process, input.nofile),
        "root": { "path": input.rootfs, "readonly": input.readonly_rootfs },
        "hostname": if input.host_uts { "" } else { input.hostname.as_str() },
        "mounts": mounts,
        "linux": linux,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> SpecInput {
        SpecInput {
            process: ProcessInput {
                args: vec!["sh".into(), "-c".into(), "echo hi".into()],
                env: container_env(&["A=1".into()], "abc", false),
                cwd: "/work".into(),
                user: ProcessUser {
                    uid: 1000,
                    gid: 100,
                    additional_gids: vec![10],
                },
                ..Default::default()
            },
            hostname: "abc".into(),
            rootfs: "/c/rootfs".into(),
            mounts: vec![
                MountRecord {
                    kind: "bind".into(),
                    name: String::new(),
                    source: "/host/a/b".into(),
                    destination: "/a/b".into(),
                    rw: false,
                    mode: "ro".into(),
                    anonymous: false,
                },
                MountRecord {
                    kind: "volume".into(),
                    name: "v".into(),
                    source: "/vols/v/_data".into(),
                    destination: "/a".into(),
                    rw: true,
                    mode: String::new(),
                    anonymous: false,
                },
            ],
            etc_files: vec![("/c/hostname".into(), "/etc/hostname".into())],
            cgroups_path: "/engined/abc".into(),
            nofile: (1024, 4096),
            ..Default::default()
        }
    }

    #[test]
    fn spec_has_process_root_and_namespaces() {
        let spec = generate(&input());
        assert_eq!(spec["process"]["args"], json!(["sh", "-c", "echo hi"]));
        assert_eq!(
            spec["process"]["env"],
            json!([format!("PATH={DEFAULT_PATH}"), "HOSTNAME=abc", "A=1"])
        );
        assert_eq!(spec["process"]["cwd"], "/work");
        assert_eq!(spec["process"]["user"]["uid"], 1000);
        assert_eq!(spec["process"]["user"]["gid"], 100);
        assert_eq!(spec["process"]["user"]["additionalGids"], json!([10]));
        assert_eq!(spec["process"]["terminal"], false);
        assert_eq!(spec["root"]["path"], "/c/rootfs");
        assert_eq!(spec["hostname"], "abc");
        let ns: Vec<&str> = spec["linux"]["namespaces"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["type"].as_str().unwrap())
            .collect();
        assert_eq!(ns, ["pid", "ipc", "uts", "mount", "network"]);
        assert_eq!(spec["linux"]["cgroupsPath"], "/engined/abc");
        assert_eq!(spec["linux"]["maskedPaths"], json!(MASKED_PATHS));
        assert_eq!(spec["linux"]["readonlyPaths"], json!(READONLY_PATHS));
        let caps = spec["process"]["capabilities"]["bounding"]
            .as_array()
            .unwrap();
        assert_eq!(caps.len(), DEFAULT_CAPS.len());
        assert_eq!(
            spec["process"]["rlimits"],
            json!([{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 4096}])
        );
    }

    #[test]
    fn host_network_keeps_the_hosts_namespace() {
        let mut i = input();
        i.host_network = true;
        let spec = generate(&i);
        assert!(!spec["linux"]["namespaces"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["type"] == "network"));
    }

    #[test]
    fn mounts_default_then_etc_then_user_parents_first() {
        let spec = generate(&input());
        let mounts = spec["mounts"].as_array().unwrap();
        let dests: Vec<&str> = mounts
            .iter()
            .map(|m| m["destination"].as_str().unwrap())
            .collect();
        assert_eq!(
            dests,
            [
                "/proc",
                "/dev",
                "/dev/pts",
                "/sys",
                "/sys/fs/cgroup",
                "/dev/mqueue",
                "/dev/shm",
                "/etc/hostname",
                "/a",
                "/a/b"
            ]
        );
        assert_eq!(
            mounts[3]["options"],
            json!(["nosuid", "noexec", "nodev", "ro"])
        );
        assert_eq!(mounts[8]["source"], "/vols/v/_data");
        assert_eq!(mounts[8]["options"], json!(["rbind", "rprivate"]));
        assert_eq!(mounts[9]["options"], json!(["rbind", "rprivate", "ro"]));
    }

    #[test]
    fn a_user_mount_replaces_the_default_at_its_place() {
        let mut i = input();
        i.mounts[0].destination = "/dev/shm".into();
        let spec = generate(&i);
        let shm: Vec<_> = spec["mounts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["destination"] == "/dev/shm")
            .collect();
        assert_eq!(shm.len(), 1);
        assert_eq!(shm[0]["type"], "bind");
    }

    #[test]
    fn env_merges_dockers_way() {
        let base = vec!["PATH=/bin".to_string(), "A=1".into(), "B=2".into()];
        assert_eq!(
            merge_env(&base, &["A=3".into(), "B".into(), "C=4".into(), "D".into()]),
            ["PATH=/bin", "A=3", "C=4"]
        );
        let env = container_env(&["PATH=/x".into()], "h", true);
        assert_eq!(env, ["PATH=/x", "HOSTNAME=h", "TERM=xterm"]);
    }

    #[test]
    fn caps_add_and_drop() {
        let mut p = ProcessInput {
            cap_drop: vec!["net_raw".into(), "CAP_KILL".into()],
            cap_add: vec!["SYS_ADMIN".into()],
            ..Default::default()
        };
        let caps = capabilities(&p);
        assert!(!caps.contains(&"CAP_NET_RAW".to_string()));
        assert!(!caps.contains(&"CAP_KILL".to_string()));
        assert!(caps.contains(&"CAP_SYS_ADMIN".to_string()));
        p.cap_drop = vec!["ALL".into()];
        p.cap_add = vec!["chown".into()];
        assert_eq!(capabilities(&p), ["CAP_CHOWN"]);
        p.privileged = true;
        p.cap_drop.clear();
        p.cap_add.clear();
        assert_eq!(capabilities(&p).len(), ALL_CAPS.len());
    }

    #[test]
    fn privileged_has_no_masks_and_all_devices() {
        let mut i = input();
        i.process.privileged = true;
        let spec = generate(&i);
        assert!(spec["linux"].get("maskedPaths").is_none());
        assert_eq!(spec["linux"]["resources"]["devices"][0]["allow"], true);
    }
}
