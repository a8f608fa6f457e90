//! `GET /info`: the daemon's state and the host's (with the resource
//! limits its cgroups enforce), as the docker CLI's `docker info` prints
//! them. Every value is read from what the daemon and
//! the host really have; nothing is made up to look like dockerd.

use std::collections::BTreeMap;
use std::path::Path;

use engine_api::types::{
    Commit, LocalNodeState, PluginsInfo, Runtime, SwarmInfo, SystemInfo, SystemInfoCgroupDriver,
    SystemInfoCgroupVersion,
};

use super::host::HostFacts;
use crate::runtimes::{RuntimeKind, Snapshot};

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
    SystemInfo {
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
        driver_status: Some(Vec::new()),
        docker_root_dir: Some(i.data_root.display().to_string()),
        debug: Some(i.debug),
        n_events_listener: Some(i.event_listeners),
        system_time: Some(i.system_time.clone()),
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
        plugins: Some(PluginsInfo {
            volume: Some(vec!["local".into()]),
            network: Some(vec!["host".into(), "null".into()]),
            authorization: None,
            log: Some(vec!["json-file".into()]),
            ..Default::default()
        }),
        swarm: Some(SwarmInfo {
            node_id: Some(String::new()),
            node_addr: Some(String::new()),
            local_node_state: Some(LocalNodeState::Inactive),
            control_available: Some(false),
            error: Some(String::new()),
            ..Default::default()
        }),
        runc_commit: i.runtime_commit.as_ref().map(|id| Commit {
            id: Some(id.clone()),
            expected: Some(id.clone()),
            ..Default::default()
        }),
        warnings: Some(Vec::new()),
        ..Default::default()
    }
}
