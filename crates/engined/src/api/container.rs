//! Container operations on the generated server: create, start, stop,
//! kill, restart, wait, delete, inspect, list, rename, top, pause,
//! unpause, logs, attach (plain or over WebSocket), resize, prune, stats
//! and update,
//! answering with Docker's
//! status codes and messages. The work is done by [`engined_core::containers`].

use std::time::SystemTime;

use bytes::Bytes;
use engine_api::rt::error::ApiError;
use engine_api::rt::mux::{Frame, StreamKind};
use engine_api::rt::server::{Deferred, Hijack, LogStream};
use engine_api::rt::version::ApiVersion;
use engine_api::server::{
    ContainerApi, ContainerAttachReply, ContainerAttachRequest, ContainerAttachWebsocketReply,
    ContainerAttachWebsocketRequest, ContainerCreateReply, ContainerCreateRequest,
    ContainerDeleteReply, ContainerDeleteRequest, ContainerInspectReply, ContainerInspectRequest,
    ContainerKillReply, ContainerKillRequest, ContainerListReply, ContainerListRequest,
    ContainerLogsReply, ContainerLogsRequest, ContainerPauseReply, ContainerPauseRequest,
    ContainerPruneReply, ContainerPruneRequest, ContainerRenameReply, ContainerRenameRequest,
    ContainerResizeReply, ContainerResizeRequest, ContainerRestartReply, ContainerRestartRequest,
    ContainerStartReply, ContainerStartRequest, ContainerStatsReply, ContainerStatsRequest,
    ContainerStopReply, ContainerStopRequest, ContainerTopReply, ContainerTopRequest,
    ContainerUnpauseReply, ContainerUnpauseRequest, ContainerUpdateReply, ContainerUpdateRequest,
    ContainerWaitReply, ContainerWaitRequest,
};
use engine_api::server::{
    ContainerArchiveInfoOkHeaders, ContainerArchiveInfoReply, ContainerArchiveInfoRequest,
    ContainerArchiveReply, ContainerArchiveRequest, ContainerChangesReply, ContainerChangesRequest,
    ContainerExportReply, ContainerExportRequest, PutContainerArchiveReply,
    PutContainerArchiveRequest,
};
use engine_api::types::{
    ContainerCreateResponse, ContainerPruneResponse, ContainerTopResponse, ContainerUpdateResponse,
    ContainerWaitResponse,
};
use futures_util::StreamExt;

use super::error::{api_error, bad_request};
use super::DaemonApi;
use engined_core::containers::archive::ops::{self as archive, CopyIn};
use engined_core::containers::attach::{self, AttachOptions};
use engined_core::containers::bundle::log_path;
use engined_core::containers::network;
use engined_core::containers::stats::{self, HostFigures, Query};
use engined_core::containers::{create, inspect, lifecycle, list, log_stream, prune, top, update};
use engined_shim::logs::LogQuery;

impl DaemonApi {
    /// An attach: the core checks and announces it, and runs the session
    /// on the hijacked connection. With `raw` (WebSocket messages) the
    /// output carries no frame headers, whatever the TTY.
    fn attach(&self, req: ContainerAttachRequest, raw: bool) -> Result<Hijack, ApiError> {
        let c = self.container(&req.id)?;
        let options = AttachOptions {
            stdin: req.stdin,
            stdout: req.stdout,
            stderr: req.stderr,
            logs: req.logs,
            stream: req.stream,
            detach_keys: req.detach_keys,
            raw,
        };
        let session = attach::prepare(&self.engine, &c, options).map_err(api_error)?;
        Ok(Hijack::new(session.tty(), move |io| session.run(io)))
    }

    fn container(
        &self,
        reference: &str,
    ) -> Result<std::sync::Arc<engined_core::containers::Container>, ApiError> {
        self.engine.containers.get(reference).map_err(api_error)
    }
}

