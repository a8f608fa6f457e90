//! Network operations while engined has no network service: it knows no
//! network at all (containers run with `--network none` or the host's), so
//! it lists none, finds none (404 in dockerd's words, which lets
//! `docker inspect NAME` move on to the other object kinds) and prunes
//! none. It never claims that `bridge`, `host` or `none` exist as objects.

use engine_api::rt::error::ApiError;
use engine_api::server::{
    NetworkApi, NetworkInspectReply, NetworkInspectRequest, NetworkListReply, NetworkListRequest,
    NetworkPruneReply, NetworkPruneRequest,
};
use engine_api::types::NetworkPruneResponse;

use super::error::not_found;
use super::DaemonApi;

impl NetworkApi for DaemonApi {
    async fn network_list(&self, _: NetworkListRequest) -> Result<NetworkListReply, ApiError> {
        Ok(NetworkListReply::Ok(Vec::new()))
    }

    async fn network_inspect(
        &self,
        req: NetworkInspectRequest,
    ) -> Result<NetworkInspectReply, ApiError> {
        Err(not_found(format!("network {} not found", req.id)))
    }

    async fn network_prune(&self, _: NetworkPruneRequest) -> Result<NetworkPruneReply, ApiError> {
        Ok(NetworkPruneReply::Ok(NetworkPruneResponse {
            networks_deleted: Some(Vec::new()),
            ..Default::default()
        }))
    }
}
