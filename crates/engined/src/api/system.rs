//! System operations: ping, version, info, disk usage, the event stream,
//! and `docker login` (`POST /auth`), checked against the registry.

use engine_api::rt::error::ApiError;
use engine_api::rt::version::ApiVersion;
use engine_api::server::{
    SystemApi, SystemAuthReply, SystemAuthRequest, SystemDataUsageReply, SystemDataUsageRequest,
    SystemEventsReply, SystemEventsRequest, SystemInfoReply, SystemInfoRequest,
    SystemPingOkHeaders, SystemPingReply, SystemPingRequest, SystemVersionReply,
    SystemVersionRequest,
};
use futures_util::StreamExt;

use super::error::{api_error, bad_request, internal};
use super::DaemonApi;
use engine_api::types::{ErrorResponse, SystemAuthResponse};
use engined_core::events::EventFilter;
use engined_core::images::registry::{self, Credentials, Kind};
use engined_core::images::ImageError;
use engined_core::system::Counts;

impl SystemApi for DaemonApi {
    /// `POST /auth`: the registry's own 401 wording when it refuses the
    /// credentials; never logs them.
    async fn system_auth(&self, req: SystemAuthRequest) -> Result<SystemAuthReply, ApiError> {
        let body = req
            .body
            .ok_or_else(|| bad_request("the login request has no body"))?;
        let server = body.serveraddress.clone().unwrap_or_default();
        let credentials = Credentials::from_auth(Some(body))
            .ok_or_else(|| bad_request("a login needs a username and a password"))?;
        match registry::login(&server, credentials, self.registry_settings()).await {
            Ok(()) => Ok(SystemAuthReply::Ok(SystemAuthResponse {
                status: "Login Succeeded".into(),
                identity_token: Some(String::new()),
                ..Default::default()
            })),
            Err(e) if e.kind == Kind::Denied => Ok(SystemAuthReply::Unauthorized(ErrorResponse {
                message: e.message,
                ..Default::default()
            })),
            Err(e) => Err(api_error(ImageError::from(e))),
        }
    }

    async fn system_ping(&self, _req: SystemPingRequest) -> Result<SystemPingReply, ApiError> {
        Ok(SystemPingReply::Ok {
            body: "OK".into(),
            headers: SystemPingOkHeaders {
                api_version: Some(ApiVersion::CURRENT.to_string()),
                builder_version: Some("1".into()),
                docker_experimental: Some(false),
                swarm: Some("inactive".into()),
                cache_control: Some("no-cache, no-store, must-revalidate".into()),
                pragma: Some("no-cache".into()),
            },
        })
    }

    async fn system_version(
        &self,
        _req: SystemVersionRequest,
    ) -> Result<SystemVersionReply, ApiError> {
        let engine = self.engine.clone();
        // Probing the runtime's version runs a process once: keep it off
        // the async threads.
        let version = tokio::task::spawn_blocking(move || engine.version())
            .await
            .map_err(|e| internal("version", e))?;
        Ok(SystemVersionReply::Ok(version))
    }

    async fn system_info(&self, req: SystemInfoRequest) -> Result<SystemInfoReply, ApiError> {
        let engine = self.engine.clone();
        let info = tokio::task::spawn_blocking(move || {
            let (containers, running, paused, stopped) = engine.containers.counts();
            let counts = Counts {
                containers,
                running,
                paused,
                stopped,
                images: engine.images.count() as i64,
            };
            let mut info = engine.info(counts);
            // Before API 1.42 dockerd still reports kernel-memory limits.
            if req.api_version < ApiVersion::new(1, 42) {
                let kmem = engine.host.cgroups.kernel_memory;
                info.rest
                    .fields_mut()
                    .insert("KernelMemory".into(), serde_json::Value::from(kmem));
            }
            info
        })
        .await
        .map_err(|e| internal("info", e))?;
        Ok(SystemInfoReply::Ok(info))
    }

    async fn system_data_usage(
        &self,
        req: SystemDataUsageRequest,
    ) -> Result<SystemDataUsageReply, ApiError> {
        let engine = self.engine.clone();
        // Sizes walk the disk: keep it off the async threads.
        tokio::task::spawn_blocking(move || super::df::data_usage(&engine, &req))
            .await
            .map_err(|e| internal("system df", e))
    }

    async fn system_events(&self, req: SystemEventsRequest) -> Result<SystemEventsReply, ApiError> {
        let now = engined_core::time::now_nanos();
        let since = req
            .since
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| engined_core::time::parse(s, now))
            .transpose()
            .map_err(|e| bad_request(e.to_string()))?;
        let until = req
            .until
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| engined_core::time::parse(s, now))
            .transpose()
            .map_err(|e| bad_request(e.to_string()))?;
        let filter = match &req.filters {
            Some(f) => EventFilter::from_filters(&f.0).map_err(api_error)?,
            None => EventFilter::default(),
        };
        let stream = self
            .engine
            .events
            .subscribe(since, until, filter)
            .map(|event| (*event).clone());
        Ok(SystemEventsReply::Ok(Box::pin(stream)))
    }
}
