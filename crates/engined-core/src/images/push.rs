//! `docker push`: every layer of the image (each unless the repository
//! already has it, or can mount it from another repository of the same
//! registry that engined pushed to or pulled from), then the config, then
//! a Docker v2 schema 2 manifest under the tag; progress in dockerd's
//! message shapes, a `push` event, and the pushed digest recorded in
//! `RepoDigests`.
//!
//! Layers go as uncompressed tars (the kept blob, or rebuilt from the
//! layer's files through its tar-split), with the media
//! type that says so (`application/vnd.docker.image.rootfs.diff.tar`):
//! the blob digest is then the layer's diff ID, so a second push of the
//! same image finds every layer present and writes the same manifest
//! digest, and a mount needs no table of compressed digests. The cost is
//! bytes on the wire, which local registries do not mind.

use std::collections::BTreeSet;
use std::sync::Arc;

use bytes::Bytes;
use engine_api::types::{ProgressDetail, PushImageInfo};
use serde::Serialize;
use serde_json::json;
use tokio::sync::Semaphore;

use super::error::ImageError;
use super::progress::{self, Host, MessageStream, Sender, Throttle};
use super::reference::Reference;
use super::registry::{Credentials, RegistryError, RemoteName, Session, Settings, Target, Upload};
use super::store::{short_id, Image, ImageStore};

const MANIFEST_TYPE: &str = "application/vnd.docker.distribution.manifest.v2+json";
const CONFIG_TYPE: &str = "application/vnd.docker.container.image.v1+json";
const LAYER_TYPE: &str = "application/vnd.docker.image.rootfs.diff.tar";

/// What `POST /images/{name}/push` asks for.
#[derive(Debug, Clone, Default)]
pub struct PushRequest {
    /// The repository, `host[:port]/path`.
    pub name: String,
    /// One tag; `None` pushes every tag of the repository.
    pub tag: Option<String>,
    pub credentials: Option<Credentials>,
    /// The daemon's registry settings when the push starts.
    pub settings: Arc<Settings>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Manifest<'a> {
    schema_version: u32,
    media_type: &'a str,
    config: Entry<'a>,
    layers: Vec<Entry<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Entry<'a> {
    media_type: &'a str,
    size: u64,
    digest: &'a str,
}

fn message(
    id: Option<&str>,
    status: impl Into<String>,
    detail: Option<(u64, u64)>,
) -> PushImageInfo {
    let mut info = PushImageInfo {
        status: Some(status.into()),
        progress_detail: Some(ProgressDetail {
            current: detail.map(|d| d.0 as i64),
            total: detail.map(|d| d.1 as i64),
            ..Default::default()
        }),
        ..Default::default()
    };
    if let Some(id) = id {
        info.rest.fields_mut().insert("id".into(), json!(id));
    }
    info
}

fn error_message(text: &str) -> PushImageInfo {
    let mut info = PushImageInfo {
        error: Some(text.to_string()),
        ..Default::default()
    };
    info.rest
        .fields_mut()
        .insert("errorDetail".into(), json!({ "message": text }));
    info
}

