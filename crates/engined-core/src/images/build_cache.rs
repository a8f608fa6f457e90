//! The build cache, as the classic builder's: a step is reused when its
//! parent image, its instruction (with its arguments substituted and,
//! for RUN, the build args in its environment) and, for COPY and ADD, the
//! content hash of its sources all match a step built before whose image
//! is still there. Records live in `<data-root>/builder/cache.json`,
//! written atomically; `docker builder prune` drops them and removes the
//! intermediate images only the cache refers to, choosing as BuildKit's
//! prune does behind dockerd (see [`Cache::prune`]).

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::images::{hex_of, ImageStore};
use crate::sync::lock;
use engined_shim::atomic;

/// One cached step.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    /// The image the step made.
    pub image: String,
    /// When it was recorded (Unix nanoseconds).
    pub created: i64,
    /// The image was a build's result (prune keeps the image).
    #[serde(default)]
    pub result: bool,
    /// The image (or `scratch:<platform>`) the step was built on.
    #[serde(default)]
    pub parent: String,
    /// The step, as its history line shows it.
    #[serde(default)]
    pub description: String,
    /// When a build last reused it (Unix nanoseconds; 0: never).
    #[serde(default)]
    pub last_used: i64,
    /// How many builds reused it.
    #[serde(default)]
    pub uses: u64,
}

impl Record {
    /// When it was last made or reused, for least-recently-used order.
    fn touched(&self) -> i64 {
        self.last_used.max(self.created)
    }
}

/// What a prune takes (`POST /build/prune`'s `filters`, `all` and
/// `keep-storage`).
pub struct PruneRule<'a> {
    /// The filters: the record's key, the record, and whether it is
    /// shared (its image held apart from the cache).
    pub select: &'a dyn Fn(&str, &Record, bool) -> bool,
    /// Whether a container uses an image.
    pub in_use: &'a dyn Fn(&str) -> bool,
    /// Shared records too, not only the ones nothing else holds.
    pub all: bool,
    /// Stop once the unshared records hold less than this (0: no limit).
    pub keep_bytes: u64,
}

/// Where a recorded step came from.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub parent: &'a str,
    pub description: &'a str,
}

pub struct Cache {
    path: PathBuf,
    records: Mutex<BTreeMap<String, Record>>,
}

/// What a prune removed.
#[derive(Debug, Default)]
pub struct Pruned {
    /// The cache keys dropped.
    pub records: Vec<String>,
    /// Bytes of the intermediate images removed.
    pub reclaimed: u64,
}

impl Cache {
    /// The cache of the data root; an unreadable file is an empty cache.
    pub fn open(data_root: &Path) -> Cache {
        let path = data_root.join("builder").join("cache.json");
        let records = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        Cache {
            path,
            records: Mutex::new(records),
        }
    }

    /// The key of a step.
    pub fn key(parent: &str, step: &str, extra: &str) -> String {
        let mut h = Sha256::new();
        for part in [parent, step, extra] {
            h.update(part.len().to_le_bytes());
            h.update(part.as_bytes());
        }
        hex_of(&h.finalize())
    }

    /// The image of a cached step, if it is still stored; counts a use
    /// (kept in memory, saved with the next write).
    pub fn get(&self, key: &str, images: &ImageStore) -> Option<String> {
        let mut records = lock(&self.records);
        let record = records.get_mut(key)?;
        let id = images.get(&record.image).ok()?.id.clone();
        record.last_used = crate::time::now_nanos();
        record.uses += 1;
        Some(id)
    }

    /// Records a step.
    pub fn put(&self, key: &str, image: &str, origin: Origin<'_>, result: bool) -> io::Result<()> {
        let mut records = lock(&self.records);
        let record = records.entry(key.to_string()).or_insert_with(|| Record {
            image: image.to_string(),
            created: crate::time::now_nanos(),
            result,
            parent: String::new(),
            description: String::new(),
            last_used: 0,
            uses: 0,
        });
        record.image = image.to_string();
        record.parent = origin.parent.to_string();
        record.description = origin.description.to_string();
        record.result |= result;
        self.save(&records)
    }

    /// Marks the image `id` as a build's result.
    pub fn mark_result(&self, id: &str) -> io::Result<()> {
        let mut records = lock(&self.records);
        for r in records.values_mut().filter(|r| r.image == id) {
            r.result = true;
        }
        self.save(&records)
    }

