//! A tar archive extracted into a directory of a container, entry by entry
//! and always inside the container's root: entry names are cleaned and
//! refused when they climb out of the destination (`..`); each entry is
//! then written by [`crate::scoped::extract`], which resolves its
//! directories in the container's scope (a symlink to `/etc` leads to the
//! container's `/etc`, never the host's), creates missing ones, and never
//! follows the entry's own last element: whatever is there is replaced (a
//! directory stays when the entry is a directory). Hard links are real
//! hard links and must point inside the destination as well.
//! gzip-compressed archives are accepted.

use std::io::{self, BufRead, BufReader, Read};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use flate2::read::GzDecoder;

use super::error::{ArchiveError, Result};
use crate::scoped::extract::{running_as_root, ExtractError, Extractor, Options, Owner};
use crate::scoped::Root;

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

/// Extracts `body` into the container directory `dest` (a cleaned,
/// resolved container path, relative to `root`, that is a directory).
pub fn unpack(body: impl Read, root: &Root, dest: &Path, options: &UnpackOptions) -> Result<()> {
    let mut archive = tar::Archive::new(decompressed(body)?);
    let bad = |e: io::Error| ArchiveError::BadArchive(e.to_string());
    let as_root = running_as_root();
    let owner = match options.owner {
        Some((uid, gid)) => Owner::Fixed(uid, gid),
        None if as_root => Owner::FromArchive,
        None => Owner::Extractor,
    };
    let mut extractor = Extractor::new(
        root,
        Options {
            owner,
            devices: as_root,
            no_overwrite_dir_non_dir: options.no_overwrite_dir_non_dir,
            plain_only: false,
        },
    );
    for entry in archive.entries().map_err(bad)? {
        let mut entry = entry.map_err(bad)?;
        let Some(relative) = entry_path(&entry.path_bytes())? else {
            continue;
        };
        let link = if entry.header().entry_type().is_hard_link() {
            let shown = || {
                Path::new("/")
                    .join(dest)
                    .join(&relative)
                    .display()
                    .to_string()
            };
            let link = entry.link_name_bytes().ok_or_else(|| {
                ArchiveError::BadArchive(format!("hard link {} has no target", shown()))
            })?;
            let source = entry_path(&link)?.ok_or_else(|| {
                ArchiveError::BadArchive(format!("hard link {} points at the destination", shown()))
            })?;
            Some(dest.join(source))
        } else {
            None
        };
        extractor
            .put(&dest.join(&relative), &mut entry, link.as_deref())
            .map_err(extract_error)?;
    }
    extractor.finish().map_err(extract_error)
}

/// The extractor's error as `docker cp` answers it.
fn extract_error(e: ExtractError) -> ArchiveError {
    match e {
        ExtractError::DirWithNonDir(p) => ArchiveError::DirWithNonDir(p),
        ExtractError::NonDirWithDir(p) => ArchiveError::NonDirWithDir(p),
        ExtractError::Scoped(e) if e.is_loop() => {
            ArchiveError::TooManyLinks(Path::new("/").join(&e.path).display().to_string())
        }
        ExtractError::Scoped(e) => ArchiveError::io("extracting", e.into()),
        other => ArchiveError::BadArchive(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use std::os::unix::fs::MetadataExt;

    use tar::EntryType;

    use super::*;
    use crate::scoped::testing::tar;

    /// Extracts `entries` into the root's `/tmp`.
    fn put(
        root: &Path,
        entries: &[(&str, EntryType, &str)],
        options: &UnpackOptions,
    ) -> Result<()> {
        let root = Root::new(root).unwrap();
        unpack(&tar(entries)[..], &root, Path::new("tmp"), options)
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
        let h = std::fs::metadata(r.path().join("tmp/h")).unwrap();
        assert_eq!(h.nlink(), 2, "a real hard link");
        assert_eq!(read("deep/er/x"), "x");
        let link = std::fs::read_link(r.path().join("tmp/l")).unwrap();
        assert_eq!(link, Path::new("/etc/passwd"));
    }

    #[test]
    fn nothing_escapes_through_links_or_dot_dot() {
        let (r, o) = root();
        let any = UnpackOptions::default();
        // Through a link to an absolute host path: resolved in the root,
        // where it leads nowhere (an error, as with dockerd), or, once the
        // directory exists there, into the root's copy.
        assert!(put(r.path(), &[("out/x", EntryType::Regular, "in")], &any).is_err());
        assert!(!o.path().join("x").exists());
        let landed = r.path().join(o.path().strip_prefix("/").unwrap());
        std::fs::create_dir_all(&landed).unwrap();
        put(r.path(), &[("out/x", EntryType::Regular, "in")], &any).unwrap();
        assert!(!o.path().join("x").exists());
        assert_eq!(std::fs::read_to_string(landed.join("x")).unwrap(), "in");
        // Through `/../../`: the container's root.
        put(r.path(), &[("up/y", EntryType::Regular, "y")], &any).unwrap();
        assert_eq!(std::fs::read_to_string(r.path().join("y")).unwrap(), "y");
        // `..` out of the destination is refused, for files and hard links.
        let e = put(
            r.path(),
            &[("../../../escape", EntryType::Regular, "no")],
            &any,
        );
        assert_eq!(e.unwrap_err().kind(), crate::ErrorKind::InvalidParameter);
        let e = put(
            r.path(),
            &[("h", EntryType::Link, "../../etc/shadow")],
            &any,
        );
        assert_eq!(e.unwrap_err().kind(), crate::ErrorKind::InvalidParameter);
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
        assert_eq!(e.kind(), crate::ErrorKind::InvalidParameter);
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
            &Root::new(r.path()).unwrap(),
            Path::new("tmp"),
            &UnpackOptions::default(),
        )
        .unwrap();
        let text = std::fs::read_to_string(r.path().join("tmp/z")).unwrap();
        assert_eq!(text, "zipped");
    }
}
