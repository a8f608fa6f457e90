//! The backend's handlers for swarm, nodes, services, tasks, secrets and configs: fixed answers, recorded requests.

use engine_api::rt::error::ApiError;
use engine_api::server::*;

use super::*;

impl SwarmApi for Backend {
    async fn swarm_inspect(&self, req: SwarmInspectRequest) -> Result<SwarmInspectReply, ApiError> {
        self.hit("SwarmInspect", &req)?;
        Ok(SwarmInspectReply::Ok(answer("SwarmInspect")))
    }

    async fn swarm_init(&self, req: SwarmInitRequest) -> Result<SwarmInitReply, ApiError> {
        self.hit("SwarmInit", &req)?;
        Ok(SwarmInitReply::Ok(answer("SwarmInit")))
    }

    async fn swarm_join(&self, req: SwarmJoinRequest) -> Result<SwarmJoinReply, ApiError> {
        self.hit("SwarmJoin", &req)?;
        Ok(SwarmJoinReply::Ok)
    }

    async fn swarm_leave(&self, req: SwarmLeaveRequest) -> Result<SwarmLeaveReply, ApiError> {
        self.hit("SwarmLeave", &req)?;
        Ok(SwarmLeaveReply::Ok)
    }

    async fn swarm_update(&self, req: SwarmUpdateRequest) -> Result<SwarmUpdateReply, ApiError> {
        self.hit("SwarmUpdate", &req)?;
        Ok(SwarmUpdateReply::Ok)
    }

    async fn swarm_unlockkey(
        &self,
        req: SwarmUnlockkeyRequest,
    ) -> Result<SwarmUnlockkeyReply, ApiError> {
        self.hit("SwarmUnlockkey", &req)?;
        Ok(SwarmUnlockkeyReply::Ok(answer("SwarmUnlockkey")))
    }

    async fn swarm_unlock(&self, req: SwarmUnlockRequest) -> Result<SwarmUnlockReply, ApiError> {
        self.hit("SwarmUnlock", &req)?;
        Ok(SwarmUnlockReply::Ok)
    }
}

impl NodeApi for Backend {
    async fn node_list(&self, req: NodeListRequest) -> Result<NodeListReply, ApiError> {
        self.hit("NodeList", &req)?;
        Ok(NodeListReply::Ok(answer("NodeList")))
    }

    async fn node_inspect(&self, req: NodeInspectRequest) -> Result<NodeInspectReply, ApiError> {
        self.hit("NodeInspect", &req)?;
        Ok(NodeInspectReply::Ok(answer("NodeInspect")))
    }

    async fn node_delete(&self, req: NodeDeleteRequest) -> Result<NodeDeleteReply, ApiError> {
        self.hit("NodeDelete", &req)?;
        Ok(NodeDeleteReply::Ok)
    }

    async fn node_update(&self, req: NodeUpdateRequest) -> Result<NodeUpdateReply, ApiError> {
        self.hit("NodeUpdate", &req)?;
        Ok(NodeUpdateReply::Ok)
    }
}

impl ServiceApi for Backend {
    async fn service_list(&self, req: ServiceListRequest) -> Result<ServiceListReply, ApiError> {
        self.hit("ServiceList", &req)?;
        Ok(ServiceListReply::Ok(answer("ServiceList")))
    }

    async fn service_create(
        &self,
        req: ServiceCreateRequest,
    ) -> Result<ServiceCreateReply, ApiError> {
        self.hit("ServiceCreate", &req)?;
        Ok(ServiceCreateReply::Created(answer("ServiceCreate")))
    }

    async fn service_inspect(
        &self,
        req: ServiceInspectRequest,
    ) -> Result<ServiceInspectReply, ApiError> {
        self.hit("ServiceInspect", &req)?;
        Ok(ServiceInspectReply::Ok(answer("ServiceInspect")))
    }