    fn save(&self, records: &BTreeMap<String, Record>) -> io::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        atomic::write_json(&self.path, records)
    }

    /// Drops the records `rule` picks and removes the images only they
    /// held, as BuildKit's prune behind dockerd does with its records: a
    /// record whose image a container uses is never dropped; a shared one
    /// (its image tagged, used, a build's result or not the cache's, or
    /// below such an image) only with `all`, and its image stays; an
    /// unshared one only once no image is built on its image (children
    /// go first, round by round); with `keep_bytes`, nothing goes while
    /// the unshared records hold less than that, else the least recently
    /// used go one at a time until they do.
    pub fn prune(&self, images: &ImageStore, rule: &PruneRule<'_>) -> io::Result<Pruned> {
        let mut records = lock(&self.records);
        let mut pruned = Pruned::default();
        loop {
            let store = images.list();
            let held = held_images(&store, &records, rule.in_use);
            let parents: BTreeSet<&str> = store
                .iter()
                .filter_map(|(i, _)| i.config.parent.as_deref())
                .collect();
            let mut candidates: Vec<(&String, &Record, bool)> = records
                .iter()
                .map(|(k, r)| (k, r, held.contains(&r.image)))
                .filter(|(k, r, shared)| {
                    !(rule.in_use)(&r.image)
                        && (rule.all || !shared)
                        && (*shared || !parents.contains(r.image.as_str()))
                        && (rule.select)(k, r, *shared)
                })
                .collect();
            if rule.keep_bytes > 0 {
                let total: u64 = records
                    .values()
                    .filter(|r| !held.contains(&r.image))
                    .map(|r| own_size(images, &r.image))
                    .sum();
                if total < rule.keep_bytes {
                    break;
                }
                candidates.sort_by_key(|(k, r, _)| (r.touched(), r.uses, k.to_string()));
                candidates.truncate(1);
            }
            if candidates.is_empty() {
                break;
            }
            let doomed: Vec<(String, String, bool)> = candidates
                .into_iter()
                .map(|(k, r, shared)| (k.clone(), r.image.clone(), shared))
                .collect();
            for (key, image, shared) in doomed {
                records.remove(&key);
                pruned.records.push(key);
                let kept = records.values().any(|r| r.image == image);
                if !shared && !kept {
                    pruned.reclaimed += remove_image(images, &image);
                }
            }
        }
        self.save(&records)?;
        Ok(pruned)
    }
}

/// Removes an image the cache alone held; the bytes of the layers that
/// went with it.
fn remove_image(images: &ImageStore, id: &str) -> u64 {
    let Ok(image) = images.get(id) else {
        return 0;
    };
    match images.remove_image(id) {
        Ok(gone) => image
            .layers()
            .iter()
            .zip(&image.layer_sizes)
            .filter(|(layer, _)| gone.contains(layer))
            .map(|(_, size)| size)
            .sum(),
        Err(e) => {
            tracing::warn!("pruning build cache image {id}: {e}");
            0
        }
    }
}

/// The images held apart from the build cache: the tagged ones, the ones
/// containers use, builds' results, images no record made, and every
/// image below them.
fn held_images(
    store: &[(
        std::sync::Arc<crate::images::Image>,
        Vec<crate::images::Reference>,
    )],
    records: &BTreeMap<String, Record>,
    in_use: &dyn Fn(&str) -> bool,
) -> BTreeSet<String> {
    let steps: BTreeSet<&str> = records
        .values()
        .filter(|r| !r.result)
        .map(|r| r.image.as_str())
        .collect();
    let parent_of: BTreeMap<&str, &str> = store
        .iter()
        .filter_map(|(i, _)| Some((i.id.as_str(), i.config.parent.as_deref()?)))
        .collect();
    let mut held = BTreeSet::new();
    for (image, names) in store {
        let id = image.id.as_str();
        if names.is_empty() && !in_use(id) && steps.contains(id) {
            continue;
        }
        let mut next = Some(id);
        while let Some(id) = next.take() {
            if !held.insert(id.to_string()) {
                break;
            }
            next = parent_of.get(id).copied();
        }
    }
    held
}

/// The bytes of the layer a step's image added (0: a config-only step,
/// or the image is gone).
fn own_size(images: &ImageStore, id: &str) -> u64 {
    let Ok(image) = images.get(id) else {
        return 0;
    };
    let added = image.config.history.last().is_some_and(|h| !h.empty_layer);
    match image.layer_sizes.last() {
        Some(size) if added => *size,
        _ => 0,
    }
}
