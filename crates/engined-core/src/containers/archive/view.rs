//! Which host directory shows a container's files, for one operation.
//!
//! - copy driver (`vfs`): the container's own copy, whatever its state;
//! - overlay, mounted (running, paused, or a write in progress): the merged
//!   mount in the bundle;
//! - overlay, not mounted, reading: the container's upper layer over the
//!   image's rootfs, mounted read-only at a private mount point that is
//!   removed when the view is dropped (the container can start meanwhile);
//! - overlay, not mounted, writing: the container's own overlay mounted
//!   where a start would mount it, and unmounted when the view is dropped;
//!   the caller holds the container's operation lock so no start races it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::error::{ArchiveError, Result};
use crate::containers::record::Record;
use crate::containers::rootfs::{self, Layout, OVERLAY};
use crate::containers::supervisor::sys;

/// What dropping the view undoes.
#[derive(Debug)]
enum Cleanup {
    Nothing,
    /// A private read-only mount point: unmount and remove it.
    ReadOnly(PathBuf),
    /// The container's overlay, mounted for a write.
    Overlay(Layout),
}

/// A container's files on the host, valid while the view lives.
#[derive(Debug)]
pub struct RootView {
    root: PathBuf,
    cleanup: Cleanup,
}

impl RootView {
    /// The directory holding the container's `/`.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The copy, or the overlay while it is mounted: nothing to undo.
    fn in_place(record: &Record, layout: &Layout) -> Option<RootView> {
        let root = layout.rootfs(&record.driver);
        (record.driver != OVERLAY || sys::is_mount_point(&root)).then_some(RootView {
            root,
            cleanup: Cleanup::Nothing,
        })
    }

    /// A view for reading (blocking: may mount).
    pub fn for_reading(record: &Record, layout: &Layout) -> Result<RootView> {
        if let Some(view) = Self::in_place(record, layout) {
            return Ok(view);
        }
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let point = layout.dir.join(format!(
            "archive-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let context = || format!("mounting the files of container {}", record.id);
        std::fs::create_dir_all(&point).map_err(|e| ArchiveError::io(context(), e))?;
        let mut layers = vec![layout.dir.join("upper")];
        layers.extend(rootfs::lowers(record));
        if let Err(e) = rootfs::mount_layers(&layers, None, &point) {
            let _ = std::fs::remove_dir(&point);
            return Err(ArchiveError::io(context(), e));
        }
        Ok(RootView {
            root: point.clone(),
            cleanup: Cleanup::ReadOnly(point),
        })
    }

    /// A view for writing (blocking: may mount). The caller holds the
    /// container's operation lock.
    pub fn for_writing(record: &Record, layout: &Layout) -> Result<RootView> {
        if let Some(view) = Self::in_place(record, layout) {
            return Ok(view);
        }
        let root = rootfs::mount(&record.driver, &rootfs::lowers(record), layout).map_err(|e| {
            ArchiveError::io(format!("mounting the files of container {}", record.id), e)
        })?;
        Ok(RootView {
            root,
            cleanup: Cleanup::Overlay(layout.clone()),
        })
    }
}

impl Drop for RootView {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Nothing => {}
            Cleanup::ReadOnly(point) => {
                if let Err(e) = sys::unmount(point) {
                    tracing::warn!("unmounting {}: {e}", point.display());
                }
                let _ = std::fs::remove_dir(point);
            }
            Cleanup::Overlay(layout) => {
                if let Err(e) = rootfs::unmount(OVERLAY, layout) {
                    tracing::warn!("unmounting {}: {e}", layout.bundle.display());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::containers::rootfs::probe_driver;

    #[test]
    fn a_stopped_overlay_container_is_read_through_a_private_mount() {
        let base = tempfile::tempdir().unwrap();
        if probe_driver(base.path()) != OVERLAY {
            eprintln!("skipped: no overlay mounts here");
            return;
        }
        let image = base.path().join("image");
        std::fs::create_dir_all(image.join("etc")).unwrap();
        std::fs::write(image.join("etc/motd"), "image").unwrap();
        std::fs::write(image.join("gone"), "x").unwrap();
        let layout = Layout {
            dir: base.path().join("data/c1"),
            bundle: base.path().join("exec/c1"),
        };
        std::fs::create_dir_all(&layout.dir).unwrap();
        rootfs::create(OVERLAY, std::slice::from_ref(&image), &layout).unwrap();
        // A run changed a file and removed one.
        let merged = rootfs::mount(OVERLAY, std::slice::from_ref(&image), &layout).unwrap();
        std::fs::write(merged.join("etc/motd"), "changed").unwrap();
        std::fs::remove_file(merged.join("gone")).unwrap();
        rootfs::unmount(OVERLAY, &layout).unwrap();

        let record = super::super::test_record(&image, OVERLAY);
        let view = RootView::for_reading(&record, &layout).unwrap();
        let root = view.root().to_path_buf();
        assert_ne!(root, layout.rootfs(OVERLAY));
        assert_eq!(
            std::fs::read_to_string(root.join("etc/motd")).unwrap(),
            "changed"
        );
        assert!(!root.join("gone").exists());
        assert!(std::fs::write(root.join("new"), "x").is_err(), "read-only");
        drop(view);
        assert!(!root.exists());

        let view = RootView::for_writing(&record, &layout).unwrap();
        std::fs::write(view.root().join("new"), "x").unwrap();
        drop(view);
        assert!(!sys::is_mount_point(&layout.rootfs(OVERLAY)));
        assert_eq!(
            std::fs::read_to_string(layout.dir.join("upper/new")).unwrap(),
            "x"
        );
    }
}
