//! `docker inspect` of a container: the record as Docker shows it (State,
//! Config, HostConfig, Mounts, a minimal NetworkSettings, GraphDriver,
//! paths of the log and generated /etc files).
//!
//! dockerd fills in every field of its Go structs, and clients index many
//! of them without a fallback (docker-py's `containers.run()` reads
//! `HostConfig.LogConfig.Type`; templates read `.NetworkSettings.IPAddress`
//! or `.Config.User`). So a field the create request left out is sent with
//! the value engined really applies: json-file logs, the 64 MiB /dev/shm,
//! a private IPC namespace and the host's cgroup namespace, Docker's masked
//! and read-only paths, zero (no) resource limits, empty strings.
//! `State.Health` is there, as for dockerd, once a container with a
//! healthcheck has started: its level, failing streak and last results
//! (module `health`). What dockerd holds as a nil Go slice, map or
//! pointer is sent as `null` (`ExecIDs`, `Config.Entrypoint`, an unset
//! `PidsLimit`...), times as Go's RFC3339Nano, and the paths of the
//! generated files and the log stay "" until the first start.

use std::path::PathBuf;

use engine_api::types::{
    ContainerConfig, ContainerInspectResponse, ContainerState, ContainerStateStatus,
    GraphDriverData, Health, HostConfig, HostConfigCgroupnsMode, HostConfigIsolation,
    HostConfigLogConfigType, NetworkSettings, RestartPolicy, RestartPolicyName,
};

use super::bundle::log_path;
use super::health_state::{HealthState, ProbeSettings};
use super::list::mount_point;
use super::record::{Record, Status, ZERO_TIME};
use super::rootfs::{Layout, OVERLAY};
use super::spec::{MASKED_PATHS, READONLY_PATHS};
use crate::gojson::{self, nil, rfc3339_nano};

/// The size of the /dev/shm engined mounts (the spec's `size=65536k`).
const SHM_SIZE: i64 = 64 * 1024 * 1024;

/// `host` with every field dockerd always sends filled in with what engined
/// applies when the request did not say.
fn host_config_as_sent(host: &HostConfig) -> HostConfig {
    let mut h = host.clone();
    fn or<T>(field: &mut Option<T>, value: T) {
        if field.is_none() {
            *field = Some(value);
        }
    }
    let log = h.log_config.get_or_insert_with(Default::default);
    if log.r#type.as_ref().is_none_or(|t| t.as_str().is_empty()) {
        log.r#type = Some(HostConfigLogConfigType::JsonFile);
    }
    or(&mut log.config, Default::default());
    let restart = h.restart_policy.get_or_insert_with(RestartPolicy::default);
    if restart
        .name
        .as_ref()
        .is_none_or(|n| *n == RestartPolicyName::Empty)
    {
        restart.name = Some(RestartPolicyName::No);
    }
    or(&mut restart.maximum_retry_count, 0);
    let privileged = h.privileged.unwrap_or(false);
    for field in [
        &mut h.container_id_file,
        &mut h.volume_driver,
        &mut h.cgroup,
        &mut h.pid_mode,
        &mut h.uts_mode,
        &mut h.userns_mode,
        &mut h.cgroup_parent,
        &mut h.cpuset_cpus,
        &mut h.cpuset_mems,
    ] {
        or(field, String::new());
    }
    for field in [
        &mut h.cpu_shares,
        &mut h.memory,
        &mut h.nano_cpus,
        &mut h.blkio_weight,
        &mut h.cpu_period,
        &mut h.cpu_quota,
        &mut h.cpu_realtime_period,
        &mut h.cpu_realtime_runtime,
        &mut h.memory_reservation,
        &mut h.memory_swap,
        &mut h.cpu_count,
        &mut h.cpu_percent,
        &mut h.io_maximum_i_ops,
        &mut h.io_maximum_bandwidth,
        &mut h.kernel_memory_tcp,
        &mut h.oom_score_adj,
    ] {
        or(field, 0);
    }
    for field in [
        &mut h.auto_remove,
        &mut h.privileged,
        &mut h.publish_all_ports,
        &mut h.readonly_rootfs,
        &mut h.oom_kill_disable,
    ] {
        or(field, false);
    }
    // The CLI sends these empty (or 0) for "the daemon's default", which
    // dockerd then records; engined shows the defaults it applies.
    if h.network_mode.as_deref().is_none_or(str::is_empty) {
        h.network_mode = Some("default".into());
    }
    if h.ipc_mode.as_deref().is_none_or(str::is_empty) {
        h.ipc_mode = Some("private".into());
    }
    if h.cgroupns_mode
        .as_ref()
        .is_none_or(|m| m.as_str().is_empty())
    {
        h.cgroupns_mode = Some(HostConfigCgroupnsMode::Host);
    }
    if h.shm_size.is_none_or(|size| size <= 0) {
        h.shm_size = Some(SHM_SIZE);
    }
    or(&mut h.console_size, vec![0, 0]);
    // Linux has one isolation, which dockerd shows as "".
    or(&mut h.isolation, HostConfigIsolation::Empty);
    // dockerd records "unset" (-1 swappiness, a pids limit of 0 or less)
    // as nil, and sends nil as null.
    if h.memory_swappiness.is_some_and(|v| v < 0) {
        h.memory_swappiness = None;
    }
    if h.pids_limit.is_some_and(|v| v <= 0) {
        h.pids_limit = None;
    }
    nil(&mut h.rest, "MemorySwappiness", &h.memory_swappiness);
    nil(&mut h.rest, "PidsLimit", &h.pids_limit);
    if !privileged {
        or(
            &mut h.masked_paths,
            MASKED_PATHS.iter().map(|p| p.to_string()).collect(),
        );
        or(
            &mut h.readonly_paths,
            READONLY_PATHS.iter().map(|p| p.to_string()).collect(),
        );
    }
    h
}

