//! Spec generation, asserted on the typed oci-spec values.

use std::path::Path;

use oci_spec::runtime::{Capability, LinuxSeccompAction, Mount, PosixRlimitType};

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
        sandbox: Sandbox::from_host(&HostConfig::default()).unwrap(),
        ..Default::default()
    }
}

fn find<'a>(spec: &'a Spec, dest: &str) -> Vec<&'a Mount> {
    spec.mounts()
        .iter()
        .flatten()
        .filter(|m| m.destination() == Path::new(dest))
        .collect()
}

fn options(m: &Mount) -> Vec<&str> {
    m.options().iter().flatten().map(String::as_str).collect()
}

#[test]
fn spec_has_process_root_and_namespaces() {
    let spec = generate(&input());
    let p = spec.process().as_ref().unwrap();
    assert_eq!(p.args().clone().unwrap(), ["sh", "-c", "echo hi"]);
    assert_eq!(
        p.env().clone().unwrap(),
        [
            format!("PATH={DEFAULT_PATH}"),
            "HOSTNAME=abc".into(),
            "A=1".into()
        ]
    );
    assert_eq!(p.cwd(), Path::new("/work"));
    assert_eq!((p.user().uid(), p.user().gid()), (1000, 100));
    assert_eq!(p.user().additional_gids().clone().unwrap(), [10]);
    assert_eq!(p.terminal(), Some(false));
    assert_eq!(p.no_new_privileges(), Some(false));
    let root = spec.root().as_ref().unwrap();
    assert_eq!(root.path(), Path::new("/c/rootfs"));
    assert_eq!(spec.hostname().as_deref(), Some("abc"));
    let linux = spec.linux().as_ref().unwrap();
    let ns: Vec<LinuxNamespaceType> = linux
        .namespaces()
        .iter()
        .flatten()
        .map(|n| n.typ())
        .collect();
    assert_eq!(
        ns,
        [
            LinuxNamespaceType::Pid,
            LinuxNamespaceType::Ipc,
            LinuxNamespaceType::Uts,
            LinuxNamespaceType::Mount,
            LinuxNamespaceType::Network
        ]
    );
    assert_eq!(
        linux.cgroups_path().as_deref(),
        Some(Path::new("/engined/abc"))
    );
    assert_eq!(linux.masked_paths().clone().unwrap(), strings(MASKED_PATHS));
    assert_eq!(
        linux.readonly_paths().clone().unwrap(),
        strings(READONLY_PATHS)
    );
    let caps = p.capabilities().as_ref().unwrap();
    assert_eq!(
        caps.bounding().as_ref().unwrap().len(),
        capabilities::DEFAULT_CAPS.len()
    );
    let rl = p.rlimits().clone().unwrap();
    assert_eq!(rl.len(), 1);
    assert_eq!(rl[0].typ(), PosixRlimitType::RlimitNofile);
    assert_eq!((rl[0].soft(), rl[0].hard()), (1024, 4096));
    // The default sandbox: Docker's seccomp profile, devices denied.
    let seccomp = linux.seccomp().as_ref().unwrap();
    assert_eq!(seccomp.default_action(), LinuxSeccompAction::ScmpActErrno);
    let devices = linux
        .resources()
        .as_ref()
        .unwrap()
        .devices()
        .clone()
        .unwrap();
    assert!(!devices[0].allow());
    // The JSON runc reads has the OCI field names.
    let json = serde_json::to_value(&spec).unwrap();
    assert_eq!(json["linux"]["cgroupsPath"], "/engined/abc");
    assert_eq!(json["linux"]["seccomp"]["defaultErrnoRet"], 1);
    assert_eq!(json["process"]["noNewPrivileges"], false);
}

#[test]
fn host_network_keeps_the_hosts_namespace() {
    let mut i = input();
    i.host_network = true;
    let spec = generate(&i);
    assert!(!spec
        .linux()
        .as_ref()
        .unwrap()
        .namespaces()
        .iter()
        .flatten()
        .any(|n| n.typ() == LinuxNamespaceType::Network));
}

