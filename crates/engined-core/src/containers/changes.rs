//! `docker diff`: what a container changed in its filesystem compared with
//! its image. With the overlay driver the upper layer holds exactly the
//! changes: its entries are additions or modifications (by whether the
//! image has the path), character devices 0/0 are deletions (whiteouts),
//! and an opaque directory (`trusted.overlay.opaque`) hides everything
//! the image had below it. With the copy driver, the container's copy and
//! the image (its layers merged, [`super::rootfs::ImageView`]) are walked
//! side by side and compared by metadata.
//! A directory counts as modified when something below it changed or its
//! own owner or permissions did. The paths engined and the runtime create
//! for every container (`/proc`, `/sys`, `/dev`, `/etc/hostname`, ...) are
//! left out, as Docker leaves out its init layer. Both trees are read
//! through [`crate::scoped`], never following a link a running container
//! made.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs::Metadata;
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;
use std::sync::Arc;

use engine_api::types::{ChangeType, FilesystemChange};

use super::rootfs::{lowers, ImageView, OVERLAY};
use super::{Container, ContainerError};
use crate::scoped::{Follow, Root};

/// What happened to a path (the API's `Kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Modified,
    Added,
    Deleted,
}

/// One changed path, absolute in the container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub path: String,
    pub kind: Kind,
}

impl Change {
    /// As the API sends it.
    pub fn to_api(&self) -> FilesystemChange {
        FilesystemChange {
            path: self.path.clone(),
            kind: match self.kind {
                Kind::Modified => ChangeType::V0,
                Kind::Added => ChangeType::V1,
                Kind::Deleted => ChangeType::V2,
            },
            rest: Default::default(),
        }
    }
}

/// Paths every container gets from engined or the runtime.
const HIDDEN: &[&str] = &[
    "/proc",
    "/sys",
    "/dev",
    "/etc/hostname",
    "/etc/hosts",
    "/etc/resolv.conf",
    "/etc/mtab",
    "/.dockerenv",
];

fn hidden(path: &Path) -> bool {
    HIDDEN.iter().any(|h| path.starts_with(h))
}

fn push(out: &mut Vec<Change>, path: &Path, kind: Kind) {
    out.push(Change {
        path: path.display().to_string(),
        kind,
    });
}

/// The sorted names in directory `dir` of `root` (none when it is not
/// one).
fn names(root: &Root, dir: &Path) -> io::Result<Vec<OsString>> {
    match root.metadata(dir, Follow::No) {
        Ok(m) if m.is_dir() => {}
        _ => return Ok(Vec::new()),
    }
    Ok(root.read_dir(dir)?)
}

/// The metadata of `path` in `root`, a link's own; `None` when missing.
fn lstat(root: &Root, path: &Path) -> Option<Metadata> {
    root.metadata(path, Follow::No).ok()
}

/// Whether two entries differ in what `docker diff` looks at; directories
/// only by owner and permissions (their times move with their entries).
fn differs(new: &Metadata, old: &Metadata, roots: (&Root, &Root), path: &Path) -> bool {
    if new.file_type() != old.file_type()
        || new.mode() != old.mode()
        || new.uid() != old.uid()
        || new.gid() != old.gid()
    {
        return true;
    }
    if new.is_dir() {
        return false;
    }
    if new.file_type().is_symlink() {
        return roots.0.read_link(path).ok() != roots.1.read_link(path).ok();
    }
    new.len() != old.len()
        || new.mtime() != old.mtime()
        || new.mtime_nsec() != old.mtime_nsec()
        || new.rdev() != old.rdev()
}

/// Every path below `dir` (a directory of `root`), as additions.
fn all_added(root: &Root, dir: &Path, out: &mut Vec<Change>) -> io::Result<()> {
    for name in names(root, dir)? {
        let path = dir.join(&name);
        push(out, &path, Kind::Added);
        all_added(root, &path, out)?;
    }
    Ok(())
}

/// Whether the overlay entry is a whiteout (a deleted path).
fn is_whiteout(meta: &Metadata) -> bool {
    meta.file_type().is_char_device() && meta.rdev() == 0
}

/// `path` opened as a root for a comparison.
fn open_root(path: &Path) -> io::Result<Root> {
    Ok(Root::new(path)?)
}

/// The changes an overlay's `upper` layer holds over the image `lower`.
pub fn overlay_changes(upper: &Path, lower: &Path) -> io::Result<Vec<Change>> {
    let mut out = Vec::new();
    let (upper, lower) = (open_root(upper)?, open_root(lower)?);
    walk_upper(&upper, &lower, Path::new("/"), true, &mut out)?;
    Ok(out)
}

