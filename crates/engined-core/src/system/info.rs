//! `GET /info`: the daemon's state and the host's (with the resource
//! limits its cgroups enforce), as the docker CLI's `docker info` prints
//! them. Every value is read from what the daemon and
//! the host really have; nothing is made up to look like dockerd.

use std::collections::BTreeMap;
use std::path::Path;

use engine_api::types::{
    Commit, LocalNodeState, PluginsInfo, RegistryServiceConfig, Runtime, SwarmInfo, SystemInfo,
    SystemInfoCgroupDriver, SystemInfoCgroupVersion, SystemInfoIsolation,
};

use super::host::HostFacts;
use crate::gojson::{nil, rfc3339_nano};
use crate::runtimes::{RuntimeKind, Snapshot};

/// The registry dockerd names when none is configured.
const INDEX_SERVER: &str = "https://index.docker.io/v1/";

/// What `/info` reads from the host and the daemon's own process at the
/// moment it is asked (they change while the daemon runs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LiveFacts {
    pub ipv4_forwarding: bool,
    pub bridge_nf_iptables: bool,
    pub bridge_nf_ip6tables: bool,
    /// Open file descriptors of the daemon.
    pub fds: i64,
    /// The daemon's threads: what stands for dockerd's goroutine count.
    pub threads: i64,
}

impl LiveFacts {
    /// Reads the facts under `root` (`/` for the host).
    pub fn read_from(root: &Path) -> LiveFacts {
        let on =
            |path: &str| std::fs::read_to_string(root.join(path)).is_ok_and(|v| v.trim() == "1");
        let fds = std::fs::read_dir(root.join("proc/self/fd")).map_or(0, |d| d.count() as i64);
        let threads = std::fs::read_to_string(root.join("proc/self/status"))
            .ok()
            .and_then(|status| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix("Threads:"))
                    .and_then(|n| n.trim().parse().ok())
            })
            .unwrap_or(0);
        LiveFacts {
            ipv4_forwarding: on("proc/sys/net/ipv4/ip_forward"),
            bridge_nf_iptables: on("proc/sys/net/bridge/bridge-nf-call-iptables"),
            bridge_nf_ip6tables: on("proc/sys/net/bridge/bridge-nf-call-ip6tables"),
            fds,
            threads,
        }
    }
}

/// A proxy variable of the daemon's environment (either spelling), or "".
fn proxy_env(name: &str) -> String {
    std::env::var(name)
        .or_else(|_| std::env::var(name.to_lowercase()))
        .unwrap_or_default()
}

/// How many containers and images the daemon holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub containers: i64,
    pub running: i64,
    pub paused: i64,
    pub stopped: i64,
    pub images: i64,
}

/// Everything `/info` is built from.
pub struct InfoInputs<'a> {
    pub id: &'a str,
    pub server_version: &'a str,
    pub host: &'a HostFacts,
    pub runtimes: &'a Snapshot,
    pub data_root: &'a Path,
    pub labels: &'a [String],
    pub debug: bool,
    pub counts: Counts,
    pub storage_driver: &'a str,
    pub event_listeners: i64,
    /// RFC 3339 with nanoseconds.
    pub system_time: String,
    /// The default runtime's commit, as its `--version` reports it.
    pub runtime_commit: Option<String>,
    pub live: LiveFacts,
    /// `insecure-registries` and `registry-mirrors` as dockerd reports them.
    pub registry: RegistryServiceConfig,
}

/// The runtimes as `/info` lists them: the path the user configured (not a
/// wrapper script) and its arguments.
pub fn runtimes_info(snapshot: &Snapshot) -> BTreeMap<String, Runtime> {
    snapshot
        .runtimes()
        .map(|entry| {
            let mut runtime = Runtime::default();
            match entry.kind() {
                RuntimeKind::Builtin {
                    configured_path, ..
                }
                | RuntimeKind::Path {
                    configured_path, ..
                } => {
                    runtime.path = Some(configured_path.clone());
                }
                RuntimeKind::Wrapped {
                    configured_path,
                    args,
                    ..
                } => {
                    runtime.path = Some(configured_path.clone());
                    runtime.runtime_args = Some(args.clone());
                }
                // A shim has no path; dockerd lists it by name only.
                RuntimeKind::Shim { .. } => {}
            }
            (entry.name().to_string(), runtime)
        })
        .collect()
}

