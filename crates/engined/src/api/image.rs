//! Image operations: import (`docker import`), list, inspect, tag, delete,
//! prune, history, save and load, commit, build (the classic builder)
//! and its cache prune, with dockerd's status codes, messages and events, and pull
//! (`fromImage`) and push, whose progress streams while the layers move.
//! Request bodies are spooled to a file under the image store before the
//! blocking store work starts; `docker save` streams as it is written.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use engine_api::rt::error::ApiError;
use engine_api::rt::server::BodyStream;
use engine_api::rt::version::ApiVersion;
use engine_api::server::{
    BuildPruneReply, BuildPruneRequest, ImageApi, ImageBuildReply, ImageBuildRequest,
    ImageCommitReply, ImageCommitRequest, ImageCreateReply, ImageCreateRequest, ImageDeleteReply,
    ImageDeleteRequest, ImageGetAllReply, ImageGetAllRequest, ImageGetReply, ImageGetRequest,
    ImageHistoryReply, ImageHistoryRequest, ImageInspectReply, ImageInspectRequest, ImageListReply,
    ImageListRequest, ImageLoadReply, ImageLoadRequest, ImagePruneReply, ImagePruneRequest,
    ImagePushReply, ImagePushRequest, ImageSearchReply, ImageSearchRequest, ImageTagReply,
    ImageTagRequest,
};
use engine_api::types::{
    BuildInfo, BuildPruneResponse, CreateImageInfo, ErrorDetail, EventMessageType, IdResponse,
    ImageDeleteResponseItem, ImageHistoryResponseItem, ImageId, ImagePruneResponse, ImageSummary,
};
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use super::error::{api_error, bad_request, internal, not_implemented};
use super::DaemonApi;
use engined_core::builder::commit::{self, CommitOptions};
use engined_core::builder::prune::PruneFilter;
use engined_core::builder::{self, BuildOptions, Message, Output, PullFrom};
use engined_core::engine::{Engine, STORAGE_DRIVER};
use engined_core::images::build_cache::{PruneRule, Record};
use engined_core::images::progress::Host;
use engined_core::images::registry::{search, Credentials, Settings};
use engined_core::images::{
    self, pull, push, Image, ImageError, ImageFilter, ImportOptions, Intermediates, Reference,
    Removed,
};

/// Runs blocking store work off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| internal("image operation failed", e))?
}

/// A request body written to a file that is removed when this is dropped.
struct Spooled(PathBuf);

impl Drop for Spooled {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

async fn spool(engine: &Engine, body: BodyStream) -> Result<Spooled, ApiError> {
    spool_at_most(engine, body, u64::MAX, "").await
}

/// [`spool`], refusing (with `too_large`, the file gone) a body of more
/// than `limit` bytes as soon as it passes the limit.
async fn spool_at_most(
    engine: &Engine,
    mut body: BodyStream,
    limit: u64,
    too_large: &str,
) -> Result<Spooled, ApiError> {
    let spooled = Spooled(engine.images.spool_path());
    let mut file = tokio::fs::File::create(&spooled.0)
        .await
        .map_err(|e| internal("cannot store the request body", e))?;
    let mut written: u64 = 0;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| bad_request(format!("reading the request body: {e}")))?;
        written = written.saturating_add(chunk.len() as u64);
        if written > limit {
            return Err(bad_request(too_large));
        }
        file.write_all(&chunk)
            .await
            .map_err(|e| internal("cannot store the request body", e))?;
    }
    file.flush()
        .await
        .map_err(|e| internal("cannot store the request body", e))?;
    Ok(spooled)
}

/// One build message as the API's `BuildInfo`.
fn build_info(message: Message) -> BuildInfo {
    match message {
        Message::Stream(text) => BuildInfo {
            stream: Some(text),
            ..Default::default()
        },
        Message::Aux(id) => BuildInfo {
            aux: Some(ImageId {
                id: Some(id),
                ..Default::default()
            }),
            ..Default::default()
        },
        Message::Error(message) => BuildInfo {
            error: Some(message.clone()),
            error_detail: Some(ErrorDetail {
                message: Some(message),
                ..Default::default()
            }),
            ..Default::default()
        },
    }
}

