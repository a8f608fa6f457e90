//! The build cache, as the classic builder's: a step is reused when its
//! parent image, its instruction (with its arguments substituted and,
//! for RUN, the build args in its environment) and, for COPY and ADD, the
//! content hash of its sources all match a step built before whose image
//! is still there. Records live in `<data-root>/builder/cache.json`,
//! written atomically; `docker builder prune` drops them and removes the
//! intermediate images only the cache refers to.

use std::collections::BTreeMap;
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

    /// The image of a cached step, if it is still stored.
    pub fn get(&self, key: &str, images: &ImageStore) -> Option<String> {
        let image = lock(&self.records).get(key)?.image.clone();
        images.get(&image).ok().map(|i| i.id.clone())
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

    /// Drops the records `select` picks (by key and record); removes
    /// their images when no tag, container, other record or build result
    /// holds them.
    pub fn prune(
        &self,
        images: &ImageStore,
        select: &dyn Fn(&str, &Record) -> bool,
        in_use: &dyn Fn(&str) -> bool,
    ) -> io::Result<Pruned> {
        let mut records = lock(&self.records);
        let doomed: Vec<String> = records
            .iter()
            .filter(|(k, r)| select(k, r))
            .map(|(k, _)| k.clone())
            .collect();
        let mut pruned = Pruned::default();
        let mut gone_images = Vec::new();
        for key in doomed {
            if let Some(r) = records.remove(&key) {
                if !r.result {
                    gone_images.push(r.image);
                }
                pruned.records.push(key);
            }
        }
        for id in gone_images {
            let kept = records.values().any(|r| r.image == id);
            if kept || in_use(&id) || !images.tags_of(&id).is_empty() {
                continue;
            }
            if let Ok(image) = images.get(&id) {
                if images.remove_image(&id).is_ok() {
                    pruned.reclaimed += image.size;
                }
            }
        }
        self.save(&records)?;
        Ok(pruned)
    }
}
