//! `docker pull`: resolve a name to one image manifest (through indexes,
//! for the asked or the host's platform), then fetch what the store lacks
//! (config first, up to `max-concurrent-downloads` layers at once, each a
//! task of its own, verified while it streams into the store's spool
//! area) and add the image as `docker load` does: layers decompressed
//! into blobs named by their diff ID and checked against the config, and
//! unpacked in order, each as soon as it and those below it are in (so
//! unpacking overlaps the downloads still running), then the image
//! recorded and the tag written last. What a failed or cancelled pull
//! added is removed again. Docker Hub names try each `registry-mirrors`
//! entry first. Progress goes out in dockerd's JSON message
//! shapes, which the docker CLI draws as per-layer bars.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use std::sync::Arc;

use engine_api::types::{CreateImageInfo, ErrorDetail, ProgressDetail};
use tokio::sync::Semaphore;

use super::config::ImageConfig;
use super::error::ImageError;
use super::layers;
use super::progress::{self, AbortOnDrop, Host, MessageStream, Throttle};
use super::registry::{
    select, Credentials, Descriptor, Fetched, ImageManifest, Kind, Manifest, Platform,
    RegistryError, RemoteName, Session, Settings, DEFAULT_DOMAIN, MAX_DEPTH,
};
use super::store::{decompressed, ensure_layers, short_id, ImageStore};

/// A name resolved to one image manifest, ready to fetch.
pub struct Plan {
    session: Arc<Session>,
    pub name: RemoteName,
    /// The digest the name pointed at (an index's when it was one):
    /// what `RepoDigests` records.
    pub digest: String,
    manifest: ImageManifest,
    /// The platform asked for, checked against the config.
    platform: Option<Platform>,
    /// Layers fetched at once.
    concurrency: usize,
}

/// What a finished pull did.
#[derive(Debug, Clone)]
pub struct Pulled {
    pub id: String,
    /// False when the image was already stored ("Image is up to date").
    pub downloaded: bool,
}

/// Where progress messages go.
pub type Progress = progress::Sender<CreateImageInfo>;

/// What `POST /images/create?fromImage=` asks for.
#[derive(Debug, Clone, Default)]
pub struct PullRequest {
    /// `fromImage`: `name[:tag]` or `name@digest`.
    pub from: String,
    /// `tag`: a tag or a digest, when not part of `from`.
    pub tag: Option<String>,
    /// `platform`: `os[/arch[/variant]]`, empty for this host's.
    pub platform: String,
    pub credentials: Option<Credentials>,
    /// The daemon's registry settings when the pull starts.
    pub settings: Arc<Settings>,
}

/// `docker pull`: errors found before anything is fetched (a bad name or
/// platform, an unknown repository or tag, no manifest for the platform)
/// are returned; later ones end the progress stream as an `errorDetail`
/// message. Dropping the stream cancels the pull.
pub async fn pull<H: Host>(
    host: Arc<H>,
    request: PullRequest,
) -> Result<MessageStream<CreateImageInfo>, ImageError> {
    let name = RemoteName::parse(&request.from, request.tag.as_deref())?;
    let platform = if request.platform.is_empty() {
        None
    } else {
        Some(Platform::parse(&request.platform)?)
    };
    let plan = resolve_with(name, platform, request.credentials, request.settings).await?;
    Ok(progress::drive(move |tx| async move {
        let shown = plan.name.familiar();
        match run(host.images(), plan, &tx).await {
            Ok(_) => host.announce("pull", &shown),
            Err(e) => {
                tracing::warn!("pull {shown}: {e}");
                send(&tx, error_info(&e.to_string()));
            }
        }
    }))
}

