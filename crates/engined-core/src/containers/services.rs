//! The services a container verb works with: the container store itself
//! and the other domains a verb reaches into (images for the rootfs,
//! volumes for mounts, networks for endpoints, the event bus, the runtimes
//! store with the config snapshot, and the host's facts).
//!
//! The verbs take these and nothing more, so they do not depend on the
//! daemon as a whole: [`crate::engine::Engine`] owns one `Services` and
//! adds what only the daemon-wide operations need (its identity, the build
//! cache, `/info`). It dereferences to its services, so a handler holding
//! an `Arc<Engine>` calls a verb with `&engine` as before.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::events::EventBus;
use crate::images::ImageStore;
use crate::networks::Networks;
use crate::runtimes::{RuntimeStore, Snapshot};
use crate::system::HostFacts;
use crate::volumes::VolumeStore;

use super::Containers;

pub struct Services {
    /// The runtimes and the current configuration snapshot.
    pub store: RuntimeStore,
    pub events: EventBus,
    pub host: HostFacts,
    /// Images under `<data-root>/images`.
    pub images: ImageStore,
    /// Local volumes under `<data-root>/volumes`.
    pub volumes: VolumeStore,
    /// Containers under `<data-root>/containers` (bundles in the exec root).
    pub containers: Containers,
    /// Networks under `<data-root>/network` (namespaces in the exec root).
    pub networks: Networks,
    /// Set once the daemon is going down: no restart policy applies then.
    shutting_down: AtomicBool,
}

impl Services {
    /// Opens every store under the configuration's data root and `exec_root`.
    pub fn open(store: RuntimeStore, exec_root: &Path) -> std::io::Result<Services> {
        let data_root = store.load().config().data_root().to_path_buf();
        let images = ImageStore::open(&data_root).map_err(std::io::Error::other)?;
        let volumes = VolumeStore::open(&data_root).map_err(std::io::Error::other)?;
        let containers = Containers::open(&data_root, exec_root)?;
        let settings = crate::networks::Settings::from_config(store.load().config());
        let networks =
            Networks::open(&data_root, exec_root, settings).map_err(std::io::Error::other)?;
        Ok(Services {
            store,
            events: EventBus::new(),
            host: HostFacts::read(),
            images,
            volumes,
            containers,
            networks,
            shutting_down: AtomicBool::new(false),
        })
    }

    /// The current configuration snapshot; keep it for a whole request.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.store.load()
    }

    /// The daemon is going down (SIGTERM/SIGINT): containers that end
    /// from now on stay stopped whatever their restart policy.
    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::SeqCst);
    }

    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::SeqCst)
    }
}
