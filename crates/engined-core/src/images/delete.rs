//! `docker rmi` and `docker image prune`, by dockerd's rules: a name is
//! untagged first and the image goes with its last name; deleting by ID
//! removes every name; `repo@sha256:...` forgets that digest (and the
//! image with its last name or digest); a running container's image cannot be deleted, a
//! stopped container's only with force; "in use" is asked of the caller;
//! an image another image is built on (its child) is never deleted; a
//! deleted image's untagged parents (a build's steps) go with it.

use super::error::ImageError;
use super::reference::Reference;
use super::store::{short_id, ImageStore, ImageUser};

/// One line of `docker rmi`'s answer, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removed {
    /// A name that went (`mini:v2`).
    Untagged(String),
    /// The image ID, then the layers that went with it.
    Deleted(String),
}

/// Who uses an image: `Some` when a container does (a running one first).
pub type Users<'a> = &'a dyn Fn(&str) -> Option<ImageUser>;

impl ImageStore {
    /// The recorded `repo@sha256:...` that `reference` names, if it is a
    /// digest reference (the repository as the store spells it).
    fn digest_reference(image: &super::Image, reference: &str) -> Option<String> {
        let (repo, digest) = reference.split_once('@')?;
        let repo = Reference::from_parts(repo, super::reference::DEFAULT_TAG)
            .ok()?
            .repo;
        let wanted = format!("{repo}@{digest}");
        image
            .meta
            .repo_digests
            .iter()
            .find(|d| **d == wanted)
            .cloned()
    }
}

/// `reference` is (a prefix of) the ID rather than a name.
fn is_id_prefix(id: &str, reference: &str) -> bool {
    let hex = id.strip_prefix("sha256:").unwrap_or(id);
    id.starts_with(reference) || hex.starts_with(reference)
}

impl ImageStore {
    /// `DELETE /images/{name}`. Returns what went, in Docker's order.
    pub fn delete(
        &self,
        reference: &str,
        force: bool,
        users: Users<'_>,
    ) -> Result<Vec<Removed>, ImageError> {
        let image = self.get(reference)?;
        let id = image.id.clone();
        let mut records = Vec::new();
        let mut removed_name = false;
        if let Some(repo_digest) = Self::digest_reference(&image, reference) {
            // `repo@sha256:...`: that digest goes; the image goes with its
            // last name or digest, as for a tag.
            let last = self.tags_of(&id).is_empty() && image.meta.repo_digests.len() == 1;
            if !force && last {
                if let Some(user) = users(&id) {
                    return Err(ImageError::Conflict(format!(
                        "conflict: unable to remove repository reference \"{reference}\" (must force) - container {} is using its referenced image {}",
                        short_id(&user.container_id),
                        short_id(&id)
                    )));
                }
            }
            self.remove_repo_digest(&id, &repo_digest)?;
            records.push(Removed::Untagged(repo_digest));
            if !last {
                return Ok(records);
            }
            removed_name = true;
        } else if !is_id_prefix(&id, reference) {
            let parsed = Reference::parse(reference)?;
            if !force && self.tags_of(&id).len() == 1 {
                if let Some(user) = users(&id) {
                    return Err(ImageError::Conflict(format!(
                        "conflict: unable to remove repository reference \"{reference}\" (must force) - container {} is using its referenced image {}",
                        short_id(&user.container_id),
                        short_id(&id)
                    )));
                }
            }
            self.untag(std::slice::from_ref(&parsed))?;
            records.push(Removed::Untagged(parsed.to_string()));
            if !self.tags_of(&id).is_empty() {
                return Ok(records);
            }
            removed_name = true;
        } else if self.tags_of(&id).len() <= 1 {
            if let Some(conflict) = conflict(&id, users(&id), force, false, self.has_child(&id)) {
                return Err(ImageError::Conflict(conflict.message));
            }
            let names = self.tags_of(&id);
            self.untag(&names)?;
            records.extend(names.iter().map(|n| Removed::Untagged(n.to_string())));
        }
        let has_names = !self.tags_of(&id).is_empty();
        if let Some(conflict) = conflict(&id, users(&id), force, has_names, self.has_child(&id)) {
            // The last name went; a container or a child image still
            // uses the image, so it stays (untagged) and that is no error.
            if removed_name && conflict.used {
                return Ok(records);
            }
            return Err(ImageError::Conflict(conflict.message));
        }
        let names = self.tags_of(&id);
        self.untag(&names)?;
        records.extend(names.iter().map(|n| Removed::Untagged(n.to_string())));
        if users(&id).is_some() {
            // Forced while a stopped container uses it: the container's
            // rootfs may sit on this image's files, so the image stays,
            // untagged, until `docker image prune` finds it unused.
            return Ok(records);
        }
        let layers = self.remove_image(&id)?;
        records.push(Removed::Deleted(id));
        records.extend(layers.into_iter().map(Removed::Deleted));
        Ok(records)
    }

