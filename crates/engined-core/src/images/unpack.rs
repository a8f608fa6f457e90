//! Unpacking layer tars: either all of an image's layers in order into
//! one root filesystem, with the whiteouts applied (`.wh.<name>` deletes
//! `<name>`, `.wh..wh..opq` empties its directory), into a temporary
//! directory that is synced and then renamed into place, so a rootfs
//! either exists whole or not at all; or one layer alone into its own
//! directory of the layer store, with the whiteouts kept in overlayfs'
//! form (a character device 0/0 named like the deleted path, the xattr
//! `trusted.overlay.opaque=y` on an emptied directory) so the directory
//! can be stacked as a lowerdir as it is ([`Whiteouts`]).
//! Every entry, whiteout and replacement goes through [`crate::scoped`]:
//! a layer's symlink (`v -> /etc`) is followed inside the new root, never
//! on the host, and a hard link must name a path inside the root.

use std::fs;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::error::ImageError;
use crate::scoped::extract::{running_as_root, ExtractError, Extractor, Options, Owner};
use crate::scoped::{self, Root};
use engined_shim::atomic;

const WHITEOUT: &str = ".wh.";
const OPAQUE: &str = ".wh..wh..opq";

/// The xattr overlayfs reads on a directory hiding the lower layers'.
pub const OPAQUE_XATTR: &str = "trusted.overlay.opaque";

/// Whether the overlay-form directory `dir` of `layer` (a layer in the
/// store, a container's upper directory) hides the entries below it.
pub(crate) fn is_opaque(layer: &Root, dir: &Path) -> bool {
    let Ok(dir) = layer.dir(dir) else {
        return false;
    };
    let mut value = [0u8; 2];
    matches!(
        rustix::fs::fgetxattr(&dir, OPAQUE_XATTR, &mut value),
        Ok(1) if value[0] == b'y'
    )
}

/// What a layer's whiteouts do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whiteouts {
    /// Applied to what the root holds (a flattened rootfs). A layer
    /// directory in overlayfs' form archived reads the same: its character
    /// devices 0/0 delete their path too (its opaque directories, which a
    /// tar does not carry, the caller empties first).
    Apply,
    /// Written in overlayfs' form into a layer's own directory.
    Overlay,
}

/// Makes the directory `target`, which must not exist yet, by running
/// `fill` on an empty one beside it, then syncing and renaming it into
/// place. Nothing is left behind on error.
pub fn build_rootfs<T>(
    target: &Path,
    fill: impl FnOnce(&Root) -> Result<T, ImageError>,
) -> Result<T, ImageError> {
    let parent = target
        .parent()
        .ok_or_else(|| ImageError::BadTar(format!("{} has no parent", target.display())))?;
    let temp = atomic::temp_path(parent, "rootfs");
    let result = (|| {
        fs::create_dir(&temp).map_err(ImageError::io("creating", &temp))?;
        let root = Root::new(&temp).map_err(|e| ImageError::io("opening", &temp)(e.into()))?;
        let out = fill(&root)?;
        // One syncfs for the whole tree: no walk over (maybe hostile)
        // paths, and no fsync per file of a 200,000-file layer.
        root.sync_fs()
            .map_err(|e| ImageError::io("syncing", &temp)(e.into()))?;
        fs::rename(&temp, target).map_err(ImageError::io("renaming", target))?;
        atomic::sync_dir(parent).map_err(ImageError::io("syncing", parent))?;
        Ok(out)
    })();
    if result.is_err() {
        let _ = atomic::remove_any(&temp);
    }
    result
}

/// How layer entries are written: ownership and device nodes as dockerd
/// writes them when it runs as root.
fn layer_options() -> Options {
    let root = running_as_root();
    Options {
        owner: if root {
            Owner::FromArchive
        } else {
            Owner::Extractor
        },
        devices: root,
        no_overwrite_dir_non_dir: false,
        plain_only: false,
    }
}

fn bad_entry(path: &Path, e: impl std::fmt::Display) -> ImageError {
    ImageError::BadTar(format!("{}: {e}", Path::new("/").join(path).display()))
}

fn extract_error(e: ExtractError) -> ImageError {
    ImageError::BadTar(e.to_string())
}