/// `dir` exists in the upper layer; `in_lower`: the image has it as a
/// directory whose entries still show.
fn walk_upper(
    upper: &Root,
    lower: &Root,
    dir: &Path,
    in_lower: bool,
    out: &mut Vec<Change>,
) -> io::Result<()> {
    let upper_names = names(upper, dir)?;
    let mut seen = BTreeSet::new();
    for name in &upper_names {
        let path = dir.join(name);
        seen.insert(name.clone());
        if hidden(&path) {
            continue;
        }
        let Some(meta) = lstat(upper, &path) else {
            // Removed while we walk (a running container).
            continue;
        };
        if is_whiteout(&meta) {
            push(out, &path, Kind::Deleted);
            continue;
        }
        let old = if in_lower { lstat(lower, &path) } else { None };
        match old {
            None => {
                push(out, &path, Kind::Added);
                if meta.is_dir() {
                    walk_upper(upper, lower, &path, false, out)?;
                }
            }
            Some(old) if meta.is_dir() && old.is_dir() => {
                let mut below = Vec::new();
                let opaque = crate::images::unpack::is_opaque(upper, &path);
                walk_upper(upper, lower, &path, !opaque, &mut below)?;
                if opaque {
                    let kept = names(upper, &path)?;
                    for name in names(lower, &path)? {
                        let gone = path.join(&name);
                        if !kept.contains(&name) && !hidden(&gone) {
                            push(&mut below, &gone, Kind::Deleted);
                        }
                    }
                }
                if !below.is_empty() || differs(&meta, &old, (upper, lower), &path) {
                    push(out, &path, Kind::Modified);
                }
                out.extend(below);
            }
            Some(_) => {
                push(out, &path, Kind::Modified);
                if meta.is_dir() {
                    walk_upper(upper, lower, &path, false, out)?;
                }
            }
        }
    }
    Ok(())
}

/// The changes of a full copy `rootfs` against the image's `image`.
pub fn copy_changes(rootfs: &Path, image: &Path) -> io::Result<Vec<Change>> {
    let mut out = Vec::new();
    let (rootfs, image) = (open_root(rootfs)?, open_root(image)?);
    compare(&rootfs, &image, Path::new("/"), &mut out)?;
    Ok(out)
}