/// `config` with the fields dockerd always sends filled in; a container's
/// `Labels` is `{}` when it has none, and an empty `Volumes` is `null`.
fn config_as_sent(config: &ContainerConfig) -> ContainerConfig {
    gojson::config_as_sent(config.clone(), |c| {
        c.labels.get_or_insert_with(Default::default);
        if c.volumes.as_ref().is_some_and(|v| v.is_empty()) {
            c.volumes = None;
        }
    })
}

/// `State.Health`: what the probes found, once a container with a
/// health check has started (dockerd's rule for a check that runs: a test
/// that is set and not `["NONE"]`).
fn health(record: &Record) -> Option<Health> {
    ProbeSettings::of(&record.config)?;
    record.state.health.as_ref().map(HealthState::api)
}

fn state_status(s: Status) -> ContainerStateStatus {
    match s {
        Status::Created => ContainerStateStatus::Created,
        Status::Running => ContainerStateStatus::Running,
        Status::Paused => ContainerStateStatus::Paused,
        Status::Restarting => ContainerStateStatus::Restarting,
        Status::Removing => ContainerStateStatus::Removing,
        Status::Exited => ContainerStateStatus::Exited,
        Status::Dead => ContainerStateStatus::Dead,
    }
}

/// The inspect answer for `record`; `execs` are its running exec ids.
pub fn inspect(record: &Record, layout: &Layout, execs: Vec<String>) -> ContainerInspectResponse {
    let s = &record.state;
    let state = ContainerState {
        status: Some(state_status(s.status)),
        running: Some(s.status.is_running()),
        paused: Some(s.status == Status::Paused),
        restarting: Some(s.status == Status::Restarting),
        oom_killed: Some(s.oom_killed),
        dead: Some(s.status == Status::Dead),
        pid: Some(s.pid),
        exit_code: Some(s.exit_code),
        error: Some(s.error.clone()),
        started_at: Some(rfc3339_nano(&s.started_at)),
        finished_at: Some(rfc3339_nano(&s.finished_at)),
        health: health(record),
        ..Default::default()
    };
    let graph_data = if record.driver == OVERLAY {
        [
            (
                "LowerDir",
                std::env::join_paths(super::rootfs::lowers(record))
                    .unwrap_or_default()
                    .into(),
            ),
            ("UpperDir", layout.dir.join("upper")),
            ("WorkDir", layout.dir.join("work")),
            ("MergedDir", layout.bundle.join("rootfs")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string_lossy().into_owned()))
        .collect()
    } else {
        [(
            "Dir".to_string(),
            layout.dir.join("rootfs").to_string_lossy().into_owned(),
        )]
        .into()
    };
    let network = record
        .host_config
        .network_mode
        .clone()
        .unwrap_or_else(|| "default".into());
    // dockerd names the generated files and the log when it first starts
    // the container: before that they are "".
    let started = s.started_at != ZERO_TIME;
    let path = |file: PathBuf| {
        Some(if started {
            file.to_string_lossy().into_owned()
        } else {
            String::new()
        })
    };
    let mut network_settings = NetworkSettings {
        bridge: Some(String::new()),
        sandbox_id: Some(String::new()),
        sandbox_key: Some(String::new()),
        hairpin_mode: Some(false),
        link_local_ipv6_address: Some(String::new()),
        link_local_ipv6_prefix_len: Some(0),
        ports: Some(Default::default()),
        endpoint_id: Some(String::new()),
        gateway: Some(String::new()),
        global_ipv6_address: Some(String::new()),
        global_ipv6_prefix_len: Some(0),
        ip_address: Some(String::new()),
        ip_prefix_len: Some(0),
        ipv6_gateway: Some(String::new()),
        mac_address: Some(String::new()),
        networks: Some([(network, super::network::endpoint_view())].into()),
        ..Default::default()
    };
    let n = &mut network_settings;
    nil(
        &mut n.rest,
        "SecondaryIPAddresses",
        &n.secondary_ip_addresses,
    );
    nil(
        &mut n.rest,
        "SecondaryIPv6Addresses",
        &n.secondary_ipv6_addresses,
    );
    let mut body = ContainerInspectResponse {
        id: Some(record.id.clone()),
        created: Some(rfc3339_nano(&record.created)),
        path: Some(record.path.clone()),
        args: Some(record.args.clone()),
        state: Some(state),
        image: Some(record.image_id.clone()),
        resolv_conf_path: path(layout.dir.join("resolv.conf")),
        hostname_path: path(layout.dir.join("hostname")),
        hosts_path: path(layout.dir.join("hosts")),
        log_path: path(log_path(layout, &record.id)),
        name: Some(format!("/{}", record.name)),
        restart_count: Some(record.restart_count),
        driver: Some(record.driver.clone()),
        platform: Some("linux".into()),
        mount_label: Some(String::new()),
        process_label: Some(String::new()),
        app_armor_profile: Some(String::new()),
        exec_i_ds: (!execs.is_empty()).then_some(execs),
        host_config: Some(host_config_as_sent(&record.host_config)),
        graph_driver: Some(GraphDriverData {
            name: record.driver.clone(),
            data: Some(graph_data),
            ..Default::default()
        }),
        mounts: Some(record.mounts.iter().map(mount_point).collect()),
        config: Some(config_as_sent(&record.config)),
        network_settings: Some(network_settings),
        ..Default::default()
    };
    nil(&mut body.rest, "ExecIDs", &body.exec_i_ds);
    body
}

