//! The running daemon's shared state: the runtimes store (the config
//! snapshot), the event bus, the host facts and the engine's identity; and
//! the operations that read them as a whole (`/info`, `/version`, the
//! reload announcement). Handlers hold an `Arc<Engine>`; reading the
//! configuration again on SIGHUP is the daemon binary's, which then hands
//! the new snapshot's news to [`Engine::announce_reload`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use engine_api::types::{SystemInfo, SystemVersion};

use crate::containers::Containers;
use crate::events::EventBus;
use crate::images::{ImageStore, ImageUser};
use crate::networks::Networks;
use crate::runtimes::{RuntimeStore, Snapshot};
use crate::sync::lock;
use crate::system::{self, Counts, HostFacts, InfoInputs, RuntimeVersion};
use crate::volumes::VolumeStore;

/// The storage driver engined uses for container root filesystems.
pub const STORAGE_DRIVER: &str = "vfs";

pub struct Engine {
    pub store: RuntimeStore,
    pub events: EventBus,
    pub host: HostFacts,
    pub id: String,
    pub data_root: PathBuf,
    pub exec_root: PathBuf,
    /// Images under `<data-root>/images`.
    pub images: ImageStore,
    /// Local volumes under `<data-root>/volumes`.
    pub volumes: VolumeStore,
    /// Containers under `<data-root>/containers` (bundles in the exec root).
    pub containers: Containers,
    /// Networks under `<data-root>/network` (namespaces in the exec root).
    pub networks: Networks,
    /// The classic builder's step cache under `<data-root>/builder`.
    pub build_cache: crate::images::build_cache::Cache,
    /// `<binary> --version` answers, asked once per binary.
    runtime_versions: Mutex<HashMap<PathBuf, Option<RuntimeVersion>>>,
    /// Set once the daemon is going down: no restart policy applies then.
    shutting_down: AtomicBool,
}

impl Engine {
    pub fn new(store: RuntimeStore, exec_root: &Path) -> std::io::Result<Engine> {
        let data_root = store.load().config().data_root().to_path_buf();
        let id = system::engine_id(&data_root)?;
        let images = ImageStore::open(&data_root).map_err(std::io::Error::other)?;
        let volumes = VolumeStore::open(&data_root).map_err(std::io::Error::other)?;
        let containers = Containers::open(&data_root, exec_root)?;
        let settings = crate::networks::Settings::from_config(store.load().config());
        let networks =
            Networks::open(&data_root, exec_root, settings).map_err(std::io::Error::other)?;
        let build_cache = crate::images::build_cache::Cache::open(&data_root);
        Ok(Engine {
            store,
            events: EventBus::new(),
            host: HostFacts::read(),
            id,
            data_root,
            exec_root: exec_root.to_path_buf(),
            images,
            volumes,
            containers,
            networks,
            build_cache,
            runtime_versions: Mutex::new(HashMap::new()),
            shutting_down: AtomicBool::new(false),
        })
    }

    /// The daemon is going down (SIGTERM/SIGINT): containers that end
    /// from now on stay stopped whatever their restart policy.
    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::SeqCst);
    }

    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::SeqCst)
    }

    /// The current configuration snapshot; keep it for a whole request.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.store.load()
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