pub fn system_info(i: &InfoInputs) -> SystemInfo {
    let host = i.host;
    let cg = &host.cgroups;
    let mut security_options = vec!["name=seccomp,profile=builtin".to_string()];
    if host.cgroup_version == "2" {
        security_options.push("name=cgroupns".into());
    }
    let no_commit = || Commit {
        id: Some(String::new()),
        expected: Some(String::new()),
        ..Default::default()
    };
    let mut info = SystemInfo {
        memory_limit: Some(cg.memory_limit),
        swap_limit: Some(cg.swap_limit),
        kernel_memory_tcp: Some(cg.kernel_memory_tcp),
        cpu_cfs_period: Some(cg.cpu_cfs_period),
        cpu_cfs_quota: Some(cg.cpu_cfs_quota),
        cpu_shares: Some(cg.cpu_shares),
        cpu_set: Some(cg.cpu_set),
        pids_limit: Some(cg.pids_limit),
        oom_kill_disable: Some(cg.oom_kill_disable),
        init_binary: Some("docker-init".into()),

        id: Some(i.id.to_string()),
        containers: Some(i.counts.containers),
        containers_running: Some(i.counts.running),
        containers_paused: Some(i.counts.paused),
        containers_stopped: Some(i.counts.stopped),
        images: Some(i.counts.images),
        driver: Some(i.storage_driver.to_string()),
        driver_status: None,
        ipv4_forwarding: Some(i.live.ipv4_forwarding),
        bridge_nf_iptables: Some(i.live.bridge_nf_iptables),
        bridge_nf_ip6tables: Some(i.live.bridge_nf_ip6tables),
        n_fd: Some(i.live.fds),
        n_goroutines: Some(i.live.threads),
        index_server_address: Some(INDEX_SERVER.into()),
        registry_config: Some(i.registry.clone()),
        http_proxy: Some(proxy_env("HTTP_PROXY")),
        https_proxy: Some(proxy_env("HTTPS_PROXY")),
        no_proxy: Some(proxy_env("NO_PROXY")),
        // Linux has one isolation, which dockerd shows as "".
        isolation: Some(SystemInfoIsolation::Empty),
        // No containerd, and `--init` runs tini, whose commit dockerd's
        // docker-init probe would not find: both as dockerd sends an
        // unknown commit.
        containerd_commit: Some(no_commit()),
        init_commit: Some(no_commit()),
        docker_root_dir: Some(i.data_root.display().to_string()),
        debug: Some(i.debug),
        n_events_listener: Some(i.event_listeners),
        system_time: Some(rfc3339_nano(&i.system_time)),
        logging_driver: Some("json-file".into()),
        cgroup_driver: Some(SystemInfoCgroupDriver::Cgroupfs),
        cgroup_version: Some(if host.cgroup_version == "2" {
            SystemInfoCgroupVersion::V2
        } else {
            SystemInfoCgroupVersion::V1
        }),
        kernel_version: Some(host.kernel_version.clone()),
        operating_system: Some(host.operating_system.clone()),
        os_version: Some(host.os_version.clone()),
        os_type: Some("linux".into()),
        architecture: Some(host.architecture.clone()),
        ncpu: Some(host.ncpu),
        mem_total: Some(host.mem_total),
        name: Some(host.hostname.clone()),
        labels: Some(i.labels.to_vec()),
        experimental_build: Some(false),
        server_version: Some(i.server_version.to_string()),
        runtimes: Some(runtimes_info(i.runtimes).into_iter().collect()),
        default_runtime: Some(i.runtimes.default_runtime().to_string()),
        live_restore_enabled: Some(false),
        security_options: Some(security_options),
        // What engined really offers: local volumes, the host and none
        // networks, json-file logs. No swarm.
        plugins: Some({
            let mut p = PluginsInfo {
                volume: Some(vec!["local".into()]),
                network: Some(vec!["host".into(), "null".into()]),
                authorization: None,
                log: Some(vec!["json-file".into()]),
                ..Default::default()
            };
            nil(&mut p.rest, "Authorization", &p.authorization);
            p
        }),
        swarm: Some({
            let mut s = SwarmInfo {
                node_id: Some(String::new()),
                node_addr: Some(String::new()),
                local_node_state: Some(LocalNodeState::Inactive),
                control_available: Some(false),
                error: Some(String::new()),
                ..Default::default()
            };
            nil(&mut s.rest, "RemoteManagers", &s.remote_managers);
            s
        }),
        runc_commit: i.runtime_commit.as_ref().map(|id| Commit {
            id: Some(id.clone()),
            expected: Some(id.clone()),
            ..Default::default()
        }),
        warnings: None,
        ..Default::default()
    };
    nil(&mut info.rest, "DriverStatus", &info.driver_status);
    nil(&mut info.rest, "GenericResources", &info.generic_resources);
    nil(&mut info.rest, "Warnings", &info.warnings);
    info
}