/// Publishes an image event; `name` is the attribute dockerd sets.
fn publish(engine: &Engine, action: &str, id: &str, name: &str, image: Option<&Image>) {
    let mut attributes: BTreeMap<String, String> = image
        .and_then(|i| i.config.config.as_ref())
        .and_then(|c| c.labels.clone())
        .unwrap_or_default();
    attributes.insert("name".to_string(), name.to_string());
    engine
        .events
        .publish(EventMessageType::Image, action, id, attributes);
}

fn image_users(engine: &Engine) -> impl Fn(&str) -> Option<engined_core::images::ImageUser> + '_ {
    move |id| engine.image_in_use(id)
}

/// What the store held before a removal: images by ID, and names -> ID.
struct Before {
    images: BTreeMap<String, Arc<Image>>,
    names: BTreeMap<String, String>,
}

impl Before {
    fn take(engine: &Engine) -> Before {
        let mut before = Before {
            images: BTreeMap::new(),
            names: BTreeMap::new(),
        };
        for (image, names) in engine.images.list() {
            for n in names {
                before.names.insert(n.to_string(), image.id.clone());
            }
            before.images.insert(image.id.clone(), image);
        }
        before
    }
}

/// The answer items of a removal, publishing `untag` and `delete` events.
fn removed_items(
    engine: &Engine,
    removed: &[Removed],
    before: &Before,
) -> Vec<ImageDeleteResponseItem> {
    removed
        .iter()
        .map(|r| match r {
            Removed::Untagged(name) => {
                if let Some(id) = before.names.get(name) {
                    publish(
                        engine,
                        "untag",
                        id,
                        id,
                        before.images.get(id).map(|i| i.as_ref()),
                    );
                }
                ImageDeleteResponseItem {
                    untagged: Some(name.clone()),
                    ..Default::default()
                }
            }
            Removed::Deleted(id) => {
                if let Some(image) = before.images.get(id) {
                    publish(engine, "delete", id, id, Some(image));
                }
                ImageDeleteResponseItem {
                    deleted: Some(id.clone()),
                    ..Default::default()
                }
            }
        })
        .collect()
}

pub(super) fn summary(image: &Image, names: &[Reference], version: ApiVersion) -> ImageSummary {
    let size = image.size as i64;
    ImageSummary {
        id: image.id.clone(),
        parent_id: image.config.parent.clone().unwrap_or_default(),
        repo_tags: Some(names.iter().map(|n| n.to_string()).collect()),
        repo_digests: (!image.meta.repo_digests.is_empty())
            .then(|| image.meta.repo_digests.clone()),
        created: image.config.created_unix(),
        size,
        shared_size: -1,
        virtual_size: (version < ApiVersion::new(1, 44)).then_some(size),
        labels: image.config.config.as_ref().and_then(|c| c.labels.clone()),
        containers: -1,
        ..Default::default()
    }
}

/// An image with the names to record for it.
type Named = (Arc<Image>, Vec<Reference>);

/// The images `docker save <name>` exports and the names it records for
/// them: none for an ID, every tagged image of the repository for a bare
/// repository name, else the name itself.
fn save_selection(engine: &Engine, name: &str) -> Result<Vec<Named>, ApiError> {
    let image = engine.images.get(name).map_err(api_error)?;
    // `get` found it; if not through one of its names, then by ID.
    let reference = match Reference::parse(name) {
        Ok(r) if engine.images.tags_of(&image.id).contains(&r) => r,
        _ => return Ok(vec![(image, Vec::new())]),
    };
    if engined_core::images::split_tag(name).1.is_some() {
        return Ok(vec![(image, vec![reference])]);
    }
    Ok(engine
        .images
        .list()
        .into_iter()
        .map(|(image, names)| {
            let names: Vec<Reference> = names
                .into_iter()
                .filter(|n| n.repo == reference.repo)
                .collect();
            (image, names)
        })
        .filter(|(_, names)| !names.is_empty())
        .collect())
}

