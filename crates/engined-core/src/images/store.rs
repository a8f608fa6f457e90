//! The image store: what `<data-root>/images/` holds and the operations on
//! it. Layout:
//!
//! - `blobs/sha256/<hex>`: image configs by digest, and the tars of the
//!   layers the layer store cannot rebuild (a tar is stored while its
//!   layer is unpacked, then dropped once its tar-split is known good);
//! - `imagedb/<hex>.json`: one file per image (its presence *is* the
//!   image; it holds the last tag time);
//! - `repositories.json`: the tags;
//! - `layers/<chain hex>/`: each layer unpacked once, shared by every
//!   image whose stack holds it ([`super::layers`]);
//! - `rootfs/<hex>/`: the flattened root filesystem the store kept per
//!   image before it had layers: an upgraded data root keeps these until
//!   their image goes (containers made before the upgrade point at them),
//!   while every image gets its layer directories at open;
//! - `tmp/`: request bodies being received.
//!
//! Writes go blobs -> layers -> imagedb -> tags, each atomic, so a crash at
//! any point leaves either a whole image or unreferenced leftovers, which
//! [`ImageStore::open`] removes.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use engine_api::types::ContainerConfig;
use serde::{Deserialize, Serialize};

use super::blobs::Blobs;
use super::config::{self, ImageConfig};
use super::error::ImageError;
use super::layers::{self, LayerStore};
use super::reference::{id_hex, Reference};
use super::repositories::Tags;
use crate::sync::lock;
use engined_shim::atomic;

/// What a container needs of an image.
#[derive(Debug, Clone)]
pub struct ImageRecord {
    /// `sha256:<64 hex>`, the digest of the image config.
    pub id: String,
    /// `repo:tag` names, sorted.
    pub repo_tags: Vec<String>,
    /// The image's layer directories, bottom first (none for an image of
    /// no layers); never write into them.
    pub layers: Vec<PathBuf>,
    /// The image's container defaults (Cmd, Entrypoint, Env, WorkingDir, ...).
    pub config: ContainerConfig,
}

/// An image as the store knows it.
#[derive(Debug, Clone)]
pub struct Image {
    pub id: String,
    pub config: ImageConfig,
    /// The config bytes' length.
    pub config_size: u64,
    /// The content size of each layer (bytes of its files), bottom first.
    pub layer_sizes: Vec<u64>,
    /// Their sum: what Docker shows as the image's size.
    pub size: u64,
    pub meta: ImageMeta,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ImageMeta {
    #[serde(
        rename = "LastTagTime",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub last_tag_time: Option<String>,
    /// Content size per layer digest, measured when the rootfs was unpacked.
    #[serde(rename = "LayerSizes", default)]
    pub layer_sizes: BTreeMap<String, u64>,
    /// `repo@sha256:<manifest digest>` of each pull that gave this image.
    #[serde(rename = "RepoDigests", default, skip_serializing_if = "Vec::is_empty")]
    pub repo_digests: Vec<String>,
}

impl ImageMeta {
    /// Records the measured sizes of `layers`.
    fn measured(layers: &[String], sizes: &[u64]) -> ImageMeta {
        ImageMeta {
            last_tag_time: None,
            layer_sizes: layers.iter().cloned().zip(sizes.iter().copied()).collect(),
            repo_digests: Vec::new(),
        }
    }
}

/// Each layer's size from `meta`, else the size of its tar.
fn layer_sizes(blobs: &Blobs, layers: &[String], meta: &ImageMeta) -> Vec<u64> {
    layers
        .iter()
        .map(|l| {
            meta.layer_sizes
                .get(l)
                .copied()
                .unwrap_or_else(|| blobs.size(l))
        })
        .collect()
}

impl Image {
    pub fn hex(&self) -> &str {
        self.id.strip_prefix("sha256:").unwrap_or(&self.id)
    }
    pub fn layers(&self) -> &[String] {
        &self.config.rootfs.diff_ids
    }
    /// The chain ID of each layer, bottom first: the names of its
    /// directories in the layer store.
    pub fn chain_ids(&self) -> Vec<String> {
        layers::chain_ids(self.layers())
    }
}

/// How an image is being used by a container, as the containers module
/// answers [`crate::engine::Engine::image_in_use`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageUser {
    pub container_id: String,
    pub running: bool,
}

