//! Each container's writable root filesystem over its image's read-only
//! layers: an overlay mount (`overlay2`: lowerdir = the image's layer
//! directories, topmost first; upper/work in the container's directory,
//! mounted in the bundle at start) when the kernel offers it, else a full
//! copy made at create (`vfs`) by applying the layers bottom-up, their
//! whiteouts (kept in overlayfs' form in the layer store) applied on the
//! way. When the lowerdir list would not fit a page of mount options, the
//! layer store's short links are used instead, relative to the store (the
//! mount then runs in a child whose working directory is the store, as
//! dockerd's overlay2 does). An image of no layers gets an empty lower
//! directory of the container's own.
//!
//! Reading the image alone (`docker diff`, a volume's copy-up) goes
//! through an [`ImageView`]: the one layer as it is, or the layers
//! stacked read-only (overlay) or copied into a scratch directory (vfs).

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::record::Record;
use super::supervisor::sys;
use crate::images::layers::links;
use crate::images::unpack::{apply_layer, build_rootfs, Whiteouts};
use crate::images::ImageError;
use crate::scoped::pack;
use crate::scoped::{Follow, Root};
use engined_shim::atomic;

/// The storage driver names, as `docker info`/`inspect` show them.
pub const OVERLAY: &str = "overlay2";
pub const COPY: &str = "vfs";

/// Environment variable forcing a driver (`vfs` to test the copy path).
pub const DRIVER_ENV: &str = "ENGINED_STORAGE_DRIVER";

/// The longest mount option string the kernel takes (a page, with its NUL).
const MAX_OPTIONS: usize = 4095;

/// Finds out once whether overlay mounts work under `scratch` (a
/// directory on the data root's filesystem).
pub fn probe_driver(scratch: &Path) -> &'static str {
    match std::env::var(DRIVER_ENV).as_deref() {
        Ok(COPY) => return COPY,
        Ok(OVERLAY) => return OVERLAY,
        _ => {}
    }
    let dir = scratch.join(".overlay-probe");
    let _ = sys::unmount(&dir.join("merged"));
    let _ = std::fs::remove_dir_all(&dir);
    let parts = ["lower", "upper", "work", "merged"].map(|p| dir.join(p));
    let made = parts.iter().all(|p| std::fs::create_dir_all(p).is_ok());
    let ok = made && sys::mount_overlay(&parts[0], &parts[1], &parts[2], &parts[3]).is_ok();
    if ok {
        let _ = sys::unmount(&parts[3]);
    }
    let _ = std::fs::remove_dir_all(&dir);
    if ok {
        OVERLAY
    } else {
        COPY
    }
}

/// Where a container's files live.
#[derive(Debug, Clone)]
pub struct Layout {
    /// `<data-root>/containers/<id>`
    pub dir: PathBuf,
    /// `<exec-root>/containers/<id>`
    pub bundle: PathBuf,
}

impl Layout {
    /// The root the runtime uses: the overlay mount in the bundle, or the
    /// copy in the container's directory.
    pub fn rootfs(&self, driver: &str) -> PathBuf {
        if driver == OVERLAY {
            self.bundle.join("rootfs")
        } else {
            self.dir.join("rootfs")
        }
    }

    /// The lower directory of a container whose image has no layers.
    fn empty_lower(&self) -> PathBuf {
        self.dir.join("empty")
    }
}

/// The image directories under a container, topmost first: its image's
/// layers, or the one flattened rootfs a record made before the layer
/// store names.
pub fn lowers(record: &Record) -> Vec<PathBuf> {
    if record.image_layers.is_empty() && !record.image_rootfs.as_os_str().is_empty() {
        return vec![record.image_rootfs.clone()];
    }
    record.image_layers.iter().rev().cloned().collect()
}

/// At create: the upper/work directories, or the copy. `lowers` topmost
/// first.
pub fn create(driver: &str, lowers: &[PathBuf], layout: &Layout) -> io::Result<()> {
    if driver == OVERLAY {
        std::fs::create_dir_all(layout.dir.join("upper"))?;
        std::fs::create_dir_all(layout.dir.join("work"))?;
        if lowers.is_empty() {
            std::fs::create_dir_all(layout.empty_lower())?;
        }
        return Ok(());
    }
    flatten(lowers, &layout.dir.join("rootfs"))
}