    /// What `docker rmi` does after an image went (unless `noprune`):
    /// its untagged parents go too, nearest first, each once nothing else
    /// holds it (no name, no container, no other child); the first one
    /// held stops the walk, as in dockerd.
    pub fn delete_untagged_parents(
        &self,
        parent: Option<String>,
        users: Users<'_>,
    ) -> Result<Vec<Removed>, ImageError> {
        let mut records = Vec::new();
        let mut next = parent;
        while let Some(id) = next.take() {
            let Ok(image) = self.get(&id) else {
                break;
            };
            if self.has_child(&image.id)
                || !self.tags_of(&image.id).is_empty()
                || users(&image.id).is_some()
            {
                break;
            }
            let layers = match self.remove_image(&image.id) {
                Ok(layers) => layers,
                Err(ImageError::NotFound(_)) => break,
                Err(e) => return Err(e),
            };
            records.push(Removed::Deleted(image.id.clone()));
            records.extend(layers.into_iter().map(Removed::Deleted));
            next = image.config.parent.clone();
        }
        Ok(records)
    }

    /// `POST /images/prune`: removes unused images that `select` picks
    /// (by default the untagged ones). Returns what went and the bytes
    /// reclaimed.
    pub fn prune(
        &self,
        select: &dyn Fn(&super::Image, &[Reference]) -> bool,
        users: Users<'_>,
    ) -> Result<(Vec<Removed>, u64), ImageError> {
        let mut records = Vec::new();
        let mut reclaimed = 0;
        for (image, names) in self.list() {
            if !select(&image, &names) || users(&image.id).is_some() {
                continue;
            }
            self.untag(&names)?;
            records.extend(names.iter().map(|n| Removed::Untagged(n.to_string())));
            let layers = match self.remove_image(&image.id) {
                Ok(layers) => layers,
                Err(ImageError::NotFound(_)) => continue,
                Err(e) => return Err(e),
            };
            reclaimed += image.size;
            records.push(Removed::Deleted(image.id.clone()));
            records.extend(layers.into_iter().map(Removed::Deleted));
        }
        Ok((records, reclaimed))
    }
}

struct Conflict {
    message: String,
    /// A container or a child image uses the image (rather than names
    /// blocking it).
    used: bool,
}

/// What stops the image `id` from going, in dockerd's order: a child
/// image and a running container even with force, then other names and a
/// stopped container without it.
fn conflict(
    id: &str,
    user: Option<ImageUser>,
    force: bool,
    has_names: bool,
    has_child: bool,
) -> Option<Conflict> {
    let short = short_id(id);
    if has_child {
        return Some(Conflict {
            message: format!(
                "conflict: unable to delete {short} (cannot be forced) - image has dependent child images"
            ),
            used: true,
        });
    }
    match user {
        Some(u) if u.running => Some(Conflict {
            message: format!(
                "conflict: unable to delete {short} (cannot be forced) - image is being used by running container {}",
                short_id(&u.container_id)
            ),
            used: true,
        }),
        Some(u) if !force => Some(Conflict {
            message: format!(
                "conflict: unable to delete {short} (must be forced) - image is being used by stopped container {}",
                short_id(&u.container_id)
            ),
            used: true,
        }),
        _ if has_names && !force => Some(Conflict {
            message: format!(
                "conflict: unable to delete {short} (must be forced) - image is referenced in multiple repositories"
            ),
            used: false,
        }),
        _ => None,
    }
}