impl ContainerApi for DaemonApi {
    async fn container_archive_info(
        &self,
        req: ContainerArchiveInfoRequest,
    ) -> Result<ContainerArchiveInfoReply, ApiError> {
        let c = self.container(&req.id)?;
        let stat = archive::stat_path(c, req.id, req.path)
            .await
            .map_err(api_error)?;
        Ok(ContainerArchiveInfoReply::Ok {
            headers: ContainerArchiveInfoOkHeaders {
                x_docker_container_path_stat: Some(stat.header()),
            },
        })
    }

    async fn container_archive(
        &self,
        req: ContainerArchiveRequest,
    ) -> Result<ContainerArchiveReply, ApiError> {
        let c = self.container(&req.id)?;
        let (stat, body) = archive::copy_out(&self.engine, c, req.id, req.path)
            .await
            .map_err(api_error)?;
        Ok(ContainerArchiveReply::Ok {
            body,
            headers: engine_api::server::ContainerArchiveOkHeaders {
                x_docker_container_path_stat: Some(stat.header()),
            },
        })
    }

    async fn put_container_archive(
        &self,
        req: PutContainerArchiveRequest,
    ) -> Result<PutContainerArchiveReply, ApiError> {
        let c = self.container(&req.id)?;
        let request = CopyIn {
            path: req.path,
            no_overwrite_dir_non_dir: archive::flag(req.no_overwrite_dir_non_dir.as_deref()),
            copy_uid_gid: archive::flag(req.copy_uidgid.as_deref()),
        };
        archive::copy_in(&self.engine, c, req.id, request, req.body)
            .await
            .map_err(api_error)?;
        Ok(PutContainerArchiveReply::Ok)
    }

    async fn container_export(
        &self,
        req: ContainerExportRequest,
    ) -> Result<ContainerExportReply, ApiError> {
        let c = self.container(&req.id)?;
        Ok(ContainerExportReply::Ok(
            archive::export(&self.engine, c).await.map_err(api_error)?,
        ))
    }

    async fn container_changes(
        &self,
        req: ContainerChangesRequest,
    ) -> Result<ContainerChangesReply, ApiError> {
        let c = self.container(&req.id)?;
        let changes = engined_core::containers::changes::changes(c)
            .await
            .map_err(api_error)?;
        Ok(ContainerChangesReply::Ok(
            changes.iter().map(|c| c.to_api()).collect(),
        ))
    }

    async fn container_list(
        &self,
        req: ContainerListRequest,
    ) -> Result<ContainerListReply, ApiError> {
        let filters = req.filters.map(|f| f.0).unwrap_or_default();
        let lines = list::list(
            &self.engine,
            &filters,
            req.all,
            req.limit,
            SystemTime::now(),
        )
        .map_err(api_error)?;
        Ok(ContainerListReply::Ok(lines))
    }

    async fn container_create(
        &self,
        req: ContainerCreateRequest,
    ) -> Result<ContainerCreateReply, ApiError> {
        let (id, warnings) = create::create(&self.engine, req.name.as_deref(), req.body)
            .await
            .map_err(api_error)?;
        Ok(ContainerCreateReply::Created(ContainerCreateResponse {
            id,
            warnings: Some(warnings),
            ..Default::default()
        }))
    }

    async fn container_inspect(
        &self,
        req: ContainerInspectRequest,
    ) -> Result<ContainerInspectReply, ApiError> {
        let c = self.container(&req.id)?;
        let record = c.record();
        let execs = self.engine.containers.running_execs(&c.id);
        let mut body = inspect::inspect(&record, &c.layout, execs);
        if let Some(n) = body.network_settings.as_mut() {
            network::fill_settings(&self.engine, &record, n);
        }
        // Before API 1.42 dockerd still sends the deprecated kernel memory
        // limit, which engined never sets.
        if req.api_version < ApiVersion::new(1, 42) {
            if let Some(h) = body.host_config.as_mut() {
                h.rest
                    .fields_mut()
                    .insert("KernelMemory".into(), serde_json::Value::from(0));
            }
        }
        Ok(ContainerInspectReply::Ok(body))
    }

    async fn container_top(&self, req: ContainerTopRequest) -> Result<ContainerTopReply, ApiError> {
        let c = self.container(&req.id)?;
        let (titles, processes) = top::top(&c.record(), &req.ps_args)
            .await
            .map_err(api_error)?;
        Ok(ContainerTopReply::Ok(ContainerTopResponse {
            titles: Some(titles),
            processes: Some(processes),
            ..Default::default()
        }))
    }