    async fn service_delete(
        &self,
        req: ServiceDeleteRequest,
    ) -> Result<ServiceDeleteReply, ApiError> {
        self.hit("ServiceDelete", &req)?;
        Ok(ServiceDeleteReply::Ok)
    }

    async fn service_update(
        &self,
        req: ServiceUpdateRequest,
    ) -> Result<ServiceUpdateReply, ApiError> {
        self.hit("ServiceUpdate", &req)?;
        Ok(ServiceUpdateReply::Ok(answer("ServiceUpdate")))
    }

    async fn service_logs(&self, req: ServiceLogsRequest) -> Result<ServiceLogsReply, ApiError> {
        self.hit("ServiceLogs", &req)?;
        Ok(ServiceLogsReply::Ok(logs("ServiceLogs", req.id == "tty")))
    }
}

impl TaskApi for Backend {
    async fn task_list(&self, req: TaskListRequest) -> Result<TaskListReply, ApiError> {
        self.hit("TaskList", &req)?;
        Ok(TaskListReply::Ok(answer("TaskList")))
    }

    async fn task_inspect(&self, req: TaskInspectRequest) -> Result<TaskInspectReply, ApiError> {
        self.hit("TaskInspect", &req)?;
        Ok(TaskInspectReply::Ok(answer("TaskInspect")))
    }

    async fn task_logs(&self, req: TaskLogsRequest) -> Result<TaskLogsReply, ApiError> {
        self.hit("TaskLogs", &req)?;
        Ok(TaskLogsReply::Ok(logs("TaskLogs", req.id == "tty")))
    }
}

impl SecretApi for Backend {
    async fn secret_list(&self, req: SecretListRequest) -> Result<SecretListReply, ApiError> {
        self.hit("SecretList", &req)?;
        Ok(SecretListReply::Ok(answer("SecretList")))
    }

    async fn secret_create(&self, req: SecretCreateRequest) -> Result<SecretCreateReply, ApiError> {
        self.hit("SecretCreate", &req)?;
        Ok(SecretCreateReply::Created(answer("SecretCreate")))
    }

    async fn secret_inspect(
        &self,
        req: SecretInspectRequest,
    ) -> Result<SecretInspectReply, ApiError> {
        self.hit("SecretInspect", &req)?;
        Ok(SecretInspectReply::Ok(answer("SecretInspect")))
    }

    async fn secret_delete(&self, req: SecretDeleteRequest) -> Result<SecretDeleteReply, ApiError> {
        self.hit("SecretDelete", &req)?;
        Ok(SecretDeleteReply::NoContent)
    }

    async fn secret_update(&self, req: SecretUpdateRequest) -> Result<SecretUpdateReply, ApiError> {
        self.hit("SecretUpdate", &req)?;
        Ok(SecretUpdateReply::Ok)
    }
}

impl ConfigApi for Backend {
    async fn config_list(&self, req: ConfigListRequest) -> Result<ConfigListReply, ApiError> {
        self.hit("ConfigList", &req)?;
        Ok(ConfigListReply::Ok(answer("ConfigList")))
    }

    async fn config_create(&self, req: ConfigCreateRequest) -> Result<ConfigCreateReply, ApiError> {
        self.hit("ConfigCreate", &req)?;
        Ok(ConfigCreateReply::Created(answer("ConfigCreate")))
    }

    async fn config_inspect(
        &self,
        req: ConfigInspectRequest,
    ) -> Result<ConfigInspectReply, ApiError> {
        self.hit("ConfigInspect", &req)?;
        Ok(ConfigInspectReply::Ok(answer("ConfigInspect")))
    }

    async fn config_delete(&self, req: ConfigDeleteRequest) -> Result<ConfigDeleteReply, ApiError> {
        self.hit("ConfigDelete", &req)?;
        Ok(ConfigDeleteReply::NoContent)
    }

    async fn config_update(&self, req: ConfigUpdateRequest) -> Result<ConfigUpdateReply, ApiError> {
        self.hit("ConfigUpdate", &req)?;
        Ok(ConfigUpdateReply::Ok)
    }
}