/// Where one entry's content lies in the tar and where it goes, as
/// [`apply_layer_observed`] tells its observer before it writes the entry.
#[derive(Debug)]
pub struct EntrySpan<'a> {
    /// The offset of its content in the archive.
    pub file_position: u64,
    /// Its content's length in the archive.
    pub size: u64,
    /// The path in the root it is written to; none when it is skipped.
    pub path: Option<&'a Path>,
    /// A GNU sparse entry (its content is not its file's bytes).
    pub sparse: bool,
}

/// Applies one layer on top of what `root` holds, its whiteouts handled
/// as `whiteouts` says; returns the bytes of its regular files.
pub fn apply_layer(
    root: &Root,
    layer: Box<dyn Read + '_>,
    whiteouts: Whiteouts,
) -> Result<u64, ImageError> {
    apply_layer_observed(root, layer, whiteouts, None)
}

/// [`apply_layer`], telling `observe` of each entry; with an observer it
/// also reads what follows the end of the archive, to its end.
pub fn apply_layer_observed(
    root: &Root,
    layer: Box<dyn Read + '_>,
    whiteouts: Whiteouts,
    mut observe: Option<&mut dyn FnMut(&EntrySpan<'_>)>,
) -> Result<u64, ImageError> {
    let mut archive = tar::Archive::new(layer);
    let entries = archive
        .entries()
        .map_err(|e| ImageError::BadTar(e.to_string()))?;
    let mut extractor = Extractor::new(root, layer_options());
    let mut seen = 0usize;
    let mut size = 0u64;
    for entry in entries {
        let mut entry = entry.map_err(|e| ImageError::BadTar(chain(&e)))?;
        seen += 1;
        let raw = entry.path_bytes().into_owned();
        let path = Path::new(std::ffi::OsStr::from_bytes(&raw));
        let relative = scoped::path::entry(path);
        if let Some(observe) = observe.as_mut() {
            observe(&EntrySpan {
                file_position: entry.raw_file_position(),
                size: entry.size(),
                path: relative.as_deref(),
                sparse: entry.header().entry_type().is_gnu_sparse(),
            });
        }
        let Some(relative) = relative else {
            // `..` or an absolute path: never written.
            continue;
        };
        let name = relative.file_name().unwrap_or_default().as_bytes();
        let parent = relative.parent().unwrap_or(Path::new(""));
        if whiteouts == Whiteouts::Apply {
            let header = entry.header();
            let zero = |n: std::io::Result<Option<u32>>| matches!(n, Ok(Some(0)));
            if header.entry_type().is_character_special()
                && zero(header.device_major())
                && zero(header.device_minor())
            {
                extractor.forget();
                root.remove(&relative)
                    .map_err(|e| bad_entry(&relative, e))?;
                continue;
            }
        }
        if name == OPAQUE.as_bytes() && whiteouts == Whiteouts::Overlay {
            extractor.forget();
            let dir = root
                .mkdir_all(parent, 0o755)
                .map_err(|e| bad_entry(&relative, e))?;
            rustix::fs::fsetxattr(&dir, OPAQUE_XATTR, b"y", rustix::fs::XattrFlags::empty())
                .map_err(|e| bad_entry(&relative, std::io::Error::from(e)))?;
            continue;
        }
        if let Some(hidden) = name.strip_prefix(WHITEOUT.as_bytes()) {
            if whiteouts == Whiteouts::Overlay {
                extractor.forget();
                let hidden = std::ffi::OsStr::from_bytes(hidden);
                if !scoped::path::is_name(hidden) {
                    return Err(bad_entry(&relative, "a whiteout of nothing"));
                }
                let dir = root
                    .mkdir_all(parent, 0o755)
                    .map_err(|e| bad_entry(&relative, e))?;
                dir.remove_all(hidden)
                    .and_then(|()| dir.mknod(hidden, scoped::dir::Node::Char, 0, 0, 0))
                    .map_err(|e| bad_entry(&relative, e))?;
                continue;
            }
        }
        if name == OPAQUE.as_bytes() {
            extractor.forget();
            match root.dir(parent) {
                Ok(dir) => dir.clear().map_err(|e| bad_entry(&relative, e))?,
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(bad_entry(&relative, e)),
            }
            continue;
        }
        if let Some(hidden) = name.strip_prefix(WHITEOUT.as_bytes()) {
            extractor.forget();
            let victim = parent.join(std::ffi::OsStr::from_bytes(hidden));
            if scoped::path::split(&victim).is_none() {
                return Err(bad_entry(&relative, "a whiteout of nothing"));
            }
            root.remove(&victim).map_err(|e| bad_entry(&relative, e))?;
            continue;
        }
        let link = if entry.header().entry_type().is_hard_link() {
            let target = entry
                .link_name_bytes()
                .ok_or_else(|| bad_entry(&relative, "a hard link without a target"))?
                .into_owned();
            let target = Path::new(std::ffi::OsStr::from_bytes(&target));
            Some(hard_link_target(target).ok_or_else(|| {
                bad_entry(
                    &relative,
                    format!("hard link to {} leaves the root", target.display()),
                )
            })?)
        } else {
            None
        };
        size += extractor
            .put(&relative, &mut entry, link.as_deref())
            .map_err(extract_error)?;
    }
    if seen == 0 {
        return Err(ImageError::BadTar("the archive is empty".into()));
    }
    extractor.finish().map_err(extract_error)?;
    if observe.is_some() {
        std::io::copy(&mut archive.into_inner(), &mut std::io::sink())
            .map_err(|e| ImageError::BadTar(chain(&e)))?;
    }
    Ok(size)
}

/// A layer hard link's target as a path in the root: `./` and a leading
/// `/` dropped (both mean the root), any `..` refused.
fn hard_link_target(target: &Path) -> Option<std::path::PathBuf> {
    let stripped = target.strip_prefix("/").unwrap_or(target);
    scoped::path::entry(stripped)
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    /// `layers` (plain tars, bottom first) applied in order into the new
    /// directory `target`; each layer's content size.
    fn unpack_rootfs(
        target: &Path,
        layers: Vec<Box<dyn Read + '_>>,
    ) -> Result<Vec<u64>, ImageError> {
        build_rootfs(target, |root| {
            layers
                .into_iter()
                .map(|l| apply_layer(root, l, Whiteouts::Apply))
                .collect()
        })
    }

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

    use crate::scoped::testing::tar;
    use tar::EntryType::{Directory, Link, Regular, Symlink};

    /// A host directory with a canary, and a rootfs unpacked from
    /// `layers`; the canary is checked intact after.
    fn hostile(layers: &[Vec<u8>]) -> (tempfile::TempDir, Result<Vec<u64>, ImageError>) {
        let dir = tempfile::tempdir().unwrap();
        let readers: Vec<Box<dyn Read>> = layers
            .iter()
            .map(|l| Box::new(std::io::Cursor::new(l.clone())) as Box<dyn Read>)
            .collect();
        let result = unpack_rootfs(&dir.path().join("root"), readers);
        (dir, result)
    }

    fn canary() -> tempfile::TempDir {
        let c = tempfile::tempdir().unwrap();
        fs::write(c.path().join("secret"), "keep").unwrap();
        fs::create_dir(c.path().join("sub")).unwrap();
        fs::write(c.path().join("sub/file"), "keep").unwrap();
        c
    }

    fn intact(c: &tempfile::TempDir) {
        assert_eq!(fs::read_to_string(c.path().join("secret")).unwrap(), "keep");
        assert_eq!(
            fs::read_to_string(c.path().join("sub/file")).unwrap(),
            "keep"
        );
    }

    #[test]
    fn whiteouts_through_a_symlink_stay_in_the_root() {
        let c = canary();
        let host = c.path().to_str().unwrap();
        let lower = tar(&[("v", Symlink, host), ("w", Symlink, "/etc")]);
        let upper = tar(&[
            ("v/.wh.secret", Regular, ""),
            ("v/.wh.sub", Regular, ""),
            ("w/.wh..wh..opq", Regular, ""),
        ]);
        let (dir, result) = hostile(&[lower, upper]);
        result.unwrap();
        intact(&c);
        assert!(dir.path().join("root/v").symlink_metadata().is_ok());
        // The host's /etc is untouched too.
        assert!(Path::new("/etc/passwd").exists());
    }

    #[test]
    fn a_directory_replacing_a_file_through_a_symlink_stays_in_the_root() {
        let c = canary();
        let host = c.path().to_str().unwrap();
        // The link's target does not exist in the root: an error, as
        // dockerd's unpack in its chroot gives, and nothing on the host.
        let lower = tar(&[("v", Symlink, host)]);
        let upper = tar(&[("v/secret/", Directory, ""), ("v/sub", Regular, "x")]);
        let (_dir, result) = hostile(&[lower, upper]);
        assert!(result.is_err());
        intact(&c);
        // A target that exists in the root: the change happens there.
        let lower = tar(&[
            ("etc/", Directory, ""),
            ("etc/passwd", Regular, "p"),
            ("w", Symlink, "/etc"),
        ]);
        let upper = tar(&[("w/passwd/", Directory, ""), ("w/new", Regular, "n")]);
        let (dir, result) = hostile(&[lower, upper]);
        result.unwrap();
        assert!(dir.path().join("root/etc/passwd").is_dir());
        assert_eq!(
            fs::read_to_string(dir.path().join("root/etc/new")).unwrap(),
            "n"
        );
        assert!(Path::new("/etc/passwd").is_file());
    }

    #[test]
    fn hard_links_are_real_and_stay_inside() {
        let layer = tar(&[("a", Regular, "data"), ("b", Link, "a"), ("c", Link, "/a")]);
        let (dir, result) = hostile(&[layer]);
        result.unwrap();
        let a = fs::metadata(dir.path().join("root/a")).unwrap();
        assert_eq!(a.nlink(), 3);
        for escaping in ["../../etc/passwd", "x/../../a"] {
            let (_dir, result) = hostile(&[tar(&[("h", Link, escaping)])]);
            let e = result.unwrap_err();
            assert!(e.to_string().contains("leaves the root"), "{e}");
        }
        // A hard link to a symlink pointing out links the symlink.
        let layer = tar(&[("s", Symlink, "/etc/shadow"), ("h", Link, "s")]);
        let (dir, result) = hostile(&[layer]);
        result.unwrap();
        let h = fs::symlink_metadata(dir.path().join("root/h")).unwrap();
        assert!(h.file_type().is_symlink());
    }

    #[test]
    fn zeros_become_holes() {
        let zeros = "\0".repeat(1 << 20);
        let data = format!("{zeros}end");
        let layer = tar(&[("big", Regular, &data)]);
        let (dir, result) = hostile(&[layer]);
        assert_eq!(result.unwrap(), vec![data.len() as u64]);
        let m = fs::metadata(dir.path().join("root/big")).unwrap();
        assert_eq!(m.len(), data.len() as u64);
        assert!(m.blocks() * 512 < 256 * 1024, "{} blocks", m.blocks());
    }

    /// One arbitrary tar entry: a 512-byte header (type byte from the
    /// interesting ones, checksum fixed or not) and up to 2 KiB after it.
    /// The GNU sparse map and real size are zeroed: a sparse entry may
    /// claim exabytes of zeros, which the corpus test covers at 10 GB.
    fn arbitrary_entry() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        let kinds = prop::sample::select(b"01234567SLKxgDV\0".to_vec());
        (
            prop::collection::vec(any::<u8>(), 512),
            kinds,
            any::<bool>(),
            prop::collection::vec(any::<u8>(), 0..2048),
        )
            .prop_map(|(mut header, kind, fix_sum, data)| {
                header[156] = kind;
                header[386..495].fill(0);
                if fix_sum {
                    header[148..156].fill(b' ');
                    let sum: u32 = header.iter().map(|&b| u32::from(b)).sum();
                    let text = format!("{sum:06o}\0 ");
                    header[148..156].copy_from_slice(text.as_bytes());
                }
                let mut out = header;
                out.extend(data);
                let pad = (512 - out.len() % 512) % 512;
                out.resize(out.len() + pad, 0);
                out
            })
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config {
            cases: 2000,
            failure_persistence: None,
            ..proptest::test_runner::Config::default()
        })]

        #[test]
        fn arbitrary_headers_never_panic(
            entries in proptest::collection::vec(arbitrary_entry(), 1..4)
        ) {
            let dir = tempfile::tempdir().unwrap();
            let root = Root::new(dir.path()).unwrap();
            let layer: Vec<u8> = entries.concat();
            // An error is fine; a panic or a write outside is not.
            let _ = apply_layer(&root, Box::new(&layer[..]), Whiteouts::Overlay);
        }
    }
}