/// Applies `lowers` (topmost first) bottom-up into the new directory
/// `target`, each layer's whiteouts deleting what the layers below had.
/// Every read and write goes through [`crate::scoped`]; nothing is left
/// of `target` on error.
pub fn flatten(lowers: &[PathBuf], target: &Path) -> io::Result<()> {
    build_rootfs(target, |root| {
        for layer in lowers.iter().rev() {
            apply_directory(root, layer)?;
        }
        Ok(())
    })
    .map_err(io::Error::other)
}

/// One layer directory applied on top of `root`: its opaque directories
/// emptied first, then its entries archived and extracted, character
/// devices 0/0 deleting.
fn apply_directory(root: &Root, layer: &Path) -> Result<(), ImageError> {
    let fail = |e: io::Error| ImageError::io("copying the layer", layer)(e);
    let source = Root::new(layer).map_err(|e| fail(e.into()))?;
    if source
        .read_dir(Path::new("."))
        .map_err(|e| fail(e.into()))?
        .is_empty()
    {
        return Ok(());
    }
    for dir in opaque_dirs(&source, Path::new("")).map_err(fail)? {
        // Only a directory the layers below made there, never through a
        // link.
        if root.metadata(&dir, Follow::No).is_ok_and(|m| m.is_dir()) {
            let below = root.dir(&dir).map_err(|e| fail(e.into()))?;
            below.clear().map_err(|e| fail(e.into()))?;
        }
    }
    let (reader, mut writer) = io::pipe().map_err(fail)?;
    std::thread::scope(|scope| {
        let packer = scope.spawn(|| {
            let packed = pack::pack_root(&mut writer, &source);
            drop(writer);
            packed
        });
        let applied = apply_layer(root, Box::new(reader), Whiteouts::Apply);
        let packed = packer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the archiving thread panicked")));
        applied?;
        packed.map_err(fail)
    })
}

/// The directories below `dir` of `layer` marked opaque, parents first.
fn opaque_dirs(layer: &Root, dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let here = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    for name in layer.read_dir(here)? {
        let path = dir.join(&name);
        if !layer.metadata(&path, Follow::No)?.is_dir() {
            continue;
        }
        if crate::images::unpack::is_opaque(layer, &path) {
            out.push(path.clone());
        }
        out.extend(opaque_dirs(layer, &path)?);
    }
    Ok(out)
}

/// At start: mounts the overlay (unless it still is); returns the root.
pub fn mount(driver: &str, lowers: &[PathBuf], layout: &Layout) -> io::Result<PathBuf> {
    let root = layout.rootfs(driver);
    if driver != OVERLAY {
        return Ok(root);
    }
    std::fs::create_dir_all(&root)?;
    if !sys::is_mount_point(&root) {
        let mut lowers = lowers.to_vec();
        if lowers.is_empty() {
            let empty = layout.empty_lower();
            std::fs::create_dir_all(&empty)?;
            lowers.push(empty);
        }
        let upper = layout.dir.join("upper");
        let work = layout.dir.join("work");
        mount_layers(&lowers, Some((&upper, &work)), &root)?;
    }
    Ok(root)
}

/// After the container stopped, or before removing it.
pub fn unmount(driver: &str, layout: &Layout) -> io::Result<()> {
    if driver == OVERLAY {
        sys::unmount(&layout.rootfs(driver))?;
    }
    Ok(())
}