/// `dir` is a directory in both trees.
fn compare(new: &Root, old: &Root, dir: &Path, out: &mut Vec<Change>) -> io::Result<()> {
    let new_names = names(new, dir)?;
    let old_names = names(old, dir)?;
    let all: BTreeSet<&OsString> = new_names.iter().chain(old_names.iter()).collect();
    for name in all {
        let path = dir.join(name);
        if hidden(&path) {
            continue;
        }
        let now = lstat(new, &path);
        let before = lstat(old, &path);
        match (now, before) {
            (None, None) => {}
            (None, Some(_)) => push(out, &path, Kind::Deleted),
            (Some(now), None) => {
                push(out, &path, Kind::Added);
                if now.is_dir() {
                    all_added(new, &path, out)?;
                }
            }
            (Some(now), Some(before)) if now.is_dir() && before.is_dir() => {
                let mut below = Vec::new();
                compare(new, old, &path, &mut below)?;
                if !below.is_empty() || differs(&now, &before, (new, old), &path) {
                    push(out, &path, Kind::Modified);
                }
                out.extend(below);
            }
            (Some(now), Some(before)) => {
                if differs(&now, &before, (new, old), &path) {
                    push(out, &path, Kind::Modified);
                    if now.is_dir() {
                        all_added(new, &path, out)?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// The changes of container `c`, computed off the async threads.
pub async fn changes(c: Arc<Container>) -> Result<Vec<Change>, ContainerError> {
    let id = c.id.clone();
    let work = move || {
        let record = c.record();
        let image = ImageView::open(&record.driver, &lowers(&record), &c.layout.dir)?;
        if record.driver == OVERLAY {
            overlay_changes(&c.layout.dir.join("upper"), image.path())
        } else {
            copy_changes(&c.layout.rootfs(&record.driver), image.path())
        }
    };
    let context = || format!("comparing container {id} with its image");
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ContainerError::io(context(), io::Error::other(e.to_string())))?
        .map_err(|e| ContainerError::io(context(), e))
}

#[cfg(test)]
mod tests {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    use std::path::PathBuf;

    use super::*;

    fn kinds(changes: &[Change]) -> Vec<String> {
        changes
            .iter()
            .map(|c| {
                let k = match c.kind {
                    Kind::Modified => 'C',
                    Kind::Added => 'A',
                    Kind::Deleted => 'D',
                };
                format!("{k} {}", c.path)
            })
            .collect()
    }

    fn image(base: &Path) -> PathBuf {
        let image = base.join("image");
        for d in ["etc", "bin", "var/lib", "opt/keep"] {
            std::fs::create_dir_all(image.join(d)).unwrap();
        }
        std::fs::write(image.join("etc/passwd"), "root").unwrap();
        std::fs::write(image.join("removed"), "x").unwrap();
        std::fs::write(image.join("var/lib/a"), "a").unwrap();
        std::fs::write(image.join("opt/keep/k"), "k").unwrap();
        image
    }

    #[test]
    fn whiteouts_are_deletions_and_opaque_dirs_hide_the_image() {
        let base = tempfile::tempdir().unwrap();
        let lower = image(base.path());
        let upper = base.path().join("upper");
        std::fs::create_dir_all(upper.join("etc")).unwrap();
        std::fs::write(upper.join("etc/passwd"), "root and more").unwrap();
        std::fs::write(upper.join("new"), "n").unwrap();
        std::fs::create_dir_all(upper.join("newdir")).unwrap();
        std::fs::write(upper.join("newdir/f"), "f").unwrap();
        // Runtime-made paths stay out.
        std::fs::create_dir_all(upper.join("proc")).unwrap();
        std::fs::write(upper.join("etc/hostname"), "").unwrap();
        let whiteout = |p: &Path| {
            let c = CString::new(p.as_os_str().as_bytes()).unwrap();
            // SAFETY: c is NUL-terminated.
            let rc = unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o600, 0) };
            rc == 0
        };
        if !whiteout(&upper.join("removed")) {
            eprintln!("skipped: cannot make device nodes here");
            return;
        }
        std::fs::create_dir_all(upper.join("opt")).unwrap();
        std::fs::create_dir_all(upper.join("opt/keep")).unwrap();
        let opaque = CString::new(upper.join("opt/keep").as_os_str().as_bytes()).unwrap();
        // SAFETY: NUL-terminated strings, a 1-byte value.
        let rc = unsafe {
            libc::lsetxattr(
                opaque.as_ptr(),
                c"trusted.overlay.opaque".as_ptr(),
                c"y".as_ptr().cast(),
                1,
                0,
            )
        };
        let can_opaque = rc == 0;
        std::fs::write(upper.join("opt/keep/fresh"), "f").unwrap();

        let got = kinds(&overlay_changes(&upper, &lower).unwrap());
        let mut want = vec![
            "C /etc",
            "C /etc/passwd",
            "A /new",
            "A /newdir",
            "A /newdir/f",
        ];
        if can_opaque {
            want.extend([
                "C /opt",
                "C /opt/keep",
                "A /opt/keep/fresh",
                "D /opt/keep/k",
            ]);
        } else {
            want.extend(["C /opt", "C /opt/keep", "A /opt/keep/fresh"]);
        }
        want.push("D /removed");
        assert_eq!(got, want);
    }

    #[test]
    fn a_copy_is_compared_with_the_image_by_metadata() {
        let base = tempfile::tempdir().unwrap();
        let lower = image(base.path());
        let copy = base.path().join("copy");
        let status = std::process::Command::new("cp")
            .arg("-a")
            .arg(format!("{}/.", lower.display()))
            .arg(&copy)
            .status()
            .unwrap();
        assert!(status.success());
        assert!(copy_changes(&copy, &lower).unwrap().is_empty());
        std::fs::write(copy.join("etc/passwd"), "root and more").unwrap();
        std::fs::remove_file(copy.join("removed")).unwrap();
        std::fs::create_dir(copy.join("newdir")).unwrap();
        std::fs::write(copy.join("newdir/f"), "f").unwrap();
        std::fs::create_dir(copy.join("dev")).unwrap();
        std::fs::write(copy.join("etc/resolv.conf"), "").unwrap();
        let got = kinds(&copy_changes(&copy, &lower).unwrap());
        assert_eq!(
            got,
            [
                "C /etc",
                "C /etc/passwd",
                "A /newdir",
                "A /newdir/f",
                "D /removed"
            ]
        );
        let api = Change {
            path: "/new".into(),
            kind: Kind::Added,
        }
        .to_api();
        assert_eq!(
            serde_json::to_value(&api).unwrap(),
            serde_json::json!({"Path": "/new", "Kind": 1})
        );
    }
}
