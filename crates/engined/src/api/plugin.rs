//! Plugin operations: engined installs no managed plugins, so the list is
//! empty and looking one up finds nothing (404 in dockerd's words).

use engine_api::rt::error::ApiError;
use engine_api::server::{
    PluginApi, PluginInspectReply, PluginInspectRequest, PluginListReply, PluginListRequest,
};

use super::error::not_found;
use super::DaemonApi;

impl PluginApi for DaemonApi {
    async fn plugin_list(&self, _: PluginListRequest) -> Result<PluginListReply, ApiError> {
        Ok(PluginListReply::Ok(Vec::new()))
    }

    async fn plugin_inspect(
        &self,
        req: PluginInspectRequest,
    ) -> Result<PluginInspectReply, ApiError> {
        Err(not_found(format!("plugin {:?} not found", req.name)))
    }
}
