//! The persisted record of one container: everything `create` decided
//! (config, host config, name, image, mounts, storage driver), the runtime
//! binary it was last started with, and its state. Stored as
//! `<data-root>/containers/<id>/container.json`, written atomically on
//! every change; read back whole at daemon start.

use std::path::{Path, PathBuf};

use engine_api::types::{ContainerConfig, HostConfig};
use serde::{Deserialize, Serialize};

use super::health_state::HealthState;
use engined_shim::atomic;

/// The record's file name inside the container's directory.
pub const RECORD_FILE: &str = "container.json";

/// Docker's "never" time.
pub const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// A container's lifecycle state, as Docker names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Created,
    Running,
    Paused,
    Restarting,
    Removing,
    Exited,
    Dead,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Restarting => "restarting",
            Status::Removing => "removing",
            Status::Exited => "exited",
            Status::Dead => "dead",
        }
    }

    /// Whether the container's processes exist (paused ones do).
    pub fn is_running(self) -> bool {
        matches!(self, Status::Running | Status::Paused | Status::Restarting)
    }

    pub fn parse(text: &str) -> Option<Status> {
        Some(match text {
            "created" => Status::Created,
            "running" => Status::Running,
            "paused" => Status::Paused,
            "restarting" => Status::Restarting,
            "removing" => Status::Removing,
            "exited" => Status::Exited,
            "dead" => Status::Dead,
            _ => return None,
        })
    }
}

/// The runtime a container was started with: the name it was asked for and
/// the exact binary (a wrapper script for wrapped runtimes) every later
/// runtime call on it uses, whatever reloads happened since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRuntime {
    pub name: String,
    pub binary: PathBuf,
    /// The runtime's state directory (`--root`).
    pub root: PathBuf,
}

/// What is mounted where, resolved at create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MountRecord {
    /// `bind` or `volume`.
    pub kind: String,
    /// The volume's name (volumes only).
    #[serde(default)]
    pub name: String,
    pub source: PathBuf,
    pub destination: String,
    pub rw: bool,
    /// The options the user gave (`ro`, `rw`, ...), joined by commas.
    #[serde(default)]
    pub mode: String,
    /// A volume created for this container alone (`-v /path`), removed
    /// with it by `rm -v`.
    #[serde(default)]
    pub anonymous: bool,
}

/// The mutable part: what the container is doing or last did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub status: Status,
    pub pid: i64,
    pub exit_code: i64,
    #[serde(default)]
    pub error: String,
    pub started_at: String,
    pub finished_at: String,
    #[serde(default)]
    pub oom_killed: bool,
    /// Set by `stop`/`kill` so a restart policy does not bring it back.
    #[serde(default)]
    pub stopped_by_user: bool,
    /// With a health check, once started: the probes' verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<HealthState>,
}

impl Default for State {
    fn default() -> Self {
        State {
            status: Status::Created,
            pid: 0,
            exit_code: 0,
            error: String::new(),
            started_at: ZERO_TIME.into(),
            finished_at: ZERO_TIME.into(),
            oom_killed: false,
            stopped_by_user: false,
            health: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    /// Without the leading `/`.
    pub name: String,
    /// RFC 3339 with nanoseconds.
    pub created: String,
    /// The image as the user named it.
    pub image: String,
    /// `sha256:...`
    pub image_id: String,
    /// The image's flattened root filesystem, in records made before the
    /// layer store (empty since).
    #[serde(default)]
    pub image_rootfs: PathBuf,
    /// The image's read-only layer directories, bottom first.
    #[serde(default)]
    pub image_layers: Vec<PathBuf>,
    /// The config with the image's defaults merged in.
    pub config: ContainerConfig,
    pub host_config: HostConfig,
    /// The executable and its arguments (entrypoint + cmd).
    pub path: String,
    pub args: Vec<String>,
    /// Set at create (the resolved runtime) and again at each start.
    pub runtime: RecordedRuntime,
    /// `overlay2` or `vfs` (a plain copy).
    pub driver: String,
    #[serde(default)]
    pub mounts: Vec<MountRecord>,
    pub state: State,
    #[serde(default)]
    pub restart_count: i64,
}

impl Record {
    /// Reads the record in `dir`.
    pub fn load(dir: &Path) -> std::io::Result<Record> {
        let bytes = std::fs::read(dir.join(RECORD_FILE))?;
        serde_json::from_slice(&bytes).map_err(std::io::Error::other)
    }

    /// Writes the record into `dir`, atomically.
    pub fn save(&self, dir: &Path) -> std::io::Result<()> {
        atomic::write_json(&dir.join(RECORD_FILE), self)
    }

    /// Whether the container runs with a TTY.
    pub fn tty(&self) -> bool {
        self.config.tty.unwrap_or(false)
    }

    /// The name of the runtime the host config asks for (empty: default).
    pub fn runtime_name(&self) -> &str {
        self.host_config.runtime.as_deref().unwrap_or("")
    }

    /// Entrypoint and arguments as one line (`docker ps`'s COMMAND).
    pub fn command_line(&self) -> String {
        std::iter::once(self.path.as_str())
            .chain(self.args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample() -> Record {
        Record {
            id: "a".repeat(64),
            name: "web".into(),
            created: "2024-01-02T03:04:05.000000006Z".into(),
            image: "mini".into(),
            image_id: format!("sha256:{}", "b".repeat(64)),
            image_rootfs: "/images/b/rootfs".into(),
            image_layers: Vec::new(),
            config: ContainerConfig {
                cmd: Some(vec!["sleep".into(), "1000".into()]),
                labels: Some([("tier".to_string(), "front".to_string())].into()),
                ..Default::default()
            },
            host_config: HostConfig {
                network_mode: Some("none".into()),
                runtime: Some("custom".into()),
                ..Default::default()
            },
            path: "sleep".into(),
            args: vec!["1000".into()],
            runtime: RecordedRuntime {
                name: "custom".into(),
                binary: "/data/runtimes/custom.abc".into(),
                root: "/run/engined/runc".into(),
            },
            driver: "overlay2".into(),
            mounts: vec![MountRecord {
                kind: "volume".into(),
                name: "data".into(),
                source: "/data/volumes/data/_data".into(),
                destination: "/data".into(),
                rw: true,
                mode: "z".into(),
                anonymous: false,
            }],
            state: State::default(),
            restart_count: 0,
        }
    }

    #[test]
    fn record_round_trips_through_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut record = sample();
        record.save(dir.path()).unwrap();
        assert_eq!(Record::load(dir.path()).unwrap(), record);
        record.state.status = Status::Running;
        record.state.pid = 42;
        record.save(dir.path()).unwrap();
        let back = Record::load(dir.path()).unwrap();
        assert_eq!(back.state.status, Status::Running);
        assert_eq!(back.state.pid, 42);
        assert_eq!(back.runtime.binary, Path::new("/data/runtimes/custom.abc"));
        let text = std::fs::read_to_string(dir.path().join(RECORD_FILE)).unwrap();
        assert!(text.contains("\"status\": \"running\""), "{text}");
        assert_eq!(back.command_line(), "sleep 1000");
    }

    #[test]
    fn a_damaged_record_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(RECORD_FILE), b"{\"id\": 3").unwrap();
        assert!(Record::load(dir.path()).is_err());
    }
}
