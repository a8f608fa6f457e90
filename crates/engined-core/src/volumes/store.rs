//! Local-driver volumes under `<data-root>/volumes/<name>/`: the data in
//! `_data/`, the metadata (driver, labels, creation time) in `meta.json`.
//! A volume is prepared in a temporary directory and renamed into place,
//! so after a crash it exists whole or not at all.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::VolumeError;
use crate::sync::lock;
use engined_shim::atomic;

/// The only driver engined has.
pub const LOCAL: &str = "local";

/// A volume, as containers and the API see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeRecord {
    pub name: String,
    /// The directory mounted into containers (`<volume>/_data`).
    pub mountpoint: PathBuf,
    pub driver: String,
    pub created_at: String,
    pub labels: BTreeMap<String, String>,
    pub options: BTreeMap<String, String>,
    /// Created without a name (`docker run -v /data`).
    pub anonymous: bool,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Meta {
    #[serde(rename = "Driver", default)]
    driver: String,
    #[serde(rename = "CreatedAt", default)]
    created_at: String,
    #[serde(rename = "Labels", default)]
    labels: BTreeMap<String, String>,
    #[serde(rename = "Options", default)]
    options: BTreeMap<String, String>,
    #[serde(rename = "Anonymous", default)]
    anonymous: bool,
}

/// What `docker volume create` asks for.
#[derive(Debug, Default, Clone)]
pub struct CreateOptions {
    /// Empty: a random (anonymous) name.
    pub name: String,
    pub driver: String,
    pub driver_opts: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
}

pub struct VolumeStore {
    root: PathBuf,
    volumes: Mutex<BTreeMap<String, VolumeRecord>>,
}

/// Docker's rule for local volume names: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
pub fn validate_name(name: &str) -> Result<(), VolumeError> {
    let ok_first = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    let ok_rest = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if !ok_first || !ok_rest {
        return Err(VolumeError::InvalidName(name.to_string()));
    }
    if name.len() < 2 {
        return Err(VolumeError::NameTooShort(name.to_string()));
    }
    Ok(())
}

