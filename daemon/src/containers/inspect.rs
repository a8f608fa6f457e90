//! `docker inspect` of a container: the record as Docker shows it (State,
//! Config, HostConfig, Mounts, a minimal NetworkSettings, GraphDriver,
//! paths of the log and generated /etc files).

use engine_api::types::{
    ContainerInspectResponse, ContainerState, ContainerStateStatus, GraphDriverData,
    NetworkSettings,
};

use super::bundle::log_path;
use super::list::mount_point;
use super::record::{Record, Status};
use super::rootfs::{Layout, OVERLAY};

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
        started_at: Some(s.started_at.clone()),
        finished_at: Some(s.finished_at.clone()),
        ..Default::default()
    };
    let graph_data = if record.driver == OVERLAY {
        [
            ("LowerDir", record.image_rootfs.clone()),
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
    let path = |name: &str| Some(layout.dir.join(name).to_string_lossy().into_owned());
    ContainerInspectResponse {
        id: Some(record.id.clone()),
        created: Some(record.created.clone()),
        path: Some(record.path.clone()),
        args: Some(record.args.clone()),
        state: Some(state),
        image: Some(record.image_id.clone()),
        resolv_conf_path: path("resolv.conf"),
        hostname_path: path("hostname"),
        hosts_path: path("hosts"),
        log_path: Some(log_path(layout, &record.id).to_string_lossy().into_owned()),
        name: Some(format!("/{}", record.name)),
        restart_count: Some(record.restart_count),
        driver: Some(record.driver.clone()),
        platform: Some("linux".into()),
        mount_label: Some(String::new()),
        process_label: Some(String::new()),
        app_armor_profile: Some(String::new()),
        exec_i_ds: (!execs.is_empty()).then_some(execs),
        host_config: Some(record.host_config.clone()),
        graph_driver: Some(GraphDriverData {
            name: record.driver.clone(),
            data: Some(graph_data),
            ..Default::default()
        }),
        mounts: Some(record.mounts.iter().map(mount_point).collect()),
        config: Some(record.config.clone()),
        network_settings: Some(NetworkSettings {
            bridge: Some(String::new()),
            sandbox_id: Some(String::new()),
            sandbox_key: Some(String::new()),
            ports: Some(Default::default()),
            networks: Some([(network, Default::default())].into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}