#[cfg(test)]
mod tests {
    use engine_api::types::{HealthConfig, HostConfigLogConfig};

    use super::*;
    use crate::containers::record::tests::sample;

    #[test]
    fn unset_host_config_fields_get_what_engined_applies() {
        let h = host_config_as_sent(&HostConfig {
            // what the docker CLI sends for "the default"
            ipc_mode: Some(String::new()),
            shm_size: Some(0),
            log_config: Some(HostConfigLogConfig::default()),
            ..Default::default()
        });
        assert_eq!(
            h.log_config.as_ref().and_then(|l| l.r#type.clone()),
            Some(HostConfigLogConfigType::JsonFile)
        );
        assert_eq!(
            h.restart_policy.and_then(|r| r.name),
            Some(RestartPolicyName::No)
        );
        assert_eq!(h.shm_size, Some(SHM_SIZE));
        assert_eq!(h.ipc_mode.as_deref(), Some("private"));
        assert_eq!(h.cgroupns_mode, Some(HostConfigCgroupnsMode::Host));
        assert_eq!(h.network_mode.as_deref(), Some("default"));
        assert_eq!(h.memory, Some(0));
        assert_eq!(h.privileged, Some(false));
        assert_eq!(h.masked_paths.map(|p| p.len()), Some(MASKED_PATHS.len()));
        assert_eq!(h.console_size, Some(vec![0, 0]));
    }

    #[test]
    fn given_values_are_kept() {
        let h = host_config_as_sent(&HostConfig {
            memory: Some(1 << 20),
            privileged: Some(true),
            shm_size: Some(1 << 27),
            restart_policy: Some(RestartPolicy {
                name: Some(RestartPolicyName::Always),
                ..Default::default()
            }),
            ..Default::default()
        });
        assert_eq!(h.memory, Some(1 << 20));
        assert_eq!(h.shm_size, Some(1 << 27));
        assert_eq!(
            h.restart_policy.and_then(|r| r.name),
            Some(RestartPolicyName::Always)
        );
        // Privileged containers are not masked, and dockerd shows none.
        assert_eq!(h.masked_paths, None);
        assert_eq!(h.readonly_paths, None);
    }

    #[test]
    fn nil_fields_are_null_and_paths_wait_for_the_first_start() {
        let mut r = sample();
        r.state.started_at = ZERO_TIME.into();
        r.created = "2024-01-01T00:00:00.500000000Z".into();
        let layout = Layout {
            dir: "/data/containers/x".into(),
            bundle: "/exec/containers/x".into(),
        };
        let body = serde_json::to_value(inspect(&r, &layout, Vec::new())).unwrap();
        assert_eq!(body["Created"], "2024-01-01T00:00:00.5Z");
        assert_eq!(body["LogPath"], "");
        assert_eq!(body["HostsPath"], "");
        for ptr in [
            "/ExecIDs",
            "/Config/Entrypoint",
            "/Config/OnBuild",
            "/HostConfig/PidsLimit",
        ] {
            assert_eq!(body.pointer(ptr), Some(&serde_json::Value::Null), "{ptr}");
        }
        r.state.started_at = "2024-01-01T00:00:01Z".into();
        let body = serde_json::to_value(inspect(&r, &layout, vec!["e1".into()])).unwrap();
        assert_eq!(body["HostsPath"], "/data/containers/x/hosts");
        assert_eq!(body["ExecIDs"], serde_json::json!(["e1"]));
    }

    #[test]
    fn health_is_what_the_probes_found_once_started() {
        use crate::containers::health_state::{ProbeResult, ProbeSettings};
        use crate::containers::state::{apply, Event};
        use engine_api::types::HealthStatus;
        let mut r = sample();
        assert_eq!(health(&r), None, "no healthcheck");
        r.config.healthcheck = Some(HealthConfig {
            test: Some(vec!["CMD-SHELL".into(), "true".into()]),
            ..Default::default()
        });
        assert_eq!(health(&r), None, "never started");
        let at = "2024-01-01T00:00:00Z".to_string();
        apply(
            &mut r,
            Event::Started {
                pid: 9,
                at,
                explicit: true,
            },
        )
        .unwrap();
        let h = health(&r).unwrap();
        assert_eq!(h.status, Some(HealthStatus::Starting));
        assert_eq!(h.failing_streak, Some(0));
        assert_eq!(h.log, Some(Vec::new()));
        let settings = ProbeSettings::of(&r.config).unwrap();
        let result = ProbeResult {
            start: "2024-01-01T00:00:30Z".into(),
            end: "2024-01-01T00:00:31Z".into(),
            exit_code: 0,
            output: "ok\n".into(),
        };
        if let Some(h) = r.state.health.as_mut() {
            h.record(result, std::time::Duration::from_secs(30), &settings);
        }
        let body = serde_json::to_value(health(&r)).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"Status": "healthy", "FailingStreak": 0, "Log": [
                {"Start": "2024-01-01T00:00:30Z", "End": "2024-01-01T00:00:31Z",
                 "ExitCode": 0, "Output": "ok\n"}]})
        );
        let exited = Event::Exited {
            pid: 9,
            exit_code: 0,
            finished_at: "2024-01-01T00:01:00Z".into(),
            oom_killed: false,
            lost: false,
            restart: false,
        };
        apply(&mut r, exited).unwrap();
        assert_eq!(health(&r).unwrap().status, Some(HealthStatus::Unhealthy));
        r.config.healthcheck = Some(HealthConfig {
            test: Some(vec!["NONE".into()]),
            ..Default::default()
        });
        assert_eq!(health(&r), None, "disabled");
    }
}
