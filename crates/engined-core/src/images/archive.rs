//! `docker save` and `docker load` archives. Save writes what Docker 25+
//! writes: an OCI image layout (`oci-layout`, `index.json`,
//! `blobs/sha256/...`) that is also a classic Docker archive
//! (`manifest.json` naming each image's config, tags and layer tars, and
//! `repositories`). Load reads either: `manifest.json` when present,
//! else the OCI `index.json`; layers may be gzip-compressed.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::{BufReader, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::blobs::digest_of;
use super::config::ImageConfig;
use super::error::ImageError;
use super::reference::Reference;
use super::store::{decompressed, Image, ImageStore, Tagged};
use crate::scoped::extract::{Extractor, Options, Owner};
use crate::scoped::{self, Follow, Root};
use engined_shim::atomic;

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";

/// One image of `manifest.json`.
#[derive(Debug, Serialize, Deserialize)]
struct ManifestEntry {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers", default)]
    layers: Vec<String>,
}

/// An image loaded from an archive and the names it got.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub id: String,
    pub tags: Vec<Reference>,
    /// Names that pointed at another image before: (name, old image ID).
    pub replaced: Vec<(Reference, String)>,
}

fn bad(message: impl Into<String>) -> ImageError {
    ImageError::BadArchive(message.into())
}

impl ImageStore {
    /// Writes the archive of `images` (each with the names to record) to
    /// `out`.
    pub fn save(
        &self,
        images: &[(Arc<Image>, Vec<Reference>)],
        out: &mut dyn Write,
    ) -> Result<(), ImageError> {
        let mut builder = tar::Builder::new(out);
        let mut manifest = Vec::new();
        let mut repositories: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let mut descriptors = Vec::new();
        let mut written = BTreeSet::new();
        let write_err = |e: std::io::Error| ImageError::Body(e);
        append_dir(&mut builder, "blobs/").map_err(write_err)?;
        append_dir(&mut builder, "blobs/sha256/").map_err(write_err)?;
        for (image, names) in images {
            let config = self.config_bytes(image)?;
            let config_path = blob_path(&image.id);
            if written.insert(image.id.clone()) {
                append_bytes(&mut builder, &config_path, &config).map_err(write_err)?;
            }
            let mut layers = Vec::new();
            let mut layer_descriptors = Vec::new();
            for (layer, chain) in image.layers().iter().zip(image.chain_ids()) {
                let size = self.layer_tar_size(layer)?;
                if written.insert(layer.clone()) {
                    let tar = self.layer_tar(layer, Some(&chain))?;
                    let mut header = tar_header(size, 0o644, tar::EntryType::Regular);
                    builder
                        .append_data(&mut header, blob_path(layer), tar)
                        .map_err(ImageError::layer_read)?;
                }
                layers.push(blob_path(layer));
                layer_descriptors
                    .push(json!({"mediaType": OCI_LAYER, "digest": layer, "size": size}));
            }
            let oci_manifest = serde_json::to_vec(&json!({
                "schemaVersion": 2,
                "mediaType": OCI_MANIFEST,
                "config": {"mediaType": OCI_CONFIG, "digest": image.id, "size": config.len()},
                "layers": layer_descriptors,
            }))
            .map_err(|e| bad(e.to_string()))?;
            let manifest_digest = digest_of(&oci_manifest);
            if written.insert(manifest_digest.clone()) {
                append_bytes(&mut builder, &blob_path(&manifest_digest), &oci_manifest)
                    .map_err(write_err)?;
            }
            let descriptor = |annotations: Option<serde_json::Value>| {
                let mut d = json!({
                    "mediaType": OCI_MANIFEST,
                    "digest": manifest_digest,
                    "size": oci_manifest.len(),
                });
                if let Some(a) = annotations {
                    d["annotations"] = a;
                }
                d
            };
            if names.is_empty() {
                descriptors.push(descriptor(None));
            }
            for name in names {
                descriptors.push(descriptor(Some(json!({
                    "io.containerd.image.name": full_name(name),
                    "org.opencontainers.image.ref.name": name.tag,
                }))));
                if let Some(top) = image.layers().last() {
                    repositories.entry(name.repo.clone()).or_default().insert(
                        name.tag.clone(),
                        top.trim_start_matches("sha256:").to_string(),
                    );
                }
            }
            manifest.push(ManifestEntry {
                config: config_path,
                repo_tags: Some(names.iter().map(|n| n.to_string()).collect()),
                layers,
            });
        }
        let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": descriptors});
        append_bytes(&mut builder, "index.json", &encode(&index)?).map_err(write_err)?;
        append_bytes(&mut builder, "manifest.json", &encode(&manifest)?).map_err(write_err)?;
        append_bytes(
            &mut builder,
            "oci-layout",
            br#"{"imageLayoutVersion":"1.0.0"}"#,
        )
        .map_err(write_err)?;
        if !repositories.is_empty() {
            append_bytes(&mut builder, "repositories", &encode(&repositories)?)
                .map_err(write_err)?;
        }
        builder
            .into_inner()
            .map_err(write_err)?
            .flush()
            .map_err(write_err)
    }