/// A `Write` that hands chunks to an async stream; it fails once the
/// receiver (the client connection) is gone.
struct ChannelWriter(tokio::sync::mpsc::Sender<io::Result<Bytes>>);

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .blocking_send(Ok(Bytes::copy_from_slice(buf)))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl DaemonApi {
    /// `GET /images/get` and `/images/{name}/get`.
    async fn save(
        &self,
        names: Vec<String>,
    ) -> Result<engine_api::rt::server::ByteStream, ApiError> {
        let engine = self.engine.clone();
        let mut selected: Vec<Named> = Vec::new();
        for name in &names {
            for (image, refs) in save_selection(&engine, name)? {
                match selected.iter_mut().find(|(i, _)| i.id == image.id) {
                    Some((_, existing)) => {
                        for r in refs {
                            if !existing.contains(&r) {
                                existing.push(r);
                            }
                        }
                    }
                    None => selected.push((image, refs)),
                }
            }
        }
        let (tx, mut rx) = tokio::sync::mpsc::channel::<io::Result<Bytes>>(8);
        tokio::task::spawn_blocking(move || {
            let sender = tx.clone();
            let mut out = io::BufWriter::with_capacity(256 * 1024, ChannelWriter(tx));
            let result = engine
                .images
                .save(&selected, &mut out)
                .and_then(|()| out.flush().map_err(ImageError::Body));
            match result {
                Ok(()) => {
                    for (image, _) in &selected {
                        publish(&engine, "save", &image.id, &image.id, Some(image));
                    }
                }
                Err(e) => {
                    tracing::warn!("docker save: {e}");
                    let _ = sender.blocking_send(Err(io::Error::other(e.to_string())));
                }
            }
        });
        let stream = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
        Ok(Box::pin(stream))
    }

    /// The registry settings of the configuration in force now.
    pub(super) fn registry_settings(&self) -> Arc<Settings> {
        Arc::new(Settings::from_config(self.engine.snapshot().config()))
    }

    /// `POST /images/create?fromImage=`: one core call; the reply streams
    /// its progress and cancels the pull when the client goes away.
    async fn pull(
        &self,
        req: ImageCreateRequest,
        from: String,
    ) -> Result<ImageCreateReply, ApiError> {
        let request = pull::PullRequest {
            from,
            tag: req.tag,
            platform: req.platform,
            credentials: Credentials::from_auth(req.x_registry_auth),
            settings: self.registry_settings(),
        };
        let stream = pull::pull(Arc::new(Transfers(self.engine.clone())), request)
            .await
            .map_err(api_error)?;
        Ok(ImageCreateReply::Ok(stream))
    }
}

/// The engine as pulls and pushes see it: the image store, and the event
/// bus their `pull` / `push` events go to.
struct Transfers(Arc<Engine>);

impl Host for Transfers {
    fn images(&self) -> &engined_core::images::ImageStore {
        &self.0.images
    }

    fn announce(&self, action: &str, name: &str) {
        let image = self.0.images.get(name).ok();
        publish(&self.0, action, name, name, image.as_deref());
    }
}

impl ImageApi for DaemonApi {
    /// `POST /build/prune`: drops the build cache's records the filters
    /// select (all without filters), only the unshared ones unless `all`,
    /// the least recently used first down to `keep-storage`, and the
    /// intermediate images only they held.
    async fn build_prune(&self, req: BuildPruneRequest) -> Result<BuildPruneReply, ApiError> {
        let filters = req.filters.map(|f| f.0).unwrap_or_default();
        let filter =
            PruneFilter::parse(&filters, engined_core::time::now_nanos()).map_err(api_error)?;
        let keep_bytes = match req.keep_storage {
            Some(n) if n < 0 => {
                return Err(bad_request(format!(
                    "invalid keep-storage {n}: it cannot be negative"
                )))
            }
            n => n.unwrap_or(0) as u64,
        };
        let all = req.all.unwrap_or(false);
        let engine = self.engine.clone();
        blocking(move || {
            let in_use = |id: &str| engine.image_in_use(id).is_some();
            let select =
                |key: &str, r: &Record, shared: bool| filter.matches(key, r, shared, &in_use);
            let rule = PruneRule {
                select: &select,
                in_use: &in_use,
                all,
                keep_bytes,
            };
            let pruned = engine
                .build_cache
                .prune(&engine.images, &rule)
                .map_err(|e| internal("pruning the build cache", e))?;
            Ok(BuildPruneReply::Ok(BuildPruneResponse {
                caches_deleted: Some(pruned.records),
                space_reclaimed: Some(pruned.reclaimed as i64),
                ..Default::default()
            }))
        })
        .await
    }

