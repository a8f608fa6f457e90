//! The directories of the layer store, one per chain ID:
//! `<store>/<chain hex>/diff` (the layer's files, whiteouts in overlayfs'
//! form), `<store>/<chain hex>/layer.json` (its parent's chain ID, its
//! diff ID, content size and tar size) and `<store>/<chain hex>/tar-split.gz`
//! (what rebuilds its tar from `diff`, [`super::tarsplit`]; absent for a
//! layer unpacked before tar-splits or one they cannot rebuild, whose tar
//! the blob store keeps), plus the short link `<store>/l/<name>`.
//! A layer is unpacked into a temporary directory (link made first, so a
//! crash leaves at worst a dangling link the next open removes), synced,
//! then renamed into place: a chain directory exists whole or not at all.
//! Removal renames it away first for the same reason.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::chain::hex;
use super::links;
use super::tarsplit::{self, LayerTar, Recorder};
use crate::images::error::ImageError;
use crate::images::unpack::{apply_layer_observed, Whiteouts};
use crate::scoped::Root;
use engined_shim::atomic;

/// What `layer.json` records of a layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerMeta {
    /// The chain ID of the layer below, none for a base layer.
    #[serde(rename = "Parent", default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(rename = "DiffID")]
    pub diff_id: String,
    /// The bytes of its regular files (Docker's layer size).
    #[serde(rename = "Size")]
    pub size: u64,
    /// The length of its (uncompressed) tar; none for a layer unpacked
    /// before this was recorded.
    #[serde(rename = "TarSize", default, skip_serializing_if = "Option::is_none")]
    pub tar_size: Option<u64>,
}

const META: &str = "layer.json";
const DIFF: &str = "diff";

/// The layer directories under one folder.
#[derive(Debug)]
pub struct LayerStore {
    root: PathBuf,
}

impl LayerStore {
    /// Opens (or creates) the store at `root`, removing what a crash left
    /// half made: temporary directories and links to nothing.
    pub fn open(root: PathBuf) -> Result<LayerStore, ImageError> {
        let links = root.join(links::DIR);
        fs::create_dir_all(&links).map_err(ImageError::io("creating", &links))?;
        atomic::sweep_temps(&root).map_err(ImageError::io("cleaning", &root))?;
        for entry in fs::read_dir(&links).map_err(ImageError::io("listing", &links))? {
            let entry = entry.map_err(ImageError::io("listing", &links))?;
            if fs::metadata(entry.path()).is_err() {
                let _ = fs::remove_file(entry.path());
            }
        }
        Ok(LayerStore { root })
    }

    /// The folder holding the chain directories.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The files of the layer `chain` (a `sha256:` chain ID).
    pub fn diff_dir(&self, chain: &str) -> PathBuf {
        self.root.join(hex(chain)).join(DIFF)
    }

