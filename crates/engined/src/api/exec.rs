//! Exec operations: create an exec instance in a running container, start
//! it (hijacked, or detached), inspect it, resize its terminal.

use engine_api::rt::error::ApiError;
use engine_api::rt::server::Hijack;
use engine_api::server::{
    ContainerExecReply, ContainerExecRequest, ExecApi, ExecInspectReply, ExecInspectRequest,
    ExecResizeReply, ExecResizeRequest, ExecStartReply, ExecStartRequest,
};
use engine_api::types::IdResponse;

use super::error::{api_error, conflict};
use super::DaemonApi;
use engined_core::containers::{exec, ContainerError};

impl ExecApi for DaemonApi {
    async fn container_exec(
        &self,
        req: ContainerExecRequest,
    ) -> Result<ContainerExecReply, ApiError> {
        let c = self.engine.containers.get(&req.id).map_err(api_error)?;
        let id = exec::create(&self.engine, &c, req.body).map_err(api_error)?;
        Ok(ContainerExecReply::Created(IdResponse {
            id,
            ..Default::default()
        }))
    }

    async fn exec_start(&self, req: ExecStartRequest) -> Result<ExecStartReply, ApiError> {
        let instance = exec::get(&self.engine, &req.id).map_err(api_error)?;
        let c = self
            .engine
            .containers
            .get(&instance.container_id)
            .map_err(api_error)?;
        if !c.status().is_running() {
            return Err(api_error(ContainerError::NotRunning(c.id.clone())));
        }
        let size = engined_core::containers::spec::process::console_size(
            req.body.as_ref().and_then(|b| b.console_size.as_deref()),
        )
        .map_err(|e| api_error(ContainerError::InvalidArgument(e)))?;
        if !instance.claim() {
            return Err(conflict(format!(
                "Error: Exec command {} is already running",
                instance.id
            )));
        }
        let body = req.body.unwrap_or_default();
        // The start's size wins over the create's, as a resize would.
        if let Some((height, width)) = size {
            instance.resize(height, width).map_err(api_error)?;
        }
        let detach = body.detach.unwrap_or(false);
        let tty = instance.config.tty;
        let engine = self.engine.services();
        if detach {
            tokio::spawn(exec::run::<tokio::io::DuplexStream>(engine, instance, None));
            return Ok(ExecStartReply::Ok(Hijack::new(tty, |_io| async {})));
        }
        Ok(ExecStartReply::Ok(Hijack::new(tty, move |io| async move {
            exec::run(engine, instance, Some(io)).await;
        })))
    }

    async fn exec_inspect(&self, req: ExecInspectRequest) -> Result<ExecInspectReply, ApiError> {
        let instance = exec::get(&self.engine, &req.id).map_err(api_error)?;
        Ok(ExecInspectReply::Ok(instance.inspect()))
    }

    async fn exec_resize(&self, req: ExecResizeRequest) -> Result<ExecResizeReply, ApiError> {
        let instance = exec::get(&self.engine, &req.id).map_err(api_error)?;
        let clamp = |v: Option<i64>| v.unwrap_or(0).clamp(0, i64::from(u16::MAX)) as u16;
        instance
            .resize(clamp(req.h), clamp(req.w))
            .map_err(api_error)?;
        Ok(ExecResizeReply::Ok)
    }
}
