//! The backend's handlers for system, exec and session: fixed answers, recorded requests.

use engine_api::rt::error::ApiError;
use engine_api::server::*;

use super::*;

impl SystemApi for Backend {
    async fn system_auth(&self, req: SystemAuthRequest) -> Result<SystemAuthReply, ApiError> {
        self.hit("SystemAuth", &req)?;
        Ok(SystemAuthReply::Ok(answer("SystemAuth")))
    }

    async fn system_info(&self, req: SystemInfoRequest) -> Result<SystemInfoReply, ApiError> {
        self.hit("SystemInfo", &req)?;
        Ok(SystemInfoReply::Ok(answer("SystemInfo")))
    }

    async fn system_version(
        &self,
        req: SystemVersionRequest,
    ) -> Result<SystemVersionReply, ApiError> {
        self.hit("SystemVersion", &req)?;
        Ok(SystemVersionReply::Ok(answer("SystemVersion")))
    }

    async fn system_ping(&self, req: SystemPingRequest) -> Result<SystemPingReply, ApiError> {
        self.hit("SystemPing", &req)?;
        Ok(SystemPingReply::Ok {
            body: "OK".into(),
            headers: ping_headers(),
        })
    }

    async fn system_ping_head(
        &self,
        req: SystemPingHeadRequest,
    ) -> Result<SystemPingHeadReply, ApiError> {
        self.hit("SystemPingHead", &req)?;
        Ok(SystemPingHeadReply::Ok {
            body: String::new(),
            headers: ping_headers(),
        })
    }

    async fn system_events(&self, req: SystemEventsRequest) -> Result<SystemEventsReply, ApiError> {
        self.hit("SystemEvents", &req)?;
        Ok(SystemEventsReply::Ok(json_stream("SystemEvents")))
    }

    async fn system_data_usage(
        &self,
        req: SystemDataUsageRequest,
    ) -> Result<SystemDataUsageReply, ApiError> {
        self.hit("SystemDataUsage", &req)?;
        Ok(SystemDataUsageReply::Ok(answer("SystemDataUsage")))
    }
}

impl ExecApi for Backend {
    async fn container_exec(
        &self,
        req: ContainerExecRequest,
    ) -> Result<ContainerExecReply, ApiError> {
        self.hit("ContainerExec", &req)?;
        Ok(ContainerExecReply::Created(answer("ContainerExec")))
    }

    async fn exec_start(&self, req: ExecStartRequest) -> Result<ExecStartReply, ApiError> {
        self.hit("ExecStart", &req)?;
        let tty = req.body.as_ref().and_then(|b| b.tty).unwrap_or(false);
        Ok(ExecStartReply::Ok(echo("ExecStart", tty)))
    }

    async fn exec_resize(&self, req: ExecResizeRequest) -> Result<ExecResizeReply, ApiError> {
        self.hit("ExecResize", &req)?;
        Ok(ExecResizeReply::Ok)
    }

    async fn exec_inspect(&self, req: ExecInspectRequest) -> Result<ExecInspectReply, ApiError> {
        self.hit("ExecInspect", &req)?;
        Ok(ExecInspectReply::Ok(answer("ExecInspect")))
    }
}

impl SessionApi for Backend {
    async fn session(&self, req: SessionRequest) -> Result<SessionReply, ApiError> {
        self.hit("Session", &req)?;
        Ok(SessionReply::SwitchingProtocols(echo("Session", true)))
    }
}

/// The documented headers every ping answer carries.
pub fn ping_headers() -> SystemPingOkHeaders {
    SystemPingOkHeaders {
        api_version: Some("1.44".into()),
        builder_version: Some("2".into()),
        docker_experimental: Some(true),
        swarm: Some("inactive".into()),
        cache_control: Some("no-cache, no-store, must-revalidate".into()),
        pragma: Some("no-cache".into()),
    }
}