    async fn container_logs(
        &self,
        req: ContainerLogsRequest,
    ) -> Result<ContainerLogsReply, ApiError> {
        let c = self.container(&req.id)?;
        if !req.stdout && !req.stderr {
            return Err(bad_request("You must choose at least one stream"));
        }
        let record = c.record();
        let now = engined_core::time::now_nanos();
        // Empty and `0` are no bound.
        let bound = |value: &Option<String>| -> Result<Option<i64>, ApiError> {
            match value.as_deref() {
                None | Some("") => Ok(None),
                Some(v) => engined_core::time::parse(v, now)
                    .map(|t| (t > 0).then_some(t))
                    .map_err(|e| bad_request(e.to_string())),
            }
        };
        let query = LogQuery {
            stdout: req.stdout,
            stderr: req.stderr,
            since: bound(&req.since)?,
            until: bound(&req.until)?,
            tail: LogQuery::parse_tail(&req.tail).map_err(bad_request)?,
        };
        let items = log_stream::stream(
            log_path(&c.layout, &c.id),
            query,
            req.timestamps,
            req.follow,
            c.watch(),
        );
        if record.tty() {
            Ok(ContainerLogsReply::Ok(LogStream::Raw(Box::pin(
                items.map(|i| Ok(Bytes::from(i.data))),
            ))))
        } else {
            Ok(ContainerLogsReply::Ok(LogStream::Multiplexed(Box::pin(
                items.map(|i| Frame {
                    stream: if i.stderr {
                        StreamKind::Stderr
                    } else {
                        StreamKind::Stdout
                    },
                    data: Bytes::from(i.data),
                }),
            ))))
        }
    }

    async fn container_start(
        &self,
        req: ContainerStartRequest,
    ) -> Result<ContainerStartReply, ApiError> {
        let c = self.container(&req.id)?;
        match lifecycle::start(&self.engine, &c)
            .await
            .map_err(api_error)?
        {
            true => Ok(ContainerStartReply::NoContent),
            false => Ok(ContainerStartReply::NotModified),
        }
    }

    async fn container_stop(
        &self,
        req: ContainerStopRequest,
    ) -> Result<ContainerStopReply, ApiError> {
        let c = self.container(&req.id)?;
        match lifecycle::stop(&self.engine, &c, req.signal.as_deref(), req.t)
            .await
            .map_err(api_error)?
        {
            true => Ok(ContainerStopReply::NoContent),
            false => Ok(ContainerStopReply::NotModified),
        }
    }

    async fn container_restart(
        &self,
        req: ContainerRestartRequest,
    ) -> Result<ContainerRestartReply, ApiError> {
        let c = self.container(&req.id)?;
        lifecycle::restart(&self.engine, &c, req.signal.as_deref(), req.t)
            .await
            .map_err(api_error)?;
        Ok(ContainerRestartReply::NoContent)
    }

    async fn container_kill(
        &self,
        req: ContainerKillRequest,
    ) -> Result<ContainerKillReply, ApiError> {
        let c = self.container(&req.id)?;
        lifecycle::kill(&self.engine, &c, &req.signal)
            .await
            .map_err(api_error)?;
        Ok(ContainerKillReply::NoContent)
    }

    async fn container_rename(
        &self,
        req: ContainerRenameRequest,
    ) -> Result<ContainerRenameReply, ApiError> {
        let c = self.container(&req.id)?;
        lifecycle::rename(&self.engine, &c, &req.name)
            .await
            .map_err(api_error)?;
        Ok(ContainerRenameReply::NoContent)
    }

    async fn container_pause(
        &self,
        req: ContainerPauseRequest,
    ) -> Result<ContainerPauseReply, ApiError> {
        let c = self.container(&req.id)?;
        lifecycle::pause(&self.engine, &c, true)
            .await
            .map_err(api_error)?;
        Ok(ContainerPauseReply::NoContent)
    }

