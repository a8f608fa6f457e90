//! Unpacking layer tars into an image's root filesystem: layers in order,
//! with overlay whiteouts (`.wh.<name>` deletes `<name>`, `.wh..wh..opq`
//! empties its directory), into a temporary directory that is fsynced and
//! then renamed into place, so a rootfs either exists whole or not at all.

use std::fs::{self, File};
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Component, Path, PathBuf};

use super::error::ImageError;
use crate::atomic;

const WHITEOUT: &str = ".wh.";
const OPAQUE: &str = ".wh..wh..opq";

/// Unpacks `layers` (readers of plain tars, bottom first) into `target`,
/// which must not exist yet. Nothing is left behind on error. Returns each
/// layer's content size (the bytes of its regular files), which is what
/// Docker reports as a layer's size.
pub fn unpack_rootfs(
    target: &Path,
    layers: Vec<Box<dyn Read + '_>>,
) -> Result<Vec<u64>, ImageError> {
    let parent = target
        .parent()
        .ok_or_else(|| ImageError::BadTar(format!("{} has no parent", target.display())))?;
    let temp = atomic::temp_path(parent, "rootfs");
    let result = (|| {
        fs::create_dir(&temp).map_err(ImageError::io("creating", &temp))?;
        let mut sizes = Vec::new();
        for layer in layers {
            sizes.push(apply_layer(&temp, layer)?);
        }
        sync_tree(&temp).map_err(ImageError::io("syncing", &temp))?;
        fs::rename(&temp, target).map_err(ImageError::io("renaming", target))?;
        atomic::sync_dir(parent).map_err(ImageError::io("syncing", parent))?;
        Ok(sizes)
    })();
    if result.is_err() {
        let _ = atomic::remove_any(&temp);
    }
    result
}

fn running_as_root() -> bool {
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// Applies one layer on top of what `root` holds; returns the bytes of
/// its regular files.
pub fn apply_layer(root: &Path, layer: Box<dyn Read + '_>) -> Result<u64, ImageError> {
    let mut archive = tar::Archive::new(layer);
    archive.set_preserve_permissions(true);
    archive.set_preserve_mtime(true);
    archive.set_preserve_ownerships(running_as_root());
    archive.set_unpack_xattrs(false);
    archive.set_overwrite(true);
    let entries = archive
        .entries()
        .map_err(|e| ImageError::BadTar(e.to_string()))?;
    let mut seen = 0usize;
    let mut size = 0u64;
    for entry in entries {
        let mut entry = entry.map_err(|e| ImageError::BadTar(e.to_string()))?;
        seen += 1;
        let path = entry
            .path()
            .map_err(|e| ImageError::BadTar(e.to_string()))?
            .into_owned();
        let Some(relative) = clean_relative(&path) else {
            // `..` or an absolute path: never write outside the root.
            continue;
        };
        let name = relative
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name == OPAQUE {
            let dir = root.join(relative.parent().unwrap_or(Path::new("")));
            empty_dir(&dir).map_err(ImageError::io("whiting out", &dir))?;
            continue;
        }
        if let Some(hidden) = name.strip_prefix(WHITEOUT) {
            let victim = root
                .join(relative.parent().unwrap_or(Path::new("")))
                .join(hidden);
            atomic::remove_any(&victim).map_err(ImageError::io("whiting out", &victim))?;
            continue;
        }
        // A file replaced by a directory or the other way round.
        let dest = root.join(&relative);
        if let Ok(meta) = fs::symlink_metadata(&dest) {
            let replacing_dir =
                meta.is_dir() && entry.header().entry_type() != tar::EntryType::Directory;
            let by_dir = !meta.is_dir() && entry.header().entry_type() == tar::EntryType::Directory;
            if replacing_dir || by_dir {
                atomic::remove_any(&dest).map_err(ImageError::io("replacing", &dest))?;
            }
        }
        if entry.header().entry_type().is_file() {
            size += entry.header().size().unwrap_or(0);
        }
        entry
            .unpack_in(root)
            .map_err(|e| ImageError::BadTar(format!("{}: {}", path.display(), chain(&e))))?;
    }
    if seen == 0 {
        return Err(ImageError::BadTar("the archive is empty".into()));
    }
    Ok(size)
}

/// An error with its causes, `: `-separated (tar's own message hides them).
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// `path` without `./` and with no `..` or root component.
fn clean_relative(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(c) => out.push(c),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

fn empty_dir(dir: &Path) -> std::io::Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        atomic::remove_any(&entry?.path())?;
    }
    Ok(())
}

/// fsyncs every regular file and directory under `dir`.
fn sync_tree(dir: &Path) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            sync_tree(&entry.path())?;
        } else if kind.is_file() {
            File::open(entry.path())?.sync_all()?;
        }
    }
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_of(entries: &[(&str, Option<&[u8]>)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, data) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_uid(0);
            header.set_gid(0);
            header.set_mtime(1_700_000_000);
            match data {
                Some(bytes) => {
                    header.set_entry_type(tar::EntryType::Regular);
                    header.set_size(bytes.len() as u64);
                    header.set_mode(0o644);
                    builder.append_data(&mut header, path, *bytes).unwrap();
                }
                None => {
                    header.set_entry_type(tar::EntryType::Directory);
                    header.set_size(0);
                    header.set_mode(0o755);
                    builder.append_data(&mut header, path, &[][..]).unwrap();
                }
            }
        }
        builder.into_inner().unwrap()
    }

    #[test]
    fn layers_and_whiteouts() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("root");
        let lower = tar_of(&[
            ("etc/", None),
            ("etc/a", Some(b"a")),
            ("etc/b", Some(b"b")),
            ("opt/", None),
            ("opt/x", Some(b"x")),
        ]);
        let upper = tar_of(&[
            ("etc/.wh.a", Some(b"")),
            ("opt/.wh..wh..opq", Some(b"")),
            ("opt/y", Some(b"y")),
            ("etc/b", Some(b"B")),
        ]);
        unpack_rootfs(&target, vec![Box::new(&lower[..]), Box::new(&upper[..])]).unwrap();
        assert!(!target.join("etc/a").exists());
        assert_eq!(fs::read(target.join("etc/b")).unwrap(), b"B");
        assert!(!target.join("opt/x").exists());
        assert_eq!(fs::read(target.join("opt/y")).unwrap(), b"y");
        // Only the target is left in the parent: no temporary directory.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_bad_tar_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("root");
        let junk = vec![7u8; 1000];
        assert!(unpack_rootfs(&target, vec![Box::new(&junk[..])]).is_err());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