    /// `POST /build`: the context is spooled, then one core call runs
    /// the build while its messages stream back.
    async fn image_build(&self, req: ImageBuildRequest) -> Result<ImageBuildReply, ApiError> {
        let json_map = |what: &str,
                        text: Option<&str>|
         -> Result<BTreeMap<String, Option<String>>, ApiError> {
            match text.filter(|t| !t.is_empty()) {
                None => Ok(BTreeMap::new()),
                Some(t) => {
                    serde_json::from_str(t).map_err(|e| bad_request(format!("invalid {what}: {e}")))
                }
            }
        };
        let build_args = json_map("buildargs", req.buildargs.as_deref())?;
        let labels = json_map("labels", req.labels.as_deref())?
            .into_iter()
            .map(|(k, v)| (k, v.unwrap_or_default()))
            .collect();
        let tags = req
            .t
            .iter()
            .filter(|t| !t.is_empty())
            .map(|t| Reference::parse(t).map_err(api_error))
            .collect::<Result<Vec<_>, _>>()?;
        // dockerd reads `pull` as a boolean where anything but an empty
        // value, `0`, `no`, `false` or `none` is true.
        let pull = req.pull.as_deref().map(str::trim).is_some_and(|p| {
            !matches!(
                p.to_ascii_lowercase().as_str(),
                "" | "0" | "no" | "false" | "none"
            )
        });
        let pull = if pull {
            let settings = self.registry_settings();
            Some(PullFrom::new(settings, req.x_registry_config.as_deref()).map_err(api_error)?)
        } else {
            None
        };
        let engine = self.engine.clone();
        // The context may not unpack to more than MAX_BYTES; a body
        // larger than that is refused before it fills the disk.
        let too_large = builder::context::too_large();
        let limit = builder::context::MAX_BYTES;
        let body = spool_at_most(&engine, req.body, limit, &too_large).await?;
        let options = BuildOptions {
            dockerfile: req.dockerfile,
            tags,
            remote: req.remote,
            no_cache: req.nocache,
            remove: req.rm,
            force_remove: req.forcerm,
            build_args,
            labels,
            network_mode: req.networkmode.filter(|n| !n.is_empty()),
            target: req.target,
            platform: req.platform,
            pull,
            context: body.0.clone(),
        };
        let (out, messages) = Output::new(req.q);
        tokio::spawn(async move {
            let failed = builder::build(engine, options, out.clone()).await.err();
            drop(body);
            if let Some(e) = failed {
                out.error(e.to_string()).await;
            }
        });
        let stream = futures_util::stream::unfold(messages, |mut rx| async move {
            let message = rx.recv().await?;
            Some((build_info(message), rx))
        });
        Ok(ImageBuildReply::Ok(Box::pin(stream)))
    }

    async fn image_list(&self, req: ImageListRequest) -> Result<ImageListReply, ApiError> {
        let engine = self.engine.clone();
        let filters = req.filters.map(|f| f.0).unwrap_or_default();
        let filter = ImageFilter::list(&engine.images, &filters).map_err(api_error)?;
        let all = engine.images.list();
        // dockerd lists the untagged parents of other images with `-a` only.
        let hidden = if req.all {
            Intermediates::default()
        } else {
            Intermediates::of(&all)
        };
        let images = all
            .into_iter()
            .filter(|(image, names)| !hidden.contains(image, names) && filter.matches(image, names))
            .map(|(image, names)| summary(&image, &filter.shown_names(&names), req.api_version))
            .collect();
        Ok(ImageListReply::Ok(images))
    }

    /// `POST /images/{name}/push`: one core call; the reply streams its
    /// progress and cancels the push when the client goes away.
    async fn image_push(&self, req: ImagePushRequest) -> Result<ImagePushReply, ApiError> {
        let request = push::PushRequest {
            name: req.name,
            tag: req.tag,
            credentials: Credentials::from_auth(Some(req.x_registry_auth)),
            settings: self.registry_settings(),
        };
        let stream = push::push(Arc::new(Transfers(self.engine.clone())), request)
            .await
            .map_err(api_error)?;
        Ok(ImagePushReply::Ok(stream))
    }