/// The images to push: the one tag asked for, or every tag of the
/// repository; dockerd's error when there is none.
fn selection(
    store: &ImageStore,
    name: &RemoteName,
    asked: Option<&str>,
) -> Result<Vec<(String, Arc<Image>)>, ImageError> {
    let repo = name.familiar_repo();
    let missing = || {
        ImageError::from(RegistryError::new(
            super::registry::Kind::NotFound,
            format!("An image does not exist locally with the tag: {repo}"),
        ))
    };
    if let Some(tag) = asked {
        let reference = Reference::from_parts(&repo, tag)?;
        let image = store.get(&reference.to_string()).map_err(|_| missing())?;
        return Ok(vec![(tag.to_string(), image)]);
    }
    let mut out: Vec<(String, Arc<Image>)> = store
        .list()
        .into_iter()
        .flat_map(|(image, names)| {
            names
                .into_iter()
                .filter(|n| n.repo == repo)
                .map(move |n| (n.tag, image.clone()))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    if out.is_empty() {
        return Err(missing());
    }
    Ok(out)
}

/// `docker push`: a missing local image is the answer's error; what goes
/// wrong later ends the stream with an `errorDetail`. Dropping the stream
/// cancels the push.
pub async fn push<H: Host>(
    host: Arc<H>,
    request: PushRequest,
) -> Result<MessageStream<PushImageInfo>, ImageError> {
    let asked = request.tag.filter(|t| !t.is_empty());
    let name = RemoteName::parse(&request.name, asked.as_deref())?;
    if let Target::Digest(_) = name.target {
        return Err(RegistryError::invalid(format!(
            "cannot push a digest reference: {}",
            request.name
        ))
        .into());
    }
    let images = selection(host.images(), &name, asked.as_deref())?;
    let session = Session::for_push(&name, request.credentials, request.settings).await;
    Ok(progress::drive(move |tx| async move {
        progress::send(
            &tx,
            message(
                None,
                format!(
                    "The push refers to repository [{}/{}]",
                    name.domain, name.path
                ),
                None,
            ),
        );
        for (tag, image) in images {
            match push_one(host.images(), &session, &image, &tag, &tx).await {
                Ok(()) => host.announce("push", &format!("{}:{tag}", name.familiar_repo())),
                Err(e) => {
                    tracing::warn!("push {}:{tag}: {e}", name.familiar_repo());
                    progress::send(&tx, error_message(&e.to_string()));
                    return;
                }
            }
        }
    }))
}

/// Another repository of the same registry that holds `diff_id`, as far
/// as the store knows (from the `RepoDigests` of images with that layer).
fn mount_source(store: &ImageStore, name: &RemoteName, diff_id: &str) -> Option<String> {
    let prefix = format!("{}/", name.domain);
    store.list().into_iter().find_map(|(image, _)| {
        if !image.layers().iter().any(|l| l == diff_id) {
            return None;
        }
        image.meta.repo_digests.iter().find_map(|d| {
            let (repo, _) = d.split_once('@')?;
            let path = repo.strip_prefix(&prefix)?;
            (path != name.path).then(|| path.to_string())
        })
    })
}

async fn push_one(
    store: &ImageStore,
    session: &Session,
    image: &Image,
    tag: &str,
    tx: &Sender<PushImageInfo>,
) -> Result<(), ImageError> {
    let name = session.name();
    let layers: Vec<String> = image.layers().to_vec();
    let mut unique: Vec<&String> = Vec::new();
    let mut seen = BTreeSet::new();
    for layer in layers.iter().rev() {
        if seen.insert(layer.clone()) {
            unique.push(layer);
        }
    }
    for layer in &unique {
        progress::send(tx, message(Some(&short_id(layer)), "Preparing", None));
    }
    let concurrency = session.max_uploads();
    for layer in unique.iter().skip(concurrency) {
        progress::send(tx, message(Some(&short_id(layer)), "Waiting", None));
    }
    let semaphore = Arc::new(Semaphore::new(concurrency));
    let uploads = unique.iter().map(|diff_id| {
        let semaphore = semaphore.clone();
        async move {
            let _permit = semaphore
                .acquire()
                .await
                .map_err(|e| RegistryError::local("upload queue", e))?;
            push_layer(store, session, diff_id, tx).await
        }
    });
    futures_util::future::try_join_all(uploads).await?;

    let config = store.config_bytes(image)?;
    let config_size = config.len() as u64;
    let config_digest = session.put_small_blob(Bytes::from(config)).await?;
    if config_digest != image.id {
        return Err(RegistryError::new(
            super::registry::Kind::Integrity,
            format!(
                "the stored config of {} has digest {config_digest}",
                image.id
            ),
        )
        .into());
    }
    let sizes = layers
        .iter()
        .map(|l| store.layer_tar_size(l))
        .collect::<Result<Vec<u64>, ImageError>>()?;
    let manifest = Manifest {
        schema_version: 2,
        media_type: MANIFEST_TYPE,
        config: Entry {
            media_type: CONFIG_TYPE,
            size: config_size,
            digest: &config_digest,
        },
        layers: layers
            .iter()
            .zip(&sizes)
            .map(|(digest, size)| Entry {
                media_type: LAYER_TYPE,
                size: *size,
                digest,
            })
            .collect(),
    };
    let bytes = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| RegistryError::local("encoding the manifest", e))?;
    let size = bytes.len() as u64;
    let digest = session
        .put_manifest(tag, MANIFEST_TYPE, Bytes::from(bytes))
        .await?;
    tokio::task::block_in_place(|| {
        let _writer = store.writer();
        store.add_repo_digest(&image.id, &name.repo_digest(&digest))
    })?;
    progress::send(
        tx,
        message(None, format!("{tag}: digest: {digest} size: {size}"), None),
    );
    let mut aux = PushImageInfo {
        progress_detail: Some(ProgressDetail::default()),
        ..Default::default()
    };
    aux.rest.fields_mut().insert(
        "aux".into(),
        json!({ "Tag": tag, "Digest": digest, "Size": size }),
    );
    progress::send(tx, aux);
    Ok(())
}

async fn push_layer(
    store: &ImageStore,
    session: &Session,
    diff_id: &str,
    tx: &Sender<PushImageInfo>,
) -> Result<(), RegistryError> {
    let short = short_id(diff_id);
    if session.has_blob(diff_id).await? {
        progress::send(tx, message(Some(&short), "Layer already exists", None));
        return Ok(());
    }
    let from = mount_source(store, session.name(), diff_id);
    let at = match session
        .start_upload(from.as_deref().map(|f| (diff_id, f)))
        .await?
    {
        Upload::Mounted => {
            let from = from.unwrap_or_default();
            progress::send(
                tx,
                message(Some(&short), format!("Mounted from {from}"), None),
            );
            return Ok(());
        }
        Upload::At(at) => at,
    };
    // Rebuilt from the layer's files when the store keeps no tar of it.
    let file = tokio::task::block_in_place(|| store.layer_file(diff_id))
        .map_err(|e| RegistryError::local("reading the layer", e))?;
    let total = file.size;
    let sender = tx.clone();
    let id = short.clone();
    let mut throttle = Throttle::new(total);
    let report = Box::new(move |done: u64| {
        if throttle.due(done) {
            progress::send(&sender, message(Some(&id), "Pushing", Some((done, total))));
        }
    });
    session
        .put_file_blob(&at, diff_id, &file.path, total, report)
        .await?;
    progress::send(tx, message(Some(&short), "Pushed", None));
    Ok(())
}
