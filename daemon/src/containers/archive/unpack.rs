//! A tar archive extracted into a directory of a container, entry by entry
//! and always inside the container's root: entry names are cleaned and
//! refused when they climb out of the destination (`..`); the directories
//! on each entry's way are resolved in the container's scope (a symlink
//! to `/etc` leads to the container's `/etc`, never the host's) and
//! created when missing; the entry's own last element is never followed:
//! whatever is there is replaced (a directory stays when the entry is a
//! directory). Hard links must point inside the destination as well.
//! gzip-compressed archives are accepted.

use std::io::{self, BufRead, BufReader, Read};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use flate2::read::GzDecoder;

use super::error::{ArchiveError, Result};
use super::scope;

/// How an extraction treats what is already there.
#[derive(Debug, Clone, Default)]
pub struct UnpackOptions {
    /// Refuse replacing a directory by a non-directory and the reverse.
    pub no_overwrite_dir_non_dir: bool,
    /// Owner given to every extracted entry instead of the archive's.
    pub owner: Option<(u32, u32)>,
}

/// The archive's entry name as a path below the destination; `None` for
/// the destination itself (`.`, `./`).
fn entry_path(raw: &[u8]) -> Result<Option<PathBuf>> {
    let path = Path::new(std::ffi::OsStr::from_bytes(raw));
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::ParentDir => {
                if !out.pop() {
                    return Err(ArchiveError::BadArchive(format!(
                        "entry {} leaves the destination",
                        path.display()
                    )));
                }
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    Ok((!out.as_os_str().is_empty()).then_some(out))
}

/// The reader of `body`, uncompressed when it is gzip.
fn decompressed<'a>(body: impl Read + 'a) -> Result<Box<dyn Read + 'a>> {
    let mut reader = BufReader::new(body);
    let head = reader
        .fill_buf()
        .map_err(|e| ArchiveError::io("reading the archive", e))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        return Ok(Box::new(GzDecoder::new(reader)));
    }
    if head.starts_with(b"BZh") || head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        return Err(ArchiveError::BadArchive(
            "only plain and gzip-compressed tar archives are supported".into(),
        ));
    }
    Ok(Box::new(reader))
}

/// The host path of container path `container` with its directories
/// resolved in scope (and created), its last element not followed.
fn place(root: &Path, container: &Path) -> Result<PathBuf> {
    let (Some(parent), Some(last)) = (container.parent(), container.file_name()) else {
        return Ok(root.to_path_buf());
    };
    let dir = root.join(scope::follow(root, parent)?);
    std::fs::create_dir_all(&dir)
        .map_err(|e| ArchiveError::io(format!("creating {}", parent.display()), e))?;
    Ok(dir.join(last))
}

