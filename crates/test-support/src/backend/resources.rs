//! The backend's handlers for networks, volumes and plugins: fixed answers, recorded requests.

use engine_api::rt::error::ApiError;
use engine_api::server::*;

use super::*;

impl NetworkApi for Backend {
    async fn network_list(&self, req: NetworkListRequest) -> Result<NetworkListReply, ApiError> {
        self.hit("NetworkList", &req)?;
        Ok(NetworkListReply::Ok(answer("NetworkList")))
    }

    async fn network_inspect(
        &self,
        req: NetworkInspectRequest,
    ) -> Result<NetworkInspectReply, ApiError> {
        self.hit("NetworkInspect", &req)?;
        Ok(NetworkInspectReply::Ok(answer("NetworkInspect")))
    }

    async fn network_delete(
        &self,
        req: NetworkDeleteRequest,
    ) -> Result<NetworkDeleteReply, ApiError> {
        self.hit("NetworkDelete", &req)?;
        if let Some(e) = self.typed_error("NetworkDelete", 403) {
            return Ok(NetworkDeleteReply::Forbidden(e));
        }
        Ok(NetworkDeleteReply::NoContent)
    }

    async fn network_create(
        &self,
        req: NetworkCreateRequest,
    ) -> Result<NetworkCreateReply, ApiError> {
        self.hit("NetworkCreate", &req)?;
        Ok(NetworkCreateReply::Created(answer("NetworkCreate")))
    }

    async fn network_connect(
        &self,
        req: NetworkConnectRequest,
    ) -> Result<NetworkConnectReply, ApiError> {
        self.hit("NetworkConnect", &req)?;
        Ok(NetworkConnectReply::Ok)
    }

    async fn network_disconnect(
        &self,
        req: NetworkDisconnectRequest,
    ) -> Result<NetworkDisconnectReply, ApiError> {
        self.hit("NetworkDisconnect", &req)?;
        Ok(NetworkDisconnectReply::Ok)
    }

    async fn network_prune(&self, req: NetworkPruneRequest) -> Result<NetworkPruneReply, ApiError> {
        self.hit("NetworkPrune", &req)?;
        Ok(NetworkPruneReply::Ok(answer("NetworkPrune")))
    }
}

impl VolumeApi for Backend {
    async fn volume_list(&self, req: VolumeListRequest) -> Result<VolumeListReply, ApiError> {
        self.hit("VolumeList", &req)?;
        Ok(VolumeListReply::Ok(answer("VolumeList")))
    }

    async fn volume_create(&self, req: VolumeCreateRequest) -> Result<VolumeCreateReply, ApiError> {
        self.hit("VolumeCreate", &req)?;
        Ok(VolumeCreateReply::Created(answer("VolumeCreate")))
    }

    async fn volume_inspect(
        &self,
        req: VolumeInspectRequest,
    ) -> Result<VolumeInspectReply, ApiError> {
        self.hit("VolumeInspect", &req)?;
        if let Some(e) = self.typed_error("VolumeInspect", 404) {
            return Ok(VolumeInspectReply::NotFound(e));
        }
        Ok(VolumeInspectReply::Ok(answer("VolumeInspect")))
    }

    async fn volume_update(&self, req: VolumeUpdateRequest) -> Result<VolumeUpdateReply, ApiError> {
        self.hit("VolumeUpdate", &req)?;
        Ok(VolumeUpdateReply::Ok)
    }

    async fn volume_delete(&self, req: VolumeDeleteRequest) -> Result<VolumeDeleteReply, ApiError> {
        self.hit("VolumeDelete", &req)?;
        Ok(VolumeDeleteReply::NoContent)
    }

    async fn volume_prune(&self, req: VolumePruneRequest) -> Result<VolumePruneReply, ApiError> {
        self.hit("VolumePrune", &req)?;
        Ok(VolumePruneReply::Ok(answer("VolumePrune")))
    }
}

impl PluginApi for Backend {
    async fn plugin_list(&self, req: PluginListRequest) -> Result<PluginListReply, ApiError> {
        self.hit("PluginList", &req)?;
        Ok(PluginListReply::Ok(answer("PluginList")))
    }

    async fn get_plugin_privileges(
        &self,
        req: GetPluginPrivilegesRequest,
    ) -> Result<GetPluginPrivilegesReply, ApiError> {
        self.hit("GetPluginPrivileges", &req)?;
        Ok(GetPluginPrivilegesReply::Ok(answer("GetPluginPrivileges")))
    }

    async fn plugin_pull(&self, req: PluginPullRequest) -> Result<PluginPullReply, ApiError> {
        self.hit("PluginPull", &req)?;
        Ok(PluginPullReply::NoContent(json_stream("PluginPull")))
    }

    async fn plugin_inspect(
        &self,
        req: PluginInspectRequest,
    ) -> Result<PluginInspectReply, ApiError> {
        self.hit("PluginInspect", &req)?;
        Ok(PluginInspectReply::Ok(answer("PluginInspect")))
    }

    async fn plugin_delete(&self, req: PluginDeleteRequest) -> Result<PluginDeleteReply, ApiError> {
        self.hit("PluginDelete", &req)?;
        Ok(PluginDeleteReply::Ok(answer("PluginDelete")))
    }

    async fn plugin_enable(&self, req: PluginEnableRequest) -> Result<PluginEnableReply, ApiError> {
        self.hit("PluginEnable", &req)?;
        Ok(PluginEnableReply::Ok)
    }

    async fn plugin_disable(
        &self,
        req: PluginDisableRequest,
    ) -> Result<PluginDisableReply, ApiError> {
        self.hit("PluginDisable", &req)?;
        Ok(PluginDisableReply::Ok)
    }

    async fn plugin_upgrade(
        &self,
        req: PluginUpgradeRequest,
    ) -> Result<PluginUpgradeReply, ApiError> {
        self.hit("PluginUpgrade", &req)?;
        Ok(PluginUpgradeReply::NoContent(json_stream("PluginUpgrade")))
    }

    async fn plugin_create(&self, req: PluginCreateRequest) -> Result<PluginCreateReply, ApiError> {
        self.hit("PluginCreate", &req)?;
        self.drain("PluginCreate", req.body).await?;
        Ok(PluginCreateReply::NoContent)
    }

    async fn plugin_push(&self, req: PluginPushRequest) -> Result<PluginPushReply, ApiError> {
        self.hit("PluginPush", &req)?;
        Ok(PluginPushReply::Ok)
    }

    async fn plugin_set(&self, req: PluginSetRequest) -> Result<PluginSetReply, ApiError> {
        self.hit("PluginSet", &req)?;
        Ok(PluginSetReply::NoContent)
    }
}
