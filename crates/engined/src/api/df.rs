//! `GET /system/df` (`docker system df`): what images, containers and
//! volumes hold on disk, as dockerd reports it. engined has no builder,
//! so the build cache is always empty.

use std::collections::BTreeMap;
use std::time::SystemTime;

use engine_api::rt::version::ApiVersion;
use engine_api::server::{SystemDataUsageReply, SystemDataUsageRequest};
use engine_api::types::{SystemDataUsageResponse, SystemDataUsageTypeItem, VolumeUsageData};

use super::{image, volume};
use engined_core::containers::list;
use engined_core::engine::Engine;
use engined_core::gojson::nil;
use engined_core::images::layers;
use engined_core::volumes::dir_size;

/// The report for `req` (all kinds when it names none).
pub fn data_usage(engine: &Engine, req: &SystemDataUsageRequest) -> SystemDataUsageReply {
    let wanted =
        |kind: SystemDataUsageTypeItem| req.r#type.is_empty() || req.r#type.contains(&kind);
    let mut records: Vec<_> = engine
        .containers
        .all()
        .into_iter()
        .map(|c| (c.record(), c.layout.dir.clone()))
        .collect();
    // Newest first, as `docker ps` lists them.
    records.sort_by_key(|(r, _)| std::cmp::Reverse(engined_core::time::unix_nanos_of(&r.created)));
    let mut body = SystemDataUsageResponse::default();

    let images = engine.images.list();
    let image_size: BTreeMap<String, i64> = images
        .iter()
        .map(|(i, _)| (i.id.clone(), i.size as i64))
        .collect();
    if wanted(SystemDataUsageTypeItem::Image) {
        let usage = layers::usage(images.iter().map(|(i, _)| &**i));
        body.layers_size = Some(usage.layers_size as i64);
        body.images = Some(
            images
                .iter()
                .map(|(i, names)| {
                    let mut s = image::summary(i, names, req.api_version);
                    s.containers =
                        records.iter().filter(|(r, _)| r.image_id == i.id).count() as i64;
                    // The layers another image stacks too (once on disk).
                    s.shared_size = usage.shared.get(&i.id).copied().unwrap_or(0) as i64;
                    s
                })
                .collect(),
        );
    }
    if wanted(SystemDataUsageTypeItem::Container) {
        let now = SystemTime::now();
        body.containers = Some(
            records
                .iter()
                .map(|(r, dir)| {
                    let mut s = list::summary(r, now);
                    let rw = dir_size(&dir.join("upper")) as i64;
                    // dockerd leaves an empty writable layer's size out.
                    s.size_rw = (rw > 0).then_some(rw);
                    s.size_root_fs = Some(rw + image_size.get(&r.image_id).copied().unwrap_or(0));
                    s
                })
                .collect(),
        );
    }
    if wanted(SystemDataUsageTypeItem::Volume) {
        body.volumes = Some(
            engine
                .volumes
                .list()
                .iter()
                .map(|v| {
                    let mut out = volume::to_api(v);
                    let users = records
                        .iter()
                        .filter(|(r, _)| {
                            r.mounts
                                .iter()
                                .any(|m| m.kind == "volume" && m.name == v.name)
                        })
                        .count();
                    out.usage_data = Some(VolumeUsageData {
                        size: dir_size(&v.mountpoint) as i64,
                        ref_count: users as i64,
                        ..Default::default()
                    });
                    out
                })
                .collect(),
        );
    }
    // No builder: no cache records (null, as dockerd sends none).
    nil(&mut body.rest, "BuildCache", &body.build_cache);
    if req.api_version < ApiVersion::new(1, 42) {
        body.rest
            .fields_mut()
            .insert("BuilderSize".into(), serde_json::Value::from(0));
    }
    SystemDataUsageReply::Ok(body)
}
