//! Volume operations (local driver): create, list, inspect, remove, prune,
//! with dockerd's status codes, messages and events.

use engine_api::rt::error::ApiError;
use engine_api::rt::version::ApiVersion;
use engine_api::server::{
    VolumeApi, VolumeCreateReply, VolumeCreateRequest, VolumeDeleteReply, VolumeDeleteRequest,
    VolumeInspectReply, VolumeInspectRequest, VolumeListReply, VolumeListRequest, VolumePruneReply,
    VolumePruneRequest,
};
use engine_api::types::{Volume, VolumeListResponse, VolumePruneResponse, VolumeScope};

use super::error::{api_error, internal};
use super::DaemonApi;
use engined_core::gojson::nil;
use engined_core::volumes::{self, CreateOptions, VolumeError, VolumeFilter, VolumeRecord};

pub(super) fn to_api(v: &VolumeRecord) -> Volume {
    Volume {
        name: v.name.clone(),
        driver: v.driver.clone(),
        mountpoint: v.mountpoint.display().to_string(),
        created_at: Some(v.created_at.clone()),
        labels: Some(v.labels.clone()),
        scope: VolumeScope::Local,
        // dockerd keeps no options map for a volume created without any.
        options: (!v.options.is_empty()).then(|| v.options.clone()),
        ..Default::default()
    }
}

/// Runs blocking store work off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| internal("volume operation failed", e))?
}

impl VolumeApi for DaemonApi {
    async fn volume_list(&self, req: VolumeListRequest) -> Result<VolumeListReply, ApiError> {
        let filters = req.filters.map(|f| f.0).unwrap_or_default();
        let filter = VolumeFilter::parse(&filters, volumes::LIST_KEYS).map_err(api_error)?;
        let engine = self.engine.clone();
        let volumes = engine
            .volumes
            .list()
            .iter()
            .filter(|v| filter.matches(v, engine.volume_in_use(&v.name).is_some()))
            .map(to_api)
            .collect();
        let mut body = VolumeListResponse {
            volumes: Some(volumes),
            warnings: None,
            ..Default::default()
        };
        nil(&mut body.rest, "Warnings", &body.warnings);
        Ok(VolumeListReply::Ok(body))
    }

    async fn volume_create(&self, req: VolumeCreateRequest) -> Result<VolumeCreateReply, ApiError> {
        let body = req.body;
        let options = CreateOptions {
            name: body.name.unwrap_or_default(),
            driver: body.driver.unwrap_or_default(),
            driver_opts: body.driver_opts.unwrap_or_default(),
            labels: body.labels.unwrap_or_default(),
        };
        let engine = self.engine.clone();
        blocking(move || {
            let (v, new) = engine.volumes.create(options).map_err(api_error)?;
            if new {
                volumes::publish(&engine.events, "create", &v);
            }
            Ok(VolumeCreateReply::Created(to_api(&v)))
        })
        .await
    }

    async fn volume_inspect(
        &self,
        req: VolumeInspectRequest,
    ) -> Result<VolumeInspectReply, ApiError> {
        match self.engine.volumes.get(&req.name) {
            Some(v) => Ok(VolumeInspectReply::Ok(to_api(&v))),
            None => Err(api_error(VolumeError::NotFound(req.name))),
        }
    }

    async fn volume_delete(&self, req: VolumeDeleteRequest) -> Result<VolumeDeleteReply, ApiError> {
        let engine = self.engine.clone();
        blocking(move || {
            let user = engine.volume_in_use(&req.name);
            match engine.volumes.remove(&req.name, user) {
                Ok(v) => {
                    volumes::publish(&engine.events, "destroy", &v);
                    Ok(VolumeDeleteReply::NoContent)
                }
                // `docker volume rm -f` of a missing volume is no error.
                Err(VolumeError::NotFound(_)) if req.force => Ok(VolumeDeleteReply::NoContent),
                Err(e) => Err(api_error(e)),
            }
        })
        .await
    }

    async fn volume_prune(&self, req: VolumePruneRequest) -> Result<VolumePruneReply, ApiError> {
        let filters = req.filters.map(|f| f.0).unwrap_or_default();
        // Since API 1.42 prune takes only anonymous volumes unless `all`.
        let anonymous_only = req.api_version >= ApiVersion::new(1, 42);
        let engine = self.engine.clone();
        blocking(move || {
            let in_use = |name: &str| engine.volume_in_use(name).is_some();
            let report = volumes::prune(
                &engine.volumes,
                &engine.events,
                &filters,
                anonymous_only,
                &in_use,
            )
            .map_err(api_error)?;
            Ok(VolumePruneReply::Ok(VolumePruneResponse {
                volumes_deleted: Some(report.deleted),
                space_reclaimed: Some(report.reclaimed as i64),
                ..Default::default()
            }))
        })
        .await
    }
}
