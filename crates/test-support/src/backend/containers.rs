//! The backend's handlers for the containers tag: fixed answers, recorded requests.

use engine_api::rt::error::ApiError;
use engine_api::server::*;

use super::*;

impl ContainerApi for Backend {
    async fn container_list(
        &self,
        req: ContainerListRequest,
    ) -> Result<ContainerListReply, ApiError> {
        self.hit("ContainerList", &req)?;
        Ok(ContainerListReply::Ok(answer("ContainerList")))
    }

    async fn container_create(
        &self,
        req: ContainerCreateRequest,
    ) -> Result<ContainerCreateReply, ApiError> {
        self.hit("ContainerCreate", &req)?;
        Ok(ContainerCreateReply::Created(answer("ContainerCreate")))
    }

    async fn container_inspect(
        &self,
        req: ContainerInspectRequest,
    ) -> Result<ContainerInspectReply, ApiError> {
        self.hit("ContainerInspect", &req)?;
        if let Some(e) = self.typed_error("ContainerInspect", 404) {
            return Ok(ContainerInspectReply::NotFound(e));
        }
        Ok(ContainerInspectReply::Ok(answer("ContainerInspect")))
    }

    async fn container_top(&self, req: ContainerTopRequest) -> Result<ContainerTopReply, ApiError> {
        self.hit("ContainerTop", &req)?;
        Ok(ContainerTopReply::Ok(answer("ContainerTop")))
    }

    async fn container_logs(
        &self,
        req: ContainerLogsRequest,
    ) -> Result<ContainerLogsReply, ApiError> {
        self.hit("ContainerLogs", &req)?;
        Ok(ContainerLogsReply::Ok(logs(
            "ContainerLogs",
            req.id == "tty",
        )))
    }

    async fn container_changes(
        &self,
        req: ContainerChangesRequest,
    ) -> Result<ContainerChangesReply, ApiError> {
        self.hit("ContainerChanges", &req)?;
        Ok(ContainerChangesReply::Ok(answer("ContainerChanges")))
    }

    async fn container_export(
        &self,
        req: ContainerExportRequest,
    ) -> Result<ContainerExportReply, ApiError> {
        self.hit("ContainerExport", &req)?;
        Ok(ContainerExportReply::Ok(byte_stream("ContainerExport")))
    }

    async fn container_stats(
        &self,
        req: ContainerStatsRequest,
    ) -> Result<ContainerStatsReply, ApiError> {
        self.hit("ContainerStats", &req)?;
        Ok(ContainerStatsReply::Ok(json_stream("ContainerStats")))
    }

    async fn container_resize(
        &self,
        req: ContainerResizeRequest,
    ) -> Result<ContainerResizeReply, ApiError> {
        self.hit("ContainerResize", &req)?;
        Ok(ContainerResizeReply::Ok)
    }

    async fn container_start(
        &self,
        req: ContainerStartRequest,
    ) -> Result<ContainerStartReply, ApiError> {
        self.hit("ContainerStart", &req)?;
        Ok(ContainerStartReply::NoContent)
    }

    async fn container_stop(
        &self,
        req: ContainerStopRequest,
    ) -> Result<ContainerStopReply, ApiError> {
        self.hit("ContainerStop", &req)?;
        Ok(ContainerStopReply::NoContent)
    }

    async fn container_restart(
        &self,
        req: ContainerRestartRequest,
    ) -> Result<ContainerRestartReply, ApiError> {
        self.hit("ContainerRestart", &req)?;
        Ok(ContainerRestartReply::NoContent)
    }

    async fn container_kill(
        &self,
        req: ContainerKillRequest,
    ) -> Result<ContainerKillReply, ApiError> {
        self.hit("ContainerKill", &req)?;
        Ok(ContainerKillReply::NoContent)
    }

    async fn container_update(
        &self,
        req: ContainerUpdateRequest,
    ) -> Result<ContainerUpdateReply, ApiError> {
        self.hit("ContainerUpdate", &req)?;
        Ok(ContainerUpdateReply::Ok(answer("ContainerUpdate")))
    }

    async fn container_rename(
        &self,
        req: ContainerRenameRequest,
    ) -> Result<ContainerRenameReply, ApiError> {
        self.hit("ContainerRename", &req)?;
        Ok(ContainerRenameReply::NoContent)
    }

