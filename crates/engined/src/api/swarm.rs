//! Swarm-mode operations (swarm, nodes, services, tasks, secrets, configs).
//! engined never joins a swarm, so it answers as a dockerd that is not part
//! of one: 503 with dockerd's wording, which the docker CLI prints as is.
//! Creating or joining a swarm stays unimplemented (501): that would be a
//! promise engined cannot keep.

use engine_api::rt::error::ApiError;
use engine_api::server::{
    ConfigApi, ConfigCreateReply, ConfigCreateRequest, ConfigDeleteReply, ConfigDeleteRequest,
    ConfigInspectReply, ConfigInspectRequest, ConfigListReply, ConfigListRequest,
    ConfigUpdateReply, ConfigUpdateRequest, NodeApi, NodeDeleteReply, NodeDeleteRequest,
    NodeInspectReply, NodeInspectRequest, NodeListReply, NodeListRequest, NodeUpdateReply,
    NodeUpdateRequest, SecretApi, SecretCreateReply, SecretCreateRequest, SecretDeleteReply,
    SecretDeleteRequest, SecretInspectReply, SecretInspectRequest, SecretListReply,
    SecretListRequest, SecretUpdateReply, SecretUpdateRequest, ServiceApi, ServiceCreateReply,
    ServiceCreateRequest, ServiceDeleteReply, ServiceDeleteRequest, ServiceInspectReply,
    ServiceInspectRequest, ServiceListReply, ServiceListRequest, ServiceLogsReply,
    ServiceLogsRequest, ServiceUpdateReply, ServiceUpdateRequest, SwarmApi, SwarmInspectReply,
    SwarmInspectRequest, SwarmLeaveReply, SwarmLeaveRequest, SwarmUnlockReply, SwarmUnlockRequest,
    SwarmUnlockkeyReply, SwarmUnlockkeyRequest, SwarmUpdateReply, SwarmUpdateRequest, TaskApi,
    TaskInspectReply, TaskInspectRequest, TaskListReply, TaskListRequest, TaskLogsReply,
    TaskLogsRequest,
};

use super::error::unavailable;
use super::DaemonApi;

/// What a dockerd outside any swarm says to a request that needs a manager.
pub(crate) const NOT_A_MANAGER: &str =
    "This node is not a swarm manager. Use \"docker swarm init\" \
     or \"docker swarm join\" to connect this node to swarm and try again.";

/// What a dockerd outside any swarm says when asked to leave or unlock one.
pub(crate) const NOT_IN_A_SWARM: &str = "This node is not part of a swarm";

/// 503 (service unavailable), the class dockerd gives these answers.
fn refused<T>(message: &str) -> Result<T, ApiError> {
    Err(unavailable(message))
}

/// The answer to every operation that needs a swarm manager.
fn no_manager<T>() -> Result<T, ApiError> {
    refused(NOT_A_MANAGER)
}

impl SwarmApi for DaemonApi {
    async fn swarm_inspect(&self, _: SwarmInspectRequest) -> Result<SwarmInspectReply, ApiError> {
        no_manager()
    }
    async fn swarm_update(&self, _: SwarmUpdateRequest) -> Result<SwarmUpdateReply, ApiError> {
        no_manager()
    }
    async fn swarm_unlockkey(
        &self,
        _: SwarmUnlockkeyRequest,
    ) -> Result<SwarmUnlockkeyReply, ApiError> {
        no_manager()
    }
    async fn swarm_leave(&self, _: SwarmLeaveRequest) -> Result<SwarmLeaveReply, ApiError> {
        refused(NOT_IN_A_SWARM)
    }
    async fn swarm_unlock(&self, _: SwarmUnlockRequest) -> Result<SwarmUnlockReply, ApiError> {
        refused(NOT_IN_A_SWARM)
    }
}

impl NodeApi for DaemonApi {
    async fn node_list(&self, _: NodeListRequest) -> Result<NodeListReply, ApiError> {
        no_manager()
    }
    async fn node_inspect(&self, _: NodeInspectRequest) -> Result<NodeInspectReply, ApiError> {
        no_manager()
    }
    async fn node_delete(&self, _: NodeDeleteRequest) -> Result<NodeDeleteReply, ApiError> {
        no_manager()
    }
    async fn node_update(&self, _: NodeUpdateRequest) -> Result<NodeUpdateReply, ApiError> {
        no_manager()
    }
}

impl ServiceApi for DaemonApi {
    async fn service_list(&self, _: ServiceListRequest) -> Result<ServiceListReply, ApiError> {
        no_manager()
    }
    async fn service_create(
        &self,
        _: ServiceCreateRequest,
    ) -> Result<ServiceCreateReply, ApiError> {
        no_manager()
    }
    async fn service_inspect(
        &self,
        _: ServiceInspectRequest,
    ) -> Result<ServiceInspectReply, ApiError> {
        no_manager()
    }
    async fn service_delete(
        &self,
        _: ServiceDeleteRequest,
    ) -> Result<ServiceDeleteReply, ApiError> {
        no_manager()
    }
    async fn service_update(
        &self,
        _: ServiceUpdateRequest,
    ) -> Result<ServiceUpdateReply, ApiError> {
        no_manager()
    }
    async fn service_logs(&self, _: ServiceLogsRequest) -> Result<ServiceLogsReply, ApiError> {
        no_manager()
    }
}

impl TaskApi for DaemonApi {
    async fn task_list(&self, _: TaskListRequest) -> Result<TaskListReply, ApiError> {
        no_manager()
    }
    async fn task_inspect(&self, _: TaskInspectRequest) -> Result<TaskInspectReply, ApiError> {
        no_manager()
    }
    async fn task_logs(&self, _: TaskLogsRequest) -> Result<TaskLogsReply, ApiError> {
        no_manager()
    }
}

impl SecretApi for DaemonApi {
    async fn secret_list(&self, _: SecretListRequest) -> Result<SecretListReply, ApiError> {
        no_manager()
    }
    async fn secret_create(&self, _: SecretCreateRequest) -> Result<SecretCreateReply, ApiError> {
        no_manager()
    }
    async fn secret_inspect(
        &self,
        _: SecretInspectRequest,
    ) -> Result<SecretInspectReply, ApiError> {
        no_manager()
    }
    async fn secret_delete(&self, _: SecretDeleteRequest) -> Result<SecretDeleteReply, ApiError> {
        no_manager()
    }
    async fn secret_update(&self, _: SecretUpdateRequest) -> Result<SecretUpdateReply, ApiError> {
        no_manager()
    }
}

impl ConfigApi for DaemonApi {
    async fn config_list(&self, _: ConfigListRequest) -> Result<ConfigListReply, ApiError> {
        no_manager()
    }
    async fn config_create(&self, _: ConfigCreateRequest) -> Result<ConfigCreateReply, ApiError> {
        no_manager()
    }
    async fn config_inspect(
        &self,
        _: ConfigInspectRequest,
    ) -> Result<ConfigInspectReply, ApiError> {
        no_manager()
    }
    async fn config_delete(&self, _: ConfigDeleteRequest) -> Result<ConfigDeleteReply, ApiError> {
        no_manager()
    }
    async fn config_update(&self, _: ConfigUpdateRequest) -> Result<ConfigUpdateReply, ApiError> {
        no_manager()
    }
}
