//! engined's handlers on the generated server: [`DaemonApi`] implements the
//! generated per-tag traits. Operations not implemented yet keep the
//! traits' defaults, which answer 501 naming the operation.

mod container;
mod exec;
mod image;
mod system;
mod volume;

use std::sync::Arc;

use engine_api::server::{
    ConfigApi, DistributionApi, NetworkApi, NodeApi, PluginApi, SecretApi, ServiceApi, SessionApi,
    SwarmApi, TaskApi,
};

use crate::engine::Engine;

/// The daemon as the generated router sees it.
pub struct DaemonApi {
    pub engine: Arc<Engine>,
}

impl ConfigApi for DaemonApi {}
impl DistributionApi for DaemonApi {}
impl NetworkApi for DaemonApi {}
impl NodeApi for DaemonApi {}
impl PluginApi for DaemonApi {}
impl SecretApi for DaemonApi {}
impl ServiceApi for DaemonApi {}
impl SessionApi for DaemonApi {}
impl SwarmApi for DaemonApi {}
impl TaskApi for DaemonApi {}