    async fn container_unpause(
        &self,
        req: ContainerUnpauseRequest,
    ) -> Result<ContainerUnpauseReply, ApiError> {
        let c = self.container(&req.id)?;
        lifecycle::pause(&self.engine, &c, false)
            .await
            .map_err(api_error)?;
        Ok(ContainerUnpauseReply::NoContent)
    }

    async fn container_stats(
        &self,
        req: ContainerStatsRequest,
    ) -> Result<ContainerStatsReply, ApiError> {
        let query = Query {
            stream: req.stream,
            one_shot: req.one_shot,
        }
        .check()
        .map_err(bad_request)?;
        let c = self.container(&req.id)?;
        let host = HostFigures {
            online_cpus: self.engine.host.ncpu.max(1) as u64,
            machine_memory: self.engine.host.mem_total.max(0) as u64,
        };
        Ok(ContainerStatsReply::Ok(Box::pin(stats::stats(
            c, query, host,
        ))))
    }

    async fn container_update(
        &self,
        req: ContainerUpdateRequest,
    ) -> Result<ContainerUpdateReply, ApiError> {
        let c = self.container(&req.id)?;
        let warnings = update::update(&self.engine, &c, &req.body)
            .await
            .map_err(api_error)?;
        Ok(ContainerUpdateReply::Ok(ContainerUpdateResponse {
            warnings: Some(warnings),
            ..Default::default()
        }))
    }

    async fn container_resize(
        &self,
        req: ContainerResizeRequest,
    ) -> Result<ContainerResizeReply, ApiError> {
        let c = self.container(&req.id)?;
        attach::resize(&c, req.h.unwrap_or(0), req.w.unwrap_or(0))
            .await
            .map_err(api_error)?;
        Ok(ContainerResizeReply::Ok)
    }

    async fn container_attach(
        &self,
        req: ContainerAttachRequest,
    ) -> Result<ContainerAttachReply, ApiError> {
        self.attach(req, false)
            .map(ContainerAttachReply::SwitchingProtocols)
    }

    async fn container_attach_websocket(
        &self,
        req: ContainerAttachWebsocketRequest,
    ) -> Result<ContainerAttachWebsocketReply, ApiError> {
        // Attach's parameters, answered in WebSocket messages.
        let attach = ContainerAttachRequest {
            api_version: req.api_version,
            id: req.id,
            detach_keys: req.detach_keys,
            logs: req.logs,
            stream: req.stream,
            stdin: req.stdin,
            stdout: req.stdout,
            stderr: req.stderr,
        };
        self.attach(attach, true)
            .map(ContainerAttachWebsocketReply::SwitchingProtocols)
    }

    async fn container_wait(
        &self,
        req: ContainerWaitRequest,
    ) -> Result<ContainerWaitReply, ApiError> {
        let c = self.container(&req.id)?;
        let exited = lifecycle::wait(&c, &req.condition).map_err(api_error)?;
        // The headers go out now; the body when the condition holds.
        Ok(ContainerWaitReply::Ok(Deferred::new(async move {
            ContainerWaitResponse {
                status_code: exited.await,
                error: None,
                ..Default::default()
            }
        })))
    }

    async fn container_delete(
        &self,
        req: ContainerDeleteRequest,
    ) -> Result<ContainerDeleteReply, ApiError> {
        let c = self.container(&req.id)?;
        if req.link {
            return Err(bad_request("links are not supported by engined"));
        }
        lifecycle::remove(&self.engine, &c, req.force, req.v)
            .await
            .map_err(api_error)?;
        Ok(ContainerDeleteReply::NoContent)
    }

    async fn container_prune(
        &self,
        req: ContainerPruneRequest,
    ) -> Result<ContainerPruneReply, ApiError> {
        let filters = req.filters.map(|f| f.0).unwrap_or_default();
        let report = prune::prune(&self.engine, &filters)
            .await
            .map_err(api_error)?;
        Ok(ContainerPruneReply::Ok(ContainerPruneResponse {
            containers_deleted: Some(report.deleted),
            space_reclaimed: Some(report.reclaimed as i64),
            ..Default::default()
        }))
    }
}
