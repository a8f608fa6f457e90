//! engined's handlers on the generated server: [`DaemonApi`] implements the
//! generated per-tag traits. Operations not implemented yet keep the
//! traits' defaults, which answer 501 naming the operation.

mod container;
mod df;
pub mod error;
mod exec;
mod image;
mod network;
mod plugin;
mod swarm;
mod system;
mod volume;

use std::sync::Arc;

use engined_core::engine::Engine;

/// The daemon as the generated router sees it.
pub struct DaemonApi {
    pub engine: Arc<Engine>,
}

// The traits written by hand; every other tag keeps its 501 defaults.
engine_api::default_handlers!(
    DaemonApi: ConfigApi,
    ContainerApi,
    ExecApi,
    ImageApi,
    NetworkApi,
    NodeApi,
    PluginApi,
    SecretApi,
    ServiceApi,
    SwarmApi,
    SystemApi,
    TaskApi,
    VolumeApi,
);
