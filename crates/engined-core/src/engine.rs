//! The running daemon as a whole: the services the container verbs work
//! with ([`Services`]: the stores, the event bus, the config snapshot, the
//! host facts), plus the engine's identity, the build cache, and the
//! operations that read everything at once (`/info`, `/version`, the
//! reload announcement). Handlers hold an `Arc<Engine>`; it dereferences
//! to its services, so `&engine` is what a verb takes. Reading the
//! configuration again on SIGHUP is the daemon binary's, which then hands
//! the new snapshot's news to [`Engine::announce_reload`].

use std::collections::HashMap;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use engine_api::types::{SystemInfo, SystemVersion};

use crate::containers::Services;
use crate::images::ImageUser;
use crate::runtimes::{RuntimeStore, Snapshot};
use crate::sync::lock;
use crate::system::{self, Counts, InfoInputs, RuntimeVersion};

/// The storage driver engined uses for container root filesystems.
pub const STORAGE_DRIVER: &str = "vfs";

pub struct Engine {
    /// What the container verbs work with; `Engine` dereferences to it.
    services: Arc<Services>,
    pub id: String,
    pub data_root: PathBuf,
    pub exec_root: PathBuf,
    /// The classic builder's step cache under `<data-root>/builder`.
    pub build_cache: crate::images::build_cache::Cache,
    /// `<binary> --version` answers, asked once per binary.
    runtime_versions: Mutex<HashMap<PathBuf, Option<RuntimeVersion>>>,
}

/// An engine is its services plus the daemon-wide parts: `engine.containers`,
/// `engine.snapshot()` and a verb called with `&engine` all reach them.
impl Deref for Engine {
    type Target = Arc<Services>;

    fn deref(&self) -> &Arc<Services> {
        &self.services
    }
}

impl Engine {
    pub fn new(store: RuntimeStore, exec_root: &Path) -> std::io::Result<Engine> {
        let data_root = store.load().config().data_root().to_path_buf();
        let id = system::engine_id(&data_root)?;
        let services = Services::open(store, exec_root)?;
        let build_cache = crate::images::build_cache::Cache::open(&data_root);
        Ok(Engine {
            services: Arc::new(services),
            id,
            data_root,
            exec_root: exec_root.to_path_buf(),
            build_cache,
            runtime_versions: Mutex::new(HashMap::new()),
        })
    }

    /// The services, shared: for work that outlives the call (a task).
    pub fn services(&self) -> Arc<Services> {
        Arc::clone(&self.services)
    }

    /// Which container uses the image `image_id` (`sha256:<hex>`), a
    /// running one preferred; `docker rmi` and `docker image prune` ask.
    /// The containers module answers this.
    pub fn image_in_use(&self, image_id: &str) -> Option<ImageUser> {
        self.containers
            .image_user(image_id)
            .map(|(container_id, running)| ImageUser {
                container_id,
                running,
            })
    }

    /// The ID of a container that mounts the volume `name`, if any;
    /// `docker volume rm` / `prune` and the `dangling` filter ask. The
    /// containers module answers this.
    pub fn volume_in_use(&self, name: &str) -> Option<String> {
        self.containers.volume_user(name)
    }

    /// A reload has swapped in `snapshot`: dockerd announces it as a
    /// `daemon reload` event naming the values now in force.
    pub fn announce_reload(&self, snapshot: &Snapshot) {
        let mut attributes = std::collections::BTreeMap::new();
        attributes.insert("name".to_string(), self.host.hostname.clone());
        attributes.insert(
            "default-runtime".to_string(),
            snapshot.default_runtime().to_string(),
        );
        attributes.insert(
            "runtimes".to_string(),
            snapshot
                .runtimes()
                .map(|r| r.name())
                .collect::<Vec<_>>()
                .join(" "),
        );
        attributes.insert(
            "labels".to_string(),
            // As dockerd prints a list: `[a=b c=d]`.
            format!("[{}]", snapshot.config().labels.join(" ")),
        );
        attributes.insert(
            "debug".to_string(),
            snapshot.config().debug.unwrap_or(false).to_string(),
        );
        self.events.publish(
            engine_api::types::EventMessageType::Daemon,
            "reload",
            &self.id,
            attributes,
        );
    }

    fn runtime_version(&self, binary: &Path) -> Option<RuntimeVersion> {
        let mut cache = lock(&self.runtime_versions);
        cache
            .entry(binary.to_path_buf())
            .or_insert_with(|| RuntimeVersion::probe(binary))
            .clone()
    }

    /// The default runtime's name and what its `--version` says.
    fn default_runtime_version(&self, snapshot: &Snapshot) -> (String, Option<RuntimeVersion>) {
        let default = snapshot.default_runtime().to_string();
        let version = snapshot
            .resolve(&default)
            .ok()
            .and_then(|r| self.runtime_version(r.binary()));
        (default, version)
    }

    pub fn version(&self) -> SystemVersion {
        let (name, version) = self.default_runtime_version(&self.snapshot());
        system::system_version(&self.host, &name, version.as_ref())
    }

    /// `/info`; probes the default runtime's version once per binary, so
    /// call it off the async threads.
    pub fn info(&self, counts: Counts) -> SystemInfo {
        let snapshot = self.snapshot();
        let (_, runtime) = self.default_runtime_version(&snapshot);
        let config = snapshot.config();
        let mut info = system::system_info(&InfoInputs {
            id: &self.id,
            server_version: system::ENGINE_VERSION,
            host: &self.host,
            runtimes: &snapshot,
            data_root: &self.data_root,
            labels: &config.labels,
            debug: config.debug.unwrap_or(false),
            counts,
            storage_driver: self.containers.driver,
            event_listeners: self.events.listeners() as i64,
            system_time: humantime::format_rfc3339_nanos(std::time::SystemTime::now()).to_string(),
            runtime_commit: runtime.map(|r| r.commit),
            live: system::LiveFacts::read_from(std::path::Path::new("/")),
            registry: crate::images::registry::Settings::from_config(config).service_config(),
        });
        info.live_restore_enabled = Some(self.live_restore());
        info
    }

    /// Whether running containers outlive a clean stop of the daemon
    /// (`live-restore`, reloadable).
    pub fn live_restore(&self) -> bool {
        self.snapshot().config().live_restore.unwrap_or(false)
    }
}
