//! Network operations: list, inspect, create, remove, prune, connect and
//! disconnect, with dockerd's shapes, filters, messages and events; the
//! work is the network service's (`engined_core::networks`) and, for a
//! container's endpoints, the containers' network seam.

use engine_api::rt::error::ApiError;
use engine_api::server::{
    NetworkApi, NetworkConnectReply, NetworkConnectRequest, NetworkCreateReply,
    NetworkCreateRequest, NetworkDeleteReply, NetworkDeleteRequest, NetworkDisconnectReply,
    NetworkDisconnectRequest, NetworkInspectReply, NetworkInspectRequest, NetworkListReply,
    NetworkListRequest, NetworkPruneReply, NetworkPruneRequest,
};
use engine_api::types::{NetworkCreateResponse, NetworkPruneResponse};

use super::error::{api_error, internal};
use super::DaemonApi;
use engined_core::containers::network as seam;
use engined_core::networks::{events, network_view, CreateRequest, NetworkFilter, PoolRecord};
use engined_core::time::now_nanos;

/// Runs blocking network work (netlink, files) off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| internal("network operation failed", e))?
}

impl NetworkApi for DaemonApi {
    async fn network_list(&self, req: NetworkListRequest) -> Result<NetworkListReply, ApiError> {
        let filters = req.filters.map(|f| f.0).unwrap_or_default();
        let keys = ["dangling", "driver", "id", "label", "name", "scope", "type"];
        let filter = NetworkFilter::parse(&filters, &keys, now_nanos()).map_err(api_error)?;
        let networks = &self.engine.networks;
        let list = networks
            .list()
            .iter()
            .filter(|n| filter.matches(n, networks.in_use(&n.id)))
            // dockerd's list leaves the containers out.
            .map(|n| network_view(n, &[]))
            .collect();
        Ok(NetworkListReply::Ok(list))
    }

    async fn network_inspect(
        &self,
        req: NetworkInspectRequest,
    ) -> Result<NetworkInspectReply, ApiError> {
        let networks = &self.engine.networks;
        let n = networks.find(&req.id).map_err(api_error)?;
        Ok(NetworkInspectReply::Ok(network_view(
            &n,
            &networks.attached(&n.id),
        )))
    }

    async fn network_create(
        &self,
        req: NetworkCreateRequest,
    ) -> Result<NetworkCreateReply, ApiError> {
        let body = req.body;
        let ipam = body.ipam.unwrap_or_default();
        let request = CreateRequest {
            name: body.name,
            driver: body.driver.unwrap_or_default(),
            internal: body.internal.unwrap_or(false),
            attachable: body.attachable.unwrap_or(false),
            enable_ipv6: body.enable_ipv6.unwrap_or(false),
            ipam_driver: ipam.driver.unwrap_or_default(),
            ipam_options: ipam.options.unwrap_or_default(),
            pools: ipam
                .config
                .unwrap_or_default()
                .into_iter()
                .map(|c| PoolRecord {
                    subnet: c.subnet.unwrap_or_default(),
                    ip_range: c.ip_range.unwrap_or_default(),
                    gateway: c.gateway.unwrap_or_default(),
                    aux_addresses: c.auxiliary_addresses.unwrap_or_default(),
                })
                .collect(),
            options: body.options.unwrap_or_default(),
            labels: body.labels.unwrap_or_default(),
        };
        let engine = self.engine.clone();
        blocking(move || {
            let n = engine.networks.create(request).map_err(api_error)?;
            events::publish(&engine.events, "create", &n, None);
            Ok(NetworkCreateReply::Created(NetworkCreateResponse {
                id: Some(n.id),
                warning: Some(String::new()),
                ..Default::default()
            }))
        })
        .await
    }

    async fn network_delete(
        &self,
        req: NetworkDeleteRequest,
    ) -> Result<NetworkDeleteReply, ApiError> {
        let engine = self.engine.clone();
        blocking(move || {
            let n = engine.networks.remove(&req.id).map_err(api_error)?;
            events::publish(&engine.events, "destroy", &n, None);
            Ok(NetworkDeleteReply::NoContent)
        })
        .await
    }

    async fn network_prune(&self, req: NetworkPruneRequest) -> Result<NetworkPruneReply, ApiError> {
        let filters = req.filters.map(|f| f.0).unwrap_or_default();
        let filter = NetworkFilter::parse(&filters, &["until", "label", "label!"], now_nanos())
            .map_err(api_error)?;
        let engine = self.engine.clone();
        blocking(move || {
            let networks = &engine.networks;
            let mut deleted = Vec::new();
            for n in networks.list() {
                if n.predefined || networks.in_use(&n.id) || !filter.matches(&n, false) {
                    continue;
                }
                match networks.remove(&n.id) {
                    Ok(n) => {
                        events::publish(&engine.events, "destroy", &n, None);
                        deleted.push(n.name);
                    }
                    Err(e) => tracing::warn!("pruning network {}: {e}", n.name),
                }
            }
            engine
                .events
                .publish_prune(engine_api::types::EventMessageType::Network, 0);
            Ok(NetworkPruneReply::Ok(NetworkPruneResponse {
                networks_deleted: Some(deleted),
                ..Default::default()
            }))
        })
        .await
    }

    async fn network_connect(
        &self,
        req: NetworkConnectRequest,
    ) -> Result<NetworkConnectReply, ApiError> {
        let container = req.body.container.unwrap_or_default();
        let settings = req.body.endpoint_config.unwrap_or_default();
        seam::connect(&self.engine, &req.id, &container, settings)
            .await
            .map_err(api_error)?;
        Ok(NetworkConnectReply::Ok)
    }

    async fn network_disconnect(
        &self,
        req: NetworkDisconnectRequest,
    ) -> Result<NetworkDisconnectReply, ApiError> {
        let container = req.body.container.unwrap_or_default();
        seam::disconnect(&self.engine, &req.id, &container)
            .await
            .map_err(api_error)?;
        Ok(NetworkDisconnectReply::Ok)
    }
}