    /// Reads the archive in the file `archive` (plain or gzip), adds its
    /// images and names them.
    pub fn load(&self, archive: &Path) -> Result<Vec<Loaded>, ImageError> {
        let dir = atomic::temp_path(&self.spool_dir(), "load");
        let result = self.load_from(archive, &dir);
        let _ = atomic::remove_any(&dir);
        result
    }

    fn load_from(&self, archive: &Path, dir: &Path) -> Result<Vec<Loaded>, ImageError> {
        fs::create_dir(dir).map_err(ImageError::io("creating", dir))?;
        let file = File::open(archive).map_err(ImageError::io("opening", archive))?;
        let reader = decompressed(BufReader::new(file)).map_err(ImageError::Body)?;
        extract(reader, dir)?;
        let entries = if has_file(dir, "manifest.json") {
            let bytes = read_inside(dir, "manifest.json")?;
            serde_json::from_slice::<Vec<ManifestEntry>>(&bytes)
                .map_err(|e| bad(format!("manifest.json: {e}")))?
        } else if has_file(dir, "index.json") {
            oci_entries(dir)?
        } else {
            return Err(bad(
                "neither manifest.json nor index.json found in the archive",
            ));
        };
        if entries.is_empty() {
            return Err(bad("the archive holds no image"));
        }
        let _writer = self.writer();
        let mut loaded = Vec::new();
        for entry in entries {
            let config = read_inside(dir, &entry.config)?;
            let id = digest_of(&config);
            let parsed = ImageConfig::parse(&id, &config)?;
            if parsed.rootfs.diff_ids.len() != entry.layers.len() {
                return Err(bad(format!(
                    "image {id} lists {} layers in its config and {} in the manifest",
                    parsed.rootfs.diff_ids.len(),
                    entry.layers.len()
                )));
            }
            for (i, (layer, expected)) in
                entry.layers.iter().zip(&parsed.rootfs.diff_ids).enumerate()
            {
                if self.has_layer(expected) {
                    continue;
                }
                let file = open_inside(dir, layer)?;
                let mut reader = decompressed(BufReader::new(file)).map_err(ImageError::Body)?;
                let stored = self.blobs().put_reader(&mut reader)?;
                if &stored.digest != expected {
                    self.drop_unused_blob(&stored.digest);
                    return Err(bad(format!(
                        "invalid diffID for layer {i}: expected {expected:?}, got {:?}",
                        stored.digest
                    )));
                }
            }
            let id = match self.commit(&config) {
                Ok(id) => id,
                Err(e) => {
                    for layer in &parsed.rootfs.diff_ids {
                        self.drop_unused_blob(layer);
                    }
                    return Err(e);
                }
            };
            let mut tags = Vec::new();
            let mut replaced = Vec::new();
            for name in entry.repo_tags.unwrap_or_default() {
                let reference = Reference::parse(&name)?;
                let Tagged { replaced: old } = self.tag_locked(&id, reference.clone())?;
                if let Some(old) = old {
                    replaced.push((reference.clone(), old));
                }
                tags.push(reference);
            }
            loaded.push(Loaded { id, tags, replaced });
        }
        Ok(loaded)
    }
}