/// What one `docker import` asks for.
#[derive(Debug, Default)]
pub struct ImportOptions {
    pub reference: Option<Reference>,
    pub changes: Vec<String>,
    pub message: Option<String>,
    /// `os[/arch[/variant]]`; empty means this host.
    pub platform: String,
    /// What the history comment names as the source (`-` for the body).
    pub source: String,
}

/// A change of the tags, for events and answers.
#[derive(Debug, Clone, Default)]
pub struct Tagged {
    /// The image the tag pointed at before, if another one.
    pub replaced: Option<String>,
}

struct State {
    images: BTreeMap<String, Arc<Image>>,
    tags: Tags,
}

pub struct ImageStore {
    root: PathBuf,
    blobs: Blobs,
    layers: LayerStore,
    state: Mutex<State>,
    /// Held by every operation that adds or removes blobs or rootfs
    /// directories, so removal never races an addition of the same content.
    writer: Mutex<()>,
}

impl ImageStore {
    /// Opens (or creates) the store under `<data_root>/images`, finishing
    /// or undoing what a crash interrupted.
    pub fn open(data_root: &Path) -> Result<ImageStore, ImageError> {
        let root = data_root.join("images");
        for dir in ["imagedb", "rootfs", "tmp"] {
            let d = root.join(dir);
            fs::create_dir_all(&d).map_err(ImageError::io("creating", &d))?;
            atomic::sweep_temps(&d).map_err(ImageError::io("cleaning", &d))?;
        }
        atomic::sweep_temps(&root).map_err(ImageError::io("cleaning", &root))?;
        let blobs = Blobs::open(root.join("blobs").join("sha256"))?;
        let layer_store = LayerStore::open(root.join("layers"))?;
        let mut tags = Tags::open(root.join("repositories.json"))?;
        let mut images = BTreeMap::new();
        let db = root.join("imagedb");
        for entry in fs::read_dir(&db).map_err(ImageError::io("listing", &db))? {
            let entry = entry.map_err(ImageError::io("listing", &db))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(hex) = name.strip_suffix(".json") else {
                continue;
            };
            match load_image(&blobs, &layer_store, hex, &entry.path()) {
                Ok(image) => {
                    images.insert(image.id.clone(), Arc::new(image));
                }
                Err(e) => {
                    tracing::warn!("dropping image {hex}: {e}");
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
        // Tags to images that are gone.
        let stale: Vec<Reference> = tags
            .iter()
            .filter(|(_, id)| !images.contains_key(id.as_str()))
            .map(|(r, _)| r.clone())
            .collect();
        tags.remove(&stale)?;
        let store = ImageStore {
            root,
            blobs,
            layers: layer_store,
            state: Mutex::new(State { images, tags }),
            writer: Mutex::new(()),
        };
        store.collect_garbage()?;
        Ok(store)
    }

    /// Where request bodies are spooled while they arrive.
    pub fn spool_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    /// A fresh spool file path for a request body.
    pub fn spool_path(&self) -> PathBuf {
        atomic::temp_path(&self.spool_dir(), "body")
    }

    fn rootfs_path(&self, hex: &str) -> PathBuf {
        self.root.join("rootfs").join(hex)
    }

    /// Finds an image by `sha256:<hex>`, a full or unique short hex ID,
    /// `repo:tag` or `repo` (meaning `repo:latest`).
    pub fn resolve(&self, reference: &str) -> Option<ImageRecord> {
        let state = lock(&self.state);
        let id = find(&state, reference).ok()?;
        let image = state.images.get(&id)?;
        Some(self.record(&state, image))
    }

    fn record(&self, state: &State, image: &Image) -> ImageRecord {
        ImageRecord {
            id: image.id.clone(),
            repo_tags: state
                .tags
                .of(&image.id)
                .iter()
                .map(|r| r.to_string())
                .collect(),
            layers: image
                .chain_ids()
                .iter()
                .map(|c| self.layers.diff_dir(c))
                .collect(),
            config: image.config.container_defaults(),
        }
    }

    /// The image `reference` names, or `NotFound`.
    pub fn get(&self, reference: &str) -> Result<Arc<Image>, ImageError> {
        let state = lock(&self.state);
        let id = find(&state, reference)?;
        state
            .images
            .get(&id)
            .cloned()
            .ok_or_else(|| ImageError::NotFound(reference.to_string()))
    }

    /// Every image with its tags, newest first.
    pub fn list(&self) -> Vec<(Arc<Image>, Vec<Reference>)> {
        let state = lock(&self.state);
        let mut out: Vec<_> = state
            .images
            .values()
            .map(|i| (i.clone(), state.tags.of(&i.id)))
            .collect();
        out.sort_by(|a, b| {
            b.0.config
                .created_nanos()
                .cmp(&a.0.config.created_nanos())
                .then_with(|| a.0.id.cmp(&b.0.id))
        });
        out
    }

    /// Another image names `id` as its parent (a build step's image under
    /// the next step's): dockerd never deletes such an image.
    pub(super) fn has_child(&self, id: &str) -> bool {
        lock(&self.state)
            .images
            .values()
            .any(|i| i.config.parent.as_deref() == Some(id))
    }

    /// The tags of one image.
    pub fn tags_of(&self, id: &str) -> Vec<Reference> {
        lock(&self.state).tags.of(id)
    }

    /// How many images there are (for `/info`).
    pub fn count(&self) -> usize {
        lock(&self.state).images.len()
    }

    /// The stored config bytes of an image (what `docker save` writes).
    pub fn config_bytes(&self, image: &Image) -> Result<Vec<u8>, ImageError> {
        self.blobs.read(&image.id)
    }

    /// Whether the store has the layer `diff_id` (as a blob or as a layer
    /// whose tar it can rebuild): a pull or a load need not fetch it.
    pub fn has_layer(&self, diff_id: &str) -> bool {
        self.blobs.contains(diff_id)
            || self
                .layers
                .with_diff(diff_id)
                .is_ok_and(|l| l.iter().any(|(_, split)| *split))
    }

    /// The tar of the layer `diff_id`, the one at `chain` of an image when
    /// given: rebuilt from its tar-split, else the kept blob.
    pub fn layer_tar(
        &self,
        diff_id: &str,
        chain: Option<&str>,
    ) -> Result<Box<dyn Read + Send>, ImageError> {
        open_layer_tar(&self.blobs, &self.layers, diff_id, chain)
    }

    /// The length of the tar of the layer `diff_id`.
    pub fn layer_tar_size(&self, diff_id: &str) -> Result<u64, ImageError> {
        if self.blobs.contains(diff_id) {
            return Ok(self.blobs.size(diff_id));
        }
        self.layers
            .with_diff(diff_id)?
            .iter()
            .find_map(|(chain, _)| self.layers.meta(chain)?.tar_size)
            .ok_or_else(|| ImageError::BadArchive(format!("layer {diff_id} is missing")))
    }

    /// A file holding the tar of the layer `diff_id` (for an upload): its
    /// blob, or a spool file rebuilt from its tar-split, removed on drop.
    pub fn layer_file(&self, diff_id: &str) -> Result<LayerFile, ImageError> {
        if self.blobs.contains(diff_id) {
            return Ok(LayerFile {
                path: self.blobs.path(diff_id),
                size: self.blobs.size(diff_id),
                spooled: false,
            });
        }
        let mut spool = LayerFile {
            path: atomic::temp_path(&self.spool_dir(), "layer"),
            size: 0,
            spooled: true,
        };
        let mut tar = self.layer_tar(diff_id, None)?;
        let mut file =
            File::create(&spool.path).map_err(ImageError::io("creating", &spool.path))?;
        spool.size = std::io::copy(&mut tar, &mut file).map_err(ImageError::layer_read)?;
        Ok(spool)
    }

    /// Drops the blobs of `diff_ids` that no layer needs: every layer of
    /// that diff has a tar-split. The caller holds the writer lock.
    fn release_blobs(&self, diff_ids: &[String]) -> Result<(), ImageError> {
        for diff in diff_ids {
            if !self.blobs.contains(diff) {
                continue;
            }
            let layers = self.layers.with_diff(diff)?;
            if !layers.is_empty() && layers.iter().all(|(_, split)| *split) {
                self.blobs.remove(diff)?;
            }
        }
        Ok(())
    }

    /// `docker import`: `body` is a file holding a rootfs tar, plain or
    /// gzip-compressed. Returns the new image's ID and what the tag change
    /// replaced.
    pub fn import(
        &self,
        body: &Path,
        options: &ImportOptions,
    ) -> Result<(String, Tagged), ImageError> {
        let mut defaults = ContainerConfig::default();
        super::changes::apply(&mut defaults, &options.changes)?;
        let _writer = lock(&self.writer);
        let file = File::open(body).map_err(ImageError::io("opening", body))?;
        let mut reader = decompressed(BufReader::new(file)).map_err(ImageError::Body)?;
        let layer = self.blobs.put_reader(&mut reader)?;
        let now = config::now_rfc3339();
        let comment = options
            .message
            .clone()
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| format!("Imported from {}", options.source));
        let mut parts = options.platform.split('/');
        let os = parts.next().filter(|s| !s.is_empty()).unwrap_or("linux");
        let arch = parts
            .next()
            .filter(|s| !s.is_empty())
            .unwrap_or(config::host_architecture());
        let variant = parts.next().map(String::from);
        let image_config = ImageConfig {
            architecture: Some(arch.to_string()),
            comment: Some(comment.clone()),
            config: Some(defaults),
            created: Some(now.clone()),
            docker_version: Some(crate::system::ENGINE_VERSION.to_string()),
            history: vec![config::History {
                created: Some(now),
                comment: Some(comment),
                ..Default::default()
            }],
            os: Some(os.to_string()),
            variant,
            rootfs: config::RootFs {
                kind: "layers".into(),
                diff_ids: vec![layer.digest.clone()],
            },
            ..Default::default()
        };
        let bytes = serde_json::to_vec(&image_config).map_err(|e| ImageError::BadConfig {
            id: "new".into(),
            why: e.to_string(),
        })?;
        let id = match self.commit(&bytes) {
            Ok(id) => id,
            Err(e) => {
                self.drop_unused_blob(&layer.digest);
                return Err(e);
            }
        };
        let tagged = match &options.reference {
            Some(reference) => self.tag_locked(&id, reference.clone())?,
            None => Tagged::default(),
        };
        Ok((id, tagged))
    }

    /// `docker commit` and each build step: adds the image `config`
    /// describes, on top of the layers it lists, plus one more layer read
    /// from the plain tar file `layer` when given (its diff ID is
    /// appended to `config.rootfs`). Blobs, then rootfs, then imagedb,
    /// then the tag, as every addition. Returns the ID and the tag change.
    pub fn add_child(
        &self,
        mut config: ImageConfig,
        layer: Option<&Path>,
        reference: Option<Reference>,
    ) -> Result<(String, Tagged), ImageError> {
        let _writer = lock(&self.writer);
        let stored = match layer {
            Some(path) => {
                let file = File::open(path).map_err(ImageError::io("opening", path))?;
                let stored = self.blobs.put_reader(&mut BufReader::new(file))?;
                config.rootfs.diff_ids.push(stored.digest.clone());
                Some(stored)
            }
            None => None,
        };
        config.rootfs.kind = "layers".into();
        let added = serde_json::to_vec(&config)
            .map_err(|e| ImageError::BadConfig {
                id: "new".into(),
                why: e.to_string(),
            })
            .and_then(|bytes| self.commit(&bytes));
        let id = match added {
            Ok(id) => id,
            Err(e) => {
                if let Some(stored) = stored {
                    self.drop_unused_blob(&stored.digest);
                }
                return Err(e);
            }
        };
        let tagged = match reference {
            Some(reference) => self.tag_locked(&id, reference)?,
            None => Tagged::default(),
        };
        Ok((id, tagged))
    }

    /// Adds the image whose config is `bytes` (layers already stored):
    /// unpacks its rootfs, then records it. Returns its ID. The caller
    /// holds the writer lock.
    pub(super) fn commit(&self, bytes: &[u8]) -> Result<String, ImageError> {
        let id = super::blobs::digest_of(bytes);
        let parsed = ImageConfig::parse(&id, bytes)?;
        let chains = layers::chain_ids(&parsed.rootfs.diff_ids);
        for (layer, chain) in parsed.rootfs.diff_ids.iter().zip(&chains) {
            if self.layers.meta(chain).is_none() && !self.has_layer(layer) {
                return Err(ImageError::BadArchive(format!("layer {layer} is missing")));
            }
        }
        if lock(&self.state).images.contains_key(&id) {
            self.release_blobs(&parsed.rootfs.diff_ids)?;
            return Ok(id);
        }
        let hex = id.trim_start_matches("sha256:").to_string();
        let sizes = ensure_layers(&self.blobs, &self.layers, &parsed.rootfs.diff_ids)?;
        let meta = ImageMeta::measured(&parsed.rootfs.diff_ids, &sizes);
        self.blobs.put_bytes(bytes)?;
        let meta_path = self.root.join("imagedb").join(format!("{hex}.json"));
        let meta_bytes = serde_json::to_vec(&meta).map_err(|e| ImageError::BadConfig {
            id: id.clone(),
            why: e.to_string(),
        })?;
        atomic::write_file(&meta_path, &meta_bytes)
            .map_err(ImageError::io("writing", &meta_path))?;
        let sizes = layer_sizes(&self.blobs, &parsed.rootfs.diff_ids, &meta);
        let image = Image {
            id: id.clone(),
            config: parsed,
            config_size: bytes.len() as u64,
            size: sizes.iter().sum(),
            layer_sizes: sizes,
            meta,
        };
        let diff_ids = image.config.rootfs.diff_ids.clone();
        lock(&self.state).images.insert(id.clone(), Arc::new(image));
        self.release_blobs(&diff_ids)?;
        Ok(id)
    }

    /// `docker tag`: points `reference` at the image `source` names.
    pub fn tag(&self, source: &str, reference: Reference) -> Result<(String, Tagged), ImageError> {
        let _writer = lock(&self.writer);
        let id = self.get(source)?.id.clone();
        let tagged = self.tag_locked(&id, reference)?;
        Ok((id, tagged))
    }

    pub(super) fn tag_locked(&self, id: &str, reference: Reference) -> Result<Tagged, ImageError> {
        let mut state = lock(&self.state);
        let old = state.tags.set(reference, id)?;
        let replaced = old.filter(|o| o != id);
        let now = config::now_rfc3339();
        if let Some(image) = state.images.get(id).cloned() {
            let mut image = (*image).clone();
            image.meta.last_tag_time = Some(now);
            let path = self
                .root
                .join("imagedb")
                .join(format!("{}.json", image.hex()));
            if let Ok(bytes) = serde_json::to_vec(&image.meta) {
                atomic::write_file(&path, &bytes).map_err(ImageError::io("writing", &path))?;
            }
            state.images.insert(id.to_string(), Arc::new(image));
        }
        Ok(Tagged { replaced })
    }

    /// Records `repo_digest` (`repo@sha256:...`) for the image `id`; as
    /// with dockerd, digests accumulate (an index's and a manifest's may
    /// both name one image). The caller holds the writer lock.
    pub(super) fn add_repo_digest(&self, id: &str, repo_digest: &str) -> Result<(), ImageError> {
        let mut state = lock(&self.state);
        let Some(image) = state.images.get(id).cloned() else {
            return Err(ImageError::NotFound(id.to_string()));
        };
        if image.meta.repo_digests.iter().any(|d| d == repo_digest) {
            return Ok(());
        }
        let mut image = (*image).clone();
        image.meta.repo_digests.push(repo_digest.to_string());
        image.meta.repo_digests.sort();
        self.write_meta(&mut state, image)
    }

    /// Forgets `repo_digest` of the image `id` (`docker rmi repo@sha256:`).
    pub(super) fn remove_repo_digest(&self, id: &str, repo_digest: &str) -> Result<(), ImageError> {
        let _writer = lock(&self.writer);
        let mut state = lock(&self.state);
        let Some(image) = state.images.get(id).cloned() else {
            return Err(ImageError::NotFound(id.to_string()));
        };
        let mut image = (*image).clone();
        image.meta.repo_digests.retain(|d| d != repo_digest);
        self.write_meta(&mut state, image)
    }

    /// Writes `image`'s metadata file and puts it in `state`.
    fn write_meta(&self, state: &mut State, image: Image) -> Result<(), ImageError> {
        let id = image.id.clone();
        let path = self
            .root
            .join("imagedb")
            .join(format!("{}.json", image.hex()));
        let bytes = serde_json::to_vec(&image.meta).map_err(|e| ImageError::BadConfig {
            id: id.to_string(),
            why: e.to_string(),
        })?;
        atomic::write_file(&path, &bytes).map_err(ImageError::io("writing", &path))?;
        state.images.insert(id.to_string(), Arc::new(image));
        Ok(())
    }

    /// Removes tags (not the image).
    pub fn untag(&self, references: &[Reference]) -> Result<(), ImageError> {
        let _writer = lock(&self.writer);
        lock(&self.state).tags.remove(references)
    }

    /// Removes an image, its tags, its old flattened rootfs, and the
    /// layer directories and blobs no other image uses. Returns the layer
    /// digests that went.
    pub fn remove_image(&self, id: &str) -> Result<Vec<String>, ImageError> {
        let _writer = lock(&self.writer);
        let image = {
            let mut state = lock(&self.state);
            let refs = state.tags.of(id);
            state.tags.remove(&refs)?;
            let Some(image) = state.images.get(id).cloned() else {
                return Err(ImageError::NotFound(id.to_string()));
            };
            // The imagedb file goes first: from then on the image is gone
            // even if we crash before the rest is cleaned up.
            let meta = self
                .root
                .join("imagedb")
                .join(format!("{}.json", image.hex()));
            atomic::remove_any(&meta).map_err(ImageError::io("removing", &meta))?;
            let db = self.root.join("imagedb");
            atomic::sync_dir(&db).map_err(ImageError::io("syncing", &db))?;
            state.images.remove(id);
            image
        };
        let rootfs = self.rootfs_path(image.hex());
        // Rename first so a half-deleted tree never looks like a rootfs.
        let doomed = atomic::temp_path(&self.root.join("rootfs"), "gone");
        if fs::rename(&rootfs, &doomed).is_ok() {
            atomic::remove_any(&doomed).map_err(ImageError::io("removing", &doomed))?;
        }
        let (used, used_chains): (BTreeSet<String>, BTreeSet<String>) = {
            let state = lock(&self.state);
            (
                state
                    .images
                    .values()
                    .flat_map(|i| i.layers().to_vec())
                    .collect(),
                state.images.values().flat_map(|i| i.chain_ids()).collect(),
            )
        };
        for chain in image.chain_ids() {
            if !used_chains.contains(&chain) {
                self.layers.remove(&chain)?;
            }
        }
        let mut removed: Vec<String> = Vec::new();
        for layer in image.layers() {
            if !used.contains(layer) && !removed.contains(layer) {
                if self.blobs.contains(layer) {
                    self.blobs.remove(layer)?;
                }
                removed.push(layer.clone());
            }
        }
        // A blob kept for a layer without a tar-split that just went.
        self.release_blobs(image.layers())?;
        self.blobs.remove(&image.id)?;
        Ok(removed)
    }

    /// Removes blobs, layer directories and old rootfs directories no
    /// image refers to.
    fn collect_garbage(&self) -> Result<(), ImageError> {
        let _writer = lock(&self.writer);
        let state = lock(&self.state);
        let mut keep: BTreeSet<String> = BTreeSet::new();
        let mut chains: BTreeSet<String> = BTreeSet::new();
        for image in state.images.values() {
            keep.insert(image.id.clone());
            keep.extend(image.layers().iter().cloned());
            chains.extend(image.chain_ids());
        }
        for chain in self.layers.list()? {
            if !chains.contains(&chain) {
                self.layers.remove(&chain)?;
            }
        }
        for digest in self.blobs.list()? {
            if !keep.contains(&digest) {
                self.blobs.remove(&digest)?;
            }
        }
        let rootfs = self.root.join("rootfs");
        for entry in fs::read_dir(&rootfs).map_err(ImageError::io("listing", &rootfs))? {
            let entry = entry.map_err(ImageError::io("listing", &rootfs))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !state.images.contains_key(&format!("sha256:{name}")) {
                atomic::remove_any(&entry.path())
                    .map_err(ImageError::io("removing", entry.path()))?;
            }
        }
        Ok(())
    }

    /// Removes a blob no image refers to (what a failed import or load
    /// stored). The caller holds the writer lock.
    pub(super) fn drop_unused_blob(&self, digest: &str) {
        let used = lock(&self.state)
            .images
            .values()
            .any(|i| i.id == digest || i.layers().iter().any(|l| l == digest));
        if !used {
            let _ = self.blobs.remove(digest);
        }
    }

    /// Holds the writer lock for a multi-step addition (`docker load`).
    pub(super) fn writer(&self) -> MutexGuard<'_, ()> {
        lock(&self.writer)
    }

    pub(super) fn blobs(&self) -> &Blobs {
        &self.blobs
    }

    /// The layer store (for `docker system df` and tests).
    pub fn layer_store(&self) -> &LayerStore {
        &self.layers
    }
}

/// The ID `reference` names in `state`.
fn find(state: &State, reference: &str) -> Result<String, ImageError> {
    // Docker names what it looked for: `nope` is `nope:latest`.
    let not_found = || {
        ImageError::NotFound(match Reference::parse(reference) {
            Ok(r) if !reference.starts_with("sha256:") => r.to_string(),
            _ => reference.to_string(),
        })
    };
    // `repo@sha256:...`: the image a pull recorded that digest for.
    if let Some((repo, digest)) = reference.split_once('@') {
        let repo = Reference::from_parts(repo, super::reference::DEFAULT_TAG)
            .map_err(|_| not_found())?
            .repo;
        let wanted = format!("{repo}@{digest}");
        return state
            .images
            .values()
            .find(|i| i.meta.repo_digests.contains(&wanted))
            .map(|i| i.id.clone())
            .ok_or_else(not_found);
    }
    let hex = id_hex(reference);
    if let Some(hex) = hex.filter(|h| h.len() == 64) {
        let id = format!("sha256:{hex}");
        return if state.images.contains_key(&id) {
            Ok(id)
        } else {
            Err(not_found())
        };
    }
    if !reference.starts_with("sha256:") {
        if let Ok(parsed) = Reference::parse(reference) {
            if let Some(id) = state.tags.get(&parsed) {
                return Ok(id.clone());
            }
        }
    }
    let hex = hex.ok_or_else(not_found)?;
    let prefix = format!("sha256:{hex}");
    let mut matches = state
        .images
        .range(prefix.clone()..)
        .take_while(|(id, _)| id.starts_with(&prefix));
    match (matches.next(), matches.next()) {
        (Some((id, _)), None) => Ok(id.clone()),
        _ => Err(not_found()),
    }
}

/// What `docker push` uploads of a layer: a file holding its tar.
#[derive(Debug)]
pub struct LayerFile {
    pub path: PathBuf,
    pub size: u64,
    /// A rebuilt copy, removed on drop (not the blob).
    spooled: bool,
}

impl Drop for LayerFile {
    fn drop(&mut self) {
        if self.spooled {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// The tar of the layer `diff_id`: rebuilt from the tar-split of `chain`
/// when it has one, else the blob, else rebuilt from another layer of the
/// same diff.
fn open_layer_tar(
    blobs: &Blobs,
    store: &LayerStore,
    diff_id: &str,
    chain: Option<&str>,
) -> Result<Box<dyn Read + Send>, ImageError> {
    if let Some(chain) = chain.filter(|c| store.has_split(c)) {
        return Ok(Box::new(store.open_tar(chain)?));
    }
    if blobs.contains(diff_id) {
        let path = blobs.path(diff_id);
        let file = File::open(&path).map_err(ImageError::io("opening", &path))?;
        return Ok(Box::new(BufReader::new(file)));
    }
    match store
        .with_diff(diff_id)?
        .into_iter()
        .find(|(_, split)| *split)
    {
        Some((other, _)) => Ok(Box::new(store.open_tar(&other)?)),
        None => Err(ImageError::BadArchive(format!(
            "layer {diff_id} is missing"
        ))),
    }
}

/// Makes sure the layer store has every layer of `diff_ids` (bottom
/// first), unpacking the missing ones from their tars. Returns each
/// layer's content size.
pub(super) fn ensure_layers(
    blobs: &Blobs,
    store: &LayerStore,
    diff_ids: &[String],
) -> Result<Vec<u64>, ImageError> {
    let chains = layers::chain_ids(diff_ids);
    let mut sizes = Vec::with_capacity(diff_ids.len());
    for (i, (diff, chain)) in diff_ids.iter().zip(&chains).enumerate() {
        if let Some(meta) = store.meta(chain) {
            sizes.push(meta.size);
            continue;
        }
        let tar = open_layer_tar(blobs, store, diff, None)?;
        let parent = i.checked_sub(1).map(|p| chains[p].as_str());
        let meta = store.create(chain, parent, diff, tar)?;
        sizes.push(meta.size);
    }
    Ok(sizes)
}

fn load_image(
    blobs: &Blobs,
    store: &LayerStore,
    hex: &str,
    meta_path: &Path,
) -> Result<Image, ImageError> {
    let id = format!("sha256:{hex}");
    let bytes = blobs.read(&id)?;
    let actual = super::blobs::digest_of(&bytes);
    if actual != id {
        return Err(ImageError::BadConfig {
            id,
            why: format!("content digest is {actual}"),
        });
    }
    let config = ImageConfig::parse(&id, &bytes)?;
    let chains = layers::chain_ids(&config.rootfs.diff_ids);
    for (layer, chain) in config.rootfs.diff_ids.iter().zip(&chains) {
        let rebuilt = || {
            store
                .with_diff(layer)
                .is_ok_and(|l| l.iter().any(|(_, split)| *split))
        };
        if store.meta(chain).is_none() && !blobs.contains(layer) && !rebuilt() {
            return Err(ImageError::BadArchive(format!("layer {layer} is missing")));
        }
    }
    let mut meta: ImageMeta = fs::read(meta_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    // Layers a crash or an upgrade from the flattened store left missing.
    let sizes = ensure_layers(blobs, store, &config.rootfs.diff_ids)?;
    if meta.layer_sizes.len() < config.rootfs.diff_ids.len() {
        meta.layer_sizes = ImageMeta::measured(&config.rootfs.diff_ids, &sizes).layer_sizes;
    }
    let sizes = layer_sizes(blobs, &config.rootfs.diff_ids, &meta);
    Ok(Image {
        id,
        config,
        config_size: bytes.len() as u64,
        size: sizes.iter().sum(),
        layer_sizes: sizes,
        meta,
    })
}

/// `reader`, gunzipped when it starts with gzip's magic bytes.
pub fn decompressed<R: std::io::BufRead + 'static>(
    mut reader: R,
) -> std::io::Result<Box<dyn Read>> {
    let head = reader.fill_buf()?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(flate2::bufread::MultiGzDecoder::new(reader)))
    } else {
        Ok(Box::new(reader))
    }
}

/// The short form of an ID (12 hex digits), as Docker prints it.
pub fn short_id(id: &str) -> String {
    let hex = id.strip_prefix("sha256:").unwrap_or(id);
    hex.chars().take(12).collect()
}