    async fn container_pause(
        &self,
        req: ContainerPauseRequest,
    ) -> Result<ContainerPauseReply, ApiError> {
        self.hit("ContainerPause", &req)?;
        Ok(ContainerPauseReply::NoContent)
    }

    async fn container_unpause(
        &self,
        req: ContainerUnpauseRequest,
    ) -> Result<ContainerUnpauseReply, ApiError> {
        self.hit("ContainerUnpause", &req)?;
        Ok(ContainerUnpauseReply::NoContent)
    }

    async fn container_attach(
        &self,
        req: ContainerAttachRequest,
    ) -> Result<ContainerAttachReply, ApiError> {
        self.hit("ContainerAttach", &req)?;
        Ok(ContainerAttachReply::SwitchingProtocols(echo(
            "ContainerAttach",
            req.id == "tty",
        )))
    }

    async fn container_attach_websocket(
        &self,
        req: ContainerAttachWebsocketRequest,
    ) -> Result<ContainerAttachWebsocketReply, ApiError> {
        self.hit("ContainerAttachWebsocket", &req)?;
        // WebSocket messages carry raw bytes whatever the TTY: the echo
        // writes them unframed.
        Ok(ContainerAttachWebsocketReply::SwitchingProtocols(echo(
            "ContainerAttachWebsocket",
            true,
        )))
    }

    async fn container_wait(
        &self,
        req: ContainerWaitRequest,
    ) -> Result<ContainerWaitReply, ApiError> {
        self.hit("ContainerWait", &req)?;
        Ok(ContainerWaitReply::Ok(
            engine_api::rt::server::Deferred::ready(answer("ContainerWait")),
        ))
    }

    async fn container_delete(
        &self,
        req: ContainerDeleteRequest,
    ) -> Result<ContainerDeleteReply, ApiError> {
        self.hit("ContainerDelete", &req)?;
        if let Some(e) = self.typed_error("ContainerDelete", 409) {
            return Ok(ContainerDeleteReply::Conflict(e));
        }
        Ok(ContainerDeleteReply::NoContent)
    }

    async fn container_archive(
        &self,
        req: ContainerArchiveRequest,
    ) -> Result<ContainerArchiveReply, ApiError> {
        self.hit("ContainerArchive", &req)?;
        Ok(ContainerArchiveReply::Ok {
            body: byte_stream("ContainerArchive"),
            headers: ContainerArchiveOkHeaders {
                x_docker_container_path_stat: Some("eyJuYW1lIjoieCJ9".into()),
            },
        })
    }

    async fn put_container_archive(
        &self,
        req: PutContainerArchiveRequest,
    ) -> Result<PutContainerArchiveReply, ApiError> {
        self.hit("PutContainerArchive", &req)?;
        self.drain("PutContainerArchive", req.body).await?;
        Ok(PutContainerArchiveReply::Ok)
    }

    async fn container_archive_info(
        &self,
        req: ContainerArchiveInfoRequest,
    ) -> Result<ContainerArchiveInfoReply, ApiError> {
        self.hit("ContainerArchiveInfo", &req)?;
        Ok(ContainerArchiveInfoReply::Ok {
            headers: ContainerArchiveInfoOkHeaders {
                x_docker_container_path_stat: Some(PATH_STAT.into()),
            },
        })
    }

    async fn container_prune(
        &self,
        req: ContainerPruneRequest,
    ) -> Result<ContainerPruneReply, ApiError> {
        self.hit("ContainerPrune", &req)?;
        Ok(ContainerPruneReply::Ok(answer("ContainerPrune")))
    }
}

/// The `X-Docker-Container-Path-Stat` header of `HEAD /containers/{id}/archive`:
/// base64 of `{"name":"etc","size":4096,"mode":2147484141,"mtime":"2024-01-01T00:00:00Z","linkTarget":""}`.
pub const PATH_STAT: &str = "eyJuYW1lIjoiZXRjIiwic2l6ZSI6NDA5NiwibW9kZSI6MjE0NzQ4NDE0MSwibXRpbWUiOiIyMDI0LTAxLTAxVDAwOjAwOjAwWiIsImxpbmtUYXJnZXQiOiIifQ==";