/// `docker.io/library/busybox:latest` for `busybox:latest`.
fn full_name(r: &Reference) -> String {
    let first = r.repo.split('/').next().unwrap_or("");
    let has_host = r.repo.contains('/')
        && (first.contains('.') || first.contains(':') || first == "localhost");
    if has_host {
        r.to_string()
    } else if r.repo.contains('/') {
        format!("docker.io/{r}")
    } else {
        format!("docker.io/library/{r}")
    }
}

fn blob_path(digest: &str) -> String {
    format!("blobs/sha256/{}", digest.trim_start_matches("sha256:"))
}

/// The `manifest.json` entries an OCI layout describes.
fn oci_entries(dir: &Path) -> Result<Vec<ManifestEntry>, ImageError> {
    let index: serde_json::Value = serde_json::from_slice(&read_inside(dir, "index.json")?)
        .map_err(|e| bad(format!("index.json: {e}")))?;
    let mut by_manifest: BTreeMap<String, ManifestEntry> = BTreeMap::new();
    let mut order = Vec::new();
    collect_manifests(dir, &index, None, &mut by_manifest, &mut order, 0)?;
    Ok(order
        .into_iter()
        .filter_map(|d| by_manifest.remove(&d))
        .collect())
}

fn collect_manifests(
    dir: &Path,
    index: &serde_json::Value,
    inherited_name: Option<String>,
    out: &mut BTreeMap<String, ManifestEntry>,
    order: &mut Vec<String>,
    depth: usize,
) -> Result<(), ImageError> {
    if depth > 4 {
        return Err(bad("index.json nests too deeply"));
    }
    let manifests = index["manifests"].as_array().cloned().unwrap_or_default();
    for descriptor in manifests {
        let digest = descriptor["digest"]
            .as_str()
            .ok_or_else(|| bad("a manifest descriptor has no digest"))?
            .to_string();
        let annotations = &descriptor["annotations"];
        let name = annotations["io.containerd.image.name"]
            .as_str()
            .map(String::from)
            .or_else(|| {
                annotations["org.opencontainers.image.ref.name"]
                    .as_str()
                    .filter(|n| n.contains(':') || n.contains('/'))
                    .map(String::from)
            })
            .or_else(|| inherited_name.clone());
        let media = descriptor["mediaType"].as_str().unwrap_or("");
        let blob = read_inside(dir, &blob_path(&digest))?;
        let doc: serde_json::Value =
            serde_json::from_slice(&blob).map_err(|e| bad(format!("manifest {digest}: {e}")))?;
        let is_index = media.contains("index")
            || media.contains("manifest.list")
            || doc["manifests"].is_array();
        if is_index {
            // A multi-platform index: take this host's platform only.
            let arch = super::config::host_architecture();
            let mut mine = doc.clone();
            if let Some(list) = doc["manifests"].as_array() {
                let pick: Vec<_> = list
                    .iter()
                    .filter(|m| {
                        m["platform"].is_null()
                            || (m["platform"]["os"] == "linux"
                                && m["platform"]["architecture"] == arch)
                    })
                    .take(1)
                    .cloned()
                    .collect();
                mine["manifests"] = serde_json::Value::Array(pick);
            }
            collect_manifests(dir, &mine, name, out, order, depth + 1)?;
            continue;
        }
        let config = doc["config"]["digest"]
            .as_str()
            .ok_or_else(|| bad(format!("manifest {digest} has no config")))?;
        let layers = doc["layers"]
            .as_array()
            .map(|l| {
                l.iter()
                    .filter_map(|d| d["digest"].as_str().map(blob_path))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let entry = out.entry(digest.clone()).or_insert_with(|| {
            order.push(digest.clone());
            ManifestEntry {
                config: blob_path(config),
                repo_tags: Some(Vec::new()),
                layers,
            }
        });
        if let (Some(name), Some(tags)) = (name, entry.repo_tags.as_mut()) {
            if !tags.contains(&name) {
                tags.push(name);
            }
        }
    }
    Ok(())
}

/// Unpacks the archive's regular files, directories and symlinks into
/// `dir`, through the scoped extractor (a symlink in the archive is
/// followed, if ever, inside `dir`).
fn extract(reader: Box<dyn Read>, dir: &Path) -> Result<(), ImageError> {
    let root = spool_root(dir)?;
    let mut archive = tar::Archive::new(reader);
    let entries = archive.entries().map_err(|e| bad(e.to_string()))?;
    let options = Options {
        owner: Owner::Extractor,
        devices: false,
        no_overwrite_dir_non_dir: false,
        plain_only: true,
    };
    let mut extractor = Extractor::new(&root, options);
    for entry in entries {
        let mut entry = entry.map_err(|e| bad(e.to_string()))?;
        let raw = entry.path_bytes().into_owned();
        let Some(rel) = scoped::path::entry(Path::new(OsStr::from_bytes(&raw))) else {
            continue;
        };
        extractor
            .put(&rel, &mut entry, None)
            .map_err(|e| bad(e.to_string()))?;
    }
    extractor.finish().map_err(|e| bad(e.to_string()))
}

/// The spool directory as a root.
fn spool_root(dir: &Path) -> Result<Root, ImageError> {
    Root::new(dir).map_err(|e| ImageError::io("opening", dir)(e.into()))
}

/// The most `manifest.json`, `index.json`, a config or a manifest may
/// weigh: they are read whole.
const MAX_JSON: u64 = 32 << 20;

/// Opens the archive's file `name`, resolved inside `dir` (a `..` or an
/// absolute name is refused; symlinks stay inside).
fn open_inside(dir: &Path, name: &str) -> Result<File, ImageError> {
    let relative = Path::new(name);
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(bad(format!("{name:?} points outside the archive")));
    }
    spool_root(dir)?.open(relative).map_err(|e| {
        if e.is_not_found() {
            bad(format!("{name} is missing from the archive"))
        } else {
            bad(format!("{name}: {e}"))
        }
    })
}

/// Whether the archive has the regular file `name` at its top.
fn has_file(dir: &Path, name: &str) -> bool {
    spool_root(dir).is_ok_and(|r| {
        r.metadata(Path::new(name), Follow::Yes)
            .is_ok_and(|m| m.is_file())
    })
}

fn read_inside(dir: &Path, name: &str) -> Result<Vec<u8>, ImageError> {
    let file = open_inside(dir, name)?;
    let mut bytes = Vec::new();
    file.take(MAX_JSON + 1)
        .read_to_end(&mut bytes)
        .map_err(ImageError::io("reading", dir.join(name)))?;
    if bytes.len() as u64 > MAX_JSON {
        return Err(bad(format!("{name} is larger than {MAX_JSON} bytes")));
    }
    Ok(bytes)
}

fn tar_header(size: u64, mode: u32, kind: tar::EntryType) -> tar::Header {
    let mut header = tar::Header::new_ustar();
    header.set_size(size);
    header.set_mode(mode);
    header.set_entry_type(kind);
    header.set_uid(0);
    header.set_gid(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    header.set_mtime(now);
    header
}

fn append_bytes<W: Write>(
    builder: &mut tar::Builder<W>,
    name: &str,
    bytes: &[u8],
) -> std::io::Result<()> {
    let mut header = tar_header(bytes.len() as u64, 0o644, tar::EntryType::Regular);
    builder.append_data(&mut header, name, bytes)
}

fn append_dir<W: Write>(builder: &mut tar::Builder<W>, name: &str) -> std::io::Result<()> {
    let mut header = tar_header(0, 0o755, tar::EntryType::Directory);
    builder.append_data(&mut header, name, std::io::empty())
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, ImageError> {
    serde_json::to_vec(value).map_err(|e| bad(e.to_string()))
}
