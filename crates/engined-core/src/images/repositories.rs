//! The tags: `repositories.json`, in dockerd's shape
//! (`{"Repositories": {"<repo>": {"<repo>:<tag>": "sha256:<id>"}}}`),
//! rewritten atomically on every change.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::error::ImageError;
use super::reference::Reference;
use engined_shim::atomic;

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    #[serde(rename = "Repositories", default)]
    repositories: BTreeMap<String, BTreeMap<String, String>>,
}

/// Reference -> image ID, in memory, mirrored to the file.
pub struct Tags {
    path: PathBuf,
    tags: BTreeMap<Reference, String>,
}

impl Tags {
    pub fn open(path: PathBuf) -> Result<Tags, ImageError> {
        let mut tags = BTreeMap::new();
        match std::fs::read(&path) {
            Ok(bytes) => {
                let file: File =
                    serde_json::from_slice(&bytes).map_err(|e| ImageError::BadConfig {
                        id: path.display().to_string(),
                        why: e.to_string(),
                    })?;
                for (_, refs) in file.repositories {
                    for (name, id) in refs {
                        // A name this version cannot parse is dropped, not fatal.
                        if let Ok(reference) = Reference::parse(&name) {
                            tags.insert(reference, id);
                        }
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(ImageError::io("reading", &path)(e)),
        }
        Ok(Tags { path, tags })
    }

    pub fn get(&self, reference: &Reference) -> Option<&String> {
        self.tags.get(reference)
    }

    /// Every reference to `id`, sorted.
    pub fn of(&self, id: &str) -> Vec<Reference> {
        self.tags
            .iter()
            .filter(|(_, v)| v.as_str() == id)
            .map(|(k, _)| k.clone())
            .collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Reference, &String)> {
        self.tags.iter()
    }

    /// Points `reference` at `id`; returns the ID it pointed at before.
    pub fn set(&mut self, reference: Reference, id: &str) -> Result<Option<String>, ImageError> {
        let old = self.tags.insert(reference.clone(), id.to_string());
        if old.as_deref() == Some(id) {
            return Ok(old);
        }
        if let Err(e) = self.save() {
            match &old {
                Some(o) => self.tags.insert(reference, o.clone()),
                None => self.tags.remove(&reference),
            };
            return Err(e);
        }
        Ok(old)
    }

    /// Removes the given references in one write.
    pub fn remove(&mut self, references: &[Reference]) -> Result<(), ImageError> {
        let mut removed = Vec::new();
        for r in references {
            if let Some(id) = self.tags.remove(r) {
                removed.push((r.clone(), id));
            }
        }
        if removed.is_empty() {
            return Ok(());
        }
        if let Err(e) = self.save() {
            self.tags.extend(removed);
            return Err(e);
        }
        Ok(())
    }

    fn save(&self) -> Result<(), ImageError> {
        let mut file = File::default();
        for (reference, id) in &self.tags {
            file.repositories
                .entry(reference.repo.clone())
                .or_default()
                .insert(reference.to_string(), id.clone());
        }
        let bytes = serde_json::to_vec(&file).map_err(|e| ImageError::BadConfig {
            id: self.path.display().to_string(),
            why: e.to_string(),
        })?;
        atomic::write_file(&self.path, &bytes).map_err(ImageError::io("writing", &self.path))
    }
}