    /// What the store records of `chain`, when it has it.
    pub fn meta(&self, chain: &str) -> Option<LayerMeta> {
        let bytes = fs::read(self.root.join(hex(chain)).join(META)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Whether the layer `chain` has a tar-split (its tar can be rebuilt
    /// from its files).
    pub fn has_split(&self, chain: &str) -> bool {
        self.root.join(hex(chain)).join(tarsplit::FILE).is_file()
    }

    /// The tar of the layer `chain`, rebuilt from its tar-split.
    pub fn open_tar(&self, chain: &str) -> Result<LayerTar, ImageError> {
        let meta = self
            .meta(chain)
            .ok_or_else(|| ImageError::BadArchive(format!("layer {chain} is missing")))?;
        let dir = self.root.join(hex(chain));
        let diff = dir.join(DIFF);
        let root = Root::new(&diff).map_err(|e| ImageError::io("opening", &diff)(e.into()))?;
        Ok(LayerTar::open(
            &dir.join(tarsplit::FILE),
            root,
            &meta.diff_id,
        )?)
    }

    /// The layers whose diff is `diff_id` (on whatever base), each with
    /// whether it has a tar-split.
    pub fn with_diff(&self, diff_id: &str) -> Result<Vec<(String, bool)>, ImageError> {
        let mut out = Vec::new();
        for chain in self.list()? {
            if self.meta(&chain).is_some_and(|m| m.diff_id == diff_id) {
                let split = self.has_split(&chain);
                out.push((chain, split));
            }
        }
        Ok(out)
    }

    /// Unpacks the layer `diff_id` read from `tar` (plain) as `chain` on
    /// top of `parent`, unless the store has it already, recording its
    /// tar-split (kept when it rebuilds the tar exactly). Returns what it
    /// records.
    pub fn create(
        &self,
        chain: &str,
        parent: Option<&str>,
        diff_id: &str,
        tar: Box<dyn Read + '_>,
    ) -> Result<LayerMeta, ImageError> {
        if let Some(meta) = self.meta(chain) {
            return Ok(meta);
        }
        let hex = hex(chain);
        let temp = atomic::temp_path(&self.root, "layer");
        let result = (|| {
            let diff = temp.join(DIFF);
            fs::create_dir_all(&diff).map_err(ImageError::io("creating", &diff))?;
            let root = Root::new(&diff).map_err(|e| ImageError::io("opening", &diff)(e.into()))?;
            let split = temp.join(tarsplit::FILE);
            let recorder = Recorder::create(&split)?;
            let tar = Box::new(recorder.wrap(tar));
            let size = apply_layer_observed(
                &root,
                tar,
                Whiteouts::Overlay,
                Some(&mut |span| {
                    recorder.entry(span.file_position, span.size, span.path, span.sparse)
                }),
            )?;
            let recorded = recorder.finish()?;
            if let Some(why) = &recorded.unfit {
                tracing::info!("layer {diff_id}: keeping its tar ({why})");
            } else if let Err(e) = verify(&split, &diff, diff_id) {
                // The files do not give the tar back (an entry overwritten
                // later in the same tar, say): the blob stays the source.
                tracing::info!("layer {diff_id}: keeping its tar ({e})");
                fs::remove_file(&split).map_err(ImageError::io("removing", &split))?;
            }
            root.sync_fs()
                .map_err(|e| ImageError::io("syncing", &diff)(e.into()))?;
            let meta = LayerMeta {
                parent: parent.map(str::to_string),
                diff_id: diff_id.to_string(),
                size,
                tar_size: Some(recorded.total),
            };
            let meta_path = temp.join(META);
            atomic::write_json(&meta_path, &meta).map_err(ImageError::io("writing", &meta_path))?;
            let link = self.root.join(links::relative(hex));
            let _ = fs::remove_file(&link);
            std::os::unix::fs::symlink(links::target(hex), &link)
                .map_err(ImageError::io("linking", &link))?;
            let target = self.root.join(hex);
            fs::rename(&temp, &target).map_err(ImageError::io("renaming", &target))?;
            atomic::sync_dir(&self.root).map_err(ImageError::io("syncing", &self.root))?;
            Ok(meta)
        })();
        if result.is_err() {
            let _ = atomic::remove_any(&temp);
        }
        result
    }

    /// The chain IDs the store holds, in no order.
    pub fn list(&self) -> Result<Vec<String>, ImageError> {
        let mut out = Vec::new();
        for entry in fs::read_dir(&self.root).map_err(ImageError::io("listing", &self.root))? {
            let entry = entry.map_err(ImageError::io("listing", &self.root))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
                out.push(format!("sha256:{name}"));
            }
        }
        Ok(out)
    }

    /// Removes the layer `chain` and its link.
    pub fn remove(&self, chain: &str) -> Result<(), ImageError> {
        let hex = hex(chain);
        let dir = self.root.join(hex);
        // Renamed first so a half-deleted tree never passes for a layer.
        let doomed = atomic::temp_path(&self.root, "gone");
        match fs::rename(&dir, &doomed) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(ImageError::io("removing", &dir)(e)),
        }
        let link = self.root.join(links::relative(hex));
        let _ = fs::remove_file(&link);
        atomic::remove_any(&doomed).map_err(ImageError::io("removing", &doomed))
    }
}

/// Rebuilds the tar of the layer `diff_id` from the tar-split `split` and
/// the files in `diff`, to its end (where the hash is checked).
fn verify(split: &Path, diff: &Path, diff_id: &str) -> Result<(), ImageError> {
    let root = Root::new(diff).map_err(|e| ImageError::io("opening", diff)(e.into()))?;
    let mut tar = LayerTar::open(split, root, diff_id)?;
    std::io::copy(&mut tar, &mut std::io::sink()).map_err(ImageError::layer_read)?;
    Ok(())
}