fn random_name() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut hasher = Sha256::new();
    hasher.update(format!("{now}-{}-{n}", std::process::id()).as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl VolumeStore {
    /// Opens (or creates) `<data_root>/volumes`, dropping what a crash left
    /// half-made.
    pub fn open(data_root: &Path) -> Result<VolumeStore, VolumeError> {
        let root = data_root.join("volumes");
        fs::create_dir_all(&root).map_err(VolumeError::io("creating", &root))?;
        atomic::sweep_temps(&root).map_err(VolumeError::io("cleaning", &root))?;
        let mut volumes = BTreeMap::new();
        for entry in fs::read_dir(&root).map_err(VolumeError::io("listing", &root))? {
            let entry = entry.map_err(VolumeError::io("listing", &root))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if validate_name(&name).is_err() || !entry.path().is_dir() {
                continue;
            }
            let meta: Meta = match fs::read(entry.path().join("meta.json"))
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
            {
                Some(meta) => meta,
                None => {
                    tracing::warn!("volume {name} has no readable meta.json; skipped");
                    continue;
                }
            };
            volumes.insert(name.clone(), record(&root, name, meta));
        }
        Ok(VolumeStore {
            root,
            volumes: Mutex::new(volumes),
        })
    }

    pub fn get(&self, name: &str) -> Option<VolumeRecord> {
        lock(&self.volumes).get(name).cloned()
    }

    /// For `-v name:/path` at container create: the volume, created with
    /// default settings when it does not exist yet.
    pub fn get_or_create(&self, name: &str) -> Result<VolumeRecord, VolumeError> {
        if let Some(v) = self.get(name) {
            return Ok(v);
        }
        self.create(CreateOptions {
            name: name.to_string(),
            ..Default::default()
        })
        .map(|(v, _)| v)
    }

    /// `docker volume create`; an existing volume of that name is returned
    /// as it is (Docker's behaviour). The flag says whether it is new.
    pub fn create(&self, options: CreateOptions) -> Result<(VolumeRecord, bool), VolumeError> {
        let anonymous = options.name.is_empty();
        let name = if anonymous {
            random_name()
        } else {
            options.name.clone()
        };
        if !options.driver.is_empty() && options.driver != LOCAL {
            return Err(VolumeError::UnknownDriver {
                name,
                driver: options.driver,
            });
        }
        validate_name(&name)?;
        if !options.driver_opts.is_empty() {
            let options = options
                .driver_opts
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            return Err(VolumeError::Options { name, options });
        }
        let mut volumes = lock(&self.volumes);
        if let Some(v) = volumes.get(&name) {
            return Ok((v.clone(), false));
        }
        let meta = Meta {
            driver: LOCAL.into(),
            created_at: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
            labels: options.labels,
            options: BTreeMap::new(),
            anonymous,
        };
        let temp = atomic::temp_path(&self.root, "volume");
        let target = self.root.join(&name);
        let result = (|| {
            fs::create_dir(&temp).map_err(VolumeError::io("creating", &temp))?;
            let data = temp.join("_data");
            fs::create_dir(&data).map_err(VolumeError::io("creating", &data))?;
            let bytes = serde_json::to_vec(&meta).map_err(|e| VolumeError::Io {
                what: "encoding",
                path: temp.join("meta.json"),
                source: std::io::Error::other(e),
            })?;
            let meta_path = temp.join("meta.json");
            atomic::write_file(&meta_path, &bytes)
                .map_err(VolumeError::io("writing", &meta_path))?;
            atomic::sync_dir(&temp).map_err(VolumeError::io("syncing", &temp))?;
            fs::rename(&temp, &target).map_err(VolumeError::io("renaming", &target))?;
            atomic::sync_dir(&self.root).map_err(VolumeError::io("syncing", &self.root))
        })();
        if let Err(e) = result {
            let _ = atomic::remove_any(&temp);
            return Err(e);
        }
        let v = record(&self.root, name.clone(), meta);
        volumes.insert(name, v.clone());
        Ok((v, true))
    }

    /// Every volume, by name.
    pub fn list(&self) -> Vec<VolumeRecord> {
        lock(&self.volumes).values().cloned().collect()
    }

    pub fn count(&self) -> usize {
        lock(&self.volumes).len()
    }

    /// Removes a volume and its data. `in_use` names a container that
    /// uses it (then nothing happens unless `force`... Docker refuses
    /// even with force, and so do we).
    pub fn remove(&self, name: &str, in_use: Option<String>) -> Result<VolumeRecord, VolumeError> {
        let mut volumes = lock(&self.volumes);
        let Some(v) = volumes.get(name).cloned() else {
            return Err(VolumeError::NotFound(name.to_string()));
        };
        if let Some(container) = in_use {
            return Err(VolumeError::InUse {
                name: name.to_string(),
                container,
            });
        }
        let dir = self.root.join(name);
        let doomed = atomic::temp_path(&self.root, "gone");
        fs::rename(&dir, &doomed).map_err(VolumeError::io("removing", &dir))?;
        volumes.remove(name);
        atomic::sync_dir(&self.root).map_err(VolumeError::io("syncing", &self.root))?;
        atomic::remove_any(&doomed).map_err(VolumeError::io("removing", &doomed))?;
        Ok(v)
    }

    /// Bytes under a volume's data directory.
    pub fn size(&self, v: &VolumeRecord) -> u64 {
        dir_size(&v.mountpoint)
    }
}

fn record(root: &Path, name: String, meta: Meta) -> VolumeRecord {
    VolumeRecord {
        mountpoint: root.join(&name).join("_data"),
        name,
        driver: if meta.driver.is_empty() {
            LOCAL.into()
        } else {
            meta.driver
        },
        created_at: meta.created_at,
        labels: meta.labels,
        options: meta.options,
        anonymous: meta.anonymous,
    }
}

/// Bytes of the regular files under `dir` (symlinks not followed).
pub fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_size(&e.path()),
            Ok(t) if t.is_file() => e.metadata().map_or(0, |m| m.len()),
            _ => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_reopen_remove() {
        let dir = tempfile::tempdir().unwrap();
        let store = VolumeStore::open(dir.path()).unwrap();
        let mut labels = BTreeMap::new();
        labels.insert("team".to_string(), "core".to_string());
        let (v, new) = store
            .create(CreateOptions {
                name: "data".into(),
                labels,
                ..Default::default()
            })
            .unwrap();
        assert!(new);
        assert!(v.mountpoint.is_dir());
        assert!(v.mountpoint.ends_with("volumes/data/_data"));
        fs::write(v.mountpoint.join("f"), b"kept").unwrap();
        let (again, new) = store
            .create(CreateOptions {
                name: "data".into(),
                ..Default::default()
            })
            .unwrap();
        assert!(!new);
        assert_eq!(again, v);
        let anon = store.get_or_create("other").unwrap();
        assert_eq!(anon.driver, "local");
        drop(store);

        let store = VolumeStore::open(dir.path()).unwrap();
        let v = store.get("data").unwrap();
        assert_eq!(v.labels["team"], "core");
        assert_eq!(fs::read(v.mountpoint.join("f")).unwrap(), b"kept");
        let err = store.remove("data", Some("abc".into())).unwrap_err();
        assert_eq!(err.to_string(), "remove data: volume is in use - [abc]");
        store.remove("data", None).unwrap();
        assert!(store.get("data").is_none());
        assert!(!dir.path().join("volumes/data").exists());
        // Only "other" is left: no temporary directories.
        let names: Vec<_> = fs::read_dir(dir.path().join("volumes"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["other"]);
    }

    #[test]
    fn names_and_drivers() {
        let dir = tempfile::tempdir().unwrap();
        let store = VolumeStore::open(dir.path()).unwrap();
        assert!(matches!(
            validate_name("a"),
            Err(VolumeError::NameTooShort(_))
        ));
        assert!(matches!(
            validate_name("/abs"),
            Err(VolumeError::InvalidName(_))
        ));
        assert!(matches!(
            validate_name("_x"),
            Err(VolumeError::InvalidName(_))
        ));
        validate_name("my_vol.1-2").unwrap();
        let err = store
            .create(CreateOptions {
                name: "x1".into(),
                driver: "nfs".into(),
                ..Default::default()
            })
            .unwrap_err();
        assert!(matches!(err, VolumeError::UnknownDriver { .. }));
        let (anon, _) = store.create(CreateOptions::default()).unwrap();
        assert_eq!(anon.name.len(), 64);
        assert!(anon.anonymous);
    }

    #[test]
    fn a_leftover_temp_is_swept() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("volumes");
        fs::create_dir_all(atomic::temp_path(&root, "volume").join("_data")).unwrap();
        let store = VolumeStore::open(dir.path()).unwrap();
        assert_eq!(store.count(), 0);
        assert_eq!(fs::read_dir(&root).unwrap().count(), 0);
    }
}