    async fn image_create(&self, req: ImageCreateRequest) -> Result<ImageCreateReply, ApiError> {
        if let Some(from) = req.from_image.clone().filter(|f| !f.is_empty()) {
            return self.pull(req, from).await;
        }
        let source = req.from_src.clone().unwrap_or_default();
        if source != "-" {
            return Err(if source.is_empty() {
                bad_request("fromImage or fromSrc is required")
            } else {
                not_implemented(format!("importing from {source} is not supported: engined has no network access; send the tar in the request body (fromSrc=-)"))
            });
        }
        let reference = optional_reference(req.repo.as_deref(), req.tag.as_deref())?;
        let options = ImportOptions {
            reference,
            changes: req.changes,
            message: req.message,
            platform: req.platform,
            source,
        };
        let engine = self.engine.clone();
        let body = spool(&engine, req.body).await?;
        let id = blocking(move || {
            let (id, _) = engine.images.import(&body.0, &options).map_err(api_error)?;
            drop(body);
            let image = engine.images.get(&id).ok();
            // dockerd tags first, then announces the import.
            if let Some(reference) = &options.reference {
                publish(
                    &engine,
                    "tag",
                    &id,
                    &reference.to_string(),
                    image.as_deref(),
                );
            }
            publish(&engine, "import", &id, &id, image.as_deref());
            Ok(id)
        })
        .await?;
        let info = CreateImageInfo {
            status: Some(id),
            ..Default::default()
        };
        Ok(ImageCreateReply::Ok(Box::pin(futures_util::stream::iter(
            [info],
        ))))
    }

    /// `POST /commit`: one core call; the tag event as `docker tag`'s.
    async fn image_commit(&self, req: ImageCommitRequest) -> Result<ImageCommitReply, ApiError> {
        let container = req
            .container
            .filter(|c| !c.is_empty())
            .ok_or_else(|| bad_request("container is required"))?;
        let reference = optional_reference(req.repo.as_deref(), req.tag.as_deref())?;
        let options = CommitOptions {
            container,
            reference: reference.clone(),
            comment: req.comment.unwrap_or_default(),
            author: req.author.unwrap_or_default(),
            pause: req.pause,
            changes: req.changes.into_iter().collect(),
            config: req.body,
        };
        let committed = commit::commit(&self.engine, options)
            .await
            .map_err(api_error)?;
        if let Some(reference) = reference {
            let image = self.engine.images.get(&committed.id).ok();
            publish(
                &self.engine,
                "tag",
                &committed.id,
                &reference.to_string(),
                image.as_deref(),
            );
        }
        Ok(ImageCommitReply::Created(IdResponse {
            id: committed.id,
            ..Default::default()
        }))
    }

    async fn image_inspect(&self, req: ImageInspectRequest) -> Result<ImageInspectReply, ApiError> {
        let image = self.engine.images.get(&req.name).map_err(api_error)?;
        let names = self.engine.images.tags_of(&image.id);
        Ok(ImageInspectReply::Ok(images::inspect(
            &image,
            &names,
            req.api_version,
            STORAGE_DRIVER,
        )))
    }

    async fn image_history(&self, req: ImageHistoryRequest) -> Result<ImageHistoryReply, ApiError> {
        let image = self.engine.images.get(&req.name).map_err(api_error)?;
        let lines = self
            .engine
            .images
            .history(&image)
            .into_iter()
            .map(|l| ImageHistoryResponseItem {
                id: l.id,
                created: l.created,
                created_by: l.created_by,
                tags: Some(l.tags),
                size: l.size,
                comment: l.comment,
                ..Default::default()
            })
            .collect();
        Ok(ImageHistoryReply::Ok(lines))
    }

    /// `GET /images/search`: one core call on the registry the term names.
    async fn image_search(&self, req: ImageSearchRequest) -> Result<ImageSearchReply, ApiError> {
        let filters = req.filters.map(|f| f.0).unwrap_or_default();
        let hits = search::search(
            &req.term,
            req.limit,
            &filters,
            None,
            self.registry_settings(),
        )
        .await
        .map_err(|e| api_error(ImageError::from(e)))?;
        Ok(ImageSearchReply::Ok(hits))
    }

    async fn image_tag(&self, req: ImageTagRequest) -> Result<ImageTagReply, ApiError> {
        let repo = req
            .repo
            .filter(|r| !r.is_empty())
            .ok_or_else(|| bad_request("repository name must have at least one component"))?;
        let reference = match req.tag.as_deref().filter(|t| !t.is_empty()) {
            Some(tag) => Reference::from_parts(&repo, tag),
            None => Reference::parse(&repo),
        }
        .map_err(api_error)?;
        let engine = self.engine.clone();
        blocking(move || {
            let (id, _) = engine
                .images
                .tag(&req.name, reference.clone())
                .map_err(api_error)?;
            let image = engine.images.get(&id).ok();
            publish(
                &engine,
                "tag",
                &id,
                &reference.to_string(),
                image.as_deref(),
            );
            Ok(ImageTagReply::Created)
        })
        .await
    }