#[test]
fn a_network_namespace_is_joined_by_path() {
    let namespace_path = |i: &SpecInput| {
        generate(i)
            .linux()
            .as_ref()
            .unwrap()
            .namespaces()
            .iter()
            .flatten()
            .find(|n| n.typ() == LinuxNamespaceType::Network)
            .map(|n| n.path().clone())
    };
    let mut i = input();
    assert_eq!(namespace_path(&i), Some(None));
    i.netns_path = Some("/run/engined/netns/abc".into());
    assert_eq!(
        namespace_path(&i),
        Some(Some("/run/engined/netns/abc".into()))
    );
    i.pid_ns_path = Some("/proc/42/ns/pid".into());
    let pid = generate(&i)
        .linux()
        .as_ref()
        .unwrap()
        .namespaces()
        .iter()
        .flatten()
        .find(|n| n.typ() == LinuxNamespaceType::Pid)
        .and_then(|n| n.path().clone());
    assert_eq!(pid, Some("/proc/42/ns/pid".into()));
}

#[test]
fn mounts_default_then_etc_then_user_parents_first() {
    let spec = generate(&input());
    let dests: Vec<String> = spec
        .mounts()
        .iter()
        .flatten()
        .map(|m| m.destination().display().to_string())
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
        options(find(&spec, "/sys")[0]),
        ["nosuid", "noexec", "nodev", "ro"]
    );
    let a = find(&spec, "/a")[0];
    assert_eq!(a.source().as_deref(), Some(Path::new("/vols/v/_data")));
    assert_eq!(options(a), ["rbind", "rprivate"]);
    assert_eq!(options(find(&spec, "/a/b")[0]), ["rbind", "rprivate", "ro"]);
    assert!(options(find(&spec, "/dev/shm")[0]).contains(&"size=67108864"));
}

#[test]
fn a_user_mount_replaces_the_default_at_its_place() {
    let mut i = input();
    i.mounts[0].destination = "/dev/shm".into();
    let spec = generate(&i);
    let shm = find(&spec, "/dev/shm");
    assert_eq!(shm.len(), 1);
    assert_eq!(shm[0].typ().as_deref(), Some("bind"));
}

#[test]
fn privileged_has_host_caps_devices_no_seccomp_no_masks() {
    let mut i = input();
    i.process.privileged = true;
    i.sandbox = Sandbox::from_host(&HostConfig {
        privileged: Some(true),
        ..Default::default()
    })
    .unwrap();
    let spec = generate(&i);
    let linux = spec.linux().as_ref().unwrap();
    assert!(linux.masked_paths().is_none() && linux.readonly_paths().is_none());
    assert!(linux.seccomp().is_none());
    let resources = linux.resources().as_ref().unwrap();
    assert!(resources.devices().as_ref().unwrap()[0].allow());
    assert!(linux
        .devices()
        .iter()
        .flatten()
        .any(|d| d.path() == Path::new("/dev/null")));
    assert!(options(find(&spec, "/sys")[0]).contains(&"rw"));
    let caps = spec
        .process()
        .as_ref()
        .unwrap()
        .capabilities()
        .as_ref()
        .unwrap()
        .bounding()
        .clone()
        .unwrap();
    assert_eq!(caps.len(), capabilities::daemon_bounding().len());
}