/// Mounts the overlay of `lowers` (topmost first, at least one) at
/// `target`: writable through `(upper, work)` when given, else read-only
/// (a single read-only lower is bind-mounted, which overlayfs refuses).
pub fn mount_layers(
    lowers: &[PathBuf],
    writable: Option<(&Path, &Path)>,
    target: &Path,
) -> io::Result<()> {
    if writable.is_none() && lowers.len() == 1 {
        return bind_read_only(&lowers[0], target);
    }
    let tail = match writable {
        Some((upper, work)) => format!(",upperdir={},workdir={}", upper.display(), work.display()),
        None => String::new(),
    };
    let full: Vec<String> = lowers.iter().map(|p| p.display().to_string()).collect();
    let options = format!("lowerdir={}{tail}", full.join(":"));
    if options.len() <= MAX_OPTIONS {
        return mount_overlay(&options, writable.is_none(), target);
    }
    let (store, short) = short_lowers(lowers).ok_or_else(|| {
        io::Error::other(format!(
            "{} layers do not fit the overlay mount options",
            lowers.len()
        ))
    })?;
    let options = format!("lowerdir={}{tail}", short.join(":"));
    let mut command = Command::new("mount");
    command
        .current_dir(&store)
        .args(["-t", "overlay", "overlay", "-o", &options]);
    if writable.is_none() {
        command.args(["-o", "ro"]);
    }
    let out = command.arg(target).output()?;
    if out.status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "mounting {} layers at {}: {}",
            lowers.len(),
            target.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// The layer store all of `lowers` are in and their short links relative
/// to it, when they all are `<store>/<chain hex>/diff` of one store.
fn short_lowers(lowers: &[PathBuf]) -> Option<(PathBuf, Vec<String>)> {
    let mut store: Option<&Path> = None;
    let mut out = Vec::with_capacity(lowers.len());
    for lower in lowers {
        if lower.file_name()? != "diff" {
            return None;
        }
        let chain = lower.parent()?;
        let parent = chain.parent()?;
        if store.is_some_and(|s| s != parent) {
            return None;
        }
        store = Some(parent);
        let hex = chain.file_name()?.to_str()?;
        out.push(links::relative(hex).display().to_string());
    }
    Some((store?.to_path_buf(), out))
}

fn mount_overlay(options: &str, read_only: bool, target: &Path) -> io::Result<()> {
    let data = CString::new(options).map_err(io::Error::other)?;
    let target = CString::new(target.as_os_str().as_bytes()).map_err(io::Error::other)?;
    let flags = if read_only { libc::MS_RDONLY } else { 0 };
    // SAFETY: every pointer is a NUL-terminated string alive for the call.
    let rc = unsafe {
        libc::mount(
            c"overlay".as_ptr(),
            target.as_ptr(),
            c"overlay".as_ptr(),
            flags,
            data.as_ptr().cast(),
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

fn bind_read_only(source: &Path, target: &Path) -> io::Result<()> {
    let source = CString::new(source.as_os_str().as_bytes()).map_err(io::Error::other)?;
    let target = CString::new(target.as_os_str().as_bytes()).map_err(io::Error::other)?;
    for flags in [
        libc::MS_BIND,
        libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY,
    ] {
        // SAFETY: both strings are NUL-terminated and alive for the call;
        // a bind mount reads no data.
        let rc = unsafe {
            libc::mount(
                source.as_ptr(),
                target.as_ptr(),
                std::ptr::null(),
                flags,
                std::ptr::null(),
            )
        };
        if rc != 0 {
            let e = io::Error::last_os_error();
            let _ = sys::unmount(Path::new(std::ffi::OsStr::from_bytes(target.as_bytes())));
            return Err(e);
        }
    }
    Ok(())
}

/// What dropping an [`ImageView`] undoes.
#[derive(Debug)]
enum ViewCleanup {
    Nothing,
    /// A read-only mount point: unmount and remove it.
    Unmount(PathBuf),
    /// A scratch directory (empty, or a copy): remove it.
    Remove(PathBuf),
}

/// An image's files, merged, on the host while the view lives.
#[derive(Debug)]
pub struct ImageView {
    path: PathBuf,
    cleanup: ViewCleanup,
}

impl ImageView {
    /// Merges `lowers` (topmost first) as `driver` can: the one layer in
    /// place, else a read-only overlay or a copy at a fresh path in
    /// `scratch` (blocking).
    pub fn open(driver: &str, lowers: &[PathBuf], scratch: &Path) -> io::Result<ImageView> {
        if let [only] = lowers {
            return Ok(ImageView {
                path: only.clone(),
                cleanup: ViewCleanup::Nothing,
            });
        }
        std::fs::create_dir_all(scratch)?;
        let path = atomic::temp_path(scratch, "image");
        if lowers.is_empty() {
            std::fs::create_dir(&path)?;
            return Ok(ImageView {
                cleanup: ViewCleanup::Remove(path.clone()),
                path,
            });
        }
        if driver == OVERLAY {
            std::fs::create_dir(&path)?;
            if let Err(e) = mount_layers(lowers, None, &path) {
                let _ = std::fs::remove_dir(&path);
                return Err(e);
            }
            return Ok(ImageView {
                cleanup: ViewCleanup::Unmount(path.clone()),
                path,
            });
        }
        flatten(lowers, &path)?;
        Ok(ImageView {
            cleanup: ViewCleanup::Remove(path.clone()),
            path,
        })
    }

    /// The directory holding the image's `/`.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ImageView {
    fn drop(&mut self) {
        match &self.cleanup {
            ViewCleanup::Nothing => {}
            ViewCleanup::Unmount(point) => {
                if let Err(e) = sys::unmount(point) {
                    tracing::warn!("unmounting {}: {e}", point.display());
                }
                let _ = std::fs::remove_dir(point);
            }
            ViewCleanup::Remove(dir) => {
                if let Err(e) = atomic::remove_any(dir) {
                    tracing::warn!("removing {}: {e}", dir.display());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(base: &Path) -> Layout {
        Layout {
            dir: base.join("data/c1"),
            bundle: base.join("exec/c1"),
        }
    }

    fn image(base: &Path) -> PathBuf {
        let lower = base.join("image");
        std::fs::create_dir_all(lower.join("etc")).unwrap();
        std::fs::write(lower.join("etc/motd"), "hello").unwrap();
        lower
    }

    /// Two layer directories in the store's form: a base, and a layer
    /// deleting `/etc/motd` (char device 0/0), emptying `/opt` (opaque)
    /// and adding `/etc/issue`. Topmost first.
    fn stacked(base: &Path) -> Vec<PathBuf> {
        let bottom = base.join("layers/aa/diff");
        let top = base.join("layers/bb/diff");
        for d in ["etc", "opt/old"] {
            std::fs::create_dir_all(bottom.join(d)).unwrap();
        }
        std::fs::write(bottom.join("etc/motd"), "hello").unwrap();
        std::fs::write(bottom.join("etc/keep"), "k").unwrap();
        std::fs::write(bottom.join("opt/old/x"), "x").unwrap();
        std::fs::create_dir_all(top.join("etc")).unwrap();
        std::fs::create_dir_all(top.join("opt")).unwrap();
        std::fs::write(top.join("etc/issue"), "new").unwrap();
        std::fs::write(top.join("opt/fresh"), "f").unwrap();
        let root = Root::new(&top).unwrap();
        root.dir(Path::new("etc"))
            .unwrap()
            .mknod(
                std::ffi::OsStr::new("motd"),
                crate::scoped::dir::Node::Char,
                0,
                0,
                0,
            )
            .unwrap();
        let opt = root.dir(Path::new("opt")).unwrap();
        rustix::fs::fsetxattr(
            &opt,
            crate::images::unpack::OPAQUE_XATTR,
            b"y",
            rustix::fs::XattrFlags::empty(),
        )
        .unwrap();
        vec![top, bottom]
    }

    fn check_merged(root: &Path) {
        assert!(!root.join("etc/motd").exists());
        assert_eq!(std::fs::read_to_string(root.join("etc/keep")).unwrap(), "k");
        assert_eq!(
            std::fs::read_to_string(root.join("etc/issue")).unwrap(),
            "new"
        );
        assert!(!root.join("opt/old").exists());
        assert_eq!(
            std::fs::read_to_string(root.join("opt/fresh")).unwrap(),
            "f"
        );
    }

    #[test]
    fn copy_driver_copies_and_leaves_the_image_alone() {
        let base = tempfile::tempdir().unwrap();
        let lower = image(base.path());
        let l = layout(base.path());
        std::fs::create_dir_all(&l.dir).unwrap();
        create(COPY, std::slice::from_ref(&lower), &l).unwrap();
        let root = mount(COPY, std::slice::from_ref(&lower), &l).unwrap();
        assert_eq!(
            std::fs::read_to_string(root.join("etc/motd")).unwrap(),
            "hello"
        );
        std::fs::write(root.join("etc/motd"), "changed").unwrap();
        assert_eq!(
            std::fs::read_to_string(lower.join("etc/motd")).unwrap(),
            "hello"
        );
    }

    #[test]
    fn copy_driver_applies_the_layers_whiteouts() {
        let base = tempfile::tempdir().unwrap();
        let lowers = stacked(base.path());
        let l = layout(base.path());
        std::fs::create_dir_all(&l.dir).unwrap();
        create(COPY, &lowers, &l).unwrap();
        check_merged(&l.dir.join("rootfs"));
        // The view of the image alone is the same merge, gone after.
        let view = ImageView::open(COPY, &lowers, &base.path().join("scratch")).unwrap();
        check_merged(view.path());
        let path = view.path().to_path_buf();
        drop(view);
        assert!(!path.exists());
    }

    #[test]
    fn overlay_driver_stacks_the_layers() {
        let base = tempfile::tempdir().unwrap();
        if probe_driver(base.path()) != OVERLAY {
            eprintln!("skipped: no overlay mounts here");
            return;
        }
        let lowers = stacked(base.path());
        let l = layout(base.path());
        std::fs::create_dir_all(&l.dir).unwrap();
        create(OVERLAY, &lowers, &l).unwrap();
        let root = mount(OVERLAY, &lowers, &l).unwrap();
        check_merged(&root);
        unmount(OVERLAY, &l).unwrap();
        let view = ImageView::open(OVERLAY, &lowers, &base.path().join("scratch")).unwrap();
        check_merged(view.path());
        let path = view.path().to_path_buf();
        drop(view);
        assert!(!path.exists());
    }

    #[test]
    fn an_image_without_layers_gets_an_empty_root() {
        let base = tempfile::tempdir().unwrap();
        let l = layout(base.path());
        std::fs::create_dir_all(&l.dir).unwrap();
        let driver = probe_driver(base.path());
        create(driver, &[], &l).unwrap();
        let root = mount(driver, &[], &l).unwrap();
        std::fs::write(root.join("made"), "m").unwrap();
        unmount(driver, &l).unwrap();
        let view = ImageView::open(driver, &[], &base.path().join("scratch")).unwrap();
        assert_eq!(std::fs::read_dir(view.path()).unwrap().count(), 0);
    }

    #[test]
    fn many_layers_mount_through_the_short_links() {
        let base = tempfile::tempdir().unwrap();
        if probe_driver(base.path()) != OVERLAY {
            eprintln!("skipped: no overlay mounts here");
            return;
        }
        // 100 layers of 64-hex names: far past a page of full paths.
        let store = base.path().join("store");
        std::fs::create_dir_all(store.join(links::DIR)).unwrap();
        let mut lowers = Vec::new();
        for i in 0..100u32 {
            let hex = format!("{i:064x}");
            let diff = store.join(&hex).join("diff");
            std::fs::create_dir_all(&diff).unwrap();
            std::fs::write(diff.join(format!("f{i}")), i.to_string()).unwrap();
            std::os::unix::fs::symlink(links::target(&hex), store.join(links::relative(&hex)))
                .unwrap();
            lowers.insert(0, diff);
        }
        let full: usize = lowers.iter().map(|p| p.as_os_str().len() + 1).sum();
        assert!(full > MAX_OPTIONS);
        let l = layout(base.path());
        std::fs::create_dir_all(&l.dir).unwrap();
        create(OVERLAY, &lowers, &l).unwrap();
        let root = mount(OVERLAY, &lowers, &l).unwrap();
        assert_eq!(std::fs::read_to_string(root.join("f0")).unwrap(), "0");
        assert_eq!(std::fs::read_to_string(root.join("f99")).unwrap(), "99");
        unmount(OVERLAY, &l).unwrap();
    }

    #[test]
    fn overlay_driver_writes_to_upper_only() {
        let base = tempfile::tempdir().unwrap();
        if probe_driver(base.path()) != OVERLAY {
            eprintln!("skipped: no overlay mounts here");
            return;
        }
        let lower = image(base.path());
        let lowers = vec![lower.clone()];
        let l = layout(base.path());
        std::fs::create_dir_all(&l.dir).unwrap();
        create(OVERLAY, &lowers, &l).unwrap();
        let root = mount(OVERLAY, &lowers, &l).unwrap();
        // Mounting twice is a no-op.
        mount(OVERLAY, &lowers, &l).unwrap();
        std::fs::write(root.join("etc/motd"), "changed").unwrap();
        assert_eq!(
            std::fs::read_to_string(lower.join("etc/motd")).unwrap(),
            "hello"
        );
        assert_eq!(
            std::fs::read_to_string(l.dir.join("upper/etc/motd")).unwrap(),
            "changed"
        );
        unmount(OVERLAY, &l).unwrap();
        assert!(!root.join("etc/motd").exists());
    }
}