/// Extracts `body` into the container directory `dest` (a cleaned,
/// resolved container path, relative to `root`, that is a directory).
pub fn unpack(body: impl Read, root: &Path, dest: &Path, options: &UnpackOptions) -> Result<()> {
    let mut archive = tar::Archive::new(decompressed(body)?);
    archive.set_preserve_permissions(true);
    archive.set_preserve_ownerships(options.owner.is_none());
    archive.set_preserve_mtime(true);
    archive.set_overwrite(true);
    let bad = |e: io::Error| ArchiveError::BadArchive(e.to_string());
    for entry in archive.entries().map_err(bad)? {
        let mut entry = entry.map_err(bad)?;
        let Some(relative) = entry_path(&entry.path_bytes())? else {
            continue;
        };
        let container = Path::new("/").join(dest).join(&relative);
        let shown = || container.display().to_string();
        let target = place(root, &container)?;
        let kind = entry.header().entry_type();
        let is_dir = kind.is_dir();
        if let Ok(existing) = std::fs::symlink_metadata(&target) {
            let was_dir = existing.is_dir();
            if options.no_overwrite_dir_non_dir && was_dir && !is_dir {
                return Err(ArchiveError::DirWithNonDir(shown()));
            }
            if options.no_overwrite_dir_non_dir && !was_dir && is_dir {
                return Err(ArchiveError::NonDirWithDir(shown()));
            }
            if !(was_dir && is_dir) {
                let removed = if was_dir {
                    std::fs::remove_dir_all(&target)
                } else {
                    std::fs::remove_file(&target)
                };
                removed.map_err(|e| ArchiveError::io(format!("replacing {}", shown()), e))?;
            }
        }
        if kind.is_hard_link() {
            let link = entry.link_name_bytes().ok_or_else(|| {
                ArchiveError::BadArchive(format!("hard link {} has no target", shown()))
            })?;
            let source = entry_path(&link)?.ok_or_else(|| {
                ArchiveError::BadArchive(format!("hard link {} points at the destination", shown()))
            })?;
            let source = place(root, &Path::new("/").join(dest).join(source))?;
            std::fs::hard_link(&source, &target)
                .map_err(|e| ArchiveError::io(format!("linking {}", shown()), e))?;
        } else {
            entry
                .unpack(&target)
                .map_err(|e| ArchiveError::io(format!("extracting {}", shown()), e))?;
        }
        if let Some((uid, gid)) = options.owner {
            std::os::unix::fs::lchown(&target, Some(uid), Some(gid))
                .map_err(|e| ArchiveError::io(format!("chown {}", shown()), e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use tar::{EntryType, Header};

    use super::*;

    /// A tar of `(name, type, data or link target)`, names written raw.
    fn tar(entries: &[(&str, EntryType, &str)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, kind, data) in entries {
            let mut h = Header::new_gnu();
            h.set_entry_type(*kind);
            h.set_mode(if kind.is_dir() { 0o755 } else { 0o644 });
            h.set_uid(0);
            h.set_gid(0);
            h.set_mtime(1_700_000_000);
            let slot = &mut h.as_old_mut().name;
            slot[..name.len()].copy_from_slice(name.as_bytes());
            if kind.is_symlink() || kind.is_hard_link() {
                h.set_link_name(data).unwrap();
                h.set_size(0);
                h.set_cksum();
                b.append(&h, io::empty()).unwrap();
            } else {
                h.set_size(data.len() as u64);
                h.set_cksum();
                b.append(&h, data.as_bytes()).unwrap();
            }
        }
        b.into_inner().unwrap()
    }

    /// Extracts `entries` into the root's `/tmp`.
    fn put(
        root: &Path,
        entries: &[(&str, EntryType, &str)],
        options: &UnpackOptions,
    ) -> Result<()> {
        unpack(&tar(entries)[..], root, Path::new("tmp"), options)
    }

    fn root() -> (tempfile::TempDir, tempfile::TempDir) {
        let outside = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        std::fs::create_dir_all(r.join("tmp")).unwrap();
        std::fs::create_dir_all(r.join("etc")).unwrap();
        // A link that would lead out of the root if followed on the host.
        symlink(outside.path(), r.join("tmp/out")).unwrap();
        symlink("/../../", r.join("tmp/up")).unwrap();
        (dir, outside)
    }

    #[test]
    fn files_directories_and_links_land_in_the_destination() {
        let (r, _o) = root();
        let entries = [
            ("./", EntryType::Directory, ""),
            ("./d/", EntryType::Directory, ""),
            ("./d/f", EntryType::Regular, "data"),
            ("./l", EntryType::Symlink, "/etc/passwd"),
            ("./h", EntryType::Link, "d/f"),
            ("deep/er/x", EntryType::Regular, "x"),
        ];
        put(r.path(), &entries, &UnpackOptions::default()).unwrap();
        let read = |p: &str| std::fs::read_to_string(r.path().join("tmp").join(p)).unwrap();
        assert_eq!(read("d/f"), "data");
        assert_eq!(read("h"), "data");
        assert_eq!(read("deep/er/x"), "x");
        let link = std::fs::read_link(r.path().join("tmp/l")).unwrap();
        assert_eq!(link, Path::new("/etc/passwd"));
    }

    #[test]
    fn nothing_escapes_through_links_or_dot_dot() {
        let (r, o) = root();
        let any = UnpackOptions::default();
        // Through a link to an absolute host path: lands in the root.
        put(r.path(), &[("out/x", EntryType::Regular, "in")], &any).unwrap();
        assert!(!o.path().join("x").exists());
        let landed = r.path().join(o.path().strip_prefix("/").unwrap()).join("x");
        assert_eq!(std::fs::read_to_string(landed).unwrap(), "in");
        // Through `/../../`: the container's root.
        put(r.path(), &[("up/y", EntryType::Regular, "y")], &any).unwrap();
        assert_eq!(std::fs::read_to_string(r.path().join("y")).unwrap(), "y");
        // `..` out of the destination is refused, for files and hard links.
        let e = put(
            r.path(),
            &[("../../../escape", EntryType::Regular, "no")],
            &any,
        );
        assert_eq!(e.unwrap_err().status(), 400);
        let e = put(
            r.path(),
            &[("h", EntryType::Link, "../../etc/shadow")],
            &any,
        );
        assert_eq!(e.unwrap_err().status(), 400);
        // The final element is replaced, not followed.
        put(r.path(), &[("out", EntryType::Regular, "file now")], &any).unwrap();
        let now = std::fs::read_to_string(r.path().join("tmp/out")).unwrap();
        assert_eq!(now, "file now");
        assert!(o.path().exists());
    }

    #[test]
    fn no_overwrite_dir_non_dir_refuses_type_changes() {
        let (r, _o) = root();
        std::fs::create_dir(r.path().join("tmp/dir")).unwrap();
        std::fs::write(r.path().join("tmp/file"), "f").unwrap();
        let strict = UnpackOptions {
            no_overwrite_dir_non_dir: true,
            owner: None,
        };
        let to_file = [("dir", EntryType::Regular, "x")];
        let to_dir = [("file/", EntryType::Directory, "")];
        let e = put(r.path(), &to_file, &strict).unwrap_err();
        assert!(matches!(e, ArchiveError::DirWithNonDir(_)), "{e}");
        let e = put(r.path(), &to_dir, &strict).unwrap_err();
        assert!(matches!(e, ArchiveError::NonDirWithDir(_)), "{e}");
        assert_eq!(e.status(), 400);
        // Without the switch, the types change.
        put(r.path(), &to_file, &UnpackOptions::default()).unwrap();
        put(r.path(), &to_dir, &UnpackOptions::default()).unwrap();
        assert!(r.path().join("tmp/dir").is_file());
        assert!(r.path().join("tmp/file").is_dir());
    }

    #[test]
    fn gzip_is_accepted() {
        let (r, _o) = root();
        let t = tar(&[("z", EntryType::Regular, "zipped")]);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &t).unwrap();
        let gz = gz.finish().unwrap();
        unpack(
            &gz[..],
            r.path(),
            Path::new("tmp"),
            &UnpackOptions::default(),
        )
        .unwrap();
        let text = std::fs::read_to_string(r.path().join("tmp/z")).unwrap();
        assert_eq!(text, "zipped");
    }
}