#[test]
fn the_sandbox_of_a_host_config() {
    let host = HostConfig {
        security_opt: Some(vec![
            "no-new-privileges".into(),
            "seccomp=unconfined".into(),
        ]),
        cap_add: Some(vec!["SYS_ADMIN".into()]),
        shm_size: Some(1 << 20),
        sysctls: Some([("kernel.shmmax".to_string(), "1000".to_string())].into()),
        memory: Some(64 << 20),
        pids_limit: Some(10),
        ..Default::default()
    };
    assert!(validate(&host, false).is_ok());
    let mut i = input();
    i.sandbox = Sandbox::from_host(&host).unwrap();
    i.process.no_new_privileges = true;
    i.process.cap_add = vec!["SYS_ADMIN".into()];
    let spec = generate(&i);
    let linux = spec.linux().as_ref().unwrap();
    assert!(linux.seccomp().is_none());
    assert_eq!(linux.sysctl().as_ref().unwrap()["kernel.shmmax"], "1000");
    let r = linux.resources().as_ref().unwrap();
    assert_eq!(r.memory().unwrap().limit(), Some(64 << 20));
    assert_eq!(r.pids().unwrap().limit(), 10);
    assert!(options(find(&spec, "/dev/shm")[0]).contains(&"size=1048576"));
    let p = spec.process().as_ref().unwrap();
    assert_eq!(p.no_new_privileges(), Some(true));
    assert!(p
        .capabilities()
        .as_ref()
        .unwrap()
        .bounding()
        .as_ref()
        .unwrap()
        .contains(&Capability::SysAdmin));
    // The default seccomp profile follows the capabilities: mount is
    // allowed with CAP_SYS_ADMIN.
    i.sandbox.seccomp = SeccompChoice::Builtin;
    let spec = generate(&i);
    let seccomp = spec.linux().as_ref().unwrap().seccomp().clone().unwrap();
    assert!(seccomp
        .syscalls()
        .iter()
        .flatten()
        .any(|s| s.names().iter().any(|n| n == "mount")));

    let bad = HostConfig {
        memory: Some(1024),
        ..Default::default()
    };
    assert_eq!(
        validate(&bad, false).unwrap_err().to_string(),
        "Minimum memory limit allowed is 6MB"
    );
    let bad = HostConfig {
        cap_add: Some(vec!["NOPE".into()]),
        ..Default::default()
    };
    assert!(validate(&bad, false).is_err());
}

#[test]
fn system_paths_follow_the_host_config() {
    // What the docker CLI sends for `--security-opt systempaths=unconfined`.
    let host = HostConfig {
        masked_paths: Some(Vec::new()),
        readonly_paths: Some(Vec::new()),
        ..Default::default()
    };
    let mut i = input();
    i.sandbox = Sandbox::from_host(&host).unwrap();
    let spec = generate(&i);
    let linux = spec.linux().as_ref().unwrap();
    assert!(linux.masked_paths().is_none() && linux.readonly_paths().is_none());
    let host = HostConfig {
        masked_paths: Some(vec!["/proc/cpuinfo".into()]),
        ..Default::default()
    };
    i.sandbox = Sandbox::from_host(&host).unwrap();
    let spec = generate(&i);
    let linux = spec.linux().as_ref().unwrap();
    assert_eq!(linux.masked_paths().clone().unwrap(), ["/proc/cpuinfo"]);
    assert_eq!(
        linux.readonly_paths().clone().unwrap(),
        strings(READONLY_PATHS)
    );
}

#[test]
fn init_is_mounted_and_runs_first() {
    let mut i = input();
    i.sandbox.init = Some("/usr/bin/tini-static".into());
    let spec = generate(&i);
    let args = spec.process().as_ref().unwrap().args().clone().unwrap();
    assert_eq!(args[..2], ["/sbin/docker-init", "--"]);
    assert_eq!(args[2..], ["sh", "-c", "echo hi"]);
    let init = find(&spec, "/sbin/docker-init");
    assert_eq!(
        init[0].source().as_deref(),
        Some(Path::new("/usr/bin/tini-static"))
    );
}

#[test]
fn a_terminal_gets_its_first_size_and_a_pipe_does_not() {
    use super::process::{console_size, process};
    assert_eq!(console_size(None), Ok(None));
    assert_eq!(console_size(Some(&[0, 0])), Ok(None));
    assert_eq!(console_size(Some(&[24, 100])), Ok(Some((24, 100))));
    assert!(console_size(Some(&[24]))
        .unwrap_err()
        .contains("[height, width]"));
    assert!(console_size(Some(&[-1, 80]))
        .unwrap_err()
        .contains("out of range"));
    assert!(console_size(Some(&[24, 70_000])).is_err());

    let mut p = input().process;
    p.console_size = Some((24, 100));
    p.terminal = true;
    let size = process(&p, (1024, 1024)).console_size().unwrap();
    assert_eq!((size.height(), size.width()), (24, 100));
    p.terminal = false;
    assert!(process(&p, (1024, 1024)).console_size().is_none());
}