fn info(
    id: Option<&str>,
    status: impl Into<String>,
    detail: Option<(u64, u64)>,
) -> CreateImageInfo {
    CreateImageInfo {
        id: id.map(String::from),
        status: Some(status.into()),
        progress_detail: id.map(|_| ProgressDetail {
            current: detail.map(|d| d.0 as i64),
            total: detail.map(|d| d.1 as i64),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The message that ends a failed pull's stream.
fn error_info(message: &str) -> CreateImageInfo {
    CreateImageInfo {
        error: Some(message.to_string()),
        error_detail: Some(ErrorDetail {
            message: Some(message.to_string()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn send(progress: &Progress, message: CreateImageInfo) {
    progress::send(progress, message);
}

/// Finds the image manifest `name` stands for on its registry (with the
/// default settings: the unit tests' entry).
#[cfg(test)]
pub(super) async fn resolve(
    name: RemoteName,
    platform: Option<Platform>,
    credentials: Option<Credentials>,
) -> Result<Plan, ImageError> {
    resolve_with(name, platform, credentials, Arc::new(Settings::default())).await
}

/// The session and the top manifest of `name`: for a Docker Hub name,
/// from the first mirror that has it, else from the hub.
async fn first_source(
    name: &RemoteName,
    credentials: Option<Credentials>,
    settings: Arc<Settings>,
) -> Result<(Session, Fetched), ImageError> {
    if name.domain == DEFAULT_DOMAIN {
        for mirror in &settings.mirrors {
            let session = Session::at(name, mirror.clone(), None, settings.clone());
            match session.manifest(name.target_text()).await {
                Ok(top) => {
                    tracing::debug!("pulling {} from the mirror {mirror}", name.familiar());
                    return Ok((session, top));
                }
                Err(e) => tracing::debug!("mirror {mirror} for {}: {e}", name.familiar()),
            }
        }
    }
    let session = Session::with_settings(name, credentials, settings).await;
    let top = session.manifest(name.target_text()).await?;
    Ok((session, top))
}

pub(super) async fn resolve_with(
    name: RemoteName,
    platform: Option<Platform>,
    credentials: Option<Credentials>,
    settings: Arc<Settings>,
) -> Result<Plan, ImageError> {
    let concurrency = settings.max_downloads;
    let (session, top) = first_source(&name, credentials, settings).await?;
    let want = platform.clone().unwrap_or_else(Platform::host);
    let mut current = top.manifest;
    let mut depth = 0;
    let manifest = loop {
        match current {
            Manifest::Image(image) => break image,
            Manifest::Index(entries) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(RegistryError::invalid(format!(
                        "the index of {} nests more than {MAX_DEPTH} levels deep",
                        name.familiar()
                    ))
                    .into());
                }
                let entry = select(&entries, &want).ok_or_else(|| {
                    RegistryError::new(
                        Kind::NotFound,
                        format!("no matching manifest for {want} in the manifest list entries"),
                    )
                })?;
                current = session.manifest(&entry.digest).await?.manifest;
            }
        }
    };
    Ok(Plan {
        session: Arc::new(session),
        name,
        digest: top.digest,
        manifest,
        platform,
        concurrency,
    })
}

/// How much of a spooled layer is read at once.
const READ_BUFFER: usize = 1 << 20;

/// A spool file removed when dropped (unless it was consumed).
struct Spool(PathBuf);

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Fetches and stores what `plan` names, reporting on `progress`.
pub(super) async fn run(
    store: &ImageStore,
    plan: Plan,
    progress: &Progress,
) -> Result<Pulled, ImageError> {
    let name = &plan.name;
    send(
        progress,
        CreateImageInfo {
            id: Some(name.target_text().to_string()),
            status: Some(format!("Pulling from {}", name.path)),
            ..Default::default()
        },
    );
    let config_desc = &plan.manifest.config;
    if store.get(&config_desc.digest).is_ok() {
        let id = config_desc.digest.clone();
        {
            let _writer = store.writer();
            record(store, &plan, &id)?;
        }
        finish(progress, &plan, "Image is up to date for");
        return Ok(Pulled {
            id,
            downloaded: false,
        });
    }
    let layers = &plan.manifest.layers;
    let mut announced = BTreeSet::new();
    for layer in layers {
        if announced.insert(layer.digest.clone()) {
            send(
                progress,
                info(Some(&short_id(&layer.digest)), "Pulling fs layer", None),
            );
        }
    }

    // The config first: it names the diff ID each layer must unpack to.
    let config_spool = Spool(store.spool_path());
    plan.session
        .blob_to_file(config_desc, &config_spool.0, "image config", &mut |_| {})
        .await?;
    let config_bytes = std::fs::read(&config_spool.0)
        .map_err(|e| RegistryError::local("reading the image config", e))?;
    drop(config_spool);
    let config = ImageConfig::parse(&config_desc.digest, &config_bytes)?;
    check_platform(&plan, &config)?;
    let diff_ids = config.rootfs.diff_ids.clone();
    if diff_ids.len() != layers.len() {
        return Err(RegistryError::protocol(format!(
            "the manifest of {} lists {} layers, its config {}",
            name.familiar(),
            layers.len(),
            diff_ids.len()
        ))
        .into());
    }

    // Layers the store lacks, `concurrency` at a time, each download a
    // task of its own; each layer is stored as soon as it and the ones
    // below it are in, while the later ones still download.
    let semaphore = Arc::new(Semaphore::new(plan.concurrency));
    let mut downloads: BTreeMap<usize, Download> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    let mut queued = 0;
    for (i, layer) in layers.iter().enumerate() {
        let short = short_id(&layer.digest);
        if !seen.insert(layer.digest.clone()) {
            continue;
        }
        if store.has_layer(&diff_ids[i]) {
            send(progress, info(Some(&short), "Already exists", None));
            continue;
        }
        if queued >= plan.concurrency {
            send(progress, info(Some(&short), "Waiting", None));
        }
        queued += 1;
        let download = Download::start(
            &plan.session,
            layer,
            Spool(store.spool_path()),
            semaphore.clone(),
            progress,
        );
        downloads.insert(i, download);
    }
    let chains = layers::chain_ids(&diff_ids);
    let mut undo = Undo::new(store);
    let stored: Result<(), ImageError> = async {
        for (i, layer) in layers.iter().enumerate() {
            let short = short_id(&layer.digest);
            let download = downloads.remove(&i);
            let fetched_now = download.is_some();
            if let Some(download) = download {
                let spool = download.finished().await?;
                let size = layer.size;
                send(
                    progress,
                    info(Some(&short), "Extracting", Some((size, size))),
                );
                tokio::task::block_in_place(|| {
                    store_blob(store, layer, spool, &diff_ids[i], &mut undo)
                })?;
            }
            tokio::task::block_in_place(|| {
                let _writer = store.writer();
                if store.layer_store().meta(&chains[i]).is_none() {
                    undo.chains.push(chains[i].clone());
                    ensure_layers(store.blobs(), store.layer_store(), &diff_ids[..=i])?;
                }
                Ok::<_, ImageError>(())
            })?;
            if fetched_now {
                send(progress, info(Some(&short), "Pull complete", None));
            }
        }
        Ok(())
    }
    .await;
    if let Err(e) = stored {
        // The downloads still running own spool files: each is cancelled
        // and waited for, so that none is left once the failure is told.
        for download in std::mem::take(&mut downloads).into_values() {
            download.cancel().await;
        }
        return Err(e);
    }

    // Record: blocking work under the store's writer lock.
    let id = tokio::task::block_in_place(|| {
        let _writer = store.writer();
        let id = store.commit(&config_bytes)?;
        record(store, &plan, &id)?;
        Ok::<_, ImageError>(id)
    })?;
    undo.disarm();
    finish(progress, &plan, "Downloaded newer image for");
    Ok(Pulled {
        id,
        downloaded: true,
    })
}

/// One layer's download, running as a task of its own (aborted when
/// dropped): its spool file once it is verified.
struct Download(AbortOnDrop<Result<Spool, RegistryError>>);

impl Download {
    fn start(
        session: &Arc<Session>,
        layer: &Descriptor,
        spool: Spool,
        semaphore: Arc<Semaphore>,
        progress: &Progress,
    ) -> Download {
        let session = session.clone();
        let layer = layer.clone();
        let progress = progress.clone();
        Download(AbortOnDrop(tokio::spawn(async move {
            let _permit = semaphore
                .acquire_owned()
                .await
                .map_err(|e| RegistryError::local("download queue", e))?;
            let short = short_id(&layer.digest);
            let total = layer.size;
            let mut throttle = Throttle::new(total);
            let mut report = |done: u64| {
                if throttle.due(done) {
                    send(
                        &progress,
                        info(Some(&short), "Downloading", Some((done, total))),
                    );
                }
            };
            session
                .blob_to_file(&layer, &spool.0, "filesystem layer", &mut report)
                .await?;
            send(&progress, info(Some(&short), "Verifying Checksum", None));
            send(&progress, info(Some(&short), "Download complete", None));
            Ok(spool)
        })))
    }

    async fn finished(mut self) -> Result<Spool, RegistryError> {
        match (&mut self.0 .0).await {
            Ok(result) => result,
            Err(e) => Err(RegistryError::local("downloading a layer", e)),
        }
    }

    /// Stops the download and waits until its task is gone (and with it
    /// the spool file it held).
    async fn cancel(mut self) {
        self.0 .0.abort();
        let _ = (&mut self.0 .0).await;
    }
}

/// What a pull added to the store before its image was recorded: removed
/// again (unless an image uses it) when the pull fails or is cancelled.
struct Undo<'a> {
    store: &'a ImageStore,
    blobs: Vec<String>,
    chains: Vec<String>,
    armed: bool,
}

impl<'a> Undo<'a> {
    fn new(store: &'a ImageStore) -> Undo<'a> {
        Undo {
            store,
            blobs: Vec::new(),
            chains: Vec::new(),
            armed: true,
        }
    }

    fn disarm(&mut self) {
        self.armed = false;
    }
}

impl Drop for Undo<'_> {
    fn drop(&mut self) {
        if !self.armed || (self.blobs.is_empty() && self.chains.is_empty()) {
            return;
        }
        let _writer = self.store.writer();
        let used: BTreeSet<String> = self
            .store
            .list()
            .iter()
            .flat_map(|(image, _)| image.chain_ids())
            .collect();
        for chain in self.chains.iter().rev() {
            if !used.contains(chain) {
                if let Err(e) = self.store.layer_store().remove(chain) {
                    tracing::warn!("removing the layer {chain} of a failed pull: {e}");
                }
            }
        }
        for digest in &self.blobs {
            self.store.drop_unused_blob(digest);
        }
    }
}

/// dockerd refuses an image whose config is for another platform than
/// the one asked for.
fn check_platform(plan: &Plan, config: &ImageConfig) -> Result<(), ImageError> {
    let Some(want) = &plan.platform else {
        return Ok(());
    };
    let os = config.os.clone().unwrap_or_default();
    let arch = config.architecture.clone().unwrap_or_default();
    if os != want.os || arch != want.architecture {
        let mut have = format!("{os}/{arch}");
        if let Some(v) = &config.variant {
            have.push_str(&format!("/{v}"));
        }
        return Err(RegistryError::new(
            Kind::NotFound,
            format!(
                "image with reference {} was found but its platform ({have}) does not match the specified platform ({want})",
                plan.name.familiar()
            ),
        )
        .into());
    }
    Ok(())
}

/// Decompresses the downloaded `layer` from its spool into the blob
/// store, checking it against the config's diff ID.
fn store_blob(
    store: &ImageStore,
    layer: &Descriptor,
    spool: Spool,
    diff_id: &str,
    undo: &mut Undo<'_>,
) -> Result<(), ImageError> {
    let _writer = store.writer();
    let file = File::open(&spool.0).map_err(ImageError::io("opening", &spool.0))?;
    let mut reader =
        decompressed(BufReader::with_capacity(READ_BUFFER, file)).map_err(ImageError::Body)?;
    let existed = store.blobs().contains(diff_id);
    let blob = store.blobs().put_reader(&mut reader)?;
    if !existed || blob.digest != diff_id {
        undo.blobs.push(blob.digest.clone());
    }
    if blob.digest != diff_id {
        return Err(RegistryError::new(
            Kind::Integrity,
            format!(
                "layer {} unpacks to {}, but the image config expects {diff_id}",
                layer.digest, blob.digest
            ),
        )
        .into());
    }
    Ok(())
}

/// Writes the repo digest and, for a pull by tag, the tag.
fn record(store: &ImageStore, plan: &Plan, id: &str) -> Result<(), ImageError> {
    store.add_repo_digest(id, &plan.name.repo_digest(&plan.digest))?;
    if let Some(tag) = plan.name.local_tag() {
        store.tag_locked(id, tag)?;
    }
    Ok(())
}

fn finish(progress: &Progress, plan: &Plan, status: &str) {
    send(
        progress,
        CreateImageInfo {
            status: Some(format!("Digest: {}", plan.digest)),
            ..Default::default()
        },
    );
    send(
        progress,
        CreateImageInfo {
            status: Some(format!("Status: {status} {}", plan.name.familiar())),
            ..Default::default()
        },
    );
}