    async fn image_delete(&self, req: ImageDeleteRequest) -> Result<ImageDeleteReply, ApiError> {
        let engine = self.engine.clone();
        blocking(move || {
            let before = Before::take(&engine);
            let parent = engine
                .images
                .get(&req.name)
                .ok()
                .and_then(|i| i.config.parent.clone());
            let mut removed = engine
                .images
                .delete(&req.name, req.force, &image_users(&engine))
                .map_err(api_error)?;
            // dockerd's rmi takes the untagged parents along (not with
            // `noprune`): a built image's steps go with it.
            let deleted = removed.iter().any(|r| matches!(r, Removed::Deleted(_)));
            if deleted && !req.noprune {
                let parents = engine
                    .images
                    .delete_untagged_parents(parent, &image_users(&engine))
                    .map_err(api_error)?;
                removed.extend(parents);
            }
            let items = removed_items(&engine, &removed, &before);
            Ok(ImageDeleteReply::Ok(items))
        })
        .await
    }

    async fn image_prune(&self, req: ImagePruneRequest) -> Result<ImagePruneReply, ApiError> {
        let engine = self.engine.clone();
        let filters = req.filters.map(|f| f.0).unwrap_or_default();
        let filter = ImageFilter::prune(&filters).map_err(api_error)?;
        blocking(move || {
            let before = Before::take(&engine);
            // An untagged parent stays while a child stands; once its
            // children are gone the next pass may take it, as dockerd
            // removes a pruned image's untagged parents with it.
            let mut removed = Vec::new();
            let mut reclaimed = 0;
            loop {
                let parents = Intermediates::of(&engine.images.list());
                let select = |image: &Image, names: &[Reference]| {
                    !parents.contains(image, names) && filter.matches(image, names)
                };
                let (pass, bytes) = engine
                    .images
                    .prune(&select, &image_users(&engine))
                    .map_err(api_error)?;
                if pass.is_empty() {
                    break;
                }
                removed.extend(pass);
                reclaimed += bytes;
            }
            let items = removed_items(&engine, &removed, &before);
            engine
                .events
                .publish_prune(EventMessageType::Image, reclaimed);
            Ok(ImagePruneReply::Ok(ImagePruneResponse {
                images_deleted: Some(items),
                space_reclaimed: Some(reclaimed as i64),
                ..Default::default()
            }))
        })
        .await
    }

    async fn image_get(&self, req: ImageGetRequest) -> Result<ImageGetReply, ApiError> {
        Ok(ImageGetReply::Ok(self.save(vec![req.name]).await?))
    }

    async fn image_get_all(&self, req: ImageGetAllRequest) -> Result<ImageGetAllReply, ApiError> {
        if req.names.is_empty() {
            return Err(bad_request("no image names given"));
        }
        Ok(ImageGetAllReply::Ok(self.save(req.names).await?))
    }

    async fn image_load(&self, req: ImageLoadRequest) -> Result<ImageLoadReply, ApiError> {
        let engine = self.engine.clone();
        let body = spool(&engine, req.body).await?;
        let messages = blocking(move || {
            let loaded = engine.images.load(&body.0).map_err(api_error)?;
            drop(body);
            let mut messages = Vec::new();
            for l in &loaded {
                let image = engine.images.get(&l.id).ok();
                publish(&engine, "load", &l.id, &l.id, image.as_deref());
                for (name, old) in &l.replaced {
                    messages.push(serde_json::json!({
                        "stream": format!("The image {name} already exists, renaming the old one with ID {old} to empty string\n")
                    }));
                }
                for name in &l.tags {
                    messages.push(serde_json::json!({"stream": format!("Loaded image: {name}\n")}));
                }
                if l.tags.is_empty() {
                    messages.push(serde_json::json!({"stream": format!("Loaded image ID: {}\n", l.id)}));
                }
            }
            Ok(messages)
        })
        .await?;
        Ok(ImageLoadReply::Ok(Box::pin(futures_util::stream::iter(
            messages,
        ))))
    }
}

/// The `repo` and `tag` query parameters of import and commit as one
/// reference: none without a repo; the repo's own tag (or `latest`)
/// without a tag.
fn optional_reference(
    repo: Option<&str>,
    tag: Option<&str>,
) -> Result<Option<Reference>, ApiError> {
    let Some(repo) = repo.filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    match tag.filter(|t| !t.is_empty()) {
        Some(tag) => Reference::from_parts(repo, tag),
        None => Reference::parse(repo),
    }
    .map(Some)
    .map_err(api_error)
}
